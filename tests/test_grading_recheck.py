"""The trusted re-check's pieces: plain-data transport, stand-ins, the reduced package.

The end-to-end re-check (a second sandboxed kernel, real nbgrader) is exercised by the graded
batch of ``tests/conftest.py``: the full solution keeps every point, each known mistake loses
exactly its cells, and the attacks of ``tests/adversarial`` earn nothing. Here the kernel side
(:mod:`course_grader._recheck_kernel`) runs in this process, so every type and edge case
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

from course_grader import recheck
from course_utils import batchnorm as bn_ref
from course_utils import ema as ema_ref


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


def _stand_in(module: str, qualname: str):
    name, source = recheck.STANDINS[(module, qualname)]
    scope = {"np": np}
    exec(source, scope)
    return scope[name]


def test_every_reference_a_test_rebinds_has_a_checked_stand_in():
    assert set(recheck.STANDINS) == {("course_utils.ema", "ema"),
                                     ("course_utils.optimizers", "sgd_update")}


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("corrected", [False, True])
def test_the_ema_stand_in_equals_its_reference(beta, corrected):
    rng = np.random.default_rng(7)
    stand_in = _stand_in("course_utils.ema", "ema")
    for n in (1, 5, 200):
        theta = rng.normal(2.0, 3.0, size=n)
        np.testing.assert_allclose(stand_in(theta, beta, bias_correction=corrected),
                                   ema_ref.ema(theta, beta, bias_correction=corrected),
                                   rtol=1e-13, atol=1e-13)


def test_the_sgd_update_stand_in_equals_its_reference():
    from course_utils import optimizers

    rng = np.random.default_rng(8)
    stand_in = _stand_in("course_utils.optimizers", "sgd_update")
    for shape in [(1,), (5,), (4, 3), (2, 3, 2)]:
        w, dw = rng.normal(size=shape), rng.normal(size=shape)
        saved = w.copy()
        got = stand_in(w, dw, lr=0.37)
        np.testing.assert_array_equal(got, optimizers.sgd_update(w, dw, lr=0.37))
        assert not np.shares_memory(got, w) and np.array_equal(w, saved)


# ------------------------------------------------------------------------------------------
# what runs in the re-check kernel
# ------------------------------------------------------------------------------------------


def test_the_reduced_package_has_no_reference_implementation():
    root = Path(recheck.stub_package_dir()) / "course_utils"
    names = sorted(p.name for p in root.iterdir())
    assert names == sorted([*recheck.STUB_MODULES, *recheck.STUB_PACKAGES, "batchnorm.py"])
    for path in (root / "ru").rglob("*.py"):  # message catalogues: text, no code
        tree = ast.parse(path.read_text())
        assert not any(isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ClassDef))
                       for n in ast.walk(tree)), path.name
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

    from course_grader.sandbox import host as sandbox

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


# ------------------------------------------------------------------------------------------
# Keras values: models rebuilt here in safe mode, tensors as arrays, other objects as handles
# ------------------------------------------------------------------------------------------

_KERAS_ANSWERS = '''
from course_utils.keras_helpers import keras


def two_branch(units):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4,))
    shared = keras.layers.Dense(units, activation="relu", name="shared")
    a = shared(inputs)
    b = shared(keras.layers.Dense(4, name="pre")(inputs))
    outputs = keras.layers.Add(name="sum")([a, b])
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=["mse"], loss_weights=[0.5])
    return model


def sequential():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="out")])


def features(model, name):
    return keras.Model(model.inputs, model.get_layer(name).output)


def tensor():
    return keras.ops.convert_to_tensor(np.arange(6.0).reshape(2, 3))


class LyingModel(keras.Model):
    """A subclassed model whose outputs come from anywhere it likes."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2)

    def call(self, x):
        return keras.ops.zeros_like(self.dense(x))


def lying():
    model = LyingModel()
    model(np.zeros((1, 3)))
    return model


def with_lambda():
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2)(inputs))


class Doubler(keras.layers.Layer):
    def call(self, x):
        return 2 * x


def with_custom_layer():
    inputs = keras.Input((3,))
    return keras.Model(inputs, Doubler()(inputs))


class PointsAtCode(keras.Model):
    """A model whose config names a module outside Keras."""

    def to_json(self, **kwargs):
        return json.dumps({"module": "os", "class_name": "system", "config": {"command": "x"},
                           "registered_name": None})


def points_at_code():
    inputs = keras.Input((3,))
    return PointsAtCode(inputs, keras.layers.Dense(2)(inputs))


class FakeModel:
    """Not a Keras model, but answers like one."""

    def to_json(self):
        return sequential().to_json()

    def get_weights(self):
        return sequential().get_weights()

    def count_params(self):
        return 8


def fake_model():
    return FakeModel()


class RecordingCallback(keras.callbacks.Callback):
    def __init__(self, patience=1):
        super().__init__()
        self.patience = patience
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(float(logs["val_loss"]))
        logs["val_loss"] = -1.0  # edits the test's logs
        logs.clear()
        if len(self.seen) > self.patience:
            self.model.stop_training = True


