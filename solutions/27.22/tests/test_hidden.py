"""Hidden tests for exercise 27.22: the learner's unit tests, graded by the faults they catch.

The learner's test_* functions run in the worker twice: against the chapter's correct
DataContract, then against a faulty version of it. A faulty version replaces the class's
`validate` method (and so `check`, which calls it) while the suite runs, so it reaches every way
a learner may build a contract; the correct method is put back afterwards. The score of a part
is whether some learner test fails on that part's faulty version, provided every learner test
passes on the correct class.
"""

from autograder.testing import expect, fail, graded

# What each part's faulty DataContract gets wrong, in the words the learner reads.
FAULTS = {
    "rejects_good_data": "reports problems in a frame that keeps every promise",
    "ignores_missing_columns": "never reports a missing column",
    "ignores_dtypes": "never checks dtypes",
    "ignores_nulls": "never notices nulls in a non-null column",
    "ignores_row_count": "never counts rows",
    "stops_at_first_problem": "stops at the first problem it finds",
}


# ---- shipped to the worker --------------------------------------------------------------------
def faulty_validate(correct, fault):
    """A `validate` that behaves like `correct` except for one planted fault."""
    import pipelinekit

    def validate(self, df):
        found = list(correct(self, df))
        if fault == "rejects_good_data":
            # Looks the contract's columns up among the row labels instead of the column labels.
            columns = list(dict.fromkeys([*self.required_columns, *self.dtypes, *self.non_null,
                                          *self.value_ranges]))
            labels = set(df.index)
            bogus = [pipelinekit.Violation(self.name, "missing_column", c, f"column {c!r} is missing")
                     for c in columns if c not in labels]
            return bogus + [v for v in found if v.check != "missing_column"]
        if fault == "stops_at_first_problem":
            return found[:1]
        skipped = {"ignores_missing_columns": "missing_column", "ignores_dtypes": "dtype",
                   "ignores_nulls": "nulls", "ignores_row_count": "min_rows"}[fault]
        return [v for v in found if v.check != skipped]

    return validate


def run_suite(ns, fault):
    """Run every test_* function of the notebook against the correct class, then the faulty one."""
    import inspect

    import pipelinekit

    real = pipelinekit.DataContract
    if ns.has("DataContract") and ns.DataContract is not real:
        return {"foreign_class": type(ns.DataContract).__name__}
    tests, needs_arguments = [], []
    for name in ns.names():
        function = getattr(ns, name)
        if not (name.startswith("test_") and inspect.isfunction(function)):
            continue
        required = [p.name for p in inspect.signature(function).parameters.values()
                    if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        (needs_arguments if required else tests).append(name)

    def outcomes():
        result = {}
        for name in tests:
            try:
                getattr(ns, name)()
                result[name] = None
            except BaseException as exc:  # pytest.raises and pytest.fail raise BaseExceptions
                kind = type(exc).__name__
                if kind == "GraderTimeout" or isinstance(exc, KeyboardInterrupt):
                    raise
                text = str(exc)[:300]
                result[name] = None if kind == "Skipped" else f"{kind}: {text}" if text else kind
        return result

    correct = real.__dict__["validate"]
    try:
        baseline = outcomes()
    finally:
        real.validate = correct  # in case a test of the learner's replaced it and did not restore it
    real.validate = faulty_validate(correct, fault)
    try:
        faulty = outcomes()
    finally:
        real.validate = correct
    return {"tests": tests, "needs_arguments": needs_arguments, "baseline": baseline, "faulty": faulty}


# ---- trusted side -------------------------------------------------------------------------------
def caught(sub, fault):
    """Fail with a learner-readable reason unless the suite passes on the correct class and some
    test fails on the faulty one."""
    got = sub.run(run_suite, fault, helpers=[faulty_validate], timeout=30)
    if "foreign_class" in got:
        fail("`DataContract` in your notebook is not the chapter's class: import it from pipelinekit "
             "and do not redefine it, since the tests are meant for that class")
    needs = got["needs_arguments"]
    expect(not needs, f"{', '.join(f'`{n}`' for n in needs)} {'takes' if len(needs) == 1 else 'take'} arguments; "
                      "the grader calls each test with none (pytest fixtures are not available): build what "
                      "the test needs inside it")
    tests = got["tests"]
    expect(tests, "your notebook defines no test functions (top-level functions whose names start with `test_`)")
    broken = {name: error for name, error in got["baseline"].items() if error is not None}
    for name, error in sorted(broken.items()):
        fail(f"your test `{name}` fails on the correct DataContract ({error}); until every test passes "
             "on correct code, no fault counts as caught")
    caught_by = [name for name, error in got["faulty"].items() if error is not None]
    expect(caught_by, f"none of your {len(tests)} test(s) fails on a DataContract that {FAULTS[fault]}")


@graded("a", points=1, hint="Check that a frame keeping every promise yields no violation at all, "
                            "and that check() hands it back.")
def test_suite_catches_a_contract_that_rejects_good_data(sub):
    caught(sub, "rejects_good_data")


@graded("b", points=1, hint="Drop one required column from an otherwise good frame, and check that "
                            "exactly this problem is reported for that column.")
def test_suite_catches_a_contract_blind_to_missing_columns(sub):
    caught(sub, "ignores_missing_columns")


@graded("c", points=1, hint="Give one column the wrong dtype in an otherwise good frame (a null would "
                            "add a second problem), and check that a dtype violation is reported for it.")
def test_suite_catches_a_contract_blind_to_dtypes(sub):
    caught(sub, "ignores_dtypes")


@graded("d", points=1, hint="Put a null in a non-null column of an otherwise good frame, and check that "
                            "the nulls are reported for that column.")
def test_suite_catches_a_contract_blind_to_nulls(sub):
    caught(sub, "ignores_nulls")


@graded("e", points=1, hint="Use a frame that is good except for having too few rows, and check that "
                            "the row count is reported.")
def test_suite_catches_a_contract_that_never_counts_rows(sub):
    caught(sub, "ignores_row_count")


@graded("f", points=1, hint="Raising is not enough here: check that every broken promise of the frame "
                            "is reported, not only one of them.")
def test_suite_catches_a_contract_that_stops_at_the_first_problem(sub):
    caught(sub, "stops_at_first_problem")
