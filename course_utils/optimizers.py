r"""Gradient-descent update rules as pure functions, and thin optimizer classes that use them.

Every update rule has the same interface (as in CS231n's ``optim.py``)::

    w_new = sgd_update(w, dw, lr=...)
    w_new, *state_new = <rule>_update(w, dw, *state, lr=..., <hyperparameters>)

* ``w`` : ndarray of any shape -- one parameter of the model (a weight matrix ``W``, a
  bias ``b``);
* ``dw`` : ndarray, shape of ``w`` -- the gradient :math:`\partial L / \partial w` of the loss
  on the current mini-batch;
* ``state`` : ndarrays of the shape of ``w``, the moving averages the rule keeps between
  steps (``v`` for momentum, ``s`` for RMSProp, ``v, s`` for Adam). They are all zeros before
  the first step. Adam also takes the step number ``t``, which is 1 on the first step;
* hyperparameters are keyword-only and named as in the lecture: ``lr`` (:math:`\alpha`),
  ``beta``, ``beta1``, ``beta2``, ``eps``.

A rule never modifies its arguments. It returns new float64 arrays: ``w_new`` followed by the
new state in the order it was passed in (``t`` is not returned: the caller adds 1).

The classes :class:`SGD`, :class:`Momentum`, :class:`RMSProp` and :class:`Adam` keep that
state for every parameter of a model, by name, and call the rules::

    opt = Adam(lr=0.001)
    for X_batch, y_batch in minibatches(X, y, 32, rng=rng):
        grads = ...                  # {"W1": dW1, "b1": db1, ...}, one per parameter
        opt.step(params, grads)      # replaces params["W1"], params["b1"], ... by new arrays

:func:`minimize` runs an optimizer on a function of a point (see
:mod:`course_utils.landscapes`) and returns the path; :func:`minibatches` splits a data set
into shuffled mini-batches. :data:`UPDATE_RULES` and :data:`OPTIMIZERS` list the rules and
classes by name.

Each rule's ``Notes`` say how it maps onto ``keras.optimizers`` (Keras 3.15), whose default
``epsilon`` is 1e-7 and whose epsilon sits in a different place for RMSprop and Adam.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from course_utils._validation import (
    CourseInputError,
    _check_scalar,
    as_float_array,
    as_real_array,
    check_beta,
    check_nonnegative,
    check_positive,
    check_same_shape,
)
from course_utils.language import tr

__all__ = [
    "sgd_update",
    "momentum_update",
    "rmsprop_update",
    "adam_update",
    "SGD",
    "Momentum",
    "RMSProp",
    "Adam",
    "minimize",
    "minibatches",
    "UPDATE_RULES",
    "OPTIMIZERS",
]

# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------
def _check_lr(lr: Any) -> float:
    return check_positive(
        lr, "lr", hint=tr("typical values are 0.001 to 0.1; a smaller lr takes smaller steps."))


def _check_eps(eps: Any) -> float:
    eps = _check_scalar(eps, "eps")
    if eps < 0:
        raise CourseInputError(tr(
            "`eps` must be a float >= 0. Received: eps={eps!r}.\n"
            "Hint: eps only keeps the division away from 0; 1e-8 is the usual value.",
            eps=eps,
        ))
    return eps


def _check_t(t: Any) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise CourseInputError(tr(
            "`t` must be an integer >= 1, the number of this step. Received: t={t!r}.\n"
            "Hint: t = 1 on the first step, so that the bias correction 1 - beta1**t is "
            "not 0; add 1 after every step.",
            t=t,
        ))
    return int(t)


def _check_arrays(w: Any, dw: Any, *, squares: str | None = None,
                  **state: Any) -> list[np.ndarray]:
    """Return float64 copies of ``w``, ``dw`` and the state arrays, all of one shape.

    ``squares`` names the hint for a negative ``s`` (a moving average of ``dw**2`` is never
    negative): a negative one is almost always the other state array passed in its place.
    """
    w = as_float_array(w, "w", allow_empty=True, allow_bool=False)
    dw = as_float_array(dw, "dw", allow_empty=True, allow_bool=False)
    check_same_shape(w, dw, "w", "dw",
                     hint=tr("pass the gradient of this parameter, e.g. grads[\"W1\"] for "
                             "params[\"W1\"]."))
    out = [w, dw]
    for name, value in state.items():
        arr = as_float_array(value, name, allow_empty=True, allow_bool=False)
        check_same_shape(w, arr, "w", name,
                         hint=tr("`{name}` starts as np.zeros_like(w) and keeps the shape "
                                 "of w.", name=name))
        if name == "s":
            check_nonnegative(arr, "s", hint=squares)
        out.append(arr)
    return out


def _rmsprop_s_hint() -> str:
    return tr("S is the moving average of dw**2, so it is never negative; did you pass the "
              "moving average of the gradients themselves (V of momentum) as `s`?")


def _adam_s_hint() -> str:
    return tr("S is the moving average of dw**2, so it is never negative: are `v` and `s` "
              "swapped? adam_update takes (w, dw, v, s, t): V, the average of the "
              "gradients, comes before S, the average of their squares.")


# --------------------------------------------------------------------------------------
# Update rules (pure functions)
# --------------------------------------------------------------------------------------
def sgd_update(w: Any, dw: Any, *, lr: float) -> np.ndarray:
    r"""One step of (mini-batch stochastic) gradient descent.

    .. math:: w \leftarrow w - \alpha \, dw

    Parameters
    ----------
    w : ndarray, any shape
        The parameter.
    dw : ndarray, shape of ``w``
        The gradient of the loss with respect to ``w``.
    lr : float
        The learning rate :math:`\alpha` > 0.

    Returns
    -------
    w_new : ndarray of float64, shape of ``w``

    Notes
    -----
    Same as ``keras.optimizers.SGD(learning_rate=lr)``.

    Examples
    --------
    >>> sgd_update(np.array([1.0, 2.0]), np.array([0.5, -1.0]), lr=0.1)
    array([0.95, 2.1 ])
    """
    w, dw = _check_arrays(w, dw)
    lr = _check_lr(lr)
    return w - lr * dw


def momentum_update(w: Any, dw: Any, v: Any, *, lr: float, beta: float = 0.9
                    ) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of gradient descent with momentum, in the lecture's form.

    The step follows :math:`V`, the exponential moving average of the gradients:

    .. math::

        V &\leftarrow \beta \, V + (1 - \beta) \, dw \\
        w &\leftarrow w - \alpha \, V

    Parameters
    ----------
    w : ndarray, any shape
        The parameter.
    dw : ndarray, shape of ``w``
        The gradient of the loss with respect to ``w``.
    v : ndarray, shape of ``w``
        :math:`V` after the previous step; zeros before the first step.
    lr : float
        The learning rate :math:`\alpha` > 0.
    beta : float
        Decay of the moving average, in [0, 1). Default 0.9; ``beta=0`` is plain SGD.

    Returns
    -------
    w_new : ndarray of float64, shape of ``w``
    v_new : ndarray of float64, shape of ``w``

    Notes
    -----
    Keras (and CS231n) keep :math:`m = -\alpha V` instead: ``m = momentum * m -
    learning_rate * dw; w = w + m``. With ``momentum=beta`` and
    ``learning_rate=lr * (1 - beta)`` and both velocities starting at zero,
    ``keras.optimizers.SGD`` gives exactly the same ``w`` at every step. Conversely, Keras's
    ``SGD(learning_rate=eta, momentum=beta)`` is this rule with ``lr = eta / (1 - beta)``.
    At the same ``lr`` this form takes steps no longer than plain SGD: it averages the
    gradients instead of adding them up.

    Examples
    --------
    >>> w, v = momentum_update(np.array([1.0]), np.array([2.0]), np.array([0.0]), lr=0.1)
    >>> v  # 0.9 * 0 + 0.1 * 2
    array([0.2])
    >>> w  # 1 - 0.1 * 0.2
    array([0.98])
    """
    w, dw, v = _check_arrays(w, dw, v=v)
    lr = _check_lr(lr)
    beta = check_beta(beta, "beta")
    v_new = beta * v + (1.0 - beta) * dw
    w_new = w - lr * v_new
    return w_new, v_new


