"""The instructor report: one self-contained HTML page and CSV files about a graded class.

``make report`` (``python -m course_grader.report``) reads the gradebook, the autograded
notebooks and the submissions (read-only; no student code runs) and writes ``report/``:

``index.html``
    one page with every plot embedded as a base64 PNG (it opens offline, can be mailed):
    the score distribution, the pass rate per graded cell and per question, the most common
    named mistakes, grading time per student, the integrity findings and the needs-attention
    list;
``students.csv``
    per student: score, maximum, percent, late penalty, grading seconds, problems;
``cells.csv``
    per graded cell: notebook, ``grade_id``, question or test, points, students graded,
    passed (full points), pass rate, mean score;
``mistakes.csv``
    per notebook, cell and named mistake: how many students made it. A *named mistake* is the
    ``Hint: it looks like ...`` line a failed check prints when the answer matches a known
    wrong variant (``course_utils.testing.assert_close(..., mistakes=...)``).

A *question* is a graded cell whose ``grade_id`` has a ``-q-`` part (an autograded answer to a
conceptual question) or a manually graded written answer; the other graded cells are tests.
Grading time is read from ``autograded/``: the student's folder is made when nbgrader starts
on the student, and the last file is written when it finishes.
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import os
import re
import statistics
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from course_grader import attention
from course_grader.pipeline import ASSIGNMENT, EDITIONS

__all__ = ["ClassResults", "load", "write_report", "main"]

_MISTAKE = re.compile(r"Hint: it looks like (.+?)\.?\s*$", re.MULTILINE)


@dataclass
class ClassResults:
    """What the report shows, read from one course folder."""

    max_score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)  # student -> total after penalty
    penalties: dict[str, float] = field(default_factory=dict)
    # (notebook, grade_id) -> (max points, {student: score or None})
    cells: dict[tuple[str, str], tuple[float, dict[str, float | None]]] = \
        field(default_factory=dict)
    manual: set[tuple[str, str]] = field(default_factory=set)
    mistakes: Counter = field(default_factory=Counter)  # (notebook, grade_id, mistake) -> n
    seconds: dict[str, float] = field(default_factory=dict)
    findings: list = field(default_factory=list)
    items: list = field(default_factory=list)


def is_question(grade_id: str, manual: bool) -> bool:
    """A conceptual question (autograded ``-q-`` cell or written answer), not a code test."""
    return manual or "-q-" in grade_id


def _grading_seconds(course: Path) -> dict[str, float]:
    out = {}
    for folder in sorted(f for a in EDITIONS.values()
                         for f in (course / "autograded").glob(f"*/{a}")):
        files = [p for p in folder.rglob("*") if p.is_file()]
        if files:
            start = folder.parent.stat().st_mtime  # set when nbgrader made the folder
            end = max(p.stat().st_mtime for p in files)
            out[folder.parent.name] = max(end - start, 0.0)
    return out


def _named_mistakes(course: Path) -> Counter:
    counts: Counter = Counter()
    for path in sorted(p for a in EDITIONS.values()
                       for p in (course / "autograded").glob(f"*/{a}/*.ipynb")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in data.get("cells", []):
            nbg = (cell.get("metadata") or {}).get("nbgrader") or {}
            if not nbg.get("grade"):
                continue
            seen = set()
            for out in cell.get("outputs") or []:
                if out.get("output_type") == "error":
                    text = "".join(out.get("evalue") or "")
                    seen.update(m.strip() for m in _MISTAKE.findall(text))
            for mistake in seen:
                counts[(path.stem, nbg.get("grade_id", ""), mistake)] += 1
    return counts


def load(course: str | os.PathLike = ".") -> ClassResults:
    """Read the class's results from the course folder (gradebook, autograded/, submitted/)."""
    from nbgrader.api import Gradebook, MissingEntry

    from course_grader import integrity
    from course_grader.gradebook_url import course_db_url

    course = Path(course)
    res = ClassResults()
    with Gradebook(course_db_url(course)) as gb:
        editions = []
        for name in EDITIONS.values():  # one class, whichever edition each student took
            try:
                editions.append(gb.find_assignment(name))
            except MissingEntry:
                continue
        if not editions:
            gb.find_assignment(ASSIGNMENT)  # nbgrader's own error, naming the assignment
        res.max_score = float(editions[0].max_score)
        for notebook in editions[0].notebooks:
            for cell in notebook.grade_cells:
                res.cells[(notebook.name, cell.name)] = (float(cell.max_score), {})
                if cell.cell_type == "markdown":
                    res.manual.add((notebook.name, cell.name))
        for sub in (s for assignment in editions for s in assignment.submissions):
            student = sub.student.id
            penalty = float(sub.late_submission_penalty or 0.0)
            res.scores[student] = max(float(sub.score) - penalty, 0.0)
            res.penalties[student] = penalty
            for nb in sub.notebooks:
                for grade in nb.grades:
                    key = (nb.name, grade.name)
                    if key not in res.cells:
                        continue
                    waiting = grade.cell_type == "markdown" and grade.manual_score is None \
                        and grade.auto_score is None
                    res.cells[key][1][student] = None if waiting else float(grade.score)
    res.mistakes = _named_mistakes(course)
    res.seconds = _grading_seconds(course)
    res.findings = []
    for name in EDITIONS.values():
        try:
            res.findings += integrity.scan_course(course, name)
        except LookupError:
            continue
    res.items = attention.collect(course)
    return res


