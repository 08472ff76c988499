"""Graders that share a machine: uids never collide, what a killed grader left is reaped
(directories, cgroups, uid reservations), a live grader's things are never touched, and the
sandbox tests count only what their own run made (``tests/own_run.py``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_grader.sandbox.owner import this_grader
from course_grader.sandbox.uids import reap_stale_reservations, reserved_uids, try_reserve
from tests.own_run import (
    all_sandbox_processes,
    leftovers,
    recording_our_graders,
    sandbox_processes,
)

REPO = Path(__file__).resolve().parents[1]

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the grading sandbox needs root (CI runs as root)"
)

# Reserves every uid of a small range that it can, as soon as the file `go` exists; prints
# them; holds them until its stdin closes.
RESERVER = r"""
import json, os, sys, time
from course_grader.sandbox.uids import try_reserve
lock_dir, go, base, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
while not os.path.exists(go):
    time.sleep(0.001)
held = [r for r in (try_reserve(uid, lock_dir) for uid in range(base, base + count)) if r]
print(json.dumps([r.uid for r in held]), flush=True)
sys.stdin.read()
"""


def _python(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, **kw)


def test_concurrent_graders_reserve_disjoint_uids(tmp_path):
    lock_dir, go = tmp_path / "uids", tmp_path / "go"
    base, count = 1_900_000_000, 48
    procs = [_python(RESERVER, str(lock_dir), str(go), str(base), str(count)) for _ in range(4)]
    try:
        time.sleep(0.5)  # all four started and waiting
        go.touch()
        got = [set(json.loads(p.stdout.readline())) for p in procs]
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=30)
    for i, mine in enumerate(got):
        for other in got[i + 1:]:
            assert not mine & other, "two graders reserved the same uid"
    assert set().union(*got) == set(range(base, base + count))  # every uid went to someone


def test_a_dead_graders_uids_are_free_again_and_a_live_graders_are_not(tmp_path):
    lock_dir = str(tmp_path / "uids")
    uid = 1_900_000_007
    mine = try_reserve(uid, lock_dir)
    assert mine is not None and try_reserve(uid, lock_dir) is None  # not even this process
    assert reserved_uids(lock_dir) == {uid: this_grader()}
    assert reap_stale_reservations(lock_dir) == []  # held: untouched
    mine.release()
    assert reserved_uids(lock_dir) == {}

    holder = _python("import sys\nfrom course_grader.sandbox.uids import try_reserve\n"
                     "r = try_reserve(int(sys.argv[2]), sys.argv[1])\nprint(r.uid, flush=True)\n"
                     "sys.stdin.read()", lock_dir, str(uid))
    assert holder.stdout.readline().strip() == str(uid)
    assert try_reserve(uid, lock_dir) is None
    holder.kill()  # SIGKILL: the file stays, its lock goes with the process
    holder.wait()
    assert uid in reserved_uids(lock_dir)
    assert reap_stale_reservations(lock_dir) == [uid]
    again = try_reserve(uid, lock_dir)
    assert again is not None
    again.release()


# A grader: one sandbox with a sandboxed `sleep` as its kernel, plus a stray task in the
# kernel's cgroups that does not die with the grader (it stands for sandboxed code that got
# past --die-with-parent). With "detach" it is not a descendant of the test: another run.
GRADER = r"""
import json, logging, os, subprocess, sys
if sys.argv[2] == "detach" and os.fork():
    os._exit(0)
from course_grader.sandbox.jail import _Limits, _Sandbox
sb = _Sandbox(workdir="", hide=["/root", "/home"], expose=[], tmpfs=["/tmp"],
              limits=_Limits(None, 256 * 2**20, 64, None, None, None, 16 * 2**20, 16 * 2**20),
              network=False, exclude=[], log=logging.getLogger("grader"))
