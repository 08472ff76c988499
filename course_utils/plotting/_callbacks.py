"""Plots for the callbacks notebook (``10_callbacks``).

The functions only draw: the notebook records the values (with the student's own callbacks
and Keras's ``History``) and passes them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = ["plot_smoothed_loss", "plot_epoch_values"]


def plot_smoothed_loss(raw, smoothed, *, batches_per_epoch: int | None = None,
                       title: str | None = None, ax=None):
    """Draw the loss reported after each training batch and its smoothed version.

    Parameters
    ----------
    raw, smoothed : array_like, shape (n_batches,)
        The loss Keras reported after each batch, and its moving average.
    batches_per_epoch : int, optional
        Draw a dotted vertical line at the start of every epoch after the first.
    title : str, optional
        Default: "Loss after each batch and its moving average".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    raw = np.asarray(raw, dtype=np.float64)
    smoothed = np.asarray(smoothed, dtype=np.float64)
    if title is None:
        title = tr("Loss after each batch and its moving average")
    ax = new_axes(title, tr("training batch (from 0, over all epochs)"), tr("loss"), ax=ax)
    steps = np.arange(raw.size)
    ax.plot(steps, raw, ".", ms=3, alpha=0.5, color="tab:gray",
            label=tr("logs['loss'] per batch"))
    ax.plot(np.arange(smoothed.size), smoothed, lw=2, color="tab:blue",
            label=tr("moving average (bias-corrected)"))
    if batches_per_epoch:
        for start in range(batches_per_epoch, raw.size, batches_per_epoch):
            ax.axvline(start - 0.5, color="k", lw=0.6, ls=":", alpha=0.5)
    ax.legend()
    return ax


def plot_epoch_values(history: Mapping[str, Sequence[float]], keys: Sequence[str], *,
                      best: int | None = None, ylabel: str | None = None,
                      title: str | None = None, log: bool = False, ax=None):
    """Draw ``history[key]`` per epoch for each of ``keys``, the best epoch marked.

    Parameters
    ----------
    history : mapping
        A Keras ``History.history`` (or any mapping of key -> one value per epoch).
    keys : sequence of str
        The keys to draw, e.g. ``["loss", "val_loss"]``.
    best : int, optional
        An epoch (from 0) to mark with a vertical line, e.g. the one
        ``restore_best_weights=True`` restores.
    ylabel, title : str, optional
        Default: "value" and "Values recorded after each epoch".
    log : bool
        Logarithmic vertical axis (for learning rates).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if ylabel is None:
        ylabel = tr("value")
    if title is None:
        title = tr("Values recorded after each epoch")
    ax = new_axes(title, tr("epoch (from 0, as Keras counts)"), ylabel, ax=ax)
    for key in keys:
        values = np.asarray(history[key], dtype=np.float64)
        ax.plot(np.arange(values.size), values, "o-", ms=3, label=key)
    if best is not None:
        ax.axvline(best, color="tab:red", ls="--", lw=1, label=tr("best epoch ({best})", best=best))
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax
