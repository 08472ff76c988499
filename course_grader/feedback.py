"""Keep hidden tests hidden in the feedback that ``nbgrader generate_feedback`` writes.

nbgrader restores every locked test cell from the gradebook before grading, hidden tests
included, and its feedback HTML shows that source, the tracebacks that quote it, and whatever
the student's code printed (``NBGRADER_NOTES.md`` section 1.4: a ``pre_run_cell`` hook that
prints ``info.raw_cell`` puts the complete hidden test source into the student's own
notebook). :class:`HideHiddenTests` is an nbgrader preprocessor that rewrites the *feedback
copy only*; the submission in ``submitted/``, the autograded notebook in ``autograded/`` and
the grades in the gradebook are never touched.

Enable it in ``nbgrader_config.py``, between nbgrader's two default feedback preprocessors::

    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "course_grader.feedback.HideHiddenTests",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]

What the feedback keeps, per code cell
--------------------------------------
* **Autograder test cells** (``grade`` and not ``solution``): the source with every
  ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region replaced by one line
  ``# (hidden tests not shown)``; the score (nbgrader's template, from ``GetGrades``); and for
  a failure only the exception name and message, plus the failing line when that line is a
  visible one (or "raised in the hidden tests"). No traceback (IPython tracebacks quote the
  failing source line, which may be hidden), no printed text, no displays. A ``NameError``
  for a name that an answer cell failed to define says which answer cell did not run.
* **Answer cells that failed to run** (a ``SyntaxError``, or any error while the cell itself
  ran): the error's name, message and line, e.g. ``SyntaxError on line 2: '(' was never
  closed``, so the student sees the cause and not only the later ``NameError`` of the test.
* **Every other code cell** (answer cells, the student's own cells, and instructor cells,
  which run after student code and can be printed into by it): no outputs by default
  (``HideHiddenTests.keep_student_outputs = False``). With ``True`` their text and PNG/JPEG
  outputs are kept and checked as below; HTML, SVG, JavaScript and widget outputs are always
  dropped, because they can rebuild text when the page is opened.

Whatever is kept (test-failure messages, kept outputs, grader comments) is checked against
every line of hidden-test source in the gradebook (all assignments) and in the notebook.
Lines are compared with all whitespace removed; lines shorter than ``min_line_chars``
(12 characters, e.g. ``)`` or ``else:``) and lines that also appear in visible instructor
code are ignored. Besides the plain text, the check decodes what a student would most likely
use to smuggle the text out: reversed text, ROT13, Python/URL/HTML escapes, base64 (standard
or URL-safe, optionally zlib/gzip/bz2/lzma-compressed), hex, and lists of character codes,
nested two levels deep. An output that matches is replaced by a one-line notice; a failure
message that matches is replaced the same way (the exception name and the score stay). If the
*concatenation* of the kept outputs matches (a line printed in pieces), every kept output of
the notebook is replaced.

The notebook's widget state (``metadata.widgets``, which the HTML exporter embeds and which
student code can fill through a widget comm) is removed, and files that ``generate_feedback``
copied from ``autograded/<student>/<assignment>/`` into the feedback folder (student code can
write files there while it is graded) are deleted again, except a well-formed
``timestamp.txt`` that ``nbgrader release_feedback`` needs (``remove_copied_files``).

What this cannot stop (limits, stated honestly)
-----------------------------------------------
* **Any encoding it does not know.** A student who steals the hidden source while being graded
  can re-encode it in ways no filter recognises (XOR with a key, base32/base85, a cipher,
  one character per line interleaved with noise, text drawn into a PNG with matplotlib).
  With the default ``keep_student_outputs = False`` the only student-controlled channels left
  are the exception *name* (at most 60 characters) and *message* (at most
  ``max_message_chars``) of a **failing** test cell, so smuggling costs the points of that
  cell and is bounded in size (the pass/fail pattern of the scores carries a few bits more);
  with ``keep_student_outputs = True`` every kept output and image is such a channel. That
  is why outputs are dropped by default: students keep every output in their own notebook,
  and the feedback's job is the scores and the failure messages.
* **Other channels than the feedback.** The stolen text can reach the student without the
  feedback: over the network, into a shared folder or the gradebook, or through the
  autograded notebook if that is ever returned. Only a sandbox (no network, no writable
  course files; see ``course_grader.sandbox``) closes those. Hidden tests whose
  *values* must stay secret should not live in the notebook at all (nbgrader issue #1363:
  import them from a ``.py`` file the kernel cannot read, or use hashed tests).
* **Fragments.** A hidden value on its own (``1.2345``) or a hidden line shorter than
  ``min_line_chars`` is not detected; only whole lines of hidden source are.
* Feedback generated *without* this preprocessor (or from an older ``feedback/``) is not fixed.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import codecs
import html
import lzma
import os
import re
import sqlite3
import urllib.parse
import warnings
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils as nbutils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer, List, Unicode

__all__ = [
    "HIDDEN_PLACEHOLDER",
    "HiddenTextDetector",
    "HideHiddenTests",
    "hidden_lines_from_gradebook",
    "readonly_gradebook",
    "split_hidden_tests",
]

HIDDEN_PLACEHOLDER = "# (hidden tests not shown)"
_BEGIN = "BEGIN HIDDEN TESTS"
_END = "END HIDDEN TESTS"
_NOTICE = "[removed from the feedback: it quoted hidden test code]"
_SAFE_MIMETYPES = ("text/plain", "image/png", "image/jpeg")
# The feedback of a Russian-edition notebook (``metadata.language_edition == "ru"``, set by
# tools/editions.py) speaks Russian: each note this filter writes, English -> Russian.
_RUSSIAN = {
    HIDDEN_PLACEHOLDER: "# (скрытые тесты не показаны)",
    _NOTICE: "[удалено из отзыва: здесь был код скрытых тестов]",
    " ... (message cut)": " ... (сообщение обрезано)",
    "Raised in the hidden tests.": "Ошибка в скрытых тестах.",
    "Raised by: {line}": "Ошибку вызвала строка: {line}",
    "This answer cell did not run: {where}.": "Эта ячейка ответа не выполнилась: {where}.",
    "{ename} on line {line}": "{ename} в строке {line}",
    " (the answer cell `{cell}` that defines it did not run: {why}; fix that cell first)":
        " (ячейка ответа `{cell}`, которая определяет это имя, не выполнилась: {why}; "
        "сначала исправьте её)",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"Cell In\s*\[[^\]]*\],\s*line (\d+)")
_COMPILE_WHERE = re.compile(r"\s*\([^()]*\.py, line (\d+)\)$")  # "(1158864702.py, line 2)"
_NOT_DEFINED = re.compile(r"name '(\w+)' is not defined")
_MAX_ENAME = 60


# --------------------------------------------------------------------------------------------
# hidden regions
# --------------------------------------------------------------------------------------------
def split_hidden_tests(source: str, *, begin: str = _BEGIN, end: str = _END,
                       placeholder: str | None = HIDDEN_PLACEHOLDER) -> tuple[str, list[str]]:
    """Split a test cell's source into what students may see and the hidden lines.

    Every region from a line containing ``begin`` to the next line containing ``end`` is
    replaced by ``placeholder`` (indented like the ``begin`` line; ``None`` drops the region
    without a trace). A region without its ``end`` line runs to the end of the cell, so a
    malformed cell never shows more than nbgrader's release would.

    Returns
    -------
    visible : str
        The source with the hidden regions replaced.
    hidden : list of str
        The lines inside the regions (without the marker lines), in order.

    Examples
    --------
    >>> src = "assert f(1) == 2\\n### BEGIN HIDDEN TESTS\\nassert f(7) == 14\\n### END HIDDEN TESTS"
    >>> visible, hidden = split_hidden_tests(src)
    >>> print(visible)
    assert f(1) == 2
    # (hidden tests not shown)
    >>> hidden
    ['assert f(7) == 14']
    """
    visible: list[str] = []
    hidden: list[str] = []
    inside = False
    for line in source.split("\n"):
        if begin in line:
            if not inside and placeholder is not None:
                indent = line[: len(line) - len(line.lstrip())]
                visible.append(indent + placeholder)
            inside = True
        elif end in line and inside:
            inside = False
        elif end in line:
            continue  # a stray end marker is not code
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return "\n".join(visible), hidden


def _hidden_mask(source: str, *, begin: str = _BEGIN, end: str = _END) -> list[bool]:
    """Per line of ``source``: is it inside (or a marker of) a hidden region?"""
    mask, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
            mask.append(True)
        elif end in line and inside:
            inside = False
            mask.append(True)
        else:
            mask.append(inside)
    return mask


# --------------------------------------------------------------------------------------------
# the gradebook, read-only
# --------------------------------------------------------------------------------------------
def _readonly_url(db_url: str) -> tuple[str, str | None]:
    """A read-only SQLAlchemy URL for a SQLite gradebook, and the file path (else ``None``)."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if db_url.startswith(prefix):
            path = db_url[len(prefix):]
            if not path or path == ":memory:":
                break
            uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
            return f"sqlite:///{uri}&uri=true", os.path.abspath(path)
    return db_url, None


