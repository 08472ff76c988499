"""Host-wide reservation of sandbox uids, shared by every grader on the machine.

Each uid in use by a sandbox has a lock file ``UID_LOCK_DIR/<uid>`` that its grader holds with
``flock`` for as long as the kernel's jail exists. The lock is the reservation: two graders
(two processes, courses or instructors) can never hold the same uid, and the kernel drops the
lock of a grader that dies, even of SIGKILL, so its uids become free again by themselves. The
file names the owner (``<pid>-<start time>``, see :mod:`.owner`) for people and tests; stale
files are removed by :func:`reap_stale_reservations`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from dataclasses import dataclass

from course_grader.sandbox.owner import this_grader

#: root-owned, mode 0700; one file per reserved uid
UID_LOCK_DIR = "/run/course-grader/uids"


@dataclass
class UidReservation:
    uid: int
    path: str
    fd: int

    def release(self) -> None:
        """Give the uid back (remove the file while still holding its lock)."""
        if self.fd < 0:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = -1


def lock_dir(path: str | None = None) -> str:
    """The lock directory, created root-owned and private if missing; refused if anybody
    else could write to it."""
    path = path or UID_LOCK_DIR
    os.makedirs(path, mode=0o700, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise PermissionError(f"{path} must be a directory owned by uid {os.geteuid()} that "
                              "nobody else can write to.")
    return path


def _lock_if_current(path: str, flags: int) -> int | None:
    """Open ``path`` and lock it without waiting; the fd, or None if it is held elsewhere.

    The previous holder removes the file before unlocking it, so a lock won on a file that is
    no longer (or no longer the same file) at ``path`` counts as lost.
    """
    try:
        fd = os.open(path, flags | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        here, held = os.stat(path, follow_symlinks=False), os.fstat(fd)
        if (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def try_reserve(uid: int, directory: str | None = None) -> UidReservation | None:
    """Reserve ``uid`` for this grader; None if another grader (or this one) holds it."""
    path = os.path.join(lock_dir(directory), str(uid))
    for _ in range(3):  # a file removed between our open and our lock: try once more
        fd = _lock_if_current(path, os.O_RDWR | os.O_CREAT)
        if fd is not None:
            os.ftruncate(fd, 0)
            os.write(fd, f"{this_grader()}\n".encode())
            return UidReservation(uid, path, fd)
        if os.path.exists(path):
            return None
    return None


def reserved_uids(directory: str | None = None) -> dict[int, str]:
    """uid -> owner token of every reservation file (held or stale)."""
    found = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory or UID_LOCK_DIR):
            if entry.name.isdigit():
                with contextlib.suppress(OSError), open(entry.path) as fh:
                    found[int(entry.name)] = fh.read().strip()
    return found


def reap_stale_reservations(directory: str | None = None) -> list[int]:
    """Remove the files of reservations nobody holds any more (their grader died); return
    their uids."""
    reaped = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory or UID_LOCK_DIR):
            if not entry.name.isdigit():
                continue
            fd = _lock_if_current(entry.path, os.O_RDONLY)
            if fd is None:
                continue  # held: a live grader's
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                reaped.append(int(entry.name))
            os.close(fd)
    return reaped
