r"""Batch normalization in plain numpy: forward, backward, running statistics, inference.

The interface, stated once (``N`` samples in a batch, ``D`` features):

* :func:`batchnorm_forward` ``(x, gamma, beta, *, eps) -> (out, cache)`` normalises each
  feature with the mean and the (biased) variance of the **current batch**;
* :func:`batchnorm_backward` ``(dout, cache) -> (dx, dgamma, dbeta)`` is its gradient;
* :func:`update_running_stats` ``(running_mean, running_var, batch_mean, batch_var,
  *, momentum) -> (running_mean, running_var)`` is the moving average kept for inference;
* :func:`batchnorm_inference` ``(x, gamma, beta, running_mean, running_var, *, eps) -> out``
  normalises with the running statistics instead of the batch ones;
* :class:`BatchNorm` is a thin layer that keeps ``gamma``, ``beta`` and the running
  statistics and calls the functions above; ``training=`` must always be given.

The functions are pure: they never modify their inputs and return new arrays.

The conventions are those of ``keras.layers.BatchNormalization`` (Keras 3): ``momentum=0.99``,
``eps=1e-3`` added to the variance *inside* the square root, and the **biased** batch
variance (divide by ``N``) both for normalising and for the moving variance
(``moving_var = momentum * moving_var + (1 - momentum) * var``, with ``var`` from
``tf.nn.moments``). PyTorch differs: it stores the unbiased variance (divide by ``N - 1``) in
its running variance, and its ``momentum=0.1`` weighs the *new* batch.

Lecture erratum: the slide writes the variance without the square; it is the mean of the
**squared** deviations from the batch mean.
"""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any, NamedTuple

import numpy as np

from course_utils._validation import (
    CourseInputError,
    as_float_array,
    check_beta,
    check_nonnegative,
    check_positive,
    check_same_shape,
)
from course_utils.language import tr

__all__ = [
    "BatchNormCache",
    "SmallBatchWarning",
    "batchnorm_forward",
    "batchnorm_backward",
    "update_running_stats",
    "batchnorm_inference",
    "BatchNorm",
]


def _eps_hint() -> str:
    return tr("Keras uses epsilon=1e-3; eps only keeps the division defined when a feature's "
              "variance is 0, so it must be a small positive number.")


def _momentum_hint() -> str:
    return tr("Keras's default is momentum=0.99: the running statistics keep 99% of their "
              "old value and take 1% of the batch; momentum=1 would never update them.")


class SmallBatchWarning(UserWarning):
    """A batch of one sample was normalised with its own statistics (its variance is 0)."""


class BatchNormCache(NamedTuple):
    """What :func:`batchnorm_forward` saves for :func:`batchnorm_backward`.

    Attributes
    ----------
    x : ndarray, shape (N, D)
        The input batch (a copy).
    mu : ndarray, shape (D,)
        The batch mean of each feature.
    var : ndarray, shape (D,)
        The biased batch variance of each feature (divided by ``N``).
    z_norm : ndarray, shape (N, D)
        The normalised input, ``(x - mu) / sqrt(var + eps)``.
    gamma : ndarray, shape (D,)
        The scale used in the forward pass.
    eps : float
        The epsilon used in the forward pass.
    """

    x: np.ndarray
    mu: np.ndarray
    var: np.ndarray
    z_norm: np.ndarray
    gamma: np.ndarray
    eps: float


def _rehint(exc: CourseInputError, hint: str) -> CourseInputError:
    """Return a copy of ``exc`` whose hint is replaced by ``hint``."""
    # The marker in the current language: "\nHint: " in English.
    marker = tr("{message}\nHint: {hint}", message="", hint="").rstrip()
    message = str(exc).split(marker)[0]
    return CourseInputError(tr("{message}\nHint: {hint}", message=message, hint=hint))


def _check_momentum(momentum: Any) -> float:
    try:
        return check_beta(momentum, "momentum")
    except CourseInputError as exc:
        raise _rehint(exc, _momentum_hint()) from None


