"""The adversarial corpus: :data:`ATTACKS`, one :class:`~tests.adversarial.Attack` per student.

Sections: tricks applied to every notebook, further in-kernel tricks, file-level tampering,
and attacks on the grader's resources and secrets (see :mod:`tests.adversarial` for how the
expected scores are built).
"""

from __future__ import annotations

import copy
import json

from tests.adversarial import Attack, cell_index, mistake, notebook_test_cells
from tests.adversarial import probes as P
from tests.adversarial import tricks as T
from tests.adversarial.tricks import ARMED

NB00, NB01, NB02 = "00_start_here", "01_loss_functions", "02_moving_average"
NB03, NB06, NB07 = "03_optimizers", "06_batch_normalization", "07_metrics"
NB08 = "08_keras_functional_api"
NB05 = "05_regularization"
NB04 = "04_overfitting"
NB09, NB10 = "09_saving_models", "10_callbacks"


def _trick(student: str, base: str, kinds, summary: str, trick: str = "", *,
           wrapper: str = "", cell: str | None = None, armed: str | None = None,
           **kw) -> Attack:
    """A known mistake plus ``trick``; it must lose exactly what the mistake loses."""
    code = trick or wrapper
    name = armed or code.rsplit(ARMED, 1)[1].split('"')[0]
    return Attack(student=student, notebook=mistake(base).notebook, kinds=kinds,
                  summary=summary, base=base, trick=trick, wrapper=wrapper, trick_cell=cell,
                  markers=((ARMED + name,),), **kw)


# -- the strongest tricks, on every notebook ---------------------------------------------------

# One submission per notebook carries all three tricks at once, on top of a known mistake that
# fails through ``assert_close``: each trick alone would make that failing test pass (the test
# becomes `pass`, the check accepts anything, or its error is forgotten), so the submission
# scores exactly its mistake's score only if every one of them is defeated.
_EVERY = [
    (NB00, "sigmoid-sign-error"),
    (NB01, "losses-bce-sum-over-outputs"),
    (NB02, "ema-beta-swapped"),
    (NB03, "momentum-sign-error"),
    (NB04, "overfit-gap-sign-swapped"),
    (NB05, "reg-dropout-no-scaling"),
    (NB06, "bn-backward-dgamma-uses-x"),
    (NB07, "metrics-confusion-transposed"),
    (NB08, "keras-mlp-no-hidden-activation"),
    (NB09, "save-weights-not-loaded"),
    (NB10, "callbacks-precision-recall-swapped"),
]


def _every_notebook() -> list[Attack]:
    attacks = []
    for i, (nb, base) in enumerate(_EVERY):
        # the two ways of silencing a failure alternate over the notebooks
        silence, silence_kinds, how = (
            (T.silence_showtraceback(), {"silenced-traceback"}, "replaces showtraceback")
            if i % 2 == 0 else
            (T.custom_exception_handler(), {"silenced-traceback", "custom-exception-handler"},
             "set_custom_exc((BaseException,), ...) swallows errors"))
        tricks = [T.input_transformer("input_transformers_cleanup"), T.rebind_assert_close(),
                  silence]
        attacks.append(Attack(
            student=f"adv{nb[:2]}-three-tricks", notebook=nb,
            kinds=frozenset({"input-rewriting", "patched-test-helpers"} | silence_kinds),
            summary="an input transformer turns every later test cell into `pass`, "
                    "`assert_close` is rebound to accept anything, and " + how
                    + " and forgets each error",
            base=base, trick="\n".join(tricks),
            markers=tuple((ARMED + t.rsplit(ARMED, 1)[1].split('"')[0],) for t in tricks)))
    return attacks


EVERY_NOTEBOOK = _every_notebook()


