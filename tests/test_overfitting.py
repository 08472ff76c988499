"""course_utils.overfitting against hand computations, NumPy, scikit-learn and Keras."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import PolynomialFeatures

from course_utils import data
from course_utils import overfitting as of
from course_utils._validation import CourseInputError
from course_utils.overfitting import (
    best_epoch,
    fit_least_squares,
    generalization_gap,
    polynomial_features,
    polynomial_mse_curve,
)

SEEDS = [0, 1, 2, 3]


# --------------------------------------------------------------------------- polynomial features


def test_polynomial_features_hand_computed_case():
    X = polynomial_features(np.array([2.0, -1.0, 0.0]), 3)
    np.testing.assert_array_equal(X, [[1, 2, 4, 8], [1, -1, 1, -1], [1, 0, 0, 0]])
    assert X.dtype == np.float64
    np.testing.assert_array_equal(polynomial_features([3.0], 0), [[1.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_polynomial_features_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=int(rng.integers(1, 30)))
    degree = int(rng.integers(0, 12))
    expected = PolynomialFeatures(degree).fit_transform(x[:, None])
    np.testing.assert_allclose(polynomial_features(x, degree), expected, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- least squares


def test_fit_least_squares_hand_computed_line():
    # y = 1 + 2x exactly: the fit recovers it
    w = fit_least_squares(polynomial_features([0.0, 1.0, 2.0], 1), [1.0, 3.0, 5.0])
    np.testing.assert_allclose(w, [1.0, 2.0], rtol=0, atol=1e-12)
    # a constant model is the mean of y
    w = fit_least_squares(np.ones((4, 1)), [1.0, 2.0, 3.0, 10.0])
    np.testing.assert_allclose(w, [4.0], rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_fit_least_squares_matches_polyfit_and_linear_regression(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=25)
    y = np.sin(2 * np.pi * x) + rng.normal(0, 0.3, size=25)
    for degree in (1, 3, 6):
        X = polynomial_features(x, degree)
        w = fit_least_squares(X, y)
        np.testing.assert_allclose(w, np.polyfit(x, y, degree)[::-1], rtol=1e-6, atol=1e-8)
        sk = LinearRegression(fit_intercept=False).fit(X, y)
        np.testing.assert_allclose(X @ w, sk.predict(X), rtol=1e-9, atol=1e-10)


def test_fit_least_squares_stays_accurate_at_high_degree():
    # degree 15 on 20 points in [0, 1]: the normal equations lose the fit, lstsq does not
    p = data.polynomial_regression_data(seed=4)
    X = polynomial_features(p.x_train, 15)
    w = fit_least_squares(X, p.y_train)
    sk = LinearRegression(fit_intercept=False).fit(X, p.y_train)
    ours = np.mean((X @ w - p.y_train) ** 2)
    theirs = np.mean((sk.predict(X) - p.y_train) ** 2)
    assert ours <= theirs * (1 + 1e-6) + 1e-12
    normal = np.linalg.inv(X.T @ X) @ X.T @ p.y_train
    assert np.mean((X @ normal - p.y_train) ** 2) > 1.2 * ours


def test_more_features_than_samples_gives_an_interpolating_solution():
    x = np.array([0.0, 0.5, 1.0])
    w = fit_least_squares(polynomial_features(x, 5), [1.0, -1.0, 2.0])
    np.testing.assert_allclose(polynomial_features(x, 5) @ w, [1.0, -1.0, 2.0], atol=1e-10)


# --------------------------------------------------------------------------- capacity curve


@pytest.mark.parametrize("seed", SEEDS)
def test_capacity_curve_training_error_never_rises_and_overfitting_shows(seed):
    p = data.polynomial_regression_data(seed=seed)
    train, val = polynomial_mse_curve(p.x_train, p.y_train, p.x_val, p.y_val, range(1, 16))
    assert train.shape == val.shape == (15,)
    assert np.all(np.diff(train) <= 1e-10)  # nested models: more capacity, never worse fit
    best = int(np.argmin(val))
    assert 2 <= best + 1 <= 8
    assert train[-1] < train[best] and val[-1] > val[best]
    w = fit_least_squares(polynomial_features(p.x_train, 3), p.y_train)
    np.testing.assert_allclose(val[2], np.mean((polynomial_features(p.x_val, 3) @ w - p.y_val)
                                               ** 2), rtol=1e-12)


def test_notebook_data_has_a_clear_best_degree():
    # 04_overfitting uses seed 4: the minimum (degree 4) beats every other degree by 10 %
    p = data.polynomial_regression_data(seed=4)
    _, val = polynomial_mse_curve(p.x_train, p.y_train, p.x_val, p.y_val, range(1, 16))
    assert int(np.argmin(val)) + 1 == 4
    assert np.sort(val)[1] > 1.1 * val.min()


# --------------------------------------------------------------------------- curves


def test_generalization_gap_hand_computed_case():
    gap = generalization_gap([1.0, 0.5, 0.2], [1.1, 0.7, 0.9])
    np.testing.assert_allclose(gap, [0.1, 0.2, 0.7], rtol=1e-12)
    assert gap.dtype == np.float64


def test_best_epoch_counts_from_zero_keeps_first_tie_and_skips_nan():
    assert best_epoch([0.9, 0.4, 0.3, 0.3, 0.5]) == 2
    assert best_epoch([0.5]) == 0
    assert best_epoch([0.7, np.nan, 0.2, np.nan]) == 2
    assert best_epoch([np.nan, 0.5, 0.1]) == 2  # Keras keeps epoch 0 here (see below)
    assert best_epoch([0.2, 0.9, 0.9, 0.1], mode="max") == 1
    assert best_epoch([np.inf, np.nan, np.inf]) == 0
    assert type(best_epoch(np.array([3.0, 1.0]))) is int


def _keras_best_epoch(values, mode):
    """The best epoch that keras.callbacks.EarlyStopping records on these values."""
    from course_utils.keras_helpers import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", mode=mode,
                                             patience=len(values) + 1)
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"val_loss": float(value)})
    return callback.best_epoch


@pytest.mark.parametrize("seed", range(6))
def test_best_epoch_matches_keras_early_stopping(seed):
    rng = np.random.default_rng(seed)
    mode = "min" if seed % 2 == 0 else "max"
    for _ in range(20):
        n = int(rng.integers(1, 25))
        values = np.round(rng.normal(size=n), 1)  # rounding makes ties common
        values[1:][rng.random(n - 1) < 0.15] = np.nan  # Keras takes epoch 0 as is, even NaN
        assert best_epoch(values, mode=mode) == _keras_best_epoch(values, mode), values


def test_keras_keeps_a_nan_first_epoch_where_best_epoch_skips_it():
    # the one documented difference (best_epoch's Notes)
    values = np.array([np.nan, 0.5, 0.1])
    assert _keras_best_epoch(values, "min") == 0
    assert best_epoch(values) == 2


def test_curves_reject_bad_input():
    with pytest.raises(CourseInputError, match="`train_values` and `val_values` must have the "
                                               "same shape"):
        generalization_gap([1.0, 2.0], [1.0])
    with pytest.raises(CourseInputError, match="`val_values` contains NaN"):
        generalization_gap([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(CourseInputError, match='`mode` must be "min" or "max"'):
        best_epoch([1.0], mode="auto")
    with pytest.raises(CourseInputError, match="every value of `values` is NaN"):
        best_epoch([np.nan, np.nan])
    with pytest.raises(CourseInputError, match="non-empty 1-D"):
        best_epoch([])
    with pytest.raises(CourseInputError, match="`values` is None"):
        best_epoch(None)


def test_features_and_fit_reject_bad_input():
    with pytest.raises(CourseInputError, match="`degree` must be an integer >= 0"):
        polynomial_features([1.0], -1)
    with pytest.raises(CourseInputError, match="`degree` must be an integer >= 0"):
        polynomial_features([1.0], 2.0)
    with pytest.raises(CourseInputError, match="`x` must have 1 dimension"):
        polynomial_features(np.ones((3, 1)), 2)
    with pytest.raises(CourseInputError, match="same number of samples"):
        fit_least_squares(np.ones((3, 2)), np.ones(4))
    with pytest.raises(CourseInputError, match="`y` contains NaN"):
        fit_least_squares(np.ones((2, 1)), [1.0, np.nan])
    with pytest.raises(CourseInputError, match="`degrees` is empty"):
        polynomial_mse_curve([0.0, 1.0], [0.0, 1.0], [0.5], [0.5], [])


# --------------------------------------------------------------------------- invariants


def _pure_calls():
    rng = np.random.default_rng(9)
    x, y = rng.uniform(size=12), rng.normal(size=12)
    xv, yv = rng.uniform(size=7), rng.normal(size=7)
    train, val = rng.uniform(size=10), rng.uniform(size=10)
    return {
        "polynomial_features": (polynomial_features, (x, 4)),
        "fit_least_squares": (fit_least_squares, (polynomial_features(x, 3), y)),
        "polynomial_mse_curve": (polynomial_mse_curve, (x, y, xv, yv, [1, 2, 5])),
        "generalization_gap": (generalization_gap, (train, val)),
        "best_epoch": (best_epoch, (val,)),
    }


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, tuple):
        return [a for item in obj for a in _arrays(item)]
    return []


def test_purity_covers_every_public_function():
    public = {name for name in of.__all__ if inspect.isfunction(getattr(of, name))}
    assert public == set(_pure_calls()) == set(of.__all__)


@pytest.mark.parametrize("name", sorted(_pure_calls()))
def test_pure_functions_do_not_modify_or_alias_their_inputs(name):
    fn, args = _pure_calls()[name]
    inputs = _arrays(args)
    copies = [a.copy() for a in inputs]
    for a in inputs:
        a.flags.writeable = False  # read-only inputs must be accepted (and never written)
    result = fn(*args)
    for a, c in zip(inputs, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    for out in _arrays(result):
        assert out.dtype == np.float64 and np.isfinite(out).all()
        assert not any(np.shares_memory(out, a) for a in inputs), name
    again = fn(*args)
    for a, b in zip(_arrays(result), _arrays(again), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- plots


def test_plots_have_titles_labels_and_legends():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import plotting

    p = data.polynomial_regression_data(seed=4)
    grid = np.linspace(0, 1, 50)
    fits = {f"degree {d}": (grid, polynomial_features(grid, d)
                            @ fit_least_squares(polynomial_features(p.x_train, d), p.y_train))
            for d in (1, 3)}
    train, val = polynomial_mse_curve(p.x_train, p.y_train, p.x_val, p.y_val, range(1, 6))
    history = {"loss": [2.0, 1.0, 0.5, 0.2], "val_loss": [1.8, 1.1, 0.9, 1.0]}
    drawn = [*plotting.plot_polynomial_fits(p.x_train, p.y_train, fits, x_val=p.x_val,
                                            y_val=p.y_val, truth=(grid, np.sin(grid))),
             plotting.plot_capacity_curve(range(1, 6), train, val, best=3),
             *plotting.plot_learning_curves(history, best=best_epoch(history["val_loss"]),
                                            gap=generalization_gap(history["loss"],
                                                                   history["val_loss"]))]
    assert len(drawn) == 6
    for ax in drawn:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    for ax in drawn[2:]:
        assert ax.get_legend() is not None
    plt.close("all")
