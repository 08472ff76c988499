"""The grading sandbox and the pre-flight repair, proven with real ``nbgrader`` runs.

A tiny throwaway course (one notebook: a setup cell, two answers, two graded tests with hidden
tests) is graded with the repository's own ``nbgrader_config.py`` (the settings
``course_grader/SECURITY.md`` explains) plus small limits, so that every attack finishes
in seconds. Each attacking student also writes correct answers: when the
attack fails harmlessly, they must get full marks like the honest student.

The sandbox tests need root (as in CI: the sandbox switches every kernel to a fresh uid); on a
developer machine without root they are skipped. The pre-flight tests run anywhere.
"""

from __future__ import annotations

import copy
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_grader import pipeline
from tests.own_run import (
    SANDBOX_UID_MIN,
    leftovers,
    note_grader,
    recording_our_graders,
    sandbox_processes,
)

ASSIGNMENT = pipeline.ASSIGNMENT
NB = "tiny"
FULL_MARKS = 5.0


# Small limits so that the attacks end quickly. The sandbox tests put the course under
# /var/tmp and leave /var/tmp visible (read-only) to the kernel, so the course stays hidden
# only because the sandbox hides nbgrader's own directories (course root, gradebook, ...).
TEST_LIMITS = """
c.Execute.timeout = 5
c.SandboxedExecute.notebook_timeout = 14
c.SandboxedExecute.max_output_bytes_per_cell = 20000
c.SandboxKernelManager.memory_limit = 768 * 1024**2
c.SandboxKernelManager.hide_paths = ["/root", "/home"]
c.SandboxKernelManager.tmpfs_paths = ["/tmp", "/dev/shm"]
c.SandboxKernelManager.workdir_size = 64 * 1024**2
"""
VISIBLE_BASE = "/var/tmp"  # world-traversable and, with TEST_LIMITS, not hidden


@pytest.fixture
def visible_dir():
    """A directory outside everything the sandbox hides by default rules."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="sandbox-test-", dir=VISIBLE_BASE))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the grading sandbox needs root (CI runs as root)"
)


# ------------------------------------------------------------------------------------------
# a throwaway course
# ------------------------------------------------------------------------------------------


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    nbg = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
           "schema_version": 3}
    if points is not None:
        nbg["points"] = points
    return {"nbgrader": nbg}


def _source_notebook():
    nb = new_notebook(cells=[
        new_markdown_cell("# A tiny assignment", metadata=_meta("intro", locked=True)),
        new_code_cell("import math\nSEED = 1", metadata=_meta("setup", locked=True)),
        new_code_cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                      "    ### END SOLUTION", metadata=_meta("square", solution=True)),
        new_code_cell("assert square(3) == 9\n### BEGIN HIDDEN TESTS\nassert square(-4) == 16"
                      "\n### END HIDDEN TESTS",
                      metadata=_meta("square-test", grade=True, locked=True, points=2)),
        new_code_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n"
                      "    ### END SOLUTION", metadata=_meta("add", solution=True)),
        new_code_cell("assert add(2, 3) == 5\n### BEGIN HIDDEN TESTS\nassert add(-1, 1) == 0"
                      "\n### END HIDDEN TESTS",
                      metadata=_meta("add-test", grade=True, locked=True, points=3)),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def _course_dirs(course: Path):
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return CourseDirectory(config=cfg, root=str(course))


def make_course(dest: Path, extra_config: str = TEST_LIMITS) -> Path:
    """The repository's own config + ``extra_config``; one tiny notebook."""
    dest.mkdir(parents=True)
    repo_config = (pipeline.REPO_ROOT / "nbgrader_config.py").read_text()
    (dest / "nbgrader_config.py").write_text(repo_config + extra_config)
    cd = _course_dirs(dest)
    src = Path(cd.format_path(cd.source_directory, ".", ASSIGNMENT))
    src.mkdir(parents=True)
    nbformat.write(_source_notebook(), src / f"{NB}.ipynb")
    (src / "data.txt").write_text("instructor data\n")
    pipeline.run_nbgrader(dest, "generate_assignment", ASSIGNMENT, "--force")
    return dest


def release(course: Path) -> nbformat.NotebookNode:
    cd = _course_dirs(course)
    path = Path(cd.format_path(cd.release_directory, ".", ASSIGNMENT)) / f"{NB}.ipynb"
    return nbformat.read(path, as_version=4)


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _index(nb, gid):
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == gid)


