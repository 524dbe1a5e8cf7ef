# A second correct solution of exercise 27.30. The DAG uses classic PythonOperators built in a loop
# from a wiring table, pulling their inputs from XCom themselves, on a one-day data-interval
# timetable; the Prefect flow submits every task and lets futures carry the dependencies, and
# backfills with named flow runs; the line counter finds docstrings and imports with tokenize
# alone, and walks the folders with os.walk. The shared logic is the other one of milestone 27.29
# (cosine co-occurrence, liblinear, Laplace smoothing, NumPy metrics): the tests compare each
# orchestrator's files with the learner's own logic, whatever it computes.

### REGION airflow_dag
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, DeltaDataIntervalTimetable

from streamrec_core import steps
from streamrec_core.storage import output_root

# Each step and the steps whose files it reads, in the order the step function takes their paths.
WIRING = {
    "raw_interactions": [],
    "validated_interactions": ["raw_interactions"],
    "training_features": ["validated_interactions"],
    "retrieval_model": ["training_features"],
    "ranking_model": ["training_features"],
    "retrieval_evaluation": ["retrieval_model", "training_features"],
    "ranking_evaluation": ["ranking_model", "training_features"],
    "registered_models": ["retrieval_evaluation", "ranking_evaluation"],
}
TRAINING = {"retrieval_model", "ranking_model"}


def run_step(step: str, inputs: list[str], ds: str, ti) -> str:
    """One shared step for the run's day (ds), fed the paths its upstream tasks returned."""
    paths = [ti.xcom_pull(task_ids=name) for name in inputs]
    return getattr(steps, step)(*paths, ds, output_root())


with DAG(
    dag_id="streamrec_training",
    schedule=DeltaDataIntervalTimetable(timedelta(days=1)),  # day D runs once D is over
    start_date=pendulum.datetime(2024, 6, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["streamrec", "m11"],
):
    operators = {}
    for name, inputs in WIRING.items():
        retry = {"retries": 2, "retry_delay": timedelta(seconds=5), "retry_exponential_backoff": 3.0} \
            if name in TRAINING else {}
        operators[name] = PythonOperator(task_id=name, python_callable=run_step,
                                         op_kwargs={"step": name, "inputs": inputs}, **retry)
        for upstream in inputs:
            operators[upstream] >> operators[name]

### REGION prefect_flow
import sys

import pendulum
from prefect import flow, task
from prefect.futures import wait

from streamrec_core import steps
from streamrec_core.storage import output_root as default_output_root

ORDER = ["raw_interactions", "validated_interactions", "training_features", "retrieval_model", "ranking_model",
         "retrieval_evaluation", "ranking_evaluation", "registered_models"]
INPUTS = {"validated_interactions": ["raw_interactions"], "training_features": ["validated_interactions"],
          "retrieval_model": ["training_features"], "ranking_model": ["training_features"],
          "retrieval_evaluation": ["retrieval_model", "training_features"],
          "ranking_evaluation": ["ranking_model", "training_features"],
          "registered_models": ["retrieval_evaluation", "ranking_evaluation"]}
TASKS = {name: task(getattr(steps, name), name=name,
                    **({"retries": 2, "retry_delay_seconds": [5, 15]} if name.endswith("_model") else {}))
         for name in ORDER}


@flow(name="streamrec-training")
def streamrec_training(day: str, output_root: str | None = None) -> dict[str, str]:
    """All eight tasks submitted at once; futures carry the paths and the dependencies."""
    day = pendulum.parse(day).to_date_string()
    root = output_root or default_output_root()
    futures = {}
    for name in ORDER:
        futures[name] = TASKS[name].submit(*[futures[i] for i in INPUTS.get(name, [])], day, root)
    wait(list(futures.values()))
    return {name: future.result() for name, future in futures.items()}


def backfill(start: str, end: str, output_root: str | None = None) -> dict[str, str]:
    """One named flow run per day of the range, oldest first; each day's final state."""
    states = {}
    for day in pendulum.interval(pendulum.parse(start), pendulum.parse(end)).range("days"):
        key = day.to_date_string()
        run = streamrec_training.with_options(flow_run_name=f"streamrec-training-{key}")
        states[key] = run(day=key, output_root=output_root, return_state=True).name
    return states


if __name__ == "__main__":
    print(backfill(*sys.argv[1:3]) if len(sys.argv) == 3 else streamrec_training(sys.argv[1]))

### REGION count_code_lines
def code_lines(text: str) -> int:
    """Lines holding a token of code; docstrings found as a string that is a whole logical line,
    first in a module or right after a def/class header."""
    import io
    import tokenize

    layout = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT,
              tokenize.ENDMARKER, tokenize.ENCODING)
    logical, lines = [], set()
    first_statement = True  # the next logical line may hold a docstring

    def close(tokens, may_be_doc):
        is_doc = may_be_doc and len(tokens) == 1 and tokens[0].type == tokenize.STRING
        if not is_doc:
            for tok in tokens:
                lines.update(range(tok.start[0], tok.end[0] + 1))
        head = [t.string for t in tokens[:2]]
        return bool(tokens) and (head[0] in ("def", "class") or head == ["async", "def"]) \
            and tokens[-1].string == ":"

    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NEWLINE:
            first_statement = close(logical, first_statement)
            logical = []
        elif tok.type not in layout:
            logical.append(tok)
    close(logical, first_statement)
    return len(lines)