class Halved(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return 0.5 * keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)


def obj():
    return object()
'''


@pytest.fixture(scope="module")
def keras_channel():
    from course_utils.keras_helpers import keras

    ns = {"np": np, "json": json}
    exec(_KERAS_ANSWERS, ns)
    return InProcessChannel(ns), keras


def test_a_functional_model_is_rebuilt_here_with_its_weights_and_shared_layers(keras_channel):
    ch, keras = keras_channel
    got = ch.call("two_branch", (3,), {})
    want = ch.user_ns["two_branch"](3)
    assert isinstance(got, keras.Model) and got is not want
    assert [type(la).__name__ for la in got.layers] == [type(la).__name__ for la in want.layers]
    assert got.count_params() == want.count_params() == 4 * 3 + 3 + 4 * 4 + 4
    assert len(got.get_layer("shared")._inbound_nodes) == 2, "one layer, called twice"
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    for w_got, w_want in zip(got.get_weights(), want.get_weights(), strict=True):
        assert np.array_equal(w_got, w_want)
    np.testing.assert_allclose(got(x), want(x), rtol=1e-6)


def test_a_compiled_model_comes_back_compiled_with_its_plain_compile_config(keras_channel):
    ch, keras = keras_channel
    got = ch.call("two_branch", (2,), {})
    assert got.compiled
    assert got._course_compile_config["loss_weights"] == [0.5]
    assert float(got.optimizer.learning_rate) == pytest.approx(0.01)
    plain = ch.call("sequential", (), {})
    assert isinstance(plain, keras.Sequential) and not plain.compiled
    assert plain._course_compile_config is None


def test_a_model_sent_to_the_students_code_arrives_as_a_model(keras_channel):
    ch, keras = keras_channel
    model = ch.user_ns["two_branch"](3)
    got = ch.call("features", (model, "pre"), {})
    assert isinstance(got, keras.Model)
    assert got.output.shape == (None, 4)
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(got([x]), model.get_layer("pre")(x), rtol=1e-6)


def test_tensors_come_back_as_arrays(keras_channel):
    ch, _ = keras_channel
    got = ch.call("tensor", (), {})
    assert type(got) is np.ndarray and np.array_equal(got, np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("name, why", [
    ("lying", "cannot be rebuilt"),  # a subclassed model's call is the student's code
    ("with_lambda", "cannot be rebuilt"),  # safe mode refuses a Lambda's bytecode
    ("with_custom_layer", "cannot be rebuilt"),  # a student's class is unknown here
    ("points_at_code", "cannot be rebuilt"),  # a config that names a module outside Keras
])
def test_a_model_that_needs_student_code_arrives_as_a_value_no_check_accepts(
        keras_channel, name, why):
    ch, keras = keras_channel
    got = ch.call(name, (), {})
    assert isinstance(got, recheck.StudentValue) and not isinstance(got, keras.Model)
    assert why in got.type_name, got.type_name


def test_safe_mode_holds_even_if_unsafe_deserialization_was_enabled(keras_channel):
    ch, keras = keras_channel
    from keras.src.backend.common import global_state

    before = global_state.get_global_attribute("safe_mode_saving")
    keras.config.enable_unsafe_deserialization()  # as a setup cell of notebook 09 might
    try:
        got = ch.call("with_lambda", (), {})
    finally:
        global_state.set_global_attribute("safe_mode_saving", before)
    assert isinstance(got, recheck.StudentValue), got


def test_an_object_that_claims_to_be_a_model_is_only_a_handle(keras_channel):
    ch, keras = keras_channel
    got = ch.call("fake_model", (), {})
    assert isinstance(got, recheck.StudentObject) and not isinstance(got, keras.Model)
    assert got.count_params() == 8, "its methods run, in the re-check kernel"


def test_a_callback_is_a_handle_whose_hooks_run_there_with_copies_of_logs(keras_channel):
    ch, keras = keras_channel
    cb = ch.call("RecordingCallback", (), {"patience": 1})
    assert isinstance(cb, recheck.StudentObject)
    assert isinstance(cb, keras.callbacks.Callback) and not isinstance(cb, keras.Model)
    assert cb.patience == 1 and cb.seen == []
    cb.set_model(ch.user_ns["sequential"]())
    logs = {"val_loss": 0.5}
    cb.on_epoch_end(0, logs)
    assert logs == {"val_loss": 0.5}, "the test's logs must not change"
    assert not cb.model.stop_training
    cb.on_epoch_end(1, {"val_loss": 0.25})
    assert cb.seen == [0.5, 0.25]
    assert cb.model.stop_training is True, "a flag the callback sets on its model is seen"
    cb.patience = 5
    assert cb.patience == 5
    assert not hasattr(cb, "missing")
    with pytest.raises(KeyError):
        cb.on_epoch_end(2, {})
    assert cb != cb and not (cb == 1.0)


def test_a_loss_object_is_called_there_and_its_values_come_back(keras_channel):
    ch, keras = keras_channel
    loss = ch.call("Halved", (), {})
    assert isinstance(loss, keras.losses.Loss)
    y, p = np.zeros((4, 2), "float32"), np.ones((4, 2), "float32")
    got = loss(y, p)
    assert type(got) is np.float32 and float(got) == pytest.approx(0.5), "as .numpy()"
    assert loss.get_config()["name"] == "halved"


def test_a_handle_passed_back_is_the_same_object_and_a_lost_one_is_refused(keras_channel):
    ch, _ = keras_channel
    cb = ch.call("RecordingCallback", (), {})
    ns = ch.user_ns
    exec("def same(a, b):\n    return a is b\n", ns)
    assert ch.call("same", (cb, cb), {}) is True
    other = channel_with("")
    with pytest.raises(recheck.RecheckError):
        other.call("f", (cb,), {})
    ch.generation += 1  # as after a restart of the re-check kernel
    with pytest.raises(recheck.RecheckError, match="restarted"):
        cb.seen  # noqa: B018 - the read is the test
    ch.generation -= 1


def test_handles_are_bounded():
    ch = channel_with("def f():\n    return object()\n")
    got = [ch.call("f", (), {}) for _ in range(260)]
    assert all(isinstance(g, recheck.StudentObject) for g in got[:256])
    assert all(type(g) is recheck.StudentValue for g in got[256:])


def test_an_answer_variable_holding_an_object_is_never_a_handle():
    got = channel_with("answer_q = object()\n").get("answer_q")
    assert type(got) is recheck.StudentValue


def test_setup_statements_about_keras_are_dropped_only_when_no_answer_uses_keras():
    setup = [(f"setup statement {i}", c) for i, c in enumerate(recheck.setup_chunks(
        "import numpy as np\nfrom course_utils.keras_helpers import keras, tf\n"
        "print(keras.__version__)\nrng = seed_everything(42, keras=True)\n"))]
    numpy_answer = [("answer cell start-sigmoid", "def sigmoid(z):\n    return -z")]
    keras_answer = [("answer cell keras-mlp", "def build():\n    return keras.Sequential([])")]
    kept = [c for _, c in recheck.without_unused_keras(setup + numpy_answer)]
    assert kept == ["import numpy as np", "rng = seed_everything(42, keras=True)",
                    numpy_answer[0][1]]
    assert recheck.without_unused_keras(setup + keras_answer) == setup + keras_answer


def test_setup_imports_no_other_code_mentions_are_dropped():
    setup = [(f"setup statement {i}", c) for i, c in enumerate(recheck.setup_chunks(
        "import matplotlib.pyplot as plt\nimport numpy as np\nimport os\n"
        "from sklearn import metrics as skm\nfrom course_utils import plotting, seed_everything\n"
        "GRADING = 'NBGRADER_EXECUTION' in os.environ\nrng = seed_everything(42)\n"))]
    answer = [("answer cell metrics-f1", "def f1(y, p):\n    return np.mean(y == p)  # skm?")]
    kept = [c for _, c in recheck.without_unused_imports(setup + answer)]
    assert kept == ["import numpy as np", "import os", "from sklearn import metrics as skm",
                    "from course_utils import seed_everything",
                    "GRADING = 'NBGRADER_EXECUTION' in os.environ", "rng = seed_everything(42)",
                    answer[0][1]]
    # a student's own cell that mentions a name keeps its import
    helper = [("a cell you added", "def show(x):\n    plt.plot(x)")]
    assert "import matplotlib.pyplot as plt" in [
        c for _, c in recheck.without_unused_imports(setup + helper)]


@pytest.mark.parametrize("array", [
    np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3).T, np.float64(2.5),
    np.array([1 + 2j, 3j]), np.array([True, False]), np.zeros((0, 3)),
    np.arange(4, dtype=">i4"), np.array(7, dtype=np.int8),
])
def test_arrays_travel_as_text_and_come_back_equal_with_their_dtype(array):
    got = recheck._unnpy(recheck._npy(array))
    assert got.dtype == np.asarray(array).dtype and got.shape == np.shape(array)
    assert np.array_equal(got, array) and got.flags.writeable


@pytest.mark.parametrize("text, why", [
    ("|O;2;" + base64.b64encode(b"\0" * 16).decode(), "dtype"),
    ("<U3;2;" + base64.b64encode(b"\0" * 24).decode(), "dtype"),
    ("|V8;1;" + base64.b64encode(b"\0" * 8).decode(), "dtype"),
    ("<f8;3;" + base64.b64encode(b"\0" * 16).decode(), "bytes"),
    ("<f8;-1;", "bytes"),
    ("<f8;2;not base64!", "unreadable"),
    ("<f8", "unreadable"),
    ("no-such-dtype;2;", "unreadable"),
])
def test_an_array_the_kernel_garbles_is_refused(text, why):
    with pytest.raises(recheck.RecheckError, match=why):
        recheck._unnpy(text)
