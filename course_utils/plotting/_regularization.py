"""Plots for the regularization notebook (``05_regularization``).

Every function takes plain arrays or Keras ``History.history`` dictionaries, draws with a
title, axis labels and a legend, and returns the ``Axes`` it drew on (or an array of them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = ["plot_coefficient_paths", "plot_regularized_histories"]


def plot_coefficient_paths(lams, paths: Mapping[str, np.ndarray], *, feature_names=None,
                           figsize=(12.0, 4.4)):
    """Coefficients of a linear model against lambda, one panel per penalty (e.g. L1, L2).

    Parameters
    ----------
    lams : array_like, shape (n_lams,)
        The lambdas (positive; drawn on a log scale).
    paths : mapping of str to array_like, shape (n_lams, n_features)
        Panel title (e.g. ``"L1 (lasso)"``) -> the coefficients fitted with each lambda.
    feature_names : sequence of str, optional
        Legend labels of the coefficients.

    Returns
    -------
    ndarray of Axes, one per panel

    Notes
    -----
    Below each panel's title: how many coefficients are exactly 0 at the largest lambda, the
    point of the comparison (L1 zeroes coefficients, L2 only shrinks them).
    """
    lams = np.asarray(lams, dtype=np.float64)
    _, axes = plt.subplots(1, len(paths), figsize=figsize, sharey=True, squeeze=False)
    axes = axes[0]
    for ax, (title, coefs) in zip(axes, paths.items(), strict=True):
        coefs = np.asarray(coefs, dtype=np.float64)
        zeros = int(np.sum(coefs[-1] == 0.0))
        new_axes(tr("{title}\n{zeros} of {n} coefficients exactly 0 at the largest lambda",
                    title=title, zeros=zeros, n=coefs.shape[1]),
                 tr("lambda (log scale)"), tr("coefficient"), ax=ax)
        for j in range(coefs.shape[1]):
            label = feature_names[j] if feature_names is not None else f"w{j}"
            ax.plot(lams, coefs[:, j], lw=1.6, label=label)
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xscale("log")
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize="small")
    plt.tight_layout()
    return axes


def plot_regularized_histories(histories: Mapping[str, Mapping[str, Sequence[float]]], *,
                               metric: str = "loss", ylabel: str | None = None,
                               figsize=None):
    """Training and validation curves of several models, one panel each, on a shared y axis.

    Parameters
    ----------
    histories : mapping of str to ``History.history``
        Model label -> its history, holding ``metric`` and ``"val_" + metric``.
    metric : str
        The curve to draw, e.g. ``"loss"`` or ``"accuracy"``.
    ylabel : str, optional
        Label of the y axis; default "cross-entropy loss".

    Returns
    -------
    ndarray of Axes, one per model

    Notes
    -----
    Each panel marks the epoch of the best validation value (lowest loss or highest
    accuracy), where early stopping with ``restore_best_weights=True`` would land.
    """
    n = len(histories)
    if ylabel is None:
        ylabel = tr("cross-entropy loss")
    figsize = figsize or (3.6 * n, 3.8)
    _, axes = plt.subplots(1, n, figsize=figsize, sharey=True, squeeze=False)
    axes = axes[0]
    pick = np.nanargmax if "acc" in metric else np.nanargmin
    for ax, (label, history) in zip(axes, histories.items(), strict=True):
        train = np.asarray(history[metric], dtype=np.float64)
        val = np.asarray(history["val_" + metric], dtype=np.float64)
        epochs = np.arange(len(train))
        new_axes(label, tr("epoch (from 0)"), ylabel, ax=ax)
        ax.plot(epochs, train, lw=1.8, label=tr("training"))
        ax.plot(epochs, val, lw=1.8, label=tr("validation"))
        best = int(pick(val))
        ax.axvline(best, color="grey", ls="--", lw=1.0,
                   label=tr("best validation (epoch {best})", best=best))
        ax.legend(loc="best", fontsize="small")
    plt.tight_layout()
    return axes
