"""One verdict: the student's Validate button and autograde agree on every graded cell.

For every honest submission of the session's graded batch (``graded_course`` in conftest: the
full solution, the blank release, every bundle of known mistakes, the honest peer, and a correct
and a wrong answer that raise a warning), real nbgrader Validate (``nbgrader.validator.Validator``
with its default preprocessors, what the Validate button and ``nbgrader validate`` run, with the
course's ``nbgrader_config.py`` as the batch has it) runs on the notebook the student submitted,
and its verdict on each graded test cell is compared with the score autograde wrote in the
gradebook:

* a cell autograde scores in full is not reported failed by Validate;
* a cell Validate reports failed does not get full marks from autograde;
* a cell Validate passes but autograde does not score in full is explained by what only
  autograde runs: the cell's hidden tests (its source cell has a ``### BEGIN HIDDEN TESTS``
  block, and autograde's error was raised on a line of that block, by the traceback in the
  autograded notebook) or the trusted re-check (a ``RecheckFailed`` error in the autograded
  notebook). Anything else is a disagreement.

Validate runs on the submitted notebook without the instructor's demo cells that no graded,
answer, setup or student-added cell depends on (plots, printed examples, training runs, Keras
comparisons: up to 20 s of a notebook's run). A graded cell's verdict depends only on the cells
it depends on, so the verdicts are those of the whole notebook. The grader relies on the same
analysis to skip these cells under autograde (``course_grader.cell_deps.needed_cells``, called by
``SandboxedExecute._unneeded_cells``, which is reused here as it is: a demo cell is a non-graded
code cell whose source equals an ungraded cell of ``solutions/``), and its own tests check that
skipping them changes no score (tests/test_grading_cell_deps.py). The analysis is done on the
notebook Validate runs, whose test cells have no hidden tests.

The validations run in-process through the Validator API (no CLI start-up per notebook) on two
worker processes, with one setting added to the course's: each kernel is stopped at once when
its notebook has run (``Execute.shutdown_kernel = "immediate"``), which changes no output. Under
nbgrader a warning is a note on stdout (course_utils/_one_verdict.py); the warning students show
that it changes neither verdict.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

from course_grader import pipeline
from course_utils import _one_verdict
from tests.adversarial import NOTEBOOK_SECONDS, PEER, PEER_NOTEBOOK
from tests.conftest import (
    BLANK,
    CELL_LIMIT_SECONDS,
    FULL,
    NOTEBOOKS,
    WARNING_NOTEBOOK,
    WARNS,
    WARNS_WRONG,
)

pytestmark = pytest.mark.slow

NB = WARNING_NOTEBOOK
WORKERS = 2  # the CI machine has 2 cores
HIDDEN = "### BEGIN HIDDEN TESTS"
#: Errors the grader writes when it stops a cell itself (a time limit, the notebook's budget, a
#: dead kernel): not a failed check, so never explained by a hidden test.
GRADER_STOPS = frozenset({"NotRunError", "TimeoutError", "CellTimeoutError", "DeadKernelError",
                          "KeyboardInterrupt"})


# --- running Validate --------------------------------------------------------------------------

def _validate(path: str, config) -> dict:
    """Validate the notebook at ``path`` as the Validate button does (in a worker process);
    return Validate's verdict per graded cell."""
    from nbgrader import utils
    from nbgrader.validator import Validator

    start = time.perf_counter()
    results = Validator(config=config).validate(path)
    seconds = time.perf_counter() - start
    cells = [c for c in nbformat.read(path, as_version=4).cells if utils.is_grade(c)]
    by_source = {c.source.strip(): c.metadata.nbgrader.grade_id for c in cells}
    failed, unmatched = {}, []
    for cell in results.get("failed", []):
        gid = by_source.get(cell["source"])
        if gid is None:
            unmatched.append(cell["source"][:200])
        else:
            failed[gid] = cell["raw_error"]
    return {
        "graded": sorted(c.metadata.nbgrader.grade_id for c in cells if c.cell_type == "code"),
        "unique_sources": len(by_source) == len(cells),
        "failed": failed,
        "unmatched": unmatched,
        "other": {k: v for k, v in results.items() if k != "failed"},
        "seconds": seconds,
    }


def honest_submissions(graded) -> list[tuple[str, str]]:
    """``(student, notebook)`` of every honest submission the batch graded."""
    subs = [(student, name) for student in (FULL, BLANK) for name in NOTEBOOKS]
    subs.append((PEER, PEER_NOTEBOOK))
    subs += [(m.student, m.notebook) for m in [*graded.submissions, *graded.warning_students]]
    return subs


def without_unneeded_cells(course: Path, nb: nbformat.NotebookNode, name: str):
    """``nb`` without the demo cells the grader would not run (see the module docstring);
    returns the notebook and the number of cells left out."""
    from traitlets.config import Config

    from course_grader.sandbox.execute import SandboxedExecute

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.source_directory = "solutions"
    config.SandboxedExecute.skip_unneeded_cells = True
    skip = SandboxedExecute(config=config)._unneeded_cells(
        nb, {"nbgrader": {"assignment": pipeline.ASSIGNMENT, "notebook": name}})
    pruned = nbformat.from_dict(nb)
    pruned.cells = [c for i, c in enumerate(nb.cells) if i not in skip]
    return pruned, len(skip)