@contextmanager
def readonly_gradebook(db_url: str):
    """Open nbgrader's :class:`~nbgrader.api.Gradebook` so that nothing can be written.

    A SQLite gradebook is opened through a ``mode=ro`` URI, so the grades cannot change
    whatever happens; a missing file raises ``FileNotFoundError`` instead of creating an
    empty gradebook (which is what ``Gradebook(url)`` would do). Other databases are opened
    as nbgrader opens them.
    """
    from nbgrader.api import Gradebook

    url, path = _readonly_url(db_url)
    course_id = "default_course"
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no gradebook at {path}")
        con = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT id FROM course LIMIT 1").fetchone()
        except sqlite3.Error:
            row = None
        finally:
            con.close()
        if row:  # an existing course id: Gradebook() then has nothing to insert
            course_id = row[0]
    gb = Gradebook(url, course_id=course_id)
    try:
        yield gb
    finally:
        gb.close()


def hidden_lines_from_gradebook(db_url: str, *, begin: str = _BEGIN,
                                end: str = _END) -> tuple[list[str], list[str]]:
    """Hidden-test lines and visible lines of every source cell of every assignment.

    The gradebook keeps the test cells as they were before the hidden regions were removed
    (``SaveCells`` runs before ``ClearHiddenTests``). Returns ``(hidden, visible)``.
    """
    hidden: list[str] = []
    visible: list[str] = []
    with readonly_gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for notebook in assignment.notebooks:
                for cell in notebook.source_cells:
                    vis, hid = split_hidden_tests(cell.source or "", begin=begin, end=end,
                                                  placeholder=None)
                    hidden.extend(hid)
                    visible.extend(vis.split("\n"))
    return hidden, visible


