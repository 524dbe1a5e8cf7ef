"""Where submissions arrive and where grades go: one resource, read from the environment.

| variable | default | meaning |
| --- | --- | --- |
| ``AUTOGRADER_INBOX`` | ``out/orchestrated/inbox`` | the watched folder |
| ``AUTOGRADER_INBOX_LAYOUT`` | ``folders`` | ``folders``: ``<learner>/`` (or ``<learner>.zip``, ``<learner>.ipynb``) per learner; ``nbgrader``: an exchange, ``<course>/inbound/<learner>+<assignment>+<timestamp>/`` |
| ``AUTOGRADER_ASSIGNMENT`` | ``course`` | the assignment name of a ``folders`` submission |
| ``AUTOGRADER_NBGRADER_COURSE`` | (any) | only this course of the exchange |
| ``AUTOGRADER_EXERCISES`` | (all ready) | comma-separated exercise ids to grade |
| ``AUTOGRADER_ORCHESTRATED_OUT`` | ``out/orchestrated`` | feedback, results and gradebook |
"""

import os
from pathlib import Path

import dagster as dg

from autograder import catalog as cat

LAYOUTS = ("folders", "nbgrader")
DEFAULT_ROOT = cat.REPO / "out" / "orchestrated"


class GradingSettings(dg.ConfigurableResource):
    """The inbox the sensor watches, its layout, the exercises graded, and the output folder."""

    inbox: str
    out: str
    layout: str = "folders"
    assignment: str = "course"
    course: str | None = None
    exercises: list[str] | None = None

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "GradingSettings":
        env = os.environ if environ is None else environ
        exercises = [e.strip() for e in env.get("AUTOGRADER_EXERCISES", "").split(",") if e.strip()]
        return cls(
            inbox=env.get("AUTOGRADER_INBOX", str(DEFAULT_ROOT / "inbox")),
            out=env.get("AUTOGRADER_ORCHESTRATED_OUT", str(DEFAULT_ROOT)),
            layout=env.get("AUTOGRADER_INBOX_LAYOUT", "folders"),
            assignment=env.get("AUTOGRADER_ASSIGNMENT", "course"),
            course=env.get("AUTOGRADER_NBGRADER_COURSE") or None,
            exercises=exercises or None,
        )

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox)

    @property
    def out_path(self) -> Path:
        return Path(self.out)

    def checked(self) -> "GradingSettings":
        if self.layout not in LAYOUTS:
            raise ValueError(f"the inbox layout is {self.layout!r}; use one of {', '.join(LAYOUTS)}")
        return self

    def catalog(self) -> dict[str, cat.Exercise]:
        return cat.load_catalog()

    def exercise_ids(self, catalog: dict[str, cat.Exercise], assignment: str,
                     answered: list[str]) -> list[str] | None:
        """The exercises a submission to ``assignment`` is graded on.

        ``folders``: the configured exercises, else None (every ready exercise, exactly as
        ``autograder grade FOLDER`` does). ``nbgrader``: the ready exercises of the nbgrader
        assignment of that name (``autograder nbgrader build``'s grouping), else, for an
        assignment of the instructor's own naming, the ready exercises the notebooks answer;
        within the configured exercises, if any.
        """
        wanted = [cat.get(i, catalog).id for i in self.exercises] if self.exercises else None
        if self.layout == "nbgrader":
            from autograder.nbgrader import assignment_of

            mine = [e.id for e in catalog.values() if e.ready and assignment_of(e) == assignment]
            mine = mine or [i for i in catalog if i in answered and catalog[i].ready]
            return [i for i in mine if wanted is None or i in wanted]
        return [i for i in wanted if catalog[i].ready] if wanted else None