### REGION count_category
def category(text: str) -> str:
    """The first framework (airflow, dagster, prefect) named by an import statement, else business logic."""
    import io
    import tokenize

    imported, previous, state = set(), None, None
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NEWLINE:
            state = None
        elif tok.type == tokenize.NAME and tok.string in ("import", "from") and previous in (None, "NEWLINE", "INDENT", "DEDENT", ":"):
            state = tok.string + "-module"
        elif state in ("import-module", "from-module"):
            if tok.type == tokenize.NAME:
                imported.add(tok.string)
            state = "import-rest" if state == "import-module" else "from-rest"
        elif state == "import-rest" and tok.string == ",":
            state = "import-module"
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tokenize.tok_name[tok.type] if tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) \
                else tok.string
    for framework in FRAMEWORKS:
        if framework in imported:
            return framework
    return "business_logic"

### REGION count_lines
import os

totals = dict.fromkeys(CATEGORIES, 0)
files = {}
for folder in FOLDERS:
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(f for f in filenames if f.endswith(".py")):
            full = os.path.join(dirpath, name)
            with open(full, encoding="utf-8") as handle:
                text = handle.read()
            kind, lines = category(text), code_lines(text)
            files[os.path.relpath(full, root).replace(os.sep, "/")] = {"category": kind, "lines": lines}
            totals[kind] += lines
return {"files": files, "totals": totals}

### REGION validate_interactions
events = raw.loc[~raw.duplicated(subset=["user_id", "item_id", "timestamp", "event"]), EVENT_COLUMNS]
order = np.argsort(events["timestamp"].to_numpy(), kind="stable")
return events.iloc[order].reset_index(drop=True)

### REGION split_by_time
position = np.empty(len(events), dtype=np.int64)
position[np.argsort(events["timestamp"].to_numpy(), kind="stable")] = np.arange(len(events))
cut = len(events) - int(np.ceil(len(events) * test_fraction))
return pd.Series(np.where(position < cut, "train", "test"), index=events.index, name="split")

### REGION build_training_features
events = validated.sort_values("timestamp", kind="stable").reset_index(drop=True)
events["split"] = split_by_time(events)
events["category"] = events["item_id"].map(dict(zip(items["item_id"], items["category"])))
train = events[events["split"] == "train"]
n_categories = max(int(items["category"].nunique()), 1)

def per(key, column, how):
    return events[key].map(train.groupby(key)[column].agg(how)).fillna(0.0).astype(float)

item_n, item_clicks = per("item_id", "clicked", "size"), per("item_id", "clicked", "sum")
user_n, user_clicks = per("user_id", "clicked", "size"), per("user_id", "clicked", "sum")
in_category = (events.merge(train.groupby(["user_id", "category"]).size().rename("n").reset_index(),
                            on=["user_id", "category"], how="left")["n"].fillna(0.0).to_numpy())
return pd.DataFrame({
    "user_id": events["user_id"].astype("int64"), "item_id": events["item_id"].astype("int64"),
    "timestamp": events["timestamp"], "clicked": events["clicked"].astype("int64"),
    "split": events["split"].astype(str),
    "item_popularity": item_n / max(len(train), 1),
    "item_ctr": (item_clicks + 1.0) / (item_n + 2.0),
    "user_activity": np.log1p(user_n),
    "user_ctr": (user_clicks + 1.0) / (user_n + 2.0),
    "category_affinity": (in_category + 1.0) / (user_n.to_numpy() + n_categories),
})

