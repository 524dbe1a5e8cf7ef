# A second correct solution: the trace computed by a small Kahn's algorithm over dag.upstream and
# dag.downstream that records its state after each iteration, with tuples instead of lists.
### REGION initial_queue
INITIAL_QUEUE = tuple(name for name in dag if not dag.upstream(name))
### REGION trace
def traced_kahn(dag):
    """Kahn's algorithm as the statement pins it, with the state after every iteration."""
    in_degree = {name: len(dag.upstream(name)) for name in dag}
    queue = tuple(name for name in dag if in_degree[name] == 0)
    result = ()
    steps = []
    while queue:
        popped, queue = queue[0], queue[1:]
        result += (popped,)
        for child in dag.downstream(popped):
            in_degree[child] -= 1
            if in_degree[child] == 0:
                queue += (child,)
        steps.append({"popped": popped, "queue": queue, "result": result})
    return tuple(steps)


TRACE = traced_kahn(dag)
