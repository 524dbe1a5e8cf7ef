"""The learner bundle: allow-listed, leak-free, and working on its own in a fresh environment."""
from __future__ import annotations

import os
import subprocess

import pytest

from autograder import catalog as cat
from autograder.release import release


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "course"
    assert release(out) == []
    return out


def test_the_bundle_holds_no_solution_no_hidden_test_and_no_project_test(bundle):
    names = [p.relative_to(bundle) for p in bundle.rglob("*")]
    assert not any(p.parts[0] in ("solutions", "tests", "benchmarks", ".ci", "site") for p in names)
    assert not any("hidden" in p.name for p in names)
    assert (bundle / "exercises" / "_checks").is_dir() and (bundle / "exercises" / "catalog.json").exists()


def test_the_bundle_readme_gives_the_two_setup_commands(bundle):
    text = (bundle / "README.md").read_text()
    assert "./course setup" in text and "./course lab" in text


@pytest.mark.slow
def test_check_runs_the_visible_tests_in_a_fresh_environment_made_from_the_bundle_alone(bundle):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    setup = subprocess.run(["./course", "setup"], cwd=bundle, env=env, capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    python = bundle / ".venv" / "bin" / "python"
    notebook = next((bundle / "exercises").glob("27.04_*.ipynb"))
    code = ("from autograder import check, catalog\n"
            "assert str(catalog.REPO) == %r, catalog.REPO\n"
            "result = check('27.4', %r)\n"
            "print(repr(result))\n"
            "assert result.tests and result.passed == 0\n"
            "assert len(catalog.load_catalog()) == 35\n") % (str(bundle), str(notebook))
    run = subprocess.run([str(python), "-c", code], cwd=bundle, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "visible tests pass" in run.stdout
    assert not list(bundle.rglob("test_hidden*.py"))