@pytest.fixture(scope="module")
def validated(graded_course, tmp_path_factory):
    """``(student, notebook)`` -> Validate's verdict (see :func:`_validate`) on the notebook the
    student submitted, for every honest submission of the batch; with the wall time."""
    return validate_all(graded_course, tmp_path_factory.mktemp("validate"))


def validate_all(graded_course, root: Path, workers: int = WORKERS) -> dict:
    """Validate every honest submission of ``graded_course`` in ``root`` (see ``validated``)."""
    from traitlets.config.loader import PyFileConfigLoader

    start = time.perf_counter()
    # the course's settings as the batch has them (``nbgrader validate`` run in the course)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(graded_course.path)).load_config()
    assert config.Execute.timeout == CELL_LIMIT_SECONDS
    # Stop each kernel at once when its notebook has run, instead of waiting for it to exit
    # (nbclient's graceful shutdown; a kernel that imported TensorFlow takes 2-4 s to exit).
    # The verdicts are read from the outputs, all collected before the kernel is stopped.
    config.Execute.shutdown_kernel = "immediate"
    # the slowest first; each is submitted as soon as it is written, while the workers start
    jobs = sorted(honest_submissions(graded_course), key=lambda job: -NOTEBOOK_SECONDS[job[1]])
    futures, skipped = {}, {}
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for student, name in jobs:
            course = graded_course.course_of[student]
            submitted = course / "submitted" / student / pipeline.ASSIGNMENT / f"{name}.ipynb"
            nb, skipped[(student, name)] = without_unneeded_cells(
                course, nbformat.read(submitted, as_version=4), name)
            path = root / student / name / f"{name}.ipynb"  # its own folder: 09 saves files
            path.parent.mkdir(parents=True)
            nbformat.write(nb, path)
            futures[(student, name)] = pool.submit(_validate, str(path), config)
        verdicts = {key: {**future.result(), "skipped": skipped[key]}
                    for key, future in futures.items()}
    return {"verdicts": verdicts, "seconds": time.perf_counter() - start}


# --- comparing the verdicts --------------------------------------------------------------------

def _hidden_test_cells(course: Path, name: str) -> set[str]:
    return {c.metadata.nbgrader.grade_id for c in pipeline.source_notebook(course, name).cells
            if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and HIDDEN in c.source}


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _failing_line(cell, output) -> int | None:
    """The line of ``cell`` (from 1) an error ``output`` of it was raised at: the cell's own
    frame in IPython's traceback (``Cell In[<n>], line <k>``); None when it names none."""
    text = _ANSI.sub("", "\n".join(str(t) for t in output.get("traceback", [])))
    found = re.search(rf"Cell In\s*\[{cell.get('execution_count')}\],\s*line (\d+)", text)
    return int(found.group(1)) if found else None


