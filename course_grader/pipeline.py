"""Run the real nbgrader pipeline on a copy of the course: generate, submit, autograde, export.

Instructor tooling, used by the test suite and by ``bench/``: nothing here is mocked. A
*course copy* is a folder holding ``nbgrader_config.py`` and ``solutions/`` (copied from the
repository) in which ``nbgrader generate_assignment`` writes the release and the gradebook.

Typical use::

    course = prepare_course(tmp_path / "course")
    submit(course, "alice", {"01_loss_functions": solved_notebook(course, "01_loss_functions")})
    autograde(course)
    scores = cell_scores(course)
    # {"alice": {("01_loss_functions", "losses-bce-test"): (2.0, 2.0), ...}}
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "ASSIGNMENT",
    "EDITIONS",
    "REPO_ROOT",
    "Mistake",
    "prepare_course",
    "release_notebook",
    "source_notebook",
    "solution_answers",
    "fill_answers",
    "solved_notebook",
    "submit",
    "run_nbgrader",
    "autograde",
    "autograde_parallel",
    "run_parallel",
    "ungraded_students",
    "cell_scores",
    "graded_cells",
    "manual_cells",
    "written_answers",
]

ASSIGNMENT = "lecture02"
#: Each edition of the workbook is an nbgrader assignment of its own, built from the one
#: English source (tools/editions.py); the same cells, ids and points in every edition.
EDITIONS = {"en": ASSIGNMENT, "ru": f"{ASSIGNMENT}_ru"}
REPO_ROOT = Path(__file__).resolve().parents[1]
_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass(frozen=True)
class Mistake:
    """A known-wrong answer: which answer cells it replaces and which test cells it must lose.

    Attributes
    ----------
    student : str
        The student id the wrong submission is graded under (letters, digits, ``-``, ``_``).
    notebook : str
        Notebook name without ``.ipynb``, e.g. ``"01_loss_functions"``.
    answers : mapping of str to str
        ``grade_id`` of an answer cell -> the wrong source written into it. Every other
        answer cell of that notebook holds the correct solution.
    loses : frozenset of str
        ``grade_id`` of every test cell that must score 0; all other test cells of the
        notebook must get full marks.
    alone : bool
        Grade it as a student of its own, never together with other mistakes: its wrong
        answer changes what a test of another answer cell sees (a test that uses both).
    """

    student: str
    notebook: str
    answers: Mapping[str, str]
    loses: frozenset[str] = field(default_factory=frozenset)
    alone: bool = False

    def __post_init__(self):
        if not re.fullmatch(r"[A-Za-z0-9_-]+", self.student):
            raise ValueError(f"`student` must be letters, digits, '-' or '_'. "
                             f"Received: student={self.student!r}.")
        object.__setattr__(self, "loses", frozenset(self.loses))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")  # nbgrader calls `alembic`
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_nbgrader(course: Path, *args: str, check: bool = True,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` in ``course`` with this interpreter; return the finished process.

    With ``check`` a non-zero exit raises ``RuntimeError`` holding nbgrader's log.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` exited {proc.returncode}:\n"
                           f"{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
    return proc


def prepare_course(dest: Path, *, repo: Path = REPO_ROOT,
                   notebooks: Iterable[str] | None = None, db_url: str | None = None,
                   assignments: Iterable[str] = (ASSIGNMENT,)) -> Path:
    """Copy the course (config + solutions) to ``dest`` and generate the release there.

    ``notebooks`` restricts the copy to these notebook names (without ``.ipynb``); other
    files of ``solutions/<assignment>`` are always copied. ``db_url`` puts the gradebook
    there (``c.CourseDirectory.db_url``, e.g. an empty PostgreSQL database) instead of
    ``gradebook.db``. ``assignments``: the editions to copy and release (:data:`EDITIONS`).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "nbgrader_config.py", dest / "nbgrader_config.py")
    if db_url:
        with open(dest / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(f"\n# the gradebook of this course copy\n"
                         f"c.CourseDirectory.db_url = {db_url!r}\n")
    keep = None if notebooks is None else {f"{n}.ipynb" for n in notebooks}
    for assignment in assignments:
        src = repo / "solutions" / assignment
        out = dest / "solutions" / assignment
        out.mkdir(parents=True, exist_ok=False)
        for path in sorted(src.iterdir()):
            if path.name.startswith(".") or path.name == "__pycache__":
                continue
            if path.suffix == ".ipynb" and keep is not None and path.name not in keep:
                continue
            if path.is_dir():
                shutil.copytree(path, out / path.name)
            else:
                shutil.copy2(path, out / path.name)
        run_nbgrader(dest, "generate_assignment", assignment, "--force")
    return dest


def source_notebook(course: Path, name: str, *,
                    assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    """The instructor version of notebook ``name`` in the course copy."""
    return nbformat.read(Path(course) / "solutions" / assignment / f"{name}.ipynb", as_version=4)


def release_notebook(course: Path, name: str, *,
                     assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    """The student version of notebook ``name`` generated in the course copy."""
    return nbformat.read(Path(course) / "notebooks" / assignment / f"{name}.ipynb", as_version=4)


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_answers(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """``grade_id`` -> source of every answer cell, with the solution markers removed."""
    answers = {}
    for cell in source_nb.cells:
        md = cell.get("metadata", {}).get("nbgrader", {})
        if md.get("solution") and cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if not _MARKER.match(ln)]
            answers[md["grade_id"]] = "\n".join(lines)
    return answers


def written_answers(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """``grade_id`` -> model answer of every manually graded written answer (a markdown cell
    that is both ``solution`` and ``grade``)."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in source_nb.cells
        if cell.cell_type == "markdown" and _is_manual(cell)
    }


def _is_manual(cell) -> bool:
    md = cell.get("metadata", {}).get("nbgrader", {})
    return bool(md.get("solution") and md.get("grade"))


def manual_cells(nb: nbformat.NotebookNode) -> dict[str, float]:
    """``grade_id`` -> points of every manually graded answer cell of ``nb``."""
    return {cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
            for cell in nb.cells if _is_manual(cell)}


def graded_cells(nb: nbformat.NotebookNode) -> dict[str, float]:
    """``grade_id`` -> points of every autograded test cell of ``nb``."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"].get("points", 0))
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        and cell.cell_type == "code"
    }


def fill_answers(release_nb: nbformat.NotebookNode,
                 answers: Mapping[str, str]) -> nbformat.NotebookNode:
    """A copy of ``release_nb`` whose answer cells hold ``answers`` (by ``grade_id``).

    Raises ``KeyError`` naming any ``grade_id`` that is not an answer cell of the notebook.
    """
    nb = nbformat.from_dict(release_nb)  # deep copy
    by_id = {_grade_id(c): c for c in nb.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise KeyError(f"not answer cells of this notebook: {unknown}; "
                       f"answer cells are {sorted(k for k in by_id if k)}")
    for gid, source in answers.items():
        by_id[gid].source = source
    return nb


def solved_notebook(course: Path, name: str,
                    overrides: Mapping[str, str] | None = None, *,
                    assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    """The release of ``name`` with every answer cell solved (written answers hold the model
    answer), then ``overrides`` applied."""
    source = source_notebook(course, name, assignment=assignment)
    answers = {**solution_answers(source), **written_answers(source)}
    answers.update(overrides or {})
    return fill_answers(release_notebook(course, name, assignment=assignment), answers)


def submit(course: Path, student: str, notebooks: Mapping[str, nbformat.NotebookNode], *,
           timestamp: str = "2026-11-20 12:00:00.000000 UTC",
           extra_files: Mapping[str, bytes] | None = None,
           assignment: str = ASSIGNMENT) -> Path:
    """Place a submission as ``nbgrader collect`` would: ``submitted/<student>/<assignment>/``."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    for rel, data in (extra_files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    (folder / "timestamp.txt").write_text(timestamp)
    return folder


def autograde(course: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run ``nbgrader autograde lecture02`` over every submission of the course copy.

    nbgrader exits 1 when any single submission failed; the others are still graded, so by
    default the exit code is returned rather than raised.
    """
    return run_nbgrader(course, "autograde", ASSIGNMENT, *args, check=check)


def autograde_parallel(courses: Iterable[Path]) -> list[subprocess.CompletedProcess]:
    """Autograde several course copies at once, one nbgrader process each.

    nbgrader cannot grade in parallel within one gradebook (nbgrader issue #174), but
    separate course copies have separate gradebooks; on a machine with several cores this
    divides the wall time. Returns one finished process per course, in order.
    """
    cmd = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT]
    return run_parallel([(cmd, Path(course)) for course in courses])


def run_parallel(jobs: Iterable[tuple[list[str], Path]]) -> list[subprocess.CompletedProcess]:
    """Run each ``(command, working directory)`` at the same time; return them finished.

    Output goes to temporary files, not pipes: a pipe that nobody reads while another process
    is waited for fills up (64 KiB) and stalls its writer until the other one has finished.
    """
    procs = []
    for cmd, cwd in jobs:
        out = tempfile.TemporaryFile("w+", encoding="utf-8")
        err = tempfile.TemporaryFile("w+", encoding="utf-8")
        procs.append((cmd, out, err, subprocess.Popen(cmd, cwd=cwd, env=_env(), text=True,
                                                      stdout=out, stderr=err)))
    done = []
    for cmd, out, err, proc in procs:
        proc.wait()
        logs = []
        for fh in (out, err):
            fh.seek(0)
            logs.append(fh.read())
            fh.close()
        done.append(subprocess.CompletedProcess(cmd, proc.returncode, *logs))
    return done


def ungraded_students(course: Path) -> list[str]:
    """Students with a submitted notebook of the assignment that has no autograded copy.

    nbgrader deletes the output of a submission whose grading failed (a kernel that did not
    start, died or timed out at the kernel level), so these are the submissions to look at or
    to grade again with ``nbgrader autograde lecture02 --student <id>``. Other notebooks a
    student hands in (``scratch.ipynb``) are skipped by nbgrader and not counted here.
    """
    course = Path(course)
    assignment = {p.name for p in (course / "notebooks" / ASSIGNMENT).glob("*.ipynb")}
    missing = []
    for folder in sorted((course / "submitted").glob(f"*/{ASSIGNMENT}")):
        student = folder.parent.name
        graded = course / "autograded" / student / ASSIGNMENT
        if any(not (graded / nb.name).exists() for nb in folder.glob("*.ipynb")
               if not assignment or nb.name in assignment):
            missing.append(student)
    return missing


def cell_scores(course: Path, *, cell_type: str = "code", db_url: str | None = None,
                assignment: str = ASSIGNMENT,
                ) -> dict[str, dict[tuple[str, str], tuple[float | None, float]]]:
    """Per student: ``(notebook, grade_id) -> (score, max_score)`` read from the gradebook
    (``db_url``, by default the course's configured one: :func:`course_db_url`).

    ``cell_type="code"`` gives the autograded test cells, ``"markdown"`` the manually graded
    written answers (score ``None`` until an instructor grades them; 0 when left blank).
    Only notebooks the student submitted and nbgrader graded appear.
    """
    from nbgrader.api import Gradebook

    from course_grader.gradebook_url import course_db_url

    url = db_url or course_db_url(course)
    out: dict[str, dict[tuple[str, str], tuple[float | None, float]]] = {}
    with Gradebook(url) as gb:
        for submission in gb.find_assignment(assignment).submissions:
            student = submission.student.id
            per = out.setdefault(student, {})
            for nb in submission.notebooks:
                for grade in nb.grades:
                    if grade.cell_type == cell_type:
                        per[(nb.name, grade.name)] = (_score(grade), float(grade.max_score))
    return out


def _score(grade) -> float | None:
    """A cell's score; ``None`` for a written answer no instructor has graded yet (nbgrader's
    own ``Grade.score`` shows 0 there, as for a blank answer)."""
    if grade.cell_type == "code" or grade.manual_score is not None:
        return grade.score
    return grade.auto_score
