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
        "course_grader.sandbox.execute.SandboxedExecute", ...]    # instead of Execute

:class:`SandboxKernelManager` is the jupyter_client kernel manager that launches kernels inside
the sandbox. :class:`SandboxedExecute` is nbgrader's ``Execute`` preprocessor with that manager
plus a wall-clock budget per notebook, recovery from kernels that die or ignore interrupts (a
fresh sandboxed kernel replays the cells that already ran and grading goes on), a cap on the
output kept per cell, and ``stderr`` in graded cells recorded without costing points.

Run ``python -m course_grader.sandbox --check`` to see what the sandbox enforces on the
current machine.

Modules, each with one job (no module imports a later one)::

    owner           which grader process owns a sandbox, a uid or a cgroup (pid + start time)
    uids            host-wide uid reservations (one flock'ed file per uid in /run/course-grader)
    host            the tools, fresh uids, package directories, copies of the notebook folder
    cgroups         memory and task limits of a kernel's process tree; reaping what dead
                    graders left (directories, cgroups, uid reservations)
    jail            the sandbox of one kernel (directory, uid, limits, bubblewrap command)
    kernel_manager  SandboxKernelManager: every kernel started inside its own jail
    execute         SandboxedExecute: nbgrader's Execute on those kernels, with the re-check
    __main__        ``--check``: what the sandbox enforces on this machine

Nothing is imported here, so that importing one module does not import the others.
"""
