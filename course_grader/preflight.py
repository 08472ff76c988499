"""Repair a submitted notebook's nbgrader metadata before nbgrader checks it.

nbgrader trusts the cell metadata that comes back from students, and some damage to it stops
more than one submission (see ``NBGRADER_NOTES.md`` section 1.3 and 2.4):

* a duplicated cell (copy and paste keeps the metadata) makes ``DeduplicateIds`` set the
  earlier copy's metadata to ``{}``, ``CheckCellMetadata`` then raises ``SchemaTooOldError``, and
  ``nbgrader autograde`` **stops the whole batch**; an edited ``schema_version`` does the same;
* flipped ``grade``/``solution`` flags make ``OverwriteCells`` raise "Inconsistent checksums";
* a renamed or emptied ``grade_id``, or a changed cell type, fails that submission;
* a deleted test cell is simply not graded unless ``OverwriteCells.add_missing_cells`` is on,
  and that code raises ``KeyError`` when the cell before it was deleted too.

:class:`NormalizeSubmission` is an nbgrader preprocessor for the *first* place of
``Autograde.sanitize_preprocessors``. It works on the in-memory copy of the notebook (nbgrader
reads ``submitted/`` and writes ``autograded/``; the submission on disk is never touched) and
rebuilds every nbgrader cell's metadata from the gradebook, the authority nbgrader itself uses:

* a cell whose ``grade_id`` is known gets its flags, points, type, ``schema_version`` and
  checksum from the gradebook; a wrong cell type is converted back;
* a cell with unknown or missing ``grade_id`` that is byte-for-byte a gradebook cell missing
  from the submission gets that cell's id back; any other such cell loses its nbgrader metadata
  and runs as ordinary code (nothing of it is graded);
* duplicates keep the **last** copy (as ``DeduplicateIds`` would); earlier copies become
  ordinary cells instead of ``{}``;
* missing graded cells, task cells and locked instructor code cells (e.g. a setup cell with the
  imports) are put back after the nearest earlier cell that is still there;
* structural damage that ``nbformat`` lets through (sources that are lists or numbers, unknown
  cell types, missing or duplicate cell ids, non-dict metadata) is repaired.

Everything it changes is logged as a warning naming the student and notebook, and listed in
``resources["nbgrader"]["preflight"]``. What it cannot repair (a file that is not JSON, a
notebook that is a symbolic link) fails that submission alone, with the reason in the log.

Configure it in ``nbgrader_config.py``::

    c.Autograde.sanitize_preprocessors = [
        "course_grader.preflight.NormalizeSubmission",
        "nbgrader.preprocessors.ClearOutput",
        "nbgrader.preprocessors.DeduplicateIds",
        "nbgrader.preprocessors.OverwriteKernelspec",
        "course_grader.overwrite_cells.OverwriteCells",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Bool

__all__ = ["NormalizeSubmission", "SubmissionRejected", "mark_graded"]

_CELL_TYPES = ("code", "markdown", "raw")
_CELL_ID = re.compile(r"^[a-zA-Z0-9\-_]{1,64}$")


class SubmissionRejected(ValueError):
    """The submission cannot be graded safely; nbgrader fails this submission only."""


# -- crash safety ------------------------------------------------------------------------------
#
# nbgrader skips a student whose ``autograded/<student>/<assignment>`` exists and whose
# ``timestamp.txt`` there is not older than the submission's. A grader killed in the middle of
# a student leaves exactly that behind, so the next run would skip the half-graded student.
# While a student is being graded, NormalizeSubmission sets the timestamp in ``autograded/`` to
# the epoch; ``mark_graded`` (Autograde.post_convert_hook, run only after the whole student
# succeeded) puts the submission's timestamp back. After a crash the next run sees a
# submission newer than its autograded copy and grades it again.

_EPOCH = "1970-01-01 00:00:00.000000 UTC"
_IN_PROGRESS: dict[str, tuple[str, str]] = {}  # submission dir -> (autograded dir, timestamp)


def mark_graded(assignment=None, student=None, notebooks=(), **_ignored) -> None:
    """``Autograde.post_convert_hook``: the student's grading finished; restore its timestamp.

    Configure as ``c.Autograde.post_convert_hook =
    "course_grader.preflight.mark_graded"``; NormalizeSubmission only marks students
    as in progress when this hook is configured.
    """
    for notebook in notebooks:
        entry = _IN_PROGRESS.pop(os.path.dirname(os.path.abspath(notebook)), None)
        if entry is not None:
            dest, timestamp = entry
            _write_timestamp(dest, timestamp)


def _write_timestamp(folder: str, text: str) -> None:
    """Replace ``folder/timestamp.txt`` (nbgrader makes it read-only) keeping its mode."""
    path = os.path.join(folder, "timestamp.txt")
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
    tmp = os.path.join(folder, f".timestamp.txt.{os.getpid()}")
    with open(tmp, "w") as fh:
        fh.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


@dataclass(frozen=True)
class _DbCell:
    """What the gradebook knows about one nbgrader cell of the source notebook."""

    name: str
    cell_type: str
    locked: bool
    source: str
    checksum: str | None
    grade: bool
    solution: bool
    task: bool
    points: float | None

    def metadata(self) -> dict:
        meta = {
            "schema_version": 3,
            "grade": self.grade,
            "solution": self.solution,
            "locked": self.locked,
            "grade_id": self.name,
            "cell_type": self.cell_type,
        }
        if self.task:
            meta["task"] = True
        if self.grade or self.task:
            meta["points"] = self.points
        if self.checksum and len(self.checksum) == 32:
            meta["checksum"] = self.checksum
        return meta


def _load_db_cells(db_url: str, notebook_id: str, assignment_id: str) -> list[_DbCell]:
    """The notebook's nbgrader cells, in gradebook order (the order nbgrader itself uses)."""
    with Gradebook(db_url) as gb:
        nb = gb.find_notebook(notebook_id, assignment_id)
        grades = {c.name: float(c.max_score) for c in nb.grade_cells}
        tasks = {c.name: float(c.max_score) for c in nb.task_cells}
        solutions = {c.name for c in nb.solution_cells}
        cells = []
        for sc in nb.source_cells:
            points = grades.get(sc.name, tasks.get(sc.name))
            cells.append(
                _DbCell(
                    name=sc.name,
                    cell_type=sc.cell_type,
                    locked=bool(sc.locked),
                    source=sc.source or "",
                    checksum=sc.checksum,
                    grade=sc.name in grades,
                    solution=sc.name in solutions,
                    task=sc.name in tasks,
                    points=points,
                )
            )
        return cells


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "".join(value)
    return "" if value is None else str(value)


