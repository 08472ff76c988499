r"""Loss functions of lecture 2 and their gradients, in plain numpy.

Interface (every loss in :data:`LOSSES`)::

    <name>(y_true, y_pred, *, options)       -> ndarray, shape y_pred.shape[:-1] (float if 1-D)
    <name>_grad(y_true, y_pred, *, options)  -> ndarray, shape y_pred.shape

* The forward function returns **one value per sample**: it reduces over the last axis
  only, exactly like the function of the same name in ``keras.losses``. A batch of shape
  ``(n, k)`` gives a float64 array of shape ``(n,)``; ``(n, t, k)`` gives ``(n, t)``; a
  single sample of shape ``(k,)`` gives a Python ``float``. The values equal Keras's (on
  float64 inputs) to rounding error.
* The gradient is that of the **batch mean** of the per-sample values,
  :math:`\partial\, \mathrm{mean}(\mathcal{L}) / \partial \hat{y}`, the number Keras
  back-propagates with its default reduction. With ``from_logits=True`` it is the gradient
  with respect to the logits ``y_pred``.
* Data arguments are positional; options (``from_logits``, ``delta``) are keyword-only.
  Inputs are never modified. Bad inputs raise :class:`~course_utils.CourseInputError`.

Clipping (same as Keras, ``EPSILON = 1e-7``)
    Cross-entropies on probabilities use :math:`\mathrm{clip}(\hat{y}, \epsilon,
    1-\epsilon)`, KL divergence clips both arguments to :math:`[\epsilon, 1]`, so ``y_pred``
    equal to 0 or 1 gives a large but finite loss instead of ``inf``. Where the clip is active
    (``y_pred`` strictly outside the interval) the loss does not change with ``y_pred``, so the
    gradient there is **0**; on the closed interval (boundaries included) the clip is the
    identity. This is exactly TensorFlow's gradient of ``clip_by_value``, so every ``_grad``
    equals ``tf.GradientTape`` applied to the Keras loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils._validation import (
    CourseInputError,
    as_float_array,
    check_in_range,
    check_positive,
    check_probabilities,
    check_same_shape,
)
from course_utils.language import tr

__all__ = [
    "EPSILON",
    "LOSSES",
    "binary_crossentropy",
    "binary_crossentropy_grad",
    "categorical_crossentropy",
    "categorical_crossentropy_grad",
    "sparse_categorical_crossentropy",
    "sparse_categorical_crossentropy_grad",
    "kl_divergence",
    "kl_divergence_grad",
    "mean_squared_error",
    "mean_squared_error_grad",
    "mean_absolute_error",
    "mean_absolute_error_grad",
    "huber",
    "huber_grad",
    "mse",
    "mae",
]

EPSILON = 1e-7
"""Keras's ``backend.epsilon()``: probabilities are clipped to ``[EPSILON, 1 - EPSILON]``."""


# --------------------------------------------------------------------------------------------
# private helpers: input checks and stable building blocks
# --------------------------------------------------------------------------------------------

