# %% [markdown]
# An orchestrator runs the same task more than once for the same data far more often than you
# might think: Airflow 3 retries a failed task (`retries=` on the task), an engineer clears a task
# in the UI to run it again, a backfill recomputes last month, and Prefect 3 retries a task with
# `@task(retries=...)`. Section 3.5 ("Ensuring idempotency") showed why every task must therefore
# be **idempotent**, the first of the design principles of Section 3.1. This exercise makes one
# small CSV step idempotent, and then safe against a crash in the middle of writing its output.
#
# Here is the step as it was first written. It reads a CSV of numeric columns, doubles every
# value (the stand-in for real processing), and adds the result to the output file:

# %%
import errno
import os
import tempfile
from pathlib import Path

import pandas as pd


def process_data_appending(input_file, output_file):
    """The version to fix: it adds its result to whatever the output file already holds."""
    frame = pd.read_csv(input_file)
    doubled = frame * 2  # the processing: every value times two
    with open(output_file, "a") as handle:  # "a": append to the end of the file
        doubled.to_csv(handle, index=False)


# %% [markdown]
# Run it twice on the same input and look at the output file after each run:

# %%
demo_folder = Path(tempfile.mkdtemp(prefix="exercise-3.3-"))
demo_input = demo_folder / "watch_time.csv"
demo_input.write_text("sessions,watch_minutes\n3,41.5\n1,7.25\n6,102.0\n")
appended = demo_folder / "appended.csv"
for run in (1, 2):
    process_data_appending(demo_input, appended)
    print(f"after run {run}: {len(appended.read_text().splitlines())} lines in {appended.name}")

# %% [markdown] part="a"
# **(a)** Write `process_data(input_file, output_file)`, the same step made idempotent. It reads
# the CSV at `input_file` (numeric columns only), multiplies every value by 2, and writes the result
# to `output_file` as a CSV with a header row and **without** the DataFrame index
# (`index=False`), *replacing* whatever the file held before. It returns nothing.
#
# * Running it twice with the same input leaves exactly the same file, byte for byte.
# * Running it again after the input changed leaves the new result. So "skip the work when the
#   output already exists" is not the fix here: that makes a step *rerunnable* (Section 3.1's
#   second principle), but a rerun after the input was corrected would keep the stale output.
#
# **(b)** Deleting the old file and then writing the new one, as a first fix might, is not enough:
# if the task dies halfway through the write (disk full, the worker killed for memory, a pod
# evicted), the previous good output is gone and a truncated CSV is left for the next task to
# read. Make the write **atomic**:
#
# * write the complete result to a temporary file **in the same folder as `output_file`**, then
#   move it over `output_file` with `os.replace`. A rename within one file system is atomic:
#   readers see the old file or the new one, never a mix. (A temporary file in the system's temp
#   folder may live on another file system, where a "move" is a copy followed by a delete, which
#   is not atomic.)
# * if writing fails, leave `output_file` exactly as it was (or still absent, if there was none),
#   delete the temporary file, and let the exception propagate to the caller, so that the
#   orchestrator marks the task failed and retries it.
# * write the CSV with `DataFrame.to_csv`, giving it the temporary file's path or the open
#   temporary file. The grader injects its failure there: during the test, `to_csv` writes half
#   of the text and then raises `OSError`, as a full disk would (the last cell of this notebook does the same, so you can watch it happen).

# %% part="a"
def process_data(input_file, output_file):
    """Double every value of the CSV `input_file` and write it to `output_file`, atomically."""
    ### BEGIN SOLUTION process_data
    data = pd.read_csv(input_file)
    processed = data * 2
    folder = os.path.dirname(os.path.abspath(output_file))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".process_data-", suffix=".tmp")
    os.close(handle)
    try:
        processed.to_csv(temporary, index=False)
        os.replace(temporary, output_file)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    ### END SOLUTION
    ### BEGIN STARTER
    # data = pd.read_csv(input_file)
    # processed = data * 2
    # # write `processed` to a temporary file beside output_file, then os.replace it over output_file
    # raise NotImplementedError("write the result atomically")
    ### END STARTER


# %% [markdown] part="a"
# Part (a), checked: two runs give the same bytes, and they hold the doubled input.

# %% part="a"
output = demo_folder / "doubled.csv"
process_data(demo_input, output)
first = output.read_bytes()
process_data(demo_input, output)
print("same file after the second run:", output.read_bytes() == first)
print(output.read_text())

# %% [markdown] answer="a.written"
# In a few sentences: what is idempotency, why does `process_data_appending` break it, and why
# does that matter for a task an orchestrator runs?
#
### BEGIN SOLUTION
# A task is idempotent when running it once or many times with the same input leaves the same
# result: the second run changes nothing. `process_data_appending` opens its output in append
# mode, so every run adds another copy of the header and the rows; after two runs the file holds
# the data twice, and a downstream task that reads it trains on duplicated (and partly
# non-numeric) rows. Orchestrators rerun tasks routinely: automatic retries after a transient
# error, a task cleared by hand, a backfill, a run that is restarted after the worker died after
# writing but before reporting success. Only if each task is idempotent are these reruns safe, so
# that recovering from a failure is simply "run it again", without manual clean-up first.
### END SOLUTION

# %% [markdown] part="b"
# Part (b), checked: the cell below makes `DataFrame.to_csv` fail halfway, as the grader does, and
# runs your function with new input. The previous output must survive, and no temporary file may
# be left in the folder.

# %% part="b"
import contextlib


@contextlib.contextmanager
def disk_fills_up_halfway():
    """While active, DataFrame.to_csv writes half of its text and then fails like a full disk."""
    real_to_csv = pd.DataFrame.to_csv

    def half_then_fail(frame, path_or_buf=None, **options):
        text = real_to_csv(frame, None, **options)
        if path_or_buf is None:
            return text
        if hasattr(path_or_buf, "write"):
            path_or_buf.write(text[: len(text) // 2])
        else:
            with open(path_or_buf, options.get("mode", "w")) as target:
                target.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device (simulated)")

    pd.DataFrame.to_csv = half_then_fail
    try:
        yield
    finally:
        pd.DataFrame.to_csv = real_to_csv


before = output.read_bytes()
new_input = demo_folder / "watch_time_corrected.csv"
new_input.write_text("sessions,watch_minutes\n4,55.5\n2,9.0\n")
with disk_fills_up_halfway():
    try:
        process_data(new_input, output)
        print("process_data returned normally")
    except OSError as error:
        print("process_data raised:", error)
print("previous output intact:", output.read_bytes() == before)
print("files in the folder:", sorted(p.name for p in demo_folder.iterdir()))