def _set_cell_type(cell: NotebookNode, cell_type: str) -> None:
    """Convert a cell to ``cell_type`` keeping its id, source and metadata."""
    cell["cell_type"] = cell_type
    if cell_type == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.pop("attachments", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        if cell_type == "markdown" and not isinstance(cell.get("attachments", {}), dict):
            cell.pop("attachments", None)


class NormalizeSubmission(NbGraderPreprocessor):
    """Rebuild nbgrader cell metadata from the gradebook so a damaged submission can be graded.

    Put it first in ``Autograde.sanitize_preprocessors``. See the module docstring for what it
    repairs; it never writes to ``submitted/``.
    """

    restore_missing_cells = Bool(
        True,
        help="Put back graded, task and locked code cells the student deleted.",
    ).tag(config=True)
    mark_in_progress = Bool(
        True,
        help="While a student is graded, make its autograded copy look older than the "
        "submission, so that a crashed run grades it again (needs the post_convert_hook "
        "course_grader.preflight.mark_graded).",
    ).tag(config=True)
    rename_by_source = Bool(
        True,
        help="Give a cell with an unknown grade_id the id of the missing gradebook cell whose "
        "source it matches exactly.",
    ).tag(config=True)

    # -- entry point --------------------------------------------------------------------------

    def preprocess(self, nb: NotebookNode, resources: dict):
        info = resources["nbgrader"]
        self.notebook_id = info["notebook"]
        self.assignment_id = info["assignment"]
        self.student_id = info.get("student", "?")
        self._report: list[str] = []
        self._check_path(resources)
        self._mark_in_progress(resources)
        try:
            db_cells = _load_db_cells(info["db_url"], self.notebook_id, self.assignment_id)
        except MissingEntry:
            # The converter skips notebooks that are not in the gradebook; nothing to check.
            return nb, resources
        self._normalize_structure(nb)
        self._normalize_cells(nb, db_cells)
        if self.restore_missing_cells:
            self._restore_missing(nb, db_cells)
        for line in self._report:
            self.log.warning("Preflight %s/%s: %s", self.student_id, self.notebook_id, line)
        info["preflight"] = list(self._report)
        return nb, resources

    def _note(self, message: str) -> None:
        self._report.append(message)

    def _converter(self):
        """The nbgrader converter running this preprocessor (exporter's parent), if any."""
        exporter = getattr(self, "parent", None)
        return getattr(exporter, "parent", None)

    def _mark_in_progress(self, resources: dict) -> None:
        conv = self._converter()
        hook = getattr(conv, "post_convert_hook", None)
        if not (self.mark_in_progress and hook is mark_graded):
            return
        src = resources.get("metadata", {}).get("path")
        if not src:
            return
        src = os.path.abspath(src)
        stamp = os.path.join(src, "timestamp.txt")
        if src in _IN_PROGRESS or not os.path.isfile(stamp):
            return
        dest = conv._format_dest(self.assignment_id, self.student_id)
        if not os.path.isdir(dest):
            return
        try:
            with open(stamp) as fh:
                original = fh.read()
            _write_timestamp(dest, _EPOCH)
        except OSError as e:
            self.log.warning("Preflight: cannot mark %s as being graded (%s).", dest, e)
            return
        _IN_PROGRESS[src] = (dest, original)

    def _check_path(self, resources: dict) -> None:
        path = resources.get("metadata", {}).get("path")
        name = resources.get("metadata", {}).get("name") or self.notebook_id
        if not path:
            return
        nb_file = os.path.join(path, f"{name}.ipynb")
        if os.path.islink(nb_file):
            raise SubmissionRejected(
                f"The submitted notebook {nb_file!r} is a symbolic link (to "
                f"{os.readlink(nb_file)!r}); refusing to grade it. Hint: collect submissions "
                "without preserving links (nbgrader collect/zip_collect do not create them)."
            )

    # -- structure ----------------------------------------------------------------------------

    def _normalize_structure(self, nb: NotebookNode) -> None:
        if not isinstance(nb.get("metadata"), dict):
            nb["metadata"] = NotebookNode()
            self._note("notebook metadata was not a dictionary; replaced by {}")
        cells = nb.get("cells")
        if not isinstance(cells, list):
            nb["cells"] = []
            self._note("the notebook had no list of cells; graded as empty")
            return
        kept = []
        for i, cell in enumerate(cells):
            if not isinstance(cell, dict):
                self._note(f"cell {i} was not a JSON object; dropped")
                continue
            if not isinstance(cell, NotebookNode):
                cell = from_dict(cell)
            if cell.get("cell_type") not in _CELL_TYPES:
                self._note(f"cell {i} had cell_type={cell.get('cell_type')!r}; made a raw cell")
                _set_cell_type(cell, "raw")
            if not isinstance(cell.get("source"), str):
                cell["source"] = _as_text(cell.get("source"))
            if not isinstance(cell.get("metadata"), dict):
                cell["metadata"] = NotebookNode()
            if cell["cell_type"] == "code":
                if not isinstance(cell.get("outputs"), list):
                    cell["outputs"] = []
                cell.setdefault("execution_count", None)
            else:
                _set_cell_type(cell, cell["cell_type"])
            kept.append(cell)
        nb["cells"] = kept
        if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
            seen = set()
            for cell in kept:
                cid = cell.get("id")
                if not isinstance(cid, str) or not _CELL_ID.match(cid) or cid in seen:
                    cell["id"] = uuid.uuid4().hex[:8]
                    while cell["id"] in seen:
                        cell["id"] = uuid.uuid4().hex[:8]
                seen.add(cell["id"])

    # -- nbgrader metadata --------------------------------------------------------------------

    def _normalize_cells(self, nb: NotebookNode, db_cells: list[_DbCell]) -> None:
        by_name = {c.name: c for c in db_cells}

        def claimed_id(cell):
            meta = cell["metadata"].get("nbgrader")
            if not isinstance(meta, dict):
                return None
            gid = meta.get("grade_id")
            return gid if isinstance(gid, str) and gid else None

        # 1. cells that are not (or no longer) valid nbgrader cells
        for i, cell in enumerate(nb.cells):
            if "nbgrader" not in cell["metadata"]:
                continue
            meta = cell["metadata"]["nbgrader"]
            gid = claimed_id(cell)
            if not isinstance(meta, dict):
                del cell["metadata"]["nbgrader"]
                self._note(f"cell {i}: nbgrader metadata was not a dictionary; removed")
                continue
            if gid in by_name:
                continue
            claims = any(meta.get(k) for k in ("grade", "solution", "locked", "task"))
            if gid is None and not claims:
                del cell["metadata"]["nbgrader"]  # meaningless leftovers, nothing to grade
                continue
            cell["metadata"]["nbgrader"] = {"_unknown": gid or ""}

        # 2. unknown ids: rename by identical source, otherwise make them ordinary cells
        present = {claimed_id(c) for c in nb.cells} & set(by_name)
        missing = [c for c in db_cells if c.name not in present]
        for i, cell in enumerate(nb.cells):
            meta = cell["metadata"].get("nbgrader")
            if not (isinstance(meta, dict) and "_unknown" in meta):
                continue
            old = meta["_unknown"]
            matches = [c for c in missing if c.source.strip() == cell["source"].strip()]
            if self.rename_by_source and len(matches) == 1:
                target = matches[0]
                cell["metadata"]["nbgrader"] = {"grade_id": target.name}
                missing.remove(target)
                self._note(
                    f"cell {i}: grade_id {old!r} is not in the gradebook; its source is "
                    f"that of {target.name!r}, so it is graded as {target.name!r}"
                )
            else:
                del cell["metadata"]["nbgrader"]
                self._note(
                    f"cell {i}: grade_id {old!r} is not in the gradebook; it runs as an "
                    "ordinary cell and is not graded"
                )

        # 3. duplicates: keep the last copy
        last = {}
        for i, cell in enumerate(nb.cells):
            gid = claimed_id(cell)
            if gid is not None:
                last[gid] = i
        for i, cell in enumerate(nb.cells):
            gid = claimed_id(cell)
            if gid is not None and last[gid] != i:
                del cell["metadata"]["nbgrader"]
                self._note(
                    f"cell {i}: duplicate of {gid!r} (cell {last[gid]} is kept and graded); "
                    "it runs as an ordinary cell"
                )

        # 4. known cells: metadata and cell type from the gradebook
        for i, cell in enumerate(nb.cells):
            gid = claimed_id(cell)
            if gid is None:
                continue
            db = by_name[gid]
            old = dict(cell["metadata"]["nbgrader"])
            new = db.metadata()
            cell["metadata"]["nbgrader"] = NotebookNode(new)
            changed = sorted(
                k for k in set(old) | set(new)
                if k != "checksum" and old.get(k) != new.get(k)
            )
            if changed and set(old) != {"grade_id"}:
                self._note(
                    f"cell {i} ({gid}): nbgrader metadata restored from the gradebook "
                    f"({', '.join(f'{k}: {old.get(k)!r} -> {new.get(k)!r}' for k in changed)})"
                )
            if cell["cell_type"] != db.cell_type:
                self._note(f"cell {i} ({gid}): cell type {cell['cell_type']} -> {db.cell_type}")
                _set_cell_type(cell, db.cell_type)

    # -- deleted cells ------------------------------------------------------------------------

    def _restore_missing(self, nb: NotebookNode, db_cells: list[_DbCell]) -> None:
        def gid_of(cell):
            meta = cell["metadata"].get("nbgrader")
            return meta.get("grade_id") if isinstance(meta, dict) else None

        present = {gid_of(c) for c in nb.cells} - {None}
        wanted = [
            c for c in db_cells
            if c.name not in present
            and (c.grade or c.task or (c.locked and c.cell_type == "code" and not c.solution))
        ]
        if not wanted:
            return
        overwrite = OverwriteCells(parent=self.parent)
        order = [c.name for c in db_cells]
        for db in wanted:
            if db.grade or db.task:
                cell = from_dict(
                    overwrite.missing_cell_transform(
                        _SourceLike(db), db.points, is_solution=db.solution, is_task=db.task
                    )
                )
            else:
                note = overwrite.missing_cell_notification.format(cell_id=db.name)
                cell = from_dict(
                    {
                        "cell_type": "code",
                        "execution_count": None,
                        "outputs": [],
                        "metadata": {
                            "deletable": False,
                            "editable": False,
                            "nbgrader": db.metadata(),
                        },
                        "source": "# " + note + db.source,
                    }
                )
            if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
                cell["id"] = uuid.uuid4().hex[:8]
            else:
                cell.pop("id", None)
            # after the nearest earlier gradebook cell that is present, else before the
            # nearest later one, else at the end
            positions = {gid_of(c): k for k, c in enumerate(nb.cells) if gid_of(c)}
            k = order.index(db.name)
            before = [positions[n] for n in order[:k] if n in positions]
            after = [positions[n] for n in order[k + 1 :] if n in positions]
            if before:
                index = before[-1] + 1
            elif after:
                index = after[0]
            else:
                index = len(nb.cells)
            nb.cells.insert(index, cell)
            self._note(f"cell {db.name!r} was missing; put back at position {index}")


@dataclass(frozen=True)
class _SourceLike:
    """The attributes of nbgrader's SourceCell that ``missing_cell_transform`` reads."""

    db: _DbCell

    @property
    def name(self):
        return self.db.name

    @property
    def cell_type(self):
        return self.db.cell_type

    @property
    def locked(self):
        return self.db.locked

    @property
    def checksum(self):
        return self.db.checksum

    @property
    def source(self):
        return self.db.source