def _as_batch(x: Any, name: str) -> np.ndarray:
    """A float64 copy of ``x`` with at least one dimension, non-empty and finite.

    Labels (``y_true``) may be booleans (True = 1); predictions must be numbers.
    """
    arr = as_float_array(x, name, allow_bool=(name == "y_true"))
    if arr.ndim == 0:
        raise CourseInputError(tr(
            "`{name}` must have at least 1 dimension (the last axis holds the classes or "
            "outputs of one sample). Received: {name}={value!r}, a scalar.\n"
            "Hint: pass a batch, e.g. shape (n_samples, n_outputs); one sample is "
            "np.array([...]).",
            name=name, value=float(arr),
        ))
    return arr


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both arguments as float64 arrays of the same shape (no broadcasting)."""
    yt = _as_batch(y_true, "y_true")
    yp = _as_batch(y_pred, "y_pred")
    check_same_shape(
        yt, yp, "y_true", "y_pred",
        hint=tr("pass one prediction per label; for a single output use shape (n, 1) for "
                "both (y.reshape(-1, 1)), since (n,) and (n, 1) would broadcast to (n, n)."),
    )
    return yt, yp


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise CourseInputError(tr(
            "`{name}` must be True or False. Received: {name}={value!r}.\n"
            "Hint: use from_logits=True when y_pred holds raw scores (before "
            "sigmoid/softmax), False when it holds probabilities.",
            name=name, value=value,
        ))
    return bool(value)


def _check_labels(y_true: np.ndarray) -> None:
    check_in_range(y_true, "y_true", 0.0, 1.0,
                   hint=tr("labels are 0/1 (one-hot) or probabilities; did you swap y_true "
                           "and y_pred, or pass class indices (use "
                           "sparse_categorical_crossentropy)?"))


def _check_distributions(y_true: np.ndarray) -> None:
    _check_labels(y_true)
    check_probabilities(y_true, "y_true", axis=-1)


def _check_pred_probabilities(y_pred: np.ndarray) -> None:
    check_probabilities(y_pred, "y_pred")


def _per_sample(values: np.ndarray) -> np.ndarray | float:
    """The per-sample losses; a Python float when the input was a single sample (1-D)."""
    if np.ndim(values) == 0:
        return float(values)
    return np.asarray(values, dtype=np.float64)


def _n_samples(shape: tuple[int, ...]) -> int:
    """Number of per-sample values: the product of all axes but the last."""
    return int(np.prod(shape[:-1], dtype=np.int64))


def _clip(p: np.ndarray, high: float = 1.0 - EPSILON) -> tuple[np.ndarray, np.ndarray]:
    """``clip(p, EPSILON, high)`` and the mask where the clip is the identity (grad passes)."""
    return np.clip(p, EPSILON, high), (p >= EPSILON) & (p <= high)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    """log(sum(exp(z), axis=-1)), shifted by the row maximum so that exp never overflows."""
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) without overflow: exp is only taken of -|z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --------------------------------------------------------------------------------------------
# classification
# --------------------------------------------------------------------------------------------

def _bce_inputs(y_true, y_pred, from_logits):
    from_logits = _check_flag(from_logits, "from_logits")
    y, y_hat = _pair(y_true, y_pred)
    _check_labels(y)
    if not from_logits:
        _check_pred_probabilities(y_hat)
    return y, y_hat, from_logits


def binary_crossentropy(y_true, y_pred, *, from_logits=False) -> np.ndarray | float:
    r"""Binary cross-entropy, one value per sample (mean over the last axis).

    .. math::

        BCE(y, \hat{y}) = -\bigl(y \log(\hat{y}) + (1 - y) \log(1 - \hat{y})\bigr)

    averaged over the last axis (the outputs of one sample).

    Parameters
    ----------
    y_true : array_like, shape (..., k)
        Labels ``y`` in [0, 1] (0/1, or soft labels).
    y_pred : array_like, shape (..., k)
        Predicted probabilities :math:`\hat{y}` in [0, 1], or logits ``z`` (any real) with
        ``from_logits=True``.
    from_logits : bool, keyword-only
        If True, :math:`\hat{y} = \sigma(z)` is applied inside, in the stable form
        :math:`\max(z, 0) - z y + \log(1 + e^{-|z|})` (no clipping).

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input).

    Notes
    -----
    Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as in Keras, so the loss of a confident
    wrong prediction is about 16.1 instead of ``inf``.

    Examples
    --------
    >>> np.round(binary_crossentropy([[1.0, 0.0]], [[0.5, 0.5]]), 4)  # -log(0.5) = log 2
    array([0.6931])
    >>> binary_crossentropy([[1.0], [0.0]], [[0.0], [0.0]], from_logits=True).round(4)
    array([0.6931, 0.6931])
    """
    y, y_hat, from_logits = _bce_inputs(y_true, y_pred, from_logits)
    if from_logits:
        z = y_hat
        per_element = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    else:
        p, _ = _clip(y_hat)
        per_element = -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return _per_sample(per_element.mean(axis=-1))


def binary_crossentropy_grad(y_true, y_pred, *, from_logits=False) -> np.ndarray:
    r"""Gradient of the batch-mean binary cross-entropy with respect to ``y_pred``.

    .. math::

        \frac{\partial\, \mathrm{mean}(BCE)}{\partial \hat{y}}
            = \frac{1}{N k} \cdot \frac{\hat{y} - y}{\hat{y}\,(1 - \hat{y})},
        \qquad
        \frac{\partial\, \mathrm{mean}(BCE)}{\partial z} = \frac{1}{N k}\,(\sigma(z) - y)

    with ``N`` samples of ``k`` outputs each (``N * k = y_pred.size``).

    Parameters
    ----------
    y_true, y_pred, from_logits
        As in :func:`binary_crossentropy`.

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Notes
    -----
    On probabilities :math:`\hat{y}` is first clipped to ``[1e-7, 1 - 1e-7]``; where the clip
    is active (``y_pred < 1e-7`` or ``y_pred > 1 - 1e-7``) the gradient is 0.

    Examples
    --------
    >>> binary_crossentropy_grad([[1.0, 0.0]], [[0.5, 0.5]])  # (0.5 - y) / 0.25 / 2
    array([[-1.,  1.]])
    """
    y, y_hat, from_logits = _bce_inputs(y_true, y_pred, from_logits)
    if from_logits:
        return (_sigmoid(y_hat) - y) / y_hat.size
    p, passes = _clip(y_hat)
    return np.where(passes, (p - y) / (p * (1.0 - p)), 0.0) / y_hat.size


def _cce_inputs(y_true, y_pred, from_logits):
    from_logits = _check_flag(from_logits, "from_logits")
    y, y_hat = _pair(y_true, y_pred)
    _check_distributions(y)
    if not from_logits:
        _check_pred_probabilities(y_hat)
        sums = y_hat.sum(axis=-1, keepdims=True)
        if np.any(sums <= 0):
            idx = tuple(int(i) for i in np.argwhere(sums[..., 0] <= 0)[0])
            raise CourseInputError(tr(
                "each row of `y_pred` must have a positive sum (it is divided by it). "
                "Received: the row at index {idx} is all zeros.\n"
                "Hint: y_pred should be the softmax output of the model, one distribution "
                "per row.",
                idx=idx,
            ))
    return y, y_hat, from_logits


def categorical_crossentropy(y_true, y_pred, *, from_logits=False) -> np.ndarray | float:
    r"""Categorical cross-entropy, one value per sample (sum over the classes).

    .. math::

        CCE(y, \hat{y}) = -\sum_{c=1}^{k} y_c \log(\hat{y}_c)

    Parameters
    ----------
    y_true : array_like, shape (..., k)
        One-hot labels or probabilities; each row must sum to 1.
    y_pred : array_like, shape (..., k)
        Predicted probabilities in [0, 1] (a softmax output), or logits ``z`` with
        ``from_logits=True``, in which case
        :math:`-\sum_c y_c \log \mathrm{softmax}(z)_c = \sum_c y_c\,(\mathrm{logsumexp}(z) - z_c)`
        is computed without clipping.
    from_logits : bool, keyword-only

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input).

    Notes
    -----
    As in Keras, probabilities are first divided by their row sum (a no-op for a softmax
    output), then clipped to ``[1e-7, 1 - 1e-7]``. For integer class labels use
    :func:`sparse_categorical_crossentropy`.

    Examples
    --------
    >>> np.round(categorical_crossentropy([[0, 1, 0]], [[0.25, 0.5, 0.25]]), 4)  # -log(0.5)
    array([0.6931])
    """
    y, y_hat, from_logits = _cce_inputs(y_true, y_pred, from_logits)
    if from_logits:
        return _per_sample(np.sum(y * (_logsumexp(y_hat)[..., None] - y_hat), axis=-1))
    q = y_hat / y_hat.sum(axis=-1, keepdims=True)
    c, _ = _clip(q)
    return _per_sample(-np.sum(y * np.log(c), axis=-1))


def categorical_crossentropy_grad(y_true, y_pred, *, from_logits=False) -> np.ndarray:
    r"""Gradient of the batch-mean categorical cross-entropy with respect to ``y_pred``.

    With logits (``from_logits=True``), for rows of ``y_true`` summing to 1:

    .. math::

        \frac{\partial\, \mathrm{mean}(CCE)}{\partial z} = \frac{1}{N}\,(\mathrm{softmax}(z) - y)

    With probabilities, the gradient of Keras's formula (row-normalised, clipped) is, for rows
    of ``y_pred`` summing to 1 and nothing clipped,

    .. math::

        \frac{\partial\, \mathrm{mean}(CCE)}{\partial \hat{y}}
            = \frac{1}{N}\left(1 - \frac{y}{\hat{y}}\right)

    where ``N = y_pred.size / k`` is the number of samples.

    Parameters
    ----------
    y_true, y_pred, from_logits
        As in :func:`categorical_crossentropy`.

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Notes
    -----
    The textbook gradient :math:`-y / \hat{y}` differs from the one above by the constant
    :math:`1/N` in every class. Both are right: the loss is defined on distributions (rows that
    sum to 1), where a gradient is only fixed up to a constant added to all classes, and both
    give the same :math:`\mathrm{softmax}(z) - y` after the chain rule through the softmax.
    The one returned here is the exact derivative of the normalised formula Keras computes.
    In general, with :math:`S = \sum_c \hat{y}_c`, :math:`q = \hat{y} / S`,
    :math:`g_c = -y_c / q_c` where the clip passes and 0 where it is active:
    :math:`\partial / \partial \hat{y}_c = (g_c - \sum_j g_j q_j) / (S N)`.

    Examples
    --------
    >>> categorical_crossentropy_grad([[0, 1, 0]], [[0.25, 0.5, 0.25]])  # 1 - y / y_hat
    array([[ 1., -1.,  1.]])
    >>> categorical_crossentropy_grad([[0, 1]], [[0.0, 0.0]], from_logits=True)
    array([[ 0.5, -0.5]])
    """
    y, y_hat, from_logits = _cce_inputs(y_true, y_pred, from_logits)
    n = _n_samples(y_hat.shape)
    if from_logits:
        return (_softmax(y_hat) * y.sum(axis=-1, keepdims=True) - y) / n
    s = y_hat.sum(axis=-1, keepdims=True)
    q = y_hat / s
    c, passes = _clip(q)
    g = np.where(passes, -y / c, 0.0)
    return (g - np.sum(g * q, axis=-1, keepdims=True)) / s / n


def _sparse_inputs(y_true, y_pred, from_logits):
    from_logits = _check_flag(from_logits, "from_logits")
    labels = as_float_array(y_true, "y_true")
    y_hat = _as_batch(y_pred, "y_pred")
    batch_shape, k = y_hat.shape[:-1], y_hat.shape[-1]
    if labels.shape == batch_shape + (1,):
        labels = labels[..., 0]
    if labels.shape != batch_shape:
        raise CourseInputError(tr(
            "`y_true` must hold one integer class label per sample, with shape "
            "y_pred.shape[:-1]={batch_shape} (or {column_shape}). Received: "
            "y_true.shape={true_shape}, y_pred.shape={pred_shape}.\n"
            "Hint: for one-hot labels use categorical_crossentropy, or convert them with "
            "y_true.argmax(axis=-1).",
            batch_shape=batch_shape, column_shape=batch_shape + (1,),
            true_shape=labels.shape, pred_shape=y_hat.shape,
        ))
    bad = (labels != np.round(labels)) | (labels < 0) | (labels > k - 1)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CourseInputError(tr(
            "`y_true` must hold integer class labels in [0, {last}] (y_pred has k={k} "
            "classes). Received: y_true{index}={value!r} "
            "({n_bad} invalid label(s)).\n"
            "Hint: labels count from 0; for one-hot or probability labels use "
            "categorical_crossentropy.",
            last=k - 1, k=k, index=list(idx), value=float(labels[idx]), n_bad=int(bad.sum()),
        ))
    if not from_logits:
        _check_pred_probabilities(y_hat)
    return labels.astype(np.intp), y_hat, from_logits


def _pick(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``a[..., labels]`` row by row: the entry of each sample's true class."""
    return np.take_along_axis(a, labels[..., None], axis=-1)[..., 0]


