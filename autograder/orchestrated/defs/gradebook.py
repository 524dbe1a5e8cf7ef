"""The class gradebook, built from every submission partition, and its checks.

``grades.csv`` and ``grades.json`` hold scores and statuses only (no timings, no paths, no run
ids), sorted by learner and assignment: the same grades give the same bytes, however the runs
that produced them went (interrupted, retried, rerun, on one machine or many).

The gradebook sensor rebuilds it when a grade is newer than the newest one the last gradebook
included (each gradebook records that in its metadata, ``grades_up_to``): no update is lost to a
race between a regrade and a gradebook being built.
"""

import csv
import io
import json
from pathlib import Path

import dagster as dg

from autograder import catalog as cat
from autograder.orchestrated.defs import grades
from autograder.orchestrated.defs.inbox import parse_key
from autograder.orchestrated.defs.settings import GradingSettings

GRADEBOOK_KEY = dg.AssetKey("gradebook")

GRADEBOOK_SENSOR_SECONDS = 15
MAX_STALE_SECONDS = 600
IN_PROGRESS = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
               dg.DagsterRunStatus.STARTED]


def latest_grade_id(instance: dg.DagsterInstance) -> int:
    """The storage id of the newest grade materialization (0: none yet)."""
    records = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=grades.GRADE_KEY),
                                              limit=1, ascending=False).records
    return records[0].storage_id if records else 0


def gradebook_state(instance: dg.DagsterInstance) -> tuple[int, float]:
    """(the newest grade the latest gradebook included, when that gradebook was made)."""
    records = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=GRADEBOOK_KEY),
                                              limit=1, ascending=False).records
    if not records:
        return -1, 0.0
    metadata = records[0].asset_materialization.metadata if records[0].asset_materialization else {}
    value = metadata.get("grades_up_to")
    return (int(value.value) if value is not None else -1), records[0].timestamp


def evaluate_gradebook(instance: dg.DagsterInstance, grade_job: str, now: float | None = None):
    """A gradebook run when a grade is newer than the latest gradebook includes, once no grading
    run is queued or running (or the gradebook is older than MAX_STALE_SECONDS: a busy class
    still gets a gradebook). The run key is the newest grade's id: each state is built once."""
    import time

    newest = latest_grade_id(instance)
    included, made = gradebook_state(instance)
    if newest <= included or newest == 0:
        return dg.SkipReason("the gradebook includes every grade")
    busy = instance.get_runs(filters=dg.RunsFilter(job_name=grade_job, statuses=IN_PROGRESS), limit=1)
    if busy and (now or time.time()) - made < MAX_STALE_SECONDS:
        return dg.SkipReason("submissions are being graded; the gradebook waits for them")
    return dg.RunRequest(run_key=f"gradebook@{newest}")


