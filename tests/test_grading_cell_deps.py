"""course_grader.cell_deps: which demo cells a graded run needs (names, by `ast`)."""

from __future__ import annotations

import re

import nbformat
import pytest

from course_grader import pipeline
from course_grader.cell_deps import cell_names, needed_cells

SOLUTIONS = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
FULL, BLANK = "full-solution", "blank-release"  # the session batch's students (conftest)


def run_flags(*cells: tuple[str, bool]) -> list[bool]:
    """``needed_cells`` over ``(source, required)`` pairs."""
    return needed_cells([s for s, _ in cells], [r for _, r in cells])


# --- what one cell binds, uses and changes ------------------------------------------------

def test_cell_names_reads_assignments_imports_and_definitions():
    info = cell_names("import numpy as np\nfrom a.b import c as d\nimport x.y\n"
                      "def f(z):\n    return z + g\nclass K:\n    pass\nu, (v, *w) = 1, (2, 3)\n"
                      "n += 1\nif (m := 3):\n    pass\n")
    assert info.binds == {"np", "d", "x", "f", "K", "u", "v", "w", "n", "m"}
    assert info.statics == {"np", "d", "x", "f", "K"}
    assert {"g", "n"} <= info.uses  # a function body's globals count; `n += 1` reads n
    assert "z" in info.uses and "print" not in info.uses
    assert not info.opaque


def test_cell_names_does_not_bind_names_local_to_a_function_or_class():
    info = cell_names("def f():\n    local = 1\n    return local\nclass K:\n    attr = 2\n")
    assert info.binds == {"f", "K"}


def test_calls_and_item_assignments_count_as_changes():
    info = cell_names("rng.normal(size=3)\nfit(model, epochs=EPOCHS)\nparams['w'] = 0\n"
                      "obj.attr = 1\nhist.append(2)\n")
    assert {"rng", "model", "EPOCHS", "params", "obj", "hist"} <= info.changes
    assert info.binds == set()


def test_global_state_calls_on_modules_are_state_changes():
    info = cell_names("np.random.seed(0)\ntf.random.set_seed(1)\nnp.mean(x)\n"
                      "r = np.random.default_rng(7)\n")
    assert info.state_changes == {"np", "tf"}


def test_globals_get_with_a_literal_reads_that_name_only():
    info = cell_names('_student = globals().get("ema")\n')
    assert not info.opaque
    assert "ema" in info.uses


@pytest.mark.parametrize("source", [
    "%matplotlib inline\nx = 1",
    "!ls",
    "from m import *",
    "exec('x = 1')",
    "globals()['x'] = 1",
    "get_ipython().run_line_magic('time', '1')",
    "def broken(:\n    pass",
])
def test_cells_that_cannot_be_analysed_are_opaque(source):
    assert cell_names(source).opaque


# --- which cells run ----------------------------------------------------------------------

def test_a_demo_cell_whose_names_nobody_uses_is_skipped():
    assert run_flags(("import numpy as np", True),
                     ("def f(x):\n    return 2 * x", True),
                     ("print(f(np.arange(3)))", False),
                     ("assert f(1) == 2", True)) == [True, True, False, True]


def test_a_demo_cell_that_defines_a_name_a_test_uses_runs():
    assert run_flags(("y_true = [1, 0]", False),
                     ("assert len(y_true) == 2", True)) == [True, True]


def test_a_demo_cell_needed_by_a_needed_demo_cell_runs_too():
    assert run_flags(("a = 1", False),
                     ("b = a + 1", False),
                     ("c = 5", False),
                     ("assert b == 2", True)) == [True, True, False, True]


def test_only_later_cells_make_a_demo_cell_needed():
    assert run_flags(("x = 1", True),
                     ("x = 2", False),
                     ("print(x)", True),
                     ("y = x", False)) == [True, True, True, False]


def test_a_demo_cell_that_advances_a_generator_a_test_uses_runs():
    assert run_flags(("rng = make_rng(0)", True),
                     ("sample = rng.normal(size=3)", False),
                     ("assert rng.normal() < 10", True)) == [True, True, True]


def test_calls_on_modules_and_functions_do_not_make_a_cell_needed():
    assert run_flags(("import numpy as np\nfrom course_utils import plotting", True),
                     ("def ema(v):\n    return v", True),
                     ("plotting.plot_ema(ema(np.arange(3)))", False),
                     ("assert np.all(ema(np.ones(2)) == 1)", True)) == [True, True, False, True]


def test_a_call_that_reaches_global_random_state_runs():
    assert run_flags(("import numpy as np", True),
                     ("np.random.seed(3)", False),
                     ("assert np.random.rand() < 1", True)) == [True, True, True]


def test_calling_a_function_that_sets_a_global_binds_that_global():
    assert run_flags(("def setup():\n    global ready\n    ready = True", False),
                     ("setup()", False),
                     ("assert ready", True)) == [True, True, True]


def test_a_demo_cell_that_cannot_be_analysed_runs():
    assert run_flags(("%time x = 1", False), ("assert True", True)) == [True, True]


def test_every_cell_before_a_running_opaque_cell_runs():
    assert run_flags(("x = 1", False),
                     ("exec('print(x)')", True),
                     ("z = 3", False)) == [True, True, False]


def test_needed_cells_rejects_lengths_that_differ():
    with pytest.raises(ValueError, match=r"same length.*len\(sources\)=2, len\(required\)=1"):
        needed_cells(["a = 1", "b = 2"], [True])


# --- the course's own notebooks -----------------------------------------------------------

def _plan(name: str) -> tuple[list, list[bool]]:
    nb = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    run = needed_cells([c.source for c in code],
                       [bool(c.metadata.get("nbgrader")) for c in code])
    return code, run