# --------------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------------
def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(res: ClassResults) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figures = {}
    percents = [100.0 * s / res.max_score if res.max_score else 0.0 for s in res.scores.values()]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.hist(percents, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white",
            label=f"students ({len(percents)})")
    if percents:
        ax.axvline(statistics.median(percents), color="#c44e52", linestyle="--",
                   label=f"median {statistics.median(percents):.0f}%")
    ax.set(title="Score distribution (after late penalties)",
           xlabel=f"total score, % of {res.max_score:g} points", ylabel="students", xlim=(0, 100))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    figures["scores"] = _png(fig)
    plt.close(fig)

    for kind, title in (("test", "Pass rate per graded test cell"),
                        ("question", "Pass rate per question")):
        keys = [k for k in sorted(res.cells)
                if is_question(k[1], k in res.manual) == (kind == "question")]
        shown = [(k, r) for k in keys if (r := _pass_rate(res, k)) is not None]
        if not shown:
            continue
        fig, ax = plt.subplots(figsize=(7, 0.9 + 0.32 * len(shown)))
        notebooks = sorted({k[0] for k, _ in shown})
        colors = {nb: plt.get_cmap("tab10")(i % 10) for i, nb in enumerate(notebooks)}
        for nb in notebooks:
            rows = [(i, r) for i, (k, r) in enumerate(shown) if k[0] == nb]
            ax.barh([i for i, _ in rows], [100 * r for _, r in rows], color=colors[nb],
                    label=nb)
        ax.set_yticks(range(len(shown)), [k[1] for k, _ in shown])
        ax.invert_yaxis()
        ax.set(title=title, xlabel="students with full points, % of those graded", xlim=(0, 100))
        ax.legend(loc="lower right", fontsize="small")
        figures[kind] = _png(fig)
        plt.close(fig)

    if res.mistakes:
        top = res.mistakes.most_common(10)
        fig, ax = plt.subplots(figsize=(7, 1.2 + 0.6 * len(top)))
        labels = [textwrap.fill(f"{gid}: {m}", 45, max_lines=3) for (_, gid, m), _ in top]
        ax.barh(range(len(top)), [n for _, n in top], color="#dd8452", label="students")
        ax.set_yticks(range(len(top)), labels, fontsize="small")
        ax.invert_yaxis()
        ax.set(title="Most common named mistakes", xlabel="students")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="lower right")
        figures["mistakes"] = _png(fig)
        plt.close(fig)

    if res.seconds:
        students = sorted(res.seconds)
        fig, ax = plt.subplots(figsize=(7, 0.9 + 0.3 * len(students)))
        ax.barh(range(len(students)), [res.seconds[s] for s in students], color="#55a868",
                label="wall time")
        mean = statistics.mean(res.seconds.values())
        ax.axvline(mean, color="#c44e52", linestyle="--", label=f"mean {mean:.0f} s")
        ax.set_yticks(range(len(students)), students, fontsize="small")
        ax.invert_yaxis()
        ax.set(title="Grading time per student", xlabel="seconds")
        ax.legend(loc="lower right")
        figures["seconds"] = _png(fig)
        plt.close(fig)
    return figures


def _pass_rate(res: ClassResults, key) -> float | None:
    points, per = res.cells[key]
    graded = [s for s in per.values() if s is not None]
    if not graded:
        return None
    return sum(s >= points for s in graded) / len(graded)


# --------------------------------------------------------------------------------------------
# page and CSV
# --------------------------------------------------------------------------------------------
_CSS = """body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.action{color:#b00}img{max-width:100%}.muted{color:#666}"""


