r"""Exponential moving average (EMA) of a sequence, with optional bias correction.

Interface::

    ema(values, beta=0.9, *, bias_correction=False) -> ndarray, shape of values
    EMA(beta=0.9, *, bias_correction=False)          streaming: .update(theta), .value, .t,
                                                     .reset()

The recurrence of the lecture, with :math:`V_0 = 0` and ``t`` counting from 1:

.. math::

    V_t = \beta \cdot V_{t-1} + (1 - \beta) \cdot \theta_t,
    \qquad
    V_t^{corrected} = \frac{V_t}{1 - \beta^t}

Unrolled, :math:`V_t = (1 - \beta) \sum_{s=1}^{t} \beta^{t-s} \theta_s`: the weights of the
past decay geometrically, and they sum to :math:`1 - \beta^t` (not 1), which is why the early
:math:`V_t` are biased towards the initial 0 and the bias correction divides by exactly that.
The same rule is the "moving average of gradients" inside momentum, RMSProp and Adam.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils._validation import CourseInputError, as_float_array, check_beta
from course_utils.language import tr

__all__ = ["ema", "EMA"]


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise CourseInputError(tr(
            "`{name}` must be True or False. Received: {name}={value!r}.\n"
            "Hint: bias_correction=True divides V_t by (1 - beta**t).",
            name=name, value=value,
        ))
    return bool(value)


def ema(values, beta=0.9, *, bias_correction=False) -> np.ndarray:
    r"""Exponential moving average :math:`V_1, \dots, V_n` of :math:`\theta_1, \dots, \theta_n`.

    .. math::

        V_0 = 0, \qquad V_t = \beta \cdot V_{t-1} + (1 - \beta) \cdot \theta_t,
        \qquad V_t^{corrected} = \frac{V_t}{1 - \beta^t} \quad (t = 1, \dots, n)

    Parameters
    ----------
    values : array_like, shape (n,) or (n, d)
        The sequence :math:`\theta_1, \dots, \theta_n`. For shape (n, d) each of the ``d``
        columns is averaged separately (the recurrence runs along axis 0).
    beta : float
        Decay factor in [0, 1). ``beta=0`` returns the values themselves; the average covers
        roughly the last :math:`1 / (1 - \beta)` values.
    bias_correction : bool, keyword-only
        Divide :math:`V_t` by :math:`1 - \beta^t`.

    Returns
    -------
    ndarray of float64, shape of ``values``
        Row ``t - 1`` holds :math:`V_t` (:math:`V_0 = 0` is not included).

    Notes
    -----
    The recurrence is sequential, but it is computed without a Python loop over ``t``: a
    parallel prefix scan (Hillis-Steele) doubles the reach of every element
    :math:`\lceil \log_2 n \rceil` times, ``v[k:] += beta**k * v[:-k]`` for
    ``k = 1, 2, 4, ...``, after which ``v[t]`` holds the whole weighted sum. Every factor
    ``beta**k`` is at most 1, so nothing overflows (unlike the closed form with
    :math:`\beta^{-t}`), and the rounding error is no larger than that of the plain loop.

    Examples
    --------
    >>> ema([1.0, 1.0, 1.0], beta=0.9)  # V1 = 0.1, V2 = 0.9 * 0.1 + 0.1 = 0.19, ...
    array([0.1  , 0.19 , 0.271])
    >>> ema([1.0, 1.0, 1.0], beta=0.9, bias_correction=True)  # 0.1 / (1 - 0.9) = 1, ...
    array([1., 1., 1.])
    """
    beta = check_beta(beta, "beta")
    bias_correction = _check_flag(bias_correction, "bias_correction")
    theta = as_float_array(
        values, "values", ndim=(1, 2), allow_bool=False,
        hint=tr("pass a sequence of shape (n,), or (n, d) for d sequences side by side."),
    )
    v = (1.0 - beta) * theta  # a new array; `values` is never touched
    n = v.shape[0]
    k, beta_k = 1, beta
    while k < n and beta_k > 0.0:  # ceil(log2(n)) steps, not n
        v[k:] += beta_k * v[:-k]  # right side is evaluated into a temporary first
        k, beta_k = 2 * k, beta_k * beta_k
    if bias_correction:
        t = np.arange(1, n + 1, dtype=np.float64).reshape((n,) + (1,) * (v.ndim - 1))
        v /= 1.0 - np.power(beta, t)
    return v


class EMA:
    r"""Streaming exponential moving average: one :meth:`update` per new value.

    Keeps :math:`V_t = \beta V_{t-1} + (1 - \beta)\theta_t` with :math:`V_0 = 0`; it gives the
    same numbers as :func:`ema` on the whole sequence.

    Parameters
    ----------
    beta : float
        Decay factor in [0, 1).
    bias_correction : bool, keyword-only
        Report :math:`V_t / (1 - \beta^t)` instead of :math:`V_t`.

    Attributes
    ----------
    value : float or ndarray
        The current average (bias-corrected if asked); 0.0 before the first update.
    t : int
        Number of updates so far.

    Examples
    --------
    >>> avg = EMA(0.9)
    >>> round(avg.update(1.0), 12)  # V1 = 0.9 * 0 + 0.1 * 1
    0.1
    >>> round(avg.update(1.0), 12)  # V2 = 0.9 * 0.1 + 0.1 * 1
    0.19
    >>> avg.t
    2
    """

    def __init__(self, beta=0.9, *, bias_correction=False):
        self._beta = check_beta(beta, "beta")
        self._bias_correction = _check_flag(bias_correction, "bias_correction")
        self.reset()

    @property
    def beta(self) -> float:
        return self._beta

    @property
    def bias_correction(self) -> bool:
        return self._bias_correction

    @property
    def t(self) -> int:
        """Number of updates since creation or the last :meth:`reset`."""
        return self._t

    @property
    def value(self) -> float | np.ndarray:
        """:math:`V_t` (or :math:`V_t / (1 - \\beta^t)`); a copy, 0.0 before any update."""
        if self._t == 0:
            return 0.0
        v = self._v
        if self._bias_correction:
            v = v / (1.0 - self._beta ** self._t)
        if v.ndim == 0:
            return float(v)
        return v.copy()

    def update(self, theta) -> float | np.ndarray:
        """Add :math:`\\theta_t` and return the new :attr:`value`.

        Parameters
        ----------
        theta : float or array_like
            The new value; every update must have the same shape as the first one.

        Returns
        -------
        float or ndarray
            A float for scalar ``theta``, else a new array of the shape of ``theta``.
        """
        theta = as_float_array(theta, "theta", allow_bool=False)
        if self._t > 0 and theta.shape != self._v.shape:
            raise CourseInputError(tr(
                "`theta` must have the same shape at every update. Received: "
                "theta.shape={shape}, earlier updates had shape {earlier_shape}.\n"
                "Hint: call reset() before averaging a different quantity.",
                shape=theta.shape, earlier_shape=self._v.shape,
            ))
        previous = self._v if self._t > 0 else np.zeros_like(theta)
        self._v = self._beta * previous + (1.0 - self._beta) * theta
        self._t += 1
        return self.value

    def reset(self) -> None:
        """Forget everything: back to :math:`V_0 = 0`, ``t = 0``."""
        self._v = np.zeros(())
        self._t = 0

    def __repr__(self) -> str:
        return (f"EMA(beta={self._beta!r}, bias_correction={self._bias_correction!r}) "
                f"at t={self._t}")