def _one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return (labels[..., None] == np.arange(k)).astype(np.float64)


def sparse_categorical_crossentropy(y_true, y_pred, *, from_logits=False) -> np.ndarray | float:
    r"""Categorical cross-entropy with integer class labels, one value per sample.

    .. math::

        CCE(y, \hat{y}) = -\log(\hat{y}_{y})

    where :math:`\hat{y}_y` is the predicted probability of the true class ``y``; it equals
    :func:`categorical_crossentropy` with one-hot labels.

    Parameters
    ----------
    y_true : array_like of int, shape (...) or (..., 1)
        Class labels in ``0 .. k-1`` (floats with integer values are accepted).
    y_pred : array_like, shape (..., k)
        Predicted probabilities in [0, 1], or logits with ``from_logits=True``
        (then :math:`\mathrm{logsumexp}(z) - z_y`).
    from_logits : bool, keyword-only

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input).

    Notes
    -----
    As in Keras, probabilities are clipped to ``[1e-7, 1 - 1e-7]`` first and then
    renormalised by the row sum of the clipped values:
    :math:`-\log(c_y) + \log \sum_j c_j` with :math:`c = \mathrm{clip}(\hat{y})`.
    For a softmax output (rows sum to 1) the second term is 0 up to the clipping.

    Examples
    --------
    >>> np.round(sparse_categorical_crossentropy([1, 0], [[0.5, 0.5], [0.25, 0.75]]), 4)
    array([0.6931, 1.3863])
    """
    labels, y_hat, from_logits = _sparse_inputs(y_true, y_pred, from_logits)
    if from_logits:
        return _per_sample(_logsumexp(y_hat) - _pick(y_hat, labels))
    c, _ = _clip(y_hat)
    return _per_sample(np.log(c.sum(axis=-1)) - np.log(_pick(c, labels)))


