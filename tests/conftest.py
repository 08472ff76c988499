"""Shared fixtures: real nbgrader course copies, graded once for the whole session.

One batch grades honest students (the full solution, the blank release, the known mistakes of
``tests/mistakes`` in bundles, an honest peer, and two answers that raise a warning: a correct
one and a wrong one) together with the attackers of ``tests/adversarial``,
so the attacks are proven against the same run whose honest scores the tests assert.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from course_grader import pipeline
from tests.adversarial import (
    NOTEBOOK_SECONDS,
    PEER,
    PEER_NOTEBOOK,
    Secrets,
    all_attacks,
    plant_secrets,
    submit_peer,
)
from tests.adversarial.probes import HOST_ADDRESS, LISTENER_PORT
from tests.mistakes import all_mistakes, graded_submissions

SOLUTIONS = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT
NOTEBOOKS = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
FULL = "full-solution"
BLANK = "blank-release"

# Two honest students whose answer raises a warning when it runs (tests/test_one_verdict.py):
# under nbgrader a warning is a note on stdout, so the correct one passes Validate and gets full
# marks, and the wrong one fails both.
WARNING_NOTEBOOK = "02_moving_average"
_WARNS = '''import warnings


def ema(values, beta=0.9):
    warnings.warn("this ema is written with a Python loop", RuntimeWarning)
    theta = np.asarray(values, dtype=np.float64)
    v = np.zeros(len(theta))
    v_prev = 0.0
    for i, theta_t in enumerate(theta):
        v_prev = beta * v_prev + (1.0 - beta) * theta_t
        v[i] = v_prev
    return v
'''
WARNS = pipeline.Mistake(student="warns-right", notebook=WARNING_NOTEBOOK,
                         answers={"ema-ema": _WARNS})
WARNS_WRONG = pipeline.Mistake(
    student="warns-wrong", notebook=WARNING_NOTEBOOK,
    answers={"ema-ema": _WARNS.replace("(1.0 - beta) * theta_t", "beta * theta_t")},
    loses=frozenset({"ema-ema-test"}))
WARNING_STUDENTS = (WARNS, WARNS_WRONG)


SHARDS = 2  # course copies graded at the same time (the CI machine has 2 cores)
# The batch grades with a per-cell limit of 30 s instead of the course's 60 s: the two looping
# attackers (busy loops) then burn half the CPU time, and every other cell still finishes far
# inside it (the slowest, a setup cell importing TensorFlow, takes a few seconds).
CELL_LIMIT_SECONDS = 30

_SUMMARY: dict = {}  # the graded batch's summary, printed at the end of the session


def chromium_or_skip() -> str:
    """The path of Debian's chromium (the browser the tests drive), or a skip naming what to
    install."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return chromium


class Listener:
    """A TCP service on every address of the grading host that no student may reach."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.address = _host_address()
        self.hits: list = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                return
            self.hits.append(addr)
            conn.close()


def _host_address() -> str:
    """The host's own non-loopback address (no packet is sent), else a loopback alias."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.2"


def submission_digests(course: Path) -> dict[str, str]:
    """student -> SHA-256 over every file (names and bytes) of its submitted folder."""
    out = {}
    for folder in sorted((Path(course) / "submitted").glob(f"*/{pipeline.ASSIGNMENT}")):
        h = hashlib.sha256()
        for p in sorted(folder.rglob("*")):
            h.update(str(p.relative_to(folder)).encode())
            if p.is_file():
                h.update(p.read_bytes())
        out[folder.parent.name] = h.hexdigest()
    return out


class GradedCourse:
    """Course copies after generate + submit + autograde, with what the tests look at.

    ``path`` is the copy holding the full solution, the blank release and the honest peer; the
    known mistakes and the attackers are spread over all copies (``course_of``). ``scores``
    merges every copy's gradebook.
    """

    def __init__(self, paths, scores, procs, seconds: float, mistakes):
        self.path = paths[0]
        self.paths = paths
        self.scores = scores
        self.procs = procs
        self.seconds = seconds
        self.mistakes = mistakes
        # the catalogue is graded in bundles (tests.mistakes.graded_submissions)
        self.submissions, self.graded_as = graded_submissions(mistakes)
        self.warning_students = WARNING_STUDENTS
        self.attacks = []
        self.course_of: dict[str, Path] = {}
        self.secrets: Secrets | None = None
        self.listener: Listener | None = None
        self.digests_before: dict[str, str] = {}
        self.expected_failures: set[str] = set()
        self.retried: dict[str, int] = {}
        self.summary: dict = {}


