"""Plots the notebooks share. Every figure has a title, axis labels and (where it has more
than one line) a legend. Each function returns the matplotlib ``Axes`` it drew on (or an
array of them), so a notebook can add to it.

One private module per topic (``_common``, ``_losses``, ``_ema``, ...); this package
re-exports their public functions, so a notebook writes ``plotting.plot_losses(...)``.
They (and matplotlib) are imported on the first use of a plot, not with the package: a
notebook's setup cell, and a graded run that draws nothing, start faster.
"""

from __future__ import annotations

import functools
import importlib

from course_utils.language import tr

_MODULES = ("_common", "_losses", "_ema", "_optimizers", "_overfitting", "_regularization",
            "_batchnorm", "_metrics", "_keras", "_callbacks")


@functools.cache
def _public_names() -> tuple[str, ...]:
    """Import the topic modules (once) and copy their public functions into this package."""
    names = []
    for module_name in _MODULES:
        module = importlib.import_module(f"{__name__}.{module_name}")
        for name in module.__all__:
            globals()[name] = getattr(module, name)
            names.append(name)
    return tuple(names)


def __getattr__(name: str):
    if name == "__all__":
        return list(_public_names())
    if name.startswith("__") or name in _MODULES:
        raise AttributeError(tr("module {module!r} has no attribute {name!r}",
                                module=__name__, name=name))
    if name in _public_names():
        return globals()[name]
    raise AttributeError(tr(
        "module {module!r} has no plot named {name!r}.\n"
        "Hint: the plots are {plots}",
        module=__name__, name=name, plots=", ".join(sorted(_public_names()))))


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_public_names()))