# --------------------------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return "".join(text.split())


_B64_RUN = re.compile(r"[A-Za-z0-9+/\-_]{16,}={0,2}")
_HEX_RUN = re.compile(r"(?:[0-9a-fA-F]{2}){8,}")
_INT_RUN = re.compile(r"(?:\d{1,7}[\s,;]+){7,}\d{1,7}")
_TAG = re.compile(r"<[^>]*>")


def _bytes_texts(raw: bytes) -> Iterator[str]:
    """``raw`` as text, and decompressed by any codec that accepts it (partly, if truncated)."""
    yield raw.decode("utf-8", errors="replace")
    makers = (lambda: zlib.decompressobj(47), lambda: zlib.decompressobj(-15),
              bz2.BZ2Decompressor, lzma.LZMADecompressor)
    for make in makers:
        try:
            data = make().decompress(raw, 1 << 22)
        except Exception:  # noqa: BLE001 - any failure only means "not this codec"
            continue
        if data:
            yield data.decode("utf-8", errors="replace")


def _payloads(text: str) -> Iterator[str]:
    """Texts that ``text`` may carry in encoded form (base64, hex, character codes)."""
    squashed = _squash(text)
    for match in _B64_RUN.finditer(squashed):
        run = match.group().rstrip("=").replace("-", "+").replace("_", "/")
        for offset in range(4):
            chunk = run[offset:]
            if len(chunk) % 4 == 1:
                chunk = chunk[:-1]
            chunk += "=" * (-len(chunk) % 4)
            if len(chunk) < 12:
                continue
            try:
                yield from _bytes_texts(base64.b64decode(chunk))
            except (binascii.Error, ValueError):
                continue
    dehexed = re.sub(r"\\x|0x|%", "", squashed)
    for match in _HEX_RUN.finditer(dehexed):
        run = match.group()
        for offset in range(2):
            chunk = run[offset:]
            chunk = chunk[: len(chunk) - len(chunk) % 2]
            try:
                yield from _bytes_texts(bytes.fromhex(chunk))
            except ValueError:
                continue
    for match in _INT_RUN.finditer(text):
        codes = [int(c) for c in re.findall(r"\d+", match.group())]
        if all(c < 0x110000 for c in codes):
            yield "".join(chr(c) for c in codes)


