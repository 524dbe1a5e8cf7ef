"""Lines of framework code against lines of business logic, measured on the project's own files.

Usage: ``python scripts/count_lines.py [PROJECT_ROOT]`` prints one line per file and a total per
category; ``count_lines(root)`` returns the same numbers (the README pins the rules).
"""
from __future__ import annotations

import sys
from pathlib import Path

CATEGORIES = ("business_logic", "airflow", "dagster", "prefect")
FRAMEWORKS = ("airflow", "dagster", "prefect")  # the order that decides a file importing several
FOLDERS = ("src", "dags")


def code_lines(text: str) -> int:
    """The number of lines holding code: comments, blank lines and docstrings do not count."""
    raise NotImplementedError("(c) count the lines of code of one file (ast, tokenize)")


def category(text: str) -> str:
    """The framework a file imports ("airflow", "dagster", "prefect"), or "business_logic"."""
    raise NotImplementedError("(c) which framework does the file import, if any?")


def count_lines(root: str | Path = ".") -> dict:
    """{"files": {path: {"category", "lines"}}, "totals": {category: lines}} for every .py file
    under src/ and dags/ of the project at `root` (paths relative to it, with "/")."""
    raise NotImplementedError("(c) count every .py file under src/ and dags/")


def main(argv: list[str]) -> None:
    counted = count_lines(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent)
    width = max([len(path) for path in counted["files"]] + [10])
    for path, info in counted["files"].items():
        print(f"{path:<{width}}  {info['category']:<15} {info['lines']:>5}")
    print()
    business = counted["totals"]["business_logic"]
    for name in CATEGORIES:
        share = f"  ({counted['totals'][name] / business:.2f} x business logic)" if business and name != "business_logic" else ""
        print(f"{name:<15} {counted['totals'][name]:>5} lines{share}")


if __name__ == "__main__":
    main(sys.argv)