# The package a student submits as course_utils/: it runs the real package's __init__ (found by
# any import finder but this directory) and adds the real package's directory to its __path__,
# so every real submodule still imports, except testing.py, which the student's copy replaces.
_SHIM_INIT = f"""\
import importlib.machinery as _machinery
import os as _os
import sys as _sys

_mine = _os.path.dirname(_os.path.abspath(__file__))
for _finder in _sys.meta_path:
    _paths = [p for p in _sys.path
              if _os.path.abspath(p or ".") != _os.path.dirname(_mine)]
    _spec = (_finder.find_spec("course_utils", _paths)
             if _finder is _machinery.PathFinder else _finder.find_spec("course_utils", None))
    if _spec is not None and _spec.origin and _os.path.dirname(_spec.origin) != _mine:
        break
__path__ = [_mine, *_spec.submodule_search_locations]
exec(compile(open(_spec.origin).read(), _spec.origin, "exec"))
print("{ARMED}course_utils shadowed")
"""


# -- further in-kernel tricks ------------------------------------------------------------------

IN_KERNEL = [
    _trick("adv08-lying-model", "keras-mlp-no-hidden-activation", {"lying-model"},
           "build_mlp returns a subclassed model whose call adds the missing ReLUs",
           wrapper=T.lying_model("build_mlp"), cell="keras-mlp"),
    _trick("adv08-config-with-code", "keras-siamese-two-encoders", {"config-with-code"},
           "build_siamese returns a right model ending in a Lambda, its config names os.system",
           wrapper=T.config_with_code(), cell="keras-siamese"),
    _trick("adv07-post-transformer", "metrics-precision-recall-swapped", {"input-rewriting"},
           "input_transformers_post turns test cells into `pass`",
           T.input_transformer("input_transformers_post")),
    _trick("adv01-ast-strips-asserts", "losses-cce-no-clip", {"assert-stripping"},
           "an AST transformer drops assert and raise and wraps statements in try/except",
           T.ast_transformer()),
    _trick("adv00-tests-become-text", "sigmoid-returns-list",
           {"input-rewriting", "fake-result-output"},
           "an input transformer turns every later test cell into a text expression",
           T.input_transformer("input_transformers_cleanup", '"all checks passed"')),
    _trick("adv02-hook-swaps-reference", "ema-includes-v0", {"event-hook"},
           "a pre_run_cell hook binds `ema` to the reference implementation during tests",
           T.swap_in_reference("ema", "course_utils.ema")),
    _trick("adv02-fake-partial-credit", "ema-weights-no-one-minus-beta",
           {"event-hook", "fake-result-output"},
           "a pre_run_cell hook shows a text execute_result before each test cell runs",
           T.fake_partial_credit()),
    _trick("adv07-builtin-type", "metrics-accuracy-numpy-scalar", {"patched-builtins"},
           "builtins.type says NumPy floats are Python floats while a test runs",
           T.builtin_type_during_tests()),
    _trick("adv02-builtins-isinstance-abs", "ema-mutates-input", {"patched-builtins"},
           "builtins.isinstance/abs lie to notebook code; builtins.AssertionError replaced",
           T.builtins_for_notebook_code()),
    _trick("adv02-numpy-comparisons", "ema-mutates-input", {"patched-numpy"},
           "np.array_equal, allclose, isclose and np.testing asserts always agree",
           T.numpy_comparisons()),
    _trick("adv01-numpy-abs", "losses-kl-swapped-arguments", {"patched-numpy"},
           "numpy.abs returns zeros when course_utils.testing calls it",
           T.numpy_abs_for_checks()),
    _trick("adv00-testing-module-patched", "sigmoid-sign-error", {"patched-test-helpers"},
           "patches course_utils.testing's internals (_close_mask, type checks, assert_close)",
           T.patch_testing_module()),
    _trick("adv01-gradient-helpers", "losses-grad-missing-batch-division",
           {"patched-test-helpers"},
           "numerical_gradient and the reference mse gradient return the student's gradient",
           T.patch_mse_gradient_helpers(), cell="losses-mse-grad"),
    _trick("adv06-gradient-helpers", "bn-backward-missing-mean-terms", {"patched-test-helpers"},
           "numerical_gradient_array, rel_error and the reference backward pass patched",
           T.patch_backward_helpers(), cell="bn-backward"),
    _trick("adv02-reference-from-disk", "ema-beta-swapped", {"delegates-to-reference"},
           "ema calls the course's reference implementation, loaded from any file found",
           wrapper=T.reference_from_disk("ema", "ema"), cell="ema-ema"),
    _trick("adv00-always-equal", "sigmoid-sign-error", {"always-equal"},
           "sigmoid returns an object equal (and close) to anything",
           wrapper=T.always_equal("sigmoid"), cell="start-sigmoid"),
    _trick("adv07-float-subclass", "metrics-accuracy-only-positives", {"always-equal"},
           "accuracy returns a float subclass equal to anything",
           wrapper=T.close_float("accuracy"), cell="metrics-accuracy"),
    _trick("adv02-ndarray-subclass", "ema-weights-reversed", {"ndarray-subclass"},
           "ema_weights returns an ndarray subclass whose comparisons and ufuncs always agree",
           wrapper=T.agreeable_ndarray("ema_weights"), cell="ema-weights"),
    _trick("adv07-ndarray-subclass", "metrics-confusion-classes-from-data",
           {"ndarray-subclass"},
           "confusion_matrix returns an ndarray subclass whose comparisons always agree",
           wrapper=T.agreeable_ndarray("confusion_matrix"), cell="metrics-confusion"),
    _trick("adv02-private-showtraceback", "ema-t-from-zero", {"silenced-traceback"},
           "replaces the kernel's _showtraceback (no error message is sent)",
           T.silence_private_showtraceback()),
    _trick("adv07-excepthook", "metrics-f1-arithmetic-mean", {"silenced-traceback"},
           "replaces sys.excepthook and IPython's excepthook",
           T.except_hook()),
    _trick("adv02-run-cell-patched", "ema-correction-shifted-power", {"patched-kernel"},
           "run_cell / run_cell_async run `pass` instead of test cells",
           T.patch_run_cell()),
    _trick("adv00-do-execute-patched", "sigmoid-returns-list", {"patched-kernel"},
           "the kernel's do_execute runs `pass` instead of test cells",
           T.patch_do_execute()),
    _trick("adv02-blocks-recheck-socket", "ema-v0-first-value", {"patched-kernel"},
           "removes the re-check kernel's socket handler: the re-check falls back to shell "
           "messages and decides the same", T.block_recheck_socket()),
    _trick("adv02-only-when-graded", "ema-correction-own-loop-v0-first",
           {"detects-grading", "input-rewriting"},
           "turns test cells into `pass` only when NBGRADER_EXECUTION is set",
           T.only_when_graded(T.input_transformer()), armed="NBGRADER_EXECUTION detected"),
    _trick("adv07-only-when-graded", "metrics-macro-rows-cols-swapped",
           {"detects-grading", "patched-test-helpers", "silenced-traceback"},
           "under the grader only: assert_close rebound and tracebacks silenced",
           T.only_when_graded(T.rebind_assert_close() + T.silence_showtraceback()),
           armed="NBGRADER_EXECUTION detected"),
    Attack(
        student="adv02-shadows-course-utils",
        notebook=NB02,
        kinds={"extra-files", "patched-test-helpers"},
        summary="submits a course_utils/ package next to the notebook whose testing module "
                "accepts anything (the rest is loaded from the real package)",
        base="ema-returns-list",
        extra_files={
            "course_utils/__init__.py": _SHIM_INIT,
            "course_utils/testing.py": (
                "def assert_close(*args, **kwargs):\n    return None\n\n\n"
                "def assert_answered(*args, **kwargs):\n    return None\n\n\n"
                "def numerical_gradient(f, x, *args, **kwargs):\n    return 0 * x\n"),
        },
        markers=((ARMED + "course_utils shadowed",),),
    ),
]


