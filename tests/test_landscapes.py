"""course_utils.landscapes: values at known points, gradients, batches, the registry, errors."""

from __future__ import annotations

import functools
import inspect

import numpy as np
import pytest

from course_utils import CourseInputError, landscapes
from course_utils.landscapes import (
    LANDSCAPES,
    elongated_quadratic,
    elongated_quadratic_grad,
    meshgrid_values,
    rosenbrock,
    rosenbrock_grad,
    saddle,
    saddle_grad,
)
from course_utils.testing import assert_gradient_close, numerical_gradient

# (name, keyword hyperparameters): every landscape with defaults, plus non-default ones.
VARIANTS = [(name, {}) for name in LANDSCAPES] + [
    ("rosenbrock", {"a": 2.0, "b": 10.0}),
    ("rosenbrock", {"a": -0.5, "b": 1.0}),
    ("elongated_quadratic", {"scales": (3.0, 0.2)}),
]
VARIANT_IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in VARIANTS]


def test_registry_lists_every_landscape_with_its_gradient():
    public = {name for name in landscapes.__all__
              if inspect.isfunction(getattr(landscapes, name))
              and name + "_grad" in landscapes.__all__}
    assert public == set(LANDSCAPES)
    for name, entry in LANDSCAPES.items():
        assert entry.f is getattr(landscapes, name)
        assert entry.grad is getattr(landscapes, name + "_grad")
        f, grad, minimum = entry  # a plain 3-tuple for the notebooks
        assert minimum is None or (isinstance(minimum, tuple) and len(minimum) == 2)


@pytest.mark.parametrize(("p", "expected"), [
    ([1.0, 1.0], 0.0), ([0.0, 0.0], 1.0), ([-1.0, 1.0], 4.0), ([0.0, 1.0], 101.0),
    ([2.0, 3.0], 101.0),
])
def test_rosenbrock_values_at_known_points(p, expected):
    value = rosenbrock(p)
    assert type(value) is float
    assert value == pytest.approx(expected, rel=1e-15, abs=0)


def test_rosenbrock_minimum_moves_with_a():
    assert rosenbrock([2.0, 4.0], a=2.0, b=7.0) == 0.0
    assert rosenbrock([0.0, 0.0], a=2.0, b=7.0) == 4.0
    np.testing.assert_array_equal(rosenbrock_grad([2.0, 4.0], a=2.0, b=7.0), [0.0, 0.0])


def test_saddle_and_elongated_quadratic_values_at_known_points():
    assert saddle([0.0, 0.0]) == 0.0
    assert saddle([1.0, 2.0]) == -3.0
    assert saddle([3.0, 0.0]) == 9.0
    assert elongated_quadratic([0.0, 0.0]) == 0.0
    assert elongated_quadratic([1.0, 1.0]) == 25.5  # 0.5 * (1 + 50)
    assert elongated_quadratic([2.0, -1.0], scales=(3.0, 4.0)) == 8.0  # 0.5 * (12 + 4)
    np.testing.assert_array_equal(saddle_grad([1.0, 2.0]), [2.0, -4.0])
    np.testing.assert_array_equal(elongated_quadratic_grad([2.0, -1.0], scales=(3.0, 4.0)),
                                  [6.0, -4.0])


@pytest.mark.parametrize("name", [n for n, entry in LANDSCAPES.items()
                                  if entry.minimum is not None])
def test_registered_minimum_is_a_minimum(name):
    f, grad, minimum = LANDSCAPES[name]
    assert f(minimum) == 0.0
    np.testing.assert_array_equal(grad(minimum), [0.0, 0.0])
    _, _, Z = meshgrid_values(f, (-3.0, 3.0), (-3.0, 3.0), n=41)
    assert Z.min() >= 0.0


def test_saddle_origin_is_stationary_but_not_a_minimum():
    np.testing.assert_array_equal(saddle_grad([0.0, 0.0]), [0.0, 0.0])
    assert saddle([0.0, 1e-3]) < 0.0 < saddle([1e-3, 0.0])


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_gradient_matches_numerical_gradient(name, kw):
    f, grad, _ = LANDSCAPES[name]
    rng = np.random.default_rng(0)
    for p in rng.uniform(-2.0, 2.0, size=(5, 2)):
        numeric = numerical_gradient(lambda q: f(q, **kw), p, h=1e-6)
        assert_gradient_close(grad(p, **kw), numeric, name=f"{name}_grad at {p}",
                              max_rel_error=1e-7)


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_batch_of_points_equals_rowwise(name, kw):
    f, grad, _ = LANDSCAPES[name]
    P = np.random.default_rng(1).normal(size=(7, 2))
    P_before = P.copy()
    values, grads = f(P, **kw), grad(P, **kw)
    assert isinstance(values, np.ndarray) and values.shape == (7,)
    assert values.dtype == np.float64
    assert grads.shape == (7, 2) and grads.dtype == np.float64
    np.testing.assert_array_equal(values, [f(p, **kw) for p in P])
    np.testing.assert_array_equal(grads, np.array([grad(p, **kw) for p in P]))
    np.testing.assert_array_equal(P, P_before)  # input not modified
    assert not np.shares_memory(grads, P)


