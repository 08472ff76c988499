"""One verdict under nbgrader: what student code writes to stderr never fails a check.

nbgrader scores a test cell 0 when it has *any* stderr output (``utils.determine_grade``), and
``nbgrader validate`` (the Validate button) uses that rule as it is; the course's autograde
drops stderr instead (``nbgrader_config.py``: ``IgnorePattern``), so that a warning never costs
a correct answer its points. Without this module a ``RuntimeWarning`` in a test cell would make
Validate say "failed" with no error and no hint, while autograde gives the points.

So when a notebook runs under nbgrader (``NBGRADER_EXECUTION`` is set, by ``nbgrader
validate`` and by autograde) inside a Jupyter kernel, :func:`route_stderr_to_stdout` makes
Python warnings print as a note on stdout and everything else written to ``sys.stderr`` go to
stdout with a ``[stderr]`` mark. Validate, autograde and the student's own run then agree:
a warning is a note; a check that is about warnings turns them into errors itself
(``warnings.simplefilter("error")``), and an error fails the cell everywhere.

Importing :mod:`course_utils` (every setup cell does) calls it; outside nbgrader nothing
changes, and the student keeps seeing warnings where Jupyter shows them.
"""

from __future__ import annotations

import os
import sys
import warnings

from course_utils.language import tr

__all__ = ["route_stderr_to_stdout"]


class _MarkedStderr:
    """A stand-in for ``sys.stderr`` that writes to stdout, each line marked ``[stderr]``."""

    def __init__(self, stdout):
        self._stdout = stdout
        self._at_line_start = True

    def write(self, text: str) -> int:
        out = []
        for piece in str(text).splitlines(keepends=True):
            out.append(("[stderr] " if self._at_line_start else "") + piece)
            self._at_line_start = piece.endswith("\n")
        self._stdout.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self._stdout.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name):  # encoding, fileno, ...: as the real stdout has them
        return getattr(self._stdout, name)


def _note(message, category, filename, lineno, file=None, line=None) -> None:
    if lineno:
        note = tr("Note: {category}: {message} ({file}, line {lineno}). A warning does not "
                  "change the grade of this cell.\n", category=category.__name__,
                  message=message, file=os.path.basename(str(filename)), lineno=lineno)
    else:
        note = tr("Note: {category}: {message}. A warning does not change the grade of this "
                  "cell.\n", category=category.__name__, message=message)
    sys.stdout.write(note)


def route_stderr_to_stdout() -> bool:
    """Under nbgrader in a Jupyter kernel, send warnings and stderr to stdout (see the module
    docstring); return whether it did."""
    if not os.environ.get("NBGRADER_EXECUTION") or "ipykernel" not in sys.modules:
        return False
    if isinstance(sys.stderr, _MarkedStderr):
        return True
    sys.stderr = _MarkedStderr(sys.stdout)
    warnings.showwarning = _note
    return True
