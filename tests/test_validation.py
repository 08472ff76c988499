"""Bad input to every public function of course_utils gets the project's error.

One registry lists a valid call of every public function and class (like scikit-learn's
``test_common.py``); the tests replace one argument at a time by an input of a known bad
class and check that a :class:`CourseInputError` names that argument. The classes are the
ones that used to give a silent wrong number: complex arrays (the imaginary part was
dropped), True/False where numbers are meant, text that numpy converts to numbers, integers
beyond what a float or an int64 holds (labels wrapped around), and the same for scalar
hyperparameters. A test fails when a public function is missing from the registry.

The graded checks of ``course_utils.testing`` raise :class:`CheckFailed` for the student's
value (that is a failed check, not a bad call) and ``CourseInputError`` for the test's own
arguments; both are covered.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pytest

from course_utils import (
    CourseInputError,
    batchnorm,
    data,
    ema,
    landscapes,
    losses,
    metrics,
    optimizers,
    testing,
)
from course_utils._validation import as_float_array, check_int64_range, check_real_dtype

MODULES = [losses, ema, optimizers, landscapes, batchnorm, metrics, data, testing]


@dataclass
class Call:
    """A valid call: ``run(**arrays, **scalars)``; the keys are the argument names.

    ``numbers`` are the arrays where True/False is refused (labels and masks accept it);
    ``labels`` are integer class labels (int64 range); ``flags`` are the True/False options.
    """

    run: Callable[..., Any]
    arrays: dict[str, Any] = field(default_factory=dict)
    numbers: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    scalars: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    covers: tuple[Any, ...] = ()

    def __call__(self, **override):
        kwargs = {**self.arrays, **self.scalars, **self.flags, **override}
        return self.run(**kwargs)


_Y01 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
_P = np.array([[0.7, 0.2, 0.6], [0.3, 0.9, 0.1]])
_YD = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
_PD = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
_W = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]])
_G = np.array([[0.5, -1.0, 2.0], [1.5, 0.1, -0.3]])
_S = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
_X = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 4.0], [0.0, 1.0, 2.0], [2.0, 2.0, 2.0]])
_D3 = np.array([1.0, 2.0, 3.0])
_T = np.array([0, 1, 1, 0, 1])
_Q = np.array([1, 1, 0, 0, 1])


def _loss_calls():
    out = {}
    for name, (fn, grad) in losses.LOSSES.items():
        if name == "sparse_categorical_crossentropy":
            arrays = {"y_true": np.array([1, 0]), "y_pred": _PD}
        elif name in ("categorical_crossentropy", "kl_divergence"):
            arrays = {"y_true": _YD, "y_pred": _PD}
        else:
            arrays = {"y_true": _Y01, "y_pred": _P}
        scalars = {"delta": 1.0} if name == "huber" else {}
        flags = {"from_logits": False} if "crossentropy" in name else {}
        for f in (fn, grad):
            out[f"losses.{f.__name__}"] = Call(
                lambda f=f, **kw: f(kw.pop("y_true"), kw.pop("y_pred"), **kw),
                arrays, numbers=frozenset({"y_pred"}), scalars=scalars, flags=flags,
                covers=(f,))
    return out


def _rule(name):
    rule = optimizers.UPDATE_RULES[name]
    state = {"sgd": [], "momentum": ["v"], "rmsprop": ["s"], "adam": ["v", "s"]}[name]
    arrays = {"w": _W, "dw": _G, **{k: _S for k in state}}
    scalars = {"lr": 0.1, **({"t": 2} if name == "adam" else {})}
    if name in ("momentum", "rmsprop"):
        scalars["beta"] = 0.9
    if name == "adam":
        scalars.update(beta1=0.9, beta2=0.999)
    if name in ("rmsprop", "adam"):
        scalars["eps"] = 1e-8

    def run(**kw):
        positional = [kw.pop(k) for k in ["w", "dw", *state]]
        if name == "adam":
            positional.append(kw.pop("t"))
        return rule(*positional, **kw)

    return Call(run, arrays, numbers=frozenset(arrays), scalars=scalars, covers=(rule,))


def _optimizer_step(name):
    cls = optimizers.OPTIMIZERS[name]
    scalars = {"lr": 0.1}

    def run(**kw):
        opt = cls(lr=kw.pop("lr"))
        params = {"W": kw.pop("params['W']")}
        opt.step(params, {"W": kw.pop("grads['W']")})
        return params

    arrays = {"params['W']": _W, "grads['W']": _G}
    return Call(run, arrays, numbers=frozenset(arrays), scalars=scalars, covers=(cls,))


def _landscape_calls():
    out = {}
    for entry in landscapes.LANDSCAPES.values():
        for fn in (entry.f, entry.grad):
            scalars = {"a": 1.0, "b": 100.0} if "rosenbrock" in fn.__name__ else {}
            out[f"landscapes.{fn.__name__}"] = Call(
                lambda fn=fn, **kw: fn(kw.pop("p"), **kw),
                {"p": np.array([[0.5, -1.0], [2.0, 0.25]])}, numbers=frozenset({"p"}),
                scalars=scalars, covers=(fn,))
    out["landscapes.elongated_quadratic(scales)"] = Call(
        lambda scales: landscapes.elongated_quadratic([1.0, 2.0], scales=scales),
        {"scales": (1.0, 50.0)}, numbers=frozenset({"scales"}))
    out["landscapes.meshgrid_values"] = Call(
        lambda n, f=landscapes.saddle: landscapes.meshgrid_values(f, (-1.0, 1.0), (-1.0, 1.0),
                                                                  n=n),
        scalars={"n": 5}, covers=(landscapes.meshgrid_values,))
    return out


def _bn_cache():
    return batchnorm.batchnorm_forward(_X, np.ones(3), np.zeros(3))[1]


def _bn_layer(**kw):
    layer = batchnorm.BatchNorm(3, momentum=kw.pop("momentum"), eps=kw.pop("eps"))
    return layer(kw.pop("x"), **kw)


_PRF = {"precision": metrics.precision, "recall": metrics.recall, "f1_score": metrics.f1_score}

CALLS: dict[str, Call] = {
    **_loss_calls(),
    "ema.ema": Call(lambda **kw: ema.ema(kw.pop("values"), **kw),
                    {"values": np.array([1.0, 2.0, 4.0])}, numbers=frozenset({"values"}),
                    scalars={"beta": 0.9}, flags={"bias_correction": True}, covers=(ema.ema,)),
    "ema.EMA.update": Call(lambda theta, beta, bias_correction: ema.EMA(
        beta, bias_correction=bias_correction).update(theta),
        {"theta": _D3}, numbers=frozenset({"theta"}), scalars={"beta": 0.9},
        flags={"bias_correction": False}, covers=(ema.EMA,)),
    **{f"optimizers.{n}_update": _rule(n) for n in optimizers.UPDATE_RULES},
    **{f"optimizers.{cls.__name__}.step": _optimizer_step(n)
       for n, cls in optimizers.OPTIMIZERS.items()},
    "optimizers.minimize": Call(
        lambda x0, steps: optimizers.minimize(landscapes.saddle_grad, x0, optimizers.SGD(lr=0.1),
                                              steps),
        {"x0": np.array([1.0, 0.5])}, numbers=frozenset({"x0"}), scalars={"steps": 3},
        covers=(optimizers.minimize,)),
    "optimizers.minimize(grad_fn)": Call(
        lambda **kw: optimizers.minimize(lambda x: kw["grad_fn(x)"], [1.0, 0.5],
                                         optimizers.SGD(lr=0.1), 2),
        {"grad_fn(x)": np.array([0.5, 1.0])}, numbers=frozenset({"grad_fn(x)"})),
    "optimizers.minibatches": Call(
        lambda batch_size, shuffle: optimizers.minibatches(_X, _T[:4], batch_size,
                                                           shuffle=shuffle),
        scalars={"batch_size": 2}, flags={"shuffle": False}, covers=(optimizers.minibatches,)),
    **_landscape_calls(),
    "batchnorm.batchnorm_forward": Call(
        lambda **kw: batchnorm.batchnorm_forward(kw.pop("x"), kw.pop("gamma"), kw.pop("beta"),
                                                 **kw),
        {"x": _X, "gamma": np.ones(3), "beta": np.zeros(3)},
        numbers=frozenset({"x", "gamma", "beta"}), scalars={"eps": 1e-3},
        covers=(batchnorm.batchnorm_forward,)),
    "batchnorm.batchnorm_backward": Call(
        lambda dout: batchnorm.batchnorm_backward(dout, _bn_cache()),
        {"dout": _X * 0.5}, numbers=frozenset({"dout"}), covers=(batchnorm.batchnorm_backward,)),
    "batchnorm.update_running_stats": Call(
        lambda running_mean, running_var, batch_mean, batch_var, momentum:
        batchnorm.update_running_stats(running_mean, running_var, batch_mean, batch_var,
                                       momentum=momentum),
        {"running_mean": np.zeros(3), "running_var": np.ones(3), "batch_mean": _D3,
         "batch_var": _D3}, numbers=frozenset({"running_mean", "running_var", "batch_mean",
                                               "batch_var"}),
        scalars={"momentum": 0.99}, covers=(batchnorm.update_running_stats,)),
    "batchnorm.batchnorm_inference": Call(
        lambda x, gamma, beta, running_mean, running_var, eps: batchnorm.batchnorm_inference(
            x, gamma, beta, running_mean, running_var, eps=eps),
        {"x": _X, "gamma": np.ones(3), "beta": np.zeros(3), "running_mean": np.zeros(3),
         "running_var": np.ones(3)},
        numbers=frozenset({"x", "gamma", "beta", "running_mean", "running_var"}),
        scalars={"eps": 1e-3}, covers=(batchnorm.batchnorm_inference,)),
    "batchnorm.BatchNorm": Call(_bn_layer, {"x": _X}, numbers=frozenset({"x"}),
                                scalars={"momentum": 0.99, "eps": 1e-3},
                                flags={"training": True}, covers=(batchnorm.BatchNorm,)),
    "metrics.confusion_matrix": Call(
        lambda y_true, y_pred, labels: metrics.confusion_matrix(y_true, y_pred, labels=labels),
        {"y_true": _T, "y_pred": _Q, "labels": np.array([0, 1])},
        labels=frozenset({"y_true", "y_pred", "labels"}), covers=(metrics.confusion_matrix,)),
    "metrics.accuracy": Call(metrics.accuracy, {"y_true": _T, "y_pred": _Q},
                             labels=frozenset({"y_true", "y_pred"}), covers=(metrics.accuracy,)),
    **{f"metrics.{n}": Call(lambda fn=fn, **kw: fn(kw.pop("y_true"), kw.pop("y_pred"), **kw),
                            {"y_true": _T, "y_pred": _Q}, labels=frozenset({"y_true", "y_pred"}),
                            scalars={"zero_division": 0.0}, covers=(fn,))
       for n, fn in _PRF.items()},
    "metrics.labels_from_probabilities": Call(
        lambda y_prob, threshold: metrics.labels_from_probabilities(y_prob, threshold=threshold),
        {"y_prob": np.array([0.2, 0.7, 0.5])}, numbers=frozenset({"y_prob"}),
        scalars={"threshold": 0.5}, covers=(metrics.labels_from_probabilities,)),
    "data.standardize": Call(lambda X_train: data.standardize(X_train, _X[:2] + 1.0),
                             {"X_train": _X},
                             numbers=frozenset({"X_train"}), covers=(data.standardize,)),
    "data.standardize(others)": Call(lambda **kw: data.standardize(_X, kw["others[0]"]),
                                     {"others[0]": _X},
                                     numbers=frozenset({"others[0]"})),
    "data.noisy_series": Call(lambda n, noise: data.noisy_series(
        n, rng=np.random.default_rng(0), noise=noise), scalars={"n": 5, "noise": 1.0},
        covers=(data.noisy_series,)),
    "data.load_breast_cancer_split": Call(
        lambda test_size, seed, scale: data.load_breast_cancer_split(
            test_size=test_size, seed=seed, scale=scale),
        scalars={"test_size": 0.25, "seed": 0}, flags={"scale": True},
        covers=(data.load_breast_cancer_split,)),
    "data.load_diabetes_split": Call(
        lambda test_size, seed: data.load_diabetes_split(test_size=test_size, seed=seed),
        scalars={"test_size": 0.25, "seed": 0}, covers=(data.load_diabetes_split,)),
    "data.load_digits_split": Call(
        lambda test_size, seed: data.load_digits_split(test_size=test_size, seed=seed),
        scalars={"test_size": 0.25, "seed": 0}, covers=(data.load_digits_split,)),
    "testing.assert_close": Call(
        lambda expected: testing.assert_close(np.array([1.0, 2.0]), expected, name="case"),
        {"expected": np.array([1.0, 2.0])}, covers=(testing.assert_close,)),
    "testing.numerical_gradient": Call(
        lambda x: testing.numerical_gradient(lambda z: float(np.sum(z**2)), x),
        {"x": _D3}, numbers=frozenset({"x"}), covers=(testing.numerical_gradient,)),
    "testing.numerical_gradient_array": Call(
        lambda dout: testing.numerical_gradient_array(lambda z: 2 * z, _D3, dout),
        {"dout": _D3}, numbers=frozenset({"dout"}), covers=(testing.numerical_gradient_array,)),
    "testing.rel_error": Call(lambda a, b: testing.rel_error(a, b), {"a": _D3, "b": _D3 + 1e-9},
                              covers=(testing.rel_error,)),
    "testing.assert_gradient_close": Call(
        lambda numeric: testing.assert_gradient_close(_D3.copy(), numeric, name="case"),
        {"numeric": _D3}, numbers=frozenset({"numeric"}),
        covers=(testing.assert_gradient_close,)),
}

# Data sets of others' making only take counts and a seed; their checks are their own tests'.
def _seeded(fn):
    return Call(lambda seed: fn(seed=seed), scalars={"seed": 0}, covers=(fn,))


for _name in ("digits_splits", "polynomial_regression_data"):
    if hasattr(data, _name):
        CALLS[f"data.{_name}"] = _seeded(getattr(data, _name))

# Student-facing checks: a bad student value is a failed check (CheckFailed), not a bad call.
STUDENT_CHECKS = {
    "testing.assert_close(actual)": lambda v: testing.assert_close(v, np.array([1.0, 2.0]),
                                                                   name="case"),
    "testing.assert_gradient_close(analytic)": lambda v: testing.assert_gradient_close(
        v, np.array([1.0, 2.0]), name="case"),
    "testing.assert_answered(value)": lambda v: testing.assert_answered(v, name="case",
                                                                        kind="float"),
}
_NO_CHECK_NEEDED = {
    # turns a student's output into "no match": it never raises
    "matching_mistake": testing.matching_mistake,
}


def _public_callables(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if not callable(obj) or isinstance(obj, dict):
            continue
        if inspect.isclass(obj) and (issubclass(obj, (tuple, Warning, Exception))
                                     or NamedTuple in getattr(obj, "__orig_bases__", ())):
            continue  # result types, warnings and exceptions take no input of their own
        yield name, obj


def test_registry_covers_every_public_function_and_class():
    covered = {id(c) for call in CALLS.values() for c in call.covers}
    covered |= {id(testing.assert_answered)} | {id(f) for f in _NO_CHECK_NEEDED.values()}
    missing = [f"{m.__name__}.{name}" for m in MODULES for name, obj in _public_callables(m)
               if id(obj) not in covered]
    assert not missing, f"add these to CALLS in tests/test_validation.py: {missing}"


def test_every_registered_call_is_valid_as_written():
    for call in CALLS.values():
        call()  # raises if the registry itself is wrong


# ----------------------------------------------------------------------------- bad classes


def _complex(value):
    arr = np.asarray(value, dtype=np.float64)
    return arr + 1j * (np.arange(arr.size).reshape(arr.shape) % 2 + 1)


#: Which array arguments each class of bad input applies to.
_APPLIES = {
    "complex": lambda call, arg: True,
    "text": lambda call, arg: True,
    "bool": lambda call, arg: arg in call.numbers,
    "too-large": lambda call, arg: arg in call.numbers,
    "int64": lambda call, arg: arg in call.labels,
}


def _cases(kind):
    for key, call in CALLS.items():
        for arg in call.arrays:
            if _APPLIES[kind](call, arg):
                yield pytest.param(key, arg, id=f"{key}-{arg}")


def _expect_error(call, arg, bad):
    with pytest.raises(CourseInputError) as info:
        call(**{arg: bad})
    assert f"`{arg}" in str(info.value), str(info.value)  # `scales[0]` names `scales`
    assert "\nHint: " in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize(("key", "arg"), list(_cases("complex")))
def test_complex_arrays_are_refused_not_truncated(key, arg):
    call = CALLS[key]
    message = _expect_error(call, arg, _complex(call.arrays[arg]))
    assert "complex" in message


@pytest.mark.parametrize(("key", "arg"), list(_cases("bool")))
def test_true_false_is_refused_where_numbers_are_meant(key, arg):
    call = CALLS[key]
    bad = np.asarray(call.arrays[arg], dtype=np.float64) > 0.4
    message = _expect_error(call, arg, bad)
    assert "True/False" in message


@pytest.mark.parametrize(("key", "arg"), list(_cases("text")))
def test_text_is_refused_even_when_it_reads_as_numbers(key, arg):
    call = CALLS[key]
    _expect_error(call, arg, np.asarray(call.arrays[arg]).astype(str))


@pytest.mark.parametrize(("key", "arg"), list(_cases("too-large")))
def test_integers_too_large_for_a_float_are_refused(key, arg):
    call = CALLS[key]
    bad = np.asarray(call.arrays[arg], dtype=np.float64).astype(object)
    bad.flat[0] = 10**400
    message = _expect_error(call, arg, bad)
    assert "too large" in message


@pytest.mark.parametrize(("key", "arg"), list(_cases("int64")))
@pytest.mark.parametrize("form", ["uint64", "python-int", "float"])
def test_labels_beyond_int64_are_refused_not_wrapped(key, arg, form):
    call = CALLS[key]
    good = np.asarray(call.arrays[arg])
    if form == "uint64":
        bad = good.astype(np.uint64)
        bad[0] = 2**64 - 1
    elif form == "python-int":
        bad = good.astype(object)
        bad[0] = 2**70
    else:
        bad = good.astype(np.float64)
        bad[0] = 1e19
    message = _expect_error(call, arg, bad)
    assert "int64" in message or "class labels in [0" in message


def _scalar_cases():
    for key, call in CALLS.items():
        for arg, value in call.scalars.items():
            bads = {"complex": complex(value) + 1j, "text": str(value), "bool": True}
            for kind, bad in bads.items():
                yield pytest.param(key, arg, bad, id=f"{key}-{arg}-{kind}")
        for arg in call.flags:
            for kind, bad in {"complex": 1 + 0j, "text": "True", "int": 1}.items():
                yield pytest.param(key, arg, bad, id=f"{key}-{arg}-{kind}")


@pytest.mark.parametrize(("key", "arg", "bad"), list(_scalar_cases()))
def test_scalar_options_refuse_complex_text_and_bool(key, arg, bad):
    call = CALLS[key]
    with pytest.raises(CourseInputError) as info:
        call(**{arg: bad})
    assert f"`{arg}" in str(info.value), str(info.value)


@pytest.mark.parametrize("key", list(STUDENT_CHECKS))
@pytest.mark.parametrize("bad", [np.array([1.0 + 1j, 2.0]), np.array([True, False]),
                                 np.array(["1.0", "2.0"]), 1 + 0j],
                         ids=["complex", "bool", "text", "complex-scalar"])
def test_student_values_of_a_bad_kind_fail_the_check_by_name(key, bad):
    with pytest.raises(testing.CheckFailed, match=r"^case: "):
        STUDENT_CHECKS[key](bad)


# ----------------------------------------------------------------------------- the helpers


def test_as_float_array_allows_bool_only_when_asked_and_never_aliases():
    mask = np.array([True, False])
    out = as_float_array(mask, "mask")
    assert out.dtype == np.float64 and out.tolist() == [1.0, 0.0]
    with pytest.raises(CourseInputError, match=r"`w` must hold numbers, not True/False"):
        as_float_array(mask, "w", allow_bool=False)
    x = np.array([1.0, 2.0])
    assert not np.shares_memory(as_float_array(x, "x"), x)


def test_as_float_array_accepts_object_arrays_of_numbers_and_huge_python_ints():
    assert as_float_array(np.array([1, 2.5], dtype=object), "x").tolist() == [1.0, 2.5]
    assert as_float_array([2**70], "x")[0] == float(2**70)


def test_complex_message_says_where_and_why():
    with pytest.raises(CourseInputError) as info:
        check_real_dtype(np.array([1.0, 2.0 + 3j]), "x")
    assert "x[1]=(2+3j)" in str(info.value)
    assert "root or log of a negative number" in str(info.value)


def test_a_complex_array_with_zero_imaginary_part_is_still_refused():
    with pytest.raises(CourseInputError, match="complex"):
        as_float_array(np.array([1.0 + 0j]), "x")


@pytest.mark.parametrize("arr", [np.array([2**63], dtype=np.uint64),
                                 np.array([2**63, 0], dtype=object), np.array([2.0**63]),
                                 np.array([-(2.0**63) * 2])])
def test_check_int64_range_refuses_what_int64_cannot_hold(arr):
    with pytest.raises(CourseInputError, match=r"`y` must hold integers in the int64 range"):
        check_int64_range(arr, "y")


@pytest.mark.parametrize("arr", [np.array([2**63 - 1], dtype=np.uint64),
                                 np.array([-(2**63)], dtype=object), np.array([-(2.0**63)]),
                                 np.array([1, 2])])
def test_check_int64_range_accepts_the_edges(arr):
    check_int64_range(arr, "y")
