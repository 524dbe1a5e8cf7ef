"""The per-submission grade: the existing grader, run on one partition, feedback written at once.

What is retried and what is not, explicitly:

- A learner's failing test, error, timeout, crash, ``os._exit`` or garbage output is a **graded
  result** (the grader turns each into a zero with a reason). It is written as feedback and the
  step succeeds: never retried, because a retry would grade the same files the same way.
- The grader reporting that its own infrastructure failed (its runner's ``infra_error`` event,
  marked ``infrastructure_failure`` in the exercise's result), or the grading machinery failing with
  an operating-system error (out of processes, of file descriptors, of disk), raises
  :class:`InfrastructureFailure`, which the asset's :data:`GRADE_RETRY_POLICY` retries with
  exponential backoff.
- Anything else the grader raises is a bug of the course, not a passing fault: the step fails
  with ``Failure(allow_retries=False)``, and the run shows the traceback to the instructor.
"""

import hashlib
import json
import tempfile
from pathlib import Path

import dagster as dg

from autograder import grading, reports
from autograder.catalog import Exercise
from autograder.orchestrated.defs import inbox
from autograder.orchestrated.defs.settings import GradingSettings

SUBMISSIONS = dg.DynamicPartitionsDefinition(name="submissions")
GRADE_KEY = dg.AssetKey("submission_grade")

GRADE_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
"""Infrastructure failures only: waits about 5, 15 and 35 s (±5 s of jitter) between attempts."""


class InfrastructureFailure(Exception):
    """Grading could not run for reasons that are not the learner's: worth retrying later."""


def infrastructure_failures(report: dict) -> list[str]:
    """The exercises of a report whose grading the grader says failed on its own side (the
    runner's ``infra_error`` event, which learner code cannot send: it writes to a pipe the
    sandboxed worker never holds)."""
    return [ex["id"] for ex in report["exercises"] if ex.get("infrastructure_failure")]


