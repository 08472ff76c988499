"""course_utils.ema: the lecture's recurrence, bias correction, and the streaming class."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import CourseInputError
from course_utils.ema import EMA, ema
from course_utils.testing import assert_close


def ema_loop(values, beta, *, bias_correction=False):
    """The recurrence exactly as on the slide, one step at a time (the trusted reference)."""
    values = np.asarray(values, dtype=np.float64)
    v = np.zeros(values.shape[1:])
    out = np.empty_like(values)
    for t in range(1, len(values) + 1):
        v = beta * v + (1 - beta) * values[t - 1]
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def test_ema_first_steps_match_the_lecture_by_hand():
    theta = [10.0, 20.0, 30.0]
    v1 = 0.9 * 0 + 0.1 * 10  # V1 = 0.9 * V0 + 0.1 * theta1, V0 = 0
    v2 = 0.9 * v1 + 0.1 * 20
    v3 = 0.9 * v2 + 0.1 * 30
    assert_close(ema(theta, beta=0.9), np.array([v1, v2, v3]), name="EMA beta=0.9",
                 rtol=1e-12, hint="V_0 = 0 and V_1 = 0.1 * theta_1")
    assert_close(ema(theta, 0.9, bias_correction=True),
                 np.array([v1 / 0.1, v2 / 0.19, v3 / 0.271]), name="bias-corrected", rtol=1e-12)


def test_ema_of_a_constant_with_bias_correction_is_that_constant():
    for beta in (0.0, 0.5, 0.9, 0.999):
        assert_close(ema(np.full(500, 3.5), beta, bias_correction=True), np.full(500, 3.5),
                     name=f"bias-corrected EMA of 3.5, beta={beta}", rtol=1e-12)


def test_ema_without_correction_starts_biased_towards_zero():
    v = ema(np.ones(50), 0.9)
    assert_close(v, 1 - 0.9 ** np.arange(1, 51), name="EMA of ones = 1 - beta^t", rtol=1e-12)


def test_ema_with_beta_zero_returns_the_values():
    x = np.random.default_rng(0).normal(size=20)
    assert_close(ema(x, 0.0), x, name="beta = 0", rtol=0, atol=0)


@pytest.mark.parametrize("bias_correction", [False, True])
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("n", [1, 2, 3, 17, 1000, 10_000])
def test_ema_equals_a_plain_python_loop(n, beta, bias_correction):
    x = np.random.default_rng(n).normal(1.0, 3.0, size=n)
    expected = ema_loop(x, beta, bias_correction=bias_correction)
    scale = np.max(np.abs(x))
    assert_close(ema(x, beta, bias_correction=bias_correction), expected,
                 name=f"n={n}, beta={beta}", rtol=1e-12, atol=1e-12 * scale)


def test_ema_of_2d_input_averages_each_column_along_axis_0():
    x = np.random.default_rng(1).normal(size=(300, 4))
    got = ema(x, 0.95, bias_correction=True)
    assert got.shape == (300, 4)
    for j in range(4):
        assert_close(got[:, j], ema(x[:, j], 0.95, bias_correction=True), name=f"column {j}",
                     rtol=1e-12, atol=1e-14)
    assert_close(got, ema_loop(x, 0.95, bias_correction=True), name="2-D vs loop",
                 rtol=1e-12, atol=1e-14)


def test_ema_does_not_modify_its_input_and_returns_float64():
    x = np.arange(10, dtype=np.float64)
    saved = x.copy()
    out = ema(x, 0.9, bias_correction=True)
    out[:] = -1
    np.testing.assert_array_equal(x, saved)
    assert type(out) is np.ndarray and out.dtype == np.float64
    assert_close(ema(list(range(3)), 0.5), np.array([0.0, 0.5, 1.25]), name="list input")


@pytest.mark.parametrize("bias_correction", [False, True])
def test_ema_class_gives_the_same_values_as_the_ema_function(bias_correction):
    x = np.random.default_rng(2).normal(size=200)
    avg = EMA(0.9, bias_correction=bias_correction)
    streamed = np.array([avg.update(theta) for theta in x])
    assert_close(streamed, ema(x, 0.9, bias_correction=bias_correction), name="EMA class",
                 rtol=1e-12, atol=1e-14)
    assert avg.t == 200
    assert avg.value == pytest.approx(streamed[-1], rel=0, abs=0)


def test_ema_class_on_vectors_returns_arrays_and_matches_2d_ema():
    x = np.random.default_rng(3).normal(size=(50, 3))
    avg = EMA(0.8, bias_correction=True)
    rows = [avg.update(row) for row in x]
    assert all(type(r) is np.ndarray and r.shape == (3,) for r in rows)
    assert_close(np.array(rows), ema(x, 0.8, bias_correction=True), name="vector EMA",
                 rtol=1e-12, atol=1e-14)
    rows[-1][:] = 0  # the returned array is a copy, not the internal state
    assert not np.allclose(avg.value, 0)


def test_ema_class_starts_at_zero_returns_floats_and_resets():
    avg = EMA(0.9)
    assert avg.t == 0 and avg.value == 0.0
    first = avg.update(10.0)
    assert type(first) is float and first == pytest.approx(1.0, rel=1e-12)
    assert avg.update(20.0) == pytest.approx(0.9 * 1.0 + 2.0, rel=1e-12)
    avg.reset()
    assert avg.t == 0 and avg.value == 0.0
    assert avg.update(10.0) == pytest.approx(1.0, rel=1e-12)
    assert avg.beta == 0.9 and avg.bias_correction is False


def test_ema_class_bias_correction_first_value_is_theta_1():
    avg = EMA(0.999, bias_correction=True)
    assert avg.update(7.0) == pytest.approx(7.0, rel=1e-12)


@pytest.mark.parametrize(("beta", "match"), [
    (1.0, r"`beta` must be a float in \[0, 1\)\. Received: beta=1\.0"),
    (-0.1, r"`beta` must be a float in \[0, 1\)\. Received: beta=-0\.1"),
    (float("nan"), r"`beta` must be finite"),
    ("0.9", r"`beta` must be a real number"),
])
def test_bad_beta_raises_for_function_and_class(beta, match):
    with pytest.raises(CourseInputError, match=match):
        ema([1.0, 2.0], beta)
    with pytest.raises(CourseInputError, match=match):
        EMA(beta)


@pytest.mark.parametrize(("values", "match"), [
    ([1.0, np.nan, 3.0], r"`values` contains NaN \(first at index \(1,\)"),
    ([1.0, np.inf], r"`values` contains inf"),
    ([], r"`values` is empty"),
    (np.zeros((0, 3)), r"`values` is empty"),
    (5.0, r"`values` must have 1 or 2 dimension\(s\)"),
    (np.zeros((2, 2, 2)), r"`values` must have 1 or 2 dimension\(s\)"),
    (None, r"`values` is None"),
])
def test_bad_values_raise_naming_the_argument(values, match):
    with pytest.raises(CourseInputError, match=match):
        ema(values, 0.9)


def test_ema_class_rejects_bad_updates():
    avg = EMA(0.9)
    with pytest.raises(CourseInputError, match=r"`theta` contains NaN"):
        avg.update(np.nan)
    avg.update([1.0, 2.0])
    with pytest.raises(CourseInputError, match=r"`theta` must have the same shape.*\(3,\)"):
        avg.update([1.0, 2.0, 3.0])
    assert avg.t == 1  # a rejected update changes nothing


def test_bias_correction_flag_must_be_bool():
    with pytest.raises(CourseInputError, match=r"`bias_correction` must be True or False"):
        ema([1.0], 0.9, bias_correction="yes")
    with pytest.raises(TypeError):
        EMA(0.9, True)  # keyword-only


def test_complex_and_boolean_values_are_refused():
    with pytest.raises(CourseInputError, match="`values` must hold real numbers"):
        ema(np.array([1.0, 2.0 + 1j]))
    with pytest.raises(CourseInputError, match="`values` must hold numbers, not True/False"):
        ema(np.array([True, False, True]))
    with pytest.raises(CourseInputError, match="`theta` must hold real numbers"):
        EMA(0.9).update(1 + 2j)