def sparse_categorical_crossentropy_grad(y_true, y_pred, *, from_logits=False) -> np.ndarray:
    r"""Gradient of the batch-mean sparse categorical cross-entropy with respect to ``y_pred``.

    With logits: :math:`(\mathrm{softmax}(z) - \mathrm{onehot}(y)) / N`. With probabilities
    (rows summing to 1, nothing clipped):

    .. math::

        \frac{\partial\, \mathrm{mean}(CCE)}{\partial \hat{y}}
            = \frac{1}{N}\left(1 - \frac{\mathrm{onehot}(y)}{\hat{y}}\right)

    Parameters
    ----------
    y_true, y_pred, from_logits
        As in :func:`sparse_categorical_crossentropy`.

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Notes
    -----
    Same convention as :func:`categorical_crossentropy_grad` (the textbook
    :math:`-\mathrm{onehot}(y)/\hat{y}` differs by a constant per row). In general, with
    :math:`c = \mathrm{clip}(\hat{y})`:
    :math:`(1/\sum_j c_j - \mathrm{onehot}(y)/c) / N` where the clip passes, 0 where it is
    active.

    Examples
    --------
    >>> sparse_categorical_crossentropy_grad([1], [[0.5, 0.5]])
    array([[ 1., -1.]])
    """
    labels, y_hat, from_logits = _sparse_inputs(y_true, y_pred, from_logits)
    n = _n_samples(y_hat.shape)
    one_hot = _one_hot(labels, y_hat.shape[-1])
    if from_logits:
        return (_softmax(y_hat) - one_hot) / n
    c, passes = _clip(y_hat)
    g = 1.0 / c.sum(axis=-1, keepdims=True) - one_hot / c
    return np.where(passes, g, 0.0) / n