def _assign(jobs, load: list[float]) -> list[int]:
    """Put each ``(cost, pinned shard or None)`` job in a copy: pinned ones where they must
    go, the others (most expensive first) in the copy with the least estimated work."""
    where = [-1] * len(jobs)
    for i, (cost, shard) in enumerate(jobs):
        if shard is not None:
            where[i] = shard
            load[shard] += cost
    for i in sorted(range(len(jobs)), key=lambda i: -jobs[i][0]):
        if where[i] < 0:
            where[i] = load.index(min(load))
            load[where[i]] += jobs[i][0]
    return where


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory) -> GradedCourse:
    """Generate the release; submit the full solution, the blank release, every known mistake,
    an honest peer, the two warning students and every attack as separate students; autograde
    them all in one batch (``SHARDS`` course copies graded in parallel)."""
    root = tmp_path_factory.mktemp("grading")
    courses = [pipeline.prepare_course(root / f"course{i}") for i in range(SHARDS)]
    for course in courses:
        with (course / "nbgrader_config.py").open("a") as fh:
            fh.write(f"\nc.Execute.timeout = {CELL_LIMIT_SECONDS}\n")
            # 1.5 GiB per kernel (every notebook's solution grades in it, TensorFlow's
            # included): the memory bomb fills it in seconds, not the default 4 GiB in 30
            # on a machine that hands out fresh memory slowly
            fh.write("c.SandboxKernelManager.memory_limit = 1536 * 1024**2\n")
    mistakes = all_mistakes()
    submissions, _ = graded_submissions(mistakes)
    attacks = all_attacks()
    secrets = Secrets.fresh()
    listener = Listener()
    substitutions = {LISTENER_PORT: str(listener.port), HOST_ADDRESS: listener.address}
    first = courses[0]
    for course in courses:
        plant_secrets(course, secrets)
    pipeline.submit(first, FULL, {n: pipeline.solved_notebook(first, n) for n in NOTEBOOKS})
    pipeline.submit(first, BLANK, {n: pipeline.release_notebook(first, n) for n in NOTEBOOKS})
    submit_peer(first, secrets)  # next to the snooping attackers (pinned to the first copy)
    load = [0.0] * SHARDS
    load[0] = 1.5 * sum(NOTEBOOK_SECONDS.values()) + NOTEBOOK_SECONDS[PEER_NOTEBOOK]
    honest = [*submissions, *WARNING_STUDENTS]
    jobs = ([(NOTEBOOK_SECONDS[m.notebook], None) for m in honest]
            + [(a.cost, a.shard) for a in attacks])
    where = _assign(jobs, load)
    course_of = {FULL: first, BLANK: first, PEER: first}
    for m, shard in zip(honest, where, strict=False):
        course = courses[shard]
        course_of[m.student] = course
        pipeline.submit(course, m.student,
                        {m.notebook: pipeline.solved_notebook(course, m.notebook, m.answers)})
    for a, shard in zip(attacks, where[len(honest):], strict=True):
        course_of[a.student] = courses[shard]
        a.submit(courses[shard], substitutions)
    digests = {}
    for course in courses:
        digests.update(submission_digests(course))
    expected_failures = {a.student for a in attacks if not a.graded and not a.omit_notebook}

    start = time.perf_counter()
    procs = pipeline.autograde_parallel(courses)
    batch_seconds = time.perf_counter() - start
    for course, proc in zip(courses, procs, strict=True):
        (course / "autograde.log").write_text(proc.stdout + proc.stderr)
    # A kernel that fails to start (a ZeroMQ port taken by the other batch between choosing
    # and binding it, nbgrader issue #174) fails that one submission as a whole. Such a
    # student is graded once more, alone; a real grading failure fails twice and shows up
    # in the score assertions below. Submissions that must fail (a notebook that is not
    # JSON) are not retried.
    retried = {}
    for course in courses:
        for student in pipeline.ungraded_students(course):
            if student in expected_failures:
                continue
            proc = pipeline.autograde(course, "--student", student)
            (course / f"autograde-retry-{student}.log").write_text(proc.stdout + proc.stderr)
            retried[student] = proc.returncode
    seconds = time.perf_counter() - start
    scores = {}
    for course in courses:
        scores.update(pipeline.cell_scores(course))

    graded = GradedCourse(courses, scores, procs, seconds, mistakes)
    graded.attacks = attacks
    graded.course_of = course_of
    graded.secrets = secrets
    graded.listener = listener
    graded.digests_before = digests
    graded.expected_failures = expected_failures
    graded.retried = retried
    per_copy = [{"course": str(c), "students": sum(1 for s in course_of.values() if s == c),
                 "estimated_seconds": round(load[i])} for i, c in enumerate(courses)]
    graded.summary = {
        "batch_seconds": round(batch_seconds, 1),
        "seconds_with_retries": round(seconds, 1),
        "students": len(course_of),
        "honest_students": 3 + len(honest),
        "known_mistakes": len(mistakes),
        "attackers": len(attacks),
        "graded_notebooks": 2 * len(NOTEBOOKS) + 1 + len(honest)
        + sum(1 for a in attacks if not a.omit_notebook),
        "copies": per_copy,
        "retried": retried,
    }
    (root / "batch-summary.json").write_text(json.dumps(graded.summary, indent=2))
    _SUMMARY.update(graded.summary)
    return graded


def pytest_terminal_summary(terminalreporter):
    """Say how long the graded batch took, when this session graded one."""
    if _SUMMARY:
        s = _SUMMARY
        terminalreporter.write_sep("-", "graded batch")
        terminalreporter.write_line(
            f"{s['students']} students ({s['honest_students']} honest, of them "
            f"{s['known_mistakes']} known mistakes in bundles; {s['attackers']} "
            f"attackers), {s['graded_notebooks']} notebooks in {len(s['copies'])} parallel "
            f"copies: {s['batch_seconds']} s ({s['seconds_with_retries']} s with retries)")
