"""Plots for the moving-average notebook (``02_moving_average``).

The functions only draw: the notebook computes the averages (with the student's own ``ema``)
and passes them in, so a plot shows exactly what the student's code produced.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = ["plot_ema_smoothing", "plot_ema_weights", "plot_bias_correction"]


def _days(n: int) -> np.ndarray:
    return np.arange(1, n + 1)


def plot_ema_smoothing(series, averages: Mapping[str, np.ndarray], *,
                       title: str | None = None, ax=None):
    """Draw a noisy series as dots and one line per moving average.

    Parameters
    ----------
    series : array_like, shape (n,)
        The values :math:`\\theta_1, \\dots, \\theta_n` (day ``t`` is drawn at x = t).
    averages : mapping of str to array_like, shape (n,)
        Legend label -> :math:`V_1, \\dots, V_n`.
    title : str, optional
        The plot's title; default "Exponential moving average of a noisy series".
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.

    Returns
    -------
    matplotlib Axes
    """
    series = np.asarray(series, dtype=np.float64)
    if title is None:
        title = tr("Exponential moving average of a noisy series")
    ax = new_axes(title, tr("day t"), tr("temperature"), ax=ax, figsize=(8.0, 4.0))
    days = _days(len(series))
    ax.plot(days, series, ".", color="0.6", markersize=4, label=tr(r"$\theta_t$ (noisy data)"))
    for label, v in averages.items():
        v = np.asarray(v, dtype=np.float64)
        ax.plot(_days(len(v)), v, linewidth=2, label=label)
    ax.legend()
    return ax


def plot_ema_weights(weights: Mapping[float, np.ndarray], *, ax=None):
    """Draw the weight of every past value in :math:`V_t`, one line per :math:`\\beta`.

    Parameters
    ----------
    weights : mapping of float to array_like, shape (t,)
        :math:`\\beta` -> the weights :math:`(1 - \\beta)\\beta^{t-s}` of
        :math:`\\theta_1, \\dots, \\theta_t` in :math:`V_t`, oldest first (as returned by the
        notebook's ``ema_weights(t, beta)``). They are drawn against the number of steps back,
        :math:`k = t - s` (k = 0 is the newest value), with a dotted line at
        :math:`k = 1 / (1 - \\beta)`, the "window" of the average.
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(tr(r"Weight of {theta} in $V_t$", theta=r"$\theta_{t-k}$"),
                  tr("k = steps back (0 = newest value)"), tr("weight"), ax=ax, figsize=(8.0, 4.0))
    for beta, w in weights.items():
        w = np.asarray(w, dtype=np.float64)[::-1]  # newest first: index = steps back
        window = 1.0 / (1.0 - beta)
        (line,) = ax.plot(np.arange(len(w)), w, marker=".", markersize=4,
                          label=tr(r"$\beta$ = {beta:g}: window $1/(1-\beta)$ = {window:.0f}, "
                                   r"weights sum to {total:.3f}",
                                   beta=beta, window=window, total=w.sum()))
        if window < len(w):
            ax.axvline(window, color=line.get_color(), linestyle=":", linewidth=1.5)
    ax.legend()
    return ax


def plot_bias_correction(series, plain: Mapping[float, np.ndarray],
                         corrected: Mapping[float, np.ndarray], *, first: int = 30, ax=None):
    """Zoom on the first days: the EMA with (solid) and without (dashed) bias correction.

    Parameters
    ----------
    series : array_like, shape (n,)
        The values :math:`\\theta_1, \\dots, \\theta_n`.
    plain, corrected : mapping of float to array_like, shape (n,)
        :math:`\\beta` -> :math:`V_1, \\dots, V_n` without, and with, the bias correction.
        One colour per :math:`\\beta`.
    first : int
        How many days to show.
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.

    Returns
    -------
    matplotlib Axes
    """
    series = np.asarray(series, dtype=np.float64)[:first]
    ax = new_axes(tr("The first {n} days: the start-up bias and its correction", n=len(series)),
                  tr("day t"), tr("temperature"), ax=ax, figsize=(8.0, 4.0))
    days = _days(len(series))
    ax.plot(days, series, ".", color="0.6", markersize=6, label=tr(r"$\theta_t$ (noisy data)"))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, beta in enumerate(plain):
        color = colors[i % len(colors)]
        v = np.asarray(plain[beta], dtype=np.float64)[:first]
        ax.plot(days[:len(v)], v, "--", color=color, linewidth=2,
                label=tr(r"$\beta$ = {beta:g}, $V_t$ (no correction)", beta=beta))
        if beta in corrected:
            vc = np.asarray(corrected[beta], dtype=np.float64)[:first]
            formula = rf"$\beta$ = {beta:g}, $V_t / (1 - \beta^t)$"  # no words: not translated
            ax.plot(days[:len(vc)], vc, "-", color=color, linewidth=2, label=formula)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.legend(fontsize="small")
    return ax