def rmsprop_update(w: Any, dw: Any, s: Any, *, lr: float, beta: float = 0.9,
                   eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of RMSProp: divide each gradient by the root mean square of its history.

    .. math::

        S &\leftarrow \beta \, S + (1 - \beta) \, dw^2 \\
        w &\leftarrow w - \alpha \, \frac{dw}{\sqrt{S} + \varepsilon}

    Squares, roots and divisions are element-wise. A coordinate with large gradients takes
    steps of about :math:`\alpha`, and so does one with tiny gradients.

    Parameters
    ----------
    w : ndarray, any shape
        The parameter.
    dw : ndarray, shape of ``w``
        The gradient of the loss with respect to ``w``.
    s : ndarray, shape of ``w``
        :math:`S` after the previous step; zeros before the first step.
    lr : float
        The learning rate :math:`\alpha` > 0.
    beta : float
        Decay of the moving average of squared gradients, in [0, 1). Default 0.9.
    eps : float
        :math:`\varepsilon` >= 0, added to :math:`\sqrt{S}` so that a coordinate whose
        gradients were all 0 does not divide 0 by 0. Default 1e-8. ``eps=0`` is allowed
        (to compare with other forms) but gives NaN where :math:`S = 0`.

    Returns
    -------
    w_new : ndarray of float64, shape of ``w``
    s_new : ndarray of float64, shape of ``w``

    Notes
    -----
    The lecture writes no :math:`\varepsilon` (erratum: it is needed). Keras's
    ``keras.optimizers.RMSprop(learning_rate=lr, rho=beta, epsilon=eps)`` keeps the same
    :math:`S` but puts epsilon *inside* the root, :math:`w \leftarrow w - \alpha\,dw /
    \sqrt{S + \varepsilon}`; its defaults are ``rho=0.9``, ``epsilon=1e-7``,
    ``momentum=0.0``, ``centered=False``. With ``eps=0`` in both the two are identical;
    otherwise they differ only where :math:`\sqrt{S}` is as small as epsilon.

    Examples
    --------
    >>> w, s = rmsprop_update(np.array([1.0]), np.array([2.0]), np.array([0.0]),
    ...                       lr=0.1, beta=0.75)
    >>> s  # 0.75 * 0 + 0.25 * 2**2
    array([1.])
    >>> w  # 1 - 0.1 * 2 / (1 + 1e-8)
    array([0.8])
    """
    w, dw, s = _check_arrays(w, dw, s=s, squares=_rmsprop_s_hint())
    lr = _check_lr(lr)
    beta = check_beta(beta, "beta")
    eps = _check_eps(eps)
    s_new = beta * s + (1.0 - beta) * dw**2
    w_new = w - lr * dw / (np.sqrt(s_new) + eps)
    return w_new, s_new


def adam_update(w: Any, dw: Any, v: Any, s: Any, t: int, *, lr: float, beta1: float = 0.9,
                beta2: float = 0.999, eps: float = 1e-8
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""One step of Adam: momentum and RMSProp together, with bias correction.

    .. math::

        V &\leftarrow \beta_1 V + (1 - \beta_1)\, dw, \qquad
        S \leftarrow \beta_2 S + (1 - \beta_2)\, dw^2 \\
        V^{corrected} &= \frac{V}{1 - \beta_1^t}, \qquad
        S^{corrected} = \frac{S}{1 - \beta_2^t} \\
        w &\leftarrow w - \alpha\, \frac{V^{corrected}}{\sqrt{S^{corrected}} + \varepsilon}

    :math:`V` and :math:`S` start at 0, so early on they are too small; dividing by
    :math:`1 - \beta^t` corrects that. On the first step :math:`V^{corrected} = dw` and
    :math:`S^{corrected} = dw^2`, so every coordinate moves by about :math:`\alpha`, against
    the sign of its gradient.

    Parameters
    ----------
    w : ndarray, any shape
        The parameter.
    dw : ndarray, shape of ``w``
        The gradient of the loss with respect to ``w``.
    v : ndarray, shape of ``w``
        :math:`V`, the moving average of gradients after the previous step; zeros at first.
    s : ndarray, shape of ``w``
        :math:`S`, the moving average of squared gradients; zeros at first.
    t : int
        The number of this step: 1 on the first step, then 2, 3, ...
    lr : float
        The learning rate :math:`\alpha` > 0.
    beta1, beta2 : float
        Decays of :math:`V` and :math:`S`, in [0, 1). Defaults 0.9 and 0.999.
    eps : float
        :math:`\varepsilon` >= 0. Default 1e-8, as in the paper (Kingma & Ba, Algorithm 1).

    Returns
    -------
    w_new : ndarray of float64, shape of ``w``
    v_new : ndarray of float64, shape of ``w``
        The new :math:`V` (not corrected).
    s_new : ndarray of float64, shape of ``w``
        The new :math:`S` (not corrected).

    Notes
    -----
    The corrected moments are new variables (erratum: the lecture overwrites :math:`S` with
    :math:`S / (1 - \beta_2^t)`, which would compound the correction at every step). The
    lecture also puts epsilon inside the root, :math:`\sqrt{S^{corrected} + \varepsilon}`.

    ``keras.optimizers.Adam(learning_rate=lr, beta_1=beta1, beta_2=beta2, epsilon=eps)``
    keeps the same :math:`V` and :math:`S` (its ``m`` and ``v``), with ``t`` = iterations + 1,
    and computes :math:`w \leftarrow w - \alpha_t V / (\sqrt{S} + \hat\varepsilon)` with
    :math:`\alpha_t = \alpha \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`. That is this rule with
    :math:`\varepsilon = \hat\varepsilon / \sqrt{1 - \beta_2^t}` ("epsilon hat" of the
    paper): the same with ``eps=0`` in both, and otherwise different only where
    :math:`\sqrt{S}` is as small as epsilon. Keras's default ``epsilon`` is 1e-7.

    Examples
    --------
    >>> zeros = np.zeros(2)
    >>> w, v, s = adam_update(np.array([1.0, 1.0]), np.array([0.5, -3.0]), zeros, zeros, 1,
    ...                       lr=0.1)
    >>> w  # each coordinate moves by lr against the sign of its gradient
    array([0.9, 1.1])
    >>> v, s  # 0.1 * dw and 0.001 * dw**2
    (array([ 0.05, -0.3 ]), array([0.00025, 0.009  ]))
    """
    w, dw, v, s = _check_arrays(w, dw, v=v, s=s, squares=_adam_s_hint())
    t = _check_t(t)
    lr = _check_lr(lr)
    beta1 = check_beta(beta1, "beta1")
    beta2 = check_beta(beta2, "beta2")
    eps = _check_eps(eps)
    v_new = beta1 * v + (1.0 - beta1) * dw
    s_new = beta2 * s + (1.0 - beta2) * dw**2
    v_corrected = v_new / (1.0 - beta1**t)
    s_corrected = s_new / (1.0 - beta2**t)
    w_new = w - lr * v_corrected / (np.sqrt(s_corrected) + eps)
    return w_new, v_new, s_new


UPDATE_RULES: dict[str, Callable[..., Any]] = {
    "sgd": sgd_update,
    "momentum": momentum_update,
    "rmsprop": rmsprop_update,
    "adam": adam_update,
}
"""Every update rule of this module by name (the names of :data:`OPTIMIZERS`)."""


# --------------------------------------------------------------------------------------
# Optimizer classes: state per parameter name, updates by the rules above
# --------------------------------------------------------------------------------------
def _check_params_grads(params: Any, grads: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Check a ``step`` call completely; return ``{name: (w, dw)}`` as float64 copies."""
    if not isinstance(params, MutableMapping):
        raise CourseInputError(tr(
            "`params` must be a dict of parameter name -> array. Received: "
            "{type_name}.\nHint: e.g. params = {{\"W1\": W1, \"b1\": b1}}; "
            "step() puts the new arrays into this dict.",
            type_name=type(params).__name__,
        ))
    if not isinstance(grads, Mapping):
        raise CourseInputError(tr(
            "`grads` must be a dict of parameter name -> gradient array. Received: "
            "{type_name}.\nHint: use the keys of `params`, e.g. "
            "grads = {{\"W1\": dW1, \"b1\": db1}}.",
            type_name=type(grads).__name__,
        ))
    for name in params:
        if name not in grads:
            raise CourseInputError(tr(
                "`grads` has no gradient for the parameter {name!r}. Received: "
                "grads keys {grads_keys}, params keys {params_keys}.\n"
                "Hint: pass one gradient per parameter, e.g. grads[{name!r}] for "
                "params[{name!r}].",
                name=name, grads_keys=sorted(map(str, grads)),
                params_keys=sorted(map(str, params)),
            ))
    for name in grads:
        if name not in params:
            raise CourseInputError(tr(
                "`grads` has a gradient for {name!r}, which is not a parameter. Received: "
                "grads keys {grads_keys}, params keys {params_keys}.\n"
                "Hint: check the spelling; every key of grads must be a key of params.",
                name=name, grads_keys=sorted(map(str, grads)),
                params_keys=sorted(map(str, params)),
            ))
    checked = {}
    for name in params:
        w = as_float_array(params[name], f"params[{name!r}]", allow_empty=True,
                           allow_bool=False)
        dw = as_float_array(grads[name], f"grads[{name!r}]", allow_empty=True,
                            allow_bool=False)
        check_same_shape(w, dw, f"params[{name!r}]", f"grads[{name!r}]",
                         hint=tr("the gradient has the shape of its parameter; did you pass "
                                 "the gradient of another parameter as grads[{name!r}]?",
                                 name=name))
        checked[name] = (w, dw)
    return checked


class _Optimizer:
    """Shared ``step``: check everything, then update every parameter by its rule."""

    def step(self, params: MutableMapping[str, np.ndarray],
             grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter once, in place in the dict ``params``.

        Parameters
        ----------
        params : dict of str to ndarray
            The model's parameters by name. Each entry is replaced by a new float64 array
            (the old arrays are not written to), so read ``params["W1"]`` again after a step.
        grads : dict of str to ndarray
            The gradient of the loss for every parameter: the same keys, the same shapes.

        Raises
        ------
        CourseInputError
            If a gradient is missing or extra, has the wrong shape, or is not finite. Nothing
            is updated then.
        """
        checked = _check_params_grads(params, grads)
        self._start_step()
        new = {name: self._update(name, w, dw) for name, (w, dw) in checked.items()}
        params.update(new)

    def _start_step(self) -> None:
        """Hook run once per step, after the checks (Adam counts ``t`` here)."""

    def _update(self, name: str, w: np.ndarray, dw: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def _state(store: dict[str, np.ndarray], name: str, w: np.ndarray) -> np.ndarray:
        """The state array of parameter ``name``: zeros the first time it is seen."""
        if name not in store:
            return np.zeros_like(w)
        if store[name].shape != w.shape:
            raise CourseInputError(tr(
                "params[{name!r}] changed shape since the previous step. Received: "
                "shape {shape}, state of shape {state_shape}.\n"
                "Hint: create a new optimizer for a new model.",
                name=name, shape=w.shape, state_shape=store[name].shape,
            ))
        return store[name]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyperparameters)
        return f"{type(self).__name__}({args})"

    _hyperparameters: tuple[str, ...] = ()


class SGD(_Optimizer):
    """Plain (mini-batch) gradient descent; see :func:`sgd_update`.

    Parameters
    ----------
    lr : float
        The learning rate > 0. Default 0.01 (as in Keras).

    Examples
    --------
    >>> params = {"w": np.array([1.0, 2.0])}
    >>> SGD(lr=0.1).step(params, {"w": np.array([0.5, -1.0])})
    >>> params["w"]
    array([0.95, 2.1 ])
    """

    _hyperparameters = ("lr",)

    def __init__(self, *, lr: float = 0.01) -> None:
        self.lr = _check_lr(lr)

    def _update(self, name: str, w: np.ndarray, dw: np.ndarray) -> np.ndarray:
        return sgd_update(w, dw, lr=self.lr)


class Momentum(_Optimizer):
    """Gradient descent with momentum (the lecture's averaged form); see :func:`momentum_update`.

    Parameters
    ----------
    lr : float
        The learning rate > 0. Default 0.01.
    beta : float
        Decay of the moving average of gradients, in [0, 1). Default 0.9.

    Attributes
    ----------
    v : dict of str to ndarray
        :math:`V` for each parameter name, created as zeros on its first step.
    """

    _hyperparameters = ("lr", "beta")

    def __init__(self, *, lr: float = 0.01, beta: float = 0.9) -> None:
        self.lr = _check_lr(lr)
        self.beta = check_beta(beta, "beta")
        self.v: dict[str, np.ndarray] = {}

    def _update(self, name: str, w: np.ndarray, dw: np.ndarray) -> np.ndarray:
        w_new, self.v[name] = momentum_update(w, dw, self._state(self.v, name, w),
                                              lr=self.lr, beta=self.beta)
        return w_new


class RMSProp(_Optimizer):
    """RMSProp; see :func:`rmsprop_update`.

    Parameters
    ----------
    lr : float
        The learning rate > 0. Default 0.001 (as in Keras).
    beta : float
        Decay of the moving average of squared gradients, in [0, 1). Default 0.9.
    eps : float
        Added to :math:`\\sqrt{S}`, >= 0. Default 1e-8.

    Attributes
    ----------
    s : dict of str to ndarray
        :math:`S` for each parameter name, created as zeros on its first step.
    """

    _hyperparameters = ("lr", "beta", "eps")

    def __init__(self, *, lr: float = 0.001, beta: float = 0.9, eps: float = 1e-8) -> None:
        self.lr = _check_lr(lr)
        self.beta = check_beta(beta, "beta")
        self.eps = _check_eps(eps)
        self.s: dict[str, np.ndarray] = {}

    def _update(self, name: str, w: np.ndarray, dw: np.ndarray) -> np.ndarray:
        w_new, self.s[name] = rmsprop_update(w, dw, self._state(self.s, name, w),
                                             lr=self.lr, beta=self.beta, eps=self.eps)
        return w_new


class Adam(_Optimizer):
    """Adam; see :func:`adam_update`.

    Parameters
    ----------
    lr : float
        The learning rate > 0. Default 0.001 (as in Keras and the paper).
    beta1, beta2 : float
        Decays of :math:`V` and :math:`S`, in [0, 1). Defaults 0.9 and 0.999.
    eps : float
        Added to :math:`\\sqrt{S^{corrected}}`, >= 0. Default 1e-8.

    Attributes
    ----------
    v, s : dict of str to ndarray
        :math:`V` and :math:`S` for each parameter name, created as zeros on its first step.
    t : int
        The number of steps taken: 0 before the first, 1 during and after the first. One
        counter for the whole optimizer, like Keras's ``iterations``.

    Examples
    --------
    >>> opt = Adam(lr=0.1)
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> opt.step(params, {"w": np.array([0.5, -3.0])})
    >>> params["w"], opt.t
    (array([0.9, 1.1]), 1)
    """

    _hyperparameters = ("lr", "beta1", "beta2", "eps")

    def __init__(self, *, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.lr = _check_lr(lr)
        self.beta1 = check_beta(beta1, "beta1")
        self.beta2 = check_beta(beta2, "beta2")
        self.eps = _check_eps(eps)
        self.v: dict[str, np.ndarray] = {}
        self.s: dict[str, np.ndarray] = {}
        self.t = 0

    def _start_step(self) -> None:
        self.t += 1

    def _update(self, name: str, w: np.ndarray, dw: np.ndarray) -> np.ndarray:
        w_new, self.v[name], self.s[name] = adam_update(
            w, dw, self._state(self.v, name, w), self._state(self.s, name, w), self.t,
            lr=self.lr, beta1=self.beta1, beta2=self.beta2, eps=self.eps)
        return w_new


OPTIMIZERS: dict[str, type[_Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSProp,
    "adam": Adam,
}
"""Every optimizer class by name; ``OPTIMIZERS[name]`` calls ``UPDATE_RULES[name]``."""


# --------------------------------------------------------------------------------------
# Running an optimizer
# --------------------------------------------------------------------------------------
def _check_count(value: Any, name: str, *, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise CourseInputError(tr(
            "`{name}` must be an integer >= {minimum}. Received: {name}={value!r}.\n"
            "Hint: {hint}",
            name=name, minimum=minimum, value=value, hint=hint,
        ))
    return int(value)


def minimize(grad_fn: Callable[[np.ndarray], np.ndarray], x0: Any, optimizer: _Optimizer,
             steps: int) -> np.ndarray:
    """Run ``optimizer`` for ``steps`` steps from ``x0`` and return the path it takes.

    Parameters
    ----------
    grad_fn : callable
        Takes a point ``x`` of shape (d,) and returns the gradient there, shape (d,), e.g.
        :func:`course_utils.landscapes.rosenbrock_grad`.
    x0 : array_like, shape (d,)
        The starting point; not modified.
    optimizer : SGD, Momentum, RMSProp or Adam
        A new optimizer object (its state is updated; use a fresh one for each run).
    steps : int
        The number of steps, >= 0.

    Returns
    -------
    ndarray of float64, shape (steps + 1, d)
        Row 0 is ``x0``; row k is the point after k steps.

    Examples
    --------
    >>> from course_utils.landscapes import saddle_grad
    >>> minimize(saddle_grad, [1.0, 0.5], SGD(lr=0.25), 2)
    array([[1.   , 0.5  ],
           [0.5  , 0.75 ],
           [0.25 , 1.125]])
    """
    x = as_float_array(x0, "x0", ndim=1, allow_bool=False,
                       hint=tr("pass one starting point, e.g. x0=np.array([-1.5, 2.0])."))
    if isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)):
        raise CourseInputError(tr(
            "`optimizer` must be an optimizer object with a step(params, grads) method. "
            "Received: {optimizer!r}.\nHint: create it first, e.g. Adam(lr=0.01), not Adam.",
            optimizer=optimizer,
        ))
    steps = _check_count(steps, "steps", minimum=0, hint=tr("e.g. steps=500."))
    path = np.empty((steps + 1, x.size))
    path[0] = x
    params = {"x": x}
    for k in range(1, steps + 1):
        g = as_real_array(grad_fn(params["x"].copy()), "grad_fn(x)", allow_bool=False)
        if g.shape != x.shape:
            raise CourseInputError(tr(
                "`grad_fn` must return the gradient at x, of shape {shape}. Received: shape "
                "{grad_shape} at step {k}.\nHint: use the gradient function, e.g. "
                "rosenbrock_grad, not the function itself.",
                shape=x.shape, grad_shape=g.shape, k=k,
            ))
        if not np.all(np.isfinite(g)):
            kind = "NaN" if np.isnan(g).any() else "inf"
            raise CourseInputError(tr(
                "`minimize` stopped at step {k} of {steps}: the gradient at x={x} "
                "contains {kind}.\nHint: the path ran off to where the function blows up; "
                "this usually means lr is too large. Try a smaller lr.",
                k=k, steps=steps, x=params["x"], kind=kind,
            ))
        optimizer.step(params, {"x": g})
        path[k] = params["x"]
    return path


def minibatches(X: Any, y: Any, batch_size: int, *, rng: np.random.Generator | None = None,
                shuffle: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Split one epoch of data into mini-batches: yield ``(X_batch, y_batch)`` pairs.

    Every sample appears in exactly one batch. All batches have ``batch_size`` samples except
    possibly the last, which holds the rest. With ``shuffle=True`` the order is a random
    permutation drawn from ``rng`` (call again for the next epoch: a new permutation); the same
    seed gives the same batches.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        The inputs, one sample per row.
    y : array_like, shape (n, ...)
        The targets, one per sample of ``X``.
    batch_size : int
        Samples per batch, >= 1. A batch_size >= n gives one batch of all samples.
    rng : numpy.random.Generator, optional
        The source of the permutation; required when ``shuffle=True``.
    shuffle : bool
        Whether to permute the samples first. Default True. With False the batches keep the
        order of ``X``.

    Returns
    -------
    iterator of (X_batch, y_batch)
        ``X_batch`` of shape (b, ...), ``y_batch`` of shape (b, ...), new arrays (copies) with
        the dtypes of ``X`` and ``y``; ``b = batch_size`` except possibly for the last batch.

    Raises
    ------
    CourseInputError
        At the call, not at the first ``next()``.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> [yb.tolist() for _, yb in minibatches(X, y, 2, rng=np.random.default_rng(0))]
    [[2, 4], [3, 0], [1]]
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise CourseInputError(tr(
            "`X` and `y` must be arrays of samples. Received: X.shape={x_shape}, "
            "y.shape={y_shape}.\nHint: one sample per row, e.g. X of shape (n, d) and y of "
            "shape (n,).",
            x_shape=X.shape, y_shape=y.shape,
        ))
    if len(X) != len(y):
        raise CourseInputError(tr(
            "`X` and `y` must have the same number of samples (rows). Received: "
            "len(X)={n_x}, len(y)={n_y}.\nHint: pass one target per sample; check "
            "that you did not pass X.T or mix a training and a test set.",
            n_x=len(X), n_y=len(y),
        ))
    if len(X) == 0:
        raise CourseInputError(tr("`X` is empty. Received: X.shape={x_shape}.\n"
                                  "Hint: pass at least one sample.", x_shape=X.shape))
    batch_size = _check_count(batch_size, "batch_size", minimum=1,
                              hint=tr("e.g. batch_size=32; use len(X) for full-batch "
                                      "gradient descent."))
    if not isinstance(shuffle, (bool, np.bool_)):
        raise CourseInputError(tr("`shuffle` must be True or False. Received: shuffle={shuffle!r}.",
                                  shuffle=shuffle))
    if shuffle:
        if not isinstance(rng, np.random.Generator):
            raise CourseInputError(tr(
                "`rng` must be a numpy.random.Generator when shuffle=True. Received: "
                "rng={rng!r}.\nHint: create one with a seed, rng = np.random.default_rng(0), "
                "and pass the same rng for every epoch.",
                rng=rng,
            ))
        order = rng.permutation(len(X))
    else:
        order = np.arange(len(X))
    return _batches(X, y, order, batch_size)


def _batches(X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int
             ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
