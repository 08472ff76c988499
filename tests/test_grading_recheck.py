"""The trusted re-check's pieces: plain-data transport, stand-ins, the reduced package.

The end-to-end re-check (a second sandboxed kernel, real nbgrader) is exercised by the graded
batch of ``tests/conftest.py``: the full solution keeps every point, each known mistake loses
exactly its cells, and the attacks of ``tests/adversarial`` earn nothing. Here the kernel side
(:mod:`course_utils.grading._recheck_kernel`) runs in this process, so every type and edge case
of the protocol can be checked directly.
"""

from __future__ import annotations

import ast
import base64
import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

from course_utils import batchnorm as bn_ref
from course_utils import ema as ema_ref
from course_utils.grading import recheck


class InProcessChannel(recheck._Channel):
    """The re-check channel with the kernel side run in a plain namespace of this process."""

    def __init__(self, user_ns: dict):
        super().__init__(owner=None, chunks=[], timeout=30, log=logging.getLogger("test"))
        self.user_ns = user_ns
        exec(recheck.kernel_source(), user_ns)
        self.server = user_ns["__course_recheck__"]

    def request(self, payload):
        data = base64.b64encode(json.dumps(payload).encode()).decode("ascii")
        return json.loads(base64.b64decode(self.server(data)))


def channel_with(source: str) -> InProcessChannel:
    ns = {"np": np}
    exec(source, ns)
    return InProcessChannel(ns)


# ------------------------------------------------------------------------------------------
# values keep their exact types
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, kind", [
    ("np.arange(6.0).reshape(2, 3)", np.ndarray),
    ("np.arange(4)", np.ndarray),
    ("np.array([True, False])", np.ndarray),
    ("np.float64(0.25)", np.float64),
    ("np.float32(0.5)", np.float32),
    ("np.int64(3)", np.int64),
    ("0.1 + 0.2", float),
    ("7", int),
    ("True", bool),
    ("None", type(None)),
    ("(1.0, np.zeros(2))", tuple),
    ("[1.0, 2.0]", list),
    ("{'a': 1.0}", dict),
    ("float('nan')", float),
])
def test_results_come_back_with_their_exact_type_and_value(expr, kind):
    ch = channel_with(f"def f():\n    return {expr}")
    got = ch.call("f", (), {})
    want = eval(expr, {"np": np})
    assert type(got) is kind
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want)
    elif isinstance(want, float) and np.isnan(want):
        assert np.isnan(got)
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want)
    else:
        assert got == want


def test_arguments_arrive_with_their_exact_types():
    ch = channel_with("def f(*a, **k):\n"
                      "    return [type(x).__name__ for x in a + tuple(k.values())]")
    got = ch.call("f", (np.zeros(2), np.float64(1.0), 1.0, 2, True, None), {"k": (1, [2])})
    assert got == ["ndarray", "float64", "float", "int", "bool", "NoneType", "tuple"]


def test_batchnorm_cache_travels_both_ways_as_the_course_type():
    x = np.random.default_rng(0).normal(size=(4, 3))
    _, cache = bn_ref.batchnorm_forward(x, np.ones(3), np.zeros(3))
    ch = channel_with(
        "from collections import namedtuple\n"
        "BatchNormCache = namedtuple('BatchNormCache', 'x mu var z_norm gamma eps')\n"
        "def f(cache):\n"
        "    assert type(cache).__name__ == 'BatchNormCache', type(cache)\n"
        "    return cache._replace(eps=cache.eps * 2)\n")
    got = ch.call("f", (cache,), {})
    assert type(got) is bn_ref.BatchNormCache
    assert got.eps == 2 * cache.eps and np.array_equal(got.z_norm, cache.z_norm)


@pytest.mark.parametrize("source", [
    # an always-equal object
    "class _Eq:\n    def __eq__(self, o): return True\n    __array_priority__ = 1000\n"
    "def f():\n    return _Eq()",
    # an ndarray subclass whose comparisons always succeed
    "class _Arr(np.ndarray):\n    def __eq__(self, o): return np.ones(self.shape, bool)\n"
    "def f():\n    return np.zeros(3).view(_Arr)",
    # an array of Python objects
    "def f():\n    return np.array([object(), 1.0], dtype=object)",
    # a float subclass
    "class _F(float):\n    pass\ndef f():\n    return _F(1.0)",
    # a tuple subclass pretending to be a cache
    "class BatchNormCache(tuple):\n    _fields = ('x',)\ndef f():\n    return BatchNormCache((1,))",
])
def test_anything_but_plain_data_comes_back_as_a_value_no_check_accepts(source):
    ch = channel_with(source)
    got = ch.call("f", (), {})
    assert isinstance(got, recheck.StudentValue), got
    assert got != got and not (got == 1.0) and not isinstance(got, (np.ndarray, float, tuple))


# ------------------------------------------------------------------------------------------
# in-place changes, aliasing, exceptions, warnings
# ------------------------------------------------------------------------------------------


