"""The jupyter_client kernel manager that starts every kernel inside its own sandbox."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import sys
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Dict, Integer, List, Unicode, default

from course_grader.sandbox.host import (
    GiB,
    MiB,
    SandboxError,
    _is_checkout,
    _is_within,
    _module_dirs,
    _norm,
)
from course_grader.sandbox.jail import _Limits, _Sandbox

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


