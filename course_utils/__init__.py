"""Reference implementations, data, plots and checks for the lecture-02 workbook.

Importing this package is cheap: it never imports TensorFlow or Keras. Only
:mod:`course_utils.keras_helpers` does, and only when it is imported itself.

Modules (one per topic): ``losses``, ``ema``, ``optimizers``, ``landscapes``,
``overfitting``, ``regularization``, ``batchnorm``, ``metrics``, ``data``, ``plotting``,
``testing``, ``keras_helpers``; instructor tooling lives in ``course_grader``.
"""

from __future__ import annotations

import random
import sys

import numpy as np

from course_utils._one_verdict import route_stderr_to_stdout
from course_utils._validation import CourseInputError
from course_utils.language import tr

__all__ = ["CourseInputError", "seed_everything", "__version__"]
__version__ = "0.1.0"

# Under nbgrader (validate or autograde), a warning is a note on stdout, never a failed cell:
# Validate and autograde give the same verdict (course_utils/_one_verdict.py).
route_stderr_to_stdout()


def seed_everything(seed: int = 42, *, keras: bool | None = None) -> np.random.Generator:
    """Seed Python's ``random``, NumPy and (if wanted) Keras/TensorFlow; return a Generator.

    Parameters
    ----------
    seed : int
        A non-negative integer.
    keras : bool, optional
        Also call ``keras.utils.set_random_seed(seed)``. By default this happens only when
        Keras or TensorFlow is already imported, so seeding never pulls TensorFlow in.

    Returns
    -------
    numpy.random.Generator
        ``np.random.default_rng(seed)``: pass it as ``rng=`` to functions that draw numbers.

    Examples
    --------
    >>> rng = seed_everything(0, keras=False)
    >>> float(rng.random()) == float(np.random.default_rng(0).random())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CourseInputError(tr(
            "`seed` must be a non-negative integer. Received: seed={seed!r}.\n"
            "Hint: use a fixed number such as 42 so that every run draws the same numbers.",
            seed=seed,
        ))
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002  (seeds code that uses the legacy API)
    if keras is None:
        keras = "keras" in sys.modules or "tensorflow" in sys.modules
    if keras:
        from course_utils.keras_helpers import keras as _keras

        _keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)
