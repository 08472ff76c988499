"""Two-dimensional test functions for optimizers, and a helper for contour plots.

The lecture names two difficulties of optimizing a network's loss: *saddle points* and
*different scales of data* (разные масштабы данных), and it uses the *Rosenbrock function*,
a curved valley with one global minimum, to compare optimizers. This module gives each as a
function of a point ``p = (x, y)`` together with its gradient.

Interface (every landscape)
---------------------------
``f(p, **hyperparameters) -> value`` and ``f_grad(p, **hyperparameters) -> gradient``:

* ``p`` : array_like of shape (2,), one point ``(x, y)``; ``f`` returns a Python ``float``;
* ``p`` : array_like of shape (n, 2), ``n`` points, one per row; ``f`` returns an ndarray of
  shape (n,);
* ``f_grad`` returns an ndarray of float64 with the shape of ``p``.

Hyperparameters are keyword-only. No function modifies ``p``.

:data:`LANDSCAPES` maps each name to a :class:`Landscape` ``(f, grad, minimum)``, where
``minimum`` is the point of the global minimum for the default hyperparameters, or ``None``
when there is none (the saddle is unbounded below). :func:`meshgrid_values` evaluates a
landscape on a grid for ``matplotlib``'s ``contour``.

Examples
--------
>>> rosenbrock([1.0, 1.0])
0.0
>>> saddle_grad([1.0, 2.0])
array([ 2., -4.])
>>> elongated_quadratic([[1.0, 0.0], [0.0, 1.0]])
array([ 0.5, 25. ])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from course_utils._validation import (
    CourseInputError,
    _check_scalar,
    as_float_array,
    as_real_array,
    check_positive,
)
from course_utils.language import tr

__all__ = [
    "rosenbrock",
    "rosenbrock_grad",
    "saddle",
    "saddle_grad",
    "elongated_quadratic",
    "elongated_quadratic_grad",
    "meshgrid_values",
    "Landscape",
    "LANDSCAPES",
]


def _point_hint() -> str:
    return tr("pass one point as [x, y] (shape (2,)) or several points as rows of an array of "
              "shape (n, 2), e.g. np.column_stack([xs, ys]).")


def _as_points(p: Any) -> np.ndarray:
    """Return ``p`` as a new float64 array of shape (2,) or (n, 2), or raise."""
    arr = as_float_array(p, "p", ndim=(1, 2), allow_bool=False, hint=_point_hint())
    if arr.shape[-1] != 2:
        raise CourseInputError(tr(
            "`p` must hold points (x, y): shape (2,) or (n, 2). Received: p.shape={shape}.\n"
            "Hint: pass one point as [x, y] (shape (2,)) or several points as rows of an array "
            "of shape (n, 2), e.g. np.column_stack([xs, ys]).",
            shape=arr.shape,
        ))
    return arr


def _result(values: np.ndarray, p: np.ndarray) -> float | np.ndarray:
    """One point gives a Python float; n points give an ndarray of shape (n,)."""
    return float(values) if p.ndim == 1 else values


def rosenbrock(p: Any, *, a: float = 1.0, b: float = 100.0) -> float | np.ndarray:
    r"""Rosenbrock's banana-shaped valley, a classic benchmark for optimizers.

    .. math:: f(x, y) = (a - x)^2 + b\,(y - x^2)^2

    The global minimum is :math:`f(a, a^2) = 0`. The valley floor :math:`y = x^2` is easy to
    reach and very flat along its length, so methods that follow the raw gradient zigzag
    across it and then crawl along it.

    Parameters
    ----------
    p : array_like, shape (2,) or (n, 2)
        One point ``(x, y)`` or ``n`` points, one per row.
    a : float
        Position of the minimum, ``(a, a**2)``. Default 1.
    b : float
        Steepness of the valley walls. Must be positive. Default 100.

    Returns
    -------
    float or ndarray of shape (n,)
        The value at each point.

    Examples
    --------
    >>> rosenbrock([1.0, 1.0])
    0.0
    >>> rosenbrock([0.0, 0.0])
    1.0
    """
    p = _as_points(p)
    a = _check_scalar(a, "a")
    b = check_positive(b, "b", hint=tr("b=100 is the usual choice."))
    x, y = p[..., 0], p[..., 1]
    return _result((a - x) ** 2 + b * (y - x**2) ** 2, p)


def rosenbrock_grad(p: Any, *, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    r"""Gradient of :func:`rosenbrock`.

    .. math::

        \frac{\partial f}{\partial x} = 2\,(x - a) - 4\,b\,x\,(y - x^2), \qquad
        \frac{\partial f}{\partial y} = 2\,b\,(y - x^2)

    Parameters
    ----------
    p : array_like, shape (2,) or (n, 2)
        One point ``(x, y)`` or ``n`` points, one per row.
    a, b : float
        As in :func:`rosenbrock`.

    Returns
    -------
    ndarray of float64, shape of ``p``
        ``(df/dx, df/dy)`` at each point.

    Examples
    --------
    >>> rosenbrock_grad([1.0, 1.0])
    array([0., 0.])
    >>> rosenbrock_grad([0.0, 0.0])
    array([-2.,  0.])
    """
    p = _as_points(p)
    a = _check_scalar(a, "a")
    b = check_positive(b, "b", hint=tr("b=100 is the usual choice."))
    x, y = p[..., 0], p[..., 1]
    dx = 2.0 * (x - a) - 4.0 * b * x * (y - x**2)
    dy = 2.0 * b * (y - x**2)
    return np.stack([dx, dy], axis=-1)


def saddle(p: Any) -> float | np.ndarray:
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: a minimum along x, a maximum along y.

    .. math:: f(x, y) = x^2 - y^2

    The gradient is zero at the origin, which is not a minimum. Gradient descent started
    near the line :math:`y = 0` first slides towards the origin and leaves it only slowly,
    along y, because the gradient there is tiny. The function has no minimum.

    Parameters
    ----------
    p : array_like, shape (2,) or (n, 2)
        One point ``(x, y)`` or ``n`` points, one per row.

    Returns
    -------
    float or ndarray of shape (n,)
        The value at each point.

    Examples
    --------
    >>> saddle([1.0, 2.0])
    -3.0
    """
    p = _as_points(p)
    return _result(p[..., 0] ** 2 - p[..., 1] ** 2, p)


