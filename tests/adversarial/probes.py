"""Notebook cells that attack the grader itself rather than the tests.

Resource attacks (loops, ``os._exit``, ``SystemExit``, memory, output, processes) print a
``MARKER`` line before they start. Snooping attacks run *probes*: each probe prints either
``BLOCKED <tag> <exception>`` or ``LEAK <tag> <what it got>``, so a test can check that every
probe ran and that none of them got anything.

The kernel works in a private copy of ``<course>/autograded/<student>/lecture02``, so its
working directory tells it where the course root, the gradebook and the other students are;
``course_utils.__file__`` tells it where the package (and its checkout) lives. Placeholders
``@NAME@`` are filled in when the submission is written (:data:`PLACEHOLDERS`).
"""

from __future__ import annotations

import textwrap

PEER = "honest-peer"  # an honest student whose submission holds a planted secret
LISTENER_PORT = "@LISTENER_PORT@"  # a TCP service of the grading host
HOST_ADDRESS = "@HOST_ADDRESS@"  # the grading host's own non-loopback address
PLACEHOLDERS = (LISTENER_PORT, HOST_ADDRESS)

_COURSE = '''\
import glob
import os
import socket
from pathlib import Path

_course = Path.cwd().resolve().parents[2]  # <course>/autograded/<student>/lecture02
print("MARKER probes from", Path.cwd())
'''


def probe(tag: str, code: str) -> str:
    """``code`` must bind ``_got`` to what it obtained (and raise when it obtained nothing)."""
    body = textwrap.indent(textwrap.dedent(code).strip("\n"), "    ")
    return (f"try:\n{body}\n    print('LEAK {tag}', repr(_got)[:400])\n"
            f"except Exception as _e:\n    print('BLOCKED {tag}', type(_e).__name__)\n")


def _listing(path: str) -> str:
    return (f"_got = os.listdir({path})\n"
            "if not _got:\n    raise FileNotFoundError('empty directory')\n")


def probes_cell(probes: dict[str, str]) -> str:
    """One cell: the course root from the working directory, then every probe."""
    return _COURSE + "\n" + "\n".join(probe(tag, code) for tag, code in probes.items())


GRADEBOOK_PROBES = {
    "gradebook-read": '_got = (_course / "gradebook.db").read_bytes()[:64]',
    "gradebook-notes": '_got = (_course / "instructor-notes.txt").read_text()',
    "gradebook-write": '''
        import sqlite3
        _db = sqlite3.connect(str(_course / "gradebook.db"))
        _db.execute("update grade set manual_score = 99")
        _db.commit()
        _got = "grades overwritten"
    ''',
    "course-root-list": """
        _got = [n for n in os.listdir(_course) if n != "autograded"]  # its own folder's parent
        if not _got:
            raise FileNotFoundError("nothing but the kernel's own folder")
    """,
}

SOLUTIONS_PROBES = {
    "solutions-notebook":
        '_got = (_course / "solutions" / "lecture02" / "02_moving_average.ipynb").read_text()',
    "solutions-answer-key": '_got = (_course / "solutions" / "answer-key.txt").read_text()',
    "solutions-list": _listing('_course / "solutions"'),
}

PEER_PROBES = {
    "peer-notebook": f'_got = (_course / "submitted" / "{PEER}" / "lecture02" / '
                     '"02_moving_average.ipynb").read_text()',
    "peer-notes": f'_got = (_course / "submitted" / "{PEER}" / "lecture02" / "notes.txt")'
                  '.read_text()',
    "peer-autograded": f'_got = (_course / "autograded" / "{PEER}" / "lecture02" / "notes.txt")'
                       '.read_text()',
    "submissions-list": _listing('_course / "submitted"'),
    "other-kernels": '''
        _got = []
        for _pid in os.listdir("/proc"):
            try:
                _cwd = os.readlink(f"/proc/{_pid}/cwd")
            except OSError:
                continue
            if "/autograded/" in _cwd and _cwd != str(Path.cwd()):
                _got.append(_cwd)
        import ipykernel
        _own = Path(ipykernel.get_connection_file()).resolve()
        _got += [d for d in glob.glob("/tmp/nbgrader-sandbox-*")
                 if not _own.is_relative_to(Path(d).resolve())]
        if not _got:
            raise ProcessLookupError("no other kernel in sight")
    ''',
}

