"""Time the workbook against the budgets in the design: each solution notebook <= 60 s,
all of them <= 6 min, and a full student submission autogrades in <= 60 s and in <= 1.2 x
the time stock nbgrader ``Execute`` takes on the same submission.

Usage: ``make bench`` (or ``python bench/bench.py [--repeat N] [--skip-autograde]
[--skip-notebooks] [--skip-parallel] [--skip-looping] [--notebooks NAME ...]``). Prints a
table and writes ``bench/results/latest.json``. A benchmark, not a test: it never fails on a
slow machine, it reports.

The autograde comparison grades one full-solution submission of every notebook three times,
side by side in one run, each in its own course copy: this project's grading (sandbox,
re-check, demo cells that no graded cell needs skipped), the same with every cell run, and
stock nbgrader (its own ``Execute``: no sandbox, no re-check). Per notebook, the time splits
into setup, answer, demo and test cells (nbclient's cell timing), the re-check, and the rest
("other": kernel start, nbgrader's own passes and gradebook writes).

Then a class of four full submissions is graded by ``make autograde``'s driver at one job and
at two (the parallel speed-up). Last, two students whose ``ema`` loops forever are graded
(notebook 02, the course's own limits): what such a student costs, and which cells were
stopped at the per-cell limit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course_grader import pipeline

NOTEBOOK_BUDGET_S = 60.0
ALL_NOTEBOOKS_BUDGET_S = 360.0
AUTOGRADE_BUDGET_S = 60.0
RATIO_BUDGET = 1.2  # this project's grading against stock nbgrader `Execute`
SOLUTIONS = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT


def time_notebook(path: Path) -> float:
    """Execute ``path`` in a fresh kernel (as nbval does) and return the wall time in s."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


#: nbgrader's own autograde pipeline (nbgrader 0.9 defaults): no sandbox, no re-check, no
#: skipped cells. Appended to a course copy's ``nbgrader_config.py``.
STOCK_CONFIG = """
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbgrader.preprocessors.LimitOutput", "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties", "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.post_convert_hook = None
"""
#: Keep nbclient's per-cell timing in the autograded notebooks (ClearMetadataPreprocessor
#: would drop it), so that the time can be split by kind of cell.
KEEP_TIMING_CONFIG = """
c.Autograde.autograde_preprocessors = [
    p for p in c.Autograde.autograde_preprocessors if not p.endswith("ClearMetadataPreprocessor")
]
"""
#: The ways of grading compared, each a course copy: name -> lines added to its config.
MODES = {
    "this project": "",
    "this project, every cell run": "c.SandboxedExecute.skip_unneeded_cells = False\n",
    "stock nbgrader Execute": STOCK_CONFIG,
}
LOG_ARGS = ("--Application.log_datefmt=%H:%M:%S",
            "--Application.log_format=%(asctime)s.%(msecs)03d %(levelname)s %(message)s")
_LOG_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \w+ (.*)$")


def _cell_kind(cell) -> str:
    md = cell.get("metadata", {}).get("nbgrader", {})
    if md.get("grade"):
        return "tests"
    if md.get("solution"):
        return "answers"
    if md:
        return "setup"
    return "demos"


def _cell_seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = datetime.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))
            ).total_seconds()


