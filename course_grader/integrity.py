"""Integrity report: what in the submissions looks broken, tampered with, or like cheating.

Read-only and advisory: it never changes a grade, never writes inside ``submitted/``, and
opens a SQLite gradebook in read-only mode. Each problem becomes a :class:`Finding`; a broken
submission (bad JSON, odd metadata, a symbolic link, code that does not parse) is a finding,
never an exception. Run it before or after ``nbgrader autograde``::

    python -m course_grader.integrity [--course DIR] [--assignment lecture02]
                                             [--out integrity_report.csv] [--fail-on high]

It writes a CSV (``student, notebook, cell, severity, kind, detail``) and prints a summary.

The reference is nbgrader's gradebook (the cells ``generate_assignment`` stored: type, flags,
points, locked source with the hidden tests, checksum), read with
:class:`nbgrader.api.Gradebook`; without a gradebook the source notebooks are used. Release
notebooks tell which unmarked cells came from the instructor. What is checked, per student
(``submitted/<student>/<assignment>/``):

* **files**: notebooks missing, invalid JSON / not a v4 notebook, extra files (code files such
  as ``numpy.py`` are *high*: the grading kernel runs in that folder and would import them),
  symbolic links and other special files, a ``timestamp.txt`` nbgrader cannot parse;
* **nbgrader cells**: duplicated, unknown (renamed) or removed ``grade_id``; invalid nbgrader
  metadata; flipped ``grade``/``solution``/``locked``/``task`` flags, changed points or
  ``schema_version``; changed cell types; edited read-only or test cells (source compared with
  the gradebook copy, with and without the hidden tests);
* **code** that nbgrader will run and the instructor did not write (answer cells, and every
  added or edited unmarked cell), parsed with :mod:`ast` after IPython's own transformation of
  magics and ``!`` commands (see :data:`KINDS` for the categories): IPython internals (event
  hooks, input/AST transformers, ``set_custom_exc``, ``showtraceback``, ``In``/``Out``
  history), builtins patching, monkey-patching of imported modules or functions (NumPy,
  ``course_utils.testing``), classes that override comparison or NumPy protocols or subclass
  NumPy types, probing ``NBGRADER_EXECUTION``/``os.environ``, gradebook/SQLite access, network,
  exiting or signalling the process, spawning processes, file access outside the notebook
  folder, frame/stack introspection (a function reading its caller's locals or source),
  ``exec``/``eval``/dynamic imports, rebinding names the tests rely on (``assert_close``,
  ``np``, ``rng``, builtins), and **delegation**: answer code that imports or calls the
  graded function's ``course_utils`` reference (``from course_utils.losses import huber``,
  ``course_utils.losses.huber(...)``, ``from course_utils import losses as L; L.huber``);
  **library answers**: an answer cell that imports or calls scikit-learn, Keras, TensorFlow,
  SciPy (or PyTorch, JAX) to compute what it should implement
  (``sklearn.metrics.accuracy_score``, ``keras.losses.Huber``, ``tf.keras.losses.Huber``,
  ``scipy.special.expit``, ``scipy.signal.lfilter``), unless the instructor's own solution of
  that notebook uses the same module (the Keras seminar's answers do);
* **how the notebooks ran** (after ``nbgrader autograde``, from ``autograded/``): cells that
  hit their time limit, cells that never ran, and tests that failed the trusted re-check.

Limits: this is a static scan. Code built at run time (``exec`` of a decoded string,
``getattr`` with a computed name, ``importlib`` with a computed module) is reported as
``dynamic-code`` but not followed; names that alias dangerous objects through data structures
are not tracked; a finding is a reason to look, not proof, and a clean report is not proof of
honesty. Severities: ``high`` (would change grading or attacks the grader: review before
releasing grades), ``medium`` (unusual, often harmless), ``low`` (for information).
"""

from __future__ import annotations

import argparse
import ast
import csv
import fnmatch
import io
import json
import os
import re
import stat
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path

from course_grader.feedback import readonly_gradebook, split_hidden_tests

__all__ = ["KINDS", "SEVERITIES", "Finding", "scan_code", "scan_course", "write_csv",
           "format_summary", "main"]

SEVERITIES = ("high", "medium", "low")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}

#: Every finding kind, with its usual severity and what it means.
KINDS: dict[str, tuple[str, str]] = {
    "invalid-json": ("high", "the notebook file is not valid JSON (nbgrader cannot read it)"),
    "invalid-notebook": ("high", "valid JSON but not a readable v4 notebook"),
    "missing-notebook": ("medium", "a notebook of the assignment was not submitted"),
    "extra-file": ("low", "a file that is not part of the assignment (code files: high)"),
    "unsafe-file": ("high", "a symbolic link or special file in the submission"),
    "oversized": ("medium", "a notebook too large to scan"),
    "invalid-timestamp": ("medium", "timestamp.txt cannot be parsed (nbgrader fails it)"),
    "cell-metadata-invalid": ("high", "nbgrader metadata that nbgrader rejects"),
    "grade-id-duplicated": ("high", "the same grade_id on several cells"),
    "grade-id-unknown": ("high", "a grade_id the gradebook does not know (renamed?)"),
    "grade-id-removed": ("medium", "a gradebook cell is missing (deleted or unmarked)"),
    "flag-changed": ("high", "grade/solution/locked/task flag, points or schema changed"),
    "cell-type-changed": ("high", "the cell type differs from the gradebook"),
    "locked-cell-edited": ("high", "a read-only or test cell's source was edited"),
    "unparsable-cell": ("low", "code that does not parse, so it was not scanned"),
    "ipython-internals": ("high", "uses IPython internals (hooks, history, tracebacks)"),
    "builtins-patch": ("high", "imports or patches builtins"),
    "monkeypatch": ("high", "assigns to an attribute of an imported module or function"),
    "operator-override": ("high", "overrides comparison/NumPy protocols or subclasses NumPy"),
    "environment-probe": ("medium", "reads the environment (NBGRADER_EXECUTION: high)"),
    "gradebook-access": ("high", "touches the gradebook or SQLite"),
    "network": ("high", "uses the network"),
    "process-exit": ("high", "exits, kills or signals the process, or hooks its exit"),
    "subprocess": ("high", "starts other programs or native code"),
    "file-access": ("medium", "opens or changes files outside the notebook folder"),
    "introspection": ("high", "inspects stack frames, tracebacks or other code's internals"),
    "dynamic-code": ("medium", "exec/eval/dynamic imports/threads: code this scan cannot see"),
    "shadowing": ("medium", "rebinds a name the test cells rely on"),
    "delegation": ("high", "calls or imports the graded function's course_utils reference"),
    "library-answer": ("high", "an answer computes the graded quantity with scikit-learn, "
                               "Keras, TensorFlow or SciPy instead of implementing it"),
    "timeout": ("medium", "a cell hit its time limit while graded (an infinite loop?)"),
    "not-run": ("medium", "a cell never ran while graded (kernel died or time ran out)"),
    "gradebook-mismatch": ("high", "the gradebook disagrees with the source notebooks"),
    "scan-error": ("high", "the scanner itself failed on this submission"),
    "recheck-failed": ("high", "a test passed in the notebook but failed the trusted re-check "
                               "(tampering, or an answer that is not self-contained)"),
}