sb.create(sys.argv[1], 1_900_000_000, 65536)
kernel = subprocess.Popen(sb.command(["sleep", "600"], {"PATH": "/usr/bin:/bin"}))
join = 'while [ "$1" != "--" ]; do echo 0 > "$1" || exit 125; shift; done; shift; exec "$@"'
stray = subprocess.Popen(
    [sb.tools["sh"], "-c", join, "stray", *sb.cgroup_procs, "--", sb.tools["setpriv"],
     f"--reuid={sb.uid}", f"--regid={sb.gid}", "--clear-groups", "sleep", "600"],
    start_new_session=True)
from course_grader.sandbox.owner import this_grader
print(json.dumps({"owner": this_grader(), "root": sb.root, "uid": sb.uid, "cgroups": sb.cgroup.dirs,
                  "stray": stray.pid}), flush=True)
sys.stdin.read()
kernel.kill(); stray.kill(); kernel.wait(); stray.wait()
sb.destroy()
"""


def _start_grader(base: Path, mode: str) -> tuple[subprocess.Popen, dict]:
    proc = _python(GRADER, str(base), mode, start_new_session=True)
    info = json.loads(proc.stdout.readline())
    deadline = time.monotonic() + 30
    while not all(Path(d, "cgroup.procs").read_text().split() for d in info["cgroups"]):
        assert time.monotonic() < deadline, "the stray task never joined its cgroups"
        time.sleep(0.05)
    return proc, info


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _next_run(base: Path) -> None:
    """A new grader run in this process: building a sandbox reaps what dead graders left."""
    import logging

    from course_grader.sandbox.jail import _Limits, _Sandbox
    sb = _Sandbox(workdir="", hide=[], expose=[], tmpfs=[], network=False, exclude=[],
                  limits=_Limits(None, 256 * 2**20, 64, None, None, None, 2**20, 2**20),
                  log=logging.getLogger("next-run"))
    sb.create(str(base), 1_900_000_000, 65536)
    sb.destroy()


@needs_root
def test_a_killed_graders_leftovers_are_reaped_and_a_live_graders_are_not(tmp_path):
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir(mode=0o711)
    other, b = _start_grader(shared, "detach")  # another grading run on the machine
    with recording_our_graders():
        killed, a = _start_grader(shared, "stay")  # one of this run's graders
    try:
        assert b["cgroups"] and a["cgroups"], "this test needs a writable memory or pids cgroup"
        # The other run's sandboxed processes are on the machine, but are not this run's ...
        assert any(f" {b['stray']} " in f" {line} " for line in all_sandbox_processes())
        assert not any(f" {b['stray']} " in f" {line} " for line in sandbox_processes())
        # ... while this run's are seen, also once their grader is dead (SIGKILL)
        assert any(f" {a['stray']} " in f" {line} " for line in sandbox_processes())
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        assert any(f" {a['stray']} " in f" {line} " for line in sandbox_processes())
        # its directory, its cgroups and its uid reservation
        assert sorted(leftovers(shared)) == sorted(
            [a["root"], *a["cgroups"], f"uid reservation {a['uid']} ({a['owner']})"])

        _next_run(elsewhere)  # another TMPDIR: the cgroups and the uid go, the directory stays
        assert not any(os.path.exists(d) for d in a["cgroups"])
        assert not _alive(a["stray"])
        assert a["uid"] not in reserved_uids()
        assert leftovers(shared) == [a["root"]]
        _next_run(shared)
        assert not os.path.exists(a["root"])
        assert leftovers(shared) == [] and sandbox_processes() == []

        # the live grader's sandbox was never touched
        assert os.path.isdir(b["root"]) and all(os.path.isdir(d) for d in b["cgroups"])
        assert _alive(b["stray"]) and reserved_uids().get(b["uid"]) == b["owner"]
    finally:
        for p in (killed, other):
            if p.poll() is None:
                p.kill()
        other.stdin.close()  # the other run finishes and cleans up after itself
    deadline = time.monotonic() + 30
    while os.path.exists(b["root"]) or _alive(b["stray"]) or b["uid"] in reserved_uids():
        assert time.monotonic() < deadline, "the other run did not clean up after itself"
        time.sleep(0.05)