def test_in_place_changes_of_arguments_are_mirrored():
    ch = channel_with("def f(w, dw):\n    w -= 0.5 * dw\n    return w")
    w, dw = np.ones(3), np.full(3, 2.0)
    out = ch.call("f", (w, dw), {})
    assert np.array_equal(w, np.zeros(3)), "the argument changed in place must change here too"
    assert out is w, "returning the argument itself must come back as that argument"
    assert np.array_equal(dw, np.full(3, 2.0))


def test_a_returned_view_shares_memory_and_a_new_array_does_not():
    ch = channel_with("def view(w):\n    return w.reshape(w.shape)\n"
                      "def new(w):\n    return w.copy()\n"
                      "def flat(w):\n    return w.ravel()\n")
    w = np.arange(6.0).reshape(2, 3)
    assert np.shares_memory(ch.call("view", (w,), {}), w)
    assert np.shares_memory(ch.call("flat", (w,), {}), w)
    assert not np.shares_memory(ch.call("new", (w,), {}), w)


def test_builtin_exceptions_are_raised_again_with_their_type():
    ch = channel_with("def f():\n    raise NotImplementedError()\n"
                      "def g():\n    return 1 / 0\n"
                      "class Mine(Exception):\n    pass\n"
                      "def h():\n    raise Mine('custom')\n"
                      "def e():\n    raise SystemExit(3)\n")
    with pytest.raises(NotImplementedError):
        ch.call("f", (), {})
    with pytest.raises(ZeroDivisionError):
        ch.call("g", (), {})
    with pytest.raises(recheck.StudentCodeError, match="Mine: custom"):
        ch.call("h", (), {})
    with pytest.raises(recheck.StudentCodeError):  # SystemExit never ends the grader
        ch.call("e", (), {})


def test_a_missing_function_is_a_name_error():
    ch = channel_with("")
    with pytest.raises(NameError, match="sigmoid"):
        ch.call("sigmoid", (np.zeros(1),), {})


def test_warnings_are_raised_again_under_the_tests_own_filters():
    ch = channel_with("def f(a, b):\n    return a / b\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning):
            ch.call("f", (np.ones(1), np.zeros(1)), {})
        with np.errstate(divide="ignore"):  # the test's errstate applies in the kernel too
            assert np.isinf(ch.call("f", (np.ones(1), np.zeros(1)), {})[0])


# ------------------------------------------------------------------------------------------
# the trusted namespace and the stand-ins
# ------------------------------------------------------------------------------------------


def test_rebinding_an_answer_name_to_the_reference_binds_the_stand_in_in_the_kernel():
    ch = channel_with("def ema(values, beta=0.9):\n    return np.zeros(len(values))\n"
                      "def corrected(values, beta=0.9):\n"
                      "    t = np.arange(1, len(values) + 1)\n"
                      "    return ema(values, beta) / (1 - beta ** t)\n")
    ns = recheck._Namespace(ch, ["ema", "corrected"])
    for name in ("ema", "corrected"):
        dict.__setitem__(ns, name, recheck._Proxy(ch, name))
    theta = np.array([10.0, 20.0, 30.0])
    ns["_ref_ema"] = ema_ref.ema
    ns["theta"] = theta
    exec("_student = globals().get('ema')\nema = _ref_ema\n_got = corrected(theta)\n"
         "ema = _student\n_after = corrected(theta)", ns)
    np.testing.assert_allclose(ns["_got"], ema_ref.ema(theta, 0.9, bias_correction=True))
    assert np.array_equal(ns["_after"], np.zeros(3)), "the student's ema must come back"


def test_rebinding_to_a_function_without_stand_in_is_refused():
    ch = channel_with("def f():\n    return 1.0\n")
    ns = recheck._Namespace(ch, ["f"])
    with pytest.raises(recheck.RecheckError, match="stand-in"):
        ns["f"] = np.mean


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("corrected", [False, True])
def test_every_stand_in_equals_its_reference(beta, corrected):
    rng = np.random.default_rng(7)
    for (module, qualname), (name, source) in recheck.STANDINS.items():
        assert (module, qualname) == ("course_utils.ema", "ema")
        scope = {"np": np}
        exec(source, scope)
        for n in (1, 5, 200):
            theta = rng.normal(2.0, 3.0, size=n)
            np.testing.assert_allclose(scope[name](theta, beta, bias_correction=corrected),
                                       ema_ref.ema(theta, beta, bias_correction=corrected),
                                       rtol=1e-13, atol=1e-13)


# ------------------------------------------------------------------------------------------
# what runs in the re-check kernel
# ------------------------------------------------------------------------------------------


def test_the_reduced_package_has_no_reference_implementation():
    root = Path(recheck.stub_package_dir()) / "course_utils"
    names = sorted(p.name for p in root.iterdir())
    assert names == sorted([*recheck.STUB_MODULES, "batchnorm.py"])
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for a in node.names}
        for ref in ("losses", "ema", "optimizers", "metrics", "landscapes", "plotting",
                    "grading"):
            assert not any(m and m.endswith(ref) for m in imported), (path.name, imported)
    stub = {}
    exec((root / "batchnorm.py").read_text(), stub)
    assert stub["BatchNormCache"]._fields == bn_ref.BatchNormCache._fields
    assert not any(callable(v) and k.startswith("batchnorm") for k, v in stub.items())


