"""Hidden tests for exercise 3.3 (an idempotent CSV step with an atomic write)."""
import csv
import io
import os
import random

from autograder.testing import expect, graded

HEADER = ["sessions", "watch_minutes", "clicks"]


def make_rows(seed: int, count: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.randint(0, 20), rng.randint(0, 4000) / 4, rng.randint(0, 500)] for _ in range(count)]


ROWS = make_rows(33, 9)         # today's input
OLDER_ROWS = make_rows(7, 5)    # an older input, whose result is already on disk
NEW_ROWS = make_rows(2024, 6)   # the input of the run whose write fails


def output_problem(text: str | None, rows: list[list[float]]) -> str | None:
    """Why `text` is not the CSV of `rows` with every value doubled, in words for the learner."""
    if text is None:
        return "process_data did not create the output file"
    table = list(csv.reader(io.StringIO(text)))
    if not table:
        return "the output file is empty"
    header, body = table[0], table[1:]
    if header != HEADER:
        if header[1:] == HEADER:
            return "your output starts with an extra, unnamed column: write the CSV without the DataFrame index (index=False)"
        return f"the header row of your output is {header}; it should name the input's columns, in the input's order"
    if len(body) != len(rows):
        return f"your output has {len(body)} data rows for an input of {len(rows)} rows"
    for number, (got, row) in enumerate(zip(body, rows), start=1):
        try:
            values = [float(x) for x in got]
        except ValueError:
            return f"row {number} of your output is not numeric: {got}"
        if len(values) != len(row) or any(abs(v - 2 * x) > 1e-9 * max(1.0, abs(x)) for v, x in zip(values, row)):
            return f"row {number} of your output is {got}, which is not that input row with every value doubled"
    return None


