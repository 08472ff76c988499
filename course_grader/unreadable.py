"""Grade a notebook that cannot be read as an empty one, so that it fails alone.

``nbgrader autograde`` reads each submitted notebook with ``nbformat``. A file that is not a
notebook (cut off in the middle, not JSON, not UTF-8, JSON of another shape) raises there, and
nbgrader then treats the whole submission as failed: it removes the student's ``autograded/``
folder, so the student's other, correct notebooks get no grade either.

:class:`TolerantNotebookExporter` is nbgrader's notebook exporter, except that such a file is
read as a notebook holding one markdown cell that says what happened. The pre-flight repair
(:mod:`course_grader.preflight`) and ``OverwriteCells.add_missing_cells`` then put the
setup and test cells back from the gradebook, the tests run against answers that are not
there, and every graded cell of that notebook scores 0, while the student's other notebooks are
graded as usual. The error is logged with the student, the notebook and the reason; the
needs-attention summary (:mod:`course_grader.attention`) lists it with the command that
grades it again once a readable file is handed in. The file in ``submitted/`` is never touched.

Configure it in ``nbgrader_config.py``::

    c.Autograde.exporter_class = "course_grader.unreadable.TolerantNotebookExporter"
"""

from __future__ import annotations

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat.v4 import new_markdown_cell, new_notebook

__all__ = ["TolerantNotebookExporter", "UNREADABLE_MESSAGE"]

UNREADABLE_MESSAGE = (
    "**This notebook could not be read when it was graded** ({reason}), so none of its answers "
    "could run and every graded cell of it scores 0. Your other notebooks were graded as usual.\n\n"
    "Open the notebook in JupyterLab: if it does not open, it was damaged (for example cut off "
    "while saving). Hand in a notebook that opens, and ask your instructor to grade it again."
)


class TolerantNotebookExporter(NotebookExporter):
    """nbgrader's exporter; a file that is not a readable notebook becomes an empty one."""

    def from_file(self, file_stream, resources=None, **kw):
        try:
            nb = nbformat.read(file_stream, as_version=4)
        except Exception as e:  # noqa: BLE001 - whatever the damage, the notebook is unreadable
            reason = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
            info = (resources or {}).get("nbgrader", {})
            self.log.error("%s/%s could not be read (%s); it is graded as an empty notebook "
                           "and its graded cells score 0", info.get("student", "?"),
                           info.get("notebook", "?"), reason)
            nb = new_notebook(cells=[new_markdown_cell(UNREADABLE_MESSAGE.format(reason=reason))])
        return self.from_notebook_node(nb, resources=resources, **kw)
