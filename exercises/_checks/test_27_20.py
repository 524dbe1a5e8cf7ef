# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.20: they check the form of your class and of its record, not the
values recorded (the hidden tests check those against real git, Delta, MLflow and Dagster stores)."""
from autograder.testing import expect, graded

METHODS = ["record_input_table", "link_model_run", "to_dict", "log_to_mlflow", "dagster_metadata"]
KEYS = ["pipeline_name", "run_id", "git_sha", "input_tables", "model_runs", "mlflow_run_id"]


def fresh_record(ns):
    """Create a tracker on a one-commit repository and an empty tracking store; return its record's form."""
    import inspect
    import os
    import shutil
    import subprocess
    import tempfile

    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"  # the grader's sandbox cannot read /etc/gitconfig
    cls = ns.PipelineRunMetadata
    form = {"methods": [m for m in ["record_input_table", "link_model_run", "to_dict", "log_to_mlflow",
                                    "dagster_metadata"] if callable(getattr(cls, m, None))],
            "n_arguments": len(inspect.signature(cls.__init__).parameters) - 1}
    root = tempfile.mkdtemp(prefix="t2720-visible-")
    try:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": root, "GIT_CONFIG_GLOBAL": os.devnull,
               "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b.c", "GIT_COMMITTER_NAME": "a",
               "GIT_COMMITTER_EMAIL": "a@b.c"}
        with open(os.path.join(root, "train.py"), "w") as fh:
            fh.write("EPOCHS = 10\n")
        for args in (["init", "--quiet"], ["add", "."], ["commit", "--quiet", "-m", "first"]):
            subprocess.run(["git", "-C", root, *args], env=env, check=True, capture_output=True)
        # A file store is made in no time (a new SQLite store first creates its tables); MLflow 3
        # opens one only when allowed to.
        previous = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
        try:
            tracker = cls("streamrec_training", "visible-check", root, "file://" + os.path.join(root, "mlruns"))
            record = tracker.to_dict()
        finally:
            if previous is None:
                os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)
            else:
                os.environ["MLFLOW_ALLOW_FILE_STORE"] = previous
        form["record_type"] = type(record).__name__
        form["keys"] = sorted(record) if isinstance(record, dict) else []
        sha = record.get("git_sha") if isinstance(record, dict) else None
        form["sha_length"] = len(sha) if isinstance(sha, str) else None
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return form


@graded("a", points=0, hint="PipelineRunMetadata(pipeline_name, run_id, code_dir, tracking_uri) builds "
                            "a tracker whose to_dict() holds the six keys of the statement.")
def test_a_new_tracker_gives_a_record_with_the_six_keys(sub):
    got = sub.run(fresh_record, timeout=120)
    missing = [m for m in METHODS if m not in got["methods"]]
    expect(not missing, f"PipelineRunMetadata has no method {', '.join(missing)}")
    expect(got["record_type"] == "dict", f"to_dict() returned a {got['record_type']}, not a dict")
    absent = [k for k in KEYS if k not in got["keys"]]
    expect(not absent, f"the record has no key {', '.join(absent)}")
    expect(got["sha_length"] == 40, "`git_sha` should be the full SHA, 40 characters")