def build_gradebook_sensor(gradebook_job, grade_job: str) -> dg.SensorDefinition:
    @dg.sensor(name="gradebook_sensor", job=gradebook_job, minimum_interval_seconds=GRADEBOOK_SENSOR_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Rebuilds the gradebook (and checks it) when grades are newer than it.")
    def gradebook_sensor(context: dg.SensorEvaluationContext):
        return evaluate_gradebook(context.instance, grade_job)

    return gradebook_sensor


def build_rows(out: Path, keys: list[str]) -> list[dict]:
    """One row per registered submission; ``graded: false`` where no grade is stored yet."""
    rows = []
    for key in sorted(keys):
        learner, assignment = parse_key(key)
        path = grades.result_path(out, key)
        if not path.exists():
            rows.append({"key": key, "learner": learner, "assignment": assignment, "graded": False})
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        report = record["report"]
        rows.append({
            "key": key, "learner": learner, "assignment": assignment, "graded": True,
            "submission_digest": record["digest"],
            "auto_score": report["auto_score"], "auto_max": report["auto_max"],
            "manual_pending": report["manual_pending"],
            "problems": report["problems"],
            "exercises": grades.scores_only(report),
        })
    return rows


def render(rows: list[dict], catalog: dict[str, cat.Exercise]) -> tuple[str, str]:
    """(grades.csv, grades.json) text."""
    ids = sorted({e["id"] for r in rows if r["graded"] for e in r["exercises"]},
                 key=lambda i: list(catalog).index(i) if i in catalog else len(catalog))
    fields = ["learner", "assignment", "graded", "auto_score", "auto_max", "manual_pending"] + [f"ex_{i}" for i in ids]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = {k: row.get(k, "") for k in fields[:6]}
        flat.update({f"ex_{e['id']}": e["auto_score"] for e in row.get("exercises", [])})
        writer.writerow(flat)
    book = {"exercises": ids, "learners": rows}
    return buffer.getvalue(), json.dumps(book, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write_gradebook(out: Path, keys: list[str], catalog: dict[str, cat.Exercise]) -> list[dict]:
    rows = build_rows(out, keys)
    csv_text, json_text = render(rows, catalog)
    grades._write(out / "grades.csv", csv_text)
    grades._write(out / "grades.json", json_text)
    return rows


def read_gradebook(out: Path) -> list[dict]:
    return json.loads((out / "grades.json").read_text(encoding="utf-8"))["learners"]


# -- the checks, as plain functions ------------------------------------------------------------
def missing_learners(rows: list[dict], expected_keys: list[str]) -> list[str]:
    """Registered submissions without a graded row in the gradebook."""
    graded = {r["key"] for r in rows if r.get("graded")}
    return sorted(set(expected_keys) - graded)


def out_of_range(rows: list[dict], catalog: dict[str, cat.Exercise]) -> list[str]:
    """Scores outside 0..max, maxima that are not the catalogue's, totals that do not add up."""
    problems = []
    for row in rows:
        if not row.get("graded"):
            continue
        who = row["key"]
        total = total_max = 0
        for ex in row["exercises"]:
            exercise = catalog.get(ex["id"])
            if exercise is None:
                problems.append(f"{who}: {ex['id']} is not in the catalogue")
                continue
            if ex["auto_max"] != exercise.auto_points:
                problems.append(f"{who}: {ex['id']} max {ex['auto_max']} is not the catalogue's {exercise.auto_points}")
            if not 0 <= ex["auto_score"] <= ex["auto_max"]:
                problems.append(f"{who}: {ex['id']} score {ex['auto_score']} is outside 0..{ex['auto_max']}")
            for part in ex["parts"]:
                if not 0 <= part["score"] <= part["max_score"]:
                    problems.append(f"{who}: {ex['id']} ({part['id']}) score {part['score']} is outside "
                                    f"0..{part['max_score']}")
            total += ex["auto_score"]
            total_max += ex["auto_max"]
        if row["auto_score"] != total or row["auto_max"] != total_max or not 0 <= row["auto_score"] <= row["auto_max"]:
            problems.append(f"{who}: total {row['auto_score']}/{row['auto_max']} is not the sum of its exercises "
                            f"({total}/{total_max}) or is out of range")
    return problems


# -- Dagster definitions ------------------------------------------------------------------------
@dg.asset(
    key=GRADEBOOK_KEY,
    deps=[grades.GRADE_KEY],
    group_name="grading",
    kinds={"csv", "json"},
    description="The class gradebook: one row per learner and assignment (grades.csv, grades.json).",
)
def gradebook(context: dg.AssetExecutionContext, grading_settings: GradingSettings) -> dg.MaterializeResult:
    up_to = latest_grade_id(context.instance)  # read first: every grade up to it is on disk
    keys = context.instance.get_dynamic_partitions(grades.SUBMISSIONS.name)
    out = grading_settings.out_path
    rows = write_gradebook(out, keys, grading_settings.catalog())
    graded = [r for r in rows if r["graded"]]
    return dg.MaterializeResult(metadata={
        "grades_up_to": up_to,
        "submissions": len(rows), "graded": len(graded), "not_graded": len(rows) - len(graded),
        "mean_auto_score": round(sum(r["auto_score"] for r in graded) / len(graded), 2) if graded else 0.0,
        "grades_csv": dg.MetadataValue.path(str(out / "grades.csv")),
        "grades_json": dg.MetadataValue.path(str(out / "grades.json")),
    })


@dg.asset_check(asset=GRADEBOOK_KEY, description="Every registered submission has a graded row.")
def gradebook_has_every_learner(context: dg.AssetCheckExecutionContext,
                                grading_settings: GradingSettings) -> dg.AssetCheckResult:
    expected = context.instance.get_dynamic_partitions(grades.SUBMISSIONS.name)
    try:
        rows = read_gradebook(grading_settings.out_path)
    except (OSError, ValueError, KeyError) as exc:
        return dg.AssetCheckResult(passed=False, metadata={"error": f"{type(exc).__name__}: {exc}"})
    missing = missing_learners(rows, expected)
    return dg.AssetCheckResult(passed=not missing, metadata={
        "expected": len(expected), "missing": len(missing), "missing_keys": ", ".join(missing[:50])})


@dg.asset_check(asset=GRADEBOOK_KEY, description="Every score is within 0..max, maxima are the catalogue's.")
def gradebook_scores_in_bounds(grading_settings: GradingSettings) -> dg.AssetCheckResult:
    try:
        rows = read_gradebook(grading_settings.out_path)
    except (OSError, ValueError, KeyError) as exc:
        return dg.AssetCheckResult(passed=False, metadata={"error": f"{type(exc).__name__}: {exc}"})
    problems = out_of_range(rows, grading_settings.catalog())
    return dg.AssetCheckResult(passed=not problems, metadata={
        "problems": len(problems), "first_problems": "\n".join(problems[:20])})
