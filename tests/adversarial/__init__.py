"""An adversarial corpus: crafted submissions of the course's own notebooks, with the score each
one must get.

Every :class:`Attack` is one student who submits one notebook. Its expected score is never
guessed:

* an **in-kernel trick** (input rewriting, patched builtins or numpy or test helpers, results
  that compare equal to anything, silenced tracebacks, a patched kernel, detection of the
  grader) is added to a *known mistake* of :mod:`tests.mistakes` (``base``): the same answers
  plus the trick. A trick must never earn more than the submission without it, so the attack
  must lose exactly the cells its mistake loses;
* **file-level tampering** is applied on top of a known mistake too (damaged metadata must not
  hide the failing test), or on the correct solution;
* **resource and snooping attacks** add cells to the *correct* solution: they must cost
  nothing but the cell that runs them (which is not graded), so the expected score is full
  marks. Where an attack legitimately costs more, ``loses`` and ``why`` say which and why.

The catalogue itself is :mod:`tests.adversarial.catalogue`; the tricks and probes it uses are in
:mod:`tests.adversarial.tricks` and :mod:`tests.adversarial.probes`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from course_grader import pipeline
from course_grader.pipeline import Mistake
from tests.adversarial.probes import PEER
from tests.mistakes import all_mistakes

__all__ = [
    "Attack",
    "EVERY_NOTEBOOK_KINDS",
    "KINDS",
    "NOTEBOOK_SECONDS",
    "PEER",
    "PEER_NOTEBOOK",
    "Secrets",
    "TELLTALES",
    "all_attacks",
    "mistake",
    "plant_secrets",
    "submit_peer",
]

#: Every kind of attack the corpus must contain (``Attack.kinds`` uses these tags only).
KINDS = {
    # in-kernel tricks (guarantee 3)
    "input-rewriting": "IPython input transformers turn test cells into something harmless",
    "assert-stripping": "an AST transformer removes assert and raise",
    "event-hook": "a pre_run_cell / post_run_cell hook acts around each test cell",
    "patched-builtins": "builtins (type, isinstance, abs, AssertionError) replaced",
    "patched-numpy": "numpy comparison helpers or ufuncs replaced",
    "patched-test-helpers": "assert_close, numerical_gradient or the reference module patched",
    "always-equal": "a result object that compares equal to anything",
    "ndarray-subclass": "an ndarray subclass with overridden comparisons and ufuncs",
    "silenced-traceback": "showtraceback / _showtraceback / excepthook replaced",
    "custom-exception-handler": "set_custom_exc swallows every exception",
    "patched-kernel": "run_cell or the kernel's do_execute skips test cells",
    "fake-result-output": "a test cell shows a result (nbgrader reads it as partial credit)",
    "delegates-to-reference": "an answer calls the course's reference implementation",
    "lying-model": "a Keras model whose call computes something else than its layers say",
    "config-with-code": "a Keras model whose config needs code outside Keras (Lambda, a module)",
    "detects-grading": "the trick is active only when NBGRADER_EXECUTION is set",
    # file-level tampering
    "duplicated-test-cell": "a copy of a test cell, metadata and all",
    "edited-schema-version": "schema_version of a cell changed",
    "renamed-grade-id": "grade_id of a test cell renamed",
    "flipped-flags": "grade / solution / locked flags or points changed",
    "changed-cell-type": "a test cell turned into markdown",
    "deleted-test-cell": "a test cell (or the setup cell) deleted",
    "replaced-test-source": "a test cell's source replaced with pass",
    "invalid-json": "the notebook file is not JSON",
    "missing-notebook": "the submission holds no notebook",
    "extra-files": "files next to the notebook, some shadowing course modules",
    # the grader's resources and secrets
    "infinite-loop": "a cell that never ends, interrupted by SIGINT",
    "sigint-ignored": "a cell that never ends and handles SIGINT to keep going",
    "os-exit": "os._exit kills the kernel",
    "system-exit": "raise SystemExit / sys.exit",
    "memory-bomb": "memory allocated until a limit stops it",
    "output-flood": "tens of megabytes of output",
    "fork-bomb": "processes forked until a limit stops it",
    "reads-gradebook": "read or write the gradebook and the files next to it",
    "reads-solutions": "read the instructor's notebooks and files",
    "reads-peer": "read another student's submission or kernel",
    "network": "connections to the grading host and the internet",
}

#: Tricks applied to every notebook of ``solutions/`` (at least one attack each).
EVERY_NOTEBOOK_KINDS = ("input-rewriting", "patched-test-helpers", "silenced-traceback")

#: Rough grading seconds per notebook on the 2-core CI machine (kernel start included).
NOTEBOOK_SECONDS = {
    "00_start_here": 8.0,
    "01_loss_functions": 9.0,
    "02_moving_average": 4.0,
    "03_optimizers": 16.0,
    "04_overfitting": 24.0,
    "05_regularization": 16.0,
    "06_batch_normalization": 20.0,
    "07_metrics": 8.0,
    "08_keras_functional_api": 30.0,
    "09_saving_models": 30.0,
    "10_callbacks": 25.0,
}
CELL_TIMEOUT_SECONDS = 45.0  # the batch's Execute.timeout (30 s) plus interrupting or killing the
#                              kernel

#: Text that must never appear in the outputs of a snooping attack (a gradebook's first bytes,
#: an instructor notebook's solution markers).
TELLTALES = ("SQLite format 3", "BEGIN SOLUTION")


def notebook_test_cells(notebook: str) -> dict[str, float]:
    """grade_id -> points of every test cell of ``notebook`` (the instructor version)."""
    path = pipeline.REPO_ROOT / "solutions" / pipeline.ASSIGNMENT / f"{notebook}.ipynb"
    return pipeline.graded_cells(nbformat.read(path, as_version=4))


def mistake(student: str) -> Mistake:
    """The known mistake of :mod:`tests.mistakes` graded under ``student``."""
    found = {m.student: m for m in all_mistakes()}
    if student not in found:
        raise KeyError(f"no known mistake {student!r}")
    return found[student]


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    """Position of the cell with ``grade_id`` in ``nb``."""
    for i, cell in enumerate(nb.cells):
        if _grade_id(cell) == grade_id:
            return i
    raise KeyError(f"no cell with grade_id {grade_id!r}")


@dataclass(frozen=True)
class Attack:
    """One crafted single-notebook submission and the outcome it must get.

    Attributes
    ----------
    student, notebook : str
        Who submits, and which notebook (name without ``.ipynb``).
    kinds : frozenset of str
        Tags from :data:`KINDS`.
    summary : str
        What the submission tries, in one line.
    base : str, optional
        Student id of the known mistake this submission starts from (its answers); without
        it the submission starts from the correct solution.
    trick : str
        Code put at the top of answer cell ``trick_cell`` (default: the first answer cell).
    wrapper : str
        Code put at the end of answer cell ``trick_cell`` (wrappers of the function it defines).
    cells : tuple of str
        Extra code cells, inserted right after ``trick_cell``.
    edit : callable, optional
        Changes the finished notebook in place (file-level tampering).
    extra_files : mapping of str to str
        Files submitted next to the notebook (relative path -> text).
    notebook_text : str, optional
        Written as the notebook file instead of a notebook (a damaged file).
    omit_notebook : bool
        Submit ``extra_files`` only.
    loses : frozenset of str, optional
        Test cells that must score 0; default: those of ``base`` (none without a base).
    why : str
        Why the attack loses more than its base, when it does.
    markers : tuple of tuple of str
        Each entry lists alternatives; one of them must appear in the autograded outputs
        (proof that the attack really ran).
    probes : tuple of str
        Probe tags (:mod:`tests.adversarial.probes`) that must all print ``BLOCKED``.
    graded : bool
        False: nothing of this submission may be graded (it fails alone or has no notebook).
    timeout : bool or None
        A cell of it runs into the per-cell time limit (costly: at most two such attacks).
        None: it may or may not, depending on the machine (a memory bomb stops at the memory
        limit, but on a virtual machine that hands out fresh pages slowly, touching 4 GiB can
        take longer than the cell's time limit).
    shard : int, optional
        The course copy it must be graded in (snooping attacks live next to ``PEER``).
    """

    student: str
    notebook: str
    kinds: frozenset[str]
    summary: str
    base: str | None = None
    trick: str = ""
    wrapper: str = ""
    trick_cell: str | None = None
    cells: tuple[str, ...] = ()
    edit: Callable[[nbformat.NotebookNode], None] | None = None
    extra_files: Mapping[str, str] = field(default_factory=dict)
    notebook_text: str | None = None
    omit_notebook: bool = False
    loses: frozenset[str] | None = None
    why: str = ""
    markers: tuple[tuple[str, ...], ...] = ()
    probes: tuple[str, ...] = ()
    graded: bool = True
    timeout: bool | None = False
    shard: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "kinds", frozenset(self.kinds))
        unknown = sorted(self.kinds - set(KINDS))
        if unknown:
            raise ValueError(f"{self.student}: unknown kinds {unknown}")
        if self.base is not None and mistake(self.base).notebook != self.notebook:
            raise ValueError(f"{self.student}: base {self.base!r} is a mistake of another "
                             f"notebook than {self.notebook!r}")
        if self.loses is not None:
            object.__setattr__(self, "loses", frozenset(self.loses))
            base_loses = mistake(self.base).loses if self.base else frozenset()
            if self.loses != base_loses and not self.why:
                raise ValueError(f"{self.student}: say `why` it loses more than its base")

    @property
    def expected_loses(self) -> frozenset[str]:
        """Test cells that must score 0 (every other graded cell gets full marks)."""
        if self.loses is not None:
            return self.loses
        return mistake(self.base).loses if self.base else frozenset()

    @property
    def cost(self) -> float:
        """Estimated grading seconds, for balancing the course copies."""
        seconds = NOTEBOOK_SECONDS[self.notebook] if self.graded else 1.0
        return seconds + (0.0 if self.timeout is False else CELL_TIMEOUT_SECONDS)

    def build(self, course: Path, substitutions: Mapping[str, str] | None = None
              ) -> nbformat.NotebookNode:
        """The submitted notebook, built from the course copy's release."""
        source = pipeline.source_notebook(course, self.notebook)
        answers = pipeline.solution_answers(source)
        if self.base:
            answers.update(mistake(self.base).answers)
        target = self.trick_cell or next(iter(answers))
        if self.trick or self.wrapper:
            parts = [self.trick, answers[target], self.wrapper]
            answers[target] = "\n\n".join(p.strip("\n") for p in parts if p) + "\n"
        written = pipeline.written_answers(source)
        nb = pipeline.fill_answers(pipeline.release_notebook(course, self.notebook),
                                   {**answers, **written})
        at = cell_index(nb, target) + 1
        for k, source in enumerate(self.cells):
            nb.cells.insert(at + k, new_code_cell(source))
        if self.edit is not None:
            self.edit(nb)
        for cell in nb.cells:
            for key, value in (substitutions or {}).items():
                cell.source = cell.source.replace(key, value)
        return nb

    def submit(self, course: Path, substitutions: Mapping[str, str] | None = None) -> Path:
        """Write the submission into ``course/submitted/<student>/lecture02``."""
        extra = {k: v.encode() for k, v in self.extra_files.items()}
        if self.omit_notebook:
            return pipeline.submit(course, self.student, {}, extra_files=extra)
        folder = pipeline.submit(course, self.student,
                                 {self.notebook: self.build(course, substitutions)},
                                 extra_files=extra)
        if self.notebook_text is not None:
            (folder / f"{self.notebook}.ipynb").write_text(self.notebook_text)
        return folder


def all_attacks() -> list[Attack]:
    """The whole corpus, in catalogue order; student ids unique and distinct from mistakes."""
    from tests.adversarial.catalogue import ATTACKS

    students = [a.student for a in ATTACKS]
    duplicates = sorted({s for s in students if students.count(s) > 1})
    clashes = sorted(set(students) & ({m.student for m in all_mistakes()} | {PEER}))
    if duplicates or clashes:
        raise ValueError(f"attack student ids must be unique: {duplicates + clashes}")
    return list(ATTACKS)


# -- secrets the snooping attacks must not get -------------------------------------------------


@dataclass(frozen=True)
class Secrets:
    """Unique strings planted where no student may read them."""

    gradebook: str  # in instructor-notes.txt next to gradebook.db
    solutions: str  # in solutions/answer-key.txt (not part of the assignment's files)
    peer: str  # in PEER's submitted notebook and notes.txt

    @classmethod
    def fresh(cls) -> Secrets:
        return cls(*(f"SECRET-{what}-{uuid.uuid4().hex}"
                     for what in ("gradebook", "solutions", "peer")))

    def values(self) -> tuple[str, ...]:
        return (self.gradebook, self.solutions, self.peer)


def plant_secrets(course: Path, secrets: Secrets) -> None:
    """Instructor-only files of the course copy, next to the gradebook and the solutions."""
    course = Path(course)
    (course / "instructor-notes.txt").write_text(f"{secrets.gradebook}\n")
    (course / "solutions" / "answer-key.txt").write_text(f"{secrets.solutions}\n")


PEER_NOTEBOOK = "02_moving_average"


def submit_peer(course: Path, secrets: Secrets) -> Path:
    """An honest student (correct answers) whose submission holds the peer secret."""
    nb = pipeline.solved_notebook(course, PEER_NOTEBOOK)
    nb.cells.append(new_markdown_cell(f"My notes: {secrets.peer}"))
    return pipeline.submit(course, PEER, {PEER_NOTEBOOK: nb},
                           extra_files={"notes.txt": f"{secrets.peer}\n".encode()})