def saddle_grad(p: Any) -> np.ndarray:
    r"""Gradient of :func:`saddle`.

    .. math:: \nabla f(x, y) = (2x, \; -2y)

    Parameters
    ----------
    p : array_like, shape (2,) or (n, 2)
        One point ``(x, y)`` or ``n`` points, one per row.

    Returns
    -------
    ndarray of float64, shape of ``p``

    Examples
    --------
    >>> saddle_grad([1.0, 2.0])
    array([ 2., -4.])
    """
    p = _as_points(p)
    return p * np.array([2.0, -2.0])


def _check_scales(scales: Any) -> np.ndarray:
    try:
        s1, s2 = scales
    except (TypeError, ValueError):
        raise CourseInputError(tr(
            "`scales` must be two numbers (s1, s2). Received: scales={scales!r}.\n"
            "Hint: e.g. scales=(1.0, 50.0) makes y fifty times steeper than x.",
            scales=scales,
        )) from None
    return np.array([check_positive(s1, "scales[0]"), check_positive(s2, "scales[1]")])


def elongated_quadratic(p: Any, *, scales: tuple[float, float] = (1.0, 50.0)
                        ) -> float | np.ndarray:
    r"""A long narrow bowl: the loss surface of features on *different scales of data*.

    .. math:: f(x, y) = \tfrac{1}{2}\,(s_1 x^2 + s_2 y^2)

    This is the lecture's "different scales of data": for a linear model with the squared
    error, a feature whose values are large makes the loss steep along its weight, a small
    feature makes it flat. The curvatures are :math:`s_1` and :math:`s_2`; their ratio
    :math:`s_2 / s_1` (the condition number, 50 by default) is what hurts gradient descent:
    a learning rate small enough for the steep axis (``lr < 2 / s2``) crawls along the flat
    one. Momentum damps the zigzag; RMSProp and Adam rescale each axis. The minimum is
    :math:`f(0, 0) = 0`.

    Parameters
    ----------
    p : array_like, shape (2,) or (n, 2)
        One point ``(x, y)`` or ``n`` points, one per row.
    scales : tuple of two positive floats
        The curvatures ``(s1, s2)`` along x and y. Default ``(1.0, 50.0)``.

    Returns
    -------
    float or ndarray of shape (n,)
        The value at each point.

    Examples
    --------
    >>> elongated_quadratic([1.0, 1.0])
    25.5
    >>> elongated_quadratic([2.0, 0.0], scales=(1.0, 10.0))
    2.0
    """
    p = _as_points(p)
    s = _check_scales(scales)
    return _result(0.5 * (p**2 @ s), p)


