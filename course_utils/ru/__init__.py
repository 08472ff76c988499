"""The Russian catalogue of course_utils: one module per module of the package.

Each maps the English template given to :func:`course_utils.language.tr` to its Russian
translation with the same ``{fields}``.
"""

from course_utils.ru import (
    batchnorm,
    data,
    ema,
    keras_helpers,
    landscapes,
    losses,
    metrics,
    optimizers,
    overfitting,
    plotting,
    regularization,
    testing,
    validation,
)

MODULES = (
    batchnorm,
    data,
    ema,
    keras_helpers,
    landscapes,
    losses,
    metrics,
    optimizers,
    overfitting,
    plotting,
    regularization,
    testing,
    validation,
)
MESSAGES: dict[str, str] = {}
for _module in MODULES:
    MESSAGES.update(_module.MESSAGES)