def _cheap_variants(text: str) -> Iterator[str]:
    """``text`` and the forms a simple transformation of it takes."""
    yield text
    yield text[::-1]
    yield codecs.encode(text, "rot13")
    yield html.unescape(_TAG.sub("", text))
    yield urllib.parse.unquote_plus(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "invalid escape sequence" is no error here
        try:
            unescaped = codecs.decode(text.encode("latin-1", "backslashreplace"),
                                      "unicode_escape")
        except (UnicodeDecodeError, ValueError):
            unescaped = None
    if unescaped is not None:
        yield unescaped


class HiddenTextDetector:
    """Find whole lines of hidden-test source in a text, also when it is encoded.

    Parameters
    ----------
    hidden_lines : iterable of str
        Lines of hidden-test source.
    visible_lines : iterable of str
        Lines students can see anyway (visible test code): never reported.
    min_chars : int
        Hidden lines shorter than this (whitespace collapsed) are ignored as trivial.

    Examples
    --------
    >>> d = HiddenTextDetector(["assert huber(y, p, delta=0.37) == 1.234"])
    >>> d.find("print: assert huber(y,  p, delta=0.37) == 1.234")
    'assert huber(y, p, delta=0.37) == 1.234'
    >>> import base64
    >>> d.find(base64.b64encode(b"x = 1\\nassert huber(y, p, delta=0.37) == 1.234").decode())
    'assert huber(y, p, delta=0.37) == 1.234'
    >>> d.find("all checks passed") is None
    True
    """

    def __init__(self, hidden_lines: Iterable[str], visible_lines: Iterable[str] = (), *,
                 min_chars: int = 12):
        visible = {_squash(line) for line in visible_lines}
        needles: dict[str, str] = {}
        for line in hidden_lines:
            shown = " ".join(line.split())
            key = _squash(line)
            if len(shown) >= min_chars and key not in visible:
                needles.setdefault(key, shown)
        self._needles = needles

    def __len__(self) -> int:
        return len(self._needles)

    def _plain(self, text: str) -> str | None:
        squashed = _squash(text)
        for key, shown in self._needles.items():
            if key in squashed:
                return shown
        return None

    def find(self, text: str, *, depth: int = 2) -> str | None:
        """The first hidden line found in ``text`` or a decoding of it, else ``None``."""
        if not self._needles or not text:
            return None
        for variant in _cheap_variants(text):
            hit = self._plain(variant)
            if hit is not None:
                return hit
        if depth > 0:
            for variant in (text, text[::-1]):
                for payload in _payloads(variant):
                    hit = self.find(payload, depth=depth - 1)
                    if hit is not None:
                        return hit
        return None


def _output_texts(output) -> list[str]:
    """Every piece of text in one notebook output (binary images excluded)."""
    kind = output.get("output_type")
    if kind == "stream":
        text = output.get("text", "")
        return ["".join(text) if isinstance(text, list) else str(text)]
    if kind == "error":
        return [str(output.get("ename", "")), str(output.get("evalue", "")),
                "\n".join(str(t) for t in output.get("traceback", []) or [])]
    texts = []
    for mime, value in (output.get("data") or {}).items():
        if mime in ("image/png", "image/jpeg"):
            continue
        texts.append("".join(value) if isinstance(value, list) else str(value))
    return texts


# --------------------------------------------------------------------------------------------
# the preprocessor
# --------------------------------------------------------------------------------------------
class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests, tracebacks and leaked hidden source from the feedback copy.

    See the module docstring for what is kept, what is checked and what cannot be stopped.
    Runs after ``GetGrades`` (it keeps the ``grade_id``/score metadata the template shows).
    """

    # declared configurable, as in GetGrades, so nbconvert's NbConvertBase setting of it
    # raises no "not recognized" warning; this preprocessor does not use it
    display_data_priority = List(
        ["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
         "image/jpeg", "text/plain"]).tag(config=True)
    keep_student_outputs = Bool(
        False,
        help="Keep the outputs of code cells other than autograder test cells (text, PNG and "
             "JPEG only, each checked for hidden source). Off by default: every such output "
             "is a channel the student's code controls, and encoded text cannot be "
             "recognised reliably; students keep all outputs in their own notebooks.",
    ).tag(config=True)
    max_message_chars = Integer(
        2000, help="A test failure's message is cut to this many characters.").tag(config=True)
    min_line_chars = Integer(
        12, help="Hidden lines shorter than this (whitespace collapsed) are not searched for "
                 "in outputs: they are too common to mean a leak.").tag(config=True)
    begin_test_delimeter = Unicode(
        _BEGIN, help="Marks the start of a hidden region (as ClearHiddenTests)").tag(config=True)
    end_test_delimeter = Unicode(
        _END, help="Marks the end of a hidden region (as ClearHiddenTests)").tag(config=True)
    placeholder = Unicode(
        HIDDEN_PLACEHOLDER, help="The line that replaces each hidden region").tag(config=True)
    notice = Unicode(
        _NOTICE, help="Text that replaces an output or a message quoting hidden code",
    ).tag(config=True)
    remove_copied_files = Bool(
        True,
        help="Delete the files generate_feedback copied from autograded/ into the feedback "
             "folder (student code can write files there while it is graded); a valid "
             "timestamp.txt is kept for `nbgrader release_feedback`.",
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._gradebook_lines: dict[str, tuple[list[str], list[str]] | None] = {}
        self._scrubbed: set[tuple[str, str]] = set()

    # -- entry point ---------------------------------------------------------------------
    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources.get("nbgrader", {}) if isinstance(resources, dict) else {}
        where = f"{info.get('student', '?')}/{info.get('notebook', '?')}"
        detector = self._detector(nb, info)
        self._russian = nb.metadata.get("language_edition") == "ru"
        self._removed = 0
        self._scrub_copied_files(info, detector)
        nb.metadata.pop("widgets", None)
        kept: list[tuple[NotebookNode, bool]] = []  # (cell, is test cell) with kept outputs
        failed: list[tuple[str, str, str]] = []  # answer cells that did not run: id, source, why
        for cell in nb.cells:
            self._redact_comment(cell, detector)
            if cell.get("cell_type") != "code":
                continue
            original = cell.get("source", "")
            original = "".join(original) if isinstance(original, list) else str(original)
            if _is_instructor_cell(cell):  # the student's own code is shown as written
                cell.source, _ = split_hidden_tests(original, begin=self.begin_test_delimeter,
                                                    end=self.end_test_delimeter,
                                                    placeholder=self._say(self.placeholder))
            is_test = _is_test_cell(cell)
            error = None if is_test or not _is_answer_cell(cell) else \
                self._answer_error(cell.get("outputs", []), original, detector)
            if is_test:
                cell.outputs = self._test_outputs(cell.get("outputs", []), original, detector,
                                                  failed)
            elif error is not None:
                cell.outputs = [error]
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") or "?"
                failed.append((grade_id, original, error["traceback"][0]))
            elif self.keep_student_outputs:
                cell.outputs = self._student_outputs(cell.get("outputs", []), detector)
            else:
                cell.outputs = []
            if cell.outputs:
                kept.append((cell, is_test))
        self._check_concatenation(kept, detector)
        if self._removed:
            self.log.warning("%s: %d output(s) or message(s) quoting hidden test code were "
                             "removed from the feedback", where, self._removed)
        resources.setdefault("nbgrader", {})["hidden_tests_redacted"] = self._removed
        return nb, resources

    # -- what is hidden ------------------------------------------------------------------
    def _detector(self, nb: NotebookNode, info: dict) -> HiddenTextDetector:
        """Hidden lines from the gradebook (all assignments) and the notebook's locked cells.

        Lines that instructor code shows anyway are not searched for. They are taken from the
        gradebook when it can be read: a cell in the notebook may be forged (a student can
        add a cell marked ``locked``), so its visible lines are trusted only without one.
        """
        hidden: list[str] = []
        visible: list[str] = []
        for cell in nb.cells:
            if cell.get("cell_type") != "code" or not _is_instructor_cell(cell):
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            vis, hid = split_hidden_tests(source, begin=self.begin_test_delimeter,
                                          end=self.end_test_delimeter, placeholder=None)
            hidden.extend(hid)
            visible.extend(vis.split("\n"))
        db_url = info.get("db_url")
        if db_url:
            if db_url not in self._gradebook_lines:
                try:
                    self._gradebook_lines[db_url] = hidden_lines_from_gradebook(
                        db_url, begin=self.begin_test_delimeter, end=self.end_test_delimeter)
                except Exception as exc:  # noqa: BLE001 - the notebook's own cells remain
                    self.log.warning("Could not read hidden tests from the gradebook (%s); "
                                     "using the notebook's test cells only", exc)
                    self._gradebook_lines[db_url] = None
            from_db = self._gradebook_lines[db_url]
            if from_db is not None:
                hidden, visible = hidden + from_db[0], from_db[1]
        return HiddenTextDetector(hidden, visible, min_chars=self.min_line_chars)

    # -- outputs -------------------------------------------------------------------------
    def _notice_output(self):
        self._removed += 1
        return new_output("stream", name="stdout", text=self._say(self.notice) + "\n")

    def _clean_error(self, output, detector: HiddenTextDetector) -> tuple[str, str]:
        ename = " ".join(str(output.get("ename", "") or "Error").split())[:_MAX_ENAME]
        if detector.find(ename):
            ename = "Error"
            self._removed += 1
        evalue = str(output.get("evalue", "") or "")
        if detector.find(evalue):
            evalue = self._say(self.notice)
            self._removed += 1
        elif len(evalue) > self.max_message_chars:
            evalue = evalue[: self.max_message_chars] + self._say(" ... (message cut)")
        return ename, evalue

    def _say(self, english: str, **fields) -> str:
        """One of this filter's notes in the notebook's language (:data:`_RUSSIAN`)."""
        text = _RUSSIAN.get(english, english) if getattr(self, "_russian", False) else english
        return text.format(**fields) if fields else text

    def _location(self, traceback, source: str, detector: HiddenTextDetector) -> str | None:
        """Which line of the test cell raised: the line if visible, else "hidden tests"."""
        for entry in traceback or []:
            match = _CELL_FRAME.search(_ANSI.sub("", str(entry)))
            if not match:
                continue
            number = int(match.group(1))
            lines = source.split("\n")
            mask = _hidden_mask(source, begin=self.begin_test_delimeter,
                                end=self.end_test_delimeter)
            if not 1 <= number <= len(lines):
                return None
            if mask[number - 1]:
                return self._say("Raised in the hidden tests.")
            line = lines[number - 1].strip()
            if not line or detector.find(line):
                return None
            return self._say("Raised by: {line}", line=line)
        return None

    def _answer_error(self, outputs, source: str, detector: HiddenTextDetector):
        """The error an answer cell raised while it ran, as name, message and line; else None."""
        for output in outputs or []:
            if output.get("output_type") != "error":
                continue
            ename, evalue = self._clean_error(output, detector)
            line = None
            match = _COMPILE_WHERE.search(evalue)
            if match:  # a SyntaxError's message ends with "(<file>.py, line N)"
                evalue, line = evalue[: match.start()], int(match.group(1))
            for entry in output.get("traceback") or []:
                frame = _CELL_FRAME.search(_ANSI.sub("", str(entry)))
                if frame:
                    line = int(frame.group(1))  # the last frame of this cell wins
            where = self._say("{ename} on line {line}", ename=ename, line=line) if line else ename
            lines = source.split("\n")
            text = lines[line - 1].strip() if line and 1 <= line <= len(lines) else ""
            head = self._say("This answer cell did not run: {where}.", where=where)
            traceback = [head, f"    {text}"] if text and not detector.find(text) else [head]
            traceback.append(f"{ename}: {evalue}" if evalue else ename)
            return new_output("error", ename=ename, evalue=evalue, traceback=traceback)
        return None

    def _test_outputs(self, outputs, source: str, detector: HiddenTextDetector,
                      failed: list[tuple[str, str, str]] = ()) -> list:
        for output in outputs or []:
            if output.get("output_type") != "error":
                continue
            ename, evalue = self._clean_error(output, detector)
            missing = _NOT_DEFINED.search(evalue) if ename == "NameError" else None
            if missing:
                name = re.compile(rf"\b{re.escape(missing.group(1))}\b")
                cause = next(((gid, why) for gid, src, why in reversed(failed)
                              if name.search(src)), None)
                if cause:
                    head = self._say("This answer cell did not run: {where}.", where="\0")
                    why = cause[1].removeprefix(head.split("\0")[0]).rstrip(".")
                    evalue += self._say(" (the answer cell `{cell}` that defines it did not "
                                        "run: {why}; fix that cell first)",
                                        cell=cause[0], why=why)
            where = self._location(output.get("traceback"), source, detector)
            message = f"{ename}: {evalue}" if evalue else ename
            traceback = [where, message] if where else [message]
            return [new_output("error", ename=ename, evalue=evalue, traceback=traceback)]
        if any(o.get("output_type") == "stream" and o.get("name") == "stderr"
               for o in outputs or []):
            return [new_output("stream", name="stdout",
                               text="(This test cell wrote to stderr, which nbgrader scores "
                                    "as a failure.)\n")]
        return []

    def _student_outputs(self, outputs, detector: HiddenTextDetector) -> list:
        kept = []
        for output in outputs or []:
            kind = output.get("output_type")
            if kind == "error":
                ename, evalue = self._clean_error(output, detector)
                message = f"{ename}: {evalue}" if evalue else ename
                kept.append(new_output("error", ename=ename, evalue=evalue,
                                       traceback=[message]))
                continue
            if any(detector.find(text) for text in _output_texts(output)):
                kept.append(self._notice_output())
                continue
            if kind == "stream":
                kept.append(new_output("stream", name=output.get("name", "stdout"),
                                       text=_output_texts(output)[0]))
            elif kind in ("display_data", "execute_result"):
                data = {m: v for m, v in (output.get("data") or {}).items()
                        if m in _SAFE_MIMETYPES}
                if not data:
                    continue
                if kind == "execute_result":
                    kept.append(new_output(kind, data=data,
                                           execution_count=output.get("execution_count")))
                else:
                    kept.append(new_output(kind, data=data))
        return kept

    def _check_concatenation(self, kept, detector: HiddenTextDetector) -> None:
        """Catch a hidden line printed in pieces over several outputs."""
        joined = "".join(text for cell, _ in kept for output in cell.outputs
                         for text in _output_texts(output))
        if not kept or detector.find(joined) is None:
            return
        for cell, is_test in kept:
            if is_test:
                for output in cell.outputs:
                    notice = self._say(self.notice)
                    if output.get("evalue") not in (None, "", notice):
                        output["evalue"] = notice
                        output["traceback"] = [f"{output.get('ename', 'Error')}: {notice}"]
                        self._removed += 1
            else:
                self._removed += len(cell.outputs) - 1
                cell.outputs = [self._notice_output()]

    def _redact_comment(self, cell, detector: HiddenTextDetector) -> None:
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("comment"), str):
            if detector.find(meta["comment"]):
                meta["comment"] = self._say(self.notice)
                self._removed += 1

    # -- files copied next to the feedback -----------------------------------------------
    def _scrub_copied_files(self, info: dict, detector: HiddenTextDetector) -> None:
        if not self.remove_copied_files:
            return
        from nbgrader.converters import GenerateFeedback

        converter = getattr(getattr(self, "parent", None), "parent", None)
        if not isinstance(converter, GenerateFeedback) or not info.get("student"):
            return
        try:
            src = Path(converter._format_source(info["assignment"], info["student"]))
            dest = Path(converter._format_dest(info["assignment"], info["student"]))
            ignore = list(converter.coursedir.ignore)
        except Exception as exc:  # noqa: BLE001 - never fail the feedback over this
            self.log.warning("Could not locate the feedback folder (%s); copied files kept", exc)
            return
        key = (str(src), str(dest))
        if key in self._scrubbed or not src.is_dir() or not dest.is_dir():
            return
        self._scrubbed.add(key)
        if src.resolve() == dest.resolve():
            return
        for filename in nbutils.find_all_files(str(src), ignore + ["*.ipynb"]):
            rel = os.path.relpath(filename, src)
            path = dest / rel
            if not (path.is_symlink() or path.is_file()):
                continue
            if rel == "timestamp.txt" and _valid_timestamp(path, detector):
                continue
            path.unlink()
            self.log.info("Removed %s from the feedback (copied from autograded/)", path)
        for dirpath, _, _ in sorted(os.walk(dest), key=lambda d: -len(d[0])):
            if Path(dirpath) != dest and not os.listdir(dirpath):
                os.rmdir(dirpath)


def _is_test_cell(cell) -> bool:
    return bool(nbutils.is_grade(cell)) and not nbutils.is_solution(cell) \
        and cell.get("cell_type") == "code"


def _is_answer_cell(cell) -> bool:
    try:
        return bool(nbutils.is_solution(cell)) and cell.get("cell_type") == "code"
    except Exception:  # noqa: BLE001 - malformed metadata is not an answer cell
        return False


def _is_instructor_cell(cell) -> bool:
    """A locked nbgrader cell: its source came from the gradebook, not from the student."""
    try:
        return bool(nbutils.is_locked(cell))
    except Exception:  # noqa: BLE001 - malformed metadata is not instructor code
        return False


def _valid_timestamp(path: Path, detector: HiddenTextDetector) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size > 200:
            return False
        text = path.read_text()
        nbutils.parse_utc(text.strip())
    except Exception:  # noqa: BLE001 - unreadable or unparsable: not a timestamp
        return False
    return detector.find(text) is None
