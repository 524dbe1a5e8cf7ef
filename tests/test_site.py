"""The built docs site: leak-free, and usable in a real browser (Debian's Chromium driven by
playwright-core against the site served on loopback). `./course test` builds the site first."""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from autograder import catalog as cat
from autograder import site

BROWSER_DIR = Path(__file__).parent / "browser"
ARTIFACTS = cat.REPO / "build" / "artifacts"


@pytest.fixture(scope="module")
def built():
    index = cat.REPO / "build" / "site" / "index.html"
    if not index.exists():
        site.build()
    return cat.REPO / "build" / "site"


def test_the_site_has_a_page_per_exercise_chapter_pages_and_the_catalogue(built, course):
    for exercise in course.values():
        assert (built / "exercises" / exercise.key / "index.html").exists(), exercise.id
    assert (built / "exercises" / "index.html").exists()
    assert any((built / "chapters").glob("27.02_dags/index.html"))


def test_the_site_holds_no_solution_hidden_test_or_model_answer(built):
    assert site.leak_check(built) == []


def test_exercise_pages_show_points_but_no_solution(built, course):
    page = (built / "exercises" / "27.01" / "index.html").read_text()
    assert "graded by" in page and "autograded" in page
    assert "update_feature_store\", depends_on=[\"compute_features\"]" not in page


@pytest.fixture(scope="module")
def served(built):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None or not (BROWSER_DIR / "node_modules").exists(),
                    reason="needs Debian's chromium and `npm ci` in tests/browser (scripts/setup.sh does both as root)")
def test_a_reader_can_load_search_and_read_the_site_in_chromium(served):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["node", str(BROWSER_DIR / "check_site.mjs"), served, str(ARTIFACTS)],
                         capture_output=True, text=True, timeout=180)
    found = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    assert run.returncode == 0, (found, run.stderr[-2000:])
    assert "ML Pipeline Orchestration" in found["title"]
    assert any("chapters/" in href for href in found["search"]), found["search"]
    assert any("_files/" in src for src in found["chapterImages"]), "the chapter page shows no executed figure"
    assert "points" in found["exerciseHeaders"]
    assert (ARTIFACTS / "home.png").stat().st_size > 10_000