REPOSITORY_PROBES = {
    "repository-solutions": '''
        import course_utils
        _repo = Path(course_utils.__file__).resolve().parents[1]
        _got = (_repo / "solutions" / "lecture02" / "02_moving_average.ipynb").read_text()
    ''',
    "repository-gradebook": '''
        import course_utils
        _repo = Path(course_utils.__file__).resolve().parents[1]
        _got = (_repo / "gradebook.db").read_bytes()[:64]
    ''',
    "gradebook-search": '''
        _got = [p for depth in range(1, 5)
                for p in glob.glob("/" + "*/" * depth + "gradebook.db")]
        if not _got:
            raise FileNotFoundError("no gradebook.db found")
        _got = [open(p, "rb").read(64) for p in _got]
    ''',
}

NETWORK_PROBES = {
    "host-listener":
        f'_got = socket.create_connection(("127.0.0.1", {LISTENER_PORT}), timeout=3)',
    "host-address":
        f'_got = socket.create_connection(("{HOST_ADDRESS}", {LISTENER_PORT}), timeout=3)',
    "internet": '_got = socket.create_connection(("1.1.1.1", 53), timeout=3)',
    "dns": '_got = socket.getaddrinfo("pypi.org", 443)',
    "http": '''
        import urllib.request
        _got = urllib.request.urlopen("http://example.com", timeout=3).read(200)
    ''',
}


# -- resource attacks -------------------------------------------------------------------------

INFINITE_LOOP = '''\
print("MARKER infinite loop: start", flush=True)
while True:
    pass
'''

INFINITE_LOOP_HANDLING_SIGINT = '''\
import signal


def _keep_looping(signum, frame):
    print("MARKER SIGINT handled: looping on", flush=True)


signal.signal(signal.SIGINT, _keep_looping)
print("MARKER infinite loop with a SIGINT handler: start", flush=True)
while True:
    pass
'''

OS_EXIT = '''\
import os
import time

print("MARKER os._exit: start", flush=True)
time.sleep(0.5)
os._exit(0)
'''

RAISE_SYSTEM_EXIT = '''\
print("MARKER raise SystemExit: start", flush=True)
raise SystemExit(0)
'''

SYS_EXIT = '''\
import sys

print("MARKER sys.exit: start", flush=True)
sys.exit("MARKER sys.exit message")
'''

MEMORY_BOMB = '''\
print("MARKER memory bomb: start", flush=True)
_hoard = []
try:
    while True:
        _hoard.append(b"x" * (256 * 2**20))  # 256 MiB, every page written
except MemoryError:
    _mib = 256 * len(_hoard)
    _hoard.clear()
    print(f"MARKER memory bomb stopped by MemoryError after {_mib} MiB")
'''

OUTPUT_FLOOD = '''\
from IPython.display import HTML, display

print("MARKER output flood: start", flush=True)
for _i in range(100_000):
    print("flood " * 40)
display(HTML("<p>" + "flood " * 1_000_000 + "</p>"))
'''

FORK_BOMB = '''\
import os
import time

print("MARKER fork bomb: start", flush=True)
_children = 0
try:
    while True:
        if os.fork() == 0:  # every child forks on as well, until the limit stops it
            try:
                while True:
                    os.fork()
            except BaseException:
                pass
            time.sleep(2)
            os._exit(0)
        _children += 1
except OSError as _e:
    _stopped_by = type(_e).__name__
_deadline = time.monotonic() + 30
while time.monotonic() < _deadline:  # reap the direct children
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
print(f"MARKER fork bomb stopped by {_stopped_by} after {_children} children")
'''