def _kl_inputs(y_true, y_pred):
    y, y_hat = _pair(y_true, y_pred)
    _check_distributions(y)
    _check_pred_probabilities(y_hat)
    return y, y_hat


def kl_divergence(y_true, y_pred) -> np.ndarray | float:
    r"""Kullback-Leibler divergence KL(y || y_hat), one value per sample.

    .. math::

        \mathcal{L}(y, \hat{y}) = \sum_{c=1}^{k} y_c \log\left(\frac{y_c}{\hat{y}_c}\right)

    Parameters
    ----------
    y_true : array_like, shape (..., k)
        The true distribution ``y``; each row must sum to 1.
    y_pred : array_like, shape (..., k)
        The predicted probabilities :math:`\hat{y}` in [0, 1].

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input); >= 0 for distributions, 0 when
        ``y_pred == y_true``.

    Notes
    -----
    The lecture's slide writes :math:`y \cdot \log(y/\hat{y})` without the sum over classes;
    the divergence is the **sum** over classes. As in Keras both arguments are clipped to
    ``[1e-7, 1]`` (so :math:`0 \log 0` counts as :math:`10^{-7}\log(10^{-7}/\hat{y})`, about 0).

    Examples
    --------
    >>> np.round(kl_divergence([[1.0, 0.0]], [[0.5, 0.5]]), 4)  # 1 * log(1 / 0.5)
    array([0.6931])
    """
    y, y_hat = _kl_inputs(y_true, y_pred)
    yc, _ = _clip(y, high=1.0)
    pc, _ = _clip(y_hat, high=1.0)
    return _per_sample(np.sum(yc * np.log(yc / pc), axis=-1))


