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


### BEGIN SOLUTION count_code_lines
def code_lines(text: str) -> int:
    """The number of lines holding code: comments, blank lines and docstrings do not count."""
    import ast
    import io
    import tokenize

    docstrings = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                docstrings.add((first.lineno, first.col_offset))
    not_code = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                tokenize.ENDMARKER, tokenize.ENCODING}
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in not_code:
            continue
        if token.type == tokenize.STRING and token.start in docstrings:
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines)
### END SOLUTION
### BEGIN STARTER
# def code_lines(text: str) -> int:
#     """The number of lines holding code: comments, blank lines and docstrings do not count."""
#     raise NotImplementedError("(c) count the lines of code of one file (ast, tokenize)")
### END STARTER


### BEGIN SOLUTION count_category
def category(text: str) -> str:
    """The framework a file imports ("airflow", "dagster", "prefect"), or "business_logic"."""
    import ast

    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    return next((framework for framework in FRAMEWORKS if framework in imported), "business_logic")
### END SOLUTION
### BEGIN STARTER
# def category(text: str) -> str:
#     """The framework a file imports ("airflow", "dagster", "prefect"), or "business_logic"."""
#     raise NotImplementedError("(c) which framework does the file import, if any?")
### END STARTER


def count_lines(root: str | Path = ".") -> dict:
    """{"files": {path: {"category", "lines"}}, "totals": {category: lines}} for every .py file
    under src/ and dags/ of the project at `root` (paths relative to it, with "/")."""
    ### BEGIN SOLUTION count_lines
    root = Path(root)
    files = {}
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            files[path.relative_to(root).as_posix()] = {"category": category(text), "lines": code_lines(text)}
    totals = {name: 0 for name in CATEGORIES}
    for info in files.values():
        totals[info["category"]] += info["lines"]
    return {"files": files, "totals": totals}
    ### END SOLUTION
    ### BEGIN STARTER
    # raise NotImplementedError("(c) count every .py file under src/ and dags/")
    ### END STARTER


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