def _breakdown(course: Path, student: str, log: str) -> dict[str, dict]:
    """Per notebook: wall seconds from the log, seconds by kind of cell, re-check, skips."""
    per: dict[str, dict] = {}
    current, last = None, None
    for line in log.splitlines():
        m = _LOG_LINE.match(line)
        if not m:
            continue
        h, mi, sec, ms, text = m.groups()
        t = int(h) * 3600 + int(mi) * 60 + int(sec) + int(ms) / 1000
        last = t
        found = re.search(r"Converting notebook .*/submitted/[^/]+/[^/]+/([^/]+)\.ipynb", text)
        if found and found.group(1) != current:
            if current is not None:
                per[current]["seconds"] = t - per[current]["start"]
            current = found.group(1)
            per[current] = {"start": t, "recheck_s": 0.0, "recheck_work_s": 0.0, "skipped": 0}
        elif current is not None:
            # the re-check's own work, and the part of it the notebook's grading waited for
            # (its kernel starts while the notebook runs)
            rc = re.search(r"Re-checked \d+ graded cells in ([\d.]+) s .*waited ([\d.]+) s",
                           text)
            if rc:
                per[current]["recheck_work_s"] += float(rc.group(1))
                per[current]["recheck_s"] += float(rc.group(2))
            sk = re.search(r"Skipping (\d+) of \d+ code cells", text)
            if sk:
                per[current]["skipped"] = int(sk.group(1))
    if current is not None and last is not None:
        per[current]["seconds"] = last - per[current]["start"]
    for name, row in per.items():
        row.pop("start")
        path = course / "autograded" / student / pipeline.ASSIGNMENT / f"{name}.ipynb"
        kinds = {"setup": 0.0, "answers": 0.0, "demos": 0.0, "tests": 0.0}
        if path.exists():
            for cell in nbformat.read(path, as_version=4).cells:
                seconds = _cell_seconds(cell) if cell.cell_type == "code" else None
                if seconds is not None:
                    kinds[_cell_kind(cell)] += seconds
        row.update({k: round(v, 2) for k, v in kinds.items()})
        cells = sum(kinds.values()) + row["recheck_s"]
        row["other"] = round(max(0.0, row["seconds"] - cells), 2)  # kernel start, nbgrader
        row["seconds"] = round(row["seconds"], 2)
    return per


def _machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (``/proc/stat``: everything but idle and
    iowait). Grading's kernels run in sandboxes whose processes are reaped inside their own
    pid namespace, so no rusage of this process sees them; on a quiet machine the busy time
    of the machine during a run is the run's CPU time. 0.0 where there is no /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(f) for f in fields]
    busy = sum(ticks) - ticks[3] - ticks[4]  # idle, iowait
    return busy / os.sysconf("SC_CLK_TCK")


def time_autograde(names: list[str], modes: dict[str, str] | None = None,
                   ) -> dict[str, dict]:
    """Autograde the same full-solution submission of every notebook once per grading mode.

    Each mode grades in its own course copy, one after the other (never two at once, so the
    figures compare on a quiet machine). Returns mode -> {"seconds", "earned", "possible",
    "recheck", "notebooks": per-notebook breakdown, "scores"}.
    """
    modes = MODES if modes is None else modes
    student = "bench"
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        first = pipeline.prepare_course(Path(tmp) / "course", notebooks=names)
        pipeline.submit(first, student,
                        {n: pipeline.solved_notebook(first, n) for n in names})
        for i, (mode, extra) in enumerate(modes.items()):
            course = Path(tmp) / f"course-{i}"
            shutil.copytree(first, course)
            with (course / "nbgrader_config.py").open("a") as fh:
                fh.write(f"\n# --- bench: {mode} ---\n{extra}{KEEP_TIMING_CONFIG}")
            start, cpu = time.perf_counter(), _machine_cpu()
            proc = pipeline.autograde(course, *LOG_ARGS, check=True)
            seconds, cpu = time.perf_counter() - start, _machine_cpu() - cpu
            scores = {k: v for k, v in pipeline.cell_scores(course)[student].items()
                      if k[0] in names}  # the gradebook lists every notebook
            notebooks = _breakdown(course, student, proc.stdout + proc.stderr)
            out[mode] = {
                "seconds": round(seconds, 2),
                "cpu_s": round(cpu, 2),
                "earned": sum(s or 0.0 for s, _ in scores.values()),
                "possible": sum(m for _, m in scores.values()),
                "recheck_s": round(sum(r["recheck_s"] for r in notebooks.values()), 2),
                "notebooks": notebooks,
                "scores": {f"{nb}/{gid}": s for (nb, gid), (s, _) in sorted(scores.items())},
            }
    return out


#: A student whose ``ema`` never returns, and one who also calls it in a cell of their own.
LOOPING_EMA = "def ema(values, beta=0.9):\n    while True:\n        pass\n"
LOOP_NOTEBOOK = "02_moving_average"


