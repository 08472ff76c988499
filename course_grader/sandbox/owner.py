"""Which grader process owns a sandbox, a uid reservation or a cgroup, and whether it still runs.

An owner is a process id plus that process's start time (field 22 of ``/proc/<pid>/stat``, in
clock ticks since boot), so that a pid the kernel has handed out again is never mistaken for
the grader that once had it. Names carry it as ``<pid>-<start>``.
"""

from __future__ import annotations

import os


def start_time_of(pid: int) -> str:
    """Start time of a process ("" if it does not exist)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def this_grader() -> str:
    """The owner token of this process: ``<pid>-<start time>``."""
    pid = os.getpid()
    return f"{pid}-{start_time_of(pid)}"


def is_running(token: str) -> bool:
    """True if the process the token names is still running (same pid, same start time)."""
    pid, _, started = token.partition("-")
    return pid.isdigit() and start_time_of(int(pid)) == started


def token_in_name(name: str, prefix: str) -> str | None:
    """The owner token in ``<prefix><pid>-<start>-<suffix>``; None for any other name."""
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix):].split("-")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return f"{parts[0]}-{parts[1]}"
