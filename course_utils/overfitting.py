r"""Overfitting: model capacity (polynomial regression) and training curves.

Interface::

    polynomial_features(x, degree)                   -> X, shape (n, degree + 1)
    fit_least_squares(X, y)                          -> w, shape (p,)
    polynomial_mse_curve(x_train, y_train, x_val, y_val, degrees)
                                                     -> (train_mse, val_mse), each (len(degrees),)
    generalization_gap(train_values, val_values)     -> val - train per epoch, shape (epochs,)
    best_epoch(values, *, mode="min")                -> int, counted from 0 as Keras counts

A polynomial of degree :math:`d` in one variable is a linear model on the features
:math:`1, x, x^2, \dots, x^d`:

.. math::

    \hat{y} = X w, \qquad X_{ij} = x_i^{\,j}, \quad j = 0, \dots, d,
    \qquad w = \arg\min_w \frac{1}{m} \sum_{i=1}^{m} \left(y^{(i)} - X_i w\right)^2

Its capacity grows with :math:`d`: the training error can only go down as :math:`d` grows
(the models are nested), while the error on new data first falls and then rises, once the
polynomial starts to follow the noise of the training points. That rise is overfitting.

Epochs are counted from 0, as ``keras.callbacks.EarlyStopping`` counts them and as
``history.history[...]`` lists them (element ``k`` belongs to epoch ``k``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from course_utils import losses
from course_utils._validation import CourseInputError, as_float_array, check_same_shape
from course_utils.language import tr

__all__ = [
    "polynomial_features",
    "fit_least_squares",
    "polynomial_mse_curve",
    "generalization_gap",
    "best_epoch",
]


def _check_degree(degree: Any, name: str = "degree") -> int:
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
        raise CourseInputError(tr(
            "`{name}` must be an integer >= 0. Received: {name}={degree!r}.\n"
            "Hint: degree 0 is a constant, 1 a straight line, 3 a cubic.",
            name=name, degree=degree,
        ))
    return int(degree)


def polynomial_features(x, degree: int) -> np.ndarray:
    r"""The features :math:`x^0, x^1, \dots, x^{degree}` of each sample, as columns.

    .. math::

        X_{ij} = x_i^{\,j}, \qquad j = 0, 1, \dots, d

    Parameters
    ----------
    x : array_like, shape (n,)
        One input value per sample.
    degree : int
        The highest power :math:`d`, at least 0.

    Returns
    -------
    ndarray of float64, shape (n, degree + 1)
        Column 0 is all ones (the bias), column ``j`` is ``x ** j``.

    Notes
    -----
    The same columns as scikit-learn's ``PolynomialFeatures(degree)`` on ``x[:, None]``;
    ``np.polyfit`` orders the coefficients the other way (highest power first).

    Examples
    --------
    >>> polynomial_features([2.0, -1.0], 3)
    array([[ 1.,  2.,  4.,  8.],
           [ 1., -1.,  1., -1.]])
    """
    x = as_float_array(x, "x", ndim=1,
                       hint=tr("pass one value per sample, shape (n,); use x.ravel() on "
                               "(n, 1)."))
    degree = _check_degree(degree)
    return x[:, None] ** np.arange(degree + 1)


def fit_least_squares(X, y) -> np.ndarray:
    r"""The weights that minimise the mean squared error of :math:`Xw` against ``y``.

    .. math::

        w = \arg\min_w \frac{1}{m} \sum_{i=1}^{m} \left(y^{(i)} - X_i w\right)^2

    Solved with ``np.linalg.lstsq`` (an SVD), which stays accurate when the columns of ``X``
    are nearly dependent, as high powers of ``x`` are. The normal equations
    :math:`(X^T X)^{-1} X^T y` square the condition number and lose about twice as many
    digits.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The design matrix (one row per sample, one column per feature).
    y : array_like, shape (n,)
        The targets.

    Returns
    -------
    ndarray of float64, shape (p,)
        With more features than samples, the solution of smallest norm.

    Examples
    --------
    >>> fit_least_squares([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], [1.0, 3.0, 5.0]).round(12)
    array([1., 2.])
    """
    X = as_float_array(X, "X", ndim=2,
                       hint=tr("X is the design matrix, shape (n_samples, n_features), e.g. "
                               "polynomial_features(x, degree)."))
    y = as_float_array(y, "y", ndim=1, hint=tr("pass one target per sample, shape (n,)."))
    if X.shape[0] != y.shape[0]:
        raise CourseInputError(tr(
            "`X` and `y` must have the same number of samples. Received: X.shape={x_shape}, "
            "y.shape={y_shape}.\nHint: one row of X per target in y.",
            x_shape=X.shape, y_shape=y.shape,
        ))
    return np.linalg.lstsq(X, y, rcond=None)[0]


def polynomial_mse_curve(x_train, y_train, x_val, y_val,
                         degrees: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation MSE of a least-squares polynomial of each degree.

    Parameters
    ----------
    x_train, y_train : array_like, shape (n_train,)
        The data the polynomial is fitted to.
    x_val, y_val : array_like, shape (n_val,)
        New data, used only to measure the error.
    degrees : sequence of int
        The degrees to try, e.g. ``range(1, 16)``.

    Returns
    -------
    (train_mse, val_mse) : two ndarrays of float64, shape (len(degrees),)
    """
    degrees = [_check_degree(d, "degrees[...]") for d in degrees]
    if not degrees:
        raise CourseInputError(tr("`degrees` is empty.\nHint: pass e.g. range(1, 16)."))
    x_train = as_float_array(x_train, "x_train", ndim=1)
    y_train = as_float_array(y_train, "y_train", ndim=1)
    x_val = as_float_array(x_val, "x_val", ndim=1)
    y_val = as_float_array(y_val, "y_val", ndim=1)
    check_same_shape(x_train, y_train, "x_train", "y_train")
    check_same_shape(x_val, y_val, "x_val", "y_val")
    train, val = [], []
    for d in degrees:  # one fit per degree (a loop over models, not over samples)
        w = fit_least_squares(polynomial_features(x_train, d), y_train)
        train.append(losses.mse(y_train, polynomial_features(x_train, d) @ w))
        val.append(losses.mse(y_val, polynomial_features(x_val, d) @ w))
    return np.array(train, dtype=np.float64), np.array(val, dtype=np.float64)