@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_accepts_lists_and_integers_and_one_row_batches(name):
    f, grad, _ = LANDSCAPES[name]
    assert type(f([1, 2])) is float
    assert grad([1, 2]).shape == (2,) and grad([1, 2]).dtype == np.float64
    assert f([[1.0, 2.0]]).shape == (1,)
    assert grad([[1.0, 2.0]]).shape == (1, 2)


def test_meshgrid_values_orientation_and_values():
    X, Y, Z = meshgrid_values(rosenbrock, (-2.0, 2.0), (-1.0, 3.0), n=5)
    assert X.shape == Y.shape == Z.shape == (5, 5)
    np.testing.assert_array_equal(X[0], np.linspace(-2.0, 2.0, 5))  # x varies along columns
    np.testing.assert_array_equal(Y[:, 0], np.linspace(-1.0, 3.0, 5))  # y along rows
    expected = np.array([[rosenbrock([x, y]) for x, y in zip(xr, yr, strict=True)]
                         for xr, yr in zip(X, Y, strict=True)])
    np.testing.assert_array_equal(Z, expected)


def test_meshgrid_values_with_bound_hyperparameters():
    f = functools.partial(elongated_quadratic, scales=(2.0, 8.0))
    X, Y, Z = meshgrid_values(f, (-1.0, 1.0), (-1.0, 1.0), n=3)
    np.testing.assert_array_equal(Z, X**2 + 4.0 * Y**2)


@pytest.mark.parametrize("bad", [
    [1.0, 2.0, 3.0], np.zeros((4, 3)), np.zeros((2, 2, 2)), 1.0, [], np.zeros((0, 2)),
])
@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_points_of_wrong_shape_are_rejected(name, bad):
    f, grad, _ = LANDSCAPES[name]
    for fn in (f, grad):
        with pytest.raises(CourseInputError, match=r"`p`[\s\S]*Hint:"):
            fn(bad)


@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_non_finite_and_missing_points_are_rejected(name):
    f, grad, _ = LANDSCAPES[name]
    with pytest.raises(CourseInputError, match=r"`p` contains NaN"):
        f([np.nan, 1.0])
    with pytest.raises(CourseInputError, match=r"`p` contains inf"):
        grad([[0.0, 0.0], [np.inf, 1.0]])
    with pytest.raises(CourseInputError, match=r"`p` is None.*\n.*return"):
        f(None)


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(CourseInputError, match=r"`b` must be positive\. Received: b=0\.0"):
        rosenbrock([0.0, 0.0], b=0.0)
    with pytest.raises(CourseInputError, match=r"`b` must be positive"):
        rosenbrock_grad([0.0, 0.0], b=-1.0)
    with pytest.raises(CourseInputError, match=r"`a` must be finite"):
        rosenbrock([0.0, 0.0], a=np.nan)
    with pytest.raises(CourseInputError, match=r"`scales` must be two numbers[\s\S]*Hint:"):
        elongated_quadratic([0.0, 0.0], scales=(1.0, 2.0, 3.0))
    with pytest.raises(CourseInputError, match=r"`scales\[1\]` must be positive"):
        elongated_quadratic_grad([0.0, 0.0], scales=(1.0, 0.0))
    with pytest.raises(TypeError):  # hyperparameters are keyword-only
        rosenbrock([0.0, 0.0], 1.0, 100.0)


def test_meshgrid_values_errors():
    with pytest.raises(CourseInputError, match=r"`xlim` must be finite with low < high"):
        meshgrid_values(saddle, (1.0, -1.0), (-1.0, 1.0))
    with pytest.raises(CourseInputError, match=r"`ylim` must be two numbers"):
        meshgrid_values(saddle, (-1.0, 1.0), 3.0)
    with pytest.raises(CourseInputError, match=r"`n` must be an integer >= 2"):
        meshgrid_values(saddle, (-1.0, 1.0), (-1.0, 1.0), n=1)
    with pytest.raises(CourseInputError, match=r"`n` must be an integer >= 2"):
        meshgrid_values(saddle, (-1.0, 1.0), (-1.0, 1.0), n=10.0)
    with pytest.raises(CourseInputError, match=r"`f` must return one value per point"):
        meshgrid_values(saddle_grad, (-1.0, 1.0), (-1.0, 1.0), n=4)


def test_meshgrid_values_refuses_a_complex_function_and_boolean_points():
    with pytest.raises(CourseInputError, match=r"`f\(p\)` must hold real numbers"):
        meshgrid_values(lambda p: p[:, 0] + 1j, (-1.0, 1.0), (-1.0, 1.0), n=3)
    with pytest.raises(CourseInputError, match="`p` must hold numbers, not True/False"):
        rosenbrock(np.array([True, False]))
