"""Give what grading wrote into the course back to the instructor who started it.

Grading needs root (the sandbox runs every student's kernel as a fresh unprivileged uid), so
``sudo make autograde`` would leave ``gradebook.db``, ``autograded/``, ``feedback/`` and the CSV
files owned by root: the instructor's own account could then neither re-export the grades nor
save a manual grade in the formgrader. After each instructor command the Makefile runs::

    python -m course_grader.ownership

which hands every path nbgrader and the course tools write (``OUTPUTS``) to the instructor:

* the ``SUDO_USER`` of ``sudo make ...`` (``SUDO_UID``/``SUDO_GID`` as sudo sets them);
* otherwise the owner of the course folder (root grading in an instructor's checkout);
* nothing changes when that is the user running the command, or when it is not root.

Only ownership changes, never modes or contents. Symbolic links are changed themselves and never
followed (a student's extra file copied into ``autograded/`` may be a link to anywhere).
Student code never runs as this user: the sandbox picks its own unprivileged uid per kernel.
"""

from __future__ import annotations

import argparse
import os
import pwd
from collections.abc import Iterable
from pathlib import Path

__all__ = ["OUTPUTS", "instructor", "give_back", "main"]

# Everything the instructor commands write into the course folder (globs, relative to it).
OUTPUTS = (
    "gradebook.db", "gradebook.db-journal", "gradebook.db-wal", "gradebook.db-shm",
    ".nbgrader.log", "autograded", "feedback", "notebooks", "grades*.csv",
    "integrity_report.csv", "needs_attention.csv", "report",
)


def instructor(course: str | os.PathLike = ".") -> tuple[int, int] | None:
    """``(uid, gid)`` the course outputs should belong to, or ``None`` to leave them alone."""
    if os.geteuid() != 0:
        return None  # only root can give files away; a normal user already owns what it wrote
    uid, gid = os.environ.get("SUDO_UID"), os.environ.get("SUDO_GID")
    name = os.environ.get("SUDO_USER")
    if uid and gid and uid.isdigit() and gid.isdigit():
        owner = (int(uid), int(gid))
    elif name:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise ValueError(f"`SUDO_USER` names no user of this machine. "
                             f"Received: SUDO_USER={name!r}.") from None
        owner = (entry.pw_uid, entry.pw_gid)
    else:
        st = os.stat(course)
        owner = (st.st_uid, st.st_gid)
    return None if owner[0] == 0 else owner


def _paths(course: Path, patterns: Iterable[str]) -> Iterable[Path]:
    for pattern in patterns:
        for top in sorted(course.glob(pattern)):
            yield top
            if top.is_dir() and not top.is_symlink():
                for root, dirs, files in os.walk(top):  # followlinks=False
                    for name in dirs + files:
                        yield Path(root) / name


def give_back(course: str | os.PathLike = ".", *, patterns: Iterable[str] = OUTPUTS,
              owner: tuple[int, int] | None = None) -> int:
    """Change the owner of every course output to ``owner`` (default: :func:`instructor`).

    Returns the number of paths changed.
    """
    course = Path(course)
    owner = owner or instructor(course)
    if owner is None:
        return 0
    uid, gid = owner
    changed = 0
    for path in _paths(course, patterns):
        st = path.lstat()
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.chown(path, uid, gid, follow_symlinks=False)
            changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_grader.ownership",
        description="Give the course outputs of grading (gradebook, autograded/, feedback/, "
                    "CSV files, report) to the instructor who ran sudo.")
    parser.add_argument("--course", default=".", help="the course folder (default: .)")
    args = parser.parse_args(argv)
    owner = instructor(args.course)
    changed = give_back(args.course, owner=owner)
    if changed:
        name = pwd.getpwuid(owner[0]).pw_name if owner else ""
        print(f"{changed} grading outputs now belong to {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
