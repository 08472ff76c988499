"""Plots for the batch-normalization notebook (``06_batch_normalization``).

Every function takes plain arrays or Keras ``History.history`` dictionaries (the notebook
computes them with the student's own functions or with Keras), draws with a title, axis
labels and a legend, and returns the ``Axes`` it drew on (or an array of them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = [
    "plot_batch_before_after",
    "plot_running_stats",
    "plot_gradient_norms_per_layer",
    "plot_training_histories",
]


def plot_batch_before_after(x, out, *, features: tuple[int, int] = (0, 1),
                            figsize=(11.0, 4.2)):
    """Scatter two features of a batch before (left) and after (right) batch normalization.

    Parameters
    ----------
    x : array_like, shape (N, D)
        The input batch.
    out : array_like, shape (N, D)
        The normalised batch (``gamma = 1``, ``beta = 0`` shows mean 0 and std 1).
    features : (int, int)
        The two columns to draw.

    Returns
    -------
    ndarray of two Axes
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.asarray(out, dtype=np.float64)
    i, j = features
    _, axes = plt.subplots(1, 2, figsize=figsize)
    for ax, data, title in [(axes[0], x, tr("Batch before normalization")),
                            (axes[1], out, tr("After batch normalization"))]:
        new_axes(title, tr("feature {index}", index=i), tr("feature {index}", index=j), ax=ax)
        ax.scatter(data[:, i], data[:, j], s=14, alpha=0.6, label=tr("samples of the batch"))
        mean = data[:, [i, j]].mean(axis=0)
        std = data[:, [i, j]].std(axis=0)
        ax.errorbar(mean[0], mean[1], xerr=std[0], yerr=std[1], color="C3", capsize=4,
                    marker="o", lw=2, label=tr("mean ± std per feature"))
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.legend(loc="upper left")
    # the same scale on both panels makes the shift and the squeeze visible
    lo = min(float(np.min(x[:, [i, j]])), float(np.min(out[:, [i, j]])), -3.0)
    hi = max(float(np.max(x[:, [i, j]])), float(np.max(out[:, [i, j]])), 3.0)
    pad = 0.05 * (hi - lo)
    for ax in axes:
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_aspect("equal")
    axes[0].figure.tight_layout()
    return axes


def plot_running_stats(steps, running: Mapping[str, Sequence[float]], *, target: float,
                       title: str | None = None, ylabel: str | None = None, ax=None):
    """Running statistics over the training steps, against the value they should reach.

    Parameters
    ----------
    steps : array_like, shape (T,)
        Step numbers (1, 2, ..., T).
    running : mapping of str to array_like of shape (T,)
        Legend label -> the running statistic after each step.
    target : float
        The statistic of the whole data (drawn as a dashed line).
    title, ylabel : str, optional
        Default: "Running mean of one feature during training" and "running mean".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if title is None:
        title = tr("Running mean of one feature during training")
    if ylabel is None:
        ylabel = tr("running mean")
    ax = new_axes(title, tr("training step (batches seen)"), ylabel, ax=ax)
    steps = np.asarray(steps, dtype=np.float64)
    for label, values in running.items():
        ax.plot(steps, np.asarray(values, dtype=np.float64), lw=2, label=label)
    ax.axhline(target, color="black", ls="--", lw=1.2, label=tr("mean of the whole data"))
    ax.legend()
    return ax


def plot_gradient_norms_per_layer(norms: Mapping[str, Sequence[float]], *,
                                  title: str | None = None, ax=None):
    """Norm of the gradient of each Dense kernel, layer by layer, on a log scale.

    Parameters
    ----------
    norms : mapping of str to array_like of shape (L,)
        Model label -> :math:`\\|\\partial L / \\partial W^{[l]}\\|` for l = 1..L.
    title : str, optional
        Default: "Gradient size per layer at initialisation".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if title is None:
        title = tr("Gradient size per layer at initialisation")
    ax = new_axes(title, tr("Dense layer l (1 = next to the input)"),
                  tr("{norm} (log scale)", norm=r"$\|\partial L / \partial W^{[l]}\|$"), ax=ax)
    for label, values in norms.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(1, values.size + 1), values, marker="o", lw=2, label=label)
    ax.set_yscale("log")
    ax.legend()
    return ax


def plot_training_histories(histories: Mapping[str, Mapping[str, Sequence[float]]], *,
                            metric: str = "loss", ylabel: str | None = None,
                            figsize: tuple[float, float] | None = None):
    """One panel per model, side by side, with its training and validation curves.

    Parameters
    ----------
    histories : mapping of str to mapping
        Model label -> Keras ``History.history`` (with ``metric`` and ``"val_" + metric``).
    metric : str
        Which curve to draw, e.g. ``"loss"`` or ``"accuracy"``.
    ylabel : str, optional
        Default: "cross-entropy loss".
    figsize : (float, float), optional
        Default: 5.2 inches wide per panel, 4.2 high.

    Returns
    -------
    ndarray of Axes, one per model (they share the y axis)
    """
    if ylabel is None:
        ylabel = tr("cross-entropy loss")
    if figsize is None:
        figsize = (5.2 * len(histories), 4.2)
    _, axes = plt.subplots(1, len(histories), figsize=figsize, sharey=True, squeeze=False)
    axes = axes[0]
    for ax, (label, hist) in zip(axes, histories.items(), strict=True):
        new_axes(label, tr("epoch"), ylabel, ax=ax)
        train = np.asarray(hist[metric], dtype=np.float64)
        epochs = np.arange(1, train.size + 1)
        ax.plot(epochs, train, marker="o", ms=3, lw=2, label=tr("training"))
        val_key = "val_" + metric
        if val_key in hist:
            ax.plot(epochs, np.asarray(hist[val_key], dtype=np.float64), marker="s", ms=3,
                    lw=2, ls="--", label=tr("validation"))
        ax.legend()
    axes[0].figure.tight_layout()
    return axes