@pytest.mark.parametrize("name", sorted(p.stem for p in SOLUTIONS.glob("*.ipynb")))
def test_every_graded_answer_and_setup_cell_of_the_course_runs(name):
    code, run = _plan(name)
    assert all(r for c, r in zip(code, run, strict=True) if c.metadata.get("nbgrader"))


@pytest.mark.parametrize("name", ["03_optimizers", "06_batch_normalization", "07_metrics"])
def test_no_keras_cell_of_the_course_runs_under_grading(name):
    code, run = _plan(name)
    keras_demos = [c for c in code if not c.metadata.get("nbgrader") and "keras" in c.source]
    assert keras_demos
    assert not any(r for c, r in zip(code, run, strict=True) if c in keras_demos)


# --- grading with and without skipping gives the same scores -------------------------------

SKIP_OFF = "\nc.SandboxedExecute.skip_unneeded_cells = False\n"
#: Notebooks graded again with every cell run (the batch graded them with cells skipped):
#: skipped plots (02) and Keras and scikit-learn demos (07), and demo cells that must run
#: because tests use their names (07). Two notebooks keep CI cheap: the same comparison over
#: every notebook, with three known mistakes each, takes the better part of an hour.
OFF_NOTEBOOKS = ("02_moving_average", "07_metrics")


def comparison_submissions(course, mistakes, notebooks=OFF_NOTEBOOKS, *, per_notebook=1):
    """student -> {notebook: submitted notebook}: the full solution, the blank release and the
    first ``per_notebook`` known mistakes of each of ``notebooks``."""
    subs = {FULL: {n: pipeline.solved_notebook(course, n) for n in notebooks},
            BLANK: {n: pipeline.release_notebook(course, n) for n in notebooks}}
    for name in notebooks:
        for m in [m for m in mistakes if m.notebook == name][:per_notebook]:
            subs[m.student] = {name: pipeline.solved_notebook(course, name, m.answers)}
    return subs


def grade_copy(course, submissions, *, skip: bool):
    """Submit ``submissions`` to ``course``, grade with skipping on or off; return the
    gradebook's scores restricted to the submitted notebooks, and nbgrader's log."""
    if not skip:
        with (course / "nbgrader_config.py").open("a") as fh:
            fh.write(SKIP_OFF)
    for student, notebooks in submissions.items():
        pipeline.submit(course, student, notebooks)
    proc = pipeline.autograde(course)
    scores = pipeline.cell_scores(course)
    return {student: {k: v for k, v in scores.get(student, {}).items() if k[0] in notebooks}
            for student, notebooks in submissions.items()}, proc.stdout + proc.stderr


@pytest.mark.slow
def test_skipping_unneeded_cells_changes_no_score(graded_course, tmp_path):
    course = pipeline.prepare_course(tmp_path / "course", notebooks=OFF_NOTEBOOKS)
    submissions = comparison_submissions(course, graded_course.submissions)
    off, log = grade_copy(course, submissions, skip=False)
    assert "Skipping" not in log
    on = {student: {k: v for k, v in graded_course.scores[student].items()
                    if k[0] in submissions[student]} for student in submissions}
    assert all(on[s] for s in submissions), "the batch graded every compared student"
    assert off == on
    batch_log = (graded_course.path / "autograde.log").read_text()
    skipped = [int(n) for n in re.findall(r"Skipping (\d+) of \d+ code cells", batch_log)]
    assert skipped and max(skipped) > 0, "the batch ran with unneeded cells skipped"


# --- which cells SandboxedExecute skips (no kernel started) --------------------------------

def _executor(course, *, skip=True):
    from traitlets.config import Config

    from course_grader.sandbox.execute import SandboxedExecute

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.source_directory = "solutions"
    config.SandboxedExecute.skip_unneeded_cells = skip
    return SandboxedExecute(config=config)


def _graded(source, **md):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "locked": True, "grade": False,
                                 "solution": False, **md}
    return cell


def _instructor_and_student(tmp_path):
    code = nbformat.v4.new_code_cell
    source = nbformat.v4.new_notebook(cells=[
        _graded("import numpy as np", grade_id="x-setup"),
        _graded("def f(x):\n    return 2 * x", grade_id="x-f", solution=True, locked=False),
        code("print(f(np.arange(3)))"),
        code("sample = f(np.ones(2))"),
        _graded("assert sample.sum() == 4", grade_id="x-test", grade=True, points=1),
        code("print('the end')"),
    ])
    folder = tmp_path / "solutions" / "a1"
    folder.mkdir(parents=True)
    nbformat.write(source, folder / "nb.ipynb")
    student = nbformat.from_dict(source)
    student.cells.insert(3, code("print(f(np.arange(3)))  # my own try"))
    resources = {"nbgrader": {"assignment": "a1", "notebook": "nb", "student": "s"}}
    return student, resources


def test_sandboxed_execute_skips_only_unmodified_demo_cells_nobody_needs(tmp_path):
    student, resources = _instructor_and_student(tmp_path)
    skipped = _executor(tmp_path)._unneeded_cells(student, resources)
    # 2: the instructor's print, 6: the last print; 3 (the student's edit) and 4 (the demo
    # cell the test needs) run
    assert skipped == {2, 6}


def test_sandboxed_execute_skips_nothing_without_its_source_notebook(tmp_path):
    student, resources = _instructor_and_student(tmp_path)
    resources["nbgrader"]["notebook"] = "other"
    assert _executor(tmp_path)._unneeded_cells(student, resources) == set()


def test_skipping_is_off_unless_configured(tmp_path):
    from course_grader.sandbox.execute import SandboxedExecute

    assert not SandboxedExecute().skip_unneeded_cells
    assert _executor(tmp_path, skip=False).skip_unneeded_cells is False