def honest(course, *, extra_cells=(), edit=None) -> nbformat.NotebookNode:
    """Correct answers; ``extra_cells`` inserted after the first answer; then ``edit(nb)``."""
    nb = release(course)
    nb.cells[_index(nb, "square")].source = "def square(x):\n    return x * x"
    nb.cells[_index(nb, "add")].source = "def add(a, b):\n    return a + b"
    at = _index(nb, "square") + 1
    for k, src in enumerate(extra_cells):
        nb.cells.insert(at + k, new_code_cell(src))
    if edit:
        edit(nb)
    return nb


def submit(course, student, nb=None, **files):
    notebooks = {} if nb is None else {NB: nb}
    return pipeline.submit(course, student, notebooks,
                           extra_files={k: v.encode() for k, v in files.items()})


def scores(course) -> dict[str, float]:
    return {student: sum(s or 0 for s, _ in cells.values())
            for student, cells in pipeline.cell_scores(course).items()}


def outputs(course, student) -> list[str]:
    """Every output of the student's autograded notebook, as text."""
    path = Path(course, "autograded", student, ASSIGNMENT, f"{NB}.ipynb")
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}")
    return texts


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _probe(tag: str, code: str) -> str:
    """Student code that prints ``BLOCKED <tag> <error>`` or ``LEAK <tag>`` (it worked)."""
    body = "\n".join("    " + line for line in code.splitlines())
    return (f"import os\ntry:\n{body}\n    print('LEAK {tag}')\n"
            f"except Exception as e:\n    print('BLOCKED {tag}', type(e).__name__, e)")


# ------------------------------------------------------------------------------------------
# the repository's configuration
# ------------------------------------------------------------------------------------------


def test_repo_config_grades_with_the_sandbox_and_the_preflight_repair():
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(pipeline.REPO_ROOT)).load_config()
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
             for p in cfg.Autograde.get("autograde_preprocessors", [])]
    sanitize = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
                for p in cfg.Autograde.get("sanitize_preprocessors", [])]
    hint = "nbgrader_config.py must configure the sandbox as course_grader/SECURITY.md shows"
    assert "course_grader.sandbox.execute.SandboxedExecute" in names, hint
    assert not any(n.endswith(".Execute") and "Sandboxed" not in n for n in names), hint
    assert sanitize[:1] == ["course_grader.preflight.NormalizeSubmission"], hint
    assert cfg.OverwriteCells.get("add_missing_cells") is True, hint
    assert cfg.Autograde.get("post_convert_hook") == (
        "course_grader.preflight.mark_graded"), hint


# ------------------------------------------------------------------------------------------
# pre-flight repair, in process (fast): nbgrader's own sanitize steps must then succeed
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("preflight") / "course")