def _check_batch(x: Any, name: str = "x") -> np.ndarray:
    return as_float_array(
        x, name, ndim=2, allow_bool=False,
        hint=tr("batch normalization works on a batch of shape (N, D): N samples, D features; "
                "reshape one sample with x[None, :], a flat vector of one feature with "
                "x[:, None]."),
    )


def _check_feature_vector(value: Any, name: str, num_features: int, x_name: str = "x",
                          hint: str | None = None) -> np.ndarray:
    arr = as_float_array(value, name, ndim=1, allow_bool=False, hint=hint or tr(
        "`{name}` holds one number per feature: shape (D,), not (1, D) or (N, D).", name=name))
    if arr.shape != (num_features,):
        message = tr(
            "`{name}` must have shape (D,) = ({num_features},), one value per feature (column) "
            "of `{x_name}`. Received: {name}.shape={shape}, {x_name}.shape=(N, "
            "{num_features}).", name=name, num_features=num_features, x_name=x_name,
            shape=arr.shape)
        hint = hint or tr("statistics and parameters are per feature "
                          "(axis=0 reduces over the batch).")
        raise CourseInputError(tr("{message}\nHint: {hint}", message=message, hint=hint))
    return arr


def _check_nonnegative(arr: np.ndarray, name: str) -> None:
    check_nonnegative(arr, name, hint=tr("`{name}` is a variance, the mean of *squared* "
                                         "deviations; did you forget the square?", name=name))


def batchnorm_forward(x: Any, gamma: Any, beta: Any, *,
                      eps: float = 1e-3) -> tuple[np.ndarray, BatchNormCache]:
    r"""Normalise each feature with the statistics of the batch, then scale and shift.

    With ``m = N`` samples :math:`x^{(i)}` (the lecture's :math:`z^{[l](i)}`), per feature:

    .. math::

        \mu = \frac{1}{m} \sum_{i=1}^{m} x^{(i)}, \qquad
        \sigma^2 = \frac{1}{m} \sum_{i=1}^{m} \left(x^{(i)} - \mu\right)^2,

        z_{norm}^{(i)} = \frac{x^{(i)} - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \qquad
        \hat{z}^{(i)} = \gamma \, z_{norm}^{(i)} + \beta.

    Parameters
    ----------
    x : array_like, shape (N, D)
        A batch of ``N`` samples with ``D`` features, finite.
    gamma : array_like, shape (D,)
        The scale of each feature (trainable; starts at ones).
    beta : array_like, shape (D,)
        The shift of each feature (trainable; starts at zeros).
    eps : float, keyword-only
        A small positive number added to the variance inside the square root.

    Returns
    -------
    out : ndarray of float64, shape (N, D)
        :math:`\hat{z}`.
    cache : BatchNormCache
        ``x, mu, var, z_norm, gamma, eps``, for :func:`batchnorm_backward` and for
        :func:`update_running_stats` (``cache.mu``, ``cache.var``).

    Warns
    -----
    SmallBatchWarning
        If ``N == 1``: the variance is 0 and every output equals ``beta`` (Keras does the same,
        silently).

    Notes
    -----
    Same as ``keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3)`` called with
    ``training=True``: the variance is the biased one (divide by ``m``, not ``m - 1``), and the
    lecture's slide is missing the square in :math:`\sigma^2`.

    Examples
    --------
    >>> out, cache = batchnorm_forward(np.array([[1.0], [3.0]]), np.ones(1), np.zeros(1))
    >>> cache.mu, cache.var
    (array([2.]), array([1.]))
    >>> np.round(out, 4)   # (x - 2) / sqrt(1 + 0.001)
    array([[-0.9995],
           [ 0.9995]])
    """
    x = _check_batch(x)
    n, d = x.shape
    gamma = _check_feature_vector(gamma, "gamma", d)
    beta = _check_feature_vector(beta, "beta", d)
    eps = check_positive(eps, "eps", hint=_eps_hint())
    if n == 1:
        warnings.warn(tr(
            "batchnorm_forward got a batch of one sample: its variance is 0, so every output "
            "equals `beta`. Normalise batches of at least 2 samples, or use the running "
            "statistics (batchnorm_inference, or BatchNorm(...)(x, training=False)) to "
            "control this."),
            SmallBatchWarning, stacklevel=2)

    mu = x.mean(axis=0)                                   # (D,)
    var = ((x - mu) ** 2).mean(axis=0)                    # (D,) biased: divide by N
    z_norm = (x - mu) / np.sqrt(var + eps)                # (N, D)
    out = gamma * z_norm + beta                           # (N, D)
    return out, BatchNormCache(x=x, mu=mu, var=var, z_norm=z_norm, gamma=gamma, eps=eps)


