"""The gradebook on a real PostgreSQL server (tests/postgres.py starts a throwaway one), and
grading on a real Dask cluster of separate worker processes (:mod:`course_grader.distributed`).

One small mixed class is graded three times: sequentially by ``nbgrader autograde`` into
sqlite, by ``course_grader.parallel`` (2 jobs) into PostgreSQL, and by a Dask LocalCluster
(2 worker processes, 1 thread each) into another PostgreSQL database. Every cell scores the
same in all three; feedback, export, the report's reader and the formgrader work on PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_grader import pipeline
from course_grader.gradebook_url import check_db_url, course_db_url
from course_grader.pipeline import ASSIGNMENT
from tests.mistakes.nb02_moving_average import MISTAKES
from tests.postgres import INSTALL_HINT, postgres_bindir, postgres_server
from tests.serving import fetch_once_served, free_port

NB = "02_moving_average"
pytestmark = pytest.mark.slow


def _run(course: Path, module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "0",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    return subprocess.run([sys.executable, "-m", module, ASSIGNMENT, *args], cwd=course,
                          capture_output=True, text=True, env=env, timeout=1200)


@pytest.fixture(scope="module")
def server():
    if postgres_bindir() is None:
        pytest.skip(INSTALL_HINT)
    with postgres_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def classes(server, tmp_path_factory):
    if shutil.which("bwrap") is None or os.geteuid() != 0:
        pytest.skip("grading needs root and bubblewrap: sudo apt-get install bubblewrap")
    root = tmp_path_factory.mktemp("postgres")
    urls = {"postgres": server.create_database("parallel"),
            "dask": server.create_database("dask")}
    courses = {"sqlite": pipeline.prepare_course(root / "sqlite", notebooks=[NB])}
    for name, url in urls.items():
        courses[name] = pipeline.prepare_course(root / name, notebooks=[NB], db_url=url)
    hand_in = {
        "honest": pipeline.solved_notebook(courses["sqlite"], NB),
        "blank": pipeline.release_notebook(courses["sqlite"], NB),
        "mistake": pipeline.solved_notebook(courses["sqlite"], NB, MISTAKES[0].answers),
    }
    for course in courses.values():
        for student, nb in hand_in.items():
            pipeline.submit(course, student, {NB: nb})
    seconds = {}
    started = time.monotonic()
    runs = {"sqlite": pipeline.autograde(courses["sqlite"])}
    seconds["sqlite"] = time.monotonic() - started
    started = time.monotonic()
    runs["postgres"] = _run(courses["postgres"], "course_grader.parallel", "--jobs", "2")
    seconds["postgres"] = time.monotonic() - started
    started = time.monotonic()
    runs["dask"] = _run(courses["dask"], "course_grader.distributed", "--local", "2")
    seconds["dask"] = time.monotonic() - started
    print(f"grading wall times: {seconds}")
    return {"students": sorted(hand_in), "courses": courses, "runs": runs, "urls": urls}


def _ok(run: subprocess.CompletedProcess) -> None:
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]


def test_the_course_reads_its_gradebook_url_from_its_config(classes):
    courses = classes["courses"]
    assert course_db_url(courses["postgres"]) == classes["urls"]["postgres"]
    assert course_db_url(courses["sqlite"]) == \
        f"sqlite:///{(courses['sqlite'] / 'gradebook.db').resolve()}"
    assert not (courses["postgres"] / "gradebook.db").exists()  # nothing went to sqlite


def test_postgres_parallel_scores_every_cell_as_sqlite(classes):
    _ok(classes["runs"]["postgres"])
    sqlite = pipeline.cell_scores(classes["courses"]["sqlite"])
    assert sorted(sqlite) == classes["students"]
    assert pipeline.cell_scores(classes["courses"]["postgres"]) == sqlite
    assert pipeline.cell_scores(classes["courses"]["postgres"], cell_type="markdown") == \
        pipeline.cell_scores(classes["courses"]["sqlite"], cell_type="markdown")
    earned = {s: sum(v for v, _ in cells.values()) for s, cells in sqlite.items()}
    assert earned["blank"] == 0 < earned["mistake"] < earned["honest"]


def test_dask_local_cluster_scores_every_cell_as_sqlite_and_postgres(classes):
    run = classes["runs"]["dask"]
    _ok(run)
    assert "on 2 Dask worker(s)" in run.stdout, run.stdout
    lines = [line for line in run.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 3 and "all done" in lines[-1], run.stdout
    dask = pipeline.cell_scores(classes["courses"]["dask"])
    assert dask == pipeline.cell_scores(classes["courses"]["sqlite"])
    assert dask == pipeline.cell_scores(classes["courses"]["postgres"])
    assert pipeline.ungraded_students(classes["courses"]["dask"]) == []


def _grades(course: Path) -> list[dict]:
    pipeline.run_nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return sorted(rows, key=lambda row: row.get("student_id", ""))


def test_export_feedback_and_report_work_on_postgres(classes):
    sqlite, postgres = classes["courses"]["sqlite"], classes["courses"]["postgres"]
    _ok(classes["runs"]["postgres"])
    assert _grades(postgres) == _grades(sqlite)
    pipeline.run_nbgrader(postgres, "generate_feedback", ASSIGNMENT)
    for student in classes["students"]:
        html = postgres / "feedback" / student / ASSIGNMENT / f"{NB}.html"
        assert html.is_file() and "BEGIN HIDDEN TESTS" not in html.read_text()
    from course_grader import report

    assert report.load(postgres).scores == report.load(sqlite).scores
    attention = subprocess.run([sys.executable, "-m", "course_grader.attention"], cwd=postgres,
                               capture_output=True, text=True, timeout=300)
    assert "Traceback" not in attention.stderr, attention.stderr[-3000:]


def test_a_db_url_that_does_not_connect_is_named_with_a_hint(server, tmp_path):
    missing = server.url("no_such_database")
    with pytest.raises(ValueError, match="no_such_database") as error:
        check_db_url(missing)
    assert "createdb" in str(error.value)
    (tmp_path / "nbgrader_config.py").write_text(f"c.CourseDirectory.db_url = {missing!r}\n")
    (tmp_path / "submitted" / "ann" / ASSIGNMENT).mkdir(parents=True)
    run = _run(tmp_path, "course_grader.parallel", "--jobs", "1")
    assert run.returncode == 1
    assert "db_url: expected a database that accepts a connection" in run.stderr, run.stderr



def test_the_formgrader_lists_the_graded_submissions_from_postgres(classes):
    course = classes["courses"]["postgres"]
    _ok(classes["runs"]["postgres"])
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--notebook-dir={course}",
           "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
           "--ServerApp.port_retries=0", *(["--allow-root"] if os.geteuid() == 0 else [])]
    url = f"http://127.0.0.1:{port}/formgrader/api/submissions/{ASSIGNMENT}?token={token}"
    status, body = fetch_once_served(cmd, course, url, "the formgrader")
    assert status == 200
    submissions = {s["student"]: s for s in json.loads(body)}
    assert sorted(submissions) == classes["students"]
    assert all(s["autograded"] for s in submissions.values())
    sqlite = pipeline.cell_scores(classes["courses"]["sqlite"])
    for student, sub in submissions.items():
        assert sub["score"] == pytest.approx(sum(v for v, _ in sqlite[student].values()))


def test_a_sqlite_gradebook_migrates_to_postgres_with_every_score(classes, server):
    from course_grader import migrate_gradebook

    sqlite = classes["courses"]["sqlite"]
    dst = server.create_database("migrated")
    copied = migrate_gradebook.copy_gradebook(course_db_url(sqlite), dst)
    assert copied["grade"] > 0 and copied["alembic_version"] == 1
    for cell_type in ("code", "markdown"):
        assert pipeline.cell_scores(sqlite, cell_type=cell_type, db_url=dst) == \
            pipeline.cell_scores(sqlite, cell_type=cell_type)
    again = subprocess.run([sys.executable, "-m", "course_grader.migrate_gradebook",
                            course_db_url(sqlite), dst], capture_output=True, text=True)
    assert again.returncode == 1
    assert "DST_URL: expected an empty database" in again.stderr, again.stderr