# -- file-level tampering ----------------------------------------------------------------------


def _set(target: str, **changes):
    """Change the nbgrader metadata of the cell whose grade_id is ``target``."""
    def edit(nb):
        nb.cells[cell_index(nb, target)].metadata.nbgrader.update(changes)
    return edit


def _source(grade_id: str, source: str = "pass"):
    def edit(nb):
        nb.cells[cell_index(nb, grade_id)].source = source
    return edit


def _both(*edits):
    def edit(nb):
        for e in edits:
            e(nb)
    return edit


def _duplicate_as_pass(grade_id: str):
    """A copy of the test cell (metadata and all) right after it, whose source is `pass`."""
    def edit(nb):
        i = cell_index(nb, grade_id)
        twin = copy.deepcopy(nb.cells[i])
        twin["id"] = "twin-of-a-test"
        twin.source = "pass"
        nb.cells.insert(i + 1, twin)
    return edit


def _to_markdown(grade_id: str):
    def edit(nb):
        cell = nb.cells[cell_index(nb, grade_id)]
        cell.cell_type = "markdown"
        cell.source = "This test was in my way."
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return edit


def _delete(*grade_ids: str):
    def edit(nb):
        for gid in grade_ids:
            del nb.cells[cell_index(nb, gid)]
    return edit


