"""course_utils.testing and course_utils._validation: the checks graded cells rely on."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils
from course_utils import CourseInputError, seed_everything
from course_utils import _validation as v
from course_utils.testing import (
    CheckFailed,
    assert_close,
    assert_gradient_close,
    matching_mistake,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)


def test_assert_close_accepts_equal_arrays_and_numbers_within_tolerance():
    assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), name="ok", rtol=1e-6)
    assert_close(2.0, 2.0 + 1e-9, name="ok")
    assert_close(np.float32(0.5), 0.5, name="numpy scalar")


def test_assert_close_names_a_forgotten_return():
    with pytest.raises(CheckFailed, match=r"got None\.\nHint: did you forget a `return`\?"):
        assert_close(None, np.zeros(2), name="case")


@pytest.mark.parametrize("bad", [[1.0, 2.0], (1.0, 2.0), np.ma.array([1.0, 2.0])])
def test_assert_close_requires_a_plain_ndarray(bad):
    with pytest.raises(CheckFailed, match="expected a numpy.ndarray"):
        assert_close(bad, np.array([1.0, 2.0]), name="case")


def test_assert_close_refuses_an_always_equal_object():
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return True

    fake = np.zeros(2).view(AlwaysEqual)
    with pytest.raises(CheckFailed, match="subclass of numpy.ndarray"):
        assert_close(fake, np.array([1.0, 2.0]), name="case")


def test_assert_close_refuses_an_array_where_a_number_is_expected():
    with pytest.raises(CheckFailed, match=r"expected a number .* got ndarray with shape \(3,\)"):
        assert_close(np.ones(3), 1.0, name="mean loss")


def test_assert_close_does_not_broadcast_shapes():
    with pytest.raises(CheckFailed, match=r"expected shape \(3,\), got shape \(3, 3\)"):
        assert_close(np.ones((3, 3)), np.ones(3), name="case")
    with pytest.raises(CheckFailed, match=r"expected shape \(2,\), got shape \(1,\)"):
        assert_close(np.ones(1), np.ones(2), name="case")


def test_assert_close_rejects_nan_even_when_nan_is_expected():
    with pytest.raises(CheckFailed, match="non-finite value nan at index \\(1,\\)"):
        assert_close(np.array([1.0, np.nan]), np.array([1.0, np.nan]), name="case")


def test_assert_close_reports_first_mismatch_count_and_tolerances():
    with pytest.raises(CheckFailed) as info:
        assert_close(np.array([1.0, 2.5, 3.5]), np.array([1.0, 2.0, 3.0]), name="case",
                     rtol=1e-6, atol=1e-8, hint="check the sign")
    msg = str(info.value)
    assert "2 of 3 values differ; first at index (1,): expected 2.0, got 2.5" in msg
    assert "rtol=1e-06, atol=1e-08" in msg and msg.endswith("Hint: check the sign")


def test_assert_close_names_a_known_mistake():
    expected = np.array([1.0, 2.0])
    with pytest.raises(CheckFailed, match="Hint: it looks like the bias correction is missing"):
        assert_close(np.array([0.1, 0.2]), expected, name="ema",
                     mistakes={"t starts at 0": np.array([9.0, 9.0]),
                               "the bias correction is missing": np.array([0.1, 0.2])})


def test_matching_mistake_ignores_other_shapes_and_returns_none_without_match():
    assert matching_mistake(np.ones(2), {"x": np.ones(3)}) is None
    assert matching_mistake(np.ones(2), {"x": np.ones(2)}) == "x"
    assert matching_mistake(np.array([np.inf]), {"inf": np.array([np.inf])}) == "inf"


def test_numerical_gradient_of_a_quadratic_is_exact_and_keeps_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda z: float(np.sum(z**2)), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_array_matches_a_linear_map():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 2))
    x = rng.normal(size=(4, 3))
    dout = rng.normal(size=(4, 2))
    grad = numerical_gradient_array(lambda z: z @ W, x, dout)
    np.testing.assert_allclose(grad, dout @ W.T, rtol=1e-7, atol=1e-9)


def test_rel_error_and_gradient_check():
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert_gradient_close(np.array([2.0]), np.array([2.0 + 1e-9]), name="g")
    with pytest.raises(CheckFailed, match="relative error"):
        assert_gradient_close(np.array([2.0]), np.array([4.0]), name="g")


def test_validation_errors_name_argument_expected_received_and_hint():
    with pytest.raises(CourseInputError, match=r"`y_true` and `y_pred` must have the same shape\. "
                       r"Received: y_true\.shape=\(2,\), y_pred\.shape=\(3,\)\.\nHint:"):
        v.check_same_shape(np.ones(2), np.ones(3), "y_true", "y_pred")
    with pytest.raises(CourseInputError, match=r"`x` contains NaN \(first at index \(1,\)"):
        v.as_float_array([1.0, np.nan], "x")
    with pytest.raises(CourseInputError, match=r"`x` contains inf"):
        v.as_float_array([np.inf], "x")
    with pytest.raises(CourseInputError, match=r"`x` is empty"):
        v.as_float_array([], "x")
    with pytest.raises(CourseInputError, match=r"(?s)`x` is None.*forget to `return`"):
        v.as_float_array(None, "x")
    with pytest.raises(CourseInputError, match=r"`beta` must be a float in \[0, 1\)\. "
                                               r"Received: beta=1\.0"):
        v.check_beta(1.0)
    with pytest.raises(CourseInputError, match=r"`lr` must be positive\. Received: lr=0\.0"):
        v.check_positive(0.0, "lr")
    with pytest.raises(CourseInputError,
                       match=r"(?s)`p` must lie in \[0\.0, 1\.0\]. Received: p\[1\]=1\.5.*logits"):
        v.check_probabilities(np.array([0.2, 1.5]), "p")
    with pytest.raises(CourseInputError, match=r"each row of `p` must sum to 1"):
        v.check_probabilities(np.array([[0.2, 0.2]]), "p", axis=-1)
    assert issubclass(CourseInputError, ValueError)


def test_as_float_array_copies_its_input():
    x = np.array([1.0, 2.0])
    y = v.as_float_array(x, "x")
    y[0] = 99.0
    assert x[0] == 1.0


def test_seed_everything_is_repeatable_and_checks_its_seed():
    a = seed_everything(3, keras=False).normal(size=3), np.random.rand(2)  # noqa: NPY002
    b = seed_everything(3, keras=False).normal(size=3), np.random.rand(2)  # noqa: NPY002
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    for bad in (-1, 1.5, True, "1"):
        with pytest.raises(CourseInputError, match="`seed` must be a non-negative integer"):
            seed_everything(bad)
    assert course_utils.__version__