def _sanitize(course, nb):
    """NormalizeSubmission followed by nbgrader's sanitize preprocessors, as autograde runs
    them; returns the notebook and the pre-flight report."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
    )
    from traitlets.config import Config

    from course_grader.overwrite_cells import OverwriteCells
    from course_grader.preflight import NormalizeSubmission

    config = Config()
    config.OverwriteCells.add_missing_cells = True
    resources = {"nbgrader": {"notebook": NB, "assignment": ASSIGNMENT, "student": "s",
                              "db_url": f"sqlite:///{course / 'gradebook.db'}"}}
    for pp in (NormalizeSubmission, ClearOutput, DeduplicateIds, OverwriteKernelspec,
               OverwriteCells, CheckCellMetadata):
        nb, resources = pp(config=config)(nb, resources)
    return nb, resources["nbgrader"].get("preflight", [])


def _graded(nb):
    """grade_id -> (source, points) of the graded cells, in order."""
    return [(_gid(c), c.source, c.metadata.nbgrader.get("points"))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _dup(gid, source=None):
    def edit(nb):
        i = _index(nb, gid)
        twin = copy.deepcopy(nb.cells[i])
        twin["id"] = "twin0001"
        if source is not None:
            twin.source = source
        nb.cells.insert(i, twin)
    return edit


def _set(gid, key, value):
    def edit(nb):
        nb.cells[_index(nb, gid)].metadata.nbgrader[key] = value
    return edit


def _retype(gid, cell_type):
    def edit(nb):
        cell = nb.cells[_index(nb, gid)]
        cell.cell_type = cell_type
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return edit


def _delete(*gids):
    def edit(nb):
        for gid in gids:
            del nb.cells[_index(nb, gid)]
    return edit


def _meta_garbage(nb):
    nb.cells[_index(nb, "add-test")].metadata["nbgrader"] = "garbage"


def _weaken(nb):
    nb.cells[_index(nb, "square-test")].source = "pass"


TAMPERING = {
    "duplicated answer (copy and paste)": _dup("square", "def square(x):\n    return 0"),
    "duplicated test cell": _dup("square-test"),
    "schema_version too old": _set("square-test", "schema_version", 1),
    "schema_version too new": _set("add", "schema_version", 4),
    "grade flag removed": _set("square-test", "grade", False),
    "solution flag added to a test": _set("add-test", "solution", True),
    "points raised": _set("square-test", "points", 100),
    "renamed grade_id": _set("square-test", "grade_id", "mine"),
    "empty grade_id": _set("add-test", "grade_id", ""),
    "grade_id with bad characters": _set("add-test", "grade_id", "../x y"),
    "extra metadata keys": _set("add-test", "evil", {"x": 1}),
    "nbgrader metadata not a dict": _meta_garbage,
    "answer turned into markdown": _retype("square", "markdown"),
    "test turned into raw": _retype("add-test", "raw"),
    "test cell deleted": _delete("square-test"),
    "answer, test and setup deleted": _delete("add-test", "add", "setup"),
    "visible test weakened": _weaken,
}


@pytest.mark.parametrize("edit", TAMPERING.values(), ids=TAMPERING.keys())
def test_preflight_restores_every_graded_cell_from_the_gradebook(course, edit):
    reference, _ = _sanitize(course, honest(course))
    nb, report = _sanitize(course, honest(course, edit=edit))
    assert _graded(nb) == _graded(reference)
    if edit is not _weaken:  # a changed locked source is restored (and logged) by OverwriteCells
        assert report, "every repair must be reported"


def test_preflight_leaves_an_untouched_submission_alone(course):
    nb, report = _sanitize(course, honest(course))
    assert report == []
    assert len(nb.cells) == len(honest(course).cells)


def test_without_preflight_a_duplicated_cell_stops_nbgrader(course):
    """The failure the pre-flight step exists for (NBGRADER_NOTES 2.4)."""
    from nbgrader.nbgraderformat import SchemaTooOldError
    from nbgrader.preprocessors import CheckCellMetadata, DeduplicateIds

    nb = honest(course, edit=_dup("square"))
    resources = {"nbgrader": {}}
    nb, resources = DeduplicateIds()(nb, resources)
    with pytest.raises(SchemaTooOldError):
        CheckCellMetadata()(nb, resources)


def test_preflight_rejects_a_notebook_that_is_a_symbolic_link(course, tmp_path):
    from course_grader.preflight import NormalizeSubmission, SubmissionRejected

    (tmp_path / f"{NB}.ipynb").symlink_to(course / "gradebook.db")
    resources = {"metadata": {"path": str(tmp_path), "name": NB},
                 "nbgrader": {"notebook": NB, "assignment": ASSIGNMENT, "student": "s",
                              "db_url": f"sqlite:///{course / 'gradebook.db'}"}}
    with pytest.raises(SubmissionRejected, match="symbolic link"):
        NormalizeSubmission()(honest(course), resources)


# ------------------------------------------------------------------------------------------
# the sandboxed kernel on its own
# ------------------------------------------------------------------------------------------


@needs_root
def test_sandboxed_kernel_is_unprivileged_offline_and_limited(visible_dir):
    import asyncio
    import json

    from course_grader.sandbox.kernel_manager import SandboxKernelManager

    secret = visible_dir / "course"
    (secret / "work").mkdir(parents=True)
    (secret / "gradebook.db").write_text("secret")
    code = f"""
import json, os, resource, socket
r = {{"uid": os.getuid(), "groups": os.getgroups(), "cwd": os.getcwd()}}
r["db"] = os.path.exists({str(secret / 'gradebook.db')!r})
r["root_home"] = os.path.exists("/root/.bashrc") or os.listdir("/root") != [
    p for p in os.listdir("/root") if p.startswith(".pyenv")]
try:
    socket.create_connection(("127.0.0.1", 22), timeout=2)
    r["net"] = "open"
except OSError as e:
    r["net"] = type(e).__name__