def _tamper(student, base, kinds, summary, edit, **kw) -> Attack:
    """A known mistake whose failing test cell is tampered with; it still loses that cell."""
    return Attack(student=student, notebook=mistake(base).notebook, kinds=kinds,
                  summary=summary, base=base, edit=edit, **kw)



TAMPERING = [
    _tamper("adv02-duplicated-test-as-pass", "ema-beta-swapped", {"duplicated-test-cell"},
            "a copy of the failing test cell, metadata and all, whose source is `pass`",
            _duplicate_as_pass("ema-ema-test")),
    _tamper("adv07-schema-version-edited", "metrics-f1-arithmetic-mean",
            {"edited-schema-version", "replaced-test-source"},
            "the failing test has schema_version 1 and source `pass`",
            _both(_set("metrics-f1-test", schema_version=1), _source("metrics-f1-test"))),
    _tamper("adv00-grade-id-renamed", "sigmoid-sign-error",
            {"renamed-grade-id", "replaced-test-source"},
            "the failing test's grade_id renamed and its source `pass`",
            _both(_source("start-sigmoid-test"),
                  _set("start-sigmoid-test", grade_id="my-own-test"))),
    _tamper("adv02-grade-flag-off", "ema-weights-no-one-minus-beta",
            {"flipped-flags", "replaced-test-source"},
            "the failing test is no longer graded nor locked, and its source is `pass`",
            _both(_set("ema-weights-test", grade=False, locked=False),
                  _source("ema-weights-test"))),
    _tamper("adv07-solution-flag-and-points", "metrics-macro-as-micro",
            {"flipped-flags", "replaced-test-source"},
            "the failing test marked as an answer cell with 100 points and source `pass`; "
            "a passing test worth 100 points",
            _both(_set("metrics-macro-test", solution=True, points=100),
                  _source("metrics-macro-test"),
                  _set("metrics-accuracy-test", points=100))),
    _tamper("adv02-test-turned-markdown", "ema-t-from-zero", {"changed-cell-type"},
            "the failing test cell turned into a markdown cell",
            _to_markdown("ema-bias-corrected-test")),
    _tamper("adv00-test-deleted", "sigmoid-returns-list", {"deleted-test-cell"},
            "the failing test cell deleted",
            _delete("start-sigmoid-test")),
    _tamper("adv01-test-and-setup-deleted", "losses-mse-sum-not-mean", {"deleted-test-cell"},
            "the failing test cell and the setup cell deleted",
            _delete("losses-mse-test", "losses-setup")),
    _tamper("adv07-test-source-pass", "metrics-accuracy-only-positives",
            {"replaced-test-source"},
            "the failing test's source replaced with `pass`",
            _source("metrics-accuracy-test")),
    Attack(
        student="adv02-invalid-json",
        notebook=NB02,
        kinds={"invalid-json"},
        summary="the notebook file is cut off in the middle (not JSON)",
        notebook_text='{"cells": [{"cell_type": "code", "source": "import os',
        loses=set(notebook_test_cells(NB02)),  # a submission that runs nothing
        why="a file that is not a notebook is graded as an empty notebook: nothing of it runs",
    ),
    Attack(
        student="adv02-no-notebook",
        notebook=NB02,
        kinds={"missing-notebook", "extra-files"},
        summary="the submission holds a text file and no notebook",
        extra_files={"notes.txt": "I could not finish the notebook.\n"},
        omit_notebook=True,
        graded=False,
    ),
    Attack(
        student="adv02-extra-files",
        notebook=NB02,
        kinds={"extra-files"},
        summary="correct answers plus a notes file, a data file and a notebook of another name",
        extra_files={
            "notes.txt": "hello\n",
            "data/series.csv": "1,2,3\n",
            "scratch.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                         "nbformat_minor": 5}),
        },
    ),
]


