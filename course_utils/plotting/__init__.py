"""Plots the notebooks share. Every figure has a title, axis labels and (where it has more
than one line) a legend. Each function returns the matplotlib ``Axes`` it drew on, so a
notebook can add to it.

One private module per topic (``_common``, ``_losses``, ...); this package re-exports them.
"""

from course_utils.plotting._common import new_axes

__all__ = ["new_axes"]
