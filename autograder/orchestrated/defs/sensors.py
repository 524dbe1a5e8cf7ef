"""The sensor that grades on submit.

Every few seconds it scans the inbox. A submission it has not seen, or whose files' content hash
changed, is registered as a dynamic partition (if new) and gets a run request for just that
partition. The cursor remembers, per submission, a cheap signature, the content hash and a
revision number; the run key ``<key>@<revision>`` makes each change graded once, even if a tick
is retried, while a learner who goes back to an earlier version is still regraded.
"""

import json

import dagster as dg

from autograder.orchestrated.defs import inbox
from autograder.orchestrated.defs.grades import SUBMISSIONS
from autograder.orchestrated.defs.settings import GradingSettings

SENSOR_INTERVAL_SECONDS = 5


def evaluate(settings: GradingSettings, cursor: str | None, known_keys: set[str]) -> dg.SensorResult:
    """One tick: the run requests, the partitions to add and the new cursor."""
    settings = settings.checked()
    seen: dict[str, dict] = json.loads(cursor) if cursor else {}
    found = inbox.scan(settings.inbox_path, settings.layout, settings.assignment, settings.course)
    requests, new_keys, state = [], [], {}
    for key, sub in found.items():
        previous = seen.get(key)
        sig = inbox.signature(sub.path)
        if previous and previous["sig"] == sig:
            state[key] = previous
            continue
        digest = inbox.content_digest(sub.path)
        if previous and previous["digest"] == digest:  # touched, or submitted again unchanged
            state[key] = {**previous, "sig": sig}
            continue
        revision = previous["rev"] + 1 if previous else 1
        state[key] = {"sig": sig, "digest": digest, "rev": revision}
        if key not in known_keys:
            new_keys.append(key)
        requests.append(dg.RunRequest(
            run_key=f"{key}@{revision}",
            partition_key=key,
            tags={"autograder/submission": key, "autograder/learner": sub.learner,
                  "autograder/assignment": sub.assignment, "autograder/digest": digest[:16],
                  "autograder/revision": str(revision)},
        ))
    # Submissions that left the inbox are forgotten (their grades stay); back again, they are regraded.
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[SUBMISSIONS.build_add_request(new_keys)] if new_keys else [],
        cursor=json.dumps(state, sort_keys=True, separators=(",", ":")),
    )


def build_submission_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(
        name="submissions_sensor",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Registers each new or changed submission in the inbox as a partition and grades it.",
    )
    def submissions_sensor(context: dg.SensorEvaluationContext, grading_settings: GradingSettings):
        known = set(context.instance.get_dynamic_partitions(SUBMISSIONS.name))
        result = evaluate(grading_settings, context.cursor, known)
        if result.run_requests:
            context.log.info(f"grading {len(result.run_requests)} new or changed submission(s): "
                             + ", ".join(r.partition_key for r in result.run_requests[:20]))
        return result

    return submissions_sensor
