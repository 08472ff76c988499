"""Parallel grading (``make autograde JOBS=N``, :mod:`course_grader.parallel`): the
same class graded by plain sequential ``nbgrader autograde`` and by two workers into one
gradebook scores every cell the same; a worker killed mid-class loses only the student it was
grading, and the next run finishes the job."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_grader import parallel, pipeline
from course_grader.pipeline import ASSIGNMENT
from tests.mistakes.nb02_moving_average import MISTAKES

NB = "02_moving_average"
_SYNTAX = "def ema(values, beta=0.9):\n    return [v for v in values\n"

pytestmark = pytest.mark.slow


def _run(course: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "course_grader.parallel", ASSIGNMENT, *args],
        cwd=course, capture_output=True, text=True, env={**os.environ, **(env or {})},
        timeout=1200)


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    """One mixed class (honest, blank, a known mistake, a syntax error), in three identical
    course copies: graded sequentially, in parallel, and with a worker killed."""
    root = tmp_path_factory.mktemp("parallel")
    course = pipeline.prepare_course(root / "sequential", notebooks=[NB])
    hand_in = {
        "honest": pipeline.solved_notebook(course, NB),
        "blank": pipeline.release_notebook(course, NB),
        "mistake": pipeline.solved_notebook(course, NB, MISTAKES[0].answers),
        "syntax": pipeline.solved_notebook(course, NB, {"ema-ema": _SYNTAX}),
    }
    for student, nb in hand_in.items():
        pipeline.submit(course, student, {NB: nb})
    copies = {name: root / name for name in ("parallel", "killed")}
    for copy in copies.values():
        shutil.copytree(course, copy)
    sequential = pipeline.autograde(course)
    par = _run(copies["parallel"], "--jobs", "2")
    killed = _run(copies["killed"], "--jobs", "2",
                  env={"COURSE_GRADING_KILL_WORKER_AT": "mistake"})
    return {"students": sorted(hand_in), "sequential": course, "sequential_run": sequential,
            "parallel": copies["parallel"], "parallel_run": par,
            "killed": copies["killed"], "killed_run": killed}


def test_parallel_grading_scores_every_cell_as_a_sequential_run(classes):
    run = classes["parallel_run"]
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    sequential = pipeline.cell_scores(classes["sequential"])
    assert sorted(sequential) == classes["students"]
    assert pipeline.cell_scores(classes["parallel"]) == sequential
    assert pipeline.cell_scores(classes["parallel"], cell_type="markdown") == \
        pipeline.cell_scores(classes["sequential"], cell_type="markdown")
    # the class is mixed: some students lose points, the honest one does not
    earned = {s: sum(v for v, _ in cells.values()) for s, cells in sequential.items()}
    assert earned["blank"] == 0 < earned["mistake"] < earned["honest"]


def test_progress_is_shown_and_no_write_was_lost(classes):
    run = classes["parallel_run"]
    lines = [line for line in run.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == len(classes["students"]), run.stdout
    assert lines[-1].startswith(f"[{len(lines)}/{len(lines)}] ") and "all done" in lines[-1]
    assert "left (done at " in lines[0]
    assert "database is locked" not in run.stdout + run.stderr
    assert pipeline.ungraded_students(classes["parallel"]) == []


def test_a_killed_worker_loses_only_its_student_and_the_next_run_finishes(classes):
    run = classes["killed_run"]
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-3000:]
    assert "mistake: the grading worker died" in run.stderr, run.stderr[-3000:]
    assert "Not graded: mistake" in run.stderr
    assert pipeline.ungraded_students(classes["killed"]) == ["mistake"]
    again = _run(classes["killed"], "--jobs", "2")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "Grading 4 student(s)" in again.stdout
    assert pipeline.cell_scores(classes["killed"]) == \
        pipeline.cell_scores(classes["sequential"])


def test_sqlite_urls_wait_for_other_writers_and_others_are_left_alone():
    assert parallel.patient_db_url("sqlite:////c/gradebook.db") == \
        f"sqlite:////c/gradebook.db?timeout={parallel.SQLITE_WAIT_S}"
    assert parallel.patient_db_url("sqlite:////c/g.db?timeout=5") == "sqlite:////c/g.db?timeout=5"
    url = "postgresql+psycopg://grader@db/course"
    assert parallel.patient_db_url(url) == url


def test_bad_arguments_get_a_clear_error(tmp_path):
    bad = subprocess.run([sys.executable, "-m", "course_grader.parallel", ASSIGNMENT,
                          "--jobs", "0"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 2 and "--jobs: expected a number of worker processes >= 1; " \
        "received 0" in bad.stderr
    (tmp_path / "submitted" / "ann" / ASSIGNMENT).mkdir(parents=True)
    missing = subprocess.run([sys.executable, "-m", "course_grader.parallel",
                              ASSIGNMENT, "--student", "bob"], cwd=tmp_path,
                             capture_output=True, text=True)
    assert missing.returncode == 1
    assert "--student: no submission of lecture02 by 'bob'" in missing.stderr
    assert "handed in: ann" in missing.stderr