r["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
import importlib.util
r["course_utils"] = importlib.util.find_spec("course_utils") is not None
r["grader"] = importlib.util.find_spec("course_grader") is not None
r["as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
print(json.dumps(r))
"""

    async def run():
        km = SandboxKernelManager(kernel_name="python3", hide_paths=["/root", "/home"],
                                  extra_hide_paths=[str(secret)])
        await km.start_kernel(cwd=str(secret / "work"))
        kc = km.client()
        kc.start_channels()
        got = []
        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(
                code, timeout=60, output_hook=lambda m: got.append(m["content"].get("text", "")))
            return km.sandbox_root, json.loads("".join(got))
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    root, r = asyncio.run(run())
    assert r["uid"] >= SANDBOX_UID_MIN and r["groups"] == []
    assert r["cwd"] == str(secret / "work")
    assert r["db"] is False
    assert r["root_home"] is False
    assert r["net"] in ("ConnectionRefusedError", "OSError")  # its own empty loopback
    assert r["nproc"] > 0 and r["as"] > 0
    assert r["course_utils"] and not r["grader"], "students import course_utils, never the grader"
    assert not os.path.exists(root), "the sandbox directory must be removed at shutdown"
    assert sandbox_processes() == []


# ------------------------------------------------------------------------------------------
# end to end: one nbgrader batch, many hostile students
# ------------------------------------------------------------------------------------------


class _Listener:
    """A TCP service on the host's 127.0.0.1 that no student may reach."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.hits = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                return
            self.hits.append(addr)
            conn.close()


@pytest.fixture(scope="module")
def batch():
    """Grade every hostile submission in one plain ``nbgrader autograde`` run."""
    if os.geteuid() != 0:
        pytest.skip("the grading sandbox needs root (CI runs as root)")
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="sandbox-test-", dir=VISIBLE_BASE))
    base.chmod(0o755)
    try:
        yield _grade_batch(make_course(base / "course"))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _grade_batch(root: Path) -> dict:
    listener = _Listener()
    cd = _course_dirs(root)
    source_nb = Path(cd.format_path(cd.source_directory, ".", ASSIGNMENT)) / f"{NB}.ipynb"
    peer_nb = root / "submitted" / "honest" / ASSIGNMENT / f"{NB}.ipynb"
    # One student tries everything (one cell per attack), so each attack costs no kernel start.
    snoop = {
        "reads-gradebook": f"print(open({str(root / 'gradebook.db')!r}, 'rb').read(16))",
        "writes-gradebook": f"import sqlite3\nsqlite3.connect({str(root / 'gradebook.db')!r})"
                            ".execute('update grade set manual_score = 99')",
        "reads-solutions": f"print(open({str(source_nb)!r}).read())",
        "reads-peer": f"print(open({str(peer_nb)!r}).read())",
        "lists-submissions": f"print(os.listdir({str(root / 'submitted')!r}))",
        "signals-init": "import signal\nos.kill(1, signal.SIGKILL)",
        "opens-socket": "import socket\n"
                        f"socket.create_connection(('127.0.0.1', {listener.port}), 3)",
        "allocates-30GB": "x = bytearray(30 * 2**30)",
        "fills-disk": "with open('big.bin', 'wb') as fh:\n    for i in range(200):\n"
                      "        fh.write(b'x' * 2**20)\n        fh.flush()",
        "forks-10000": "import time\nfor i in range(10000):\n    if os.fork() == 0:\n"
                       "        time.sleep(600)\n        os._exit(0)",
    }
    whoami = ("import os\nprint('UID', os.getuid(), os.getgid(), os.getgroups())\n"
              "print('MODE', os.environ.get('NBGRADER_EXECUTION'))")
    kernel_killers = {
        "touches-2GB": "b = b'x' * (2 * 2**30)",  # under RLIMIT_AS; the cgroup stops it
        "loops-ignoring-sigint": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)"
                                 "\nwhile True:\n    pass",
        "exits-kernel": "import os\nos._exit(0)",
    }
    # the honest student must exist before the attacks that read its files are written
    submit(root, "honest", honest(root))
    submit(root, "snoop", honest(root, extra_cells=[whoami] + [
        _probe(tag, code) for tag, code in snoop.items()]))
    for student, code in kernel_killers.items():
        submit(root, student, honest(root, extra_cells=[code]))
    submit(root, "floods-output",
           honest(root, extra_cells=["for i in range(10**5):\n    print('spam' * 20)"]))

    def warn(nb):
        nb.cells[_index(nb, "square")].source = (
            "import sys, warnings\ndef square(x):\n    warnings.warn('old API')\n"
            "    print('log line', file=sys.stderr)\n    return x * x")
    submit(root, "warns-in-answer", honest(root, edit=warn))
    submit(root, "slow", honest(root, extra_cells=["import time\ntime.sleep(4)"] * 5))

    def tamper(nb):  # the damage that stops or fails plain nbgrader, all at once
        _dup("square", "def square(x):\n    return 0")(nb)
        _set("add", "schema_version", 1)(nb)
        _set("add-test", "solution", True)(nb)
        _delete("square-test")(nb)
    submit(root, "tampered", honest(root, edit=tamper))
    bad = submit(root, "invalid-json")
    (bad / f"{NB}.ipynb").write_text('{"cells": [ not json')
    submit(root, "no-notebook", **{"notes.txt": "forgot the notebook"})
    stamp = submit(root, "bad-timestamp", honest(root)) / "timestamp.txt"
    stamp.write_text("the day before yesterday")
    submit(root, "extra-files", honest(root), **{"data.txt": "student's data",
                                                 "notes.txt": "hello"})
    before = tree_digest(root / "submitted")
    start = time.monotonic()
    with recording_our_graders():  # what the grader leaves is told apart from other runs'
        proc = pipeline.autograde(root)
    seconds = time.monotonic() - start
    return dict(root=root, proc=proc, seconds=seconds, listener=listener,
                submitted_before=before, scores=scores(root))


