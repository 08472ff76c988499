"""An answer cell that cannot run shows its own error in the feedback, not only a NameError.

Real nbgrader on a course copy with ``00_start_here``: one student's answer has a SyntaxError,
another's answer cell raises while it runs (a misspelt import); both are autograded and get
their feedback from ``nbgrader generate_feedback`` with ``HideHiddenTests``.
"""

from __future__ import annotations

import html
import re

import pytest

from course_grader import pipeline

NB = "00_start_here"
ANSWER = "start-sigmoid"
STUDENTS = {
    "syntax-error": "def sigmoid(z):\n    z = np.asarray(z\n    return 1 / (1 + np.exp(-z))\n",
    "import-error": "import nunpy\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
}


def _text(raw: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.fixture(scope="module")
def feedback(tmp_path_factory) -> dict[str, str]:
    course = pipeline.prepare_course(tmp_path_factory.mktemp("feedback-errors") / "course",
                                     notebooks=[NB])
    for student, answer in STUDENTS.items():
        pipeline.submit(course, student,
                        {NB: pipeline.solved_notebook(course, NB, {ANSWER: answer})})
    pipeline.autograde(course, check=True)
    pipeline.run_nbgrader(course, "generate_feedback", pipeline.ASSIGNMENT)
    return {s: _text((course / "feedback" / s / pipeline.ASSIGNMENT / f"{NB}.html").read_text())
            for s in STUDENTS}


def test_a_syntax_error_is_shown_in_the_answer_cell_with_its_line(feedback):
    text = feedback["syntax-error"]
    assert ("This answer cell did not run: SyntaxError on line 2. z = np.asarray(z "
            "SyntaxError: '(' was never closed") in text, text[-3000:]


def test_the_test_cells_name_error_names_the_answer_cell_that_did_not_run(feedback):
    assert ("NameError: name 'sigmoid' is not defined (the answer cell `start-sigmoid` that "
            "defines it did not run: SyntaxError on line 2; fix that cell first)"
            ) in feedback["syntax-error"]


def test_an_error_while_the_answer_cell_runs_is_shown_as_such(feedback):
    text = feedback["import-error"]
    assert "This answer cell did not run: ModuleNotFoundError on line 1. import nunpy" in text
    assert "ModuleNotFoundError: No module named 'nunpy'" in text
    assert "Traceback (most recent call last)" not in text