### REGION train_retrieval_model
train = features.loc[features["split"] == "train", ["user_id", "item_id"]].drop_duplicates()
users, user_index = np.unique(train["user_id"].to_numpy(), return_inverse=True)
item_ids, item_index = np.unique(train["item_id"].to_numpy(), return_inverse=True)
seen = np.zeros((len(users), len(item_ids)))
seen[user_index, item_index] = 1.0
counts = seen.T @ seen                        # users who interacted with both items
popularity = np.diag(counts).copy()
cosine = counts / np.sqrt(np.outer(popularity, popularity))
np.fill_diagonal(cosine, popularity)          # the diagonal keeps each item's popularity
rows = []
for i, item in enumerate(item_ids):
    order = np.lexsort((item_ids, -cosine[i]))
    keep = [j for j in order if cosine[i, j] > 0][:max_neighbors]
    if i not in keep:
        keep = keep[:-1] + [i] if len(keep) >= max_neighbors else keep + [i]
    rows += [(int(item), int(item_ids[j]), float(cosine[i, j])) for j in keep]
return pd.DataFrame(rows, columns=["item_id", "neighbor_id", "score"]).astype(
    {"item_id": "int64", "neighbor_id": "int64", "score": "float64"})

### REGION recommend
if k <= 0 or model.empty:
    return []
popularity = model.loc[model["item_id"] == model["neighbor_id"]].set_index("item_id")["score"]
mine = model[model["item_id"].isin(list(seen)) & (model["item_id"] != model["neighbor_id"])]
votes = mine.groupby("neighbor_id")["score"].sum()
votes = votes.add(popularity[popularity.index.isin(list(seen))] * 1.0, fill_value=0.0)
candidates = pd.Index(popularity.index).union(model["neighbor_id"].unique())
table = pd.DataFrame({"item": candidates, "votes": votes.reindex(candidates).fillna(0.0).to_numpy(),
                      "popularity": popularity.reindex(candidates).fillna(0.0).to_numpy()})
table = table.sort_values(["votes", "popularity", "item"], ascending=[False, False, True], kind="stable")
return table["item"].astype(int).head(k).tolist()

### REGION train_ranking_model
from sklearn.linear_model import LogisticRegression

train = features[features["split"] == "train"]
x = train[FEATURE_COLUMNS].to_numpy(dtype=float)
mean = x.mean(axis=0)
scale = x.std(axis=0)
scale[scale == 0] = 1.0
fitted = LogisticRegression(solver="liblinear", C=0.5).fit((x - mean) / scale, train["clicked"].to_numpy())
table = pd.DataFrame({"feature": [*FEATURE_COLUMNS, INTERCEPT],
                      "weight": [*map(float, fitted.coef_[0]), float(fitted.intercept_[0])],
                      "mean": [*map(float, mean), 0.0], "scale": [*map(float, scale), 1.0]})
return table

### REGION score_interactions
weights = dict(zip(model["feature"], zip(model["weight"], model["mean"], model["scale"])))
logit = np.full(len(features), weights[INTERCEPT][0])
for name, (weight, mean, scale) in weights.items():
    if name != INTERCEPT:
        logit = logit + weight * (features[name].to_numpy(dtype=float) - mean) / scale
return 1.0 / (1.0 + np.exp(-logit))

### REGION recall_at_k
relevant = np.unique(np.asarray(list(relevant)))
if relevant.size == 0:
    return 0.0
top = np.unique(np.asarray(list(recommended)[:k]))
return float(np.isin(relevant, top).sum()) / float(relevant.size)

### REGION ndcg_at_k
gains = np.asarray(list(relevances), dtype=float)
discounts = 1.0 / np.log2(np.arange(2, min(k, gains.size) + 2))
best = np.sort(gains)[::-1][:k] @ discounts
return float(gains[:k] @ discounts / best) if best > 0 else 0.0

### REGION evaluate_retrieval
train = features[features["split"] == "train"]
test = features[(features["split"] == "test") & (features["clicked"] == 1)]
recalls = []
for user in sorted(set(test["user_id"])):
    history = set(train.loc[train["user_id"] == user, "item_id"])
    clicked = set(test.loc[test["user_id"] == user, "item_id"])
    recalls.append(recall_at_k(recommend(model, history, k), clicked, k))
return pd.DataFrame({"k": [int(k)], "users": [len(recalls)], "recall_at_k": [float(np.mean(recalls)) if recalls else 0.0]})

### REGION evaluate_ranking
from sklearn.metrics import roc_auc_score

test = features[features["split"] == "test"].copy()
test["score"] = score_interactions(model, test)
values = []
for _, events in test.groupby("user_id"):
    labels = events["clicked"].to_numpy()
    if labels.min() == 0 and labels.max() == 1:
        order = np.argsort(-events["score"].to_numpy(), kind="stable")
        values.append(ndcg_at_k(labels[order].tolist(), k))
auc = float(roc_auc_score(test["clicked"], test["score"])) if test["clicked"].nunique() == 2 else 0.5
return pd.DataFrame({"k": [int(k)], "users": [len(values)],
                     "ndcg_at_k": [float(np.mean(values)) if values else 0.0], "auc": [auc]})

