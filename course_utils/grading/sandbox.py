"""Sandboxed kernels for ``nbgrader autograde``.

Student code runs in a Jupyter kernel. Without a sandbox that kernel runs as the grader (root in
CI), with the grader's network, files (``gradebook.db``, ``source/``, every other submission) and
no resource limits. This module puts every kernel in a sandbox built from well-kept Linux tools:

* ``bwrap`` (bubblewrap, Debian package ``bubblewrap``) makes new PID, network, IPC, UTS and
  mount namespaces. The root file system is mounted read-only; the home directories, temporary
  directories, ``/run``, the course directory, the gradebook and the exchange are covered by
  empty file systems; only the Python installation and the packages the notebooks import are
  put back (read-only). The kernel works in a private copy of the notebook's directory.
* ``prlimit`` (util-linux) sets resource limits: address space, processes, CPU seconds, file
  size, open files, no core dumps.
* ``setpriv`` (util-linux) drops to a fresh unprivileged uid/gid (a new one per kernel, with no
  capabilities, no supplementary groups and ``no_new_privs``).
* A cgroup (v1, or v2 when delegated) caps the memory and the number of tasks of the whole
  kernel process tree when the host lets us create one; otherwise only the rlimits apply.
* The kernel talks to the grader over ZeroMQ ``ipc`` sockets (Unix sockets in a directory shared
  with the sandbox), because the sandbox has no network, not even the host's loopback.

Two classes plug this into nbgrader (``nbgrader_config.py``)::

    c.Autograde.autograde_preprocessors = [
        "course_utils.grading.sandbox.SandboxedExecute", ...]    # instead of Execute

:class:`SandboxKernelManager` is the jupyter_client kernel manager that launches kernels inside
the sandbox. :class:`SandboxedExecute` is nbgrader's ``Execute`` preprocessor with that manager
plus a wall-clock budget per notebook, recovery from kernels that die or ignore interrupts (a
fresh sandboxed kernel replays the cells that already ran and grading goes on), a cap on the
output kept per cell, and ``stderr`` in graded cells recorded without costing points.

Run ``python -m course_utils.grading.sandbox --check`` to see what the sandbox enforces on the
current machine.
"""

from __future__ import annotations

import collections
import contextlib
import fnmatch
import grp
import json
import os
import pwd
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Dict, Integer, List, Unicode, default

__all__ = [
    "SandboxError",
    "SandboxKernelManager",
    "SandboxedExecute",
    "check_tools",
]

GiB = 1024**3
MiB = 1024**2

#: Debian packages that provide the tools (util-linux is "Essential" on Debian, bubblewrap is not).
APT_PACKAGES = ("bubblewrap", "util-linux")

_TOOLS = {
    "bwrap": "bubblewrap",
    "prlimit": "util-linux",
    "setpriv": "util-linux",
    "env": "coreutils",
    "sh": "dash",
    "mount": "mount",
    "umount": "mount",
}


class SandboxError(RuntimeError):
    """The sandbox cannot be set up; grading refuses to run student code unsandboxed."""


def check_tools() -> dict[str, str]:
    """Return the absolute paths of the tools the sandbox needs.

    Raises
    ------
    SandboxError
        If a tool is missing or the grader is not root (bubblewrap without root would need
        unprivileged user namespaces, and ``setpriv`` needs ``CAP_SETUID`` to drop to the
        sandbox user).
    """
    found = {}
    for tool, package in _TOOLS.items():
        path = shutil.which(tool, path=os.environ.get("PATH", os.defpath) + ":/usr/bin:/bin")
        if path is None:
            raise SandboxError(
                f"`{tool}` was not found. The grading sandbox needs it.\n"
                f"Hint: install the Debian package `{package}` (apt-get install {package})."
            )
        found[tool] = path
    if os.geteuid() != 0:
        raise SandboxError(
            "The grading sandbox must be started by root (it creates namespaces and drops to a "
            f"fresh unprivileged uid for every kernel). Received: euid={os.geteuid()}.\n"
            "Hint: run `nbgrader autograde` as root (CI does), e.g. with sudo."
        )
    return found


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _norm(path: str | os.PathLike) -> str:
    return os.path.normpath(os.path.abspath(os.fspath(path)))


def _is_within(path: str, parent: str) -> bool:
    """True if ``path`` is ``parent`` or below it (both normalised, absolute)."""
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _process_uids() -> dict[int, set[int]]:
    """pid -> {real, effective, saved, filesystem uid} of every process on the host."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        found[int(entry.name)] = {int(x) for x in line.split()[1:]}
                        break
        except OSError:
            continue
    return found


def _pids_of_uid(uid: int) -> list[int]:
    return [pid for pid, uids in _process_uids().items() if uid in uids]


_UID_RANDOM = random.SystemRandom()  # never affected by code that seeds `random`


#: uids this process handed out lately: a notebook's kernel and its re-check kernel start at
#: the same time and must never share a uid, even before either runs a process.
_RECENT_UIDS: collections.deque[int] = collections.deque(maxlen=64)
_UID_LOCK = threading.Lock()


def _pick_uid(base: int, count: int) -> int:
    with _UID_LOCK:
        uid = _pick_free_uid(base, count, set(_RECENT_UIDS))
        _RECENT_UIDS.append(uid)
        return uid


def _pick_free_uid(base: int, count: int, recent: set[int]) -> int:
    used = set().union(*_process_uids().values()) | recent
    for _ in range(1000):
        uid = base + _UID_RANDOM.randrange(count)
        if uid in used:
            continue
        with contextlib.suppress(KeyError):
            pwd.getpwuid(uid)
            continue
        with contextlib.suppress(KeyError):
            grp.getgrgid(uid)
            continue
        return uid
    raise SandboxError(f"No free sandbox uid in [{base}, {base + count}).")


# One lookup, used twice: in this process, and as a script in a fresh interpreter.
_FIND_DIRS = """
import importlib.util, json, os, sys

def find_dirs(names):
    out = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        if spec.submodule_search_locations:
            out.extend(str(p) for p in spec.submodule_search_locations)
        elif spec.origin and os.path.isabs(spec.origin):
            out.append(os.path.dirname(spec.origin))
    return out

if __name__ == "__main__":
    print(json.dumps(find_dirs(sys.argv[1:])))