def _table(header: list[str], rows: list[list], classes: list[str] | None = None) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
                    + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render_html(res: ClassResults, figures: dict[str, str]) -> str:
    n = len(res.scores)
    percents = [100.0 * s / res.max_score for s in res.scores.values()] if res.max_score else []
    summary = (f"{n} student(s) graded; maximum {res.max_score:g} points"
               + (f"; median {statistics.median(percents):.0f}%, mean "
                  f"{statistics.mean(percents):.0f}%" if percents else ""))
    act = sum(i.action for i in res.items)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
             f"<title>Grading report: {ASSIGNMENT}</title><style>{_CSS}</style></head><body>",
             f"<h1>Grading report: {ASSIGNMENT}</h1><p>{html.escape(summary)}. "
             f"Needs attention: {act} problem(s) to act on.</p>"]

    def figure(key, alt):
        if key in figures:
            parts.append(f'<img alt="{alt}" src="data:image/png;base64,{figures[key]}">')
        else:
            parts.append('<p class="muted">Nothing to show.</p>')

    parts.append("<h2>Score distribution</h2>")
    figure("scores", "score distribution")
    parts.append("<h2>Pass rate per graded cell</h2>")
    figure("test", "pass rate per graded test cell")
    parts.append("<h2>Pass rate per question</h2>")
    figure("question", "pass rate per question")
    parts.append("<h2>Most common named mistakes</h2>")
    figure("mistakes", "most common named mistakes")
    parts.append(_table(["notebook", "cell", "mistake", "students"],
                        [[nb, gid, m, c] for (nb, gid, m), c in res.mistakes.most_common()]))
    parts.append("<h2>Grading time per student</h2>")
    figure("seconds", "grading time per student")
    parts.append("<h2>Needs attention</h2>")
    items = sorted(res.items, key=lambda i: (not i.action, i.student, i.notebook))
    parts.append(_table(["student", "notebook", "problem", "detail", "fix"],
                        [[i.student, i.notebook, i.problem, i.detail, i.fix] for i in items],
                        ["action" if i.action else "" for i in items]))
    parts.append("<h2>Integrity findings</h2><p class='muted'>Advisory (make integrity); "
                 "no grade was changed.</p>")
    parts.append(_table(["student", "notebook", "cell", "severity", "kind", "detail"],
                        [[f.student, f.notebook, f.cell, f.severity, f.kind, f.detail]
                         for f in res.findings if f.severity in ("high", "medium")]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_report(course: str | os.PathLike = ".", out: str | os.PathLike = "report") -> Path:
    """Write ``index.html``, ``students.csv``, ``cells.csv`` and ``mistakes.csv``; return
    the page's path."""
    course = Path(course)
    out = course / out if not Path(out).is_absolute() else Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res = load(course)
    problems = defaultdict(list)
    for item in res.items:
        problems[item.student].append(item.problem)
    _write_csv(out / "students.csv",
               ["student_id", "score", "max_score", "percent", "late_penalty",
                "grading_seconds", "problems"],
               [[s, f"{v:g}", f"{res.max_score:g}",
                 f"{100 * v / res.max_score:.1f}" if res.max_score else "",
                 f"{res.penalties.get(s, 0.0):g}",
                 f"{res.seconds[s]:.1f}" if s in res.seconds else "",
                 "; ".join(sorted(set(problems.get(s, []))))]
                for s, v in sorted(res.scores.items())])
    rows = []
    for key in sorted(res.cells):
        points, per = res.cells[key]
        graded = [v for v in per.values() if v is not None]
        rate = _pass_rate(res, key)
        rows.append([key[0], key[1], "question" if is_question(key[1], key in res.manual)
                     else "test", f"{points:g}", len(graded),
                     sum(v >= points for v in graded),
                     "" if rate is None else f"{rate:.3f}",
                     f"{statistics.mean(graded):.3f}" if graded else ""])
    _write_csv(out / "cells.csv", ["notebook", "grade_id", "kind", "points", "graded",
                                   "passed", "pass_rate", "mean_score"], rows)
    _write_csv(out / "mistakes.csv", ["notebook", "grade_id", "mistake", "students"],
               [[nb, gid, m, c] for (nb, gid, m), c in res.mistakes.most_common()])
    page = out / "index.html"
    page.write_text(render_html(res, _plots(res)), encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_grader.report",
        description="Write the instructor report (report/index.html and CSV files).")
    parser.add_argument("--course", default=".", help="the course folder (default: .)")
    parser.add_argument("--out", default="report", help="output folder (default: report)")
    args = parser.parse_args(argv)
    page = write_report(args.course, args.out)
    print(f"Report written to {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
