"""The sandbox of one kernel: its directory, its fresh uid, its limits and the bubblewrap
command line that launches it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_grader.sandbox.cgroups import (
    SANDBOX_PREFIX,
    _Cgroup,
    _reap_stale_sandboxes,
    _remove_sandbox_dir,
)
from course_grader.sandbox.host import (
    _chown_tree,
    _copy_tree,
    _is_within,
    _matplotlib_font_cache,
    _pids_of_uid,
    _reserve_uid,
    check_tools,
)
from course_grader.sandbox.owner import start_time_of, this_grader
from course_grader.sandbox.uids import UidReservation

_ANNOUNCED = False  # the limits are logged once per grader process


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
    uid_reservation: UidReservation | None = None
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
        self.uid_reservation = _reserve_uid(uid_base, uid_count)
        self.uid = self.gid = self.uid_reservation.uid
        if base:
            os.makedirs(base, mode=0o711, exist_ok=True)
        _reap_stale_sandboxes(base or tempfile.gettempdir(), self.log)
        # The name says which grader owns the directory and the cgroups named after it.
        self.root = tempfile.mkdtemp(prefix=f"{SANDBOX_PREFIX}{this_grader()}-", dir=base or None)
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
        Path(self.root, "owner").write_text(f"{os.getpid()} {start_time_of(os.getpid())}\n")
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
        if self.uid_reservation is not None:
            self.uid_reservation.release()  # last: no process of the uid is left

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


