"""Import Keras (TensorFlow backend) quietly, and small Keras helpers the notebooks share.

``digits_mlp`` builds the digits classifier of notebooks 04 and 05 (with or without
regularization), so that both notebooks train the very same model.

``from course_utils.keras_helpers import keras, tf`` is the one place the workbook imports
TensorFlow. TensorFlow writes two log lines straight to the process's stderr while it loads
("All log messages before absl::InitializeLog() ..." and "oneDNN custom operations are on ...");
under nbgrader any stderr in a graded cell scores 0, so the import sends file descriptor 2 to
``/dev/null`` for its duration and restores it afterwards. Later TensorFlow C++ logging is
limited to errors with ``TF_CPP_MIN_LOG_LEVEL=3``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__all__ = ["keras", "tf", "digits_mlp"]


def _quiet_import():
    """Import tensorflow and keras with file descriptor 2 silenced; return both modules."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras
        import tensorflow as tf
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl is a TensorFlow dependency; be safe anyway
        pass
    return tf, keras


tf, keras = _quiet_import()


def digits_mlp(*, hidden=(128, 128), lam: float = 0.0, l1: float = 0.0, dropout: float = 0.0,
               batchnorm: bool = False, learning_rate: float = 1e-3, seed: int = 0):
    """A compiled multilayer perceptron for the 64-pixel digits (10 classes).

    Architecture: ``Input(64)``, then for each width ``h`` in ``hidden``:
    ``Dense(h)`` -> [``BatchNormalization``] -> ReLU -> [``Dropout(dropout)``]; finally
    ``Dense(10, softmax)``. Compiled with Adam(``learning_rate``), sparse categorical
    cross-entropy and accuracy.

    Parameters
    ----------
    hidden : sequence of int
        Widths of the hidden layers.
    lam : float
        The lecture's L2 lambda, penalty ``lam / 2 * sum ||W||^2``: every Dense kernel gets
        ``keras.regularizers.L2(lam / 2)`` (Keras's ``L2(c)`` adds ``c * sum w^2``). Biases and
        batch-normalization parameters are not penalized. 0 means no L2 penalty.
    l1 : float
        L1 coefficient: every Dense kernel gets ``keras.regularizers.L1(l1)``. 0 means none.
    dropout : float
        Dropout rate (probability of dropping a unit) after each hidden layer, in [0, 1);
        0 means no Dropout layer.
    batchnorm : bool
        Put a BatchNormalization between each hidden Dense and its activation (the Dense then
        has no bias, which batch normalization's beta replaces).
    learning_rate : float
        Adam's step size.
    seed : int
        Calls ``keras.utils.set_random_seed(seed)`` first, so that the initial weights, the
        dropout masks and the shuffling in ``fit`` repeat from run to run.

    Returns
    -------
    keras.Model
        Compiled; the regularization penalties are in ``model.losses``.

    Notes
    -----
    Notebooks 04 and 05 train it as ``digits_mlp(learning_rate=3e-3)`` on
    ``data.digits_splits()`` for 40 epochs with ``batch_size=32``: the training loss falls to
    almost 0 while the validation loss bottoms out after about 15 epochs and then rises.
    """
    from course_utils._validation import CourseInputError
    from course_utils.language import tr

    def number(value, name, *, upper=None, hint):
        ok = not isinstance(value, bool) and isinstance(value, (int, float))
        ok = ok and value == value and value >= 0 and (upper is None or value < upper)
        if ok:
            return float(value)
        if upper is not None:
            raise CourseInputError(tr(
                "`{name}` must be a float in [0, {upper:g}). Received: {name}={value!r}.\n"
                "Hint: {hint}", name=name, upper=upper, value=value, hint=hint))
        raise CourseInputError(tr(
            "`{name}` must be a float >= 0. Received: {name}={value!r}.\nHint: {hint}",
            name=name, value=value, hint=hint))

    lam = number(lam, "lam", hint=tr("lam is the lecture's lambda, e.g. 1e-3; 0 turns L2 off."))
    l1 = number(l1, "l1", hint=tr("e.g. 1e-4; 0 turns L1 off."))
    dropout = number(dropout, "dropout", upper=1.0,
                     hint=tr("dropout is the probability of dropping a unit, e.g. 0.5."))
    learning_rate = number(learning_rate, "learning_rate", hint=tr("Adam's default is 1e-3."))
    if learning_rate == 0:
        raise CourseInputError(tr("`learning_rate` must be positive. Received: learning_rate=0.\n"
                                  "Hint: Adam's default is 1e-3."))
    hidden = tuple(hidden)
    if not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in hidden):
        raise CourseInputError(tr(
            "`hidden` must be a sequence of positive integers. Received: hidden={hidden!r}.\n"
            "Hint: hidden=(128, 128) gives two hidden layers of 128 units.", hidden=hidden))

    keras.utils.set_random_seed(int(seed))
    penalties = []
    if lam > 0:
        penalties.append(keras.regularizers.L2(lam / 2))
    if l1 > 0:
        penalties.append(keras.regularizers.L1(l1))
    if len(penalties) == 2:
        regularizer = keras.regularizers.L1L2(l1=l1, l2=lam / 2)
    else:
        regularizer = penalties[0] if penalties else None

    layers = keras.layers
    x = inputs = keras.Input(shape=(64,))
    for width in hidden:
        x = layers.Dense(width, use_bias=not batchnorm, kernel_regularizer=regularizer)(x)
        if batchnorm:
            x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        if dropout > 0:
            x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(10, activation="softmax", kernel_regularizer=regularizer)(x)
    model = keras.Model(inputs, outputs, name="digits_mlp")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