def grade_files(path: Path, catalog: dict[str, Exercise], only: list[str] | None) -> dict:
    """``autograder grade PATH [--exercise ...]``, with every outcome sorted into graded result,
    infrastructure failure (raised, retried) or grader bug (raised, not retried)."""
    from autograder.services import ServiceError

    try:
        report = grading.grade_submission(path, catalog, only=only)
    except grading.SubmissionError as exc:  # the learner's upload cannot be read: graded zero
        exercises = [grading.score(catalog[i], [], {}, fatal=str(exc), fatal_status="failed")
                     for i in (only or [])]
        report = {"submission": str(path), "problems": [str(exc)], "exercises": exercises, "seconds": 0.0,
                  **{k: sum(e[k] for e in exercises) for k in
                     ("score", "max_score", "auto_score", "auto_max", "manual_pending")}}
    except (ServiceError, OSError) as exc:
        raise InfrastructureFailure(f"grading could not run: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a grader bug: fail now, no retry
        raise dg.Failure(description=f"the grader failed ({type(exc).__name__}: {exc}); "
                                     "this is a bug of the course, not of the submission",
                         allow_retries=False) from exc
    failed = infrastructure_failures(report)
    if failed:
        raise InfrastructureFailure(f"the grader's services failed to start for {', '.join(failed)}; "
                                    "nothing of the learner's was run")
    return report


def answered_exercises(path: Path) -> list[str]:
    try:
        with grading.Submission(path) as sub:
            return sorted({**sub.notebooks, **sub.projects})
    except grading.SubmissionError:
        return []


# -- where results go ---------------------------------------------------------------------------
def result_path(out: Path, key: str) -> Path:
    return out / "results" / f"{key}.json"


def feedback_dir(out: Path, learner: str, assignment: str) -> Path:
    return out / "feedback" / learner / assignment


def _write(path: Path, text: str) -> None:
    from pipelinekit import idempotent_write  # the course's own atomic write

    idempotent_write(path, text)


def scores_only(report: dict) -> list[dict]:
    """The part of a report that is the grade: scores and statuses per test, no timings, no text."""
    return [{
        "id": ex["id"], "auto_score": ex["auto_score"], "auto_max": ex["auto_max"],
        "manual_pending": ex["manual_pending"],
        "parts": [{"id": p["id"], "kind": p["kind"], "score": p["score"], "max_score": p["max_score"],
                   "status": p["status"],
                   "tests": [{"name": t["name"], "score": t["score"], "max_score": t["max_score"],
                              "status": t["status"]} for t in p["tests"]]} for p in ex["parts"]],
    } for ex in report["exercises"]]


def write_feedback(out: Path, learner: str, assignment: str, key: str, digest: str, report: dict) -> Path:
    """The learner's feedback (Markdown, JSON, Gradescope, as ``grade-class`` writes them) and the
    trusted record the gradebook is built from. Each file is replaced atomically."""
    folder = feedback_dir(out, learner, assignment)
    _write(folder / "report.md", reports.to_markdown(report))
    _write(folder / "report.json", reports.to_json(report))
    _write(folder / "results.json", reports.to_gradescope(report))
    record = {"key": key, "learner": learner, "assignment": assignment, "digest": digest, "report": report}
    _write(result_path(out, key), json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return folder


def grade_partition(settings: GradingSettings, key: str, log=None) -> dict:
    """Grade one submission (partition ``key``) and write its feedback; return its record."""
    learner, assignment = inbox.parse_key(key)
    settings = settings.checked()
    sub = inbox.locate(settings.inbox_path, settings.layout, learner, assignment, settings.assignment,
                       settings.course)
    if sub is None:
        raise dg.Failure(description=f"no submission for {learner} ({assignment}) is in the inbox "
                                     f"{settings.inbox} any more", allow_retries=False)
    catalog = settings.catalog()
    with tempfile.TemporaryDirectory(prefix="autograder-orchestrated-") as tmp:
        files = inbox.snapshot(sub, Path(tmp))
        digest = inbox.content_digest(files)
        only = settings.exercise_ids(catalog, assignment, answered_exercises(files))
        if log:
            log.info(f"grading {learner} ({assignment}), files {digest[:12]}, exercises: {only or 'every ready one'}")
        report = grade_files(files, catalog, only)
    report["submission"] = learner if settings.layout == "folders" else f"{learner} ({assignment})"
    report["assignment"] = assignment
    folder = write_feedback(settings.out_path, learner, assignment, key, digest, report)
    return {"key": key, "learner": learner, "assignment": assignment, "digest": digest, "report": report,
            "feedback": folder}


def build_grade_asset(retry_policy: dg.RetryPolicy = GRADE_RETRY_POLICY) -> dg.AssetsDefinition:
    @dg.asset(
        key=GRADE_KEY,
        partitions_def=SUBMISSIONS,
        retry_policy=retry_policy,
        pool="grading",
        group_name="grading",
        kinds={"python"},
        description="One learner's submission to one assignment, graded by the course's sandboxed grader; "
                    "writes the learner's feedback (Markdown, JSON, Gradescope) as soon as it is done.",
    )
    def submission_grade(context: dg.AssetExecutionContext, grading_settings: GradingSettings) -> dg.MaterializeResult:
        record = grade_partition(grading_settings, context.partition_key, context.log)
        report = record["report"]
        graded = json.dumps(scores_only(report), sort_keys=True)
        return dg.MaterializeResult(
            metadata={
                "learner": record["learner"], "assignment": record["assignment"],
                "auto_score": report["auto_score"], "auto_max": report["auto_max"],
                "manual_pending": report["manual_pending"],
                "per_exercise": {e["id"]: f"{e['auto_score']:g}/{e['auto_max']:g}" for e in report["exercises"]},
                "problems": len(report["problems"]),
                "submission_digest": record["digest"],
                "feedback": dg.MetadataValue.path(str(record["feedback"])),
                "report": dg.MetadataValue.md(reports.to_markdown(report)),
            },
            data_version=dg.DataVersion(hashlib.sha256(graded.encode()).hexdigest()[:24]),
        )

    return submission_grade
