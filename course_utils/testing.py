"""Checks used by the graded test cells and by the pytest suite.

The checks go type -> shape -> finite -> values, and each failure message says which case
failed, what was expected, what came back, and a hint. A failed check raises
:class:`CheckFailed`, an ``AssertionError``.

* :func:`assert_close` compares one result with the expected one, and names a *known mistake*
  when the result equals the output of a known wrong variant (``mistakes=``).
* :func:`assert_answered` is the visible check of a conceptual question's answer: answered,
  of the right kind, one of the choices (its value is checked when the notebook is graded).
* :func:`numerical_gradient` and :func:`numerical_gradient_array` are centred differences;
  :func:`rel_error` is the CS231n relative error; :func:`assert_gradient_close` puts them
  together.

Examples
--------
>>> assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0]), name="mse")
>>> assert_close(3.0, 3.0 + 1e-12, name="loss")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "CheckFailed",
    "assert_answered",
    "assert_close",
    "matching_mistake",
    "numerical_gradient",
    "numerical_gradient_array",
    "rel_error",
    "assert_gradient_close",
]

# Exact types accepted as "a number". Subclasses are refused on purpose: a subclass can
# redefine comparison and pass any check.
_SCALAR_TYPES = (float, int, np.float64, np.float32, np.float16, np.int64, np.int32)


class CheckFailed(AssertionError):
    """A graded check failed; the message says what was expected and what came back."""


def _fail(name: str, message: str, hint: str | None) -> CheckFailed:
    text = f"{name}: {message}"
    if hint:
        text += f"\nHint: {hint}"
    return CheckFailed(text)


def _as_checked_array(value: Any, *, name: str, expect_scalar: bool,
                      hint: str | None) -> np.ndarray:
    """Check the type of ``value`` and copy it into a fresh float64 array."""
    if value is None:
        raise _fail(name, "got None.", "did you forget a `return`?")
    if expect_scalar:
        if type(value) is np.ndarray and value.ndim == 0:
            value = value[()]
        if type(value) not in _SCALAR_TYPES:
            raise _fail(
                name,
                f"expected a number (a Python float), got {type(value).__name__}"
                + (f" with shape {np.shape(value)}" if hasattr(value, "shape") else "")
                + ".",
                hint or "reduce to one number, e.g. with np.mean(...), and return float(...).",
            )
        return np.array(float(value), dtype=np.float64)
    if type(value) is not np.ndarray:
        got = type(value).__name__
        if isinstance(value, np.ndarray):
            got += " (a subclass of numpy.ndarray)"
        raise _fail(name, f"expected a numpy.ndarray, got {got}.",
                    "return a plain numpy array, e.g. np.asarray(result).")
    if value.dtype.kind not in "fiu":
        raise _fail(name, f"expected an array of numbers, got dtype={value.dtype}.", hint)
    return np.array(value, dtype=np.float64, copy=True)


_ANSWER_KINDS = {
    "int": ((int, np.int64, np.int32), "an integer, e.g. 4"),
    "float": ((float, int, np.float64, np.float32, np.int64, np.int32), "a number, e.g. 0.25"),
}


def assert_answered(value: Any, *, name: str, kind: str | None = None,
                    choices: tuple[str, ...] | None = None) -> None:
    """Check the form of a question's answer: given (not None), of the right kind or a choice.

    Parameters
    ----------
    value : object
        The student's answer variable, e.g. ``answer_best_degree``.
    name : str
        The variable's name, used in the message.
    kind : {"int", "float"}, optional
        The kind of number expected (``"float"`` also accepts an integer).
    choices : tuple of str, optional
        The allowed answers of a multiple-choice question, e.g. ``("a", "b", "c")``.

    Raises
    ------
    CheckFailed
        If the question is not answered yet, or the answer has the wrong form.

    Examples
    --------
    >>> assert_answered(4, name="answer_best_degree", kind="int")
    >>> assert_answered("b", name="answer_choice", choices=("a", "b", "c"))
    >>> assert_answered(None, name="answer_choice", choices=("a", "b"))
    Traceback (most recent call last):
    ...
    course_utils.testing.CheckFailed: answer_choice: not answered yet (it is still None).
    Hint: replace None with one of 'a', 'b'.
    """
    if (kind is None) == (choices is None):
        raise ValueError("assert_answered needs exactly one of `kind` and `choices`. "
                         f"Received: kind={kind!r}, choices={choices!r}.")
    if kind is not None and kind not in _ANSWER_KINDS:
        raise ValueError(f"`kind` must be one of {sorted(_ANSWER_KINDS)}. Received: kind={kind!r}.")
    if choices is not None:
        what = "one of " + ", ".join(repr(c) for c in choices)
    else:
        what = _ANSWER_KINDS[kind][1]
    if value is None:
        raise _fail(name, "not answered yet (it is still None).", f"replace None with {what}.")
    if choices is not None:
        if type(value) is not str or value not in choices:
            raise _fail(name, f"expected {what}, got {value!r}.",
                        "write the letter of your choice as a lowercase string, e.g. "
                        f"{name} = {choices[0]!r}.")
        return
    allowed = _ANSWER_KINDS[kind][0]
    if type(value) not in allowed or (type(value) is not int and not np.isfinite(value)):
        raise _fail(name, f"expected {what}, got {value!r} ({type(value).__name__}).",
                    f"assign a plain number, e.g. {name} = {'4' if kind == 'int' else '0.25'}.")


def _close_mask(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    return np.abs(actual - expected) <= atol + rtol * np.abs(expected)


def matching_mistake(actual: Any, mistakes: Mapping[str, Any], *, rtol: float = 1e-6,
                     atol: float = 1e-8) -> str | None:
    """Return the name of the first known mistake whose output equals ``actual``, else None.

    ``mistakes`` maps a description ("the bias correction is missing") to the output the
    wrong variant gives on the same input. Outputs of another shape never match.
    """
    try:
        a = np.array(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    for description, wrong in mistakes.items():
        try:
            w = np.array(wrong, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if w.shape == a.shape and np.all(np.isfinite(w) == np.isfinite(a)):
            finite = np.isfinite(w)
            if np.all(a[~finite] == w[~finite]) and np.all(
                    _close_mask(a[finite], w[finite], rtol, atol)):
                return description
    return None


def assert_close(actual: Any, expected: Any, *, name: str, rtol: float = 1e-6,
                 atol: float = 1e-8, hint: str | None = None,
                 mistakes: Mapping[str, Any] | None = None) -> None:
    """Check that ``actual`` equals ``expected`` within ``atol + rtol * |expected|``.

    Parameters
    ----------
    actual : float or ndarray
        What the student's function returned.
    expected : float or ndarray
        The reference value. A Python/NumPy scalar means a number is expected; an array
        means an ``ndarray`` of exactly that shape is expected (no broadcasting).
    name : str
        Which case this is, e.g. ``"bce on y_pred near 0"``; starts every message.
    rtol, atol : float
        Relative and absolute tolerance; both explicit, ``atol`` > 0 near zero.
    hint : str, optional
        Added to a value mismatch that matches no known mistake.
    mistakes : mapping of str to array_like, optional
        Outputs of known wrong variants on the same input; a match is named in the message.

    Raises
    ------
    CheckFailed
        If the type, shape, finiteness or values differ.
    """
    expect_scalar = not isinstance(expected, np.ndarray) and np.ndim(expected) == 0
    exp = np.array(expected, dtype=np.float64)
    act = _as_checked_array(actual, name=name, expect_scalar=expect_scalar, hint=hint)
    if act.shape != exp.shape:
        raise _fail(name, f"expected shape {exp.shape}, got shape {act.shape}.",
                    "check which axis you reduce over (axis=-1 is one value per sample) "
                    "and that no broadcasting turned (n,) into (n, n).")
    finite = np.isfinite(act)
    if not finite.all():
        idx = tuple(int(i) for i in np.argwhere(~finite)[0])
        where = f" at index {idx}" if act.ndim else ""
        raise _fail(name, f"got a non-finite value {float(act[idx])!r}{where}.",
                    hint or "log(0) or a division by 0? clip probabilities or add eps.")
    ok = _close_mask(act, exp, rtol, atol)
    if ok.all():
        return
    mistake = matching_mistake(act, mistakes or {}, rtol=rtol, atol=atol)
    idx = tuple(int(i) for i in np.argwhere(~ok)[0])
    if act.ndim:
        detail = (f"{int((~ok).sum())} of {ok.size} values differ; first at index {idx}: "
                  f"expected {float(exp[idx])!r}, got {float(act[idx])!r}")
    else:
        detail = f"expected {float(exp[()])!r}, got {float(act[()])!r}"
    message = f"{detail} (rtol={rtol:g}, atol={atol:g})."
    if mistake is not None:
        raise _fail(name, message, f"it looks like {mistake}.")
    raise _fail(name, message, hint)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, *,
                       h: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of a scalar function ``f`` at ``x``.

    .. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}

    ``x`` (any shape) is not modified; the result has the shape of ``x``.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):  # one coordinate at a time is the definition; x is small
        old = flat[i]
        flat[i] = old + h
        plus = float(f(x))
        flat[i] = old - h
        minus = float(f(x))
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                             dout: np.ndarray, *, h: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of ``sum(f(x) * dout)`` at ``x`` (for backward passes)."""
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda z: float(np.sum(f(z) * dout)), x, h=h)


def rel_error(a: Any, b: Any) -> float:
    """Largest relative error ``|a - b| / max(1e-8, |a| + |b|)`` (CS231n's ``rel_error``)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def assert_gradient_close(analytic: Any, numeric: np.ndarray, *, name: str,
                          max_rel_error: float = 1e-6, hint: str | None = None) -> None:
    """Check an analytic gradient against a numerical one: type, shape, finite, rel_error."""
    numeric = np.asarray(numeric, dtype=np.float64)
    act = _as_checked_array(analytic, name=name, expect_scalar=False, hint=hint)
    if act.shape != numeric.shape:
        raise _fail(name, f"expected gradient shape {numeric.shape}, got {act.shape}.",
                    "the gradient has the shape of the variable it is taken with respect to.")
    if not np.isfinite(act).all():
        raise _fail(name, "the gradient contains NaN or inf.", hint)
    err = rel_error(act, numeric)
    if not err <= max_rel_error:
        raise _fail(name, f"relative error {err:.2e} against the numerical gradient exceeds "
                          f"{max_rel_error:.0e}.", hint or "did you divide by the batch size?")
