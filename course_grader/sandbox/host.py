"""What the sandbox needs from the host: its tools, fresh uids, the directories of the
packages the kernel may import, copies of the notebook's folder."""

from __future__ import annotations

import collections
import contextlib
import fnmatch
import grp
import os
import pwd
import random
import shutil
import stat
import subprocess
import sys
import threading

from course_grader.sandbox.uids import UidReservation, try_reserve

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


def _reserve_uid(base: int, count: int) -> UidReservation:
    """A fresh uid, reserved host-wide for this grader until the reservation is released
    (no other grader, in this process or another, gets it meanwhile)."""
    for _ in range(100):
        try:
            reservation = try_reserve(_pick_uid(base, count))
        except OSError as e:
            raise SandboxError(f"Cannot reserve a sandbox uid ({e}).") from e
        if reservation is not None:
            return reservation
    raise SandboxError(f"No free sandbox uid in [{base}, {base + count}): all reserved.")


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
_find_ns: dict = {"__name__": "course_grader.sandbox.host._find_dirs"}
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


