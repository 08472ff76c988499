"""The instructor's grading run on a class, as an instructor runs it: ``sudo make autograde``.

A fresh checkout (two notebooks, ``00_start_here`` and ``02_moving_average``, to keep it quick)
belongs to a throwaway instructor account; a class of students hands in honest, blank, partial
and known-wrong work, a syntax error, a runaway loop (with and without an extra cell calling
it), a missing, a renamed and an extra notebook, an unreadable notebook and a late submission.
One ``make autograde`` run as root with ``SUDO_USER`` set grades them all; the tests check
every score, the export, the needs-attention summary, the report and who owns the files.
"""

from __future__ import annotations

import csv
import html
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from course_grader import pipeline
from course_grader.pipeline import REPO_ROOT
from tests.conftest import chromium_or_skip
from tests.mistakes import nb02_moving_average

NOTEBOOKS = ("00_start_here", "02_moving_average")
DUE = "2026-11-21 00:00:00 UTC"
ON_TIME = "2026-11-20 12:00:00.000000 UTC"
LATE = "2026-11-22 06:00:00.000000 UTC"  # 30 hours late: two started days
# The checkout grades with a per-cell limit of 20 s instead of the course's 60 s: the runaway
# loops then cost the class little time, and every other cell of 00 and 02 (well under a
# second each) behaves the same.
CELL_SECONDS = 20

_LOOP = """\
def ema(values, beta=0.9):
    while True:
        pass
"""
_SYNTAX = """\
def ema_weights(t, beta=0.9):
    s = np.arange(1, t + 1
    return (1.0 - beta) * beta ** (t - s)
"""
_MISTAKE = next(m for m in nb02_moving_average.MISTAKES if "ema-ema" in m.answers)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="grading and useradd need root")


def _make(checkout: Path, *args: str, env=None, timeout: float = 1500):
    # -o: use the environment as it is (never reinstall it from the copy)
    return subprocess.run(["make", "-s", "-o", ".venv/.installed", *args], cwd=checkout,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})


