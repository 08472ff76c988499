"""Checks used by the graded test cells and by the pytest suite.

The checks go type -> shape -> finite -> values, and each failure message says which case
failed, what was expected, what came back, and a hint. A failed check raises
:class:`CheckFailed`, an ``AssertionError``.

* :func:`assert_close` compares one result with the expected one, and names a *known mistake*
  when the result equals the output of a known wrong variant (``mistakes=``). Otherwise a
  value mismatch says how many values differ, where, by how much, and a pattern it sees (a
  flipped sign, a constant factor); a shape mismatch says nothing about axes unless the
  caller, who knows the right axis, passes ``axis_hint=``.
* :func:`assert_answered` is the visible check of a conceptual question's answer: answered,
  of the right kind, one of the choices (its value is checked when the notebook is graded).
* :func:`numerical_gradient` and :func:`numerical_gradient_array` are centred differences;
  :func:`rel_error` is the CS231n relative error; :func:`assert_gradient_close` puts them
  together.

The checks set ``__tracebackhide__``: IPython leaves their frames out of the traceback a
student sees, so the message comes first, right under the line of the test cell.

Examples
--------
>>> assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0]), name="mse")
>>> assert_close(3.0, 3.0 + 1e-12, name="loss")
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from course_utils._validation import as_real_array
from course_utils.language import tr

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


#: Longest line of a failure message. nbgrader's Validate cuts every line of an error at 87
#: characters, counting its indent (4) and the exception's name ("CheckFailed: ", 13).
MESSAGE_WIDTH = 70


def _wrap(text: str) -> str:
    """``text`` with every line wrapped at :data:`MESSAGE_WIDTH` characters."""
    return "\n".join(textwrap.fill(line, width=MESSAGE_WIDTH, break_long_words=False,
                                   break_on_hyphens=False) or line
                     for line in text.split("\n"))


def _fail(name: str, message: str, hint: str | None) -> CheckFailed:
    text = f"{name}: {message}"
    if hint:
        text = tr("{message}\nHint: {hint}", message=text, hint=hint)
    return CheckFailed(_wrap(text))


def _as_checked_array(value: Any, *, name: str, expect_scalar: bool,
                      hint: str | None) -> np.ndarray:
    """Check the type of ``value`` and copy it into a fresh float64 array."""
    __tracebackhide__ = True
    if value is None:
        raise _fail(name, tr("got None."), tr("did you forget a `return`?"))
    if expect_scalar:
        if type(value) is np.ndarray and value.ndim == 0:
            value = value[()]
        if type(value) not in _SCALAR_TYPES:
            got = type(value).__name__
            if hasattr(value, "shape"):
                message = tr("expected a number (a Python float), got {got} with shape {shape}.",
                             got=got, shape=np.shape(value))
            else:
                message = tr("expected a number (a Python float), got {got}.", got=got)
            raise _fail(
                name,
                message,
                hint or tr("reduce to one number, e.g. with np.mean(...), and return "
                           "float(...)."),
            )
        return np.array(float(value), dtype=np.float64)
    if type(value) is not np.ndarray:
        got = type(value).__name__
        if isinstance(value, np.ndarray):
            message = tr("expected a numpy.ndarray, got {got} (a subclass of numpy.ndarray).",
                         got=got)
        else:
            message = tr("expected a numpy.ndarray, got {got}.", got=got)
        raise _fail(name, message, tr("return a plain numpy array, e.g. np.asarray(result)."))
    if value.dtype.kind not in "fiu":
        dtype = value.dtype
        if dtype.kind == "c":
            message = tr("expected an array of real numbers, got dtype={dtype} (complex "
                         "numbers: their imaginary part would be lost).", dtype=dtype)
        elif dtype.kind == "b":
            message = tr("expected an array of real numbers, got dtype={dtype} (True/False, "
                         "not numbers).", dtype=dtype)
        else:
            message = tr("expected an array of real numbers, got dtype={dtype}.", dtype=dtype)
        raise _fail(name, message, hint)
    return np.array(value, dtype=np.float64, copy=True)


_ANSWER_KINDS = {
    "int": (int, np.int64, np.int32),
    "float": (float, int, np.float64, np.float32, np.int64, np.int32),
}


def _answer_kind(kind: str) -> str:
    """What an answer of ``kind`` looks like, in the current language."""
    if kind == "int":
        return tr("an integer, e.g. 4")
    return tr("a number, e.g. 0.25")


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
    __tracebackhide__ = True
    if (kind is None) == (choices is None):
        raise ValueError(tr("assert_answered needs exactly one of `kind` and `choices`. "
                            "Received: kind={kind!r}, choices={choices!r}.",
                            kind=kind, choices=choices))
    if kind is not None and kind not in _ANSWER_KINDS:
        raise ValueError(tr("`kind` must be one of {kinds}. Received: kind={kind!r}.",
                            kinds=sorted(_ANSWER_KINDS), kind=kind))
    if choices is not None:
        what = tr("one of {choices}", choices=", ".join(repr(c) for c in choices))
    else:
        what = _answer_kind(kind)
    if value is None:
        raise _fail(name, tr("not answered yet (it is still None)."),
                    tr("replace None with {what}.", what=what))
    if choices is not None:
        if type(value) is not str or value not in choices:
            raise _fail(name, tr("expected {what}, got {value!r}.", what=what, value=value),
                        tr("write the letter of your choice as a lowercase string, e.g. "
                           "{name} = {choice!r}.", name=name, choice=choices[0]))
        return
    allowed = _ANSWER_KINDS[kind]
    if type(value) not in allowed or (type(value) is not int and not np.isfinite(value)):
        raise _fail(name, tr("expected {what}, got {value!r} ({type_name}).", what=what,
                             value=value, type_name=type(value).__name__),
                    tr("assign a plain number, e.g. {name} = {example}.", name=name,
                       example="4" if kind == "int" else "0.25"))


def _close_mask(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    return np.abs(actual - expected) <= atol + rtol * np.abs(expected)


def matching_mistake(actual: Any, mistakes: Mapping[str, Any], *, rtol: float = 1e-6,
                     atol: float = 1e-8) -> str | None:
    """Return the name of the first known mistake whose output equals ``actual``, else None.

    ``mistakes`` maps a description ("the bias correction is missing") to the output the
    wrong variant gives on the same input. Outputs of another shape never match.
    """
    try:
        if np.asarray(actual).dtype.kind not in "biuf":
            return None  # complex, text, objects: never a number to compare
        a = np.array(actual, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    for description, wrong in mistakes.items():
        try:
            if np.asarray(wrong).dtype.kind not in "biuf":
                continue
            w = np.array(wrong, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            continue
        if w.shape == a.shape and np.all(np.isfinite(w) == np.isfinite(a)):
            finite = np.isfinite(w)
            if np.all(a[~finite] == w[~finite]) and np.all(
                    _close_mask(a[finite], w[finite], rtol, atol)):
                return description
    return None


def _pattern(act: np.ndarray, exp: np.ndarray, ok: np.ndarray, atol: float) -> str | None:
    """A short description of how ``act`` differs from ``exp`` as a whole, if it is simple."""
    if act.size < 2 or ok.any():
        return None
    scale = np.abs(exp) > max(atol, 1e-12)
    if not scale.any():
        return None
    if np.allclose(act, -exp, rtol=1e-6, atol=atol):
        return tr("every value has the wrong sign")
    ratio = act[scale] / exp[scale]
    r = float(np.median(ratio))
    if r != 0 and np.allclose(act, r * exp, rtol=1e-6, atol=atol):
        return tr("every value is {r:.6g} times the expected one (a factor such as 2, 1/N, or "
                  "a mean instead of a sum?)", r=r)
    shift = float(np.median(act - exp))
    if np.allclose(act, exp + shift, rtol=1e-6, atol=atol):
        return tr("every value is shifted by {shift:.6g} from the expected one", shift=shift)
    return None


def assert_close(actual: Any, expected: Any, *, name: str, rtol: float = 1e-6,
                 atol: float = 1e-8, hint: str | None = None,
                 mistakes: Mapping[str, Any] | None = None,
                 axis_hint: str | None = None) -> None:
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
        What to look at when a value differs and no known mistake matches.
    mistakes : mapping of str to array_like, optional
        Outputs of known wrong variants on the same input; a match is named in the message.
    axis_hint : str, optional
        The hint of a shape mismatch, from the test that knows the right axis (e.g.
        "statistics are per feature: reduce over the batch, axis=0"). Without it a shape
        mismatch only says which shapes were expected and returned.

    Raises
    ------
    CheckFailed
        If the type, shape, finiteness or values differ. A value mismatch says how many
        values differ, the first one, the largest absolute and relative error, a pattern it
        sees (e.g. a constant factor), and then the hint.

    Examples
    --------
    >>> assert_close(np.array([2.0, 4.0]), np.array([1.0, 2.0]), name="mse", hint="mean?")
    Traceback (most recent call last):
    ...
    course_utils.testing.CheckFailed: mse: 2 of 2 values differ (rtol=1e-06, atol=1e-08).
    First at index (0,): expected 1.0, got 2.0.
    Largest error 2 (relative 1). Every value is 2 times the expected one
    (a factor such as 2, 1/N, or a mean instead of a sum?).
    Hint: mean?
    """
    __tracebackhide__ = True
    expect_scalar = not isinstance(expected, np.ndarray) and np.ndim(expected) == 0
    exp = as_real_array(expected, "expected")
    act = _as_checked_array(actual, name=name, expect_scalar=expect_scalar, hint=hint)
    if act.shape != exp.shape:
        if axis_hint is None and exp.ndim == 1 and act.shape == exp.shape * 2:
            message = tr("expected shape {expected_shape}, got shape {actual_shape}: (n,) and "
                         "(n, 1) arrays broadcast to (n, n).",
                         expected_shape=exp.shape, actual_shape=act.shape)
        else:
            message = tr("expected shape {expected_shape}, got shape {actual_shape}.",
                         expected_shape=exp.shape, actual_shape=act.shape)
        raise _fail(name, message, axis_hint)
    finite = np.isfinite(act)
    if not finite.all():
        idx = tuple(int(i) for i in np.argwhere(~finite)[0])
        value = float(act[idx])
        if act.ndim:
            message = tr("got a non-finite value {value!r} at index {idx}.", value=value,
                         idx=idx)
        else:
            message = tr("got a non-finite value {value!r}.", value=value)
        raise _fail(name, message,
                    hint or tr("log(0) or a division by 0? clip probabilities or add eps."))
    ok = _close_mask(act, exp, rtol, atol)
    if ok.all():
        return
    mistake = matching_mistake(act, mistakes or {}, rtol=rtol, atol=atol)
    idx = tuple(int(i) for i in np.argwhere(~ok)[0])
    error = np.abs(act - exp)
    # relative to the expected value, over the differing values that are not ~0 on the scale
    # of the expected ones (next to 0 a relative error says nothing)
    scale = float(np.abs(exp).max())
    sized = ~ok & (np.abs(exp) > 1e-3 * scale) if scale > 0 else np.zeros_like(ok)
    relative = float((error[sized] / np.abs(exp[sized])).max()) if sized.any() else None
    if act.ndim:
        count, size, err = int((~ok).sum()), ok.size, float(error.max())
        want, got = float(exp[idx]), float(act[idx])
        if relative is None:
            message = tr("{count} of {size} values differ (rtol={rtol:g}, atol={atol:g}).\n"
                         "First at index {idx}: expected {expected!r}, got {actual!r}.\n"
                         "Largest error {error:.3g}.",
                         count=count, size=size, rtol=rtol, atol=atol, idx=idx,
                         expected=want, actual=got, error=err)
        else:
            message = tr("{count} of {size} values differ (rtol={rtol:g}, atol={atol:g}).\n"
                         "First at index {idx}: expected {expected!r}, got {actual!r}.\n"
                         "Largest error {error:.3g} (relative {relative:.3g}).",
                         count=count, size=size, rtol=rtol, atol=atol, idx=idx,
                         expected=want, actual=got, error=err, relative=relative)
    else:
        want, got, err = float(exp[()]), float(act[()]), float(error)
        if relative is None:
            message = tr("expected {expected!r}, got {actual!r} (rtol={rtol:g}, atol={atol:g})."
                         "\nError {error:.3g}.",
                         expected=want, actual=got, rtol=rtol, atol=atol, error=err)
        else:
            message = tr("expected {expected!r}, got {actual!r} (rtol={rtol:g}, atol={atol:g})."
                         "\nError {error:.3g} (relative {relative:.3g}).",
                         expected=want, actual=got, rtol=rtol, atol=atol, error=err,
                         relative=relative)
    pattern = _pattern(act, exp, ok, atol) if mistake is None else None
    if pattern:
        message += f" {pattern[0].upper()}{pattern[1:]}."
    if mistake is not None:
        raise _fail(name, message, tr("it looks like {mistake}.", mistake=mistake))
    raise _fail(name, message, hint)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, *,
                       h: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of a scalar function ``f`` at ``x``.

    .. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}

    ``x`` (any shape) is not modified; the result has the shape of ``x``.
    """
    x = as_real_array(x, "x", allow_bool=False)
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
    dout = as_real_array(dout, "dout", allow_bool=False)
    return numerical_gradient(lambda z: float(np.sum(f(z) * dout)), x, h=h)


def rel_error(a: Any, b: Any) -> float:
    """Largest relative error ``|a - b| / max(1e-8, |a| + |b|)`` (CS231n's ``rel_error``)."""
    a, b = as_real_array(a, "a"), as_real_array(b, "b")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def assert_gradient_close(analytic: Any, numeric: np.ndarray, *, name: str,
                          max_rel_error: float = 1e-6, hint: str | None = None) -> None:
    """Check an analytic gradient against a numerical one: type, shape, finite, rel_error."""
    __tracebackhide__ = True
    numeric = as_real_array(numeric, "numeric", allow_bool=False)
    act = _as_checked_array(analytic, name=name, expect_scalar=False, hint=hint)
    if act.shape != numeric.shape:
        raise _fail(name, tr("expected gradient shape {expected_shape}, got {actual_shape}.",
                             expected_shape=numeric.shape, actual_shape=act.shape),
                    tr("the gradient has the shape of the variable it is taken with respect "
                       "to."))
    if not np.isfinite(act).all():
        raise _fail(name, tr("the gradient contains NaN or inf."), hint)
    err = rel_error(act, numeric)
    if not err <= max_rel_error:
        raise _fail(name, tr("relative error {err:.2e} against the numerical gradient exceeds "
                             "{max_rel_error:.0e}.", err=err, max_rel_error=max_rel_error),
                    hint or tr("did you divide by the batch size?"))
