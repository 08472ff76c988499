"""The committed student release is exactly what nbgrader generates from solutions/."""

from __future__ import annotations

import ast
import json

import nbformat

from course_grader import pipeline
from tests.conftest import NOTEBOOKS

RELEASE = pipeline.REPO_ROOT / "notebooks" / pipeline.ASSIGNMENT


def test_release_lists_the_same_notebooks_as_the_source():
    assert sorted(p.stem for p in RELEASE.glob("*.ipynb")) == NOTEBOOKS


def test_committed_release_equals_a_fresh_generate_assignment(graded_course):
    fresh = graded_course.path / "notebooks" / pipeline.ASSIGNMENT
    for name in NOTEBOOKS:
        committed = json.loads((RELEASE / f"{name}.ipynb").read_text())
        generated = json.loads((fresh / f"{name}.ipynb").read_text())
        assert committed == generated, (
            f"notebooks/{pipeline.ASSIGNMENT}/{name}.ipynb is out of date: run `make release`")


def test_release_holds_no_solution_and_no_hidden_test():
    for name in NOTEBOOKS:
        text = (RELEASE / f"{name}.ipynb").read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "HIDDEN TESTS"):
            assert marker not in text, f"{name}: release contains {marker!r}"


def test_release_has_no_outputs_and_every_answer_cell_is_a_stub():
    for name in NOTEBOOKS:
        nb = nbformat.read(RELEASE / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, name
            md = cell.metadata.get("nbgrader", {})
            if md.get("solution") and cell.cell_type == "code":
                assert "raise NotImplementedError()" in cell.source, (name, md["grade_id"])


def test_written_answers_reach_students_as_an_empty_answer_cell():
    for name in NOTEBOOKS:
        nb = nbformat.read(RELEASE / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            md = cell.metadata.get("nbgrader", {})
            if md.get("grade") and md.get("solution"):
                assert cell.source == "YOUR ANSWER HERE", (name, md["grade_id"])


def test_source_notebooks_have_unique_grade_ids_and_locked_tests():
    seen = set()
    for name in NOTEBOOKS:
        nb = nbformat.read(pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
                           / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            md = cell.metadata.get("nbgrader")
            if not md:
                continue
            gid = md["grade_id"]
            assert gid not in seen, f"duplicate grade_id {gid}"
            seen.add(gid)
            if md.get("grade") and md.get("solution"):  # a written answer, graded by hand
                assert cell.cell_type == "markdown" and not md["locked"], gid
                assert md.get("points", 0) > 0 and cell.source.strip(), (
                    f"{gid}: a written answer has points and a model answer")
                continue
            if md.get("grade"):
                assert md["locked"] and md.get("points", 0) > 0, gid
                assert cell.source.lstrip().startswith("#"), (
                    f"{gid}: a test cell opens with a comment saying what it checks")
            if md.get("solution"):
                assert "### BEGIN SOLUTION" in cell.source, gid


#: Notebooks that ask conceptual questions (DESIGN.md, "Questions"): at least two autograded
#: questions (answer cells ``<prefix>-q-<slug>``) and one manually graded written answer.
ASKING = ("01_loss_functions", "02_moving_average", "03_optimizers", "04_overfitting",
          "05_regularization", "06_batch_normalization", "07_metrics", "08_keras_functional_api",
          "09_saving_models", "10_callbacks")


def test_notebooks_ask_autograded_and_written_questions():
    for name in ASKING:
        nb = nbformat.read(pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
                           / f"{name}.ipynb", as_version=4)
        questions = [gid for gid in pipeline.solution_answers(nb) if "-q-" in gid]
        assert len(questions) >= 2, f"{name}: autograded questions {questions}"
        assert pipeline.manual_cells(nb), f"{name}: no written answer"
        graded = pipeline.graded_cells(nb)
        for gid in questions:
            assert f"{gid}-test" in graded, f"{name}: question {gid} has no test cell"


def _shows_a_plot_object(source: str) -> bool:
    """Whether a cell ends with a call to a plot (``plotting.*``, ``ax.*``, ``plt.*``) whose
    return value Jupyter would print above the figure as ``<Axes: ...>``."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr) or source.rstrip().endswith(";"):
        return False
    call = body[-1].value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return False
    owner = call.func.value
    return (isinstance(owner, ast.Name) and owner.id in {"plotting", "ax", "axes", "plt"}
            and call.func.attr not in {"show", "tight_layout"})


def test_no_plot_cell_prints_an_axes_repr_above_its_figure():
    shown = []
    for name in NOTEBOOKS:
        nb = nbformat.read(pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
                           / f"{name}.ipynb", as_version=4)
        shown += [f"{name}, cell {i}" for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and _shows_a_plot_object(c.source)]
    assert shown == [], f"end these plot calls with `;`: {shown}"
    assert _shows_a_plot_object("plotting.plot_losses(x)")  # the check itself can fail