"""
_find_ns: dict = {"__name__": "course_utils.grading.sandbox._find_dirs"}
exec(_FIND_DIRS, _find_ns)  # defines find_dirs without running the script part
_find_dirs_here = _find_ns["find_dirs"]


def _module_dirs(names: list[str]) -> list[str]:
    """Directories that hold the named top-level packages or modules (without importing them).

    Looked up twice: in this process, and in a fresh interpreter started outside any course
    directory, which resolves them as a kernel does (a kernel does not see the grader's
    working directory, and an editable install may point elsewhere than a copy found there).
    """
    import json
    import subprocess

    dirs = _find_dirs_here(names)
    if names:
        try:
            out = subprocess.run([sys.executable, "-c", _FIND_DIRS, *names], cwd="/",
                                 capture_output=True, text=True, timeout=60, check=True).stdout
            dirs.extend(json.loads(out))
        except (OSError, subprocess.SubprocessError, ValueError):
            pass  # the in-process answer above still holds
    seen, result = set(), []
    for d in dirs:
        for p in (_norm(d), _norm(os.path.realpath(d))):
            if p not in seen:
                seen.add(p)
                result.append(p)
    return result


def _is_checkout(path: str) -> bool:
    """True for the root of a source checkout (where an editable install points)."""
    if path in ("/", "") or os.path.basename(path) in ("site-packages", "dist-packages"):
        return False
    return any(os.path.exists(os.path.join(path, m))
               for m in ("pyproject.toml", "setup.py", "setup.cfg", ".git"))


def _copy_tree(src: str, dst: str, exclude: list[str]) -> tuple[int, int]:
    """Copy regular files, directories and symlinks (as links) of ``src`` to ``dst``.

    Symlinks are copied as links, never followed: inside the sandbox they resolve in the
    sandbox's own view of the file system. FIFOs, sockets and devices are skipped.
    Returns (number of files, number of bytes).
    """
    n_files = n_bytes = 0
    os.makedirs(dst, exist_ok=True)
    for root, dirs, files in os.walk(src, followlinks=False):
        rel = os.path.relpath(root, src)
        target_root = dst if rel == "." else os.path.join(dst, rel)
        keep = []
        for d in dirs:
            p = os.path.join(root, d)
            if any(fnmatch.fnmatch(d, pat) for pat in exclude):
                continue
            if os.path.islink(p):
                os.symlink(os.readlink(p), os.path.join(target_root, d))
                continue
            os.makedirs(os.path.join(target_root, d), exist_ok=True)
            keep.append(d)
        dirs[:] = keep
        for f in files:
            if any(fnmatch.fnmatch(f, pat) for pat in exclude):
                continue
            p = os.path.join(root, f)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(p), os.path.join(target_root, f))
            elif stat.S_ISREG(st.st_mode):
                shutil.copyfile(p, os.path.join(target_root, f), follow_symlinks=False)
                os.chmod(os.path.join(target_root, f), (st.st_mode & 0o777) | 0o600)
                n_files += 1
                n_bytes += st.st_size
    return n_files, n_bytes


def _chown_tree(path: str, uid: int, gid: int) -> None:
    os.lchown(path, uid, gid)
    for root, dirs, files in os.walk(path, followlinks=False):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)


_MPL_CACHE: list[str] | None = None
_ANNOUNCED = False  # the limits are logged once per grader process


def _matplotlib_font_cache() -> list[str]:
    """Matplotlib's font-list cache files, built once per grader process if needed.

    Every sandboxed kernel starts with an empty home directory, where matplotlib would rebuild
    its font list on the first import (about 0.5 s here, a warning on stderr where that takes
    long). The cache only lists font files, which the sandbox can read anyway, so each kernel
    gets a copy of the grader's (built in the grader's own cache directory if missing).
    """
    global _MPL_CACHE
    if _MPL_CACHE is not None:
        return _MPL_CACHE
    import glob
    import importlib.util

    _MPL_CACHE = []
    if importlib.util.find_spec("matplotlib") is None:
        return _MPL_CACHE
    home = os.path.expanduser("~")
    candidates = [
        os.environ.get("MPLCONFIGDIR", ""),
        os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.join(home, ".cache")), "matplotlib"),
        os.path.join(home, ".matplotlib"),
    ]

    def find() -> list[str]:
        for d in candidates:
            found = sorted(glob.glob(os.path.join(d, "fontlist-v*.json"))) if d else []
            if found:
                return found[-1:]
        return []

    _MPL_CACHE = find()
    if not _MPL_CACHE:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                [sys.executable, "-c", "import matplotlib.font_manager"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False,
            )
        _MPL_CACHE = find()
    return _MPL_CACHE


# --------------------------------------------------------------------------------------------
# cgroups (best effort)
# --------------------------------------------------------------------------------------------


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


def _boot_time_of(pid: int) -> str:
    """Start time of a process (field 22 of /proc/<pid>/stat), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _reap_stale_sandboxes(base: str, log) -> None:
    """Remove sandbox directories and cgroups left behind by a grader that was killed.

    (Its kernels died with it: bwrap runs with ``--die-with-parent``.)
    """
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith("nbgrader-sandbox-")]
    except OSError:
        return
    for entry in entries:
        try:
            pid, started = Path(entry.path, "owner").read_text().split()
        except (OSError, ValueError):
            continue
        if _boot_time_of(int(pid)) == started:
            continue  # its grader is still running
        log.info("Sandbox: removing %s, left behind by grader process %s.", entry.path, pid)
        cg = _Cgroup(entry.name, 1, 1, log)
        with contextlib.suppress(OSError):
            mounts_v1, mount_v2 = cg._mounts()
            own_v1, own_v2 = cg._own_paths()
            for c in ("memory", "pids"):
                if c in mounts_v1 and c in own_v1:
                    cg.dirs.append(os.path.join(mounts_v1[c] + own_v1[c], entry.name))
            if mount_v2 and own_v2 is not None:
                cg.dirs.append(os.path.join(mount_v2 + own_v2.rstrip("/"), entry.name))
        cg.dirs = [d for d in cg.dirs if os.path.isdir(d)]
        _remove_sandbox_dir(entry.path)
        cg.remove()


def _remove_sandbox_dir(path: str) -> None:
    """Unmount the sandbox's tmpfs (if it is one) and remove the directory."""
    if os.path.ismount(path):
        subprocess.run([shutil.which("umount") or "umount", "-l", path],
                       capture_output=True, check=False)
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# the sandbox of one kernel
# --------------------------------------------------------------------------------------------


@dataclass
class _Limits:
    address_space: int | None
    memory: int | None
    processes: int | None
    cpu_seconds: int | None
    file_size: int | None
    open_files: int | None
    tmpfs_size: int
    workdir_size: int