def _hidden_lines(source: str) -> set[int]:
    """Lines (from 1) of ``source`` inside a ``### BEGIN/END HIDDEN TESTS`` block."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == "### BEGIN HIDDEN TESTS":
            inside = True
        elif line.strip() == "### END HIDDEN TESTS":
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _autograded_errors(course: Path, student: str, name: str) -> dict[str, list[tuple]]:
    """grade_id -> ``(ename, evalue, raised in the hidden tests)`` of each error output of that
    graded cell in the autograded notebook (its test cells hold the hidden tests)."""
    path = course / "autograded" / student / pipeline.ASSIGNMENT / f"{name}.ipynb"
    out = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            continue
        hidden = _hidden_lines(cell.source)
        out[cell.metadata.nbgrader.grade_id] = [
            (o.get("ename"), str(o.get("evalue", ""))[:300], _failing_line(cell, o) in hidden)
            for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return out


def compare(graded, verdicts) -> tuple[list[str], Counter, list[tuple]]:
    """Compare Validate's verdict with autograde's score on every graded cell; return the
    disagreements (one message each), how many cells of each kind, and the cells Validate
    passes that autograde does not score in full with the reason."""
    problems, kinds, explained = [], Counter(), []
    for (student, name), v in sorted(verdicts.items()):
        course = graded.course_of[student]
        where = f"{student} / {name}"
        scores = {gid: s for (nb, gid), s in graded.scores.get(student, {}).items() if nb == name}
        if not scores:
            problems.append(f"{where}: not in the gradebook (the batch did not grade it)")
            continue
        if v["other"] or v["unmatched"] or not v["unique_sources"]:
            problems.append(f"{where}: Validate gave no per-cell verdict: {v['other']} "
                            f"unmatched failures {v['unmatched']}")
            continue
        if set(v["graded"]) != set(scores):
            problems.append(f"{where}: Validate scores {sorted(v['graded'])}, autograde "
                            f"{sorted(scores)}")
        hidden = _hidden_test_cells(course, name)
        errors = None
        for gid, (score, top) in sorted(scores.items()):
            kinds["compared"] += 1
            full, failed = score == top, gid in v["failed"]
            if full and not failed:
                kinds["both pass"] += 1
            elif not full and failed:
                kinds["both fail"] += 1
            elif full and failed:
                problems.append(f"{where} / {gid}: autograde {score}/{top} (full), Validate "
                                f"FAILED: {v['failed'][gid][-1500:]}")
            else:
                errors = errors if errors is not None else _autograded_errors(course, student,
                                                                              name)
                enames = {e for e, _, _ in errors.get(gid, [])}
                if "RecheckFailed" in enames:
                    reason = "re-check"
                elif (gid in hidden and errors.get(gid) and not enames & GRADER_STOPS
                      and all(in_hidden for _, _, in_hidden in errors[gid])):
                    reason = "hidden tests"
                else:
                    problems.append(f"{where} / {gid}: Validate passed, autograde {score}/{top} "
                                    f"with {errors.get(gid)}; hidden tests in that cell: "
                                    f"{gid in hidden}")
                    continue
                kinds[f"validate pass, autograde not full ({reason})"] += 1
                explained.append((student, name, gid, reason, errors.get(gid)))
    return problems, kinds, explained


def test_validate_and_autograde_agree_on_every_graded_cell(graded_course, validated,
                                                           record_property):
    verdicts = validated["verdicts"]
    problems, kinds, explained = compare(graded_course, verdicts)
    slowest = sorted(verdicts.items(), key=lambda kv: -kv[1]["seconds"])[:5]
    summary = {
        "notebooks": len(verdicts),
        "cells": dict(kinds),
        "validate_seconds": round(validated["seconds"], 1),
        "demo_cells_left_out": sum(v["skipped"] for v in verdicts.values()),
        "slowest": [(f"{s}/{n}", round(v["seconds"], 1)) for (s, n), v in slowest],
        "explained": explained,
    }
    record_property("one_verdict", summary)
    print(summary)
    assert not problems, "Validate and autograde disagree:\n" + "\n".join(problems)
    assert kinds["compared"] == sum(len(v["graded"]) for v in verdicts.values())


def test_the_comparison_is_not_vacuous(graded_course, validated):
    verdicts = validated["verdicts"]
    assert len(verdicts) == len(honest_submissions(graded_course))
    for name in NOTEBOOKS:
        full, blank = verdicts[(FULL, name)], verdicts[(BLANK, name)]
        assert full["graded"], name
        assert full["failed"] == {}, (name, full["failed"])
        assert set(blank["failed"]) >= set(blank["graded"]), (name, blank["failed"])
    mistakes = [m.student for m in graded_course.submissions]
    assert any(verdicts[(m.student, m.notebook)]["failed"] for m in graded_course.submissions), \
        mistakes
    assert sum(v["skipped"] for v in verdicts.values()) > 0, "no demo cell was left out"


# --- an answer that raises a warning -----------------------------------------------------------

def test_a_warning_does_not_fail_validate(validated):
    verdict = validated["verdicts"][(WARNS.student, NB)]
    assert verdict["graded"] and verdict["failed"] == {} and verdict["other"] == {}, verdict


def test_autograde_gives_the_warning_answer_what_validate_said(graded_course):
    scores = {k: s for k, s in graded_course.scores[WARNS.student].items() if k[0] == NB}
    assert scores == {k: s for k, s in graded_course.scores[FULL].items() if k[0] == NB}
    assert scores and all(score == top for score, top in scores.values())


def test_a_wrong_answer_fails_both(graded_course, validated):
    assert "ema-ema-test" in validated["verdicts"][(WARNS_WRONG.student, NB)]["failed"]
    scores = graded_course.scores[WARNS_WRONG.student]
    assert scores[(NB, "ema-ema-test")][0] == 0


def test_the_warning_is_a_note_on_stdout_in_the_autograded_notebook(graded_course):
    path = (graded_course.course_of[WARNS.student] / "autograded" / WARNS.student
            / pipeline.ASSIGNMENT / f"{NB}.ipynb")
    outputs = [o for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", [])]
    texts = [o.get("text", "") for o in outputs if o.get("output_type") == "stream"]
    assert any("Note: RuntimeWarning: this ema is written with a Python loop" in t
               and "does not change the grade" in t for t in texts), texts
    assert not any(o.get("name") == "stderr" for o in outputs)


# --- the rerouting itself ----------------------------------------------------------------------

def test_outside_nbgrader_nothing_is_rerouted(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    before = sys.stderr
    assert _one_verdict.route_stderr_to_stdout() is False
    assert sys.stderr is before


def test_stderr_lines_are_marked_on_stdout():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, t):
            self.text += t

        def flush(self):
            pass

    sink = Sink()
    err = _one_verdict._MarkedStderr(sink)
    err.write("first line\nsecond ")
    err.write("half\n")
    assert sink.text == "[stderr] first line\n[stderr] second half\n"