def batchnorm_backward(dout: Any, cache: BatchNormCache) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    r"""Gradients of batch normalization (training mode) with respect to ``x``, ``gamma``, ``beta``.

    The compact closed form (the batch statistics depend on ``x``, which gives the two
    subtracted terms):

    .. math::

        \frac{\partial L}{\partial \beta} = \sum_{i=1}^{m}
            \frac{\partial L}{\partial \hat{z}^{(i)}},
        \qquad
        \frac{\partial L}{\partial \gamma} = \sum_{i=1}^{m}
            \frac{\partial L}{\partial \hat{z}^{(i)}} \, z_{norm}^{(i)},

        \frac{\partial L}{\partial x^{(i)}} = \frac{\gamma}{m \sqrt{\sigma^2 + \varepsilon}}
            \left( m \frac{\partial L}{\partial \hat{z}^{(i)}}
                   - \frac{\partial L}{\partial \beta}
                   - z_{norm}^{(i)} \frac{\partial L}{\partial \gamma} \right).

    Parameters
    ----------
    dout : array_like, shape (N, D)
        Upstream gradient :math:`\partial L / \partial \hat{z}`, the shape of the forward output.
    cache : BatchNormCache
        The second value returned by :func:`batchnorm_forward`.

    Returns
    -------
    dx : ndarray of float64, shape (N, D)
    dgamma : ndarray of float64, shape (D,)
    dbeta : ndarray of float64, shape (D,)

    Examples
    --------
    >>> out, cache = batchnorm_forward(np.array([[1.0], [3.0]]), np.ones(1), np.zeros(1))
    >>> dx, dgamma, dbeta = batchnorm_backward(np.ones((2, 1)), cache)
    >>> dx, dbeta       # shifting every output by the same amount does not depend on x
    (array([[0.],
           [0.]]), array([2.]))
    """
    if not isinstance(cache, BatchNormCache):
        raise CourseInputError(tr(
            "`cache` must be the BatchNormCache returned by batchnorm_forward. Received: "
            "{type_name}.\nHint: keep both results, `out, cache = "
            "batchnorm_forward(x, gamma, beta)`, and pass that cache here.",
            type_name=type(cache).__name__))
    z_norm, gamma = cache.z_norm, cache.gamma
    dout = as_float_array(dout, "dout", ndim=2, allow_bool=False,
                          hint=tr("`dout` has the shape of the forward output, (N, D)."))
    check_same_shape(dout, z_norm, "dout", "out",
                     hint=tr("`dout` is dL/d(out): one value per element of the forward "
                             "output."))
    m = z_norm.shape[0]

    dbeta = dout.sum(axis=0)                                          # (D,)
    dgamma = (dout * z_norm).sum(axis=0)                              # (D,)
    dx = gamma / (m * np.sqrt(cache.var + cache.eps)) * (m * dout - dbeta - z_norm * dgamma)
    return dx, dgamma, dbeta