def time_looping_students() -> dict[str, dict]:
    """Grade notebook 02 of two students whose ``ema`` loops forever (one of them also calls
    it in a scratch cell) with the course's own limits; per student: seconds, and the cells
    stopped at the per-cell limit. The other notebooks of such a student cost what an honest
    submission's do."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as tmp:
        course = pipeline.prepare_course(Path(tmp) / "course", notebooks=[LOOP_NOTEBOOK])
        answers = pipeline.solution_answers(pipeline.source_notebook(course, LOOP_NOTEBOOK))
        answers["ema-ema"] = LOOPING_EMA
        release = pipeline.release_notebook(course, LOOP_NOTEBOOK)
        loop = pipeline.fill_answers(release, answers)
        scratch = nbformat.from_dict(loop)
        scratch.cells.append(nbformat.v4.new_code_cell("ema([1.0, 2.0, 3.0])"))
        for student, nb in {"loop": loop, "loop-scratch": scratch}.items():
            pipeline.submit(course, student, {LOOP_NOTEBOOK: nb})
            start = time.perf_counter()
            pipeline.autograde(course, "--student", student, check=True)
            seconds = time.perf_counter() - start
            path = course / "autograded" / student / pipeline.ASSIGNMENT / f"{LOOP_NOTEBOOK}.ipynb"
            stopped = [
                cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {i}"
                for i, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1)
                if any(o.get("ename") in ("TimeoutError", "CellTimeoutError")
                       for o in cell.get("outputs", []))
            ]
            out[student] = {"seconds": round(seconds, 1), "stopped": stopped}
    return out


def print_looping(result: dict[str, dict]) -> None:
    print(f"\n{'a student whose ema loops forever':34s} {'seconds':>8s}  cells stopped at "
          "the per-cell limit")
    for student, r in result.items():
        print(f"  {student:32s} {r['seconds']:8.1f}  {len(r['stopped'])}: "
              f"{', '.join(r['stopped'])}")


def time_parallel(names: list[str], students: int = 4) -> dict[str, dict]:
    """Grade a class of ``students`` honest full submissions with ``make autograde``'s driver
    (:mod:`course_grader.parallel`) at 1 job and at 2 jobs, each in its own course
    copy; per job count: seconds, and whether every cell's score is the same."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        first = pipeline.prepare_course(Path(tmp) / "course", notebooks=names)
        solved = {n: pipeline.solved_notebook(first, n) for n in names}
        for i in range(students):
            pipeline.submit(first, f"student{i + 1}", solved)
        for jobs in (1, 2):
            course = Path(tmp) / f"jobs-{jobs}"
            shutil.copytree(first, course)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "course_grader.parallel",
                            pipeline.ASSIGNMENT, f"--jobs={jobs}"], cwd=course, check=True,
                           capture_output=True, text=True)
            seconds = time.perf_counter() - start
            scores = pipeline.cell_scores(course)
            out[str(jobs)] = {"seconds": round(seconds, 1), "students": students,
                              "scores": {s: {f"{nb}/{gid}": v for (nb, gid), (v, _)
                                             in cells.items()} for s, cells in scores.items()}}
    return out


def print_parallel(result: dict[str, dict]) -> None:
    one, two = result["1"], result["2"]
    same = one["scores"] == two["scores"]
    print(f"\n{'make autograde, a class of ' + str(one['students']) + ' full submissions':44s}"
          f" {'seconds':>8s}  per student")
    for jobs, r in result.items():
        print(f"  JOBS={jobs:34s} {r['seconds']:8.1f}  {r['seconds'] / r['students']:6.1f}")
    print(f"  speed-up at 2 jobs: {one['seconds'] / two['seconds']:.2f}x (goal 1.8x); "
          f"every cell's score identical: {'yes' if same else 'NO'}")


