"""What this test run's graders made, and nothing of another grading run on the same machine.

The graders of this run are this pytest process and the processes it starts (an ``nbgrader
autograde`` subprocess, ...). While they run, they are found as descendants of this process;
:func:`recording_our_graders` also remembers them, so that what one leaves behind after it died
(a SIGKILL) is still recognised as ours: sandbox directories and cgroups carry their grader in
their name (``nbgrader-sandbox-<pid>-<start>-...``) and uid reservations in their file.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from pathlib import Path

from course_grader.sandbox.cgroups import SANDBOX_PREFIX, _cgroup_parents
from course_grader.sandbox.owner import start_time_of, this_grader, token_in_name
from course_grader.sandbox.uids import reserved_uids

SANDBOX_UID_MIN = 1_900_000_000

#: owner tokens (``<pid>-<start>``) of this run's graders, alive or dead
OUR_GRADERS: set[str] = {this_grader()}


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, owner token) of every process on the host."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            with open(f"/proc/{entry.name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            table[int(entry.name)] = (int(fields[1]), f"{entry.name}-{fields[19]}")
    return table


def _descendants(table: dict[int, tuple[int, str]], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _note_our_graders() -> set[int]:
    table = _process_table()
    ours = _descendants(table, os.getpid())
    OUR_GRADERS.update(table[pid][1] for pid in ours if pid in table)
    return ours


@contextlib.contextmanager
def recording_our_graders(interval: float = 0.2):
    """Remember every process this run starts while the block runs (every ``interval`` s)."""
    stop = threading.Event()

    def watch():
        while not stop.wait(interval):
            _note_our_graders()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield OUR_GRADERS
    finally:
        stop.set()
        thread.join()
        _note_our_graders()


def note_grader(pid: int) -> None:
    """Count process ``pid`` (started by this run) as one of its graders."""
    OUR_GRADERS.add(f"{pid}-{start_time_of(pid)}")


def _cgroup_owner(pid: int) -> str | None:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cgroup") as fh:
        for line in fh:
            owner = token_in_name(os.path.basename(line.strip()), SANDBOX_PREFIX)
            if owner:
                return owner
    return None


def sandbox_processes() -> list[str]:
    """``uid pid args`` of every process running as a sandbox uid that belongs to this run:
    started by it (a descendant of this process), running as a uid one of its graders
    reserved, or inside a cgroup of one of its graders."""
    ours = _note_our_graders()
    ours_uids = {uid for uid, owner in reserved_uids().items() if owner in OUR_GRADERS}
    ps = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True)
    found = []
    for line in ps.stdout.splitlines():
        fields = line.split()
        if len(fields) < 2 or int(fields[0]) < SANDBOX_UID_MIN:
            continue
        uid, pid = int(fields[0]), int(fields[1])
        if pid in ours or uid in ours_uids or _cgroup_owner(pid) in OUR_GRADERS:
            found.append(line)
    return found


def all_sandbox_processes() -> list[str]:
    """Every process on the host running as a sandbox uid, whoever started it."""
    ps = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True)
    return [line for line in ps.stdout.splitlines()
            if line.split() and int(line.split()[0]) >= SANDBOX_UID_MIN]


def leftovers(*bases: str | os.PathLike) -> list[str]:
    """Sandbox directories (in TMPDIR and ``bases``), kernel cgroups and uid reservations
    of this run's graders that still exist."""
    _note_our_graders()
    found = []
    dirs = {tempfile.gettempdir(), os.environ.get("TMPDIR", "/tmp"), *map(str, bases)}
    for parent in [*dirs, *_cgroup_parents()]:
        with contextlib.suppress(OSError):
            found += [str(p) for p in Path(parent).glob(f"{SANDBOX_PREFIX}*")
                      if token_in_name(p.name, SANDBOX_PREFIX) in OUR_GRADERS]
    found += [f"uid reservation {uid} ({owner})" for uid, owner in reserved_uids().items()
              if owner in OUR_GRADERS]
    return found
