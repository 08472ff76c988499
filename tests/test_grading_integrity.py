"""The integrity report (``course_grader.integrity``) on crafted submissions.

One temporary course (``00_start_here`` and ``01_loss_functions``, release and gradebook made
by real ``nbgrader generate_assignment``), one honest student and one student per kind of
finding. No autograding: the report reads submissions and the gradebook only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_grader import pipeline
from course_grader.integrity import KINDS, Finding, scan_code, scan_course

HAS_01 = (pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
          / "01_loss_functions.ipynb").exists()
NOTEBOOKS = ["00_start_here"] + (["01_loss_functions"] if HAS_01 else [])
NB0 = "00_start_here"
ANSWER, TEST, SETUP = "start-sigmoid", "start-sigmoid-test", "start-setup"
SIGMOID = '''def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''


def _cell(nb, gid):
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {})
                .get("grade_id") == gid)


def _index(nb, gid):
    return nb["cells"].index(_cell(nb, gid))


def _answer(code: str, *, notebook: str = NB0, gid: str = ANSWER):
    def build(nbs):
        _cell(nbs[notebook], gid)["source"] = code
    return build


def _edit_test(nbs):
    cell = _cell(nbs[NB0], TEST)
    cell["source"] = "\n".join(ln for ln in cell["source"].split("\n")
                               if 'name="sigmoid(0)"' not in ln)
    setup = _cell(nbs[NB0], SETUP)
    setup["source"] = setup["source"].replace("seed_everything(42)", "seed_everything(7)")


def _duplicate_test(nbs):
    nb = nbs[NB0]
    twin = copy.deepcopy(_cell(nb, TEST))
    twin["id"] = "twin-of-the-test"
    nb["cells"].insert(_index(nb, TEST), twin)


def _rename_test(nbs):
    _cell(nbs[NB0], TEST)["metadata"]["nbgrader"]["grade_id"] = "my-own-test"


def _delete_test(nbs):
    del nbs[NB0]["cells"][_index(nbs[NB0], TEST)]


def _unmark_answer(nbs):
    del _cell(nbs[NB0], ANSWER)["metadata"]["nbgrader"]


def _empty_metadata(nbs):
    _cell(nbs[NB0], ANSWER)["metadata"]["nbgrader"] = {}


def _flip_flags(nbs):
    test = _cell(nbs[NB0], TEST)["metadata"]["nbgrader"]
    test["grade"], test["points"] = False, 100
    _cell(nbs[NB0], ANSWER)["metadata"]["nbgrader"]["locked"] = True


def _answer_to_markdown(nbs):
    cell = _cell(nbs[NB0], ANSWER)
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def _tinker(nbs):
    """What an honest student does: re-import numpy, time the function, add a cell."""
    nb = nbs[NB0]
    nb["cells"].insert(_index(nb, TEST), {
        "cell_type": "code", "execution_count": None, "id": "my-experiment", "metadata": {},
        "outputs": [], "source": "import numpy as np\n%timeit sigmoid(np.zeros(1000))\n"
                                 "result = sigmoid(np.array([1.0]))\nprint(result)\n"})


def _compare_with_scipy(nbs):
    """An honest student compares the sigmoid with SciPy in a cell of their own."""
    nb = nbs[NB0]
    nb["cells"].insert(_index(nb, TEST), {
        "cell_type": "code", "execution_count": None, "id": "compare-scipy", "metadata": {},
        "outputs": [], "source": "from scipy.special import expit\n"
                                 "z = np.linspace(-3, 3, 7)\nprint(sigmoid(z) - expit(z))\n"})


# student -> (what to change in an honest submission, the finding kinds expected)
CASES = {
    "honest": (None, set()),
    "honest-tinkerer": (_tinker, set()),
    "bad-json": ({NB0: b'{"cells": [{"cell_type": '}, {"invalid-json"}),
    "not-a-notebook": ({NB0: b'{"cells": "none", "nbformat": 4}'}, {"invalid-notebook"}),
    "missing": ({NB0: None}, {"missing-notebook"}),
    "extra-files": ({"numpy.py": b"allclose = lambda *a, **k: True\n", "notes.txt": b"hi\n"},
                    {"extra-file"}),
    "symlink": ({"data.csv": Path("/etc/hostname")}, {"unsafe-file"}),
    "bad-timestamp": ({"timestamp.txt": b"whenever I like"}, {"invalid-timestamp"}),
    "duplicated": (_duplicate_test, {"grade-id-duplicated"}),
    "renamed": (_rename_test, {"grade-id-unknown", "grade-id-removed"}),
    "deleted-test": (_delete_test, {"grade-id-removed"}),
    "unmarked-answer": (_unmark_answer, {"grade-id-removed"}),
    "empty-metadata": (_empty_metadata, {"cell-metadata-invalid", "grade-id-removed"}),
    "flipped": (_flip_flags, {"flag-changed"}),
    "cell-type": (_answer_to_markdown, {"cell-type-changed"}),
    "edited-tests": (_edit_test, {"locked-cell-edited"}),
    "unparsable": (_answer("def sigmoid(z) return z\n"), {"unparsable-cell"}),
    "too-deep": (_answer(SIGMOID + "x = " + "z + " * 5000 + "z\n"), {"unparsable-cell"}),
    "hook": (_answer(SIGMOID + 'get_ipython().events.register("pre_run_cell", print)\n'),
             {"ipython-internals"}),
    "history": (_answer("def sigmoid(z):\n    print(In[-1])\n    return z\n"),
                {"ipython-internals"}),
    "builtins": (_answer(SIGMOID + "import builtins\nbuiltins.abs = lambda x: 0\n"),
                 {"builtins-patch"}),
    "patch-numpy": (_answer(SIGMOID + "np.allclose = lambda *a, **k: True\n"),
                    {"monkeypatch"}),
    "patch-testing": (_answer(SIGMOID + "import course_utils.testing as T\n"
                                        "T.assert_close = lambda *a, **k: None\n"
                                        "setattr(T, 'assert_close', print)\n"),
                      {"monkeypatch"}),
    "eq-override": (_answer(SIGMOID + "class Always(np.ndarray):\n"
                                      "    def __eq__(self, other):\n        return True\n"),
                    {"operator-override"}),
    "env-probe": (_answer(SIGMOID + "import os\n"
                                    "GRADED = os.environ.get('NBGRADER_EXECUTION')\n"),
                  {"environment-probe"}),
    "gradebook": (_answer(SIGMOID + "import sqlite3\n"
                                    "con = sqlite3.connect('../../../gradebook.db')\n"),
                  {"gradebook-access"}),
    "network": (_answer(SIGMOID + "import urllib.request\n"
                                  "urllib.request.urlopen('http://example.com')\n"),
                {"network"}),
    "exit": (_answer(SIGMOID + "import sys\nimport signal\n"
                               "signal.signal(signal.SIGINT, signal.SIG_IGN)\nsys.exit(0)\n"),
             {"process-exit"}),
    "shell": (_answer(SIGMOID + "import subprocess\nsubprocess.run(['ls'])\n!ls /\n"),
              {"subprocess"}),
    "read-outside": (_answer(SIGMOID + "secret = open('/etc/passwd').read()\n"),
                     {"file-access"}),
    "frames": (_answer("import sys\ndef sigmoid(z):\n"
                       "    expected = sys._getframe(1).f_locals\n    return z\n"),
               {"introspection"}),
    "exec": (_answer(SIGMOID + "exec('x = 1')\n"), {"dynamic-code"}),
    "shadow": (_answer(SIGMOID + "def assert_close(*args, **kwargs):\n    return None\n"),
               {"shadowing"}),
    "library-scipy": (_answer("from scipy.special import expit\n\ndef sigmoid(z):\n"
                              "    return expit(z)\n"), {"library-answer"}),
    # a student's own cell may compare with a library; only answer cells are judged
    "library-in-own-cell": (_compare_with_scipy, set()),
}
if HAS_01:
    NB1 = "01_loss_functions"
    CASES.update({
        "delegate-import": (_answer("from course_utils.losses import binary_crossentropy\n",
                                    notebook=NB1, gid="losses-bce"), {"delegation"}),
        "delegate-alias": (_answer("from course_utils import losses as L\n"
                                   "def huber(y_true, y_pred, *, delta=1.0):\n"
                                   "    return L.huber(y_true, y_pred, delta=delta)\n",
                                   notebook=NB1, gid="losses-huber"), {"delegation"}),
        "delegate-dotted": (_answer("import course_utils.losses\n"
                                    "def mean_squared_error(y_true, y_pred):\n"
                                    "    return course_utils.losses.mean_squared_error("
                                    "y_true, y_pred)\n",
                                    notebook=NB1, gid="losses-mse"), {"delegation"}),
        "library-sklearn": (_answer("from sklearn.metrics import log_loss\n"
                                    "def binary_crossentropy(y_true, y_pred):\n"
                                    "    return log_loss(y_true, y_pred)\n",
                                    notebook=NB1, gid="losses-bce"), {"library-answer"}),
        "library-keras": (_answer("import keras\n"
                                  "def huber(y_true, y_pred, *, delta=1.0):\n"
                                  "    return keras.losses.huber(y_true, y_pred, delta=delta)\n",
                                  notebook=NB1, gid="losses-huber"), {"library-answer"}),
        "library-tf": (_answer("import tensorflow as tf\n"
                               "def huber(y_true, y_pred, *, delta=1.0):\n"
                               "    return tf.keras.losses.Huber(delta=delta)(y_true, y_pred)\n",
                               notebook=NB1, gid="losses-huber"), {"library-answer"}),
    })


def _write(course: Path, student: str, change) -> None:
    """Write an honest submission of every notebook, then apply ``change``."""
    folder = course / "submitted" / student / pipeline.ASSIGNMENT
    folder.mkdir(parents=True)
    nbs = {n: json.loads(json.dumps(pipeline.solved_notebook(course, n))) for n in NOTEBOOKS}
    files: dict[str, object] = {"timestamp.txt": b"2026-11-20 12:00:00.000000 UTC"}
    if callable(change):
        change(nbs)
    elif isinstance(change, dict):
        for name, value in change.items():
            if name in nbs:
                nbs.pop(name)
                if value is not None:
                    files[f"{name}.ipynb"] = value
            else:
                files[name] = value
    for name, nb in nbs.items():
        files[f"{name}.ipynb"] = json.dumps(nb, indent=1).encode()
    for rel, value in files.items():
        if isinstance(value, Path):
            os.symlink(value, folder / rel)
        else:
            (folder / rel).write_bytes(value)


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            st = path.stat()
            out[rel] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}:{st.st_mtime_ns}"
        else:
            out[rel] = "dir"
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = pipeline.prepare_course(tmp_path_factory.mktemp("integrity") / "course",
                                     notebooks=NOTEBOOKS)
    for student, (change, _) in CASES.items():
        _write(course, student, change)
    (course / "submitted" / "README.txt").write_text("not a student folder\n")
    return course


@pytest.fixture(scope="module")
def scanned(course):
    before = _snapshot(course / "submitted")
    findings = scan_course(course, pipeline.ASSIGNMENT)
    assert _snapshot(course / "submitted") == before
    return findings


def _kinds(findings, student):
    return {f.kind for f in findings if f.student == student}


@pytest.mark.parametrize("student", sorted(CASES))
def test_each_submission_gets_exactly_the_expected_kinds(scanned, student):
    got = _kinds(scanned, student)
    assert got == CASES[student][1], [f for f in scanned if f.student == student]


def test_the_course_itself_is_consistent(scanned):
    assert [f for f in scanned if f.student == "(course)"] == []


def test_findings_are_well_formed(scanned):
    for f in scanned:
        assert isinstance(f, Finding)
        assert f.kind in KINDS and f.severity in ("high", "medium", "low")
        assert f.detail


def test_severities_follow_the_risk(scanned):
    def severity(student, kind, notebook=None):
        return {f.severity for f in scanned if f.student == student and f.kind == kind
                and (notebook is None or f.notebook == notebook)}

    assert severity("extra-files", "extra-file", "numpy.py") == {"high"}
    assert severity("extra-files", "extra-file", "notes.txt") == {"low"}
    assert severity("deleted-test", "grade-id-removed") == {"high"}
    assert severity("unmarked-answer", "grade-id-removed") == {"medium"}
    assert severity("env-probe", "environment-probe") == {"high"}  # NBGRADER_EXECUTION
    assert severity("unparsable", "unparsable-cell") == {"low"}  # it cannot run either
    assert severity("too-deep", "unparsable-cell") == {"medium"}  # it might run
    removed = next(f for f in scanned if f.student == "unmarked-answer")
    assert "nbgrader metadata" in removed.detail


def test_every_kind_is_exercised_or_exempt(scanned):
    exempt = {"scan-error", "oversized", "gradebook-mismatch"}  # tested separately / fallback
    exempt.add("recheck-failed")  # needs autograded notebooks: tests/test_grading_adversarial
    exempt |= {"timeout", "not-run"}  # autograded notebooks: tests/test_instructor_workflow
    if not HAS_01:
        exempt.add("delegation")
    produced = {f.kind for f in scanned}
    assert set(KINDS) - exempt <= produced, sorted(set(KINDS) - exempt - produced)


def test_gradebook_mismatch_and_fallback_to_the_source_notebooks(course, tmp_path):
    copy_ = tmp_path / "copy"
    shutil.copytree(course, copy_, symlinks=True,
                    ignore=shutil.ignore_patterns("submitted"))
    (copy_ / "submitted").mkdir()
    shutil.copytree(course / "submitted" / "honest", copy_ / "submitted" / "honest")
    source = copy_ / "solutions" / pipeline.ASSIGNMENT / f"{NB0}.ipynb"
    nb = json.loads(source.read_text())
    cell = _cell(nb, TEST)
    cell["source"] = "".join(cell["source"]) + "\nassert True  # added after generate"
    source.write_text(json.dumps(nb))
    findings = scan_course(copy_, pipeline.ASSIGNMENT)
    assert {(f.student, f.cell, f.kind) for f in findings} == {
        ("(course)", TEST, "gradebook-mismatch")}
    (copy_ / "gradebook.db").unlink()
    assert scan_course(copy_, pipeline.ASSIGNMENT) == []  # the source notebooks as reference
    assert not (copy_ / "gradebook.db").exists()  # nothing was created


def test_oversized_notebooks_are_reported_not_read(course):
    findings = scan_course(course, pipeline.ASSIGNMENT, max_notebook_bytes=100)
    honest = {(f.notebook, f.kind) for f in findings if f.student == "honest"}
    assert honest == {(n, "oversized") for n in NOTEBOOKS}


def test_cli_writes_the_csv_and_a_summary_and_never_touches_submissions(course, scanned,
                                                                        tmp_path):
    before = _snapshot(course / "submitted")
    out = tmp_path / "report.csv"
    cmd = [sys.executable, "-m", "course_grader.integrity", "--course", str(course),
           "--assignment", pipeline.ASSIGNMENT]
    proc = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "student,notebook,cell,severity,kind,detail"
    assert len(lines) == 1 + len(scanned)
    assert "honest: no findings" in proc.stdout
    assert "[high] 00_start_here/start-sigmoid: ipython-internals" in proc.stdout

    failing = subprocess.run([*cmd, "--out", str(out), "--fail-on", "high"],
                             capture_output=True, text=True)
    assert failing.returncode == 1
    inside = course / "submitted" / "honest" / "report.csv"
    refused = subprocess.run([*cmd, "--out", str(inside)], capture_output=True, text=True)
    assert refused.returncode == 2 and "refusing" in refused.stderr
    assert not inside.exists()
    assert _snapshot(course / "submitted") == before


@pytest.mark.parametrize("code, kinds", [
    ("x = get_ipython()\n", {"ipython-internals"}),
    ("%env NBGRADER_EXECUTION\n", {"environment-probe"}),
    ("%%bash\nls\n", {"subprocess"}),
    ("%matplotlib inline\n%time y = 1\n", set()),
    ("from os import system\nsystem('ls')\n", {"subprocess"}),
    ("import importlib\nL = importlib.import_module('course_utils.losses')\nL.huber(1, 2)\n",
     {"dynamic-code", "delegation"}),
    ("from course_utils.losses import *\n", {"delegation"}),
    ("import traceback\ndef huber(y, p):\n    return traceback.format_stack()\n",
     {"introspection"}),
    ("def f():\n    global np\n    np = None\n", {"shadowing"}),
    ("def f():\n    np = None\n    rng = 1\n    return np, rng\n", set()),
    ("T = type('T', (float,), {'__eq__': lambda s, o: True})\n", {"operator-override"}),
    ("import numpy as np\nimport course_utils\nfrom pathlib import Path\n"
     "data = np.load('weights.npy')\np = Path('notes.txt')\n", set()),
    ("raise SystemExit\n", {"process-exit"}),
])
def test_scan_code_categories(code, kinds):
    hits = scan_code(code, graded_names={"huber"}, aliases={"np": "numpy"},
                     protected={"np": "import:numpy"})
    assert {k for k, _, _ in hits} == kinds, hits


def test_no_library_answer_in_the_solutions_or_the_known_mistakes():
    """Library use is judged against what the notebook's own solution uses: the honest
    solutions and the catalogue of known-wrong answers are never library answers."""
    from tests.mistakes import all_mistakes

    aliases = {"np": "numpy", "keras": "keras", "tf": "tensorflow"}
    allowed = {}
    for path in sorted((pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT).glob("*.ipynb")):
        nb = pipeline.source_notebook(pipeline.REPO_ROOT, path.stem)
        found = set()
        for source in pipeline.solution_answers(nb).values():
            for kind, _, detail in scan_code(source, aliases=aliases, libraries=()) or []:
                if kind == "library-answer":
                    found.add(detail.split(" ")[3].rstrip(":"))
        allowed[path.stem] = {".".join(p.split(".")[:3 if p.startswith("tensorflow.keras")
                                                     else 2]) for p in found}
    assert allowed.get("00_start_here") == set() and allowed.get("01_loss_functions") == set()
    for mistake in all_mistakes():
        for gid, source in mistake.answers.items():
            hits = scan_code(source, aliases=aliases,
                             libraries=allowed.get(mistake.notebook, set())) or []
            assert not [h for h in hits if h[0] == "library-answer"], (mistake.student, gid)