@pytest.mark.slow
def test_batch_finishes_and_honest_student_gets_full_marks(batch):
    assert batch["scores"]["honest"] == FULL_MARKS, batch["proc"].stderr[-4000:]
    log = batch["proc"].stderr
    # exactly two submissions failed, each alone and with its reason in the log
    failed = {line.split("for student '")[1].rstrip("'")
              for line in log.splitlines() if "There was an error processing assignment '" in line}
    assert failed == {"bad-timestamp"}, log[-6000:]
    assert "Unknown string format: the day before yesterday" in log
    # a file that is not a notebook is graded as an empty one: it scores 0, nothing else fails
    assert "invalid-json/tiny could not be read (NotJSONError" in log
    assert batch["scores"].get("invalid-json") == 0.0, batch["scores"]


ATTACKS = {
    "reads-gradebook": "FileNotFoundError",
    "writes-gradebook": "OperationalError",
    "reads-solutions": "FileNotFoundError",
    "reads-peer": "FileNotFoundError",
    "lists-submissions": "FileNotFoundError",
    "signals-init": "PermissionError",
    "opens-socket": "ConnectionRefusedError",
    "allocates-30GB": "MemoryError",
    "fills-disk": "OSError",
    "forks-10000": "BlockingIOError",
}


@pytest.mark.slow
@pytest.mark.parametrize("attack,blocked", ATTACKS.items(), ids=ATTACKS.keys())
def test_attack_is_blocked(batch, attack, blocked):
    texts = outputs(batch["root"], "snoop")
    assert not any(f"LEAK {attack}" in t for t in texts), texts
    assert any(t.startswith(f"BLOCKED {attack} {blocked}") for t in texts), texts


@pytest.mark.slow
def test_blocked_attacks_cost_the_attacker_nothing_else(batch):
    assert batch["scores"]["snoop"] == FULL_MARKS


@pytest.mark.slow
@pytest.mark.parametrize("student,error", [
    ("touches-2GB", "DeadKernelError"),
    ("loops-ignoring-sigint", "CellTimeoutError"),
    ("exits-kernel", "DeadKernelError"),
])
def test_dead_or_hung_kernel_costs_only_the_cell_that_killed_it(batch, student, error):
    texts = outputs(batch["root"], student)
    assert sum(t.startswith(error) for t in texts) == 1, texts
    assert batch["scores"][student] == FULL_MARKS  # a fresh kernel replayed the earlier cells


@pytest.mark.slow
def test_kernel_runs_as_a_fresh_unprivileged_user(batch):
    lines = [line for t in outputs(batch["root"], "snoop") for line in t.splitlines()]
    uid, gid, groups = next(x for x in lines if x.startswith("UID ")).split(" ", 3)[1:]
    assert int(uid) >= SANDBOX_UID_MIN and int(gid) == int(uid) and groups == "[]"
    assert "MODE autograde" in lines  # notebooks can still tell that they are being graded


@pytest.mark.slow
def test_nothing_reached_the_host_or_survived_the_batch(batch):
    assert batch["listener"].hits == []
    assert sandbox_processes() == []  # of this run: other graders may share the machine
    assert leftovers() == []  # directories, cgroups, uid reservations of this run's graders