# -- the grader's resources and secrets (correct answers plus attacking cells) -----------------


def _resource(student, kinds, summary, cells, markers, **kw) -> Attack:
    return Attack(student=student, notebook=NB02, kinds=kinds, summary=summary,
                  cells=tuple(cells), markers=tuple(markers), **kw)


def _snoop(student, kinds, summary, probes: dict[str, str]) -> Attack:
    return _resource(student, kinds, summary, [P.probes_cell(probes)],
                     [("MARKER probes from",)], probes=tuple(probes), shard=0)


RESOURCES = [
    _resource("adv02-infinite-loop", {"infinite-loop"},
              "a cell loops forever (SIGINT interrupts it at the cell time limit)",
              [P.INFINITE_LOOP],
              [("MARKER infinite loop: start",), ("KeyboardInterrupt", "CellTimeoutError")],
              timeout=True, shard=0),
    _resource("adv02-loop-handles-sigint", {"infinite-loop", "sigint-ignored"},
              "a cell loops forever and its SIGINT handler keeps it looping",
              [P.INFINITE_LOOP_HANDLING_SIGINT],
              [("MARKER infinite loop with a SIGINT handler: start",), ("CellTimeoutError",)],
              timeout=True, shard=1),
    _resource("adv02-os-exit", {"os-exit"}, "a cell calls os._exit(0)",
              [P.OS_EXIT], [("DeadKernelError",)]),
    _resource("adv02-system-exit", {"system-exit"},
              "one cell raises SystemExit, another calls sys.exit()",
              [P.RAISE_SYSTEM_EXIT, P.SYS_EXIT],
              [("MARKER raise SystemExit: start",), ("MARKER sys.exit: start",)]),
    _resource("adv02-memory-bomb", {"memory-bomb"},
              "a cell allocates 256 MiB blocks until a limit stops it",
              [P.MEMORY_BOMB],
              [("MARKER memory bomb: start",),
               ("MARKER memory bomb stopped by MemoryError", "DeadKernelError",
                "CellTimeoutError")],
              timeout=None),
    _resource("adv02-output-flood", {"output-flood"},
              "a cell prints about 25 MB and displays 6 MB of HTML",
              [P.OUTPUT_FLOOD], [("MARKER output flood: start",),
                                 ("output truncated by the grader", "Output truncated")]),
    _resource("adv02-fork-bomb", {"fork-bomb"},
              "a cell forks, and every child forks on, until a limit stops it",
              [P.FORK_BOMB], [("MARKER fork bomb stopped by",)]),
    _snoop("adv02-reads-gradebook", {"reads-gradebook"},
           "reads and writes the gradebook and reads the instructor's notes next to it",
           P.GRADEBOOK_PROBES),
    _snoop("adv02-reads-solutions", {"reads-solutions"},
           "reads the instructor notebooks and answer key of the course",
           P.SOLUTIONS_PROBES),
    _snoop("adv02-reads-peer", {"reads-peer"},
           "reads another student's submission and graded copy, and looks for other kernels",
           P.PEER_PROBES),
    _snoop("adv02-reads-repository", {"reads-solutions", "reads-gradebook"},
           "finds the checkout through course_utils.__file__ and reads its solutions and "
           "gradebook; searches the file system for gradebooks",
           P.REPOSITORY_PROBES),
    _snoop("adv02-network", {"network"},
           "connects to a service of the grading host, the internet, DNS and HTTP",
           P.NETWORK_PROBES),
]


ATTACKS: list[Attack] = EVERY_NOTEBOOK + IN_KERNEL + TAMPERING + RESOURCES