_DEFAULT_IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
# Libraries that compute what the exercises ask for; an answer cell may not lean on them
# unless the reference solution of the same notebook uses the same module.
LIBRARIES = ("sklearn", "keras", "tensorflow", "tf_keras", "scipy", "torch", "jax")
_TIMEOUT_ERRORS = ("CellTimeoutError", "KeyboardInterrupt", "TimeoutError")
_NOT_RUN_ERRORS = ("NotRunError", "DeadKernelError")
_MAX_NOTEBOOK_BYTES = 50_000_000


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one submission.

    Attributes
    ----------
    student : str
        The student id (the folder name in ``submitted/``); ``"(course)"`` for problems of
        the course itself.
    notebook : str
        Notebook name without ``.ipynb``; for file-level findings the file's path relative to
        the submission folder; ``""`` when it concerns the whole submission.
    cell : str
        The cell's ``grade_id``, or ``"cell N"`` (1-based position) for a cell without one;
        ``""`` for notebook- or file-level findings.
    severity : str
        ``"high"``, ``"medium"`` or ``"low"``.
    kind : str
        One of :data:`KINDS`.
    detail : str
        A short human-readable reason.

    Examples
    --------
    >>> Finding("bob", "00_start_here", "start-sigmoid", "high", "delegation",
    ...         "line 2: calls course_utils.losses.huber").kind
    'delegation'
    """

    student: str
    notebook: str
    cell: str
    severity: str
    kind: str
    detail: str


# --------------------------------------------------------------------------------------------
# the reference: what the instructor released
# --------------------------------------------------------------------------------------------
@dataclass
class _RefCell:
    name: str
    cell_type: str
    locked: bool
    grade: bool
    solution: bool
    task: bool
    points: float | None
    source: str
    checksum: str | None = None

    @property
    def sources(self) -> set[str]:
        """Sources a faithful submission may hold: as stored, and without hidden tests."""
        return {self.source, split_hidden_tests(self.source, placeholder=None)[0]}


@dataclass
class _RefNotebook:
    name: str
    cells: dict[str, _RefCell]
    order: list[str]
    release_sources: set[str] = field(default_factory=set)  # instructor code, as released
    release_by_id: dict[str, str] = field(default_factory=dict)
    graded_names: set[str] = field(default_factory=set)
    protected: dict[str, str] = field(default_factory=dict)  # name -> binding signature
    aliases: dict[str, str] = field(default_factory=dict)  # instructor imports
    libraries: set[str] = field(default_factory=set)  # library modules the solution uses


@dataclass
class _Course:
    root: Path
    assignment: str
    submitted: Path
    autograded: Path
    source: Path
    release: Path
    db_url: str
    ignore: list[str]
    origin: str = "gradebook"
    notebooks: dict[str, _RefNotebook] = field(default_factory=dict)
    course_files: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def _course_settings(course: Path, assignment: str) -> _Course:
    """Directories, gradebook URL and ignore patterns from the course's nbgrader_config.py."""
    settings: dict = {}
    config_file = course / "nbgrader_config.py"
    if config_file.is_file():
        try:
            from traitlets.config.loader import PyFileConfigLoader

            cfg = PyFileConfigLoader(config_file.name, path=str(course)).load_config()
            settings = dict(cfg.get("CourseDirectory", {}))
        except Exception:  # noqa: BLE001 - a broken config falls back to nbgrader's defaults
            settings = {}

    def folder(key: str, default: str) -> Path:
        return course / str(settings.get(key) or default) / assignment

    from course_grader.gradebook_url import course_db_url

    db_url = course_db_url(course) if settings.get("db_url") else \
        f"sqlite:///{(course / 'gradebook.db').resolve()}"
    return _Course(
        root=course, assignment=assignment,
        submitted=course / str(settings.get("submitted_directory") or "submitted"),
        autograded=course / str(settings.get("autograded_directory") or "autograded"),
        source=folder("source_directory", "source"),
        release=folder("release_directory", "release"),
        db_url=db_url,
        ignore=list(settings.get("ignore") or _DEFAULT_IGNORE),
    )


def _read_notebook_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("cells"), list) else None


def _cell_source(cell: Mapping) -> str | None:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _nbgrader_meta(cell: Mapping):
    meta = cell.get("metadata")
    return meta.get("nbgrader") if isinstance(meta, dict) else None


def _reference_from_gradebook(course: _Course) -> dict[str, _RefNotebook]:
    from nbgrader.api import MissingEntry

    notebooks: dict[str, _RefNotebook] = {}
    with readonly_gradebook(course.db_url) as gb:
        try:
            assignment = gb.find_assignment(course.assignment)
        except MissingEntry:
            raise LookupError(f"assignment {course.assignment!r} is not in the gradebook") \
                from None
        for nb in assignment.notebooks:
            grades = {c.name: c for c in nb.grade_cells}
            solutions = {c.name for c in nb.solution_cells}
            tasks = {c.name: c for c in nb.task_cells}
            cells = {}
            for sc in nb.source_cells:
                graded = grades.get(sc.name) or tasks.get(sc.name)
                cells[sc.name] = _RefCell(
                    name=sc.name, cell_type=sc.cell_type, locked=bool(sc.locked),
                    grade=sc.name in grades, solution=sc.name in solutions,
                    task=sc.name in tasks,
                    points=float(graded.max_score) if graded is not None else None,
                    source=sc.source or "", checksum=sc.checksum)
            notebooks[nb.name] = _RefNotebook(nb.name, cells, sorted(cells))
    return notebooks


def _reference_from_source(course: _Course) -> dict[str, _RefNotebook]:
    notebooks: dict[str, _RefNotebook] = {}
    for path in sorted(course.source.glob("*.ipynb")):
        data = _read_notebook_json(path)
        if data is None:
            continue
        cells, order = {}, []
        for cell in data["cells"]:
            meta = _nbgrader_meta(cell)
            if not isinstance(meta, dict) or not meta.get("grade_id"):
                continue
            if not (meta.get("grade") or meta.get("solution") or meta.get("locked")
                    or meta.get("task")):
                continue
            source = _cell_source(cell) or ""
            if meta.get("solution"):
                source = "\n".join(line for line in source.split("\n")
                                   if "### BEGIN SOLUTION" not in line
                                   and "### END SOLUTION" not in line)
            name = meta["grade_id"]
            cells[name] = _RefCell(
                name=name, cell_type=cell.get("cell_type", "code"),
                locked=bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution"))),
                grade=bool(meta.get("grade")), solution=bool(meta.get("solution")),
                task=bool(meta.get("task")),
                points=float(meta.get("points", 0)) if meta.get("grade") or meta.get("task")
                else None,
                source=source)
            order.append(name)
        notebooks[path.stem] = _RefNotebook(path.stem, cells, order)
    return notebooks


def _load_reference(course: _Course) -> None:
    try:
        course.notebooks = _reference_from_gradebook(course)
        course.origin = "gradebook"
    except Exception as exc:  # noqa: BLE001 - fall back to the source notebooks
        course.notebooks = _reference_from_source(course)
        course.origin = f"source notebooks ({exc})"
        if not course.notebooks:
            raise LookupError(f"no reference for {course.assignment!r}: no usable gradebook "
                              f"({exc}) and no notebooks in {course.source}") from exc
    for name, ref in course.notebooks.items():
        source_nb = _read_notebook_json(course.source / f"{name}.ipynb")
        release_nb = _read_notebook_json(course.release / f"{name}.ipynb")
        if source_nb is not None:  # cell order, as in the source notebook
            ids = [(_nbgrader_meta(c) or {}).get("grade_id") for c in source_nb["cells"]
                   if isinstance(_nbgrader_meta(c), dict)]
            ref.order = [i for i in ids if i in ref.cells] + \
                [i for i in ref.order if i not in ids]
        for data in (release_nb or source_nb,):
            if data is None:
                continue
            for cell in data["cells"]:
                src = _cell_source(cell)
                if cell.get("cell_type") != "code" or src is None:
                    continue
                meta = _nbgrader_meta(cell)
                gid = meta.get("grade_id") if isinstance(meta, dict) else None
                if gid and gid in ref.cells and ref.cells[gid].solution:
                    continue
                ref.release_sources.add(src)
                if gid:
                    ref.release_by_id[gid] = src
        if course.origin == "gradebook" and source_nb is not None:
            course.findings.extend(_check_gradebook(ref, source_nb))
        _analyse_reference(ref)
    for folder in (course.source, course.release):
        if folder.is_dir():
            for dirpath, _, files in os.walk(folder):
                for f in files:
                    rel = os.path.relpath(os.path.join(dirpath, f), folder)
                    if not rel.endswith(".ipynb"):
                        course.course_files.add(rel)