def test_setup_statements_run_one_by_one_with_imports_split():
    chunks = recheck.setup_chunks("import os, sys\nfrom course_utils import plotting, "
                                  "seed_everything\nEPS = 1e-7\nrng = seed_everything(42)\n")
    assert chunks == ["import os", "import sys", "from course_utils import plotting",
                      "from course_utils import seed_everything", "EPS = 1e-07",
                      "rng = seed_everything(42)"]


def test_cells_the_student_added_contribute_only_definitions_and_imports():
    source = ("import math\nplt.plot([1, 2])\nwhile True:\n    pass\n"
              "def helper(x):\n    return 2 * x\nclass K:\n    pass\nX = 3\n")
    chunks = recheck.answer_chunks(source, whole=False)
    assert chunks == ["import math", "def helper(x):\n    return 2 * x",
                      "class K:\n    pass"]
    assert recheck.answer_chunks("def f(:", whole=False) == []
    assert recheck.answer_chunks(source, whole=True) == [source]


def test_answer_names_come_from_the_release_version_of_the_answer_cell():
    release = ('def precision(y_true, y_pred):\n    """..."""\n    # YOUR CODE HERE\n'
               "    raise NotImplementedError()\n\n\ndef recall(y_true, y_pred):\n    pass\n")
    assert recheck.answer_names(release) == ["precision", "recall"]
    assert recheck.answer_names("x = (") == []


def test_a_questions_answer_variable_is_a_value_not_a_function():
    release = ("# Question 1: which degree? Replace None with an int.\n"
               "answer_best_degree = None\n# YOUR CODE HERE\nraise NotImplementedError()\n")
    assert recheck.answer_values(release) == ["answer_best_degree"]
    assert recheck.answer_names(release) == ["answer_best_degree"]
    both = "def f():\n    pass\n\n\nf = 3\nanswer_x = None\n"
    assert recheck.answer_values(both) == ["answer_x"], "a function's name is not a value"


@pytest.mark.parametrize("source, expected", [
    ("answer_q = 4", 4),
    ("answer_q = 0.25", 0.25),
    ("answer_q = 'b'", "b"),
    ("answer_q = None", None),
    ("answer_q = np.int64(4)", np.int64(4)),
])
def test_answer_values_come_back_as_plain_data_with_their_type(source, expected):
    got = channel_with(source).get("answer_q")
    assert type(got) is type(expected) and got == expected


def test_an_answer_that_is_not_plain_data_is_a_value_no_check_accepts():
    ch = channel_with("class Yes:\n    def __eq__(self, other):\n        return True\n"
                      "answer_q = Yes()\n")
    got = ch.get("answer_q")
    assert isinstance(got, recheck.StudentValue) and got != 4


def test_an_undefined_answer_is_missing():
    assert channel_with("").get("answer_q") is recheck.MISSING


def test_trusted_code_leaves_the_graders_state_alone():
    import random

    py_before, np_before = random.getstate(), np.random.get_state()[1].copy()  # noqa: NPY002
    err_before = np.geterr()
    recheck.Recheck._exec("import random\nrandom.seed(42)\nnp.random.seed(42)\n"
                          "np.seterr(all='raise')\nprint('hidden from the log')",
                          {"np": np}, "setup")
    assert random.getstate() == py_before
    assert np.array_equal(np.random.get_state()[1], np_before)  # noqa: NPY002
    assert np.geterr() == err_before


def test_sandbox_uids_do_not_follow_a_seeded_random():
    """A setup cell seeds ``random``; two graders must still draw different uids."""
    import random

    from course_utils.grading import sandbox

    draws = []
    for _ in range(2):
        random.seed(42)
        draws.append([sandbox._pick_uid(1_900_000_000, 65536) for _ in range(5)])
    assert draws[0] != draws[1]



def test_answers_that_patch_numpy_do_not_hide_changes_in_place(monkeypatch):
    """The server binds what it uses before any answer runs (it is defined first). (Patched
    builtins are covered by the graded batch: here they would break this very process.)"""
    ch = InProcessChannel({"np": np})
    monkeypatch.setattr(np, "array_equal", lambda *a, **k: True)
    monkeypatch.setattr(np, "shares_memory", lambda *a, **k: False)
    monkeypatch.setattr(np, "may_share_memory", lambda *a, **k: False)
    exec("def f(w):\n    w *= 2.0\n    return w\n", ch.user_ns)
    w = np.ones(3)
    out = ch.call("f", (w,), {})
    monkeypatch.undo()
    assert (w == 2.0).all(), "the change in place must be seen"
    assert out is w, "the returned argument must come back as that argument"
