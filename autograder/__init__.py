"""The course's autograder: sandboxed grading of exercise notebooks and projects.

``from autograder import check`` gives learners the visible tests of an exercise in a notebook.
Kept light: importing the package must not import pytest or the grading engine.
"""
__version__ = "0.1.0"


def check(exercise_id: str, path=None):
    """Run the visible tests of an exercise against this notebook's code (see autograder.check)."""
    import os
    import sys

    if os.environ.get("AUTOGRADER_WORKER"):
        return None  # inside the grading sandbox a notebook's own check() call does nothing

    from autograder.check import check as _check

    return _check(exercise_id, path, namespace=sys._getframe(1).f_globals if path is None else None)


__all__ = ["check", "__version__"]
