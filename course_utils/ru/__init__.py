"""The Russian catalogue of course_utils: one module per module of the package.

Each maps the English template given to :func:`course_utils.language.tr` to its Russian
translation with the same ``{fields}``.
"""

import importlib

_NAMES = (
    "batchnorm",
    "data",
    "ema",
    "keras_helpers",
    "landscapes",
    "losses",
    "metrics",
    "optimizers",
    "overfitting",
    "plotting",
    "regularization",
    "testing",
    "validation",
)
MODULES = tuple(importlib.import_module(f"{__name__}.{name}") for name in _NAMES)
MESSAGES: dict[str, str] = {}
for _module in MODULES:
    MESSAGES.update(_module.MESSAGES)
