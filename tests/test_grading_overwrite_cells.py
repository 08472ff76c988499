"""OverwriteCells restores what nbgrader restores, quietly for the hidden tests only."""

from __future__ import annotations

import logging

import pytest

from course_grader.overwrite_cells import release_source
from tests.test_grading_sandbox import _sanitize, _weaken, honest


def test_release_source_drops_only_the_hidden_regions():
    source = "check(1)\n### BEGIN HIDDEN TESTS\ncheck(2)\n### END HIDDEN TESTS\ncheck(3)\n"
    assert release_source(source) == "check(1)\ncheck(3)\n"
    assert release_source("check(1)\n") == "check(1)\n"


def test_an_honest_submission_logs_no_warning(course, caplog):
    with caplog.at_level(logging.DEBUG):
        _sanitize(course, honest(course))
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [], [r.getMessage() for r in warnings]


def test_an_edited_test_cell_is_restored_with_a_warning_naming_the_student(course, caplog):
    with caplog.at_level(logging.WARNING):
        nb, _ = _sanitize(course, honest(course, edit=_weaken))
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(m.startswith("s/") and "checksum of cell square-test" in m for m in messages), \
        messages
    restored, _ = _sanitize(course, honest(course))
    assert [c.source for c in nb.cells] == [c.source for c in restored.cells]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from tests.test_grading_sandbox import make_course

    return make_course(tmp_path_factory.mktemp("overwrite") / "course")
