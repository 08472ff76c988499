"""Plots for the overfitting notebook (``04_overfitting``).

Every function takes plain arrays or a Keras ``History.history`` dictionary (the notebook
computes them with the student's own functions or with Keras), draws with a title, axis
labels and a legend, and returns the ``Axes`` it drew on (or an array of them). Epochs are
counted from 0 on every axis, as Keras counts them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = [
    "plot_polynomial_fits",
    "plot_capacity_curve",
    "plot_learning_curves",
]


def plot_polynomial_fits(x_train, y_train, fits: Mapping[str, tuple], *, x_val=None,
                         y_val=None, truth: tuple | None = None, ylim=(-2.0, 2.0),
                         figsize: tuple[float, float] | None = None):
    """One panel per model: the training points, the fitted curve and (optionally) new data.

    Parameters
    ----------
    x_train, y_train : array_like, shape (n,)
        The points the curves were fitted to.
    fits : mapping of str to (x_grid, y_grid)
        Panel title (e.g. ``"degree 1: underfits"``) -> the fitted curve on a grid.
    x_val, y_val : array_like, shape (m,), optional
        New data, drawn as open circles.
    truth : (x_grid, y_grid), optional
        The function the data were generated from, drawn dashed.
    ylim : (float, float)
        The vertical range: a high-degree polynomial shoots off between and beyond the
        points, and a fixed range keeps the panels comparable.
    figsize : (float, float), optional
        Default: 4.6 inches wide per panel, 3.8 high.

    Returns
    -------
    ndarray of Axes, one per model
    """
    if figsize is None:
        figsize = (4.6 * len(fits), 3.8)
    _, axes = plt.subplots(1, len(fits), figsize=figsize, sharey=True, squeeze=False)
    axes = axes[0]
    for ax, (title, (grid, pred)) in zip(axes, fits.items(), strict=True):
        new_axes(title, "x", "y", ax=ax)
        if truth is not None:
            ax.plot(*truth, color="grey", ls="--", lw=1.5, label=tr("true function"))
        if x_val is not None:
            ax.scatter(x_val, y_val, s=18, facecolors="none", edgecolors="C1", alpha=0.8,
                       label=tr("validation points"))
        ax.scatter(x_train, y_train, s=22, color="C0", zorder=3, label=tr("training points"))
        ax.plot(grid, pred, color="C3", lw=2, label=tr("fitted polynomial"))
        ax.set_ylim(*ylim)
    axes[0].legend(loc="lower left", fontsize="small")
    axes[0].figure.tight_layout()
    return axes


def plot_capacity_curve(degrees, train_mse, val_mse, *, best: int | None = None,
                        title: str | None = None, ax=None):
    """Training and validation MSE against the degree, on a log scale, best degree marked.

    Parameters
    ----------
    degrees : array_like, shape (k,)
    train_mse, val_mse : array_like, shape (k,)
    best : int, optional
        The degree with the lowest validation MSE, drawn as a vertical line.
    title : str, optional
        Default: "Error against capacity (polynomial degree)".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if title is None:
        title = tr("Error against capacity (polynomial degree)")
    ax = new_axes(title, tr("polynomial degree (capacity)"),
                  tr("mean squared error (log scale)"), ax=ax)
    degrees = np.asarray(degrees)
    ax.plot(degrees, np.asarray(train_mse, dtype=np.float64), marker="o", lw=2,
            label=tr("training MSE"))
    ax.plot(degrees, np.asarray(val_mse, dtype=np.float64), marker="s", lw=2, ls="--",
            label=tr("validation MSE"))
    if best is not None:
        ax.axvline(best, color="black", lw=1, ls=":",
                   label=tr("lowest validation MSE: {best}", best=best))
    ax.set_yscale("log")
    ax.set_xticks(degrees)
    ax.legend()
    return ax


def plot_learning_curves(history: Mapping[str, Sequence[float]], *, metric: str = "loss",
                         best: int | None = None, gap: Sequence[float] | None = None,
                         zoom: bool = True, ylabel: str | None = None,
                         figsize: tuple[float, float] | None = None):
    """Training and validation curves of one run, the best epoch marked, and the gap.

    Parameters
    ----------
    history : mapping
        A Keras ``History.history`` with ``metric`` and ``"val_" + metric``.
    metric : str
        ``"loss"`` or ``"accuracy"``.
    best : int, optional
        The best epoch (from 0), drawn as a vertical line with its validation value.
    gap : array_like, shape (epochs,), optional
        The generalization gap per epoch; drawn in a panel of its own when given.
    zoom : bool
        Add a panel with the validation curve alone on its own vertical scale, where a slow
        rise after the best epoch is visible.
    ylabel : str, optional
        Default: "cross-entropy loss".
    figsize : (float, float), optional
        Default: 4.8 inches wide per panel, 4.0 high.

    Returns
    -------
    ndarray of Axes: the curves, then the zoomed validation curve and the gap if drawn
    """
    panels = 1 + bool(zoom) + (gap is not None)
    if figsize is None:
        figsize = (4.8 * panels, 4.0)
    _, axes = plt.subplots(1, panels, figsize=figsize, squeeze=False)
    axes = axes[0]
    train = np.asarray(history[metric], dtype=np.float64)
    val = np.asarray(history["val_" + metric], dtype=np.float64)
    epochs = np.arange(train.size)
    xlabel = tr("epoch (from 0, as Keras counts)")
    if ylabel is None:
        ylabel = tr("cross-entropy loss")

    def mark(ax, values=None):
        if best is None:
            return
        ax.axvline(best, color="black", lw=1, ls=":", label=tr("best epoch: {best}", best=best))
        if values is not None:
            ax.plot([best], [values[best]], marker="*", ms=14, color="C3", ls="none",
                    label=tr("validation {metric} there: {value:.3f}",
                             metric=metric, value=values[best]))

    ax = new_axes(tr("Training and validation curves"), xlabel, ylabel, ax=axes[0])
    ax.plot(epochs, train, marker="o", ms=3, lw=2, label=tr("training"))
    ax.plot(epochs, val, marker="s", ms=3, lw=2, ls="--", label=tr("validation"))
    mark(ax, val)
    ax.legend()
    i = 1
    if zoom:
        ax = new_axes(tr("Validation curve alone (zoomed)"), xlabel, ylabel, ax=axes[i])
        ax.plot(epochs, val, marker="s", ms=3, lw=2, ls="--", color="C1",
                label=tr("validation"))
        mark(ax, val)
        start = min(best if best is not None else 0, max(train.size - 1, 0))
        tail = val[start // 2:] if train.size > 2 else val
        low, high = float(np.nanmin(tail)), float(np.nanmax(tail))
        pad = 0.15 * (high - low) + 1e-3
        ax.set_ylim(low - pad, high + pad)
        ax.legend()
        i += 1
    if gap is not None:
        ax = new_axes(tr("Generalization gap (validation - training)"), xlabel,
                      tr("gap in {ylabel}", ylabel=ylabel), ax=axes[i])
        ax.plot(epochs, np.asarray(gap, dtype=np.float64), color="C2", lw=2, label=tr("gap"))
        ax.axhline(0.0, color="grey", lw=0.8)
        mark(ax)
        ax.legend()
    axes[0].figure.tight_layout()
    return axes