def _check_gradebook(ref: _RefNotebook, source_nb: dict) -> list[Finding]:
    """The gradebook's locked cells must equal the source notebook and their own checksums."""
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum

    out = []
    by_id = {}
    for cell in source_nb["cells"]:
        meta = _nbgrader_meta(cell)
        if isinstance(meta, dict) and meta.get("grade_id"):
            by_id[meta["grade_id"]] = _cell_source(cell)
    for name, rc in ref.cells.items():
        if rc.locked and name in by_id and by_id[name] != rc.source:
            out.append(Finding("(course)", ref.name, name, "high", "gradebook-mismatch",
                               "the gradebook's copy differs from the source notebook: "
                               "regenerate the assignment, or the gradebook was altered"))
            continue
        if rc.checksum:
            meta = {"grade": rc.grade, "solution": rc.solution, "locked": rc.locked,
                    "grade_id": name}
            if rc.grade:
                meta["points"] = rc.points
            node = from_dict({"cell_type": rc.cell_type, "source": rc.source,
                              "metadata": {"nbgrader": meta}})
            if compute_checksum(node) != rc.checksum:
                out.append(Finding("(course)", ref.name, name, "high", "gradebook-mismatch",
                                   "the gradebook's checksum does not match its own cell"))
    return out


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree; ``None`` if it does not parse (``RecursionError`` if too deep)."""
    try:
        return ast.parse(_python_source(source))
    except (SyntaxError, ValueError):
        return None
    except MemoryError:
        raise RecursionError("too large to parse") from None


def _python_source(source: str) -> str:
    """The cell as IPython runs it: magics and ``!cmd`` become ``get_ipython()`` calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - without IPython (or on odd input) parse it as is
        return source