def kl_divergence_grad(y_true, y_pred) -> np.ndarray:
    r"""Gradient of the batch-mean KL divergence with respect to ``y_pred``.

    .. math::

        \frac{\partial\, \mathrm{mean}(\mathcal{L})}{\partial \hat{y}} = -\frac{1}{N}\,
        \frac{y}{\hat{y}}

    Parameters
    ----------
    y_true, y_pred
        As in :func:`kl_divergence`.

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Notes
    -----
    ``y`` and :math:`\hat{y}` are the clipped values; where ``y_pred < 1e-7`` the clip is
    active and the gradient is 0.

    Examples
    --------
    >>> kl_divergence_grad([[1.0, 0.0]], [[0.5, 0.5]])
    array([[-2.e+00, -2.e-07]])
    """
    y, y_hat = _kl_inputs(y_true, y_pred)
    yc, _ = _clip(y, high=1.0)
    pc, passes = _clip(y_hat, high=1.0)
    return np.where(passes, -yc / pc, 0.0) / _n_samples(y_hat.shape)


# --------------------------------------------------------------------------------------------
# regression
# --------------------------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred) -> np.ndarray | float:
    r"""Mean squared error, one value per sample (mean over the last axis).

    .. math::

        MSE(y, \hat{y}) = \frac{1}{k} \sum_{j=1}^{k} (y_j - \hat{y}_j)^2

    Parameters
    ----------
    y_true, y_pred : array_like, shape (..., k)
        Targets and predictions, any real numbers.

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input).

    Examples
    --------
    >>> mean_squared_error([[1.0, 2.0], [0.0, 0.0]], [[1.0, 4.0], [1.0, -1.0]])
    array([2., 1.])
    """
    y, y_hat = _pair(y_true, y_pred)
    return _per_sample(np.mean((y - y_hat) ** 2, axis=-1))


def mean_squared_error_grad(y_true, y_pred) -> np.ndarray:
    r"""Gradient of the batch-mean MSE: :math:`\frac{2}{N k}(\hat{y} - y)`.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (..., k)

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Examples
    --------
    >>> mean_squared_error_grad([[1.0, 2.0]], [[1.0, 4.0]])  # 2 * (0, 2) / 2
    array([[0., 2.]])
    """
    y, y_hat = _pair(y_true, y_pred)
    return 2.0 * (y_hat - y) / y_hat.size


def mean_absolute_error(y_true, y_pred) -> np.ndarray | float:
    r"""Mean absolute error, one value per sample (mean over the last axis).

    .. math::

        MAE(y, \hat{y}) = \frac{1}{k} \sum_{j=1}^{k} |y_j - \hat{y}_j|

    Parameters
    ----------
    y_true, y_pred : array_like, shape (..., k)

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input).

    Examples
    --------
    >>> mean_absolute_error([[1.0, 2.0]], [[1.0, 4.0]])
    array([1.])
    """
    y, y_hat = _pair(y_true, y_pred)
    return _per_sample(np.mean(np.abs(y - y_hat), axis=-1))