def generalization_gap(train_values, val_values) -> np.ndarray:
    r"""The generalization gap of each epoch: validation value minus training value.

    .. math::

        gap_k = L_{val}(k) - L_{train}(k), \qquad k = 0, 1, \dots

    For a loss, a gap that keeps growing while the training loss falls is the sign of
    overfitting. (For accuracy the gap is negative when the model does better on the
    training data.)

    Parameters
    ----------
    train_values, val_values : array_like, shape (epochs,)
        The same metric per epoch, e.g. ``history.history["loss"]`` and
        ``history.history["val_loss"]``.

    Returns
    -------
    ndarray of float64, shape (epochs,)

    Examples
    --------
    >>> generalization_gap([1.0, 0.5, 0.2], [1.1, 0.7, 0.9])
    array([0.1, 0.2, 0.7])
    """
    train = as_float_array(train_values, "train_values", ndim=1,
                           hint=tr("pass one value per epoch, e.g. history.history['loss']."))
    val = as_float_array(val_values, "val_values", ndim=1,
                         hint=tr("pass one value per epoch, e.g. "
                                 "history.history['val_loss']."))
    check_same_shape(train, val, "train_values", "val_values",
                     hint=tr("both curves must come from the same run, one value per epoch."))
    return val - train


def best_epoch(values, *, mode: str = "min") -> int:
    """The epoch (counted from 0) with the best value: the first one if several tie.

    Parameters
    ----------
    values : array_like, shape (epochs,)
        A monitored quantity per epoch, e.g. ``history.history["val_loss"]``. NaN values
        (a diverged epoch) are never the best; +-inf are ordinary values.
    mode : {"min", "max"}
        ``"min"`` for a loss, ``"max"`` for accuracy.

    Returns
    -------
    int
        The index ``k`` into ``values``, the same number ``EarlyStopping`` reports as the best
        epoch (it keeps the first of equal values, since only a strict improvement counts).

    Notes
    -----
    One difference from Keras: ``EarlyStopping`` takes the value of epoch 0 as the best
    without comparing it, even when it is NaN, and then no later value compares better, so
    it reports epoch 0. Here NaN is skipped everywhere; the two agree whenever epoch 0 is a
    number.

    Examples
    --------
    >>> best_epoch([0.9, 0.4, 0.3, 0.3, 0.5])
    2
    >>> best_epoch([0.2, 0.8, float("nan"), 0.8], mode="max")
    1
    """
    if mode not in ("min", "max"):
        raise CourseInputError(tr(
            '`mode` must be "min" or "max". Received: mode={mode!r}.\n'
            'Hint: "min" for a loss, "max" for accuracy.',
            mode=mode,
        ))
    if values is None:
        raise CourseInputError(tr("`values` is None.\nHint: did a function forget to `return`?"))
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise CourseInputError(tr(
            "`values` must be numbers, one per epoch. Received: {type_name}.\n"
            "Hint: pass e.g. history.history['val_loss'].",
            type_name=type(values).__name__)) from None
    if arr.ndim != 1 or arr.size == 0:
        raise CourseInputError(tr(
            "`values` must be a non-empty 1-D sequence, one value per epoch. Received: "
            "values.shape={shape}.\nHint: pass e.g. history.history['val_loss'].",
            shape=arr.shape))
    nan = np.isnan(arr)
    if nan.all():
        raise CourseInputError(tr(
            "every value of `values` is NaN, so no epoch is best.\n"
            "Hint: the training diverged; lower the learning rate."))
    filled = np.where(nan, np.inf if mode == "min" else -np.inf, arr)
    best = np.nanmin(arr) if mode == "min" else np.nanmax(arr)
    return int(np.flatnonzero((filled == best) & ~nan)[0])
