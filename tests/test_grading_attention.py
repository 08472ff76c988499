"""The needs-attention summary (``course_grader.attention``) on hand-made course folders.

No nbgrader run: the folders hold what ``generate_assignment`` and ``autograde`` would leave
(release and source notebooks, submissions, autograded notebooks with the grader's errors).
The end-to-end run is in ``tests/test_instructor_workflow.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_grader.attention import collect, format_summary, main


def _nb(*cells) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _cell(gid=None, *errors) -> dict:
    meta = {"nbgrader": {"grade_id": gid, "grade": True, "solution": False, "locked": True,
                         "points": 1, "schema_version": 3}} if gid else {}
    outputs = [{"output_type": "error", "ename": e, "evalue": v, "traceback": []}
               for e, v in errors]
    return {"cell_type": "code", "metadata": meta, "source": "", "outputs": outputs,
            "execution_count": None}


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


def _course(tmp_path: Path) -> Path:
    for name, gid in (("00_start_here", "start-test"), ("02_moving_average", "ema-test")):
        for folder in ("solutions", "notebooks"):
            _write(tmp_path / folder / "lecture02" / f"{name}.ipynb", _nb(_cell(gid)))
    sub, done = tmp_path / "submitted", tmp_path / "autograded"
    for student in ("honest", "loop", "crash", "recheck"):
        for name, gid in (("00_start_here", "start-test"), ("02_moving_average", "ema-test")):
            _write(sub / student / "lecture02" / f"{name}.ipynb", _nb(_cell(gid)))
            _write(done / student / "lecture02" / f"{name}.ipynb", _nb(_cell(gid)))
    _write(done / "loop" / "lecture02" / "02_moving_average.ipynb", _nb(
        _cell(), _cell("ema-test", ("KeyboardInterrupt", ""), ("CellTimeoutError", "killed"))))
    _write(done / "crash" / "lecture02" / "00_start_here.ipynb", _nb(
        _cell("start-test", ("NotRunError", "not run: the kernel died 3 times"))))
    _write(done / "recheck" / "lecture02" / "00_start_here.ipynb", _nb(
        _cell("start-test", ("RecheckFailed", "this test passed in your notebook, but ..."))))
    _write(sub / "renamed" / "lecture02" / "00_start_here.ipynb", _nb(_cell("start-test")))
    _write(sub / "renamed" / "lecture02" / "ema (copy).ipynb", _nb(_cell("ema-test")))
    _write(sub / "renamed" / "lecture02" / "scratch.ipynb", _nb(_cell()))
    _write(done / "renamed" / "lecture02" / "00_start_here.ipynb", _nb(_cell("start-test")))
    _write(sub / "broken" / "lecture02" / "00_start_here.ipynb", '{"cells": [')
    _write(sub / "broken" / "lecture02" / "02_moving_average.ipynb", _nb(_cell("ema-test")))
    return tmp_path


def test_every_problem_is_found_once_with_its_fix(tmp_path):
    items = collect(_course(tmp_path))
    got = {(i.student, i.notebook, i.problem): i for i in items}
    assert set(got) == {
        ("loop", "02_moving_average", "timed out"),
        ("crash", "00_start_here", "not run"),
        ("recheck", "00_start_here", "re-check"),
        ("renamed", "02_moving_average", "renamed"),
        ("renamed", "scratch", "extra"),
        ("broken", "00_start_here", "unreadable"),
        ("broken", "02_moving_average", "not graded"),
    }, items
    assert len(items) == len(got)  # one line per cell, not one per error output
    fix = got[("renamed", "02_moving_average", "renamed")].fix
    assert fix == ("mv 'submitted/renamed/lecture02/ema (copy).ipynb' "
                   "submitted/renamed/lecture02/02_moving_average.ipynb && "
                   "sudo make autograde STUDENT=renamed FORCE=1")
    assert "STUDENT=loop NOTEBOOK=02_moving_average FORCE=1" in \
        got[("loop", "02_moving_average", "timed out")].fix
    assert not got[("renamed", "scratch", "extra")].action


def test_exit_status_and_csv_follow_the_selected_student(tmp_path, capsys):
    course = _course(tmp_path)
    assert main(["--course", str(course)]) == 1
    assert "Needs attention: 6 problem(s) to act on, 1 to know about" in capsys.readouterr().err
    assert main(["--course", str(course), "--student", "honest"]) == 0
    assert "Needs attention: nothing" in capsys.readouterr().out
    rows = (course / "needs_attention.csv").read_text().splitlines()
    assert len(rows) == 1 + 7  # the whole class, also when one student was asked for


def test_a_missing_notebook_is_listed_but_needs_no_action(tmp_path):
    course = _course(tmp_path)
    (course / "submitted" / "honest" / "lecture02" / "02_moving_average.ipynb").unlink()
    items = collect(course, students=["honest"])
    assert [(i.problem, i.action) for i in items] == [("missing", False)]
    assert "- honest/02_moving_average: missing" in format_summary(items)
