"""Time the workbook against the budgets in the design: each solution notebook <= 60 s,
all of them <= 6 min, and a full student submission autogrades in <= 90 s.

Usage: ``make bench`` (or ``python bench/bench.py [--repeat N] [--skip-autograde]``).
Prints a table and writes ``bench/results/latest.json``. A benchmark, not a test: it never
fails on a slow machine, it reports.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course_utils.grading import pipeline

NOTEBOOK_BUDGET_S = 60.0
ALL_NOTEBOOKS_BUDGET_S = 360.0
AUTOGRADE_BUDGET_S = 90.0
SOLUTIONS = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT


def time_notebook(path: Path) -> float:
    """Execute ``path`` in a fresh kernel (as nbval does) and return the wall time in s."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def time_autograde(names: list[str]) -> tuple[float, dict]:
    """Autograde one full-solution submission of every notebook; return (seconds, scores)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        course = pipeline.prepare_course(Path(tmp) / "course")
        pipeline.submit(course, "bench", {n: pipeline.solved_notebook(course, n) for n in names})
        start = time.perf_counter()
        proc = pipeline.autograde(course, check=True)
        seconds = time.perf_counter() - start
        scores = pipeline.cell_scores(course)["bench"]
    earned = sum(s or 0.0 for s, _ in scores.values())
    possible = sum(m for _, m in scores.values())
    # "Re-checked 11 graded cells in 10.9 s (2447 calls): 0 failed." per notebook
    found = re.findall(r"Re-checked (\d+) graded cells in ([\d.]+) s \((\d+) calls\)",
                       proc.stdout + proc.stderr)
    recheck = {"seconds": round(sum(float(f[1]) for f in found), 1),
               "cells": sum(int(f[0]) for f in found), "calls": sum(int(f[2]) for f in found)}
    return seconds, {"earned": earned, "possible": possible, "recheck": recheck}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median kept)")
    parser.add_argument("--skip-autograde", action="store_true")
    args = parser.parse_args(argv)
    names = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
    rows = {}
    print(f"{'notebook':32s} {'seconds':>8s}  budget {NOTEBOOK_BUDGET_S:.0f} s")
    for name in names:
        runs = [time_notebook(SOLUTIONS / f"{name}.ipynb") for _ in range(max(1, args.repeat))]
        rows[name] = statistics.median(runs)
        flag = "" if rows[name] <= NOTEBOOK_BUDGET_S else "  OVER BUDGET"
        print(f"{name:32s} {rows[name]:8.1f}{flag}", flush=True)
    total = sum(rows.values())
    print(f"{'all notebooks':32s} {total:8.1f}  budget {ALL_NOTEBOOKS_BUDGET_S:.0f} s")
    result = {"python": platform.python_version(), "machine": platform.machine(),
              "notebooks_s": rows, "all_notebooks_s": total}
    if not args.skip_autograde:
        seconds, score = time_autograde(names)
        flag = "" if seconds <= AUTOGRADE_BUDGET_S else "  OVER BUDGET"
        print(f"{'autograde one full submission':32s} {seconds:8.1f}  budget "
              f"{AUTOGRADE_BUDGET_S:.0f} s{flag} (score {score['earned']:g}/{score['possible']:g})")
        rc = score["recheck"]
        print(f"{'  of which the trusted re-check':32s} {rc['seconds']:8.1f}  ({rc['cells']} "
              f"cells, {rc['calls']} calls of student functions)")
        result["autograde_full_submission_s"] = seconds
        result["autograde_score"] = score
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
