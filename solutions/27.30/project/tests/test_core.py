"""The shared steps, with no orchestrator at all: plain function calls on a seeded day."""
### BEGIN SOLUTION core_tests
import subprocess
import sys

import pandas as pd
import pytest
from pipelinekit import ContractViolation

from streamrec_core import steps
from streamrec_core.storage import TABLES, output_path, read_table

from .conftest import DAY, ROOT


def run_day(day, root):
    raw = steps.raw_interactions(day, root)
    validated = steps.validated_interactions(raw, day, root)
    features = steps.training_features(validated, day, root)
    retrieval, ranking = steps.retrieval_model(features, day, root), steps.ranking_model(features, day, root)
    return steps.registered_models(steps.retrieval_evaluation(retrieval, features, day, root),
                                   steps.ranking_evaluation(ranking, features, day, root), day, root)


def test_a_day_writes_one_file_per_table_under_its_partition(output_root):
    run_day(DAY, str(output_root))
    for table in TABLES:
        assert output_path(str(output_root), table, DAY).is_file()
    raw = read_table(output_path(str(output_root), "raw_interactions", DAY))
    validated = read_table(output_path(str(output_root), "validated_interactions", DAY))
    assert len(validated) < len(raw)  # the export delivers some events twice
    assert set(validated["timestamp"].dt.date.astype(str)) == {DAY}


def test_rerunning_a_day_rewrites_the_same_files(output_root):
    run_day(DAY, str(output_root))
    first = {t: output_path(str(output_root), t, DAY).read_bytes() for t in TABLES}
    run_day(DAY, str(output_root))
    assert {t: output_path(str(output_root), t, DAY).read_bytes() for t in TABLES} == first


def test_a_broken_export_is_stopped_before_it_is_written(output_root, broken_export):
    with pytest.raises(ContractViolation, match="user_id"):
        steps.raw_interactions(broken_export, str(output_root))
    assert not output_path(str(output_root), "raw_interactions", broken_export).exists()


def test_registration_follows_the_gates(output_root):
    decisions = pd.read_csv(run_day(DAY, str(output_root)))
    assert list(decisions["model"]) == ["retrieval", "ranking"]
    assert (decisions["registered"] == (decisions["value"] >= decisions["threshold"])).all()


def test_the_core_imports_no_orchestrator():
    code = ("import sys, streamrec_core.steps; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'airflow', 'dagster', 'prefect'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""})
    assert out.stdout.strip() == "[]"
### END SOLUTION
### BEGIN STARTER
# # (d) tests of the shared steps with no orchestrator: a day's files, a rerun, a broken export ...
### END STARTER
