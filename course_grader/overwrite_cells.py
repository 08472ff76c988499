"""nbgrader's ``OverwriteCells``, with warnings that say only what matters, and whose.

Every locked test cell of a release lacks its hidden tests, so nbgrader's ``OverwriteCells``
warns "Attribute 'checksum' for cell ... has changed!" for each of them in every honest
submission (29 lines per student in this course) and then restores the gradebook's source,
as it should. This subclass restores exactly as nbgrader does, but:

* a changed checksum whose only cause is the removed hidden tests (the submitted source equals
  the gradebook's source without its hidden regions) is logged at debug level;
* every other change (an edited test cell, flipped flags, changed points or cell type) stays a
  warning, and names the student and the notebook.

Configure it in ``nbgrader_config.py`` in place of ``nbgrader.preprocessors.OverwriteCells``;
options set on ``c.OverwriteCells`` apply to it too.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.preprocessors import OverwriteCells as _NbgraderOverwriteCells

__all__ = ["OverwriteCells", "release_source"]


def release_source(source: str) -> str:
    """``source`` without its ``### BEGIN HIDDEN TESTS`` regions, as the release has it."""
    cell = NotebookNode(cell_type="code", source=source, metadata={})
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


class OverwriteCells(_NbgraderOverwriteCells):
    """``OverwriteCells`` that is quiet about hidden tests and names whose cell changed."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        self._where = f"{info.get('student', '?')}/{info.get('notebook', '?')}"
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        self._current = cell
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new) -> None:
        if attr == "checksum" and self._only_hidden_tests_missing(name):
            self.log.debug("%s: cell %s gets its hidden tests back", self._where, name)
            return
        self.log.warning("%s: %s of cell %s has changed (should be: %s, got: %s); the "
                         "gradebook's version is used", self._where, attr, name, old, new)

    def _only_hidden_tests_missing(self, grade_id: str) -> bool:
        source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                      self.assignment_id)
        submitted = self._current.source.strip()
        return submitted == release_source(source_cell.source).strip() \
            and submitted != source_cell.source.strip() \
            and utils.is_locked(self._current)
