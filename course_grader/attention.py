"""What needs the instructor's attention after a grading run, each with the command that fixes it.

``make autograde`` ends with ``python -m course_grader.attention``: it reads the
gradebook, ``submitted/`` and ``autograded/`` (never student code; nothing is executed) and
prints one line per problem, writes them to ``needs_attention.csv`` and exits 1 when any of
them needs action. Problems, per student and notebook:

=================  ======  =====================================================================
problem            action  what it means
=================  ======  =====================================================================
``unreadable``     yes     the submitted file is not a notebook (truncated, not JSON)
``not graded``     yes     submitted, but nbgrader wrote no graded copy (its log says why)
``renamed``        yes     a notebook under another name whose graded cells are the assignment's
``timed out``      yes     a cell hit its time limit (often an infinite loop in the student's code)
``not run``        yes     a cell that never ran (the kernel died or the notebook's time ran out)
``re-check``       yes     a test passed in the notebook but failed the trusted re-check
``missing``        no      the student handed in no notebook of that name
``extra``          no      a notebook that is not part of the assignment (not graded)
``late``           no      submitted after the due date; the late penalty is in ``grades.csv``
``not in roster``  no      a roster was imported and this student is not on it
``manual``         no      written answers wait for a manual grade (``make formgrader``)
=================  ======  =====================================================================

Items with "action" make the exit status 1; the others are listed so that nothing is missed,
but are what a class normally looks like. ``--student`` restricts everything to one student
(``make autograde STUDENT=<id>``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from course_grader.pipeline import ASSIGNMENT, EDITIONS

__all__ = ["Item", "ACTION", "TIMEOUT_ERRORS", "NOT_RUN_ERRORS", "collect", "main"]

ACTION = ("unreadable", "not graded", "renamed", "timed out", "not run", "re-check")
# Error names the grader writes into a cell that hit its time limit, or that never ran.
TIMEOUT_ERRORS = ("CellTimeoutError", "KeyboardInterrupt", "TimeoutError")
NOT_RUN_ERRORS = ("NotRunError", "DeadKernelError")


@dataclass(frozen=True)
class Item:
    """One problem: who, where, what, and the command that fixes it."""

    student: str
    notebook: str
    problem: str
    detail: str
    fix: str

    @property
    def action(self) -> bool:
        return self.problem in ACTION


def _regrade(student: str, notebook: str | None = None) -> str:
    only = f" NOTEBOOK={notebook}" if notebook else ""
    return f"sudo make autograde STUDENT={student}{only} FORCE=1"


def _read_json(path: Path) -> tuple[dict | None, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:120]}"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "not a notebook (no list of cells)"
    return data, ""


def _grade_ids(data: dict) -> set[str]:
    ids = set()
    for cell in data.get("cells", []):
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
        if isinstance(nbg, dict) and isinstance(nbg.get("grade_id"), str):
            ids.add(nbg["grade_id"])
    return ids


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _cell_problems(student: str, notebook: str, data: dict,
                   assignment: str = ASSIGNMENT) -> list[Item]:
    """Timeouts, cells that never ran and failed re-checks in an autograded notebook."""
    items = []
    rel = f"autograded/{student}/{assignment}/{notebook}.ipynb"
    for number, cell in enumerate(data.get("cells", []), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        nbg = (cell.get("metadata") or {}).get("nbgrader") or {}
        where = nbg.get("grade_id") or f"cell {number}"
        errors = [o for o in cell.get("outputs") or [] if o.get("output_type") == "error"]
        for out in errors[-1:]:  # the grader's verdict on the cell is its last error
            ename, evalue = str(out.get("ename")), _text(out.get("evalue")).split("\n")[0]
            if ename in TIMEOUT_ERRORS:
                items.append(Item(student, notebook, "timed out", f"{where}: {ename} {evalue}"
                                  .strip(), f"look at {where} in {rel} (a loop that never "
                                  f"ends?); to grade again: {_regrade(student, notebook)}"))
            elif ename in NOT_RUN_ERRORS:
                items.append(Item(student, notebook, "not run", f"{where}: {evalue[:160]}",
                                  f"look at {rel}; to grade again: "
                                  f"{_regrade(student, notebook)}"))
            elif ename == "RecheckFailed":
                items.append(Item(student, notebook, "re-check", f"{where}: {evalue[:160]}",
                                  f"read {where} in {rel} and `make integrity`; the cell "
                                  "scores 0 until that is resolved"))
    return items


def _gradebook(course: Path, assignment_name: str = ASSIGNMENT):
    """Notebook names, students, late seconds and manual grades waiting, from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    notebooks: list[str] = []
    roster: dict[str, bool] = {}
    late: dict[str, tuple[float, float]] = {}
    manual: dict[str, int] = {}
    from course_grader.gradebook_url import course_db_url, sqlite_path

    url = course_db_url(course)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return notebooks, roster, late, manual
    with Gradebook(url) as gb:
        try:
            assignment = gb.find_assignment(assignment_name)
        except MissingEntry:
            return notebooks, roster, late, manual
        notebooks = sorted(nb.name for nb in assignment.notebooks)
        for student in gb.students:
            roster[student.id] = bool(student.email or student.first_name or student.last_name)
        for sub in assignment.submissions:
            if sub.total_seconds_late and sub.total_seconds_late > 0:
                late[sub.student.id] = (float(sub.total_seconds_late),
                                        float(sub.late_submission_penalty or 0.0))
            waiting = sum(1 for nb in sub.notebooks for g in nb.grades
                          if g.cell_type == "markdown" and g.needs_manual_grade)
            if waiting:
                manual[sub.student.id] = waiting
    return notebooks, roster, late, manual


