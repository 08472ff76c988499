"""Input checks shared by every ``course_utils`` module.

Every check raises :class:`CourseInputError` (a ``ValueError``) whose message names the
argument, says what was expected and what was received, and ends with a hint, e.g.::

    `y_true` and `y_pred` must have the same shape. Received: y_true.shape=(2,), y_pred.shape=(3,).
    Hint: pass one prediction per label, e.g. model outputs for the same batch.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from course_utils.language import tr

__all__ = [
    "CourseInputError",
    "as_float_array",
    "as_real_array",
    "check_finite",
    "check_same_shape",
    "check_in_range",
    "check_probabilities",
    "check_beta",
    "check_positive",
    "check_nonempty",
    "check_nonnegative",
    "check_real_dtype",
    "check_int64_range",
]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _complex_hint() -> str:
    return tr("complex numbers usually come from the root or log of a negative number in "
              "complex arithmetic; keep the values real, or pass np.real(...) if the "
              "imaginary part is really 0.")


class CourseInputError(ValueError):
    """A function of ``course_utils`` was called with an input it cannot use.

    It is a ``ValueError``, so ``except ValueError`` catches it too.
    """


def _fail(message: str, hint: str | None = None) -> CourseInputError:
    if hint:
        return CourseInputError(tr("{message}\nHint: {hint}", message=message, hint=hint))
    return CourseInputError(message)


def as_float_array(x: Any, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   allow_empty: bool = False, allow_bool: bool = True,
                   hint: str | None = None) -> np.ndarray:
    """Convert ``x`` to a float64 array, checking its dimensions, emptiness and finiteness.

    Parameters
    ----------
    x : array_like
        The value to convert. ``None`` gets its own message (a forgotten ``return``).
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        The allowed numbers of dimensions.
    allow_empty : bool
        Whether an array with zero elements is accepted.
    allow_bool : bool
        Whether a boolean array is accepted (as 0.0 / 1.0). False where numbers are meant:
        True/False there is usually a comparison passed by mistake.
    hint : str, optional
        Replaces the default hint of the dimension message.

    Returns
    -------
    ndarray of float64, a new array (the caller's input is never aliased for writing).

    Raises
    ------
    CourseInputError
        Besides the shape, emptiness and NaN/inf checks: for complex numbers (their imaginary
        part would be dropped), strings, dates and other non-numbers, booleans unless
        ``allow_bool``, and integers too large for a float.
    """
    arr = as_real_array(x, name, allow_bool=allow_bool)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = tr(" or ").join(str(d) for d in allowed)
            raise _fail(
                tr("`{name}` must have {want} dimension(s). Received: {name}.shape={shape}.",
                   name=name, want=want, shape=arr.shape),
                hint or tr("check the shape; a batch of samples is usually (n_samples, ...)."),
            )
    if arr.size == 0 and not allow_empty:
        raise _fail(tr("`{name}` is empty. Received: {name}.shape={shape}.",
                       name=name, shape=arr.shape),
                    tr("pass at least one sample."))
    check_finite(arr, name)
    return arr


def as_real_array(x: Any, name: str, *, allow_bool: bool = True) -> np.ndarray:
    """Convert ``x`` to a new float64 array of any shape, refusing what is not real numbers.

    The type checks of :func:`as_float_array` without its shape, emptiness and NaN/inf
    checks: ``None``, complex numbers, text, dates, booleans unless ``allow_bool``, ragged
    lists and integers too large for a float raise :class:`CourseInputError`.
    """
    if x is None:
        raise _fail(tr("`{name}` is None.", name=name),
                    tr("did a function forget to `return` its result?"))
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _fail(
            tr("`{name}` must be numbers (an array of floats). Received: {type_name} "
               "that numpy cannot convert ({exc}).", name=name, type_name=type(x).__name__,
               exc=exc),
            tr("pass a numpy array or a list of numbers of equal lengths."),
        ) from None
    check_real_dtype(raw, name, allow_bool=allow_bool)
    try:
        return np.array(raw, dtype=np.float64)  # always a copy
    except OverflowError:
        raise _fail(
            tr("`{name}` holds an integer too large for a float (above 1.8e308). Received: "
               "{type_name} of Python integers.", name=name, type_name=type(x).__name__),
            tr("pass ordinary numbers; such a value usually comes from an integer power that "
               "grew without bound (use floats: 2.0 ** k instead of 2 ** k)."),
        ) from None
    except (TypeError, ValueError) as exc:
        raise _fail(
            tr("`{name}` must be numbers (an array of floats). Received: {type_name} "
               "that numpy cannot convert ({exc}).", name=name, type_name=type(x).__name__,
               exc=exc),
            tr("pass a numpy array or a list of numbers of equal lengths."),
        ) from None


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` holds NaN or +-inf, saying where the first one is."""
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if np.isnan(arr[idx]) else "inf"
        raise _fail(
            tr("`{name}` contains {kind} (first at index {idx}; {count} non-finite "
               "value(s) in all).", name=name, kind=kind, idx=idx, count=int(bad.sum())),
            tr("NaN usually comes from log(0), 0/0 or a diverging update; check the step "
               "before."),
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str,
                     *, hint: str | None = None) -> None:
    """Raise unless ``a`` and ``b`` have exactly the same shape (no broadcasting)."""
    if a.shape != b.shape:
        raise _fail(
            tr("`{name_a}` and `{name_b}` must have the same shape. Received: "
               "{name_a}.shape={shape_a}, {name_b}.shape={shape_b}.",
               name_a=name_a, name_b=name_b, shape_a=a.shape, shape_b=b.shape),
            hint or tr("pass one value of `{name_b}` for each value of `{name_a}`.",
                       name_a=name_a, name_b=name_b),
        )


def check_in_range(arr: np.ndarray, name: str, low: float, high: float,
                   *, hint: str | None = None) -> None:
    """Raise unless every element of ``arr`` lies in the closed interval [low, high]."""
    outside = (arr < low) | (arr > high)
    if outside.any():
        idx = tuple(int(i) for i in np.argwhere(outside)[0])
        raise _fail(
            tr("`{name}` must lie in [{low}, {high}]. "
               "Received: {name}{index}={value!r} "
               "({count} value(s) outside).", name=name, low=low, high=high,
               index=list(idx), value=float(arr[idx]), count=int(outside.sum())),
            hint,
        )


def check_probabilities(arr: np.ndarray, name: str, *, axis: int | None = None) -> None:
    """Raise unless ``arr`` holds probabilities; with ``axis``, each row must sum to 1."""
    check_in_range(arr, name, 0.0, 1.0,
                   hint=tr("these look like logits or scores; apply a sigmoid/softmax first, "
                           "or use from_logits=True."))
    if axis is not None:
        sums = arr.sum(axis=axis)
        if not np.allclose(sums, 1.0, rtol=0, atol=1e-6):
            i = int(np.argmax(np.abs(sums - 1.0)))
            raise _fail(
                tr("each row of `{name}` must sum to 1 along axis {axis}. Received: a row "
                   "summing to {total!r}.", name=name, axis=axis,
                   total=float(np.ravel(sums)[i])),
                tr("apply softmax to the scores, or normalise each row by its sum."),
            )


def _check_scalar(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise _fail(tr("`{name}` must be a real number. Received: {name}={value!r} "
                       "of type {type_name}.", name=name, value=value,
                       type_name=type(value).__name__),
                    tr("pass a plain number such as 0.1 (not True/False, text, an array or a "
                       "complex number)."))
    try:
        value = float(value)
    except OverflowError:
        raise _fail(tr("`{name}` is an integer too large for a float (above 1.8e308). "
                       "Received: {name} with {digits} digits.",
                       name=name, digits=len(str(value))),
                    tr("pass an ordinary number such as 0.1.")) from None
    if not np.isfinite(value):
        raise _fail(tr("`{name}` must be finite. Received: {name}={value!r}.",
                       name=name, value=value),
                    tr("NaN or inf here usually comes from a computation that diverged."))
    return value


def check_beta(value: Any, name: str = "beta") -> float:
    """Return ``value`` as a float, raising unless 0 <= value < 1."""
    value = _check_scalar(value, name)
    if not 0.0 <= value < 1.0:
        raise _fail(
            tr("`{name}` must be a float in [0, 1). Received: {name}={value!r}.",
               name=name, value=value),
            tr("typical values are 0.9 for a moving average of gradients and 0.999 for "
               "squares; beta=1 would never move away from the initial 0."),
        )
    return value


def check_positive(value: Any, name: str, *, hint: str | None = None) -> float:
    """Return ``value`` as a float, raising unless it is > 0."""
    value = _check_scalar(value, name)
    if value <= 0:
        raise _fail(tr("`{name}` must be positive. Received: {name}={value!r}.",
                       name=name, value=value), hint)
    return value


def check_nonempty(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` has no elements."""
    if arr.size == 0:
        raise _fail(tr("`{name}` is empty. Received: {name}.shape={shape}.",
                       name=name, shape=arr.shape),
                    tr("pass at least one sample."))


def check_real_dtype(arr: np.ndarray, name: str, *, allow_bool: bool = True) -> None:
    """Raise unless ``arr`` holds real numbers: ints, floats (and bools if ``allow_bool``).

    Object arrays pass (their elements are converted, or refused, by the caller). Complex
    arrays are refused even when the imaginary part is 0: converting them drops it silently.
    """
    kind = arr.dtype.kind
    if kind == "c":
        bad = np.flatnonzero(np.ravel(arr).imag != 0)
        i = int(bad[0]) if bad.size else 0
        idx = tuple(int(j) for j in np.unravel_index(i, arr.shape)) if arr.ndim else ()
        value = arr[idx] if arr.ndim else arr[()]
        raise _fail(
            tr("`{name}` must hold real numbers. Received: complex numbers (dtype={dtype}), "
               "e.g. {name}{index}={value!r}.", name=name, dtype=arr.dtype,
               index=list(idx) if idx else "", value=complex(value)),
            _complex_hint(),
        )
    if kind == "b" and not allow_bool:
        raise _fail(
            tr("`{name}` must hold numbers, not True/False. Received: a boolean array "
               "(dtype=bool, shape {shape}).", name=name, shape=arr.shape),
            tr("did you pass a comparison (such as x > 0) instead of the values? If True/False "
               "stand for 1/0, convert with {name}.astype(float).", name=name),
        )
    if kind in "USa":
        raise _fail(
            tr("`{name}` must hold numbers, not text. Received: strings (dtype={dtype}).",
               name=name, dtype=arr.dtype),
            tr("convert numbers read as text with np.asarray({name}, dtype=float).", name=name),
        )
    if kind not in "biufO":
        raise _fail(
            tr("`{name}` must hold numbers. Received: dtype={dtype}.", name=name,
               dtype=arr.dtype),
            tr("pass a numpy array of floats."),
        )


def check_int64_range(arr: np.ndarray, name: str, *, hint: str | None = None) -> None:
    """Raise if an integer-valued array holds values outside the int64 range.

    ``arr`` may be unsigned, float (integer-valued) or an object array of Python integers;
    casting any of these to int64 would wrap such values around silently.
    """
    if arr.dtype.kind in "fO":
        high, low = (2.0**63, -(2.0**63)) if arr.dtype.kind == "f" else (_INT64_MAX + 1,
                                                                         _INT64_MIN)
        outside = (arr >= high) | (arr < low)
    elif arr.dtype.kind == "u":
        outside = arr > np.uint64(_INT64_MAX)
    else:
        return
    outside = np.asarray(outside, dtype=bool)
    if outside.any():
        idx = tuple(int(i) for i in np.argwhere(outside)[0])
        value = arr[idx].item() if isinstance(arr[idx], np.generic) else arr[idx]
        raise _fail(
            tr("`{name}` must hold integers in the int64 range [{low}, {high}]. "
               "Received: {name}{index}={value!r} ({count} value(s) "
               "outside).", name=name, low=_INT64_MIN, high=_INT64_MAX, index=list(idx),
               value=value, count=int(outside.sum())),
            hint or tr("class labels are small integers; re-encode other values with "
                       "`classes, y = np.unique(y, return_inverse=True)`."),
        )


def check_nonnegative(arr: np.ndarray, name: str, *, hint: str | None = None) -> None:
    """Raise if any element of ``arr`` is negative, saying where the first one is."""
    negative = arr < 0
    if negative.any():
        idx = tuple(int(i) for i in np.argwhere(negative)[0])
        raise _fail(
            tr("`{name}` must be >= 0. Received: {name}{index}={value!r} "
               "({count} negative value(s)).", name=name, index=list(idx),
               value=float(arr[idx]), count=int(negative.sum())),
            hint,
        )
