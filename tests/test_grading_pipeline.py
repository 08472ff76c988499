"""The real grading pipeline: nbgrader generate -> submit -> autograde -> export -> feedback.

Scores are asserted per student and per graded cell: the full solution gets full marks, the
blank release gets zero everywhere, and each known mistake loses exactly the cells it should.
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from course_utils.grading import pipeline
from tests.conftest import BLANK, FULL, NOTEBOOKS
from tests.mistakes import all_mistakes


def _expected_cells(course, notebook):
    return pipeline.graded_cells(pipeline.source_notebook(course, notebook))


def test_every_notebook_has_graded_cells(graded_course):
    for name in NOTEBOOKS:
        assert _expected_cells(graded_course.path, name), f"{name} has no graded test cell"


def test_full_solution_gets_full_marks_in_every_graded_cell(graded_course):
    got = graded_course.scores[FULL]
    for name in NOTEBOOKS:
        for gid, points in _expected_cells(graded_course.path, name).items():
            assert got.get((name, gid)) == (points, points), (
                f"{name}/{gid}: expected {points}/{points}, got {got.get((name, gid))}")


def test_blank_release_scores_zero_in_every_graded_cell(graded_course):
    got = graded_course.scores[BLANK]
    for name in NOTEBOOKS:
        for gid, points in _expected_cells(graded_course.path, name).items():
            assert got.get((name, gid)) == (0.0, points), (
                f"{name}/{gid}: the unanswered release must score 0, got {got.get((name, gid))}")


@pytest.mark.parametrize("mistake", all_mistakes(), ids=lambda m: m.student)
def test_known_mistake_loses_exactly_its_cells(graded_course, mistake):
    cells = _expected_cells(graded_course.path, mistake.notebook)
    unknown = mistake.loses - set(cells)
    assert not unknown, f"catalogue names cells that do not exist: {sorted(unknown)}"
    got = graded_course.scores[mistake.student]
    for gid, points in cells.items():
        want = 0.0 if gid in mistake.loses else points
        assert got.get((mistake.notebook, gid)) == (want, points), (
            f"{mistake.student}: {mistake.notebook}/{gid} expected {want}/{points}, "
            f"got {got.get((mistake.notebook, gid))}")


def test_every_answer_cell_has_at_least_one_known_mistake(graded_course):
    covered = {(m.notebook, gid) for m in graded_course.mistakes for gid in m.answers}
    for name in NOTEBOOKS:
        nb = pipeline.source_notebook(graded_course.path, name)
        for gid in pipeline.solution_answers(nb):
            assert (name, gid) in covered, f"no known-wrong answer for {name}/{gid}"


def test_export_writes_one_row_per_student_with_total_scores(graded_course):
    rows = {}
    for course in graded_course.paths:
        pipeline.run_nbgrader(course, "export", "--to", "grades.csv")
        with open(course / "grades.csv", newline="") as fh:
            rows.update({r["student_id"]: r for r in csv.DictReader(fh)})
    total = sum(sum(_expected_cells(graded_course.path, n).values()) for n in NOTEBOOKS)
    assert float(rows[FULL]["score"]) == pytest.approx(total)
    assert float(rows[FULL]["max_score"]) == pytest.approx(total)
    assert float(rows[BLANK]["score"]) == 0.0
    assert set(rows) >= {FULL, BLANK} | {m.student for m in graded_course.mistakes}


def test_feedback_is_generated_for_the_full_solution(graded_course):
    pipeline.run_nbgrader(graded_course.path, "generate_feedback", pipeline.ASSIGNMENT,
                          "--student", FULL)
    folder = graded_course.path / "feedback" / FULL / pipeline.ASSIGNMENT
    for name in NOTEBOOKS:
        html = (folder / f"{name}.html").read_text()
        assert "Score:" in html or "score" in html.lower()


def test_submissions_are_not_modified_by_grading(graded_course):
    folder = graded_course.path / "submitted" / FULL / pipeline.ASSIGNMENT
    for name in NOTEBOOKS:
        nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        expected = pipeline.solved_notebook(graded_course.path, name)
        assert [c.source for c in nb.cells] == [c.source for c in expected.cells]
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_no_submission_failed_to_grade_twice(graded_course):
    assert all(code == 0 for code in graded_course.retried.values()), graded_course.retried
    for course in graded_course.paths:
        log = (course / "autograde.log").read_text()
        ungraded = set(pipeline.ungraded_students(course)) - graded_course.expected_failures
        assert ungraded == set(), log[-3000:]


def test_parallel_runs_never_wait_for_each_other_on_a_full_pipe(tmp_path):
    """The second process writes far more than a pipe holds; it must finish while the first
    one still sleeps (with pipes read one after the other it would wait for the first)."""
    import sys
    import time

    from course_utils.grading import pipeline

    stamp = tmp_path / "done"
    slow = [sys.executable, "-c", "import time; time.sleep(4)"]
    loud = [sys.executable, "-c",
            "import sys, time; sys.stderr.write('x' * 2_000_000); sys.stderr.flush(); "
            f"open({str(stamp)!r}, 'w').write(str(time.time()))"]
    start = time.time()
    slow_done, loud_done = pipeline.run_parallel([(slow, tmp_path), (loud, tmp_path)])
    assert slow_done.returncode == loud_done.returncode == 0
    assert len(loud_done.stderr) == 2_000_000
    assert float(stamp.read_text()) - start < 3.5, "the loud process waited for the slow one"
