"""``python -m course_grader.sandbox --check``: what the sandbox enforces on this machine."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

from course_grader.sandbox.host import SandboxError
from course_grader.sandbox.kernel_manager import SandboxKernelManager

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
        prog="python -m course_grader.sandbox",
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
