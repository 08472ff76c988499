r"""Regularization in plain numpy: L2 and L1 penalties, inverted dropout, early stopping.

The interface, stated once (``weights`` is one kernel array or a sequence of kernels, one per
layer; ``lam`` is the lecture's :math:`\lambda`):

* :func:`l2_penalty` ``(weights, *, lam) -> float`` is the lecture's
  :math:`\frac{\lambda}{2} \sum_l \|W^{[l]}\|_F^2`; :func:`l2_penalty_grad` returns
  :math:`\lambda W^{[l]}` in the structure of ``weights``;
* :func:`l1_penalty` ``(weights, *, lam) -> float`` is
  :math:`\lambda \sum_l \sum_{j,k} |W^{[l]}_{jk}|`; :func:`l1_penalty_grad` returns
  :math:`\lambda \operatorname{sign}(W^{[l]})` (0 at 0, TensorFlow's subgradient);
* :func:`dropout_forward` ``(x, *, rate, training, rng) -> (out, mask)`` is inverted dropout
  (``rate`` is the probability of **dropping** a unit); :func:`dropout_backward`
  ``(dout, mask) -> dx`` is its gradient;
* :func:`early_stopping_epoch` ``(values, *, patience, min_delta, mode, baseline) ->
  (stopped_epoch, best_epoch)`` replays ``keras.callbacks.EarlyStopping`` on a recorded curve.

The functions are pure: they never modify their inputs and return new arrays.

The regularized objective is the **mean** data loss over the ``m`` samples plus the penalty,
as Keras does (it adds ``model.losses`` to the mean batch loss):

.. math::

    J(W) = \frac{1}{m} \sum_{i=1}^{m} \mathcal{L}(y^{(i)}, \hat{y}^{(i)})
           + \frac{\lambda}{2} \sum_{l} \|W^{[l]}\|_F^2 .

The lecture's form sums the data loss without :math:`1/m`; it is :math:`m` times the mean
form with :math:`\lambda' = \lambda / m`, so it has the same minimum with a rescaled lambda.
Keras's ``keras.regularizers.L2(c)`` adds ``c * sum(w ** 2)``, so the lecture's
:math:`\frac{\lambda}{2} \|W\|^2` is ``L2(lam / 2)``; ``keras.regularizers.L1(c)`` is
``c * sum(|w|)``, the same as :func:`l1_penalty` with ``lam = c``.

Lecture errata: the data loss is summed over samples :math:`i` (the L2 slide sums it over
layers :math:`l`); the L1 slide's indices are garbled, the penalty is
:math:`\lambda \sum_l \sum_{j,k} |W^{[l]}_{jk}|`; dropout zeroes **activations** (the
outputs of units, not weights), a **random** number of them, and its purpose is
regularization.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np

from course_utils._validation import (
    _fail,
    as_float_array,
    check_same_shape,
)
from course_utils.language import tr

__all__ = [
    "l2_penalty",
    "l2_penalty_grad",
    "l1_penalty",
    "l1_penalty_grad",
    "dropout_forward",
    "dropout_backward",
    "early_stopping_epoch",
]


def _lam_hint() -> str:
    return tr("lam is the lecture's lambda, a small number >= 0 such as 1e-3; lam=0 turns the "
              "penalty off.")


def _rate_hint() -> str:
    return tr("`rate` is the probability of DROPPING a unit (Keras's convention), e.g. 0.5; "
              "rate=1 would drop everything and divide by 0.")


def _check_number(value: Any, name: str, hint: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _fail(tr("`{name}` must be a real number. Received: {name}={value!r} of type "
                       "{type_name}.", name=name, value=value, type_name=type(value).__name__),
                    hint)
    value = float(value)
    if not np.isfinite(value):
        raise _fail(tr("`{name}` must be finite. Received: {name}={value!r}.",
                       name=name, value=value), hint)
    return value


def _check_lam(lam: Any) -> float:
    lam = _check_number(lam, "lam", _lam_hint())
    if lam < 0:
        raise _fail(tr("`lam` must be >= 0. Received: lam={lam!r}.", lam=lam), _lam_hint())
    return lam


def _as_kernels(weights: Any) -> tuple[list[np.ndarray], type | None]:
    """The kernels as float64 copies, and the sequence type to rebuild (None: one array)."""
    hint = tr("pass one kernel array, or a list of kernels such as [W1, W2] (kernels only, "
              "not biases).")
    if isinstance(weights, (list, tuple)):
        if len(weights) == 0:
            raise _fail(tr("`weights` is an empty sequence. Received: weights="
                           "{weights!r}.", weights=weights), hint)
        kernels = [as_float_array(w, f"weights[{i}]", hint=hint)
                   for i, w in enumerate(weights)]
        return kernels, type(weights)
    if weights is not None and not isinstance(weights, (np.ndarray, np.generic, int, float)):
        raise _fail(tr("`weights` must be an array or a list of arrays. Received: "
                       "{type_name}.", type_name=type(weights).__name__), hint)
    return [as_float_array(weights, "weights", hint=hint)], None


def _rebuild(arrays: list[np.ndarray], kind: type | None) -> np.ndarray | list | tuple:
    if kind is None:
        return arrays[0]
    return tuple(arrays) if issubclass(kind, tuple) else list(arrays)


def l2_penalty(weights: Any, *, lam: float) -> float:
    r"""The L2 penalty of the lecture: half lambda times the sum of the squared weights.

    .. math::

        \Omega_{L2}(W) = \frac{\lambda}{2} \sum_{l} \|W^{[l]}\|_F^2
                       = \frac{\lambda}{2} \sum_{l} \sum_{j,k} \left(W^{[l]}_{jk}\right)^2

    Parameters
    ----------
    weights : array_like or sequence of array_like
        One kernel :math:`W^{[l]}` (any shape, e.g. ``(n_in, n_out)``) or a list / tuple of
        kernels, one per layer. Kernels only: biases are not penalized. A bias shifts a unit's
        output without making it react more strongly to the input, so it adds little
        capacity; there are few biases, and pulling them to 0 can only hurt the fit (Keras's
        ``kernel_regularizer`` likewise leaves ``bias_regularizer`` off).
    lam : float, keyword-only
        :math:`\lambda \ge 0`.

    Returns
    -------
    float
        The penalty, added to the **mean** data loss.

    Notes
    -----
    Keras's ``keras.regularizers.L2(l2)`` computes ``l2 * sum(w ** 2)`` (no 1/2): the
    lecture's penalty is ``L2(lam / 2)``.

    Examples
    --------
    >>> l2_penalty(np.array([[1.0, -2.0]]), lam=0.1)   # 0.1 / 2 * (1 + 4)
    0.25
    >>> l2_penalty([np.ones((2, 2)), np.array([3.0])], lam=1.0)   # (4 + 9) / 2
    6.5
    """
    kernels, _ = _as_kernels(weights)
    lam = _check_lam(lam)
    return float(lam / 2.0 * sum(float(np.sum(w ** 2)) for w in kernels))


def l2_penalty_grad(weights: Any, *, lam: float) -> np.ndarray | list | tuple:
    r"""Gradient of :func:`l2_penalty`: :math:`\lambda W^{[l]}` for every kernel.

    .. math::

        \frac{\partial \Omega_{L2}}{\partial W^{[l]}} = \lambda W^{[l]}

    With it one gradient-descent step on the mean loss plus the penalty is *weight decay*:
    :math:`W \leftarrow W - lr (g + \lambda W) = (1 - lr \lambda) W - lr\, g`.

    Parameters
    ----------
    weights : array_like or sequence of array_like
        As in :func:`l2_penalty`.
    lam : float, keyword-only
        :math:`\lambda \ge 0`.

    Returns
    -------
    ndarray of float64, or a list / tuple of them
        The structure of ``weights``: one array for one array, a list for a list, a tuple for
        a tuple; each of the shape of its kernel.

    Examples
    --------
    >>> l2_penalty_grad(np.array([1.0, -2.0]), lam=0.1)
    array([ 0.1, -0.2])
    """
    kernels, kind = _as_kernels(weights)
    lam = _check_lam(lam)
    return _rebuild([lam * w for w in kernels], kind)


def l1_penalty(weights: Any, *, lam: float) -> float:
    r"""The L1 penalty: lambda times the sum of the absolute values of the weights.

    .. math::

        \Omega_{L1}(W) = \lambda \sum_{l} \sum_{j,k} \left|W^{[l]}_{jk}\right|

    Parameters
    ----------
    weights : array_like or sequence of array_like
        One kernel or a list / tuple of kernels (biases are not penalized; see
        :func:`l2_penalty`).
    lam : float, keyword-only
        :math:`\lambda \ge 0`.

    Returns
    -------
    float

    Notes
    -----
    Same as ``keras.regularizers.L1(lam)``. The slide's indices are garbled (``i`` names both
    the samples and the layers, ``l`` is unbound, ``j,j``); the absolute value of one entry
    is its Frobenius norm, so that part of the slide is right.

    Examples
    --------
    >>> l1_penalty([np.array([1.0, -2.0]), np.array([[0.5]])], lam=0.5)   # 0.5 * 3.5
    1.75
    """
    kernels, _ = _as_kernels(weights)
    lam = _check_lam(lam)
    return float(lam * sum(float(np.sum(np.abs(w))) for w in kernels))


def l1_penalty_grad(weights: Any, *, lam: float) -> np.ndarray | list | tuple:
    r"""(Sub)gradient of :func:`l1_penalty`: :math:`\lambda \operatorname{sign}(W^{[l]})`.

    .. math::

        \frac{\partial \Omega_{L1}}{\partial W^{[l]}_{jk}} = \lambda \operatorname{sign}
        \left(W^{[l]}_{jk}\right), \qquad \operatorname{sign}(0) = 0

    :math:`|w|` has no derivative at 0; any value in :math:`[-\lambda, \lambda]` is a
    subgradient there, and TensorFlow's gradient of ``abs`` (hence Keras's) uses 0.

    Parameters
    ----------
    weights : array_like or sequence of array_like
        As in :func:`l1_penalty`.
    lam : float, keyword-only
        :math:`\lambda \ge 0`.

    Returns
    -------
    ndarray of float64, or a list / tuple of them
        The structure of ``weights``.

    Notes
    -----
    The step size of the gradient does not shrink with the weight (unlike L2's
    :math:`\lambda w`), which is why L1 drives small weights to exactly 0.

    Examples
    --------
    >>> l1_penalty_grad(np.array([3.0, 0.0, -0.5]), lam=0.1)
    array([ 0.1,  0. , -0.1])
    """
    kernels, kind = _as_kernels(weights)
    lam = _check_lam(lam)
    return _rebuild([lam * np.sign(w) for w in kernels], kind)


def _check_rate(rate: Any) -> float:
    rate = _check_number(rate, "rate", _rate_hint())
    if not 0.0 <= rate < 1.0:
        raise _fail(tr("`rate` must be a float between 0 (included) and 1 (excluded). "
                       "Received: rate={rate!r}.", rate=rate), _rate_hint())
    return rate


def dropout_forward(x: Any, *, rate: float, training: bool,
                    rng: np.random.Generator | int | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    r"""Inverted dropout: zero each activation with probability ``rate``, scale the rest.

    In training, each element is kept independently with probability :math:`1 - rate`
    (:math:`u \ge rate` for a uniform draw :math:`u \in [0, 1)`):

    .. math::

        mask = \frac{[u \ge rate]}{1 - rate}, \qquad out = x \odot mask,
        \qquad \mathbb{E}[out] = x .

    The number of dropped units is random (binomial), not fixed. At inference
    (``training=False``) nothing is dropped and nothing is scaled: the scaling in training
    already keeps the expected value of every unit equal to its inference value.

    Parameters
    ----------
    x : array_like, any shape
        Activations (the outputs of a layer's units), finite.
    rate : float, keyword-only
        Probability of dropping a unit, in ``[0, 1)`` (Keras's ``Dropout(rate)``; CS231n's
        ``p`` is the *keep* probability instead).
    training : bool, keyword-only
        True while fitting, False to evaluate or predict. No default, on purpose.
    rng : numpy.random.Generator or int, keyword-only
        Where the random draws come from: a Generator, or an int seed for
        ``np.random.default_rng``. Required when ``training`` is True.

    Returns
    -------
    out : ndarray of float64, shape of ``x``
        A new array.
    mask : ndarray of float64, shape of ``x``
        The factor applied to each element: 0 (dropped) or :math:`1 / (1 - rate)` (kept);
        all ones at inference. Keep it for :func:`dropout_backward`.

    Notes
    -----
    Same as ``keras.layers.Dropout(rate)``: drop probability ``rate``, kept units scaled by
    ``1 / (1 - rate)`` in training, the identity at inference. The draws differ from
    TensorFlow's (another generator), not their distribution.

    Examples
    --------
    >>> out, mask = dropout_forward(np.ones(6), rate=0.5, training=True, rng=0)
    >>> sorted(set(mask.tolist()))   # dropped, or kept and doubled
    [0.0, 2.0]
    >>> dropout_forward(np.array([1.0, 2.0]), rate=0.5, training=False)[0]
    array([1., 2.])
    """
    x = as_float_array(x, "x", hint=tr("pass the activations of a layer, e.g. shape (N, D)."))
    rate = _check_rate(rate)
    if not isinstance(training, (bool, np.bool_)):
        raise _fail(tr("`training` must be True or False. Received: training={training!r}.",
                       training=training),
                    tr("training=True while fitting (units are dropped), training=False to "
                       "evaluate or predict (the identity)."))
    if not training:
        return x, np.ones_like(x)
    if rng is None:
        raise _fail(tr("`rng` is required when training=True. Received: rng=None."),
                    tr("pass rng=np.random.default_rng(seed) (or an int seed) so that the "
                       "dropped units can be drawn, and repeated."))
    if isinstance(rng, bool) or not isinstance(rng, (np.random.Generator, Integral)):
        raise _fail(tr("`rng` must be a numpy Generator or an int seed. Received: "
                       "{type_name}.", type_name=type(rng).__name__),
                    tr("rng=np.random.default_rng(0)."))
    rng = np.random.default_rng(rng)
    keep = rng.random(x.shape) >= rate
    mask = keep / (1.0 - rate)
    return x * mask, mask


def dropout_backward(dout: Any, mask: Any) -> np.ndarray:
    r"""Gradient of :func:`dropout_forward`: the upstream gradient times the same mask.

    .. math::

        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial out} \odot mask

    Dropped units get no gradient; kept ones get it scaled by :math:`1 / (1 - rate)`. The
    mask must be the one of the forward pass, not a new draw.

    Parameters
    ----------
    dout : array_like, shape of the forward output
        Upstream gradient :math:`\partial L / \partial out`.
    mask : array_like, same shape
        The second value returned by :func:`dropout_forward`.

    Returns
    -------
    ndarray of float64, shape of ``dout``

    Examples
    --------
    >>> dropout_backward(np.array([1.0, 1.0]), np.array([0.0, 2.0]))
    array([0., 2.])
    """
    dout = as_float_array(dout, "dout", hint=tr("`dout` has the shape of the forward output."))
    mask = as_float_array(mask, "mask", hint=tr("pass the mask returned by dropout_forward."))
    check_same_shape(dout, mask, "dout", "mask",
                     hint=tr("use the mask of the same forward call: out, mask = "
                             "dropout_forward(x, ...), then dropout_backward(dout, mask)."))
    return dout * mask


def early_stopping_epoch(values: Sequence[float] | np.ndarray, *, patience: int,
                         min_delta: float = 0.0, mode: str = "min",
                         baseline: float | None = None) -> tuple[int | None, int]:
    r"""Replay ``keras.callbacks.EarlyStopping`` on a recorded curve: when does it stop?

    Epochs are counted from 0, as Keras counts them. After epoch :math:`t` the monitored value
    :math:`v_t` is an **improvement** if it beats the best value so far by more than
    ``min_delta`` (``mode="min"``: :math:`v_t + \delta < best`; ``mode="max"``:
    :math:`v_t - \delta > best`; the first epoch always is). A counter ``wait`` is
    incremented every epoch and reset to 0 on an improvement (with a ``baseline``, only on an
    improvement that also beats the baseline). Training stops after the first epoch
    :math:`t > 0` without an improvement at which ``wait >= patience``.

    Parameters
    ----------
    values : array_like, shape (n_epochs,)
        The monitored value after each epoch, e.g. ``history.history["val_loss"]``. NaN and
        infinities are allowed (NaN is never an improvement, unless it comes first).
    patience : int, keyword-only
        Number of epochs without improvement after which training stops, ``>= 0``.
    min_delta : float, keyword-only
        Smallest change that counts as an improvement, ``>= 0``.
    mode : {"min", "max"}, keyword-only
        ``"min"`` for a loss, ``"max"`` for an accuracy.
    baseline : float, optional, keyword-only
        A value the monitored quantity must beat before ``wait`` is reset.

    Returns
    -------
    stopped_epoch : int or None
        The epoch after which training stops (Keras's ``stopped_epoch``), or None when it
        runs to the end of ``values``.
    best_epoch : int
        The epoch of the last improvement: the weights ``restore_best_weights=True`` restores
        (Keras's ``best_epoch``).

    Notes
    -----
    Keras compares with ``keras.ops.less`` / ``greater``, which turn the Python floats into
    float32 tensors; values that differ only beyond float32's precision (about 7 significant
    digits) are ties there, and here too. This function loops over the epochs: each decision
    depends on the best value so far.

    Examples
    --------
    >>> early_stopping_epoch([1.0, 0.8, 0.9, 0.85, 0.95], patience=2)   # best 0.8, then 2 worse
    (3, 1)
    >>> early_stopping_epoch([1.0, 0.8, 0.7], patience=2)   # never 2 epochs without improving
    (None, 2)
    """
    if values is None:
        raise _fail(tr("`values` is None."), tr("did a function forget to `return` its result?"))
    try:
        v = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise _fail(tr("`values` must be numbers, one per epoch. Received: {type_name}.",
                       type_name=type(values).__name__),
                    tr('pass a list such as history.history["val_loss"].')) from None
    if v.ndim != 1 or v.size == 0:
        raise _fail(tr("`values` must be a non-empty 1-D sequence, one value per epoch. "
                       "Received: values.shape={shape}.", shape=v.shape),
                    tr('pass a list such as history.history["val_loss"].'))
    if isinstance(patience, bool) or not isinstance(patience, Integral) or patience < 0:
        raise _fail(tr("`patience` must be an integer >= 0. Received: patience={patience!r}.",
                       patience=patience),
                    tr("patience=5 stops after 5 epochs without improvement."))
    min_delta = _check_number(min_delta, "min_delta",
                              tr("e.g. min_delta=1e-3; 0 counts any improvement."))
    if min_delta < 0:
        raise _fail(tr("`min_delta` must be >= 0. Received: min_delta={min_delta!r}.",
                       min_delta=min_delta),
                    tr("min_delta is a size; the direction comes from `mode`."))
    if mode not in ("min", "max"):
        raise _fail(tr("`mode` must be 'min' or 'max'. Received: mode={mode!r}.", mode=mode),
                    tr("'min' for a loss, 'max' for an accuracy."))
    if baseline is not None:
        baseline = _check_number(baseline, "baseline", tr("e.g. baseline=0.5, or None."))

    delta = -min_delta if mode == "min" else min_delta

    def improves(current: float, reference: float | None) -> bool:
        if reference is None:
            return True
        with np.errstate(over="ignore"):  # beyond float32's range: +-inf, as a tensor would
            shifted, ref = np.float32(current - delta), np.float32(reference)
        return bool(shifted < ref) if mode == "min" else bool(shifted > ref)

    best: float | None = None
    best_epoch, wait = 0, 0
    for epoch, current in enumerate(v.tolist()):
        wait += 1
        if improves(current, best):
            best, best_epoch = current, epoch
            if baseline is None or improves(current, baseline):
                wait = 0
            continue
        if wait >= patience and epoch > 0:
            return epoch, best_epoch
    return None, best_epoch