# ---- helpers and probes: run in the learner's worker, return plain data ------------------------
def write_rows(path, header, rows):
    with open(path, "w", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for row in rows:
            handle.write(",".join(str(value) for value in row) + "\n")


def read_text(path):
    import os

    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def install_failing_to_csv(targets):
    """Make DataFrame.to_csv write half of its text and raise OSError; record where it wrote."""
    import errno
    import os

    import pandas as pd

    real = pd.DataFrame.to_csv

    def half_then_fail(frame, path_or_buf=None, *args, **options):
        kept = {k: v for k, v in options.items() if k not in ("mode", "compression", "storage_options")}
        text = real(frame, None, *args, **kept)
        if path_or_buf is None:
            return text
        half = text[: len(text) // 2]
        if hasattr(path_or_buf, "write"):
            name = getattr(path_or_buf, "name", None)
            targets.append(os.path.realpath(name) if isinstance(name, str) else None)
            try:
                path_or_buf.write(half)
            except TypeError:
                path_or_buf.write(half.encode())
            try:
                path_or_buf.flush()
            except Exception:
                pass
        else:
            path = os.fspath(path_or_buf)
            targets.append(os.path.realpath(path))
            mode = options.get("mode", "w")
            with open(path, mode) as handle:
                handle.write(half.encode() if "b" in mode else half)
        raise OSError(errno.ENOSPC, "No space left on device (failure injected by the grader)")

    pd.DataFrame.to_csv = half_then_fail
    return real


def normal_runs(ns, header, rows, older_rows):
    import os
    import tempfile

    folder_in, folder_out, folder_stale = tempfile.mkdtemp(), tempfile.mkdtemp(), tempfile.mkdtemp()
    source = os.path.join(folder_in, "events.csv")
    output = os.path.join(folder_out, "features.csv")
    write_rows(source, header, rows)
    ns.process_data(source, output)
    first = read_text(output)
    ns.process_data(source, output)
    second = read_text(output)
    stale = os.path.join(folder_stale, "features.csv")  # holds the doubled older input already
    write_rows(stale, header, [[2 * v for v in row] for row in older_rows])
    stale_before = read_text(stale)
    ns.process_data(source, stale)
    return {"first": first, "second": second, "replaced": read_text(stale), "stale_before": stale_before}


def failing_runs(ns, header, rows, new_rows):
    import os
    import tempfile

    import pandas as pd

    result = {}
    for case in ("previous", "fresh"):
        folder_in, folder_out = tempfile.mkdtemp(), tempfile.mkdtemp()
        source = os.path.join(folder_in, "events.csv")
        output = os.path.join(folder_out, "features.csv")
        info = {"folder": os.path.realpath(folder_out), "output": os.path.realpath(output)}
        if case == "previous":
            write_rows(source, header, rows)
            ns.process_data(source, output)
            info["before"] = read_text(output)
            info["listing_after_success"] = sorted(os.listdir(folder_out))
        write_rows(source, header, new_rows)
        targets = []
        real = install_failing_to_csv(targets)
        try:
            ns.process_data(source, output)
            info["raised"] = None
        except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
            info["raised"] = type(exc).__name__
        finally:
            pd.DataFrame.to_csv = real
        info["targets"] = targets
        info["after"] = read_text(output)
        info["listing_after_failure"] = sorted(os.listdir(folder_out))
        result[case] = info
    return result


HELPERS = [write_rows, read_text]
FAILING_HELPERS = [write_rows, read_text, install_failing_to_csv]
NO_TO_CSV = ("process_data never called DataFrame.to_csv with a file to write to, so the grader could not make "
             "the write fail: write the CSV with to_csv, as the statement asks")


def failing(sub) -> dict:
    res = sub.run(failing_runs, HEADER, ROWS, NEW_ROWS, helpers=FAILING_HELPERS)
    expect(res["previous"]["before"] is not None, "a normal run of process_data did not create the output file")
    expect(res["previous"]["targets"] or res["fresh"]["targets"], NO_TO_CSV)
    expect(res["previous"]["targets"], "when an output file already existed, process_data did not write a new one "
           "although its input had changed")
    expect(res["fresh"]["targets"], NO_TO_CSV)
    return res


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Read the input CSV, double every value, write it with a header and without the index.")
def test_output_holds_the_doubled_input(sub):
    got = sub.run(normal_runs, HEADER, ROWS, OLDER_ROWS, helpers=HELPERS)
    problem = output_problem(got["first"], ROWS)
    expect(problem is None, f"after one run: {problem}")


@graded("a", points=1, hint="Replace the output instead of adding to it.")
def test_second_run_gives_the_same_file(sub):
    got = sub.run(normal_runs, HEADER, ROWS, OLDER_ROWS, helpers=HELPERS)
    expect(got["first"] is not None, "process_data did not create the output file")
    if got["second"] != got["first"]:
        grew = got["second"] is not None and len(got["second"]) > len(got["first"])
        expect(False, "a second run with the same input changed the output file"
               + (": it grew, so the second run added to it" if grew else ""))


@graded("a", points=1, hint="An output left by an earlier run, from older input, must be replaced, not kept.")
def test_stale_output_is_replaced(sub):
    got = sub.run(normal_runs, HEADER, ROWS, OLDER_ROWS, helpers=HELPERS)
    expect(got["replaced"] != got["stale_before"], "when the output file already held the result of an older "
           "input, process_data left it untouched: a rerun after the input changed must replace it")
    problem = output_problem(got["replaced"], ROWS)
    expect(problem is None, "when the output file already held the result of an older input, after the run: "
           + str(problem))


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="Write to a temporary file, and only then os.replace it over the output.")
def test_failed_write_keeps_the_previous_output(sub):
    res = failing(sub)
    prev, fresh = res["previous"], res["fresh"]
    if prev["after"] is None:
        expect(False, "after a write that failed halfway, the previous output file was gone")
    expect(prev["after"] == prev["before"],
           "after a write that failed halfway, the output file no longer held the previous complete result")
    expect(fresh["after"] is None, "when no output existed yet and the write failed halfway, an output file was "
           "left behind, which the next task would take for a complete result")


@graded("b", points=1, hint="Clean up, then re-raise: the orchestrator must see the task fail to retry it.")
def test_failed_write_raises(sub):
    res = failing(sub)
    for case in ("previous", "fresh"):
        expect(res[case]["raised"] is not None,
               "process_data returned normally although writing its output failed; let the error propagate")


@graded("b", points=1, hint="Create the temporary file in the output file's folder, and delete it if the write fails.")
def test_temporary_file_beside_the_output_and_removed(sub):
    res = failing(sub)
    prev, fresh = res["previous"], res["fresh"]
    for target in prev["targets"] + fresh["targets"]:
        expect(target is not None, "to_csv was given an open file that has no path; write to a temporary file "
               "in the output file's folder")
        expect(target != prev["output"] and target != fresh["output"],
               "to_csv wrote straight into the output file; write to a temporary file, then os.replace it")
        expect(os.path.dirname(target) in (prev["folder"], fresh["folder"]),
               f"your temporary file was in {os.path.dirname(target)}, not in the output file's folder: "
               "os.replace is atomic only within one file system")
    extra = [n for n in prev["listing_after_success"] if n != "features.csv"]
    expect(not extra, f"after a successful run the output's folder also held {extra}")
    extra = [n for n in prev["listing_after_failure"] if n != "features.csv"] + fresh["listing_after_failure"]
    expect(not extra, f"after a failed write the output's folder still held {extra}: delete the temporary "
           "file when the write fails")