@pytest.mark.slow
def test_submissions_on_disk_are_never_modified(batch):
    assert tree_digest(batch["root"] / "submitted") == batch["submitted_before"]


@pytest.mark.slow
def test_stderr_of_a_correct_answer_costs_nothing(batch):
    assert batch["scores"]["warns-in-answer"] == FULL_MARKS


@pytest.mark.slow
def test_output_flood_is_capped_while_the_cell_runs(batch):
    texts = outputs(batch["root"], "floods-output")
    assert sum(map(len, texts)) < 30000
    assert any("output truncated by the grader" in t for t in texts)
    assert batch["scores"]["floods-output"] == FULL_MARKS


@pytest.mark.slow
def test_notebook_time_budget_stops_a_slow_notebook_alone(batch):
    texts = outputs(batch["root"], "slow")
    assert any(t.startswith("NotRunError") and "time budget" in t for t in texts), texts
    assert batch["scores"]["slow"] == 0.0  # its tests come after the budget ran out


@pytest.mark.slow
def test_tampered_metadata_is_repaired_and_graded(batch):
    assert batch["scores"]["tampered"] == FULL_MARKS
    log = batch["proc"].stderr
    for fix in ("duplicate of 'square'", "schema_version: 1 -> 3", "solution: True -> False",
                "'square-test' was missing"):
        assert any(f"Preflight tampered/{NB}:" in line and fix in line
                   for line in log.splitlines()), fix


@pytest.mark.slow
def test_extra_files_are_graded_with_the_instructors_copies(batch):
    assert batch["scores"]["extra-files"] == FULL_MARKS
    folder = batch["root"] / "autograded" / "extra-files" / ASSIGNMENT
    assert (folder / "data.txt").read_text() == "instructor data\n"
    assert (folder / "notes.txt").read_text() == "hello"


@pytest.mark.slow
def test_missing_notebook_fails_alone(batch):
    assert "no-notebook" not in batch["scores"] or batch["scores"]["no-notebook"] == 0.0


# ------------------------------------------------------------------------------------------
# a grader that crashes mid-batch; re-running keeps grades
# ------------------------------------------------------------------------------------------


@needs_root
@pytest.mark.slow
def test_crash_mid_batch_keeps_grades_and_rerun_is_idempotent(visible_dir):
    from nbgrader.api import Gradebook

    root = make_course(visible_dir / "course", TEST_LIMITS + "\nc.Execute.timeout = 30\n"
                       "c.SandboxedExecute.notebook_timeout = 60\n")
    submit(root, "a-first", honest(root))
    submit(root, "b-slow", honest(root, extra_cells=["import time\ntime.sleep(4)"]))
    submit(root, "c-last", honest(root))
    proc = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
                            cwd=root, env=pipeline._env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    note_grader(proc.pid)
    try:
        deadline = time.monotonic() + 90
        while not (sandbox_processes() and (root / "autograded" / "b-slow").exists()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)  # b-slow's kernel is inside its sleeping cell now
        os.killpg(proc.pid, signal.SIGKILL)  # the grader dies mid-batch
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    for _ in range(50):  # bwrap --die-with-parent takes the kernel down with the grader
        if not sandbox_processes():
            break
        time.sleep(0.1)
    assert sandbox_processes() == []
    assert scores(root).get("a-first") == FULL_MARKS  # committed before the crash
    assert scores(root).get("b-slow") in (None, 0.0)

    # a grader adds a manual grade to a-first; the rerun must keep it and not regrade a-first
    url = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.find_grade("square-test", NB, ASSIGNMENT, "a-first").manual_score = 1.5
        gb.db.commit()
    with recording_our_graders():
        rerun = pipeline.autograde(root)  # reaps what the killed grader left
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert "Skipping existing assignment" in rerun.stderr  # a-first
    got = scores(root)
    assert got["b-slow"] == FULL_MARKS and got["c-last"] == FULL_MARKS  # b-slow regraded
    with Gradebook(url) as gb:
        grade = gb.find_grade("square-test", NB, ASSIGNMENT, "a-first")
        assert grade.manual_score == 1.5 and grade.auto_score == 2.0
    with recording_our_graders():
        third = pipeline.autograde(root)  # nothing left to do
    assert third.stderr.count("Skipping existing assignment") == 3
    assert leftovers() == []  # the killed grader's directories, cgroups and uids included
