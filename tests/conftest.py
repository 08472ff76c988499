"""Shared fixtures: one real nbgrader course copy, graded once for the whole session."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from course_utils.grading import pipeline
from tests.mistakes import all_mistakes

SOLUTIONS = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
NOTEBOOKS = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
FULL = "full-solution"
BLANK = "blank-release"


class GradedCourse:
    """A course copy after generate + submit + autograde, with what the tests look at."""

    def __init__(self, path: Path, scores, autograde_proc, seconds: float, mistakes):
        self.path = path
        self.scores = scores
        self.autograde_proc = autograde_proc
        self.seconds = seconds
        self.mistakes = mistakes


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory) -> GradedCourse:
    """Generate the release, submit the full solution, the blank release and every known
    mistake as separate students, and autograde them all in one batch."""
    course = pipeline.prepare_course(tmp_path_factory.mktemp("grading") / "course")
    mistakes = all_mistakes()
    pipeline.submit(course, FULL, {n: pipeline.solved_notebook(course, n) for n in NOTEBOOKS})
    pipeline.submit(course, BLANK, {n: pipeline.release_notebook(course, n) for n in NOTEBOOKS})
    for m in mistakes:
        pipeline.submit(course, m.student,
                        {m.notebook: pipeline.solved_notebook(course, m.notebook, m.answers)})
    start = time.perf_counter()
    proc = pipeline.autograde(course)
    seconds = time.perf_counter() - start
    return GradedCourse(course, pipeline.cell_scores(course), proc, seconds, mistakes)
