"""Start a server the way an instructor would, read one page from it, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from urllib.error import URLError

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_once_served(cmd: list[str], cwd, url: str, what: str,
                      wait_s: float = 120) -> tuple[int, str]:
    """Run ``cmd`` in ``cwd`` (its own process group), GET ``url`` as soon as it answers and
    stop the server; return (status, body). Fails the test, with the server's output, when
    ``what`` exits or does not answer within ``wait_s``."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    return r.status, r.read().decode(errors="replace")
            except (URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"{what} did not serve {url}:\n{out[-3000:]}")
                time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
