"""The real grading pipeline: nbgrader generate -> submit -> autograde -> export -> feedback.

Scores are asserted per student and per graded cell: the full solution gets full marks, the
blank release gets zero everywhere, and each known mistake loses exactly the cells it should.
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from course_grader import pipeline
from tests.conftest import BLANK, FULL, NOTEBOOKS, SOLUTIONS
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
    assert unknown == set(), f"catalogue names cells that do not exist: {sorted(unknown)}"
    student = graded_course.graded_as[mistake.student]
    graded = next(s for s in graded_course.submissions if s.student == student)
    members = sorted(m for m, s in graded_course.graded_as.items() if s == student)
    got = graded_course.scores[student]
    for gid, points in cells.items():
        # graded with other mistakes of this notebook (tests.mistakes.graded_submissions):
        # the cells none of them may lose keep their points, its own cells score 0
        want = 0.0 if gid in graded.loses else points
        assert got.get((mistake.notebook, gid)) == (want, points), (
            f"{mistake.student} (graded as {student} with {members}): {mistake.notebook}/{gid} "
            f"expected {want}/{points}, got {got.get((mistake.notebook, gid))}")


def test_every_answer_cell_has_at_least_one_known_mistake(graded_course):
    covered = {(m.notebook, gid) for m in graded_course.mistakes for gid in m.answers}
    for name in NOTEBOOKS:
        nb = pipeline.source_notebook(graded_course.path, name)
        for gid in pipeline.solution_answers(nb):
            assert (name, gid) in covered, f"no known-wrong answer for {name}/{gid}"


def _written_cells(course, notebook):
    return pipeline.manual_cells(pipeline.source_notebook(course, notebook))


def _export(graded_course) -> dict[str, dict]:
    rows = {}
    for course in graded_course.paths:
        pipeline.run_nbgrader(course, "export", "--to", "grades.csv")
        with open(course / "grades.csv", newline="") as fh:
            rows.update({r["student_id"]: r for r in csv.DictReader(fh)})
    return rows


def test_export_writes_one_row_per_student_with_total_scores(graded_course):
    rows = _export(graded_course)
    auto = sum(sum(_expected_cells(graded_course.path, n).values()) for n in NOTEBOOKS)
    written = sum(sum(_written_cells(graded_course.path, n).values()) for n in NOTEBOOKS)
    # Written answers wait for an instructor: they count in max_score, not yet in score.
    assert float(rows[FULL]["score"]) == pytest.approx(auto)
    assert float(rows[FULL]["max_score"]) == pytest.approx(auto + written)
    assert float(rows[BLANK]["score"]) == 0.0
    assert set(rows) >= {FULL, BLANK} | {m.student for m in graded_course.submissions}


def test_written_answers_wait_for_manual_grading_and_a_blank_one_scores_zero(graded_course):
    full = pipeline.cell_scores(graded_course.path, cell_type="markdown")[FULL]
    blank = pipeline.cell_scores(graded_course.path, cell_type="markdown")[BLANK]
    cells = {(n, gid): pts for n in NOTEBOOKS
             for gid, pts in _written_cells(graded_course.path, n).items()}
    for key, points in cells.items():
        assert full.get(key) == (None, points), f"{key}: an answer waits for the instructor"
        assert blank.get(key) == (0.0, points), f"{key}: an unanswered question earns nothing"


def test_a_manual_grade_given_in_the_gradebook_counts_in_the_export(tmp_path):
    """What the formgrader does when an instructor scores a written answer."""
    from nbgrader.api import Gradebook

    with_written = [n for n in NOTEBOOKS
                    if pipeline.manual_cells(nbformat.read(SOLUTIONS / f"{n}.ipynb", 4))]
    if not with_written:
        pytest.fail("no notebook has a manually graded written answer")
    name = with_written[0]
    course = pipeline.prepare_course(tmp_path / "course", notebooks=[name])
    pipeline.submit(course, "alice", {name: pipeline.solved_notebook(course, name)})
    pipeline.autograde(course, check=True)
    gid, points = next(iter(pipeline.manual_cells(pipeline.source_notebook(course, name)).items()))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(gid, name, pipeline.ASSIGNMENT, "alice")
        assert grade.needs_manual_grade and grade.auto_score is None
        grade.manual_score = points
        gb.db.commit()
    pipeline.run_nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["student_id"] == "alice")
    auto = sum(pipeline.graded_cells(pipeline.source_notebook(course, name)).values())
    assert float(row["score"]) == pytest.approx(auto + points)


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

    from course_grader import pipeline

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