def _analyse_reference(ref: _RefNotebook) -> None:
    """Graded names, instructor import aliases and the names the tests rely on."""
    loads: set[str] = set()
    for rc in ref.cells.values():
        try:
            tree = _parse(rc.source) if rc.cell_type == "code" else None
        except RecursionError:
            tree = None
        if tree is None:
            if rc.solution:
                ref.graded_names.update(re.findall(r"^(?:def|class)\s+(\w+)", rc.source, re.M))
            continue
        if rc.solution:
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    ref.graded_names.add(node.name)
        elif rc.grade:
            loads.update(n.id for n in ast.walk(tree)
                         if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        elif rc.locked:
            for name, signature in _module_bindings(tree).items():
                ref.protected[name] = signature
    for src in ref.release_sources | {rc.source for rc in ref.cells.values() if rc.locked}:
        try:
            tree = _parse(src)
        except RecursionError:
            continue
        if tree is not None:
            ref.aliases.update(_import_aliases(tree))
    import builtins

    for rc in ref.cells.values():
        if rc.solution and rc.cell_type == "code":
            try:
                tree = _parse(rc.source)
            except RecursionError:
                continue
            if tree is not None:
                scanner = _Scanner(aliases={**ref.aliases, **_import_aliases(tree)},
                                   graded=(), protected={}, libraries=())
                scanner.visit(tree)
                ref.libraries.update(_library_module(p) for p in scanner.library_uses)
    ref.protected = {n: s for n, s in ref.protected.items() if n in loads}
    for name in loads:
        if name not in ref.protected and hasattr(builtins, name):
            ref.protected[name] = f"builtin:{name}"


def _import_aliases(tree: ast.AST) -> dict[str, str]:
    """Names bound by imports -> the dotted path they stand for."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
            module = _dynamic_import(node.value)  # L = importlib.import_module("x.y")
            if module:
                aliases[node.targets[0].id] = module
    return aliases


def _dynamic_import(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else None
    if name in ("import_module", "__import__") and call.args and \
            isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _module_bindings(tree: ast.Module) -> dict[str, str]:
    """Top-level names a cell binds -> a signature (``import:numpy``, or ``value``)."""
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, path in _import_aliases(node).items():
                out[name] = f"import:{path}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[node.name] = "value"
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    out[sub.id] = "value"
    return out


# --------------------------------------------------------------------------------------------
# the code scanner
# --------------------------------------------------------------------------------------------
_MODULE_KINDS = {
    "builtins": "builtins-patch", "__builtin__": "builtins-patch",
    "IPython": "ipython-internals", "ipykernel": "ipython-internals",
    "jupyter_client": "ipython-internals", "nbclient": "ipython-internals",
    "sqlite3": "gradebook-access", "sqlalchemy": "gradebook-access",
    "nbgrader": "gradebook-access", "dbm": "gradebook-access", "shelve": "gradebook-access",
    "socket": "network", "ssl": "network", "urllib": "network", "urllib3": "network",
    "http": "network", "requests": "network", "httpx": "network", "aiohttp": "network",
    "ftplib": "network", "smtplib": "network", "poplib": "network", "imaplib": "network",
    "telnetlib": "network", "xmlrpc": "network", "websocket": "network",
    "websockets": "network", "paramiko": "network", "socketserver": "network",
    "subprocess": "subprocess", "pty": "subprocess", "multiprocessing": "subprocess",
    "ctypes": "subprocess", "cffi": "subprocess", "pexpect": "subprocess",
    "signal": "process-exit", "atexit": "process-exit", "faulthandler": "process-exit",
    "linecache": "introspection",
    "runpy": "dynamic-code", "marshal": "dynamic-code", "code": "dynamic-code",
    "codeop": "dynamic-code", "threading": "dynamic-code", "_thread": "dynamic-code",
    "concurrent": "dynamic-code", "sched": "dynamic-code",
}
_CALL_KINDS = {
    "os._exit": "process-exit", "os.abort": "process-exit", "os.kill": "process-exit",
    "os.killpg": "process-exit", "sys.exit": "process-exit", "exit": "process-exit",
    "quit": "process-exit",
    "os.system": "subprocess", "os.popen": "subprocess", "os.fork": "subprocess",
    "os.forkpty": "subprocess", "os.posix_spawn": "subprocess", "os.posix_spawnp": "subprocess",
    "os.getenv": "environment-probe", "os.putenv": "environment-probe",
    "os.unsetenv": "environment-probe",
    "sys._getframe": "introspection", "sys.settrace": "introspection",
    "sys.setprofile": "introspection", "sys._current_frames": "introspection",
    "sys.exc_info": "introspection", "sys.exception": "introspection",
    "inspect.currentframe": "introspection", "inspect.stack": "introspection",
    "inspect.trace": "introspection", "inspect.getouterframes": "introspection",
    "inspect.getinnerframes": "introspection", "inspect.getframeinfo": "introspection",
    "gc.get_objects": "introspection", "gc.get_referrers": "introspection",
    "gc.get_referents": "introspection", "threading.settrace": "introspection",
    "traceback.extract_stack": "introspection", "traceback.format_stack": "introspection",
    "traceback.print_stack": "introspection", "traceback.walk_stack": "introspection",
    "exec": "dynamic-code", "eval": "dynamic-code", "compile": "dynamic-code",
    "__import__": "dynamic-code", "globals": "dynamic-code", "vars": "dynamic-code",
    "importlib.import_module": "dynamic-code", "importlib.reload": "dynamic-code",
    "importlib.__import__": "dynamic-code", "types.FunctionType": "dynamic-code",
    "types.CodeType": "dynamic-code", "os.chdir": "file-access",
}
_CALL_PREFIX_KINDS = {"os.exec": "subprocess", "os.spawn": "subprocess",
                      "importlib.util.": "dynamic-code", "importlib.machinery.": "dynamic-code"}
_FILE_CALLS = {
    "open", "io.open", "os.open", "codecs.open", "pathlib.Path", "pathlib.PurePath",
    "pathlib.PosixPath", "pathlib.WindowsPath", "os.listdir", "os.scandir", "os.walk",
    "os.remove", "os.unlink", "os.rename", "os.replace", "os.rmdir", "os.removedirs",
    "os.mkdir", "os.makedirs", "os.chmod", "os.chown", "os.symlink", "os.link",
    "os.truncate", "os.utime", "glob.glob", "glob.iglob", "numpy.load", "numpy.loadtxt",
    "numpy.genfromtxt", "numpy.fromfile", "numpy.save", "numpy.savez",
    "numpy.savez_compressed", "numpy.savetxt", "numpy.memmap", "tarfile.open",
    "zipfile.ZipFile", "os.path.expanduser", "pathlib.Path.home", "pathlib.Path.cwd",
}
_IPYTHON_ATTRS = {
    "events", "input_transformers_post", "input_transformers_cleanup", "ast_transformers",
    "set_custom_exc", "showtraceback", "_showtraceback", "showsyntaxerror", "InteractiveTB",
    "SyntaxTB", "custom_exceptions", "user_ns", "user_global_ns", "run_cell",
    "run_cell_async", "run_code", "run_ast_nodes", "displayhook", "display_pub",
    "register_magic_function", "history_manager", "input_transformer_manager",
    "pre_run_code_hook", "set_hook", "excepthook",
}
_IPYTHON_NAMES = re.compile(r"^(In|Out|_ih|_oh|_dh|_i|_ii|_iii|_i\d+|__IPYTHON__|get_ipython)$")
_INTROSPECTION_ATTRS = {"f_back", "f_locals", "f_globals", "f_builtins", "tb_frame", "tb_next",
                        "gi_frame", "cr_frame", "ag_frame", "__traceback__", "__globals__",
                        "__closure__", "__code__", "__subclasses__", "__mro__", "__bases__",
                        "__defaults__", "__kwdefaults__"}
_OVERRIDES = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__",
              "__float__", "__int__", "__index__", "__complex__", "__abs__", "__array__",
              "__array_ufunc__", "__array_function__", "__array_wrap__", "__array_finalize__",
              "__array_priority__", "__array_interface__", "__instancecheck__",
              "__subclasscheck__", "__round__"}
_NUMERIC_BASES = {"float", "int", "complex", "bool"}
_SAFE_MAGICS = {"time", "timeit", "matplotlib", "pprint", "precision", "who", "whos",
                "autoreload", "capture", "html", "markdown", "latex", "svg", "javascript",
                "js", "prun", "memit", "lprun", "config_inline"}
_MAGIC_KINDS = {"system": "subprocess", "sx": "subprocess", "sc": "subprocess",
                "bash": "subprocess", "sh": "subprocess", "script": "subprocess",
                "perl": "subprocess", "ruby": "subprocess", "python": "subprocess",
                "python2": "subprocess", "python3": "subprocess", "pypy": "subprocess",
                "!": "subprocess", "env": "environment-probe", "set_env": "environment-probe",
                "writefile": "file-access", "save": "file-access", "cd": "file-access",
                "pushd": "file-access", "popd": "file-access", "store": "file-access",
                "logstart": "file-access", "run": "dynamic-code", "load": "dynamic-code",
                "loadpy": "dynamic-code", "load_ext": "dynamic-code", "macro": "dynamic-code"}
_NUMPY = ("numpy", "np")


class _Scanner(ast.NodeVisitor):
    """Collect ``(kind, severity, detail)`` for one cell's code."""

    def __init__(self, *, aliases: Mapping[str, str], graded: Iterable[str],
                 protected: Mapping[str, str], libraries: Iterable[str] | None = None):
        self.aliases = dict(aliases)
        self.graded = set(graded)
        self.protected = dict(protected)
        # None: library use is not judged (not an answer cell); else the allowed modules
        self.libraries = None if libraries is None else set(libraries)
        self.library_uses: list[str] = []
        self.hits: list[tuple[str, str, str]] = []
        self._depth = 0  # > 0 inside a function or class body
        self._globals: set[str] = set()

    # -- helpers -----------------------------------------------------------------------
    def hit(self, kind: str, detail: str, node: ast.AST | None = None,
            severity: str | None = None) -> None:
        line = getattr(node, "lineno", None)
        where = f"line {line}: " if line else ""
        self.hits.append((kind, severity or KINDS[kind][0], where + detail))

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name an expression stands for (``np.testing`` -> ``numpy.testing``)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            func = self.resolve(node.func)
            if func in ("importlib.import_module", "__import__") and node.args \
                    and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                return node.args[0].value
            if func == "get_ipython":
                return "get_ipython()"
            if func in ("builtins.getattr", "getattr") and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant) \
                    and isinstance(node.args[1].value, str):
                base = self.resolve(node.args[0])
                return f"{base}.{node.args[1].value}" if base else None
        return None

    def _is_module_path(self, path: str | None) -> bool:
        """Does ``path`` start at a name bound by an import?"""
        if not path:
            return False
        root = path.split(".")[0]
        return root in {p.split(".")[0] for p in self.aliases.values()} or root in (
            "builtins", "sys", "os", "numpy", "course_utils")

    def _module_kind(self, module: str, node: ast.AST) -> None:
        top = module.split(".")[0]
        kind = _MODULE_KINDS.get(top)
        if kind:
            self.hit(kind, f"imports {module}", node)
        elif top == "importlib" and module != "importlib":
            self.hit("dynamic-code", f"imports {module}", node)

    def _check_delegation(self, path: str | None, node: ast.AST, verb: str) -> None:
        if path and path.startswith("course_utils.") and path.rsplit(".", 1)[-1] in self.graded:
            self.hit("delegation", f"{verb} {path}, the reference of a graded function", node)

    def _check_library(self, path: str | None, node: ast.AST, verb: str) -> None:
        if self.libraries is None or not path or path.split(".")[0] not in LIBRARIES:
            return
        self.library_uses.append(path)
        if _library_module(path) not in self.libraries:
            self.hit("library-answer", f"{verb} {path}: the answer must compute this itself",
                     node)

    def _bind(self, name: str, signature: str, node: ast.AST) -> None:
        if (self._depth == 0 or name in self._globals) and name in self.protected \
                and self.protected[name] != signature:
            what = self.protected[name]
            what = "a builtin" if what.startswith("builtin:") else \
                what.replace("import:", "") if what.startswith("import:") else "setup code"
            self.hit("shadowing", f"rebinds `{name}` (from {what}), which the tests use", node)

    # -- imports -----------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self._module_kind(a.name, node)
            if a.asname:
                self._bind(a.asname, f"import:{a.name}", node)
            else:
                top = a.name.split(".")[0]
                self._bind(top, f"import:{top}", node)
            self._check_delegation(a.name, node, "imports")
            self._check_library(a.name, node, "imports")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            self.hit("dynamic-code", f"relative import from {'.' * node.level}{module}", node)
            return
        self._module_kind(module, node)
        for a in node.names:
            full = f"{module}.{a.name}"
            if a.name == "*":
                brought = self.graded & _defined_names(module) \
                    if module.split(".")[0] == "course_utils" else set()
                if brought:
                    self.hit("delegation", f"`from {module} import *` brings in "
                                           f"{', '.join(sorted(brought))}", node)
                elif module.split(".")[0] in ("builtins", "os", "sys"):
                    self.hit("dynamic-code", f"`from {module} import *`", node)
                continue
            self._check_delegation(full, node, "imports")
            self._check_library(full, node, "imports")
            if (module, a.name) in (("os", "environ"), ("os", "getenv")):
                self.hit("environment-probe", f"imports {full}", node)
            self._bind(a.asname or a.name, f"import:{full}", node)
            self._check_call_path(full, node, imported=True)

    # -- scopes ------------------------------------------------------------------------
    def _scoped(self, node: ast.AST) -> None:
        self._depth += 1
        saved = self._globals
        self._globals = set()
        self.generic_visit(node)
        self._globals = saved
        self._depth -= 1

    def visit_FunctionDef(self, node) -> None:
        self._bind(node.name, "value", node)
        for deco in node.decorator_list:
            self.visit(deco)
        self._depth += 1
        saved = self._globals
        self._globals = set()
        for sub in node.body:
            self.visit(sub)
        self.visit(node.args)
        self._globals = saved
        self._depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_Global(self, node: ast.Global) -> None:
        self._globals.update(node.names)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name, "value", node)
        for base in node.bases:
            path = self.resolve(base) or ""
            if path.split(".")[0] in _NUMPY or path in _NUMERIC_BASES:
                self.hit("operator-override", f"class {node.name} subclasses {path}", node)
        for kw in node.keywords:
            if kw.arg == "metaclass":
                self.hit("operator-override", f"class {node.name} sets a metaclass", node)
        for item in node.body:
            names = []
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [item.name]
            elif isinstance(item, ast.Assign):
                names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            for name in names:
                if name in _OVERRIDES:
                    self.hit("operator-override", f"class {node.name} defines {name}", item)
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    # -- names and attributes ----------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if _IPYTHON_NAMES.match(node.id) and node.id != "get_ipython":
                self.hit("ipython-internals", f"reads `{node.id}` (IPython's history)", node)
            elif node.id == "__builtins__":
                self.hit("builtins-patch", "uses __builtins__", node)
        elif isinstance(node.ctx, ast.Store):
            self._bind(node.id, "value", node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        path = self.resolve(node)
        if node.attr in _INTROSPECTION_ATTRS:
            self.hit("introspection", f"uses .{node.attr}", node)
        elif node.attr in _IPYTHON_ATTRS and path and (
                path.startswith("get_ipython()") or not self._is_module_path(path)):
            self.hit("ipython-internals", f"uses .{node.attr} of the IPython shell", node)
        elif node.attr == "__class__" and isinstance(node.ctx, ast.Store):
            self.hit("operator-override", "assigns __class__", node)
        if path:
            if path.startswith(("os.environ", "os.environb")):
                self.hit("environment-probe", f"uses {path}", node)
            elif path.startswith("sys.modules"):
                self.hit("dynamic-code", "uses sys.modules", node)
            self._check_delegation(path, node, "uses")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            base = self.resolve(node.value)
            if base and (base == "builtins" or base.startswith("builtins.")
                         or base == "__builtins__"):
                self.hit("builtins-patch", f"assigns {base}.{node.attr}", node)
            elif self._is_module_path(base):
                self.hit("monkeypatch", f"assigns {base}.{node.attr}", node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Store):
            base = self.resolve(node.value) or ""
            if base.endswith("__dict__") and self._is_module_path(base):
                self.hit("monkeypatch", f"assigns into {base}", node)
            elif base == "__builtins__" or base.startswith("builtins."):
                self.hit("builtins-patch", f"assigns into {base}", node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            text = node.value
            if "NBGRADER" in text.upper():
                self.hit("environment-probe", "mentions NBGRADER (is it being graded?)", node,
                         severity="high")
            if re.search(r"gradebook|\.db\b|\.sqlite3?\b", text, re.I):
                self.hit("gradebook-access", f"mentions {text[:60]!r}", node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = self.resolve(exc) if exc is not None else None
        if name in ("SystemExit", "KeyboardInterrupt", "builtins.SystemExit"):
            self.hit("process-exit", f"raises {name}", node)
        self.generic_visit(node)

    # -- calls -------------------------------------------------------------------------
    def _check_call_path(self, path: str, node: ast.AST, *, imported: bool = False) -> None:
        kind = _CALL_KINDS.get(path)
        if kind is None:
            kind = next((k for prefix, k in _CALL_PREFIX_KINDS.items()
                         if path.startswith(prefix)), None)
        if kind is not None:
            self.hit(kind, f"{'imports' if imported else 'calls'} {path}", node)
        top = path.split(".")[0]
        if not imported and _MODULE_KINDS.get(top) in ("subprocess", "process-exit",
                                                         "network", "gradebook-access"):
            self.hit(_MODULE_KINDS[top], f"calls {path}", node)

    def visit_Call(self, node: ast.Call) -> None:
        path = self.resolve(node.func)
        if isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
            pass  # judged by how the shell is used, in _ipython_call
        elif path:
            if path.startswith("get_ipython()."):
                self._ipython_call(path.split(".", 1)[1], node)
            else:
                self._check_call_path(path, node)
                self._check_delegation(path, node, "calls")
                self._check_library(path, node, "calls")
                if path in _FILE_CALLS or path.startswith("shutil.") or \
                        path.startswith("pandas.read_"):
                    self._file_call(path, node)
                if path in ("setattr", "delattr", "builtins.setattr") and node.args:
                    base = self.resolve(node.args[0]) or ""
                    if base == "builtins" or base == "__builtins__":
                        self.hit("builtins-patch", f"{path} on {base}", node)
                    elif self._is_module_path(base):
                        self.hit("monkeypatch", f"{path} on {base}", node)
                if path in ("type", "builtins.type") and len(node.args) == 3:
                    self.hit("operator-override", "creates a class with type(...)", node)
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        # a bare `get_ipython()` (not `get_ipython().run_line_magic(...)`) is the shell itself
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and \
                    child.func.id == "get_ipython" and not (
                        isinstance(node, ast.Attribute) and node.value is child):
                self.hit("ipython-internals", "takes the IPython shell (get_ipython())", child)
        super().generic_visit(node)

    def _ipython_call(self, method: str, node: ast.Call) -> None:
        arg0 = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) \
            else None
        if method in ("system", "getoutput"):
            self.hit("subprocess", f"runs a shell command (!{arg0 or '...'})", node)
        elif method in ("run_line_magic", "run_cell_magic") and isinstance(arg0, str):
            if arg0 in _SAFE_MAGICS:
                return
            kind = _MAGIC_KINDS.get(arg0, "ipython-internals")
            self.hit(kind, f"uses the magic %{arg0}", node,
                     severity=None if kind != "ipython-internals" else "medium")
        else:
            self.hit("ipython-internals", f"calls get_ipython().{method}", node)

    def _file_call(self, path: str, node: ast.Call) -> None:
        if path in ("os.path.expanduser", "pathlib.Path.home"):
            self.hit("file-access", f"{path}: the home folder", node)
            return
        if path == "os.chdir":
            return  # already reported by _CALL_KINDS
        arg = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg in ("file", "fname", "path", "filename",
                                                         "name", "filepath_or_buffer")), None)
        if arg is None:
            return  # no path: the current folder (os.listdir(), Path())
        literal = _literal_str(arg)
        if literal is None:
            self.hit("file-access", f"{path} of a path computed at run time", node,
                     severity="low")
        elif _outside(literal):
            self.hit("file-access", f"{path}({literal[:80]!r}) outside the notebook folder",
                     node)


