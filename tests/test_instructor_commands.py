"""The instructors' make targets on a fresh checkout, as an instructor runs them.

One clean copy of the tracked files (with this environment linked in) serves every test: the
first ``make autograde`` makes the gradebook from ``solutions/``, grades in the sandbox and
writes ``grades.csv``, also when a submission cannot be graded; ``STUDENT=`` with ``FORCE=1``
grades one student again after a fix; ``make formgrader`` serves nbgrader's grading interface.
"""

from __future__ import annotations

import csv
import secrets
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from course_grader import pipeline
from course_grader.pipeline import REPO_ROOT
from tests.serving import fetch_once_served, free_port

NAME = "00_start_here"


def _make(checkout: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    # -o: use the environment as it is (never reinstall it from the copy)
    return subprocess.run(["make", "-s", "-o", ".venv/.installed", *args], cwd=checkout,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _solved(checkout: Path, overrides=None) -> nbformat.NotebookNode:
    source = nbformat.read(checkout / "solutions" / "lecture02" / f"{NAME}.ipynb", as_version=4)
    answers = {**pipeline.solution_answers(source), **pipeline.written_answers(source)}
    answers.update(overrides or {})
    return pipeline.fill_answers(
        nbformat.read(checkout / "notebooks" / "lecture02" / f"{NAME}.ipynb", as_version=4),
        answers)


def _hand_in(checkout: Path, student: str, files: dict) -> None:
    folder = checkout / "submitted" / student / "lecture02"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, str):
            (folder / name).write_text(content)
        else:
            nbformat.write(content, folder / name)


def _rows(checkout: Path) -> dict[str, dict]:
    with open(checkout / "grades.csv", newline="") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A clean copy of the tracked files; alice hands in a correct notebook, bob a file
    that is not a notebook; then the first `make autograde` runs."""
    root = tmp_path_factory.mktemp("checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    for rel in tracked:
        if (REPO_ROOT / rel).is_file():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / rel, root / rel)
    (root / ".venv").symlink_to(REPO_ROOT / ".venv")  # this environment, not a new one
    _hand_in(root, "alice", {f"{NAME}.ipynb": _solved(root)})
    _hand_in(root, "bob", {f"{NAME}.ipynb": '{"cells": [{"cell_type": "code", "sour'})
    proc = _make(root, "autograde")
    (root / "first-autograde.log").write_text(proc.stdout + proc.stderr)
    root.joinpath("first-autograde.status").write_text(str(proc.returncode))
    return root


def test_first_autograde_makes_the_gradebook_and_writes_grades_despite_a_failure(checkout):
    log = (checkout / "first-autograde.log").read_text()
    assert (checkout / "first-autograde.status").read_text() != "0", (
        "a submission that cannot be graded must show in the exit status")
    assert "make autograde STUDENT=<id> FORCE=1" in log, log[-2000:]
    assert (checkout / "gradebook.db").exists()
    rows = _rows(checkout)
    solutions = list((checkout / "solutions" / "lecture02").glob("*.ipynb"))
    total = sum(sum(pipeline.graded_cells(nbformat.read(p, as_version=4)).values())
                + sum(pipeline.manual_cells(nbformat.read(p, as_version=4)).values())
                for p in solutions)
    points = sum(pipeline.graded_cells(_solved(checkout)).values())
    assert float(rows["alice"]["score"]) == points, rows["alice"]
    assert float(rows["alice"]["max_score"]) == total, rows["alice"]


def test_grading_one_student_again_after_a_fix_changes_only_that_student(checkout):
    before = _rows(checkout)
    source = nbformat.read(checkout / "solutions" / "lecture02" / f"{NAME}.ipynb", as_version=4)
    first = next(iter(pipeline.solution_answers(source)))
    _hand_in(checkout, "alice", {f"{NAME}.ipynb": _solved(checkout, {first: "pass"})})
    proc = _make(checkout, "autograde", "STUDENT=alice")  # without FORCE: kept as it was
    assert _rows(checkout)["alice"]["score"] == before["alice"]["score"], proc.stderr[-2000:]
    proc = _make(checkout, "autograde", "STUDENT=alice", "FORCE=1")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    after = _rows(checkout)
    assert float(after["alice"]["score"]) < float(before["alice"]["score"])
    assert {k: v for k, v in after.items() if k != "alice"} == \
        {k: v for k, v in before.items() if k != "alice"}


def test_make_formgrader_serves_the_grading_interface(checkout):
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token} "
            "--ServerApp.port_retries=0")
    status, body = fetch_once_served(
        ["make", "-s", "-o", ".venv/.installed", "formgrader", f"LAB_ARGS={args}"], checkout,
        f"http://127.0.0.1:{port}/formgrader?token={token}", "`make formgrader`")
    assert status == 200 and "formgrader" in body.lower(), body[:500]