def mean_absolute_error_grad(y_true, y_pred) -> np.ndarray:
    r"""Gradient of the batch-mean MAE: :math:`\frac{1}{N k}\,\mathrm{sign}(\hat{y} - y)`.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (..., k)

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Notes
    -----
    At :math:`\hat{y} = y` the absolute value has a kink; like TensorFlow we return the
    subgradient 0 there.

    Examples
    --------
    >>> mean_absolute_error_grad([[1.0, 2.0]], [[1.0, 4.0]])  # sign(0, 2) / 2
    array([[0. , 0.5]])
    """
    y, y_hat = _pair(y_true, y_pred)
    return np.sign(y_hat - y) / y_hat.size


def _huber_inputs(y_true, y_pred, delta):
    delta = check_positive(delta, "delta",
                           hint=tr("delta is the residual size where the loss turns from "
                                   "quadratic to linear; Keras's default is 1.0."))
    y, y_hat = _pair(y_true, y_pred)
    return y, y_hat, delta


def huber(y_true, y_pred, *, delta=1.0) -> np.ndarray | float:
    r"""Huber loss, one value per sample (mean over the last axis).

    With the residual :math:`r = \hat{y} - y`:

    .. math::

        \mathcal{L}_\delta(r) =
        \begin{cases}
            \frac{1}{2} r^2 & |r| \le \delta \\
            \delta \left(|r| - \frac{1}{2}\delta\right) & |r| > \delta
        \end{cases}

    It behaves like :math:`\frac{1}{2}` MSE for small residuals and like
    :math:`\delta \cdot` MAE for large ones (a compromise between the two).

    Parameters
    ----------
    y_true, y_pred : array_like, shape (..., k)
    delta : float, keyword-only
        Where the loss turns from quadratic to linear; must be > 0.

    Returns
    -------
    ndarray of float64, shape (...)
        ``y_pred.shape[:-1]`` (a ``float`` for 1-D input).

    Examples
    --------
    >>> huber([[0.0, 0.0]], [[0.5, 3.0]])  # (0.5 * 0.25 + 1 * (3 - 0.5)) / 2
    array([1.3125])
    """
    y, y_hat, delta = _huber_inputs(y_true, y_pred, delta)
    r = y_hat - y
    a = np.abs(r)
    return _per_sample(np.mean(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta)),
                               axis=-1))


def huber_grad(y_true, y_pred, *, delta=1.0) -> np.ndarray:
    r"""Gradient of the batch-mean Huber loss with respect to ``y_pred``.

    .. math::

        \frac{\partial\, \mathrm{mean}(\mathcal{L}_\delta)}{\partial \hat{y}} = \frac{1}{N k}
        \begin{cases} r & |r| \le \delta \\ \delta\, \mathrm{sign}(r) & |r| > \delta \end{cases}

    Parameters
    ----------
    y_true, y_pred : array_like, shape (..., k)
    delta : float, keyword-only

    Returns
    -------
    ndarray of float64, shape of ``y_pred``

    Notes
    -----
    The gradient is continuous (both branches give :math:`\pm\delta` at :math:`|r| = \delta`),
    i.e. the residual clipped to :math:`[-\delta, \delta]`, divided by ``y_pred.size``.

    Examples
    --------
    >>> huber_grad([[0.0, 0.0]], [[0.5, 3.0]])  # (0.5, 1) / 2
    array([[0.25, 0.5 ]])
    """
    y, y_hat, delta = _huber_inputs(y_true, y_pred, delta)
    return np.clip(y_hat - y, -delta, delta) / y_hat.size


mse = mean_squared_error
mae = mean_absolute_error

LossFunction = Callable[..., np.ndarray | float]

LOSSES: dict[str, tuple[LossFunction, LossFunction]] = {
    "binary_crossentropy": (binary_crossentropy, binary_crossentropy_grad),
    "categorical_crossentropy": (categorical_crossentropy, categorical_crossentropy_grad),
    "sparse_categorical_crossentropy": (sparse_categorical_crossentropy,
                                        sparse_categorical_crossentropy_grad),
    "kl_divergence": (kl_divergence, kl_divergence_grad),
    "mean_squared_error": (mean_squared_error, mean_squared_error_grad),
    "mean_absolute_error": (mean_absolute_error, mean_absolute_error_grad),
    "huber": (huber, huber_grad),
}
"""Every public loss: name (as in ``keras.losses``) -> (forward, gradient)."""