def _literal_str(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)
    return None


def _outside(path: str) -> bool:
    """Does a literal path leave the notebook's folder?"""
    p = path.replace("\\", "/")
    return p.startswith(("/", "~")) or bool(re.match(r"^[A-Za-z]:", p)) or \
        ".." in p.split("/") or p.startswith("file:")


_DEFINED_CACHE: dict[str, set[str]] = {}


def _defined_names(module: str) -> set[str]:
    """Top-level names a ``course_utils`` module defines (read with ast, never imported)."""
    if module not in _DEFINED_CACHE:
        names: set[str] = set()
        root = Path(__file__).resolve().parents[1] / "course_utils"  # the package students import
        rel = Path(*module.split(".")[1:])
        for path in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
            try:
                tree = ast.parse(path.read_text())
            except (OSError, SyntaxError, ValueError):
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.ImportFrom):
                    names.update(a.asname or a.name for a in node.names)
        _DEFINED_CACHE[module] = names
    return _DEFINED_CACHE[module]


def _library_module(path: str) -> str:
    """The module a library path is judged by: ``keras.losses.Huber`` -> ``keras.losses``,
    ``tensorflow.keras.losses.Huber`` -> ``tensorflow.keras.losses``."""
    parts = path.split(".")
    depth = 3 if parts[:2] == ["tensorflow", "keras"] else 2
    return ".".join(parts[:depth])


