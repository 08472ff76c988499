"""Helpers shared by every plot."""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["new_axes"]


def new_axes(title: str, xlabel: str, ylabel: str, *, ax=None, figsize=(6.4, 4.0)):
    """Return an ``Axes`` with its title and axis labels set (a new figure if ``ax`` is None)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return ax
