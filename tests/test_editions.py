"""The Russian edition is built from the one English source, is committed in sync with it,
has the same graded cells, and grades exactly like the English one through the real pipeline
(sandbox, re-check, gradebook, export, feedback)."""

from __future__ import annotations

import ast
import csv
import json
import re
import subprocess
import sys

import nbformat
import pytest

from course_grader import pipeline
from tests.conftest import BLANK, FULL, NOTEBOOKS
from tests.mistakes import all_mistakes, graded_submissions

sys.path.insert(0, str(pipeline.REPO_ROOT / "tools"))
import editions  # noqa: E402

RU = pipeline.EDITIONS["ru"]
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _nbgrader_cells(nb) -> list[tuple]:
    """Type, id and nbgrader metadata of every cell (without the checksum of its text)."""
    return [(c.cell_type, c.get("id"),
             json.dumps({k: v for k, v in (c.metadata.get("nbgrader") or {}).items()
                         if k != "checksum"}, sort_keys=True))
            for c in nb.cells]


def test_the_committed_russian_sources_are_what_the_build_writes():
    assert editions.differences("ru") == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_both_editions_have_the_same_cells_ids_and_points(name):
    for folder in ("solutions", "notebooks"):
        en = nbformat.read(pipeline.REPO_ROOT / folder / pipeline.ASSIGNMENT / f"{name}.ipynb", 4)
        ru = nbformat.read(pipeline.REPO_ROOT / folder / RU / f"{name}.ipynb", 4)
        assert _nbgrader_cells(en) == _nbgrader_cells(ru), f"{folder}/{RU}/{name}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_text_cell_of_the_russian_edition_is_in_russian(name):
    nb = nbformat.read(pipeline.REPO_ROOT / "notebooks" / RU / f"{name}.ipynb", 4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source != "YOUR ANSWER HERE":
            assert CYRILLIC.search(cell.source), f"{name}/{cell.get('id')}: {cell.source[:80]!r}"
    setup = next(c for c in nb.cells if c.cell_type == "code")
    calls = [n for n in ast.walk(ast.parse(setup.source)) if isinstance(n, ast.Call)
             and getattr(n.func, "id", None) == "set_language"]
    assert [ast.literal_eval(c.args[0]) for c in calls] == ["ru"], setup.source


# ------------------------------------------------------------------------------------------
# grading: the Russian edition through the real pipeline
# ------------------------------------------------------------------------------------------

RU_FULL, RU_BLANK = "ru-full", "ru-blank"
# Each of the two is handed in as students of a part of the notebooks each, so that both
# grading workers stay busy (the Keras notebooks 08-10 cost the most).
PARTS = (NOTEBOOKS[:5], NOTEBOOKS[5:8], NOTEBOOKS[8:])
MISTAKE_NOTEBOOK = "02_moving_average"


@pytest.fixture(scope="module")
def ru_course(tmp_path_factory):
    """A course with both editions; the Russian full solution, blank release and the known
    mistakes of one notebook handed in as Russian-edition students, graded with the
    instructors' own command (``python -m course_grader.parallel``, as ``make autograde``)."""
    course = pipeline.prepare_course(tmp_path_factory.mktemp("editions") / "course",
                                     assignments=(pipeline.ASSIGNMENT, RU))
    for k, part in enumerate(PARTS):
        pipeline.submit(course, f"{RU_FULL}-{k}",
                        {n: pipeline.solved_notebook(course, n, assignment=RU) for n in part},
                        assignment=RU)
        pipeline.submit(course, f"{RU_BLANK}-{k}",
                        {n: pipeline.release_notebook(course, n, assignment=RU) for n in part},
                        assignment=RU)
    # the known mistakes of one notebook, in the bundles the English batch grades them in
    mistakes = [b for b in graded_submissions(all_mistakes())[0]
                if b.notebook == MISTAKE_NOTEBOOK]
    for m in mistakes:
        pipeline.submit(course, f"ru-{m.student}",
                        {m.notebook: pipeline.solved_notebook(course, m.notebook, m.answers,
                                                              assignment=RU)}, assignment=RU)
    proc = subprocess.run([sys.executable, "-m", "course_grader.parallel", RU, "--jobs", "2"],
                          cwd=course, capture_output=True, text=True, timeout=1200)
    (course / "autograde.log").write_text(proc.stdout + proc.stderr)
    return course, mistakes, proc


def test_the_committed_russian_release_equals_a_fresh_generate_assignment(ru_course):
    course, _, _ = ru_course
    for name in NOTEBOOKS:
        committed = json.loads((pipeline.REPO_ROOT / "notebooks" / RU / f"{name}.ipynb")
                               .read_text())
        generated = json.loads((course / "notebooks" / RU / f"{name}.ipynb").read_text())
        assert committed == generated, f"notebooks/{RU}/{name}.ipynb is out of date: make release"


def _part_of(notebook: str) -> int:
    return next(k for k, part in enumerate(PARTS) if notebook in part)


def _whole(course, student: str) -> dict:
    """The scores of the part-students as one student's (each of their own notebooks)."""
    scores = pipeline.cell_scores(course, assignment=RU)
    return {key: value for k, part in enumerate(PARTS)
            for key, value in scores.get(f"{student}-{k}", {}).items() if key[0] in part}


def test_the_russian_full_solution_gets_full_marks(ru_course, graded_course):
    course, _, proc = ru_course
    scores = _whole(course, RU_FULL)
    assert scores == graded_course.scores[FULL], proc.stdout[-3000:] + proc.stderr[-3000:]
    assert all(score == top for score, top in scores.values())


def test_the_russian_blank_release_fails_every_graded_cell(ru_course, graded_course):
    course, _, _ = ru_course
    scores = _whole(course, RU_BLANK)
    assert set(scores) == set(graded_course.scores[BLANK])
    assert all(score == 0 for score, _ in scores.values()), scores


def test_a_mistake_scores_the_same_in_both_editions(ru_course, graded_course):
    course, mistakes, _ = ru_course
    ru_scores = pipeline.cell_scores(course, assignment=RU)
    assert mistakes
    for m in mistakes:
        english = graded_course.scores[m.student]
        assert ru_scores[f"ru-{m.student}"] == english, m.student
        assert any(score < top for score, top in english.values()), m.student


def test_the_russian_edition_speaks_russian_in_a_failing_check(ru_course):
    course, _, _ = ru_course
    blank = f"{RU_BLANK}-{_part_of(MISTAKE_NOTEBOOK)}"
    graded = nbformat.read(course / "autograded" / blank / RU / f"{MISTAKE_NOTEBOOK}.ipynb", 4)
    failing = [o for c in graded.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert failing
    assert any(CYRILLIC.search(o.get("evalue", "")) for o in failing)


def test_export_gives_one_row_per_student_with_the_edition(ru_course, graded_course):
    course, _, _ = ru_course
    pipeline.run_nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    parts = [rows[f"{RU_FULL}-{k}"] for k in range(len(PARTS))]
    assert [r["assignment"] for r in parts] == [pipeline.ASSIGNMENT] * len(PARTS)
    assert [r["edition"] for r in parts] == ["ru"] * len(PARTS)
    autograded = sum(score for score, _ in graded_course.scores[FULL].values())
    assert sum(float(r["score"]) for r in parts) == autograded  # written answers wait
    assert [rows[f"{RU_BLANK}-{k}"]["score"] for k in range(len(PARTS))] == ["0"] * len(PARTS)


def test_feedback_of_the_russian_edition_is_written(ru_course):
    course, _, _ = ru_course
    student = f"{RU_FULL}-{_part_of(MISTAKE_NOTEBOOK)}"
    pipeline.run_nbgrader(course, "generate_feedback", RU, "--student", student)
    page = course / "feedback" / student / RU / f"{MISTAKE_NOTEBOOK}.html"
    text = page.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "hidden tests not shown" not in text
    assert "# (скрытые тесты не показаны)" in text  # the grader's own notes in Russian too
