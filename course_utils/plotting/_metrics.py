"""Plots for the metrics notebook: a confusion matrix, a threshold sweep, a precision-recall
curve, and a loss next to a metric (why we train on one and report the other)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = [
    "plot_confusion_matrix",
    "plot_threshold_sweep",
    "plot_precision_recall_curve",
    "plot_loss_and_metric",
]


def plot_confusion_matrix(cm, *, class_names: Sequence[str] | None = None,
                          title: str | None = None, ax=None, cmap: str = "Blues"):
    """Draw a confusion matrix as an image with the count written in every cell.

    Parameters
    ----------
    cm : array_like of int, shape (k, k)
        Rows are true classes, columns predicted ones (``cm[i, j]`` samples of class ``i``
        predicted as ``j``).
    class_names : sequence of str, optional
        Tick labels, one per class; ``0 .. k-1`` by default.
    title : str, optional
        The figure title; default "Confusion matrix".
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(tr("`cm` must be a square (k, k) matrix. Received: cm.shape={shape}.",
                            shape=cm.shape))
    k = cm.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(tr("`class_names` must have one name per class ({k}). Received: "
                            "{n_names} names.", k=k, n_names=len(names)))
    if ax is None:
        size = 3.6 if k <= 3 else min(0.55 * k + 1.5, 8.0)
        _, ax = plt.subplots(figsize=(size + 0.8, size))
    image = ax.imshow(cm, cmap=cmap, vmin=0)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=tr("samples"))
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel(tr("predicted class"))
    ax.set_ylabel(tr("true class"))
    ax.set_title(tr("Confusion matrix") if title is None else title)
    threshold = cm.max() / 2 if cm.size and cm.max() > 0 else 0.5
    fontsize = 11 if k <= 4 else 8
    for i in range(k):
        for j in range(k):
            ax.text(j, i, f"{cm[i, j]:d}" if np.issubdtype(cm.dtype, np.integer)
                    else f"{cm[i, j]:.2g}", ha="center", va="center", fontsize=fontsize,
                    color="white" if cm[i, j] > threshold else "black")
    return ax


def plot_threshold_sweep(thresholds, curves: dict[str, np.ndarray], *, default: float = 0.5,
                         title: str | None = None, ax=None):
    """Plot each metric in ``curves`` (name -> values, one per threshold) against the threshold.

    A dotted vertical line marks the ``default`` threshold (0.5, where Keras's
    ``BinaryAccuracy``, ``Precision`` and ``Recall`` cut). The title defaults to "Metrics vs
    decision threshold". Returns the Axes.
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if title is None:
        title = tr("Metrics vs decision threshold")
    ax = new_axes(title, tr("threshold  (predict 1 when p > threshold)"), tr("metric value"),
                  ax=ax, figsize=(7.6, 4.0))
    for name, values in curves.items():
        ax.plot(thresholds, np.asarray(values, dtype=np.float64), label=name, lw=2)
    ax.axvline(default, color="gray", ls=":", label=tr("threshold {default:g}", default=default))
    ax.set_xlim(thresholds.min(), thresholds.max())
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.figure.tight_layout()
    return ax


def plot_precision_recall_curve(recall, precision, *, label: str | None = None,
                                positive_rate: float | None = None,
                                points: dict[str, tuple[float, float]] | None = None,
                                title: str | None = None, ax=None, **line_kwargs):
    """Precision (y) against recall (x) as the threshold moves; returns the Axes.

    ``positive_rate`` (the fraction of positives) draws the level of a classifier that
    guesses at random; ``points`` maps a label to a ``(recall, precision)`` point to mark.
    Call again with ``ax=`` to add another curve. ``label`` defaults to "model", ``title`` to
    "Precision-recall curve".
    """
    new = ax is None
    if label is None:
        label = tr("model")
    if title is None:
        title = tr("Precision-recall curve")
    ax = new_axes(title, tr("recall  R = TP / (TP + FN)"), tr("precision  P = TP / (TP + FP)"),
                  ax=ax, figsize=(5.2, 4.4))
    line_kwargs.setdefault("lw", 2)
    ax.plot(np.asarray(recall, dtype=np.float64), np.asarray(precision, dtype=np.float64),
            label=label, **line_kwargs)
    if positive_rate is not None:
        ax.axhline(positive_rate, color="gray", ls="--",
                   label=tr("random guessing (P = {positive_rate:.2f})",
                            positive_rate=positive_rate))
    for name, (r, p) in (points or {}).items():
        ax.plot([r], [p], "o", ms=8, label=name)
    if new:
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.05)
    ax.legend(loc="center left")
    return ax


def plot_loss_and_metric(x, loss, metric, *, xlabel: str, loss_name: str | None = None,
                         metric_name: str | None = None, title: str | None = None):
    """Two panels over the same ``x``: a loss (left) and a metric (right); returns both Axes.

    Used to show that a count-based metric such as accuracy is piecewise constant in the
    parameters (its gradient is 0 almost everywhere), while the loss changes smoothly.
    ``loss_name``, ``metric_name`` and ``title`` default to "loss", "metric" and "A loss is
    smooth, a metric is a staircase".
    """
    x = np.asarray(x, dtype=np.float64)
    if loss_name is None:
        loss_name = tr("loss")
    if metric_name is None:
        metric_name = tr("metric")
    if title is None:
        title = tr("A loss is smooth, a metric is a staircase")
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8))
    new_axes(loss_name, xlabel, loss_name, ax=axes[0])
    axes[0].plot(x, np.asarray(loss, dtype=np.float64), color="C0", lw=2, label=loss_name)
    new_axes(metric_name, xlabel, metric_name, ax=axes[1])
    axes[1].step(x, np.asarray(metric, dtype=np.float64), where="mid", color="C1", lw=2,
                 label=metric_name)
    for a in axes:
        a.legend(loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return axes