def update_running_stats(running_mean: Any, running_var: Any, batch_mean: Any, batch_var: Any,
                         *, momentum: float = 0.99) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of the exponential moving average of the batch statistics (for inference).

    .. math::

        \mu_{running} \leftarrow momentum \cdot \mu_{running} + (1 - momentum) \cdot \mu,
        \qquad
        \sigma^2_{running} \leftarrow momentum \cdot \sigma^2_{running}
            + (1 - momentum) \cdot \sigma^2.

    Parameters
    ----------
    running_mean, running_var : array_like, shape (D,)
        The current running statistics (Keras starts them at zeros and ones).
    batch_mean, batch_var : array_like, shape (D,)
        :math:`\mu` and the *biased* :math:`\sigma^2` of the current batch
        (``cache.mu`` and ``cache.var`` from :func:`batchnorm_forward`).
    momentum : float, keyword-only
        In ``[0, 1)``: the weight kept by the old value.

    Returns
    -------
    running_mean, running_var : ndarray of float64, shape (D,)
        New arrays; the inputs are not modified.

    Notes
    -----
    Same as Keras's ``moving_mean`` / ``moving_variance`` update, which also uses the biased
    batch variance. PyTorch's ``momentum`` is ``1 - momentum`` here and it stores the
    unbiased variance.

    Examples
    --------
    >>> update_running_stats(np.zeros(1), np.ones(1), np.array([2.0]), np.array([3.0]),
    ...                      momentum=0.9)   # 0.9*0 + 0.1*2, 0.9*1 + 0.1*3
    (array([0.2]), array([1.2]))
    """
    running_mean = as_float_array(running_mean, "running_mean", ndim=1, allow_bool=False)
    d = running_mean.shape[0]
    running_var = _check_feature_vector(running_var, "running_var", d, x_name="running_mean",
                                        hint=tr("all four statistics hold one value per "
                                                "feature."))
    batch_mean = _check_feature_vector(batch_mean, "batch_mean", d, x_name="running_mean",
                                       hint=tr("take the mean over the batch, axis=0."))
    batch_var = _check_feature_vector(batch_var, "batch_var", d, x_name="running_mean",
                                      hint=tr("take the variance over the batch, axis=0."))
    _check_nonnegative(running_var, "running_var")
    _check_nonnegative(batch_var, "batch_var")
    momentum = _check_momentum(momentum)

    new_mean = momentum * running_mean + (1.0 - momentum) * batch_mean
    new_var = momentum * running_var + (1.0 - momentum) * batch_var
    return new_mean, new_var


def batchnorm_inference(x: Any, gamma: Any, beta: Any, running_mean: Any, running_var: Any,
                        *, eps: float = 1e-3) -> np.ndarray:
    r"""Batch normalization at inference: normalise with the running statistics.

    .. math::

        \hat{z}^{(i)} = \gamma \, \frac{x^{(i)} - \mu_{running}}
                                         {\sqrt{\sigma^2_{running} + \varepsilon}} + \beta

    Each sample is transformed on its own, so a batch of one sample is fine.

    Parameters
    ----------
    x : array_like, shape (N, D)
    gamma, beta : array_like, shape (D,)
    running_mean, running_var : array_like, shape (D,)
        The statistics kept by :func:`update_running_stats` during training.
    eps : float, keyword-only
        A small positive number added to the variance inside the square root.

    Returns
    -------
    ndarray of float64, shape (N, D)

    Notes
    -----
    Same as ``keras.layers.BatchNormalization`` called with ``training=False``.

    Examples
    --------
    >>> batchnorm_inference(np.array([[1.0]]), np.ones(1), np.zeros(1),
    ...                     np.zeros(1), np.array([3.999]), eps=0.001)   # 1 / sqrt(4)
    array([[0.5]])
    """
    x = _check_batch(x)
    d = x.shape[1]
    gamma = _check_feature_vector(gamma, "gamma", d)
    beta = _check_feature_vector(beta, "beta", d)
    running_mean = _check_feature_vector(running_mean, "running_mean", d)
    running_var = _check_feature_vector(running_var, "running_var", d)
    _check_nonnegative(running_var, "running_var")
    eps = check_positive(eps, "eps", hint=_eps_hint())
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


class BatchNorm:
    """A batch-normalization layer: parameters and running statistics around the pure functions.

    Parameters
    ----------
    num_features : int
        ``D``, the number of features (columns) of the inputs.
    momentum : float, keyword-only
        In ``[0, 1)``; see :func:`update_running_stats`.
    eps : float, keyword-only
        Positive; see :func:`batchnorm_forward`.

    Attributes
    ----------
    gamma, beta : ndarray, shape (D,)
        Trainable scale (ones) and shift (zeros).
    running_mean, running_var : ndarray, shape (D,)
        Running statistics, starting at zeros and ones like Keras's ``moving_mean`` and
        ``moving_variance``. Each training call replaces them with new arrays.
    cache : BatchNormCache or None
        The cache of the last training call, for :func:`batchnorm_backward`.

    Notes
    -----
    ``training`` has no default on purpose: Keras decides it from the context (``fit`` or
    ``predict``), and forgetting it is the classic batch-norm bug.

    Examples
    --------
    >>> bn = BatchNorm(1, momentum=0.5)
    >>> out = bn(np.array([[1.0], [3.0]]), training=True)   # batch mean 2, variance 1
    >>> bn.running_mean, bn.running_var                     # 0.5*0 + 0.5*2, 0.5*1 + 0.5*1
    (array([1.]), array([1.]))
    >>> bn(np.array([[1.0], [3.0]]), training=False)        # (x - 1) / sqrt(1 + 0.001)
    array([[0.        ],
           [1.99900075]])
    """

    def __init__(self, num_features: int, *, momentum: float = 0.99, eps: float = 1e-3) -> None:
        if isinstance(num_features, bool) or not isinstance(num_features, Integral) \
                or num_features < 1:
            raise CourseInputError(tr(
                "`num_features` must be a positive integer. Received: "
                "num_features={num_features!r}.\nHint: pass D, the number of columns of "
                "the (N, D) inputs, e.g. x.shape[1].", num_features=num_features))
        self.num_features = int(num_features)
        self.momentum = _check_momentum(momentum)
        self.eps = check_positive(eps, "eps", hint=_eps_hint())
        self.gamma = np.ones(self.num_features)
        self.beta = np.zeros(self.num_features)
        self.running_mean = np.zeros(self.num_features)
        self.running_var = np.ones(self.num_features)
        self.cache: BatchNormCache | None = None

    def __call__(self, x: Any, *, training: bool) -> np.ndarray:
        """Normalise ``x`` of shape (N, D); return a new (N, D) array.

        ``training=True`` uses the batch statistics and updates the running ones;
        ``training=False`` uses the running statistics and changes nothing.
        """
        if not isinstance(training, (bool, np.bool_)):
            raise CourseInputError(tr(
                "`training` must be True or False. Received: training={training!r}.\n"
                "Hint: training=True while fitting (batch statistics), training=False to "
                "evaluate or predict (running statistics).", training=training))
        x = _check_batch(x)
        if x.shape[1] != self.num_features:
            raise CourseInputError(tr(
                "`x` must have {num_features} features (columns). Received: "
                "x.shape={shape}.\nHint: the layer was built with num_features="
                "{num_features}; pass a batch of shape (N, {num_features}).",
                num_features=self.num_features, shape=x.shape))
        if not training:
            return batchnorm_inference(x, self.gamma, self.beta, self.running_mean,
                                       self.running_var, eps=self.eps)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallBatchWarning)
            out, cache = batchnorm_forward(x, self.gamma, self.beta, eps=self.eps)
        if x.shape[0] == 1:
            warnings.warn(tr(
                "BatchNorm got a batch of one sample with training=True: its variance is 0, "
                "so every output equals `beta`. Use batches of at least 2 samples, or "
                "`training=False` to control this."), SmallBatchWarning, stacklevel=2)
        self.running_mean, self.running_var = update_running_stats(
            self.running_mean, self.running_var, cache.mu, cache.var, momentum=self.momentum)
        self.cache = cache
        return out

    def __repr__(self) -> str:
        return (f"BatchNorm(num_features={self.num_features}, momentum={self.momentum}, "
                f"eps={self.eps})")
