"""nbgrader's ``Execute`` with sandboxed kernels: a per-notebook time budget, recovery from
kernels that die or ignore interrupts, skipped demo cells and the trusted re-check."""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as _nbutils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from course_grader.cell_deps import needed_cells
from course_grader.sandbox.host import MiB, check_tools
from course_grader.sandbox.kernel_manager import SandboxKernelManager


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename=ename,
        evalue=evalue,
        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"],
    )


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A frame of the student's notebook code in an IPython traceback: "Cell In[4], line 7, in ema"
_NOTEBOOK_FRAME = re.compile(r"Cell In\s*\[[^\]]*\],\s*line \d+,\s*in (<module>|\w+)")


def looping_function(traceback: list[str]) -> str | None:
    """The function of the student's notebook code that was running when a cell was stopped
    (the innermost notebook frame of the ``KeyboardInterrupt`` traceback); None when the loop
    is in the cell itself or the traceback names no notebook frame."""
    frames = _NOTEBOOK_FRAME.findall(_ANSI.sub("", "\n".join(str(t) for t in traceback)))
    return frames[-1] if frames and frames[-1] != "<module>" else None


def timeout_message(seconds: float, function: str | None) -> str:
    """What a student reads when a cell was stopped at the per-cell limit."""
    where = f"in `{function}`" if function else "in this cell"
    return (f"stopped after {seconds:g} s, the grader's limit for one cell: probably an "
            f"infinite loop {where}. Check that every loop there ends for these inputs; "
            "cells that do not run it were graded as usual.")


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with sandboxed kernels and a bounded, crash-tolerant run.

    * Kernels come from :class:`SandboxKernelManager` (configure it as
      ``c.SandboxKernelManager.<trait>``).
    * ``Execute.timeout`` still bounds each cell; ``notebook_timeout`` bounds the whole notebook
      (kernel start included). Once the budget is spent, each remaining code cell gets an error
      output saying it was not run, so its tests score 0 and the notebook is still graded.
    * If the kernel dies (``os._exit``, out of memory, a crash) or does not answer an interrupt
      (``SIGINT`` ignored), that cell gets an error output, the kernel is killed, a fresh
      sandboxed kernel silently replays the code cells that already ran, and grading continues
      with the next cell; at most ``max_kernel_restarts`` times per notebook.
    * Output is capped at ``max_output_bytes_per_cell`` while the cell runs, so an output flood
      cannot exhaust the grader's memory (``LimitOutput`` only trims afterwards).
    * In graded cells, ``stderr`` stream output (warnings, TensorFlow log lines) is recorded as
      ``stdout`` with a ``[stderr]`` prefix when ``stderr_to_stdout_in_grade_cells`` is True:
      nbgrader scores any stderr as 0, but a test fails by raising, not by printing.
    * With ``skip_unneeded_cells``, the instructor's demo cells (no nbgrader metadata, source
      equal to an ungraded cell of the source notebook) that no later running cell needs are
      not run (:mod:`course_grader.cell_deps`); they keep their source, get no output,
      and the re-check does not see them either.
    """

    notebook_timeout = Integer(
        900, config=True, help="Wall-clock seconds for one notebook, kernel start included."
    )
    max_kernel_restarts = Integer(
        3, config=True, help="Fresh kernels per notebook after a kernel died or hung."
    )
    replay_after_restart = Bool(
        True,
        config=True,
        help="After a restart, re-run (silently) the code cells that already ran.",
    )
    max_output_bytes_per_cell = Integer(
        2 * MiB, config=True, help="Output kept per cell while it runs (bytes)."
    )
    stderr_to_stdout_in_grade_cells = Bool(
        True,
        config=True,
        help="Record stderr of graded cells as stdout (prefixed) so it does not cost points.",
    )
    sandbox = Bool(
        True,
        config=True,
        help="Use SandboxKernelManager. False falls back to nbgrader's unsandboxed kernel.",
    )
    partial_credit = Bool(
        False,
        config=True,
        help="Let a number shown as a graded cell's result give partial credit (nbgrader's "
        "rule). False (this course has no partial credit): results of graded cells are kept "
        "as displays, so output made by student code can never stand in for a score.",
    )
    skip_unneeded_cells = Bool(
        False,
        config=True,
        help="Do not run the instructor's demo cells (plots, printed examples, training, Keras "
        "comparisons) that no graded, answer, setup or student-added cell needs "
        "(course_grader.cell_deps). Cells the student added or changed always run.",
    )
    recheck = Bool(
        True,
        config=True,
        help="Run every graded cell that passed once more in the grader's process, with the "
        "student's functions called in a second, fresh sandboxed kernel "
        "(course_grader.recheck); the cell keeps its points only if both runs pass.",
    )

    def __init__(self, **kw):
        kw.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(**kw)
        if not self.sandbox:
            self.kernel_manager_class = AsyncKernelManager
        self._out_bytes: dict[int, int] = {}
        self._skip: set[int] = set()

    # -- bookkeeping ------------------------------------------------------------------------

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            check_tools()  # fail with a clear message before touching the notebook
        self._deadline = time.monotonic() + self.notebook_timeout
        self._restarts = 0
        self._history: list[int] = []
        self._gave_up: str | None = None
        self._out_bytes: dict[int, int] = {}
        self._skip = self._unneeded_cells(nb, resources) if self.skip_unneeded_cells else set()
        check = self._start_recheck(nb, resources) if self.recheck else None
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except BaseException:
            if check is not None:
                check.cancel()
            raise
        if check is not None:
            self._recheck(nb, resources, check)
        if not self.partial_credit:
            self._results_to_displays(nb)
        return nb, resources

    @staticmethod
    def _results_to_displays(nb) -> None:
        """nbgrader scores a graded cell by its *first* error or result: a result shown before
        a failing check (a student's hook can make one) would count as full marks. Without
        partial credit, results become plain displays, and any error scores 0."""
        for cell in nb.cells:
            if cell.cell_type != "code" or not _nbutils.is_grade(cell):
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "execute_result":
                    out["output_type"] = "display_data"
                    out.pop("execution_count", None)

    # -- cells no graded cell needs ---------------------------------------------------------

    def _demo_sources(self, resources) -> set[str] | None:
        """Sources of the ungraded code cells of this notebook's instructor version (the
        course's ``source/`` notebook, which students cannot change); None if not found."""
        info = (resources or {}).get("nbgrader") or {}
        if not (info.get("assignment") and info.get("notebook")):
            return None
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
        path = path / f"{info['notebook']}.ipynb"
        try:
            source = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as e:
            self.log.warning("Source notebook %s not readable (%s): every cell runs.", path, e)
            return None
        return {
            cell.source for cell in source.cells
            if cell.cell_type == "code"
            and not any(cell.get("metadata", {}).get("nbgrader", {}).get(k)
                        for k in ("grade", "solution", "locked"))
        }

    def _unneeded_cells(self, nb, resources) -> set[int]:
        """Indices of the demo cells of ``nb`` that no later running cell needs."""
        demos = self._demo_sources(resources)
        if not demos:
            return set()
        index = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
        optional = [not nb.cells[i].get("metadata", {}).get("nbgrader")
                    and nb.cells[i].source in demos for i in index]
        run = needed_cells([nb.cells[i].source for i in index], [not o for o in optional])
        skip = {i for i, r in zip(index, run, strict=True) if not r}
        name = ((resources or {}).get("nbgrader") or {}).get("notebook", "?")
        self.log.info("Skipping %d of %d code cells of %s that no graded cell needs.",
                      len(skip), len(index), name)
        return skip

    # -- the trusted re-check ---------------------------------------------------------------

    def _release_answers(self, resources) -> dict[str, str] | None:
        """grade_id -> release source of each answer cell of this notebook, from the gradebook."""
        info = (resources or {}).get("nbgrader") or {}
        if not all(info.get(k) for k in ("db_url", "notebook", "assignment")):
            return None
        from nbgrader.api import Gradebook, MissingEntry

        out = {}
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                return None
            for cell in notebook.source_cells:
                if cell.cell_type == "code":
                    solution = [c.name for c in notebook.solution_cells]
                    if cell.name in solution:
                        out[cell.name] = cell.source
        return out

    def _start_recheck(self, nb, resources):
        """Start the re-check of this notebook in the background (its kernel comes up and
        replays the answers while the notebook runs); None when there is nothing to re-check
        against."""
        from course_grader.recheck import BackgroundRecheck, Recheck

        release = self._release_answers(resources)
        if release is None:
            self.log.warning("No gradebook entry for this notebook: the re-check is skipped.")
            return None
        view = nb
        if self._skip:  # cells that do not run in the notebook do not run there either
            view = NotebookNode(nb)
            view.cells = [c for i, c in enumerate(nb.cells) if i not in self._skip]
        return BackgroundRecheck(Recheck(self, view, release, self.log))

    def _recheck(self, nb, resources, background) -> None:
        """Run every graded cell that passed once more, outside the student's kernel
        (:mod:`course_grader.recheck`); a cell that fails there gets an error output
        and scores 0."""
        passed = [
            c for c in nb.cells
            if c.cell_type == "code" and _nbutils.is_grade(c)
            and not any(o.get("output_type") == "error" for o in c.get("outputs", []))
        ]
        if not passed:
            background.cancel()
            return
        failures = background.run(passed)
        check = background.check
        student = ((resources or {}).get("nbgrader") or {}).get("student", "?")
        self.log.info("Re-checked %d graded cells in %.1f s (%d calls; the notebook waited "
                      "%.1f s for it): %d failed.", len(passed), check.seconds,
                      check.channel.calls, background.waited, len(failures))
        for cell in passed:
            gid = cell.metadata["nbgrader"]["grade_id"]
            if gid not in failures:
                continue
            self.log.warning("%s: %s passed in the notebook but failed the re-check: %s",
                             student, gid, failures[gid][:300])
            cell.outputs = list(cell.get("outputs", [])) + [_error_output(
                "RecheckFailed",
                "this test passed in your notebook, but failed when it was run again with "
                "only your answer cells in a fresh kernel: " + failures[gid]
                + "\nHint: keep each answer self-contained (numpy, the setup cell's names and "
                "your own functions) and leave the tests, IPython and numpy as they are.",
            )]

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if cell is None or not hasattr(self, "_deadline"):
            return timeout
        remaining = max(1, int(self._remaining()))
        return remaining if timeout is None else min(timeout, remaining)

    # -- output cap -------------------------------------------------------------------------

    def output(self, outs, msg, display_id, cell_index):
        limit = self.max_output_bytes_per_cell
        if not limit or msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        content = msg.get("content", {})
        text = content.get("text", "")
        size = len(text) + sum(
            len(v) if isinstance(v, str) else len(json.dumps(v))
            for v in (content.get("data") or {}).values()
        )
        used = self._out_bytes.get(cell_index, 0)
        self._out_bytes[cell_index] = used + size
        if used + size <= limit:
            return super().output(outs, msg, display_id, cell_index)
        out = None
        if used < limit and msg["msg_type"] == "stream":
            msg = {**msg, "content": {**content, "text": text[: limit - used]}}
            out = super().output(outs, msg, display_id, cell_index)
        if used <= limit:
            outs.append(
                NotebookNode(
                    output_type="stream",
                    name="stdout",
                    text=f"\n[output truncated by the grader: more than {limit} bytes]\n",
                )
            )
        return out

    # -- cells ------------------------------------------------------------------------------

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if index in self._skip:
            cell.outputs = []
            cell.execution_count = None
            return cell, resources
        if self._gave_up is None and self._remaining() <= 0:
            self._gave_up = (
                f"not run: the notebook's time budget ({self.notebook_timeout} s) was used up "
                "by earlier cells"
            )
        if self._gave_up is not None:
            cell.outputs = [_error_output("NotRunError", self._gave_up)]
            cell.execution_count = None
            return cell, resources
        self._stopped_after = None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except (CellTimeoutError, DeadKernelError) as e:
            self._on_kernel_lost(cell, index, e)
        else:
            if self._stopped_after is not None:
                self._explain_timeout(cell)
            timed_out = self._stopped_after is not None or any(
                out.get("output_type") == "error"
                and out.get("ename") in ("CellTimeoutError", "KeyboardInterrupt")
                for out in cell.get("outputs", [])
            )
            if not timed_out:  # replaying it would only time out again
                self._history.append(index)
        finally:
            self._demote_stderr(cell)
        return cell, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        self._stopped_after = timeout
        return await super()._async_handle_timeout(timeout, cell)

    def _explain_timeout(self, cell) -> None:
        """The cell was interrupted at its time limit: its ``KeyboardInterrupt`` becomes a
        ``TimeoutError`` that says so in the student's words (the traceback stays for the
        instructor; feedback shows only the name and the message)."""
        outputs = list(cell.get("outputs", []))
        for out in outputs:
            if out.get("output_type") == "error" and out.get("ename") == "KeyboardInterrupt":
                out["ename"] = "TimeoutError"
                out["evalue"] = timeout_message(self._stopped_after,
                                                looping_function(out.get("traceback", [])))
                return
        cell.outputs = [*outputs, _error_output(
            "TimeoutError", timeout_message(self._stopped_after, None))]

    def _demote_stderr(self, cell) -> None:
        if not (self.stderr_to_stdout_in_grade_cells and _nbutils.is_grade(cell)):
            return
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["name"] = "stdout"
                text = out.get("text", "")
                out["text"] = "".join(
                    f"[stderr] {line}" for line in text.splitlines(keepends=True)
                )

    def _on_kernel_lost(self, cell, index: int, error: Exception) -> None:
        dead = isinstance(error, DeadKernelError)
        if dead:
            ename, why = "DeadKernelError", "the kernel died while running this cell"
        else:
            limit = getattr(self, "_stopped_after", None) or self.timeout
            after = f"after {limit:g} s, the grader's limit for one cell," if limit else \
                "at the grader's limit for one cell"
            ename, why = (
                "CellTimeoutError",
                f"stopped {after} and killed, because it did not respond to the interrupt: "
                "probably an infinite loop in code that catches KeyboardInterrupt. Check that "
                "every loop there ends",
            )
        self.log.warning("Cell %d: %s (%s).", index, why, error)
        tail = ""
        km = self.km
        if isinstance(km, SandboxKernelManager):
            tail = km.kernel_log_tail(400).strip()
        if tail:
            self.log.info("Last kernel log lines:\n%s", tail)
        cell.outputs = list(cell.get("outputs", [])) + [_error_output(ename, why)]
        if self._restarts >= self.max_kernel_restarts:
            self._gave_up = (
                f"not run: the kernel died or hung {self._restarts + 1} times in this notebook"
            )
            self._kill_kernel(forget=False)
            return
        if self._remaining() <= 1:
            self._gave_up = (
                f"not run: the notebook's time budget ({self.notebook_timeout} s) was used up"
            )
            self._kill_kernel(forget=False)
            return
        self._restarts += 1
        if self._restart() and self.replay_after_restart and self._history:
            self._replay()

    def _restart(self) -> bool:
        """Start a fresh kernel; if that fails, the rest of the notebook is not run."""
        try:
            self._start_fresh_kernel()
            return True
        except Exception as e:  # noqa: BLE001 - grade the rest as not run, with the reason
            self.log.error("No fresh kernel could be started: %s", e)
            self._gave_up = f"not run: no fresh kernel could be started ({e})"
            if self.km is None:
                self.km = self.create_kernel_manager()  # nbclient's cleanup expects one
            return False

    def _kill_kernel(self, *, forget: bool = True) -> None:
        """Kill the kernel process now; with ``forget``, also drop the manager and client."""
        km, kc = self.km, self.kc
        if kc is not None and forget:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if km is not None:
            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
        if forget:
            if isinstance(km, SandboxKernelManager):
                km._destroy_sandbox()
            self.kc = None
            self.km = None

    def _start_fresh_kernel(self) -> None:
        self._kill_kernel()
        self.km = self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()

    def _replay(self) -> None:
        """Re-run the cells that already ran, outputs discarded, to rebuild the kernel state."""
        t0 = time.monotonic()
        for i in self._history:
            source = self.nb.cells[i].source
            try:
                msg_id = self.kc.execute(source, silent=True, store_history=False)
                reply = self.wait_for_reply(msg_id, self.nb.cells[i])
            except (CellTimeoutError, DeadKernelError, RuntimeError) as e:
                reply = None
                self.log.warning("Replay of cell %d failed (%s); using a clean kernel.", i, e)
            if reply is None or not run_sync(self.km.is_alive)():
                self._restarts += 1
                self._restart()
                return
        self.log.info(
            "Replayed %d cells in a fresh kernel in %.1fs.", len(self._history),
            time.monotonic() - t0,
        )


