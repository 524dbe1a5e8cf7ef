# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 3.3: they check the form of your answers, not their values."""
from autograder.testing import expect, graded


def one_run(ns):
    import os
    import tempfile

    folder = tempfile.mkdtemp()
    source = os.path.join(folder, "in.csv")
    output = os.path.join(folder, "out.csv")
    with open(source, "w") as handle:
        handle.write("a,b\n1,2.5\n")
    returned = ns.process_data(source, output)
    return {"exists": os.path.exists(output), "returned": type(returned).__name__}


@graded("a", points=0, hint="process_data(input_file, output_file) writes the output file and returns nothing.")
def test_process_data_writes_a_file(sub):
    got = sub.run(one_run)
    expect(got["exists"], "process_data did not create the output file")
    expect(got["returned"] == "NoneType", f"process_data returned a {got['returned']}; it should return nothing")
