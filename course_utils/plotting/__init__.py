"""Plots the notebooks share. Every figure has a title, axis labels and (where it has more
than one line) a legend. Each function returns the matplotlib ``Axes`` it drew on (or an
array of them), so a notebook can add to it.

One private module per topic (``_common``, ``_losses``, ``_ema``, ...); this package
re-exports their public functions, so a notebook writes ``plotting.plot_losses(...)``.
"""

from course_utils.plotting import (
    _batchnorm,
    _callbacks,
    _common,
    _ema,
    _keras,
    _losses,
    _metrics,
    _optimizers,
    _overfitting,
    _regularization,
)

__all__: list[str] = []
for _module in (_common, _losses, _ema, _optimizers, _overfitting, _regularization, _batchnorm,
                _metrics, _keras, _callbacks):
    for _name in _module.__all__:
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
del _module, _name
