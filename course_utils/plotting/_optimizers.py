"""Plots for the optimizers notebook (``03_optimizers``).

The notebook computes the paths and losses with the student's own update rules and passes
plain arrays here. Every function draws with a title, axis labels and (for several lines) a
legend, and returns the ``Axes`` it drew on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from course_utils.landscapes import meshgrid_values
from course_utils.language import tr
from course_utils.plotting._common import new_axes

__all__ = ["plot_landscape", "plot_paths", "plot_optimizer_curves"]


def plot_landscape(f: Callable[[np.ndarray], np.ndarray], xlim: tuple[float, float],
                   ylim: tuple[float, float], *, title: str, ax=None, log_levels: bool = True,
                   n_levels: int = 20, minimum: Sequence[float] | None = None,
                   grid: int = 200, figsize=(6.4, 4.8)):
    """Draw the contour lines of a landscape ``f`` of two variables.

    Parameters
    ----------
    f : callable
        Takes points of shape (m, 2), returns values of shape (m,), e.g.
        ``course_utils.landscapes.rosenbrock``.
    xlim, ylim : tuple of two floats
        The plotted ranges of x and y.
    title : str
        The title of the plot.
    ax : matplotlib Axes, optional
        Draw on this Axes; a new figure if None.
    log_levels : bool
        Space the contour levels logarithmically, from a millionth of the maximum up (for
        functions >= 0 that span many orders of magnitude, like Rosenbrock's); otherwise
        linearly.
    n_levels : int
        Number of contour levels.
    minimum : (x, y), optional
        Mark this point with a star (labelled "minimum").
    grid : int
        Grid points per axis.
    figsize : tuple
        Figure size when a new figure is made.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(title, "x", "y", ax=ax, figsize=figsize)
    ax.grid(False)
    X, Y, Z = meshgrid_values(f, xlim, ylim, n=grid)
    if log_levels:  # from a millionth of the maximum up: the flat floor gets lines too
        low = max(Z[Z > 0].min(), Z.max() * 1e-6)
        levels = np.logspace(np.log10(low), np.log10(Z.max()), n_levels)
    else:
        levels = np.linspace(Z.min(), Z.max(), n_levels)
    ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8, alpha=0.45)
    if minimum is not None:
        ax.plot(*minimum, marker="*", color="gold", markeredgecolor="black", markersize=16,
                linestyle="none", label=tr("minimum"), zorder=5)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return ax


def plot_paths(ax, paths: Mapping[str, np.ndarray], *, markevery: int | None = None,
               legend_loc: str = "best"):
    """Draw optimizer paths on a landscape drawn by :func:`plot_landscape`, with a legend.

    Parameters
    ----------
    ax : matplotlib Axes
        The Axes of the landscape.
    paths : mapping of str to ndarray of shape (steps + 1, 2)
        Label -> the points visited, row 0 being the start. Rows that are not finite (a run
        that diverged) are left out.
    markevery : int, optional
        Put a dot on every ``markevery``-th point, to show the step sizes.
    legend_loc : str
        Where the legend goes (a matplotlib ``loc``), e.g. ``"lower left"``.

    Returns
    -------
    matplotlib Axes
    """
    start = None
    for label, path in paths.items():
        path = np.asarray(path, dtype=np.float64)
        path = path[np.all(np.isfinite(path), axis=1)]
        ax.plot(path[:, 0], path[:, 1], marker="o" if markevery else None, markersize=2.5,
                markevery=markevery, linewidth=1.5, label=label)
        start = path[0]
    if start is not None:
        ax.plot(*start, marker="s", color="black", markersize=7, linestyle="none",
                label=tr("start"), zorder=5)
    ax.legend(loc=legend_loc, fontsize="small")
    return ax


def plot_optimizer_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], *, title: str,
                          xlabel: str, ylabel: str, ax=None, logx: bool = False,
                          logy: bool = False, marker: str | Sequence[str] | None = None,
                          hline: float | None = None, hline_label: str | None = None):
    """Draw one line per entry of ``curves`` (label -> ``(x, y)``), with a legend.

    Parameters
    ----------
    curves : mapping of str to (x, y)
        x and y of the same length; non-finite y (a diverged run) are not drawn.
    title, xlabel, ylabel : str
        Title and axis labels.
    ax : matplotlib Axes, optional
        Draw on this Axes; a new figure if None.
    logx, logy : bool
        Logarithmic x / y axis.
    marker : str or sequence of str, optional
        A matplotlib marker for the points, e.g. ``"o"``, or one per curve (cycled), e.g.
        ``"osD^"``, so that overlapping curves stay visible.
    hline : float, optional
        Draw a dashed horizontal line at this y (labelled ``hline_label``).

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(title, xlabel, ylabel, ax=ax)
    markers = [marker] if marker is None or len(marker) == 1 else list(marker)
    for i, (label, (x, y)) in enumerate(curves.items()):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        y = np.where(np.isfinite(y), y, np.nan)
        m = markers[i % len(markers)]
        ax.plot(x, y, marker=m, markersize=5, linewidth=1.5, label=label,
                markerfacecolor="none" if m and len(markers) > 1 else None)
    if hline is not None:
        ax.axhline(hline, color="black", linestyle="--", linewidth=1, label=hline_label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.legend(loc="best", fontsize="small")
    return ax
