"""Shared fixtures: one real nbgrader course copy, graded once for the whole session."""

from __future__ import annotations

import time

import pytest

from course_utils.grading import pipeline
from tests.mistakes import all_mistakes

SOLUTIONS = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
NOTEBOOKS = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
FULL = "full-solution"
BLANK = "blank-release"


SHARDS = 2  # course copies graded at the same time (the CI machine has 2 cores)


class GradedCourse:
    """Course copies after generate + submit + autograde, with what the tests look at.

    ``path`` is the copy holding the full solution and the blank release; the known
    mistakes are spread over all copies. ``scores`` merges every copy's gradebook.
    """

    def __init__(self, paths, scores, procs, seconds: float, mistakes):
        self.path = paths[0]
        self.paths = paths
        self.scores = scores
        self.procs = procs
        self.seconds = seconds
        self.mistakes = mistakes


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory) -> GradedCourse:
    """Generate the release, submit the full solution, the blank release and every known
    mistake as separate students, and autograde them (in ``SHARDS`` parallel batches)."""
    root = tmp_path_factory.mktemp("grading")
    courses = [pipeline.prepare_course(root / f"course{i}") for i in range(SHARDS)]
    mistakes = all_mistakes()
    first = courses[0]
    pipeline.submit(first, FULL, {n: pipeline.solved_notebook(first, n) for n in NOTEBOOKS})
    pipeline.submit(first, BLANK, {n: pipeline.release_notebook(first, n) for n in NOTEBOOKS})
    load = [2 * len(NOTEBOOKS)] + [0] * (SHARDS - 1)  # notebooks to grade per copy
    for m in mistakes:
        i = load.index(min(load))
        load[i] += 1
        course = courses[i]
        pipeline.submit(course, m.student,
                        {m.notebook: pipeline.solved_notebook(course, m.notebook, m.answers)})
    start = time.perf_counter()
    procs = pipeline.autograde_parallel(courses)
    for course, proc in zip(courses, procs, strict=True):
        (course / "autograde.log").write_text(proc.stdout + proc.stderr)
    # A kernel that fails to start (a ZeroMQ port taken by the other batch between choosing
    # and binding it, nbgrader issue #174) fails that one submission as a whole. Such a
    # student is graded once more, alone; a real grading failure fails twice and shows up
    # in the score assertions below.
    retried = {}
    for course in courses:
        for student in pipeline.ungraded_students(course):
            proc = pipeline.autograde(course, "--student", student)
            (course / f"autograde-retry-{student}.log").write_text(proc.stdout + proc.stderr)
            retried[student] = proc.returncode
    seconds = time.perf_counter() - start
    scores = {}
    for course in courses:
        scores.update(pipeline.cell_scores(course))
    graded = GradedCourse(courses, scores, procs, seconds, mistakes)
    graded.retried = retried
    return graded