def scan_code(source: str, *, graded_names: Iterable[str] = (),
              aliases: Mapping[str, str] | None = None,
              protected: Mapping[str, str] | None = None,
              libraries: Iterable[str] | None = None) -> list[tuple[str, str, str]] | None:
    """Scan one cell's code; return ``(kind, severity, detail)`` per finding, or ``None``.

    ``None`` means the code (after IPython's transformation of magics) does not parse;
    ``RecursionError`` is raised for code nested too deeply to analyse.
    ``graded_names`` are the functions the notebook asks for (delegation), ``aliases`` the
    imports made elsewhere in the notebook (``{"np": "numpy"}``), ``protected`` the names the
    tests use, mapped to how the instructor's code binds them (``{"np": "import:numpy"}``).
    ``libraries`` judges the code as an answer cell: scikit-learn, Keras, TensorFlow, SciPy,
    PyTorch and JAX are ``library-answer`` findings except the modules listed (those the
    reference solution uses, e.g. ``{"keras.layers"}``); ``None`` (the default) does not judge
    library use.

    Examples
    --------
    >>> scan_code("get_ipython().events.register('pre_run_cell', print)")[0][:2]
    ('ipython-internals', 'high')
    >>> scan_code("from course_utils import losses as L\\nL.huber(y, p)",
    ...           graded_names={"huber"})[0][::2]
    ('delegation', 'line 2: calls course_utils.losses.huber, the reference of a graded function')
    >>> scan_code("def f(x):\\n    return np.clip(x, 0, 1)", aliases={"np": "numpy"})
    []
    >>> scan_code("def huber(y, p):\\n    return tf.keras.losses.Huber()(y, p)",
    ...           aliases={"tf": "tensorflow"}, libraries=())[0][0]
    'library-answer'
    """
    tree = _parse(source)
    if tree is None:
        return None
    all_aliases = dict(aliases or {})
    all_aliases.update(_import_aliases(tree))
    scanner = _Scanner(aliases=all_aliases, graded=graded_names, protected=protected or {},
                       libraries=libraries)
    scanner.visit(tree)
    return scanner.hits