def collect(course: str | os.PathLike = ".", *, students: Iterable[str] = ()) -> list[Item]:
    """Every problem of the course's last grading run (see the module docstring), in every
    edition."""
    course = Path(course)
    return [item for assignment in EDITIONS.values()
            for item in _collect(course, assignment, set(students))]


def _collect(course: Path, assignment: str, only: set[str]) -> list[Item]:
    """Every problem of one edition's last grading run."""
    notebooks, roster, late, manual = _gradebook(course, assignment)
    if not notebooks:
        notebooks = sorted(p.stem for p in (course / "notebooks" / assignment).glob("*.ipynb"))
    expected_ids = {}
    for name in notebooks:
        source = course / "solutions" / assignment / f"{name}.ipynb"
        data, _ = _read_json(source) if source.exists() else (None, "")
        expected_ids[name] = _grade_ids(data) if data else set()
    has_roster = any(roster.values())
    items: list[Item] = []
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        if only and student not in only:
            continue
        graded = course / "autograded" / student / assignment
        handed = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
        for name in notebooks:
            path = handed.get(name)
            rel = f"submitted/{student}/{assignment}/{name}.ipynb"
            if path is None:
                continue
            data, why = _read_json(path)
            if data is None:
                items.append(Item(student, name, "unreadable", why,
                                  f"ask {student} for the notebook again, replace {rel}, then: "
                                  f"{_regrade(student, name)}"))
                continue
            result = graded / f"{name}.ipynb"
            if not result.exists():
                items.append(Item(student, name, "not graded",
                                  "no autograded copy: grading this notebook failed",
                                  f"read the autograde log for {student}, then: "
                                  f"{_regrade(student, name)}"))
                continue
            data, why = _read_json(result)
            if data is not None:
                items.extend(_cell_problems(student, name, data, assignment))
        missing = [n for n in notebooks if n not in handed]
        for stem, path in handed.items():
            if stem in notebooks:
                continue
            data, _ = _read_json(path)
            ids = _grade_ids(data) if data else set()
            match = max(missing, key=lambda n: len(ids & expected_ids[n]), default=None)
            rel = f"submitted/{student}/{assignment}"
            if match and ids & expected_ids[match]:
                missing.remove(match)
                items.append(Item(student, match, "renamed",
                                  f"{path.name!r} holds the graded cells of {match}.ipynb",
                                  f"mv '{rel}/{path.name}' {rel}/{match}.ipynb && "
                                  f"{_regrade(student)}"))
            else:
                items.append(Item(student, stem, "extra",
                                  f"{path.name!r} is not part of the assignment (not graded)",
                                  "nothing to do, unless it is the student's real work"))
        for name in missing:
            items.append(Item(student, name, "missing", "no notebook of this name was handed in",
                              f"if it arrives: put it in submitted/{student}/{assignment}/, "
                              f"then: {_regrade(student, name)}"))
        if student in late:
            seconds, penalty = late[student]
            items.append(Item(student, "", "late",
                              f"{seconds / 3600:.1f} h late, penalty {penalty:g} points",
                              "applied in grades.csv (late policy: nbgrader_config.py)"))
        if has_roster and not roster.get(student):
            items.append(Item(student, "", "not in roster", "no name or email in the gradebook",
                              "add the student to roster.csv, then: "
                              "nbgrader db student import roster.csv && make export"))
        if student in manual:
            items.append(Item(student, "", "manual",
                              f"{manual[student]} written answer(s) wait for a grade",
                              "make formgrader, then make export"))
    return items


def write_csv(items: Iterable[Item], path: str | os.PathLike) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.name for f in fields(Item)] + ["action"])
        for item in items:
            writer.writerow([*astuple(item), "yes" if item.action else "no"])


def format_summary(items: list[Item]) -> str:
    """The needs-attention summary printed at the end of ``make autograde``."""
    if not items:
        return "Needs attention: nothing; every submitted notebook was graded."
    act = [i for i in items if i.action]
    lines = [f"Needs attention: {len(act)} problem(s) to act on, {len(items) - len(act)} "
             "to know about (also in needs_attention.csv)"]
    for item in sorted(items, key=lambda i: (not i.action, i.student, i.notebook)):
        where = f"{item.student}/{item.notebook}" if item.notebook else item.student
        mark = "!" if item.action else "-"
        lines.append(f"  {mark} {where}: {item.problem}: {item.detail}")
        lines.append(f"      fix: {item.fix}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_grader.attention",
        description="List what needs attention after `nbgrader autograde`; exit 1 if any "
                    "problem needs action.")
    parser.add_argument("--course", default=".", help="the course folder (default: .)")
    parser.add_argument("--student", action="append", default=[],
                        help="only this student (repeatable)")
    parser.add_argument("--out", default="needs_attention.csv", help="CSV to write ('' for none)")
    args = parser.parse_args(argv)
    everyone = collect(args.course)
    if args.out:  # the whole class, also when grading one student again
        write_csv(everyone, Path(args.course) / args.out)
    items = [i for i in everyone if not args.student or i.student in args.student]
    print(format_summary(items), file=sys.stderr if any(i.action for i in items) else sys.stdout)
    return 1 if any(i.action for i in items) else 0


if __name__ == "__main__":
    raise SystemExit(main())