def print_autograde(result: dict[str, dict]) -> None:
    """The side-by-side table of :func:`time_autograde`'s result."""
    stock = result.get("stock nbgrader Execute", {}).get("seconds")
    print(f"\n{'autograde one full submission':34s} {'seconds':>8s} {'CPU s':>7s} "
          f"{'re-check':>11s} {'x stock':>8s}  score")
    for mode, r in result.items():
        ratio = f"{r['seconds'] / stock:8.2f}" if stock else f"{'':8s}"
        share = f"{r['recheck_s']:5.1f} ({100 * r['recheck_s'] / r['seconds']:2.0f}%)"
        print(f"  {mode:32s} {r['seconds']:8.1f} {r['cpu_s']:7.1f} {share:>11s} {ratio}  "
              f"{r['earned']:g}/{r['possible']:g}")
    print("  (re-check: the time grading waited for it; its kernel starts while the notebook "
          "runs)")
    budget = min(AUTOGRADE_BUDGET_S, RATIO_BUDGET * stock) if stock else AUTOGRADE_BUDGET_S
    ours = result.get("this project", {}).get("seconds")
    if ours is not None:
        flag = "met" if ours <= budget else f"MISSED by {ours - budget:.1f} s"
        print(f"  target: <= {AUTOGRADE_BUDGET_S:.0f} s and <= {RATIO_BUDGET:g} x stock "
              f"-> {budget:.1f} s: {flag}")
    same = {json.dumps(r["scores"], sort_keys=True) for r in result.values()}
    print(f"  scores identical in every mode: {'yes' if len(same) == 1 else 'NO'}")
    print(f"\n{'per notebook (s)':22s} {'mode':30s} {'total':>6s} {'other':>6s} "
          f"{'setup':>6s} {'answ.':>6s} {'demos':>6s} {'tests':>6s} {'re-ch.':>6s} skipped")
    names = sorted({n for r in result.values() for n in r["notebooks"]})
    for name in names:
        for mode, r in result.items():
            row = r["notebooks"].get(name)
            if row is None:
                continue
            print(f"{name:22s} {mode:30s} {row['seconds']:6.1f} {row['other']:6.1f} "
                  f"{row['setup']:6.1f} {row['answers']:6.1f} {row['demos']:6.1f} "
                  f"{row['tests']:6.1f} {row['recheck_s']:6.1f} {row['skipped']:3d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median kept)")
    parser.add_argument("--skip-autograde", action="store_true")
    parser.add_argument("--skip-notebooks", action="store_true",
                        help="only the autograde comparison")
    parser.add_argument("--skip-parallel", action="store_true",
                        help="leave out grading a class at 1 and 2 jobs (about 7 minutes)")
    parser.add_argument("--skip-looping", action="store_true",
                        help="leave out grading the students whose ema loops (4-5 minutes)")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="only these notebooks (names without .ipynb)")
    args = parser.parse_args(argv)
    names = args.notebooks or sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
    rows = {}
    if not args.skip_notebooks:
        print(f"{'notebook':32s} {'seconds':>8s}  budget {NOTEBOOK_BUDGET_S:.0f} s")
    for name in names if not args.skip_notebooks else []:
        runs = [time_notebook(SOLUTIONS / f"{name}.ipynb") for _ in range(max(1, args.repeat))]
        rows[name] = statistics.median(runs)
        flag = "" if rows[name] <= NOTEBOOK_BUDGET_S else "  OVER BUDGET"
        print(f"{name:32s} {rows[name]:8.1f}{flag}", flush=True)
    total = sum(rows.values())
    if rows:
        print(f"{'all notebooks':32s} {total:8.1f}  budget {ALL_NOTEBOOKS_BUDGET_S:.0f} s")
    result = {"python": platform.python_version(), "machine": platform.machine(),
              "notebooks_s": rows, "all_notebooks_s": total}
    if not args.skip_autograde:
        graded = time_autograde(names)
        print_autograde(graded)
        result["autograde_full_submission"] = graded
    if not args.skip_parallel:
        jobs = time_parallel(names)
        print_parallel(jobs)
        result["parallel"] = jobs
    if not args.skip_looping:
        looping = time_looping_students()
        print_looping(looping)
        result["looping_students"] = looping
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