def _as_user(user: str, *cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``cmd`` as ``user`` (no capabilities, no supplementary groups).

    The test environment's interpreter may live under a home folder only root can enter
    (``/root/.pyenv``); the command then runs in a mount namespace where that home is an empty
    folder holding only the interpreter, as an instructor's own Python would be.
    """
    entry = pwd.getpwnam(user)
    drop = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups",
            "--inh-caps=-all", "--"]
    real = Path(os.path.realpath(sys.executable))
    home = next((p for p in real.parents if p.parent == Path("/root")), None)
    wrap = []
    if home is not None:
        wrap = ["bwrap", "--dev-bind", "/", "/", "--perms", "0755", "--tmpfs", "/root",
                "--ro-bind", str(home), str(home), "--chdir", str(cwd)]
    return subprocess.run([*wrap, *drop, *cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False,
                          env={"PATH": f"{cwd / '.venv' / 'bin'}:{os.environ['PATH']}",
                               "HOME": "/tmp"})


class Class:
    """The graded checkout and what the tests need to know about it."""

    def __init__(self, root: Path, user: str):
        self.root, self.user = root, user
        self.log = ""
        self.status = None
        self.seconds = 0.0

    def solved(self, name: str, overrides=None) -> nbformat.NotebookNode:
        source = nbformat.read(self.root / "solutions" / "lecture02" / f"{name}.ipynb",
                               as_version=4)
        answers = {**pipeline.solution_answers(source), **pipeline.written_answers(source)}
        answers.update(overrides or {})
        return pipeline.fill_answers(self.release(name), answers)

    def release(self, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "notebooks" / "lecture02" / f"{name}.ipynb",
                             as_version=4)

    def hand_in(self, student: str, files: dict, *, timestamp: str = ON_TIME) -> None:
        folder = self.root / "submitted" / student / "lecture02"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, content in files.items():
            if isinstance(content, str):
                (folder / name).write_text(content)
            else:
                nbformat.write(content, folder / name)
        (folder / "timestamp.txt").write_text(timestamp)

    def rows(self, name: str = "grades.csv") -> dict[str, dict]:
        with open(self.root / name, newline="") as fh:
            return {r["student_id"]: r for r in csv.DictReader(fh)}

    def make(self, *args: str):
        env = {"SUDO_USER": self.user, "SUDO_UID": str(pwd.getpwnam(self.user).pw_uid),
               "SUDO_GID": str(pwd.getpwnam(self.user).pw_gid)}
        return _make(self.root, *args, env=env)


def _scratch_cell_calling_ema(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(nb)
    at = next(i for i, c in enumerate(nb.cells)
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ema-ema")
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell("ema(np.ones(3))  # my scratch check"))
    return nb


def _hand_in_class(k: Class) -> None:
    solved = {n: k.solved(n) for n in NOTEBOOKS}
    nb02 = "02_moving_average"

    def files(**notebooks):
        return {f"{n}.ipynb": nb for n, nb in {**solved, **notebooks}.items()}

    k.hand_in("honest", files())
    k.hand_in("blank", {f"{n}.ipynb": k.release(n) for n in NOTEBOOKS})
    source = nbformat.read(k.root / "solutions" / "lecture02" / f"{nb02}.ipynb", as_version=4)
    only_ema = {"ema-ema": pipeline.solution_answers(source)["ema-ema"]}
    k.hand_in("partial", files(**{nb02: pipeline.fill_answers(k.release(nb02), only_ema)}))
    k.hand_in("mistake", files(**{nb02: k.solved(nb02, _MISTAKE.answers)}))
    k.hand_in("syntax", files(**{nb02: k.solved(nb02, {"ema-weights": _SYNTAX})}))
    k.hand_in("loop", files(**{nb02: k.solved(nb02, {"ema-ema": _LOOP})}))
    k.hand_in("loop-scratch",
              files(**{nb02: _scratch_cell_calling_ema(k.solved(nb02, {"ema-ema": _LOOP}))}))
    k.hand_in("missing", {"00_start_here.ipynb": solved["00_start_here"]})
    k.hand_in("renamed", {"00_start_here.ipynb": solved["00_start_here"],
                          f"{nb02} (1).ipynb": solved[nb02]})
    k.hand_in("extra", {**files(), "scratch.ipynb": k.release("00_start_here")})
    k.hand_in("unreadable", {**files(), "00_start_here.ipynb": '{"cells": [{"cell_type": "co'})
    k.hand_in("late", files(), timestamp=LATE)


_SOURCES = {n: nbformat.read(REPO_ROOT / "solutions" / "lecture02" / f"{n}.ipynb", as_version=4)
            for n in NOTEBOOKS}
# The autograded points of each notebook: test cell -> points.
POINTS = {n: pipeline.graded_cells(nb) for n, nb in _SOURCES.items()}
AUTO = {n: sum(cells.values()) for n, cells in POINTS.items()}  # an honest notebook's score
# Written answers wait for the instructor: they count in the maxima, not yet in the scores.
WRITTEN = {n: sum(pipeline.manual_cells(nb).values()) for n, nb in _SOURCES.items()}
_EMA_TESTS = {"ema-ema-test", "ema-ema-inputs-test"}
LOSES = {
    "honest": {},
    "blank": {"00_start_here": set(POINTS["00_start_here"]),
              "02_moving_average": set(POINTS["02_moving_average"])},
    "partial": {"02_moving_average": set(POINTS["02_moving_average"]) - _EMA_TESTS},
    "mistake": {"02_moving_average": set(_MISTAKE.loses)},
    "syntax": {"02_moving_average": {"ema-weights-test"}},
    "loop": {"02_moving_average": _EMA_TESTS},
    "loop-scratch": {"02_moving_average": _EMA_TESTS},
    "missing": {"02_moving_average": set(POINTS["02_moving_average"])},
    "renamed": {"02_moving_average": set(POINTS["02_moving_average"])},
    "extra": {},
    "late": {},
    "unreadable": {"00_start_here": set(POINTS["00_start_here"])},
}


def expected_score(student: str) -> float:
    lost = LOSES[student]
    return sum(p for nb, cells in POINTS.items() for gid, p in cells.items()
               if gid not in lost.get(nb, ()))


def build_class(root: Path, user: str) -> Class:
    """Copy the checkout into ``root`` (owned by ``user``), make the gradebook, hand in the
    class, set the due date as ``user`` and run ``sudo make autograde`` (root, with
    ``SUDO_USER=user``)."""
    os.chmod(root, 0o755)  # the instructor's checkout, readable by its owner
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO_ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    for rel in tracked:
        path = REPO_ROOT / rel
        if path.suffix == ".ipynb" and path.parent.name == "lecture02" \
                and path.stem not in NOTEBOOKS:
            continue
        if path.is_file():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, root / rel)
    (root / ".venv").symlink_to(REPO_ROOT / ".venv")  # this environment, not a new one
    with (root / "nbgrader_config.py").open("a") as fh:
        fh.write(f"\nc.Execute.timeout = {CELL_SECONDS}\n")
    k = Class(root, user)
    entry = pwd.getpwnam(user)
    for path in [root, *root.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    proc = k.make("gradebook.db")  # also brings the release in line with solutions/
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    _hand_in_class(k)
    for path in [root / "submitted", *(root / "submitted").rglob("*")]:  # as if collected
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    proc = _as_user(user, ".venv/bin/nbgrader", "db", "assignment", "add", "lecture02",
                    f"--duedate={DUE}", cwd=root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    started = time.monotonic()
    proc = k.make("autograde")
    k.seconds = time.monotonic() - started
    k.log, k.status = proc.stdout + proc.stderr, proc.returncode
    (root / "autograde.log").write_text(k.log)
    return k


@pytest.fixture(scope="module")
def graded() -> Class:
    """The class, graded once by ``sudo make autograde`` in a checkout its instructor owns."""
    user = f"instr{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
                   check=True, capture_output=True)
    root = Path(tempfile.mkdtemp(prefix="course-"))
    try:
        yield build_class(root, user)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run(["userdel", user], check=False, capture_output=True)


def test_grading_outputs_belong_to_the_instructor_who_ran_sudo(graded):
    uid = pwd.getpwnam(graded.user).pw_uid
    outputs = [graded.root / "gradebook.db", graded.root / "grades.csv",
               *(graded.root / "autograded").rglob("*")]
    assert len(outputs) > 20, graded.log[-3000:]
    root_owned = [str(p.relative_to(graded.root)) for p in outputs if p.lstat().st_uid != uid]
    assert not root_owned, root_owned[:10]


def test_the_instructor_can_save_a_manual_grade_and_export_as_themself(graded):
    script = (
        "from nbgrader.api import Gradebook\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        "    g = gb.find_grade('start-sigmoid-test', '00_start_here', 'lecture02', 'honest')\n"
        "    g.manual_score = 0.5\n"
        "    gb.db.commit()\n")
    proc = _as_user(graded.user, ".venv/bin/python", "-c", script, cwd=graded.root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    try:
        proc = _as_user(graded.user, ".venv/bin/nbgrader", "export", "--to", "grades.csv",
                        cwd=graded.root)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert float(graded.rows()["honest"]["score"]) == expected_score("honest") - 0.5
    finally:
        script = script.replace("0.5", "None")
        _as_user(graded.user, ".venv/bin/python", "-c", script, cwd=graded.root)
        _as_user(graded.user, ".venv/bin/nbgrader", "export", "--to", "grades.csv",
                 cwd=graded.root)


def test_every_student_scores_what_their_work_earns(graded):
    rows = graded.rows()
    for student in LOSES:
        assert float(rows[student]["raw_score"]) == expected_score(student), (
            student, rows[student], graded.log[-3000:])
        for notebook, cells in POINTS.items():
            for gid, points in cells.items():
                got = float(rows[student][f"{notebook}/{gid}"])
                lost = gid in LOSES[student].get(notebook, ())
                assert got == (0.0 if lost else points), (student, gid, got)


def test_an_unreadable_notebook_fails_alone(graded):
    row = graded.rows()["unreadable"]
    assert float(row["02_moving_average"]) == sum(POINTS["02_moving_average"].values())
    assert float(row["00_start_here"]) == 0.0
    autograded = graded.root / "autograded" / "unreadable" / "lecture02" / "00_start_here.ipynb"
    assert "could not be read when it was graded" in autograded.read_text()


def test_grades_csv_has_notebook_question_and_late_penalty_columns(graded):
    rows = graded.rows()
    maxima, nb02 = rows["(max)"], "02_moving_average"
    assert float(maxima[nb02]) == AUTO[nb02] + WRITTEN[nb02]
    assert maxima[f"{nb02}/ema-ema-test"] == "2"
    honest, late = rows["honest"], rows["late"]
    assert float(honest[nb02]) == AUTO[nb02] and float(honest["00_start_here"]) == AUTO[
        "00_start_here"]
    assert honest["late_submission_penalty"] == "0" and honest["seconds_late"] == "0"
    assert late["seconds_late"] == str(30 * 3600), late
    # 30 hours late: two started days, 10% of each notebook's score per day
    total = sum(AUTO.values())
    assert float(late["late_submission_penalty"]) == pytest.approx(0.2 * total)
    assert float(late[f"{nb02} late penalty"]) == pytest.approx(0.2 * AUTO[nb02])
    assert float(late["score"]) == pytest.approx(0.8 * total)
    assert float(late[nb02]) == pytest.approx(0.8 * AUTO[nb02])
    with open(graded.root / "grades_moodle.csv", newline="") as fh:
        moodle = {r["Username"]: r for r in csv.DictReader(fh)}
    assert float(moodle["late"]["Lecture 2 workbook"]) == pytest.approx(0.8 * total)
    assert list(moodle["honest"]) == ["Username", "Email address", "Lecture 2 workbook"]
    with open(graded.root / "grades_canvas.csv", newline="") as fh:
        canvas = list(csv.DictReader(fh))
    assert list(canvas[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                               "Lecture 2 workbook"]
    assert canvas[0]["Student"] == "Points Possible"
    assert float(canvas[0]["Lecture 2 workbook"]) == sum(AUTO.values()) + sum(WRITTEN.values())
    assert {r["SIS User ID"] for r in canvas[1:]} == set(LOSES)


# (student, notebook, problem) the summary must list; nothing else may need action
ATTENTION = {
    ("loop", "02_moving_average", "timed out"),
    ("loop-scratch", "02_moving_average", "timed out"),
    ("renamed", "02_moving_average", "renamed"),
    ("unreadable", "00_start_here", "unreadable"),
    ("missing", "02_moving_average", "missing"),
    ("extra", "scratch", "extra"),
    ("late", "", "late"),
    # 02's written answer waits for a manual grade wherever a student wrote one (the blank
    # and partial students left it empty; renamed and missing handed in no 02)
    *[(student, "", "manual") for student in ("honest", "mistake", "syntax", "loop",
                                              "loop-scratch", "extra", "unreadable", "late")],
}


def test_the_run_ends_with_what_needs_attention_and_a_failing_status(graded):
    assert graded.status != 0, graded.log[-3000:]
    assert "Grades written to grades.csv" in graded.log
    with open(graded.root / "needs_attention.csv", newline="") as fh:
        items = list(csv.DictReader(fh))
    got = {(i["student"], i["notebook"], i["problem"]) for i in items}
    assert got == ATTENTION, sorted(got ^ ATTENTION)
    for item in items:  # every problem is in the log with its fix
        assert f"{item['problem']}: {item['detail']}" in graded.log, item
        assert f"fix: {item['fix']}" in graded.log, item
    renamed = next(i for i in items if i["problem"] == "renamed")
    assert "mv 'submitted/renamed/lecture02/02_moving_average (1).ipynb'" in renamed["fix"]
    assert "sudo make autograde STUDENT=renamed FORCE=1" in renamed["fix"]
    loop = [i for i in items if i["student"] == "loop-scratch"]
    assert any("cell " in i["detail"] for i in loop), loop  # the scratch cell is named


def _timed_out(graded, student: str) -> set[str]:
    """Labels (grade_id, or "cell N") of the cells of ``student``'s autograded 02 notebook
    that were stopped at the per-cell limit."""
    path = graded.root / "autograded" / student / "lecture02" / "02_moving_average.ipynb"
    stopped = set()
    for number, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
        if any(o.get("ename") in ("CellTimeoutError", "KeyboardInterrupt", "TimeoutError")
               for o in cell.get("outputs", [])):
            stopped.add(cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {number}")
    return stopped


def test_a_looping_student_costs_at_most_the_cell_limit_per_calling_cell(graded):
    # `ema` loops forever: only the cells that call it run into the limit, once each (the
    # demo cells that call it are not run under grading; the bias-correction test binds the
    # reference ema while it runs)
    assert _timed_out(graded, "loop") == _EMA_TESTS
    scratch = _timed_out(graded, "loop-scratch")
    assert scratch - _EMA_TESTS and len(scratch - _EMA_TESTS) == 1, scratch
    assert _timed_out(graded, "honest") == set()


def test_a_looping_students_feedback_says_which_function_looped(graded):
    path = graded.root / "autograded" / "loop" / "lecture02" / "02_moving_average.ipynb"
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c
             for c in nbformat.read(path, as_version=4).cells}
    said = f"stopped after {CELL_SECONDS} s, the grader's limit for one cell: probably an " \
        "infinite loop in `ema`"
    for gid in _EMA_TESTS:
        first = next(o for o in cells[gid].outputs if o.get("output_type") == "error")
        assert first.ename == "TimeoutError" and first.evalue.startswith(said), first
    proc = _as_user(graded.user, ".venv/bin/nbgrader", "generate_feedback", "lecture02",
                    "--student", "loop", cwd=graded.root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    page = html.unescape((graded.root / "feedback" / "loop" / "lecture02"
                          / "02_moving_average.html").read_text())
    assert f"TimeoutError: {said}" in page
    assert "KeyboardInterrupt" not in page


def test_the_integrity_report_lists_the_runaway_loops(graded):
    proc = graded.make("integrity")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(graded.root / "integrity_report.csv", newline="") as fh:
        findings = list(csv.DictReader(fh))
    timeouts = {f["student"] for f in findings if f["kind"] == "timeout"}
    assert timeouts == {"loop", "loop-scratch"}, findings
    assert not [f for f in findings if f["student"] == "honest"]


def _blank_png(path: Path) -> bool:
    from PIL import Image

    with Image.open(path) as img:
        colours = img.convert("L").getcolors(maxcolors=1 << 16)
    return colours is not None and len(colours) < 8


def test_make_report_writes_one_page_that_a_browser_shows(graded, tmp_path):
    proc = graded.make("report")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    page = graded.root / "report" / "index.html"
    text = page.read_text()
    for title in ("Score distribution", "Pass rate per graded cell", "Pass rate per question",
                  "Most common named mistakes", "Grading time per student", "Needs attention",
                  "Integrity findings"):
        assert f"<h2>{title}</h2>" in text, title
    assert text.count("data:image/png;base64,") >= 4
    assert "src=\"http" not in text and "<script" not in text  # self-contained
    uid = pwd.getpwnam(graded.user).pw_uid
    assert all(p.stat().st_uid == uid for p in (graded.root / "report").iterdir())
    with open(graded.root / "report" / "students.csv", newline="") as fh:
        students = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert float(students["honest"]["score"]) == sum(AUTO.values())
    assert float(students["loop"]["grading_seconds"]) > 0
    with open(graded.root / "report" / "mistakes.csv", newline="") as fh:
        mistakes = list(csv.DictReader(fh))
    assert any(m["grade_id"] == "ema-ema-test" and int(m["students"]) >= 1 for m in mistakes), \
        mistakes
    chromium = chromium_or_skip()
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,4000",
                    page.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.exists() and not _blank_png(shot)
    shutil.copy2(shot, graded.root / "report" / "screenshot.png")


def test_a_roster_joins_names_and_lists_who_handed_in_nothing(graded):
    roster = graded.root / "roster.csv"
    roster.write_text("id,first_name,last_name,email,lms_user_id\n"
                      "honest,Ada,Lovelace,ada@example.edu,501\n"
                      "absent,Alan,Turing,alan@example.edu,502\n")
    os.chown(roster, pwd.getpwnam(graded.user).pw_uid, pwd.getpwnam(graded.user).pw_gid)
    proc = _as_user(graded.user, ".venv/bin/nbgrader", "db", "student", "import", "roster.csv",
                    cwd=graded.root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = graded.make("export")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = graded.rows()
    assert (rows["honest"]["first_name"], rows["honest"]["email"]) == ("Ada", "ada@example.edu")
    assert rows["absent"]["score"] == "0" and rows["absent"]["timestamp"] == ""
    with open(graded.root / "grades_canvas.csv", newline="") as fh:
        canvas = {r["SIS User ID"]: r for r in csv.DictReader(fh)}
    assert (canvas["honest"]["Student"], canvas["honest"]["ID"]) == ("Lovelace, Ada", "501")


def test_grading_one_student_again_after_a_fix_changes_only_that_student(graded):
    before = graded.rows()
    folder = graded.root / "submitted" / "renamed" / "lecture02"
    (folder / "02_moving_average (1).ipynb").rename(folder / "02_moving_average.ipynb")
    proc = graded.make("autograde", "STUDENT=renamed", "FORCE=1")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "! renamed" not in proc.stdout + proc.stderr, proc.stdout[-2000:]
    after = graded.rows()
    assert float(after["renamed"]["score"]) == expected_score("honest")
    assert {k: v for k, v in after.items() if k != "renamed"} == \
        {k: v for k, v in before.items() if k != "renamed"}