@dataclass
class _Sandbox:
    """Everything that belongs to one sandboxed kernel (a directory, a uid, maybe a cgroup)."""

    workdir: str
    hide: list[str]
    expose: list[str]
    tmpfs: list[str]
    limits: _Limits
    network: bool
    exclude: list[str]
    log: object
    uid: int = 0
    gid: int = 0
    root: str = ""
    cgroup: _Cgroup | None = None
    cgroup_procs: list[str] = field(default_factory=list)
    tools: dict[str, str] = field(default_factory=dict)

    @property
    def conn_dir(self) -> str:
        return os.path.join(self.root, "conn")

    @property
    def home(self) -> str:
        return os.path.join(self.root, "home")

    @property
    def work_copy(self) -> str:
        return os.path.join(self.root, "work")

    @property
    def log_file(self) -> str:
        return os.path.join(self.root, "kernel.log")

    def create(self, base: str | None, uid_base: int, uid_count: int) -> None:
        try:
            self._create(base, uid_base, uid_count)
        except BaseException:
            self.destroy()
            raise

    def _create(self, base: str | None, uid_base: int, uid_count: int) -> None:
        self.tools = check_tools()
        self.uid = self.gid = _pick_uid(uid_base, uid_count)
        if base:
            os.makedirs(base, mode=0o711, exist_ok=True)
        _reap_stale_sandboxes(base or tempfile.gettempdir(), self.log)
        self.root = tempfile.mkdtemp(prefix="nbgrader-sandbox-", dir=base or None)
        # Everything the kernel can write outside its private tmpfs mounts lives here: make it
        # a size-limited tmpfs, so a student cannot fill the grader's disk.
        mounted = subprocess.run(
            [self.tools["mount"], "-t", "tmpfs", "-o",
             f"size={self.limits.workdir_size},mode=0711,nosuid,nodev", "tmpfs", self.root],
            capture_output=True, text=True, check=False,
        )
        if mounted.returncode != 0:
            self.log.warning(
                "Sandbox: could not mount a tmpfs on %s (%s); the kernel's files go to disk.",
                self.root, mounted.stderr.strip(),
            )
        os.chmod(self.root, 0o711)
        Path(self.root, "owner").write_text(f"{os.getpid()} {_boot_time_of(os.getpid())}\n")
        t0 = time.monotonic()
        os.makedirs(self.conn_dir, mode=0o700)
        os.makedirs(self.home, mode=0o700)
        n_files, n_bytes = (0, 0)
        if self.workdir and os.path.isdir(self.workdir):
            n_files, n_bytes = _copy_tree(self.workdir, self.work_copy, self.exclude)
        else:
            os.makedirs(self.work_copy)
        mpl_dir = os.path.join(self.home, ".config", "matplotlib")
        os.makedirs(mpl_dir)
        for f in _matplotlib_font_cache():
            shutil.copyfile(f, os.path.join(mpl_dir, os.path.basename(f)))
        etc = os.path.join(self.root, "etc")
        os.makedirs(etc)
        Path(etc, "passwd").write_text(
            "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"student:x:{self.uid}:{self.gid}:sandboxed student code:{self.home}:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        )
        Path(etc, "group").write_text(f"root:x:0:\nstudent:x:{self.gid}:\nnogroup:x:65534:\n")
        for p in ("passwd", "group"):
            os.chmod(os.path.join(etc, p), 0o644)
        for p in (self.conn_dir, self.home, self.work_copy):
            _chown_tree(p, self.uid, self.gid)
        self.cgroup = _Cgroup(
            os.path.basename(self.root), self.limits.memory, self.limits.processes, self.log
        )
        self.cgroup_procs = self.cgroup.create()
        global _ANNOUNCED
        if not _ANNOUNCED:
            _ANNOUNCED = True
            lim = self.limits
            self.log.info(
                "Sandbox: kernels run as fresh uids without network; memory %s, address space "
                "%s, processes %s, CPU %s s, hidden: %s",
                self.cgroup.applied.get("memory", "not limited (no writable cgroup)")
                if lim.memory else "not limited",
                lim.address_space, lim.processes, lim.cpu_seconds, ", ".join(self.hide),
            )
        self.log.debug(
            "Sandbox %s: uid %d, copied %d files (%d bytes) from %s in %.2fs",
            self.root, self.uid, n_files, n_bytes, self.workdir, time.monotonic() - t0,
        )

    def destroy(self) -> None:
        # The kernel's PID namespace dies with it; this sweep only double-checks.
        if self.uid:
            for pid in _pids_of_uid(self.uid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if self.root and os.path.isdir(self.root):
            _remove_sandbox_dir(self.root)
        if self.cgroup is not None:
            self.cgroup.remove()

    # -- the command line ---------------------------------------------------------------------

    def _mkdirs_args(self, path: str, covered: list[str], made: set[str]) -> list[str]:
        """bwrap creates missing parents of a mount point with mode 0700; make them 0755."""
        parents = []
        cur = os.path.dirname(path)
        while cur not in ("/", ""):
            if any(_is_within(cur, h) and cur != h for h in covered):
                parents.append(cur)
            cur = os.path.dirname(cur)
        args = []
        for p in reversed(parents):
            if p not in made:
                args += ["--perms", "0755", "--dir", p]
                made.add(p)
        return args

    def command(self, kernel_cmd: list[str], env: dict[str, str]) -> list[str]:
        lim = self.limits
        tools = self.tools
        bwrap = [
            tools["bwrap"],
            "--die-with-parent",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname", "sandbox",
        ]
        if not self.network:
            bwrap.append("--unshare-net")
        bwrap += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        binds = [
            (self.conn_dir, self.conn_dir),
            (self.home, self.home),
            (self.work_copy, self.workdir or self.work_copy),
        ]
        # 1. which directories get an empty tmpfs
        private = [p for p in self.tmpfs if p == "/dev/shm" or os.path.isdir(p)]
        hidden = [p for p in self.hide if os.path.isdir(p)]
        covered = sorted(set(private) | set(hidden), key=lambda p: (p.count("/"), p))

        def within_covered(path: str) -> bool:
            return any(_is_within(path, c) for c in covered)

        # A host directory the sandbox user cannot traverse (e.g. pytest's 0700 temp dir)
        # hides everything below it anyway; replace it with an empty tmpfs so that mount
        # points below it (the working directory, ...) are reachable.
        for target in [dst for _, dst in binds] + list(self.expose):
            parts = Path(target).parts
            for k in range(2, len(parts)):
                ancestor = os.path.join(*parts[:k])
                if within_covered(ancestor):
                    break
                try:
                    mode = os.stat(ancestor).st_mode
                except OSError:
                    break
                if not mode & 0o001:
                    covered.append(ancestor)
                    covered.sort(key=lambda p: (p.count("/"), p))
                    break
        # 2. mount them, parents first
        mounted: list[str] = []
        for path in covered:
            if any(_is_within(path, m) for m in mounted):
                continue  # inside a directory that is already an empty tmpfs
            perms = "1777" if path in private else "0755"
            bwrap += ["--perms", perms, "--size", str(lim.tmpfs_size), "--tmpfs", path]
            mounted.append(path)
        # 3. put back what the kernel needs, read-only
        made: set[str] = set()
        for path in sorted(set(self.expose), key=lambda p: (p.count("/"), p)):
            if not os.path.exists(path) or not any(_is_within(path, m) for m in mounted):
                continue  # visible read-only through "/" already
            bwrap += self._mkdirs_args(path, mounted, made)
            bwrap += ["--ro-bind", path, path]
        # 4. the kernel's own writable directories
        for src, dst in binds:
            bwrap += self._mkdirs_args(dst, mounted, made)
            bwrap += ["--bind", src, dst]
        etc = os.path.join(self.root, "etc")
        bwrap += ["--ro-bind", os.path.join(etc, "passwd"), "/etc/passwd"]
        bwrap += ["--ro-bind", os.path.join(etc, "group"), "/etc/group"]
        bwrap += ["--chdir", self.workdir or self.work_copy, "--clearenv"]
        for key, value in sorted(env.items()):
            bwrap += ["--setenv", key, value]
        bwrap.append("--")

        prlimit = [tools["prlimit"], "--core=0"]
        if lim.address_space:
            prlimit.append(f"--as={lim.address_space}")
        if lim.processes:
            prlimit.append(f"--nproc={lim.processes}")
        if lim.cpu_seconds:
            # soft limit -> SIGXCPU, hard limit 5 s later -> SIGKILL
            prlimit.append(f"--cpu={lim.cpu_seconds}:{lim.cpu_seconds + 5}")
        if lim.file_size:
            prlimit.append(f"--fsize={lim.file_size}")
        if lim.open_files:
            prlimit.append(f"--nofile={lim.open_files}")
        prlimit.append("--")

        setpriv = [
            tools["setpriv"],
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
        # The launcher ignores SIGINT (jupyter_client interrupts the kernel by signalling the
        # whole process group, and bwrap would die of it); the kernel gets it back by default.
        inner = [tools["env"], "--default-signal=INT", *kernel_cmd]
        outer = [tools["env"], "--ignore-signal=INT"]
        cmd = outer + bwrap + prlimit + setpriv + inner
        if self.cgroup_procs:
            join = (
                'while [ "$1" != "--" ]; do echo 0 > "$1" || exit 125; shift; done; '
                'shift; exec "$@"'
            )
            cmd = [tools["sh"], "-c", join, "sandbox-launch", *self.cgroup_procs, "--", *cmd]
        return cmd


# --------------------------------------------------------------------------------------------
# the kernel manager
# --------------------------------------------------------------------------------------------

_DEFAULT_ENV_PASSTHROUGH = [
    "PATH",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TZ",
    "NBGRADER_EXECUTION",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "PYTHONWARNINGS",
    "TF_CPP_*",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_NUM_*",
    "TF_DETERMINISTIC_OPS",
    "TF_USE_LEGACY_KERAS",
    "KERAS_BACKEND",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MPLBACKEND",
    "JPY_SESSION_NAME",
]


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in a bubblewrap sandbox as a fresh unprivileged user.

    Use it for any kernel that runs untrusted code. nbgrader's ``Execute`` preprocessor resets
    the kernel *spec* (``OverwriteKernelspec``), but not the kernel *manager*, so the sandbox
    applies whichever kernelspec the notebook names. :class:`SandboxedExecute` uses it by
    default.

    The sandbox hides (covers with an empty tmpfs) ``hide_paths`` plus, when run inside nbgrader,
    the course root, the gradebook's directory, the exchange and every nbgrader step directory;
    it then re-exposes read-only the Python installation and ``expose_modules``. The kernel runs
    in a private, disposable copy of its working directory.
    """

    # ipc: the sandbox has its own network namespace, so TCP on 127.0.0.1 cannot reach it.
    @default("transport")
    def _default_transport(self):
        return "ipc"

    enabled = Bool(
        True, config=True, help="Run kernels in the sandbox. False runs them unsandboxed."
    )
    network = Bool(
        False, config=True, help="Give the kernel network access (the host's network)."
    )
    uid_base = Integer(
        1_900_000_000,
        config=True,
        help="First uid/gid of the range sandbox users are drawn from (one fresh uid per "
        "kernel). The default range is above systemd's container range and below 2**31.",
    )
    uid_count = Integer(65536, config=True, help="Size of the uid range.")
    memory_limit = Integer(
        4 * GiB,
        allow_none=True,
        config=True,
        help="Memory (bytes) of the kernel and all its processes together (cgroup; skipped "
        "when the host has no writable cgroup). None: no limit.",
    )
    address_space_limit = Integer(
        8 * GiB,
        allow_none=True,
        config=True,
        help="RLIMIT_AS of every process in bytes: a larger allocation fails with MemoryError. "
        "TensorFlow needs about 2.5 GB of address space on 2 cores. None: no limit.",
    )
    process_limit = Integer(
        allow_none=True,
        config=True,
        help="Processes plus threads (RLIMIT_NPROC of the sandbox uid, and cgroup pids.max).",
    )

    @default("process_limit")
    def _default_process_limit(self):
        return max(256, 16 * (os.cpu_count() or 1))

    cpu_time_limit = Integer(
        allow_none=True,
        config=True,
        help="RLIMIT_CPU (CPU seconds per process, all its threads together): a backstop behind "
        "the wall-clock limits of SandboxedExecute.",
    )

    @default("cpu_time_limit")
    def _default_cpu_time_limit(self):
        return 900 * max(2, os.cpu_count() or 1)

    file_size_limit = Integer(
        1 * GiB, allow_none=True, config=True, help="RLIMIT_FSIZE: the largest file (bytes)."
    )
    open_files_limit = Integer(1024, allow_none=True, config=True, help="RLIMIT_NOFILE.")
    tmpfs_size = Integer(
        512 * MiB, config=True, help="Size (bytes) of each private tmpfs (/tmp, /dev/shm, ...)."
    )
    workdir_size = Integer(
        1 * GiB,
        config=True,
        help="Size (bytes) of the tmpfs holding the kernel's working directory and home.",
    )
    tmpfs_paths = List(
        Unicode(),
        ["/tmp", "/var/tmp", "/dev/shm"],
        config=True,
        help="Directories replaced by a private, empty, world-writable tmpfs (size tmpfs_size).",
    )
    hide_paths = List(
        Unicode(),
        ["/root", "/home", "/run", "/srv", "/mnt", "/media"],
        config=True,
        help="Directories covered by an empty read-only tmpfs inside the sandbox.",
    )
    hide_top_level = Bool(
        True,
        config=True,
        help="Also hide every top-level directory of '/' except keep_top_level (other courses, "
        "other checkouts of this repository, data under /work or /opt, ...); the Python "
        "installation and the exposed modules are put back read-only.",
    )
    keep_top_level = List(
        Unicode(),
        ["bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys", "tmp",
         "usr"],
        config=True,
        help="Top-level directories the kernel still sees when hide_top_level is True.",
    )
    extra_hide_paths = List(
        Unicode(), [], config=True, help="More directories to hide (added to hide_paths)."
    )
    expose_paths = List(
        Unicode(),
        [],
        config=True,
        help="Paths put back read-only inside hidden directories, e.g. a data directory.",
    )
    expose_modules = List(
        Unicode(),
        ["course_utils"],
        config=True,
        help="Top-level packages whose directories are put back read-only (the notebooks "
        "import them). The Python installation (sys.prefix, sys.base_prefix) always is.",
    )
    workdir_exclude = List(
        Unicode(),
        ["*.ipynb", ".ipynb_checkpoints"],
        config=True,
        help="Patterns not copied into the kernel's private working directory (the notebook "
        "being graded holds the restored hidden tests).",
    )
    env_passthrough = List(
        Unicode(),
        _DEFAULT_ENV_PASSTHROUGH,
        config=True,
        help="Environment variables (fnmatch patterns) passed from the grader to the kernel; "
        "everything else is dropped.",
    )
    kernel_env = Dict(
        {},
        config=True,
        help="Environment variables set in the kernel (after env_passthrough).",
    )
    sandbox_base = Unicode(
        "",
        config=True,
        help="Directory for the per-kernel sandbox directories (default: the system temp dir).",
    )

    _sandbox: _Sandbox | None = None
    _log_handle = None

    # -- paths ------------------------------------------------------------------------------

    def _nbgrader_paths(self) -> tuple[list[str], list[str]]:
        """(paths to hide, paths that must stay hidden) derived from the nbgrader config."""
        hide, sensitive = [], []
        try:
            from nbgrader.coursedir import CourseDirectory
        except ImportError:  # pragma: no cover - nbgrader is a dependency of this module
            return hide, sensitive
        cd = CourseDirectory(config=self.config)
        root = _norm(cd.root or os.getcwd())
        hide.append(root)
        sensitive.append(root)
        for step in (
            cd.source_directory,
            cd.submitted_directory,
            cd.autograded_directory,
            cd.feedback_directory,
        ):
            p = _norm(os.path.join(root, step))
            hide.append(p)
            sensitive.append(p)
        if cd.db_url.startswith("sqlite:///"):
            db_dir = os.path.dirname(_norm(cd.db_url[len("sqlite:///") :]))
            hide.append(db_dir)
            sensitive.append(db_dir)
        exchange = self.config.get("Exchange", {}).get("root") or "/srv/nbgrader/exchange"
        hide.append(_norm(exchange))
        sensitive.append(_norm(exchange))
        return hide, sensitive

    def _sandbox_env(self, launch_env: dict[str, str] | None, home: str) -> dict[str, str]:
        launch_env = dict(launch_env or os.environ)
        env = {}
        for key, value in launch_env.items():
            if any(fnmatch.fnmatchcase(key, pat) for pat in self.env_passthrough):
                env[key] = value
        env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
        tmpdirs = [_norm(p) for p in self.tmpfs_paths if _norm(p) != "/dev/shm"]
        env.update(
            HOME=home,
            USER="student",
            LOGNAME="student",
            TMPDIR="/tmp" if "/tmp" in tmpdirs else (tmpdirs or [home])[0],
            MPLCONFIGDIR=os.path.join(home, ".config", "matplotlib"),
        )
        env.update(self.kernel_env)
        env.pop("JPY_PARENT_PID", None)  # ipykernel would exit: its parent is the sandbox's init
        return env

    def _build_sandbox(self, cwd: str | None) -> _Sandbox:
        hide = [_norm(p) for p in self.hide_paths + self.extra_hide_paths]
        if self.hide_top_level:
            with contextlib.suppress(OSError):
                for entry in sorted(os.listdir("/")):
                    path = "/" + entry
                    if (entry not in self.keep_top_level and os.path.isdir(path)
                            and not os.path.islink(path)):
                        hide.append(path)
        nb_hide, sensitive = self._nbgrader_paths()
        hide += nb_hide
        expose = {_norm(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        module_dirs = _module_dirs(list(self.expose_modules))
        expose |= set(module_dirs)
        # A package installed from a source checkout (pip install -e) lives next to the rest of
        # the repository: solutions, tests, the mistake catalogue. Hide the checkout and put
        # back only the package.
        hide += [root for root in map(os.path.dirname, module_dirs) if _is_checkout(root)]
        expose |= {_norm(p) for p in self.expose_paths}
        for e in expose:
            for s in sensitive:
                if _is_within(s, e):
                    raise SandboxError(
                        f"Refusing to expose {e!r} in the sandbox: it contains {s!r}, which "
                        "must stay hidden from student code.\nHint: install Python and the "
                        "course packages outside the course's source, submitted and "
                        "autograded directories, or narrow SandboxKernelManager.expose_*."
                    )
        if "/" in hide:
            raise SandboxError(
                "Refusing to hide '/' (the gradebook or a course directory is '/'?).\n"
                "Hint: keep the course and its gradebook in a directory of their own."
            )
        workdir = _norm(cwd) if cwd else ""
        for s in sensitive:
            if workdir and _is_within(s, workdir):
                raise SandboxError(
                    f"Refusing to start a sandboxed kernel in {workdir!r}: the kernel gets a copy "
                    f"of its working directory, and this one contains {s!r}.\nHint: run the "
                    "kernel in the submission's own directory (nbgrader autograde does)."
                )
        limits = _Limits(
            address_space=self.address_space_limit,
            memory=self.memory_limit,
            processes=self.process_limit,
            cpu_seconds=self.cpu_time_limit,
            file_size=self.file_size_limit,
            open_files=self.open_files_limit,
            tmpfs_size=self.tmpfs_size,
            workdir_size=self.workdir_size,
        )
        sandbox = _Sandbox(
            workdir=workdir,
            tmpfs=sorted({_norm(p) for p in self.tmpfs_paths}),
            hide=sorted(set(hide)),
            expose=sorted(expose),
            limits=limits,
            network=self.network,
            exclude=list(self.workdir_exclude),
            log=self.log,
        )
        sandbox.create(self.sandbox_base or None, self.uid_base, self.uid_count)
        return sandbox

    # -- jupyter_client hooks ---------------------------------------------------------------

    async def _async_pre_start_kernel(self, **kw):
        if not self.enabled:
            return await super()._async_pre_start_kernel(**kw)
        if self.transport != "ipc":
            raise SandboxError(
                "SandboxKernelManager needs transport='ipc' (the kernel has no network). "
                f"Received: transport={self.transport!r}."
            )
        if self._sandbox is None:
            self._sandbox = self._build_sandbox(kw.get("cwd"))
            self.connection_file = os.path.join(self._sandbox.conn_dir, "kernel.json")
            self.ip = os.path.join(self._sandbox.conn_dir, "kernel-ipc")
        sandbox = self._sandbox
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        os.chown(self.connection_file, sandbox.uid, sandbox.gid)
        env = self._sandbox_env(kw.get("env"), sandbox.home)
        cmd = sandbox.command(kernel_cmd, env)
        kw["env"] = {"PATH": os.environ.get("PATH", os.defpath)}
        kw["cwd"] = sandbox.root
        if self._log_handle is None:
            self._log_handle = open(sandbox.log_file, "ab")  # noqa: SIM115 (closed in cleanup)
        kw["stdout"] = kw["stderr"] = self._log_handle
        kw.pop("independent", None)
        self.log.debug("Sandboxed kernel command: %s", cmd)
        return cmd, kw

    def kernel_log_tail(self, n_chars: int = 2000) -> str:
        """The end of the kernel's own stdout/stderr (not the cells' output), for diagnosis.

        ipykernel's start-up banner is left out; non-printable characters are escaped, because
        the text comes from student code and ends up in the grader's terminal.
        """
        if self._sandbox is None:
            return ""
        try:
            text = Path(self._sandbox.log_file).read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""
        marker = "--existing "
        if marker in text:
            text = text.split(marker, 1)[1].partition("\n")[2]
        text = text.strip()[-n_chars:]
        return "".join(ch if ch.isprintable() or ch == "\n" else repr(ch)[1:-1] for ch in text)

    @property
    def sandbox_uid(self) -> int | None:
        return self._sandbox.uid if self._sandbox else None

    @property
    def sandbox_root(self) -> str | None:
        return self._sandbox.root if self._sandbox else None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._destroy_sandbox()

    def _destroy_sandbox(self) -> None:
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
        if self._sandbox is not None:
            self._sandbox.destroy()
            self._sandbox = None

    def __del__(self):
        with contextlib.suppress(Exception):
            self._destroy_sandbox()
        with contextlib.suppress(Exception):
            super().__del__()


# --------------------------------------------------------------------------------------------
# the nbgrader preprocessor
# --------------------------------------------------------------------------------------------

import nbformat  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402
from nbformat.notebooknode import NotebookNode  # noqa: E402
from nbgrader import utils as _nbutils  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402

from course_utils.grading.cell_deps import needed_cells  # noqa: E402


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename=ename,
        evalue=evalue,
        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"],
    )


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A frame of the student's notebook code in an IPython traceback: "Cell In[4], line 7, in ema"
_NOTEBOOK_FRAME = re.compile(r"Cell In\s*\[[^\]]*\],\s*line \d+,\s*in (<module>|\w+)")


def looping_function(traceback: list[str]) -> str | None:
    """The function of the student's notebook code that was running when a cell was stopped
    (the innermost notebook frame of the ``KeyboardInterrupt`` traceback); None when the loop
    is in the cell itself or the traceback names no notebook frame."""
    frames = _NOTEBOOK_FRAME.findall(_ANSI.sub("", "\n".join(str(t) for t in traceback)))
    return frames[-1] if frames and frames[-1] != "<module>" else None


def timeout_message(seconds: float, function: str | None) -> str:
    """What a student reads when a cell was stopped at the per-cell limit."""
    where = f"in `{function}`" if function else "in this cell"
    return (f"stopped after {seconds:g} s, the grader's limit for one cell: probably an "
            f"infinite loop {where}. Check that every loop there ends for these inputs; "
            "cells that do not run it were graded as usual.")


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with sandboxed kernels and a bounded, crash-tolerant run.

    * Kernels come from :class:`SandboxKernelManager` (configure it as
      ``c.SandboxKernelManager.<trait>``).
    * ``Execute.timeout`` still bounds each cell; ``notebook_timeout`` bounds the whole notebook
      (kernel start included). Once the budget is spent, each remaining code cell gets an error
      output saying it was not run, so its tests score 0 and the notebook is still graded.
    * If the kernel dies (``os._exit``, out of memory, a crash) or does not answer an interrupt
      (``SIGINT`` ignored), that cell gets an error output, the kernel is killed, a fresh
      sandboxed kernel silently replays the code cells that already ran, and grading continues
      with the next cell; at most ``max_kernel_restarts`` times per notebook.
    * Output is capped at ``max_output_bytes_per_cell`` while the cell runs, so an output flood
      cannot exhaust the grader's memory (``LimitOutput`` only trims afterwards).
    * In graded cells, ``stderr`` stream output (warnings, TensorFlow log lines) is recorded as
      ``stdout`` with a ``[stderr]`` prefix when ``stderr_to_stdout_in_grade_cells`` is True:
      nbgrader scores any stderr as 0, but a test fails by raising, not by printing.
    * With ``skip_unneeded_cells``, the instructor's demo cells (no nbgrader metadata, source
      equal to an ungraded cell of the source notebook) that no later running cell needs are
      not run (:mod:`course_utils.grading.cell_deps`); they keep their source, get no output,
      and the re-check does not see them either.
    """

    notebook_timeout = Integer(
        900, config=True, help="Wall-clock seconds for one notebook, kernel start included."
    )
    max_kernel_restarts = Integer(
        3, config=True, help="Fresh kernels per notebook after a kernel died or hung."
    )
    replay_after_restart = Bool(
        True,
        config=True,
        help="After a restart, re-run (silently) the code cells that already ran.",
    )
    max_output_bytes_per_cell = Integer(
        2 * MiB, config=True, help="Output kept per cell while it runs (bytes)."
    )
    stderr_to_stdout_in_grade_cells = Bool(
        True,
        config=True,
        help="Record stderr of graded cells as stdout (prefixed) so it does not cost points.",
    )
    sandbox = Bool(
        True,
        config=True,
        help="Use SandboxKernelManager. False falls back to nbgrader's unsandboxed kernel.",
    )
    partial_credit = Bool(
        False,
        config=True,
        help="Let a number shown as a graded cell's result give partial credit (nbgrader's "
        "rule). False (this course has no partial credit): results of graded cells are kept "
        "as displays, so output made by student code can never stand in for a score.",
    )
    skip_unneeded_cells = Bool(
        False,
        config=True,
        help="Do not run the instructor's demo cells (plots, printed examples, training, Keras "
        "comparisons) that no graded, answer, setup or student-added cell needs "
        "(course_utils.grading.cell_deps). Cells the student added or changed always run.",
    )
    recheck = Bool(
        True,
        config=True,
        help="Run every graded cell that passed once more in the grader's process, with the "
        "student's functions called in a second, fresh sandboxed kernel "
        "(course_utils.grading.recheck); the cell keeps its points only if both runs pass.",
    )

    def __init__(self, **kw):
        kw.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(**kw)
        if not self.sandbox:
            self.kernel_manager_class = AsyncKernelManager
        self._out_bytes: dict[int, int] = {}
        self._skip: set[int] = set()

    # -- bookkeeping ------------------------------------------------------------------------

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            check_tools()  # fail with a clear message before touching the notebook
        self._deadline = time.monotonic() + self.notebook_timeout
        self._restarts = 0
        self._history: list[int] = []
        self._gave_up: str | None = None
        self._out_bytes: dict[int, int] = {}
        self._skip = self._unneeded_cells(nb, resources) if self.skip_unneeded_cells else set()
        check = self._start_recheck(nb, resources) if self.recheck else None
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except BaseException:
            if check is not None:
                check.cancel()
            raise
        if check is not None:
            self._recheck(nb, resources, check)
        if not self.partial_credit:
            self._results_to_displays(nb)
        return nb, resources

    @staticmethod
    def _results_to_displays(nb) -> None:
        """nbgrader scores a graded cell by its *first* error or result: a result shown before
        a failing check (a student's hook can make one) would count as full marks. Without
        partial credit, results become plain displays, and any error scores 0."""
        for cell in nb.cells:
            if cell.cell_type != "code" or not _nbutils.is_grade(cell):
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "execute_result":
                    out["output_type"] = "display_data"
                    out.pop("execution_count", None)

    # -- cells no graded cell needs ---------------------------------------------------------

    def _demo_sources(self, resources) -> set[str] | None:
        """Sources of the ungraded code cells of this notebook's instructor version (the
        course's ``source/`` notebook, which students cannot change); None if not found."""
        info = (resources or {}).get("nbgrader") or {}
        if not (info.get("assignment") and info.get("notebook")):
            return None
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
        path = path / f"{info['notebook']}.ipynb"
        try:
            source = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as e:
            self.log.warning("Source notebook %s not readable (%s): every cell runs.", path, e)
            return None
        return {
            cell.source for cell in source.cells
            if cell.cell_type == "code"
            and not any(cell.get("metadata", {}).get("nbgrader", {}).get(k)
                        for k in ("grade", "solution", "locked"))
        }

    def _unneeded_cells(self, nb, resources) -> set[int]:
        """Indices of the demo cells of ``nb`` that no later running cell needs."""
        demos = self._demo_sources(resources)
        if not demos:
            return set()
        index = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
        optional = [not nb.cells[i].get("metadata", {}).get("nbgrader")
                    and nb.cells[i].source in demos for i in index]
        run = needed_cells([nb.cells[i].source for i in index], [not o for o in optional])
        skip = {i for i, r in zip(index, run, strict=True) if not r}
        name = ((resources or {}).get("nbgrader") or {}).get("notebook", "?")
        self.log.info("Skipping %d of %d code cells of %s that no graded cell needs.",
                      len(skip), len(index), name)
        return skip

    # -- the trusted re-check ---------------------------------------------------------------

    def _release_answers(self, resources) -> dict[str, str] | None:
        """grade_id -> release source of each answer cell of this notebook, from the gradebook."""
        info = (resources or {}).get("nbgrader") or {}
        if not all(info.get(k) for k in ("db_url", "notebook", "assignment")):
            return None
        from nbgrader.api import Gradebook, MissingEntry

        out = {}
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                return None
            for cell in notebook.source_cells:
                if cell.cell_type == "code":
                    solution = [c.name for c in notebook.solution_cells]
                    if cell.name in solution:
                        out[cell.name] = cell.source
        return out

    def _start_recheck(self, nb, resources):
        """Start the re-check of this notebook in the background (its kernel comes up and
        replays the answers while the notebook runs); None when there is nothing to re-check
        against."""
        from course_utils.grading.recheck import BackgroundRecheck, Recheck

        release = self._release_answers(resources)
        if release is None:
            self.log.warning("No gradebook entry for this notebook: the re-check is skipped.")
            return None
        view = nb
        if self._skip:  # cells that do not run in the notebook do not run there either
            view = NotebookNode(nb)
            view.cells = [c for i, c in enumerate(nb.cells) if i not in self._skip]
        return BackgroundRecheck(Recheck(self, view, release, self.log))

    def _recheck(self, nb, resources, background) -> None:
        """Run every graded cell that passed once more, outside the student's kernel
        (:mod:`course_utils.grading.recheck`); a cell that fails there gets an error output
        and scores 0."""
        passed = [
            c for c in nb.cells
            if c.cell_type == "code" and _nbutils.is_grade(c)
            and not any(o.get("output_type") == "error" for o in c.get("outputs", []))
        ]
        if not passed:
            background.cancel()
            return
        failures = background.run(passed)
        check = background.check
        student = ((resources or {}).get("nbgrader") or {}).get("student", "?")
        self.log.info("Re-checked %d graded cells in %.1f s (%d calls; the notebook waited "
                      "%.1f s for it): %d failed.", len(passed), check.seconds,
                      check.channel.calls, background.waited, len(failures))
        for cell in passed:
            gid = cell.metadata["nbgrader"]["grade_id"]
            if gid not in failures:
                continue
            self.log.warning("%s: %s passed in the notebook but failed the re-check: %s",
                             student, gid, failures[gid][:300])
            cell.outputs = list(cell.get("outputs", [])) + [_error_output(
                "RecheckFailed",
                "this test passed in your notebook, but failed when it was run again with "
                "only your answer cells in a fresh kernel: " + failures[gid]
                + "\nHint: keep each answer self-contained (numpy, the setup cell's names and "
                "your own functions) and leave the tests, IPython and numpy as they are.",
            )]

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if cell is None or not hasattr(self, "_deadline"):
            return timeout
        remaining = max(1, int(self._remaining()))
        return remaining if timeout is None else min(timeout, remaining)

    # -- output cap -------------------------------------------------------------------------

    def output(self, outs, msg, display_id, cell_index):
        limit = self.max_output_bytes_per_cell
        if not limit or msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        content = msg.get("content", {})
        text = content.get("text", "")
        size = len(text) + sum(
            len(v) if isinstance(v, str) else len(json.dumps(v))
            for v in (content.get("data") or {}).values()
        )
        used = self._out_bytes.get(cell_index, 0)
        self._out_bytes[cell_index] = used + size
        if used + size <= limit:
            return super().output(outs, msg, display_id, cell_index)
        out = None
        if used < limit and msg["msg_type"] == "stream":
            msg = {**msg, "content": {**content, "text": text[: limit - used]}}
            out = super().output(outs, msg, display_id, cell_index)
        if used <= limit:
            outs.append(
                NotebookNode(
                    output_type="stream",
                    name="stdout",
                    text=f"\n[output truncated by the grader: more than {limit} bytes]\n",
                )
            )
        return out

    # -- cells ------------------------------------------------------------------------------

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if index in self._skip:
            cell.outputs = []
            cell.execution_count = None
            return cell, resources
        if self._gave_up is None and self._remaining() <= 0:
            self._gave_up = (
                f"not run: the notebook's time budget ({self.notebook_timeout} s) was used up "
                "by earlier cells"
            )
        if self._gave_up is not None:
            cell.outputs = [_error_output("NotRunError", self._gave_up)]
            cell.execution_count = None
            return cell, resources
        self._stopped_after = None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except (CellTimeoutError, DeadKernelError) as e:
            self._on_kernel_lost(cell, index, e)
        else:
            if self._stopped_after is not None:
                self._explain_timeout(cell)
            timed_out = self._stopped_after is not None or any(
                out.get("output_type") == "error"
                and out.get("ename") in ("CellTimeoutError", "KeyboardInterrupt")
                for out in cell.get("outputs", [])
            )
            if not timed_out:  # replaying it would only time out again
                self._history.append(index)
        finally:
            self._demote_stderr(cell)
        return cell, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        self._stopped_after = timeout
        return await super()._async_handle_timeout(timeout, cell)

    def _explain_timeout(self, cell) -> None:
        """The cell was interrupted at its time limit: its ``KeyboardInterrupt`` becomes a
        ``TimeoutError`` that says so in the student's words (the traceback stays for the
        instructor; feedback shows only the name and the message)."""
        outputs = list(cell.get("outputs", []))
        for out in outputs:
            if out.get("output_type") == "error" and out.get("ename") == "KeyboardInterrupt":
                out["ename"] = "TimeoutError"
                out["evalue"] = timeout_message(self._stopped_after,
                                                looping_function(out.get("traceback", [])))
                return
        cell.outputs = [*outputs, _error_output(
            "TimeoutError", timeout_message(self._stopped_after, None))]

    def _demote_stderr(self, cell) -> None:
        if not (self.stderr_to_stdout_in_grade_cells and _nbutils.is_grade(cell)):
            return
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["name"] = "stdout"
                text = out.get("text", "")
                out["text"] = "".join(
                    f"[stderr] {line}" for line in text.splitlines(keepends=True)
                )

    def _on_kernel_lost(self, cell, index: int, error: Exception) -> None:
        dead = isinstance(error, DeadKernelError)
        if dead:
            ename, why = "DeadKernelError", "the kernel died while running this cell"
        else:
            limit = getattr(self, "_stopped_after", None) or self.timeout
            after = f"after {limit:g} s, the grader's limit for one cell," if limit else \
                "at the grader's limit for one cell"
            ename, why = (
                "CellTimeoutError",
                f"stopped {after} and killed, because it did not respond to the interrupt: "
                "probably an infinite loop in code that catches KeyboardInterrupt. Check that "
                "every loop there ends",
            )
        self.log.warning("Cell %d: %s (%s).", index, why, error)
        tail = ""
        km = self.km
        if isinstance(km, SandboxKernelManager):
            tail = km.kernel_log_tail(400).strip()
        if tail:
            self.log.info("Last kernel log lines:\n%s", tail)
        cell.outputs = list(cell.get("outputs", [])) + [_error_output(ename, why)]
        if self._restarts >= self.max_kernel_restarts:
            self._gave_up = (
                f"not run: the kernel died or hung {self._restarts + 1} times in this notebook"
            )
            self._kill_kernel(forget=False)
            return
        if self._remaining() <= 1:
            self._gave_up = (
                f"not run: the notebook's time budget ({self.notebook_timeout} s) was used up"
            )
            self._kill_kernel(forget=False)
            return
        self._restarts += 1
        if self._restart() and self.replay_after_restart and self._history:
            self._replay()

    def _restart(self) -> bool:
        """Start a fresh kernel; if that fails, the rest of the notebook is not run."""
        try:
            self._start_fresh_kernel()
            return True
        except Exception as e:  # noqa: BLE001 - grade the rest as not run, with the reason
            self.log.error("No fresh kernel could be started: %s", e)
            self._gave_up = f"not run: no fresh kernel could be started ({e})"
            if self.km is None:
                self.km = self.create_kernel_manager()  # nbclient's cleanup expects one
            return False

    def _kill_kernel(self, *, forget: bool = True) -> None:
        """Kill the kernel process now; with ``forget``, also drop the manager and client."""
        km, kc = self.km, self.kc
        if kc is not None and forget:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if km is not None:
            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
        if forget:
            if isinstance(km, SandboxKernelManager):
                km._destroy_sandbox()
            self.kc = None
            self.km = None

    def _start_fresh_kernel(self) -> None:
        self._kill_kernel()
        self.km = self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()

    def _replay(self) -> None:
        """Re-run the cells that already ran, outputs discarded, to rebuild the kernel state."""
        t0 = time.monotonic()
        for i in self._history:
            source = self.nb.cells[i].source
            try:
                msg_id = self.kc.execute(source, silent=True, store_history=False)
                reply = self.wait_for_reply(msg_id, self.nb.cells[i])
            except (CellTimeoutError, DeadKernelError, RuntimeError) as e:
                reply = None
                self.log.warning("Replay of cell %d failed (%s); using a clean kernel.", i, e)
            if reply is None or not run_sync(self.km.is_alive)():
                self._restarts += 1
                self._restart()
                return
        self.log.info(
            "Replayed %d cells in a fresh kernel in %.1fs.", len(self._history),
            time.monotonic() - t0,
        )


# --------------------------------------------------------------------------------------------
# python -m course_utils.grading.sandbox --check
# --------------------------------------------------------------------------------------------

_PROBE = r"""
import json, os, socket, resource
r = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "pid": os.getpid(),
     "cwd": os.getcwd(), "hostname": socket.gethostname()}
try:
    s = socket.create_connection(("1.1.1.1", 53), timeout=2); s.close(); r["network"] = "open"
except OSError as e:
    r["network"] = f"blocked ({e.__class__.__name__})"
for name in ("AS", "NPROC", "CPU", "FSIZE", "NOFILE", "CORE"):
    r["RLIMIT_" + name] = resource.getrlimit(getattr(resource, "RLIMIT_" + name))
r["visible"] = {p: os.path.exists(p) for p in PATHS}
print(json.dumps(r))
"""


def _main(argv: list[str] | None = None) -> int:
    import argparse

    from jupyter_client.manager import start_new_async_kernel  # noqa: F401

    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grading.sandbox",
        description="Start one sandboxed kernel and report what it can see and do.",
    )
    parser.add_argument("--check", action="store_true", help="run the probe (default)")
    parser.add_argument(
        "--cwd", default=None, help="working directory of the kernel (default: an empty one)"
    )
    parser.add_argument("paths", nargs="*", help="paths whose visibility to report")
    args = parser.parse_args(argv)

    import asyncio

    async def probe() -> dict:
        km = SandboxKernelManager()
        t0 = time.monotonic()
        await km.start_kernel(cwd=args.cwd or empty_dir)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            started = time.monotonic() - t0
            paths = args.paths or [os.getcwd(), "/root", "/home", "/etc/shadow"]
            code = f"PATHS = {paths!r}\n" + _PROBE
            reply = await kc.execute_interactive(code, timeout=60, output_hook=_collect)
            result = json.loads(_collected[-1])
            result["status"] = reply["content"]["status"]
            result["startup_seconds"] = round(started, 2)
            result["sandbox"] = km.sandbox_root
            return result
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    _collected: list[str] = []

    def _collect(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            _collected.append(msg["content"]["text"])

    try:
        with tempfile.TemporaryDirectory(prefix="sandbox-check-") as empty_dir:
            result = asyncio.run(probe())
    except SandboxError as e:
        print(f"sandbox unavailable: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
