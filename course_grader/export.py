"""``nbgrader export`` for this course: every score the gradebook holds, one row per student.

:class:`GradesExport` is an nbgrader export plugin (``c.ExportApp.plugin_class``). One run of
``nbgrader export --to grades.csv`` (``make export``; ``make autograde`` ends with it) writes:

``grades.csv``
    nbgrader's own columns first (``assignment, duedate, timestamp, student_id, last_name,
    first_name, email, raw_score, late_submission_penalty, score, max_score``), then
    ``seconds_late``, then per notebook ``<notebook>`` (its score after its late penalty) and
    ``<notebook> late penalty``, then per graded cell ``<notebook>/<grade_id>`` (test cells
    and written answers; empty while a written answer waits for the instructor). A second
    row, ``student_id`` = ``(max)``, holds the most points of every score column.
``grades_moodle.csv``
    Moodle's *Import grades from CSV file* (Grades > Import > CSV file): an identifier column
    ``Username`` (the student id), ``Email address``, and one grade-item column named
    ``GradesExport.lms_item`` holding the total score. In Moodle's import form map
    ``Username`` (or ``Email address``) to the user field of the same name and the item column
    to the grade item.
``grades_canvas.csv``
    Canvas's *Import* in the Gradebook: ``Student`` ("Last, First"), ``ID`` (the Canvas user
    id, from the roster's ``lms_user_id``), ``SIS User ID`` (the student id), ``SIS Login ID``
    (the email), ``Section`` (empty), one assignment column named ``GradesExport.lms_item``,
    and a ``Points Possible`` row under the header. Canvas matches students by any of the ID
    columns; a new column name makes a new assignment.

Students come from the gradebook, so a roster imported beforehand joins names, emails and
LMS ids to the scores (and lists students who submitted nothing, with 0)::

    nbgrader db student import roster.csv   # columns: id,first_name,last_name,email,lms_user_id

Configure it in ``nbgrader_config.py``::

    c.ExportApp.plugin_class = "course_grader.export.GradesExport"
    c.GradesExport.lms_item = "Lecture 2 workbook"
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from course_grader.pipeline import ASSIGNMENT, EDITIONS

__all__ = ["GradesExport", "question_columns"]

_NBGRADER_KEYS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                  "email", "raw_score", "late_submission_penalty", "score", "max_score"]
MAX_ROW = "(max)"


def _num(value) -> str:
    """A score as CSV text: ``2.0`` -> ``2``, ``1.25`` -> ``1.25``, ``None`` -> ``""``."""
    if value is None:
        return ""
    value = round(float(value), 6)
    return str(int(value)) if value == int(value) else str(value)


def _text(value) -> str:
    return "" if value is None else str(value)


def question_columns(assignment) -> list[tuple[str, str, float]]:
    """``(notebook, grade_id, max points)`` of every graded cell, in notebook order."""
    out = []
    for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
        for cell in notebook.grade_cells:
            out.append((notebook.name, cell.name, float(cell.max_score)))
    return out


class GradesExport(ExportPlugin):
    """grades.csv with per-notebook and per-question columns, plus Moodle and Canvas files."""

    moodle = Unicode(
        "grades_moodle.csv", help="Moodle grade-import CSV (next to --to); '' skips it",
    ).tag(config=True)
    canvas = Unicode(
        "grades_canvas.csv", help="Canvas gradebook-import CSV (next to --to); '' skips it",
    ).tag(config=True)
    lms_item = Unicode(
        "Lecture 2 workbook",
        help="Name of the grade item (Moodle) or assignment column (Canvas) the total goes to",
    ).tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "grades.csv")
        students = [str(s) for s in self.student]
        names = [str(a) for a in self.assignment]
        rows, header, maxima = [], list(_NBGRADER_KEYS) + ["seconds_late", "edition"], {}
        editions = set(EDITIONS.values())
        seen_workbook = False
        # the English edition first: its columns and maxima stand for the workbook's
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name != ASSIGNMENT):
            if names and assignment.name not in names:
                continue
            if assignment.name in editions:
                # one workbook in several languages: one row per student, one set of columns
                if seen_workbook:
                    continue
                seen_workbook = True
            questions = question_columns(assignment)
            notebooks = sorted({nb for nb, _, _ in questions})
            for nb in notebooks:
                header += [nb, f"{nb} late penalty"]
                maxima[nb] = sum(p for n, _, p in questions if n == nb)
            for nb, gid, points in questions:
                header.append(f"{nb}/{gid}")
                maxima[f"{nb}/{gid}"] = points
            maxima.update(raw_score=assignment.max_score, score=assignment.max_score,
                          max_score=assignment.max_score)
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                chosen = assignment
                if assignment.name in editions:
                    chosen = _submitted_edition(gradebook, student.id,
                                                names or sorted(editions)) or assignment
                row = self._row(gradebook, chosen, student, questions)
                if assignment.name in editions:
                    row["assignment"] = ASSIGNMENT
                    row["edition"] = next((lang for lang, a in EDITIONS.items()
                                           if a == chosen.name and row["timestamp"]), "")
                rows.append(row)
        rows.sort(key=lambda r: (r["assignment"], r["student_id"]))
        max_row = {k: _num(v) for k, v in maxima.items()}
        max_row["student_id"] = MAX_ROW
        self.log.info("Exporting grades of %d student(s) to %s", len(rows), dest)
        _write(dest, header, [max_row, *rows])
        if self.moodle:
            _write(dest.parent / self.moodle, ["Username", "Email address", self.lms_item],
                   [{"Username": r["student_id"], "Email address": r["email"],
                     self.lms_item: r["score"]} for r in rows])
        if self.canvas:
            canvas = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", self.lms_item]
            points = {"Student": "Points Possible", self.lms_item: max_row.get("max_score", "")}
            _write(dest.parent / self.canvas, canvas,
                   [points, *({"Student": ", ".join(x for x in (r["last_name"], r["first_name"])
                                                    if x) or r["student_id"],
                               "ID": r["lms_user_id"], "SIS User ID": r["student_id"],
                               "SIS Login ID": r["email"], "Section": "",
                               self.lms_item: r["score"]} for r in rows)])

    def _row(self, gradebook: Gradebook, assignment, student, questions) -> dict[str, str]:
        row = {"assignment": assignment.name, "duedate": _text(assignment.duedate),
               "student_id": student.id, "last_name": _text(student.last_name),
               "first_name": _text(student.first_name), "email": _text(student.email),
               "lms_user_id": _text(student.lms_user_id),
               "max_score": _num(assignment.max_score)}
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:
            row.update(timestamp="", raw_score="0", late_submission_penalty="0", score="0",
                       seconds_late="")
            return row
        penalty = submission.late_submission_penalty or 0.0
        row.update(timestamp=_text(submission.timestamp), raw_score=_num(submission.score),
                   late_submission_penalty=_num(penalty),
                   score=_num(max(submission.score - penalty, 0.0)),
                   seconds_late=_num(submission.total_seconds_late))
        by_notebook = {nb.name: nb for nb in submission.notebooks}
        for name in sorted({nb for nb, _, _ in questions}):
            nb = by_notebook.get(name)
            late = (nb.late_submission_penalty or 0.0) if nb is not None else 0.0
            row[name] = _num(max(nb.score - late, 0.0)) if nb is not None else "0"
            row[f"{name} late penalty"] = _num(late)
            grades = {g.name: g for g in nb.grades} if nb is not None else {}
            for nb_name, gid, _ in questions:
                if nb_name == name:
                    row[f"{name}/{gid}"] = _cell_score(grades.get(gid))
        return row


def _submitted_edition(gradebook: Gradebook, student: str, names):
    """The edition a student submitted (the latest, if several), or None."""
    found = []
    for name in sorted(set(EDITIONS.values()) & set(names)):
        try:
            sub = gradebook.find_submission(name, student)
        except MissingEntry:
            continue
        found.append((sub.timestamp or datetime.min, name, sub.assignment))
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None


def _cell_score(grade) -> str:
    """A cell's score; empty for a written answer that waits for the instructor."""
    if grade is None:
        return "0"
    if grade.cell_type == "markdown" and grade.manual_score is None \
            and grade.auto_score is None:
        return ""
    return _num(grade.score)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)  # never a half-written file for the LMS
