"""Memory and task limits for a whole kernel process tree (cgroup v1 or v2, best effort), and
the removal of what a killed grader left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from course_grader.sandbox.owner import is_running, token_in_name
from course_grader.sandbox.uids import reap_stale_reservations


class _Cgroup:
    """A per-kernel cgroup nested under the grader's own cgroup, created when the host allows.

    cgroup v1: one directory in the ``memory`` and one in the ``pids`` hierarchy.
    cgroup v2: one directory, if ``memory``/``pids`` can be enabled for the grader's subtree.
    Limits: ``memory.limit_in_bytes``/``memory.max`` (and swap) and ``pids.max``.
    """

    def __init__(self, name: str, memory_bytes: int | None, max_pids: int | None, log):
        self.name = name
        self.memory_bytes = memory_bytes
        self.max_pids = max_pids
        self.log = log
        self.dirs: list[str] = []
        self.applied: dict[str, str] = {}

    @staticmethod
    def _mounts() -> tuple[dict[str, str], str | None]:
        v1, v2 = {}, None
        with open("/proc/self/mountinfo") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                fstype, _source, options = (right.split() + ["", "", ""])[:3]
                mountpoint = left.split()[4]
                if fstype == "cgroup2" and v2 is None:
                    v2 = mountpoint
                elif fstype == "cgroup":
                    for opt in options.split(","):
                        if opt in ("memory", "pids"):
                            v1[opt] = mountpoint
        return v1, v2

    @staticmethod
    def _own_paths() -> tuple[dict[str, str], str | None]:
        v1, v2 = {}, None
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                hid, controllers, path = line.rstrip("\n").split(":", 2)
                if hid == "0" and controllers == "":
                    v2 = path
                for c in controllers.split(","):
                    if c in ("memory", "pids"):
                        v1[c] = path
        return v1, v2

    @staticmethod
    def _write(path: str, value: str) -> None:
        with open(path, "w") as fh:
            fh.write(value)

    def create(self) -> list[str]:
        """Create the cgroup(s); return the ``cgroup.procs`` files the launcher must join."""
        procs: list[str] = []
        wanted = {"memory": self.memory_bytes, "pids": self.max_pids}
        wanted = {k: v for k, v in wanted.items() if v}
        if not wanted:
            return procs
        try:
            mounts_v1, mount_v2 = self._mounts()
            own_v1, own_v2 = self._own_paths()
        except OSError as e:
            self.log.warning("Sandbox: cannot read cgroup information (%s).", e)
            return procs
        for controller in list(wanted):
            if controller in mounts_v1 and controller in own_v1:
                d = os.path.join(mounts_v1[controller] + own_v1[controller], self.name)
                try:
                    os.makedirs(d, exist_ok=True)
                    self.dirs.append(d)
                    if controller == "memory":
                        self._write(os.path.join(d, "memory.limit_in_bytes"), str(wanted["memory"]))
                        memsw = os.path.join(d, "memory.memsw.limit_in_bytes")
                        if os.path.exists(memsw):
                            self._write(memsw, str(wanted["memory"]))
                    else:
                        self._write(os.path.join(d, "pids.max"), str(wanted["pids"]))
                    procs.append(os.path.join(d, "cgroup.procs"))
                    self.applied[controller] = f"cgroup v1 {d}"
                    del wanted[controller]
                except OSError as e:
                    self.log.warning("Sandbox: cgroup v1 %s limit not applied (%s).", controller, e)
        if wanted and mount_v2 and own_v2 is not None:
            parent = mount_v2 + own_v2.rstrip("/")
            d = os.path.join(parent, self.name)
            try:
                with contextlib.suppress(OSError):
                    self._write(
                        os.path.join(parent, "cgroup.subtree_control"),
                        " ".join(f"+{c}" for c in wanted),
                    )
                os.makedirs(d, exist_ok=True)
                self.dirs.append(d)
                available = Path(d, "cgroup.controllers").read_text().split()
                for controller in list(wanted):
                    if controller not in available:
                        continue
                    if controller == "memory":
                        self._write(os.path.join(d, "memory.max"), str(wanted["memory"]))
                        with contextlib.suppress(OSError):
                            self._write(os.path.join(d, "memory.swap.max"), "0")
                    else:
                        self._write(os.path.join(d, "pids.max"), str(wanted["pids"]))
                    self.applied[controller] = f"cgroup v2 {d}"
                    del wanted[controller]
                if any(c in self.applied and "v2" in self.applied[c] for c in ("memory", "pids")):
                    procs.append(os.path.join(d, "cgroup.procs"))
            except OSError as e:
                self.log.warning("Sandbox: cgroup v2 limits not applied (%s).", e)
        for controller in wanted:
            self.log.info(
                "Sandbox: no writable cgroup for %s; relying on rlimits for it.", controller
            )
        return procs

    def remove(self) -> None:
        for d in reversed(self.dirs):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                self.log.warning("Sandbox: could not remove cgroup %s.", d)
        self.dirs = []


SANDBOX_PREFIX = "nbgrader-sandbox-"


def _sandbox_owner(path: str) -> str | None:
    """The grader that made a sandbox directory: from its name, or (older graders) its
    ``owner`` file; None if unknown."""
    token = token_in_name(os.path.basename(path), SANDBOX_PREFIX)
    if token is None:
        try:
            pid, started = Path(path, "owner").read_text().split()
        except (OSError, ValueError):
            return None
        token = f"{pid}-{started}"
    return token


def _reap_stale_sandboxes(base: str, log) -> None:
    """Remove sandbox directories, cgroups and uid reservations left behind by a grader that
    was killed; never anything of a grader that still runs.

    (Its kernels died with it: bwrap runs with ``--die-with-parent``.)
    """
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith(SANDBOX_PREFIX)]
    except OSError:
        entries = []
    for entry in entries:
        owner = _sandbox_owner(entry.path)
        if owner is None or is_running(owner):
            continue  # its grader is still running (or the directory is not a sandbox's)
        log.info("Sandbox: removing %s, left behind by grader process %s.",
                 entry.path, owner.split("-")[0])
        _remove_sandbox_dir(entry.path)
        _remove_cgroups(entry.name, log)  # named like the directory
    _reap_stale_cgroups(log)
    with contextlib.suppress(OSError):
        reap_stale_reservations()


def _cgroup_parents() -> list[str]:
    """The cgroup directories (v1 memory and pids, v2) that this grader's kernels' cgroups
    are created in."""
    parents = []
    with contextlib.suppress(OSError):
        mounts_v1, mount_v2 = _Cgroup._mounts()
        own_v1, own_v2 = _Cgroup._own_paths()
        for c in ("memory", "pids"):
            if c in mounts_v1 and c in own_v1:
                parents.append(mounts_v1[c] + own_v1[c])
        if mount_v2 and own_v2 is not None:
            parents.append(mount_v2 + own_v2.rstrip("/"))
    return list(dict.fromkeys(os.path.normpath(p) for p in parents))


def _remove_cgroups(name: str, log) -> None:
    cg = _Cgroup(name, 1, 1, log)
    cg.dirs = [d for d in (os.path.join(p, name) for p in _cgroup_parents()) if os.path.isdir(d)]
    cg.remove()


def _kill_tasks(cgroup_dir: str) -> None:
    """SIGKILL every process in a cgroup, until it is empty (at most about a second)."""
    for _ in range(50):
        try:
            pids = [int(p) for p in Path(cgroup_dir, "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def _reap_stale_cgroups(log) -> None:
    """Remove the kernels' cgroups of graders that died, found by the owner in their names
    (``nbgrader-sandbox-<pid>-<start>-<random>``), whether or not their sandbox directory is
    still there. A task still inside can only be the dead grader's sandboxed code: killed."""
    for parent in _cgroup_parents():
        try:
            names = [e.name for e in os.scandir(parent) if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for name in names:
            owner = token_in_name(name, SANDBOX_PREFIX)
            if owner is None or is_running(owner):
                continue  # a live grader's, or named by an older grader (reaped with its dir)
            d = os.path.join(parent, name)
            log.info("Sandbox: removing cgroup %s, left behind by grader process %s.",
                     d, owner.split("-")[0])
            _kill_tasks(d)
            cg = _Cgroup(name, 1, 1, log)
            cg.dirs = [d]
            cg.remove()


def _remove_sandbox_dir(path: str) -> None:
    """Unmount the sandbox's tmpfs (if it is one) and remove the directory."""
    if os.path.ismount(path):
        subprocess.run([shutil.which("umount") or "umount", "-l", path],
                       capture_output=True, check=False)
    shutil.rmtree(path, ignore_errors=True)


