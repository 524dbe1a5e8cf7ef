"""The grading project's definitions, assembled from the modules of this package.

:func:`build_definitions` is what ``definitions.py`` calls with the environment's settings; tests
call it with their own (a temporary inbox, a fast retry policy, one executor or another).
"""
from __future__ import annotations

import dagster as dg

from autograder.orchestrated.defs.executors import select_executor
from autograder.orchestrated.defs.gradebook import (GRADEBOOK_KEY, build_gradebook_sensor, gradebook,
                                                    gradebook_has_every_learner, gradebook_scores_in_bounds)
from autograder.orchestrated.defs.grades import GRADE_KEY, GRADE_RETRY_POLICY, build_grade_asset
from autograder.orchestrated.defs.sensors import build_submission_sensor
from autograder.orchestrated.defs.settings import GradingSettings

GRADE_JOB = "grade_submissions"
GRADEBOOK_JOB = "build_gradebook"
CHECKS_JOB = "check_gradebook"


def build_definitions(settings: GradingSettings | None = None, executor: str | None = None,
                      retry_policy: dg.RetryPolicy = GRADE_RETRY_POLICY) -> dg.Definitions:
    settings = (settings or GradingSettings.from_env()).checked()
    grade = build_grade_asset(retry_policy)
    grade_job = dg.define_asset_job(
        GRADE_JOB, selection=dg.AssetSelection.assets(GRADE_KEY),
        description="Grade one submission (one partition) and write its feedback.")
    gradebook_job = dg.define_asset_job(
        GRADEBOOK_JOB, selection=dg.AssetSelection.assets(GRADEBOOK_KEY),
        description="Rebuild the class gradebook from every graded submission, and check it.")
    checks_job = dg.define_asset_job(
        CHECKS_JOB, selection=dg.AssetSelection.checks_for_assets(GRADEBOOK_KEY),
        description="Check the gradebook as it is on disk, without rebuilding it.")
    return dg.Definitions(
        assets=[grade, gradebook],
        asset_checks=[gradebook_has_every_learner, gradebook_scores_in_bounds],
        jobs=[grade_job, gradebook_job, checks_job],
        sensors=[build_submission_sensor(grade_job), build_gradebook_sensor(gradebook_job, GRADE_JOB)],
        resources={"grading_settings": settings},
        executor=select_executor(executor),
    )


__all__ = ["CHECKS_JOB", "GRADE_JOB", "GRADEBOOK_JOB", "GradingSettings", "build_definitions"]