# --------------------------------------------------------------------------------------------
# submissions
# --------------------------------------------------------------------------------------------
def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (student, notebook, cell, kind): the worst severity, details joined."""
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[(f.student, f.notebook, f.cell, f.kind)].append(f)
    merged = []
    for (student, notebook, cell, kind), group in groups.items():
        severity = min((f.severity for f in group), key=_RANK.__getitem__)
        details = list(dict.fromkeys(f.detail for f in group))
        detail = "; ".join(details[:5]) + (f"; +{len(details) - 5} more" if len(details) > 5
                                           else "")
        merged.append(Finding(student, notebook, cell, severity, kind, detail))
    return merged


def _is_ignored(rel: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pat) for part in Path(rel).parts for pat in patterns)


def _code_file_severity(rel: str) -> str | None:
    name = Path(rel).name
    if name.endswith((".py", ".so", ".pyd", ".pth", ".egg-link")) or name in (
            "ipython_config.json", ".pythonrc"):
        return "high"
    if name.endswith((".db", ".sqlite", ".sqlite3")):
        return "high"
    return None


def _scan_files(student: str, folder: Path, course: _Course,
                max_bytes: int) -> tuple[list[Finding], dict[str, Path]]:
    """File-level findings, and the submitted notebooks of the assignment to read."""
    findings: list[Finding] = []
    notebooks: dict[str, Path] = {}
    unknown_notebooks = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if _is_ignored(rel, course.ignore):
                if name in dirnames:
                    dirnames.remove(name)
                continue
            try:
                st = os.lstat(path)
            except OSError as exc:
                findings.append(Finding(student, rel, "", "high", "unsafe-file",
                                        f"cannot be read: {exc.strerror}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(path)
                findings.append(Finding(student, rel, "", "high", "unsafe-file",
                                        f"symbolic link to {target[:120]!r} (nbgrader copies "
                                        "what it points to)"))
                continue
            if stat.S_ISDIR(st.st_mode):
                continue
            if not stat.S_ISREG(st.st_mode):
                findings.append(Finding(student, rel, "", "high", "unsafe-file",
                                        "not a regular file (FIFO, socket or device)"))
                continue
            if rel == "timestamp.txt":
                findings.extend(_check_timestamp(student, path))
            elif rel.endswith(".ipynb") and "/" not in rel and rel[:-6] in course.notebooks:
                if st.st_size > max_bytes:
                    findings.append(Finding(student, rel[:-6], "", "medium", "oversized",
                                            f"{st.st_size} bytes: not scanned"))
                else:
                    notebooks[rel[:-6]] = path
            elif rel in course.course_files:
                continue  # a copy of a course file (nbgrader overwrites source files)
            elif rel.endswith(".ipynb"):
                unknown_notebooks.append(rel)
                findings.append(Finding(student, rel, "", "medium", "extra-file",
                                        "a notebook that is not part of the assignment "
                                        "(nbgrader does not grade it)"))
            else:
                severity = _code_file_severity(rel)
                reason = ("code next to the notebook: the grading kernel runs in this folder "
                          "and may import it" if severity and not rel.endswith(".db") else
                          "a file that is not part of the assignment")
                if rel.endswith((".db", ".sqlite", ".sqlite3")):
                    reason = "a database file next to the notebook"
                findings.append(Finding(student, rel, "", severity or "low", "extra-file",
                                        f"{reason} ({st.st_size} bytes)"))
    for name in course.notebooks:
        present = name in notebooks or any(f.notebook == name and f.kind == "oversized"
                                           for f in findings)
        if not present:
            hint = f"; unrecognised notebooks: {', '.join(unknown_notebooks)}" \
                if unknown_notebooks else ""
            findings.append(Finding(student, name, "", "medium", "missing-notebook",
                                    f"{name}.ipynb was not submitted (scores 0){hint}"))
    return findings, notebooks


def _check_timestamp(student: str, path: Path) -> list[Finding]:
    from nbgrader.utils import parse_utc

    try:
        text = path.read_text(encoding="utf-8", errors="strict")[:200].strip()
        if text:
            parse_utc(text)
    except Exception as exc:  # noqa: BLE001 - any failure makes nbgrader fail the submission
        return [Finding(student, "timestamp.txt", "", "medium", "invalid-timestamp",
                        f"nbgrader cannot parse it ({type(exc).__name__})")]
    return []


@dataclass
class _Cell:
    index: int
    cell_type: str
    source: str
    meta: object  # the "nbgrader" metadata as found (may be anything)

    @property
    def grade_id(self) -> str | None:
        if isinstance(self.meta, dict) and isinstance(self.meta.get("grade_id"), str) \
                and self.meta["grade_id"]:
            return self.meta["grade_id"]
        return None

    @property
    def label(self) -> str:
        return self.grade_id or f"cell {self.index + 1}"


def _scan_notebook(student: str, name: str, path: Path, ref: _RefNotebook) -> list[Finding]:
    out: list[Finding] = []

    def add(cell: str, kind: str, detail: str, severity: str | None = None) -> None:
        out.append(Finding(student, name, cell, severity or KINDS[kind][0], kind, detail))

    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        add("", "invalid-json", f"{type(exc).__name__}: {str(exc)[:120]}")
        return out
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        add("", "invalid-notebook", "no list of cells (not a notebook)")
        return out
    if data.get("nbformat") != 4:
        add("", "invalid-notebook", f"nbformat {data.get('nbformat')!r}, expected 4")
        return out
    cells: list[_Cell] = []
    for i, raw_cell in enumerate(data["cells"]):
        if not isinstance(raw_cell, dict):
            add(f"cell {i + 1}", "invalid-notebook", "a cell that is not a JSON object")
            continue
        source = _cell_source(raw_cell)
        cell_type = raw_cell.get("cell_type")
        if source is None or cell_type not in ("code", "markdown", "raw"):
            add(f"cell {i + 1}", "invalid-notebook",
                f"cell_type {cell_type!r} / source of type {type(raw_cell.get('source')).__name__}")
            continue
        meta = raw_cell.get("metadata", {})
        if not isinstance(meta, dict):
            add(f"cell {i + 1}", "invalid-notebook", "cell metadata is not a JSON object")
            meta = {}
        cells.append(_Cell(i, cell_type, source, meta.get("nbgrader")))

    # -- nbgrader metadata ---------------------------------------------------------------
    by_id: dict[str, list[_Cell]] = defaultdict(list)
    for cell in cells:
        meta = cell.meta
        if meta is None:
            continue
        if not isinstance(meta, dict):
            add(cell.label, "cell-metadata-invalid", "nbgrader metadata is not a JSON object")
            continue
        if not meta:
            add(cell.label, "cell-metadata-invalid",
                "empty nbgrader metadata {} (makes `nbgrader autograde` stop for everybody)")
            continue
        gid = cell.grade_id
        if gid is None:
            if any(meta.get(k) for k in ("grade", "solution", "locked", "task")):
                add(cell.label, "cell-metadata-invalid", "nbgrader flags without a grade_id")
            continue
        if not re.fullmatch(r"[a-zA-Z0-9_\-]+", gid):
            add(cell.label, "cell-metadata-invalid", f"grade_id {gid[:40]!r} is not valid")
        by_id[gid].append(cell)
    for gid, group in by_id.items():
        if len(group) > 1:
            add(gid, "grade-id-duplicated",
                f"on {len(group)} cells ({', '.join(str(c.index + 1) for c in group)}): "
                "nbgrader keeps the last and the batch may stop")
        if gid not in ref.cells:
            add(gid, "grade-id-unknown", f"cell {group[-1].index + 1}: not in the gradebook "
                                         "(renamed or invented)")
    for gid in ref.order:
        if gid in by_id:
            continue
        rc = ref.cells[gid]
        candidates = rc.sources | ({ref.release_by_id[gid]} if gid in ref.release_by_id
                                   else set())
        defines = set(re.findall(r"^(?:def|class)\s+(\w+)", rc.source, re.M)) \
            if rc.solution else set()
        twin = next((c for c in cells if c.grade_id not in ref.cells and (
            c.source in candidates
            or defines & set(re.findall(r"^(?:def|class)\s+(\w+)", c.source, re.M)))), None)
        how = (f"cell {twin.index + 1} has its source but not its nbgrader metadata "
               "(removed or renamed)") if twin else "the cell was deleted"
        add(gid, "grade-id-removed", how, "high" if rc.locked else "medium")
    for gid, group in by_id.items():
        rc = ref.cells.get(gid)
        if rc is None:
            continue
        cell = group[-1]
        meta = cell.meta
        changes = []
        for key in ("grade", "solution", "locked", "task"):
            got = bool(meta.get(key, False))
            if got != getattr(rc, key):
                changes.append(f"{key} {getattr(rc, key)} -> {got}")
        if rc.grade or rc.task:
            try:
                points = float(meta.get("points"))
            except (TypeError, ValueError):
                points = None
            if points != rc.points:
                changes.append(f"points {rc.points} -> {meta.get('points')!r}")
        if meta.get("schema_version", 3) != 3:
            changes.append(f"schema_version 3 -> {meta.get('schema_version')!r}")
        if changes:
            add(gid, "flag-changed", "; ".join(changes))
        if cell.cell_type != rc.cell_type:
            add(gid, "cell-type-changed", f"{rc.cell_type} -> {cell.cell_type}")
        if rc.locked:
            accepted = rc.sources | ({ref.release_by_id[gid]} if gid in ref.release_by_id
                                     else set())
            if cell.source not in accepted:
                add(gid, "locked-cell-edited", _diff_summary(
                    split_hidden_tests(rc.source, placeholder=None)[0], cell.source))

    # -- code the student wrote ----------------------------------------------------------
    trusted = set(ref.release_sources)
    for rc in ref.cells.values():
        if rc.locked:
            trusted |= rc.sources
    to_scan = []
    for cell in cells:
        rc = ref.cells.get(cell.grade_id or "")
        runs_as_code = cell.cell_type == "code" or (rc is not None and rc.cell_type == "code")
        if not runs_as_code:
            continue
        if rc is not None and rc.solution:
            to_scan.append(cell)  # an answer cell: always the student's code
        elif cell.source not in trusted:
            to_scan.append(cell)
    aliases = dict(ref.aliases)
    trees = {}
    for cell in to_scan:
        try:
            tree = _parse(cell.source)
        except RecursionError:
            tree = "too deep"
        trees[cell.index] = tree
        if isinstance(tree, ast.AST):
            aliases.update(_import_aliases(tree))
    for cell in to_scan:
        if trees[cell.index] == "too deep":
            add(cell.label, "unparsable-cell", "nested too deeply to scan", "medium")
            continue
        if trees[cell.index] is None:
            add(cell.label, "unparsable-cell", "does not parse as Python, so it was not "
                                               "scanned (nbgrader will run it and fail)")
            continue
        try:
            rc = ref.cells.get(cell.grade_id or "")
            answer = rc is not None and rc.solution and rc.cell_type == "code"
            hits = scan_code(cell.source, graded_names=ref.graded_names, aliases=aliases,
                             protected=ref.protected,
                             libraries=ref.libraries if answer else None) or []
        except RecursionError:
            add(cell.label, "unparsable-cell", "nested too deeply to scan", "medium")
            continue
        for kind, severity, detail in hits:
            add(cell.label, kind, detail, severity)
    return out


def _diff_summary(expected: str, got: str) -> str:
    a, b = expected.split("\n"), got.split("\n")
    changed = [i for i in range(max(len(a), len(b)))
               if (a[i] if i < len(a) else None) != (b[i] if i < len(b) else None)]
    first = changed[0] if changed else 0
    shown = (b[first] if first < len(b) else "<removed>").strip()[:80]
    return (f"{len(changed)} line(s) differ from the gradebook copy, first at line {first + 1}: "
            f"{shown!r} (nbgrader restores it before grading)")


def scan_course(course: str | os.PathLike = ".", assignment: str = "lecture02", *,
                max_notebook_bytes: int = _MAX_NOTEBOOK_BYTES) -> list[Finding]:
    """Scan every submission of ``assignment`` in the course folder ``course``.

    Returns the findings sorted by student, notebook, cell and kind; course-level problems
    (the gradebook disagrees with the source notebooks) have ``student="(course)"``.
    Problems of a submission never raise: they are findings. Raises ``LookupError`` only
    when there is nothing to compare with (no readable gradebook and no source notebooks).
    Nothing is written anywhere.
    """
    root = Path(course).resolve()
    info = _course_settings(root, assignment)
    _load_reference(info)
    findings = list(info.findings)
    if info.submitted.is_dir():
        for student_dir in sorted(info.submitted.iterdir()):
            student = student_dir.name
            try:
                if student_dir.is_symlink():
                    findings.append(Finding(student, "", "", "high", "unsafe-file",
                                            "the student folder is a symbolic link"))
                    continue
                folder = student_dir / assignment
                if folder.is_symlink():
                    findings.append(Finding(student, "", "", "high", "unsafe-file",
                                            "the assignment folder is a symbolic link"))
                    continue
                if not folder.is_dir():
                    continue
                file_findings, notebooks = _scan_files(student, folder, info,
                                                       max_notebook_bytes)
                findings.extend(file_findings)
                for name, path in sorted(notebooks.items()):
                    try:
                        findings.extend(_scan_notebook(student, name, path,
                                                       info.notebooks[name]))
                    except Exception as exc:  # noqa: BLE001 - report, never raise
                        findings.append(Finding(student, name, "", "high", "scan-error",
                                                f"{type(exc).__name__}: {str(exc)[:160]}"))
            except Exception as exc:  # noqa: BLE001 - report, never raise
                findings.append(Finding(student, "", "", "high", "scan-error",
                                        f"{type(exc).__name__}: {str(exc)[:160]}"))
    findings.extend(_recheck_findings(info))
    return sorted(_merge(findings))


def _recheck_findings(info: _Course) -> list[Finding]:
    """Graded cells whose notebook run passed but whose trusted re-check failed, cells that
    timed out and cells that never ran, read from the autograded notebooks (nothing to report
    before ``nbgrader autograde`` has run)."""
    out: list[Finding] = []
    if not info.autograded.is_dir():
        return out
    for path in sorted(info.autograded.glob(f"*/{info.assignment}/*.ipynb")):
        student = path.parent.parent.name
        nb = _read_notebook_json(path)
        if nb is None:
            continue
        for number, cell in enumerate(nb.get("cells", []), start=1):
            for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
                if not isinstance(output, dict):
                    continue
                ename = output.get("ename")
                label = str((_nbgrader_meta(cell) or {}).get("grade_id", "")
                            or f"cell {number}")
                if ename == "RecheckFailed":
                    detail = str(output.get("evalue", "")).split(": ", 1)[-1]
                    out.append(Finding(student, path.stem, label, "high", "recheck-failed",
                                       " ".join(detail.split())[:200]))
                elif ename in _TIMEOUT_ERRORS or ename in _NOT_RUN_ERRORS:
                    kind = "timeout" if ename in _TIMEOUT_ERRORS else "not-run"
                    detail = f"{ename}: {' '.join(str(output.get('evalue', '')).split())}"
                    out.append(Finding(student, path.stem, label, KINDS[kind][0], kind,
                                       detail.strip()[:200]))
    return out


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------
def write_csv(findings: Iterable[Finding], out: str | os.PathLike | io.TextIOBase) -> None:
    """Write the findings as CSV with a header row (``student, notebook, cell, ...``)."""
    columns = [f.name for f in fields(Finding)]
    if isinstance(out, io.TextIOBase):
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(astuple(f) for f in findings)
        return
    with open(out, "w", newline="", encoding="utf-8") as fh:
        write_csv(findings, fh)


def format_summary(findings: list[Finding], students: Iterable[str], *,
                   header: str = "") -> str:
    """A readable summary: per student, counts by severity, then each finding."""
    by_student: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_student[f.student].append(f)
    students = sorted(set(students) | set(by_student))
    flagged = [s for s in students if by_student.get(s)]
    lines = [header] if header else []
    totals = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    lines.append(f"{len(students)} submission(s), {len(flagged)} with findings "
                 f"({', '.join(f'{n} {s}' for s, n in totals.items())}).")
    for student in students:
        group = by_student.get(student, [])
        if not group:
            lines.append(f"\n{student}: no findings")
            continue
        counts = ", ".join(f"{n} {s}" for s in SEVERITIES
                           if (n := sum(f.severity == s for f in group)))
        lines.append(f"\n{student}: {counts}")
        for f in sorted(group, key=lambda f: (f.notebook, _RANK[f.severity], f.cell, f.kind)):
            where = "/".join(x for x in (f.notebook, f.cell) if x) or "(submission)"
            lines.append(f"  [{f.severity}] {where}: {f.kind}: {f.detail}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_grader.integrity",
        description="Report broken, tampered or suspicious submissions. Read-only: it "
                    "never changes a grade or a submission.")
    parser.add_argument("--course", default=".", help="the course folder (nbgrader_config.py)")
    parser.add_argument("--assignment", default="lecture02")
    parser.add_argument("--out", default=None,
                        help="CSV file to write (default: <course>/integrity_report.csv)")
    parser.add_argument("--fail-on", choices=[*SEVERITIES, "never"], default="never",
                        help="exit 1 if any finding is at least this severe (for CI)")
    args = parser.parse_args(argv)
    course = Path(args.course).resolve()
    out = Path(args.out) if args.out else course / "integrity_report.csv"
    info = _course_settings(course, args.assignment)
    submitted = info.submitted.resolve()
    if out.resolve() == submitted or submitted in out.resolve().parents:
        print(f"error: refusing to write {out} inside {submitted}", file=sys.stderr)
        return 2
    try:
        findings = scan_course(course, args.assignment)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_csv(findings, out)
    students = [p.name for p in submitted.iterdir()
                if (p / args.assignment).is_dir()] if submitted.is_dir() else []
    print(format_summary(findings, students,
                         header=f"Integrity report for {args.assignment} in {course}\n"
                                f"CSV: {out}"))
    if args.fail_on != "never" and any(_RANK[f.severity] <= _RANK[args.fail_on]
                                       for f in findings):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
