"""The single-source format: what each variant contains, and how mistakes in a source are caught."""
from __future__ import annotations

import textwrap

import pytest

from autograder import source

SRC = textwrap.dedent('''\
    # %% [markdown]
    # # Title
    # Some *text*.

    # %%
    def f(x):
        ### BEGIN SOLUTION f_body
        return x * 2
        ### END SOLUTION
        ### BEGIN STARTER
        # return None
        ### END STARTER

    # %%
    def g():
        ### BEGIN SOLUTION
        return 1
        ### END SOLUTION

    # %% [markdown] answer="a.written"
    ### BEGIN SOLUTION
    # The model answer.
    ### END SOLUTION
''')


@pytest.fixture
def parsed(tmp_path):
    path = tmp_path / "notebook.py"
    path.write_text(SRC)
    return source.parse(path)


def test_reference_keeps_solutions_and_drops_starters(parsed):
    cells = source.render(parsed, "reference")
    assert "return x * 2" in cells[1]["source"] and "return None" not in cells[1]["source"]
    assert "BEGIN" not in "".join(c["source"] for c in cells)


def test_starter_replaces_solutions_with_uncommented_starters(parsed):
    cells = source.render(parsed, "starter")
    assert "    return None" in cells[1]["source"] and "x * 2" not in cells[1]["source"]


def test_a_region_without_starter_gets_a_not_implemented_stub_at_its_indentation(parsed):
    assert "    raise NotImplementedError" in source.render(parsed, "starter")[2]["source"]


def test_markdown_answers_hide_the_model_answer_from_learners(parsed):
    starter = source.render(parsed, "starter")[3]
    assert starter["attrs"] == {"answer": "a.written"}
    assert "model answer" not in starter["source"]
    assert source.model_answers(parsed) == {"a.written": "The model answer."}


def test_markdown_lines_lose_their_comment_prefix(parsed):
    assert source.render(parsed, "starter")[0]["source"] == "# Title\nSome *text*."


def test_alternative_replaces_named_regions_at_their_indentation(parsed, tmp_path):
    alt = tmp_path / "alternative.py"
    alt.write_text("### REGION f_body\nreturn x + x\n")
    cells = source.render(parsed, "alternative", source.parse_replacements(alt))
    assert "    return x + x" in cells[1]["source"]


def test_alternative_naming_an_unknown_region_is_refused(parsed):
    with pytest.raises(source.SourceError, match="do not exist"):
        source.render(parsed, "alternative", {"nope": "pass"})


def test_a_mutant_edit_must_match_exactly_once(parsed):
    cells = source.render(parsed, "reference")
    assert "x * 3" in source.apply_edits(cells, [{"old": "x * 2", "new": "x * 3"}], "m")[1]["source"]
    with pytest.raises(source.SourceError, match="0 times"):
        source.apply_edits(cells, [{"old": "not there", "new": ""}], "m")
    with pytest.raises(source.SourceError, match="2 times"):
        source.apply_edits(cells, [{"old": "return", "new": "yield"}], "m")


def test_an_unclosed_region_is_reported_with_its_file(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("# %%\n### BEGIN SOLUTION\nx = 1\n")
    with pytest.raises(source.SourceError, match="not closed"):
        source.parse(path)


def test_duplicate_region_names_are_refused(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("# %%\n### BEGIN SOLUTION a\n### END SOLUTION\n# %%\n### BEGIN SOLUTION a\n### END SOLUTION\n")
    with pytest.raises(source.SourceError, match="two solution regions"):
        source.parse(path)
