"""A throwaway PostgreSQL server for the tests: a cluster made by ``initdb`` in a temporary
directory, listening only on a Unix socket in that directory, started with ``pg_ctl`` and
stopped and removed at the end.

PostgreSQL refuses to run as root; as root the server runs as Debian's ``postgres`` user
(else ``nobody``) through ``runuser``, and the directory is given to that user. Every
database belongs to the superuser ``grader`` (trust authentication: only whoever can reach
the socket's directory can connect).

Typical use (a session fixture)::

    with postgres_server() as server:
        url = server.create_database("course")  # postgresql+psycopg://grader@/course?host=...
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("PostgreSQL's initdb and pg_ctl were not found (PATH or "
                "/usr/lib/postgresql/*/bin). Install them: sudo apt-get install postgresql "
                "(`make postgres-tools` does this as root on Debian/Ubuntu).")
SUPERUSER = "grader"
PORT = 5432  # only names the socket file; nothing listens on TCP


def postgres_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's newest)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _server_user() -> str | None:
    """The unprivileged user the server runs as when we are root (else None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a `postgres` nor a `nobody` user exists; "
                       "PostgreSQL refuses to run as root")


@dataclass
class PostgresServer:
    bindir: Path
    base: Path  # holds data/ and the socket
    user: str | None

    @property
    def data(self) -> Path:
        return self.base / "data"

    def _run(self, *cmd: str, timeout: float = 120) -> subprocess.CompletedProcess:
        argv = [str(self.bindir / cmd[0]), *cmd[1:]]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              cwd=self.base)
        if proc.returncode != 0:
            raise RuntimeError(f"`{' '.join(argv)}` exited {proc.returncode}:\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3, Unix socket)."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.base}&port={PORT}"

    def create_database(self, name: str) -> str:
        """Create an empty database ``name``; return its URL."""
        import psycopg

        with psycopg.connect(host=str(self.base), port=PORT, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway server; stop it and delete its files on exit."""
    bindir = postgres_bindir()
    if bindir is None:
        raise FileNotFoundError(INSTALL_HINT)
    user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="pg-"))  # short: a socket path has at most 107 bytes
    try:
        if user:
            ids = pwd.getpwnam(user)
            os.chown(base, ids.pw_uid, ids.pw_gid)
        server = PostgresServer(bindir, base, user)
        server._run("initdb", "-D", str(server.data), "-U", SUPERUSER, "--auth=trust",
                    "--encoding=UTF8", "--locale=C", "--no-sync")
        options = (f"-c listen_addresses='' -k {base} -p {PORT} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        server._run("pg_ctl", "-D", str(server.data), "-o", options, "-l",
                    str(base / "server.log"), "-w", "-t", "60", "start")
        try:
            yield server
        finally:
            server._run("pg_ctl", "-D", str(server.data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)
