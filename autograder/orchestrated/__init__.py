"""Grade on submit, orchestrated: the class grading pipeline as a Dagster project.

``definitions.py`` exposes ``defs`` (``dagster dev -m autograder.orchestrated.definitions``, or
``dagster dev`` at the repository root, which reads ``[tool.dg]`` in pyproject.toml). The
definitions live in ``defs/``:

- ``settings``: where the inbox and the outputs are (a resource, from ``AUTOGRADER_*`` variables);
- ``inbox``: the two inbox layouts, and the content hash that tells a changed submission;
- ``sensors``: the sensor that registers each submission as a dynamic partition and requests
  a grading run for just the new or changed ones;
- ``grades``: the per-submission grade asset (the existing grader, unchanged) that writes the
  learner's feedback, and its retry policy (infrastructure failures only);
- ``gradebook``: the class gradebook (CSV, JSON), its asset checks, and the sensor that rebuilds
  it when grades are newer than it;
- ``executors``: multiprocess locally, Kubernetes jobs or Celery on a cluster, by configuration.

The grader itself (``autograder.grading``) is called through its public functions only.
"""
