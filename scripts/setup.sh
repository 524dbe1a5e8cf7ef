#!/usr/bin/env bash
# Set up everything the course needs, idempotently: a virtual environment in .venv with the
# locked dependencies, the course packages installed in editable mode, and (when run as root
# on Debian) the system packages the sandbox uses. A second run with an unchanged lock file
# does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
VENV=".venv"
UV_VERSION="0.13.8"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        PYTHON=python3
    else
        echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
        exit 2
    fi
fi

# System packages: bubblewrap for the grading sandbox. Optional: the grader falls back to
# process isolation (with a warning) where it is missing.
# and Chromium for the docs site's browser test (developers and CI only).
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing from Debian's packages:$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
        || say "could not install$missing; grading falls back to process isolation, the browser test is skipped"
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi

stamp="$VENV/.lock-$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    say "installing locked dependencies (first run: a few minutes)"
    "$VENV/bin/python" -m pip install -q "uv==$UV_VERSION"
    "$VENV/bin/uv" pip sync -q --python "$VENV/bin/python" requirements.lock
    "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" --no-deps -e .
    "$VENV/bin/python" -m pip check
    rm -f "$VENV"/.lock-*
    touch "$stamp"
else
    say "dependencies up to date ($VENV)"
fi

# The Airflow metadata DB template (made once per machine; grading copies it in milliseconds).
"$VENV/bin/python" -m autograder.services prepare >/dev/null

# The browser test's driver (playwright-core; Chromium itself comes from Debian, never downloaded).
if [ -f tests/browser/package-lock.json ] && command -v npm >/dev/null 2>&1 && [ ! -d tests/browser/node_modules ]; then
    say "installing the browser test's driver (npm ci)"
    (cd tests/browser && npm ci --no-audit --no-fund --silent) || say "npm ci failed; the browser test will be skipped"
fi
