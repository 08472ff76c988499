"""Plots for the losses notebook (``01_loss_functions``).

Every function takes plain arrays (the notebook computes the values with the student's own
losses), draws with a title, axis labels and a legend, and returns the ``Axes`` it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = [
    "plot_loss_curves",
    "plot_residual_losses",
    "plot_misclassified_losses",
    "plot_loss_bars",
]


def plot_loss_curves(x, curves: Mapping[str, np.ndarray], *, title: str, xlabel: str,
                     ylabel: str, ax=None, ylim: tuple[float, float] | None = None,
                     logy: bool = False):
    """Draw one line per entry of ``curves`` (label -> values of shape ``x.shape``).

    Parameters
    ----------
    x : array_like, shape (m,)
        The common x values.
    curves : mapping of str to array_like of shape (m,)
        Legend label -> y values.
    title, xlabel, ylabel : str
    ax : matplotlib Axes, optional
        Draw on it instead of a new figure.
    ylim : (float, float), optional
    logy : bool
        Use a logarithmic y axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(title, xlabel, ylabel, ax=ax)
    x = np.asarray(x, dtype=np.float64)
    for label, values in curves.items():
        ax.plot(x, np.asarray(values, dtype=np.float64).reshape(x.shape), label=label, lw=2)
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend()
    return ax


def plot_residual_losses(r, losses: Mapping[str, np.ndarray],
                         grads: Mapping[str, np.ndarray], *, figsize=(11.0, 4.0)):
    r"""Regression losses (left) and their derivatives (right) as functions of the residual.

    Parameters
    ----------
    r : array_like, shape (m,)
        Residuals :math:`r = \hat{y} - y`.
    losses, grads : mapping of str to array_like of shape (m,)
        Legend label -> loss values; legend label -> the derivative
        :math:`\partial \mathcal{L} / \partial \hat{y}`.

    Returns
    -------
    ndarray of two Axes
    """
    _, axes = plt.subplots(1, 2, figsize=figsize)
    residual = tr("residual {r}", r=r"$r = \hat{y} - y$")
    derivative = r"$\partial \mathcal{L} / \partial \hat{y}$"  # a formula: not translated
    plot_loss_curves(r, losses, title=tr("Loss of one prediction"),
                     xlabel=residual, ylabel=tr("loss"), ax=axes[0])
    plot_loss_curves(r, grads, title=tr("Its derivative (what gradient descent follows)"),
                     xlabel=residual, ylabel=derivative, ax=axes[1])
    axes[0].figure.tight_layout()
    return axes


def plot_misclassified_losses(p_true, bce, mse, *, title: str | None = None, ax=None):
    r"""BCE and squared error of misclassified samples against the probability of their class.

    The curves :math:`-\log p` and :math:`(1 - p)^2` are drawn for reference; the markers
    are the samples.

    Parameters
    ----------
    p_true : array_like, shape (m,)
        Predicted probability of each sample's *true* class (below 0.5 when misclassified).
    bce, mse : array_like, shape (m,)
        The samples' binary cross-entropy and squared error.
    title : str, optional
        Default: "Misclassified test samples".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if title is None:
        title = tr("Misclassified test samples")
    ax = new_axes(title, tr("predicted probability of the true class"),
                  tr("loss of the sample"), ax=ax)
    p = np.linspace(1e-3, 1.0, 400)
    # formulas, the same in every language: not translated
    bce_formula, mse_formula = r"BCE $= -\log p$", r"MSE $= (1 - p)^2$"
    ax.plot(p, -np.log(p), color="C0", lw=1.5, alpha=0.6, label=bce_formula)
    ax.plot(p, (1.0 - p) ** 2, color="C1", lw=1.5, alpha=0.6, label=mse_formula)
    ax.scatter(p_true, bce, color="C0", zorder=3, label=tr("BCE of a misclassified sample"))
    ax.scatter(p_true, mse, color="C1", marker="s", zorder=3,
               label=tr("MSE of a misclassified sample"))
    ax.axvline(0.5, color="grey", ls="--", lw=1, label=tr("decision threshold"))
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, max(7.0, float(np.max(bce)) * 1.1))
    ax.legend()
    return ax


def plot_loss_bars(groups: Sequence[str], series: Mapping[str, Sequence[float]], *,
                   title: str, ylabel: str, ax=None):
    """Grouped bar chart: one group per entry of ``groups``, one bar per entry of ``series``.

    Parameters
    ----------
    groups : sequence of str, length g
        Group labels on the x axis (e.g. the loss a model was trained with).
    series : mapping of str to sequence of float of length g
        Legend label -> one value per group (e.g. "clean targets" -> test errors).
    title, ylabel : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(title, "", ylabel, ax=ax)
    ax.grid(False, axis="x")
    x = np.arange(len(groups))
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series.items()):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=label)
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_xticks(x, groups)
    ax.legend()
    return ax
