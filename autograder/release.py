"""``autograder release OUT``: the learner bundle, built from an allow-list (never by deleting
from a copy): chapters, exercises with their visible tests, the grader package, the set-up files,
and a README with the two commands a learner needs. The leak check runs on the result."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder import catalog as cat
from autograder import leaks

ALLOW = [
    ("pyproject.toml", "pyproject.toml"),
    ("requirements.lock", "requirements.lock"),
    ("scripts/setup.sh", "scripts/setup.sh"),
]
ALLOW_GLOBS = [
    ("chapters", "*.ipynb"),
    ("chapters/pipelinekit", "*.py"),
    ("autograder", "*.py"),
]

README = """# ML Pipeline Orchestration: learner bundle

Two commands, on a machine with Python 3.11:

```bash
./course setup   # create .venv with the course's exact package versions (a few minutes, once)
./course lab     # open JupyterLab on the chapters and exercises
```

Read the chapters in `chapters/`, work the exercises in `exercises/`, and run the last cell of
each exercise notebook, `check("27.4")`, to try its visible tests. From a shell:
`.venv/bin/autograder check 27.4 exercises/<notebook>.ipynb`. Your instructor's grader also runs
hidden tests; submit your `exercises/` folder (or a zip of it) as your instructor tells you.
"""

COURSE = """#!/usr/bin/env bash
# ./course setup | ./course lab
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-help}" in
  setup) ./scripts/setup.sh ;;
  lab) ./scripts/setup.sh && exec .venv/bin/jupyter lab --notebook-dir=. ;;
  *) echo "usage: ./course setup | ./course lab" >&2; exit 2 ;;
esac
"""


def release(out: Path) -> list[str]:
    """Write the bundle into ``out`` (replacing it); return the leaks found (empty: clean)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for src, dst in ALLOW:
        target = out / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cat.REPO / src, target)
    for folder, pattern in ALLOW_GLOBS:
        for path in sorted((cat.REPO / folder).glob(pattern)):
            target = out / folder / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    shutil.copytree(cat.EXERCISES, out / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    (out / "README.md").write_text(README)
    (out / "course").write_text(COURSE)
    (out / "course").chmod(0o755)
    return leaks.scan(out, cat.load_catalog())
