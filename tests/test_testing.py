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
    with pytest.raises(CheckFailed, match=r"subclass of\snumpy.ndarray"):
        assert_close(fake, np.array([1.0, 2.0]), name="case")


def test_assert_close_refuses_an_array_where_a_number_is_expected():
    with pytest.raises(CheckFailed, match=r"expected a number .* got ndarray with shape\s\(3,\)"):
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
    assert msg.startswith("case: 2 of 3 values differ (rtol=1e-06, atol=1e-08).\n"
                          "First at index (1,): expected 2.0, got 2.5.\n")
    assert msg.endswith("Hint: check the sign")


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


# ------------------------------------------------------------------ messages that never mislead


def test_shape_mismatch_says_nothing_about_axes_unless_the_test_knows_the_axis():
    with pytest.raises(CheckFailed) as info:
        assert_close(np.ones(4), np.ones(3), name="running mean")
    assert str(info.value) == "running mean: expected shape (3,), got shape (4,)."
    with pytest.raises(CheckFailed) as info:
        assert_close(np.ones(4), np.ones(3), name="running mean",
                     axis_hint="statistics are per feature: reduce over the batch, axis=0.")
    assert str(info.value).endswith(
        "got shape (4,).\nHint: statistics are per feature: reduce over the batch, axis=0.")


def test_square_result_of_broadcasting_is_named_without_an_axis_hint():
    with pytest.raises(CheckFailed) as info:
        assert_close(np.ones((3, 3)), np.ones(3), name="loss")
    assert "broadcast to (n, n)" in str(info.value) and "axis" not in str(info.value)


def test_value_mismatch_without_a_known_mistake_says_where_and_how_much():
    with pytest.raises(CheckFailed) as info:
        assert_close(np.array([1.0, 2.0, 3.3, 4.0]), np.array([1.0, 2.0, 3.0, 5.0]),
                     name="case", hint="look at the last two outputs")
    msg = str(info.value)
    assert "2 of 4 values differ" in msg and "First at index (2,): expected 3.0, got 3.3." in msg
    assert "Largest error 1 (relative 0.2)." in msg
    assert msg.endswith("Hint: look at the last two outputs")


@pytest.mark.parametrize(("actual", "pattern"), [
    (-np.array([1.0, 2.0, 4.0]), "Every value has the wrong sign."),
    (np.array([2.0, 4.0, 8.0]), "Every value is 2 times the expected one (a factor"),
    (np.array([1.5, 2.5, 4.5]), "Every value is shifted by 0.5 from the expected one."),
])
def test_value_mismatch_names_a_simple_pattern(actual, pattern):
    with pytest.raises(CheckFailed) as info:
        assert_close(actual, np.array([1.0, 2.0, 4.0]), name="case")
    assert pattern in " ".join(str(info.value).split())


def test_a_known_mistake_is_named_instead_of_a_pattern():
    with pytest.raises(CheckFailed) as info:
        assert_close(np.array([2.0, 4.0]), np.array([1.0, 2.0]), name="case",
                     mistakes={"you summed instead of averaging": np.array([2.0, 4.0])})
    assert "times the expected" not in str(info.value)
    assert str(info.value).endswith("Hint: it looks like you summed instead of averaging.")


def test_complex_or_boolean_results_fail_the_check_and_complex_expected_is_refused():
    with pytest.raises(CheckFailed, match=r"dtype=complex128 \(complex\snumbers"):
        assert_close(np.array([1.0 + 1e-3j]), np.array([1.0]), name="case")
    with pytest.raises(CheckFailed, match=r"dtype=bool \(True/False"):
        assert_close(np.array([True]), np.array([1.0]), name="case")
    with pytest.raises(CourseInputError, match="`expected` must hold real numbers"):
        assert_close(np.array([1.0]), np.array([1.0 + 1j]), name="case")
    assert matching_mistake(np.array([1.0 + 1j]), {"m": np.array([1.0])}) is None
    assert matching_mistake(np.array([1.0]), {"m": np.array([1.0 + 1j])}) is None


def test_checking_functions_hide_their_frames_from_ipython_tracebacks():
    import course_utils.testing as t
    for fn in (t.assert_close, t.assert_answered, t.assert_gradient_close, t._as_checked_array):
        assert "__tracebackhide__" in fn.__code__.co_varnames, fn.__name__


def test_ipython_shows_at_most_the_raising_frame_of_a_check():
    """In a real kernel (ipykernel 7), the frames of the checks collapse to "[... skipping
    hidden N frame]"; IPython always shows the frame that raised, so one course_utils frame
    stays, right above the message."""
    import re

    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom course_utils.testing import "
                                  "assert_close"),
        nbformat.v4.new_code_cell("assert_close([1.0], np.array([1.0]), name='case')"),
    ]
    nbclient.NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    (error,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert "skipping hidden 1 frame" in text
    assert text.count("course_utils/testing.py") == 1
    assert text.rstrip().endswith("Hint: return a plain numpy array, e.g. np.asarray(result).")


def test_every_line_of_a_failure_fits_the_validate_dialog():
    """nbgrader validate cuts each line of an error at 87 characters (indent 4, "CheckFailed: ")."""
    with pytest.raises(CheckFailed) as info:
        assert_close(np.array([2.0, 4.0, 8.0]), np.array([1.0, 2.0, 4.0]),
                     name="out for x=[[1, 10, -1], [3, 30, 1]], gamma=[2, -1, 0.5]",
                     hint="out = gamma * z_norm + beta, per feature (column); if the test above "
                          "fails too, fix z_norm first.")
    lines = str(info.value).split("\n")
    assert all(len(line) <= 70 for line in lines), lines
    assert lines[-2:] == ["Hint: out = gamma * z_norm + beta, per feature (column); if the test",
                          "above fails too, fix z_norm first."]
