"""One verdict: a correct answer whose code raises a warning passes real ``nbgrader validate``
(the student's Validate button) and gets full marks from real autograde; a wrong answer fails
both. Under nbgrader the warning is a note on stdout (course_utils/_one_verdict.py)."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from course_grader import pipeline
from course_utils import _one_verdict

NB = "02_moving_average"
_WARNS = '''import warnings


def ema(values, beta=0.9):
    warnings.warn("this ema is written with a Python loop", RuntimeWarning)
    theta = np.asarray(values, dtype=np.float64)
    v = np.zeros(len(theta))
    v_prev = 0.0
    for i, theta_t in enumerate(theta):
        v_prev = beta * v_prev + (1.0 - beta) * theta_t
        v[i] = v_prev
    return v
'''
_WRONG_AND_WARNS = _WARNS.replace("(1.0 - beta) * theta_t", "beta * theta_t")

pytestmark = pytest.mark.slow


def _validate(course, nb: nbformat.NotebookNode, name: str) -> subprocess.CompletedProcess:
    path = course / "work" / f"{name}.ipynb"
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=course,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = pipeline.prepare_course(tmp_path_factory.mktemp("verdict") / "course",
                                     notebooks=[NB])
    warns = pipeline.solved_notebook(course, NB, {"ema-ema": _WARNS})
    wrong = pipeline.solved_notebook(course, NB, {"ema-ema": _WRONG_AND_WARNS})
    pipeline.submit(course, "warns", {NB: warns})
    pipeline.submit(course, "wrong", {NB: wrong})
    pipeline.submit(course, "honest", {NB: pipeline.solved_notebook(course, NB)})
    pipeline.autograde(course, check=True)
    return {"root": course, "warns": _validate(course, warns, "warns"),
            "wrong": _validate(course, wrong, "wrong")}


def test_a_warning_does_not_fail_validate(course):
    run = course["warns"]
    assert "Success! Your notebook passes all the tests." in run.stdout, \
        run.stdout[-3000:] + run.stderr[-2000:]
    assert "failed" not in run.stdout.lower()


def test_autograde_gives_the_warning_answer_what_validate_said(course):
    scores = pipeline.cell_scores(course["root"])
    assert scores["warns"] == scores["honest"]
    assert all(score == top for score, top in scores["warns"].values())


def test_a_wrong_answer_fails_both(course):
    run = course["wrong"]
    assert "VALIDATION FAILED" in run.stdout or "failed" in run.stdout.lower(), run.stdout[-3000:]
    scores = pipeline.cell_scores(course["root"])["wrong"]
    assert scores[(NB, "ema-ema-test")][0] == 0


def test_the_warning_is_a_note_on_stdout_in_the_autograded_notebook(course):
    path = course["root"] / "autograded" / "warns" / "lecture02" / f"{NB}.ipynb"
    texts = [o.get("text", "") for c in nbformat.read(path, as_version=4).cells
             for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    assert any("Note: RuntimeWarning: this ema is written with a Python loop" in t
               and "does not change the grade" in t for t in texts), texts
    assert not any(o.get("name") == "stderr" for c in nbformat.read(path, as_version=4).cells
                   for o in c.get("outputs", []))


def test_outside_nbgrader_nothing_is_rerouted(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    before = sys.stderr
    assert _one_verdict.route_stderr_to_stdout() is False
    assert sys.stderr is before


def test_stderr_lines_are_marked_on_stdout():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, t):
            self.text += t

        def flush(self):
            pass

    sink = Sink()
    err = _one_verdict._MarkedStderr(sink)
    err.write("first line\nsecond ")
    err.write("half\n")
    assert sink.text == "[stderr] first line\n[stderr] second half\n"