def elongated_quadratic_grad(p: Any, *, scales: tuple[float, float] = (1.0, 50.0)
                             ) -> np.ndarray:
    r"""Gradient of :func:`elongated_quadratic`.

    .. math:: \nabla f(x, y) = (s_1 x, \; s_2 y)

    Parameters
    ----------
    p : array_like, shape (2,) or (n, 2)
        One point ``(x, y)`` or ``n`` points, one per row.
    scales : tuple of two positive floats
        As in :func:`elongated_quadratic`.

    Returns
    -------
    ndarray of float64, shape of ``p``

    Examples
    --------
    >>> elongated_quadratic_grad([1.0, 1.0])
    array([ 1., 50.])
    """
    p = _as_points(p)
    return p * _check_scales(scales)


def _check_limits(lim: Any, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise CourseInputError(tr(
            "`{name}` must be two numbers (low, high). Received: {name}={lim!r}.\n"
            "Hint: e.g. {name}=(-2.0, 2.0).",
            name=name, lim=lim,
        )) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise CourseInputError(tr(
            "`{name}` must be finite with low < high. Received: {name}={lim!r}.\n"
            "Hint: write the smaller end first, e.g. (-2.0, 2.0).",
            name=name, lim=lim,
        ))
    return lo, hi


def meshgrid_values(f: Callable[[np.ndarray], np.ndarray], xlim: tuple[float, float],
                    ylim: tuple[float, float], *, n: int = 200
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a landscape on an ``n`` x ``n`` grid, ready for ``plt.contour(X, Y, Z)``.

    Parameters
    ----------
    f : callable
        A landscape: takes points of shape (m, 2) and returns values of shape (m,). Bind
        hyperparameters first, e.g. ``functools.partial(rosenbrock, b=10.0)``.
    xlim, ylim : tuple of two floats
        ``(low, high)`` of each axis, ends included.
    n : int
        Grid points per axis, at least 2. Default 200.

    Returns
    -------
    X, Y : ndarray of shape (n, n)
        Coordinates, as from ``np.meshgrid(xs, ys)``: ``X[i, j] = xs[j]``, ``Y[i, j] = ys[i]``.
    Z : ndarray of shape (n, n)
        ``Z[i, j] = f((X[i, j], Y[i, j]))``.

    Examples
    --------
    >>> X, Y, Z = meshgrid_values(saddle, (-1.0, 1.0), (-2.0, 2.0), n=3)
    >>> Z
    array([[-3., -4., -3.],
           [ 1.,  0.,  1.],
           [-3., -4., -3.]])
    """
    x_lo, x_hi = _check_limits(xlim, "xlim")
    y_lo, y_hi = _check_limits(ylim, "ylim")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise CourseInputError(tr(
            "`n` must be an integer >= 2 (grid points per axis). Received: n={n!r}.\n"
            "Hint: 200 gives smooth contours; use 50 for a quick look.",
            n=n,
        ))
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    Z = as_real_array(f(np.column_stack([X.ravel(), Y.ravel()])), "f(p)", allow_bool=False)
    if Z.shape != (n * n,):
        raise CourseInputError(tr(
            "`f` must return one value per point: shape ({n_points},) for {n_points} points of "
            "shape ({n_points}, 2). Received: shape {shape}.\n"
            "Hint: write f with p[..., 0] and p[..., 1] so that it works on rows of points.",
            n_points=n * n, shape=Z.shape,
        ))
    return X, Y, Z.reshape(n, n)


class Landscape(NamedTuple):
    """One entry of :data:`LANDSCAPES`."""

    f: Callable[..., float | np.ndarray]
    """The function, e.g. :func:`rosenbrock`."""
    grad: Callable[..., np.ndarray]
    """Its gradient, e.g. :func:`rosenbrock_grad`."""
    minimum: tuple[float, float] | None
    """The global minimum ``(x, y)`` for the default hyperparameters, or ``None``."""


LANDSCAPES: dict[str, Landscape] = {
    "rosenbrock": Landscape(rosenbrock, rosenbrock_grad, (1.0, 1.0)),
    "saddle": Landscape(saddle, saddle_grad, None),
    "elongated_quadratic": Landscape(elongated_quadratic, elongated_quadratic_grad, (0.0, 0.0)),
}
"""Every landscape of this module: name -> ``Landscape(f, grad, minimum)``."""
