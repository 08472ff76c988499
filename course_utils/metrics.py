r"""Classification metrics in plain numpy, with scikit-learn's semantics.

The interface, stated once: every metric takes the labels positionally and its options
keyword-only, ``metric(y_true, y_pred, *, ...)``, where ``y_true`` and ``y_pred`` are 1-D
arrays of ``n`` integer class labels (integer-valued floats and booleans are accepted):

* :func:`confusion_matrix` ``(y_true, y_pred, *, labels=None) -> ndarray[int64] (k, k)``;
* :func:`accuracy` ``(y_true, y_pred) -> float``;
* :func:`precision`, :func:`recall`, :func:`f1_score`
  ``(y_true, y_pred, *, average="binary", pos_label=1, zero_division="warn")``;
* :func:`labels_from_probabilities` ``(y_prob, *, threshold=None) -> ndarray[int64] (n,)``
  turns model outputs into labels first (metrics refuse probabilities).

``METRICS`` lists every metric of ``(y_true, y_pred)``; the tests run shared checks over it.

In the lecture's notation for two classes (positive = ``pos_label``):

.. math::

    acc = \frac{TP + TN}{TP + TN + FP + FN}, \qquad
    \mathcal{P} = \frac{TP}{TP + FP}, \qquad
    \mathcal{R} = \frac{TP}{TP + FN}, \qquad
    F_1 = \frac{2 \mathcal{P} \mathcal{R}}{\mathcal{P} + \mathcal{R}}
        = \frac{2\,TP}{2\,TP + FP + FN}.

When a denominator is 0 (e.g. precision when nothing is predicted positive) the value is
undefined: like scikit-learn, the result is ``zero_division`` (0.0 after an
:class:`UndefinedMetricWarning` by default, or 0.0 / 1.0 silently).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np

from course_utils._validation import (
    _fail,
    as_float_array,
    check_finite,
    check_int64_range,
    check_probabilities,
    check_real_dtype,
    check_same_shape,
)
from course_utils.language import tr

__all__ = [
    "UndefinedMetricWarning",
    "confusion_matrix",
    "accuracy",
    "precision",
    "recall",
    "f1_score",
    "labels_from_probabilities",
    "METRICS",
]

_AVERAGES = ("binary", "micro", "macro", None)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _average_hint() -> str:
    return tr("'binary' scores the class `pos_label` only (two classes); 'micro' pools the counts "
              "of all classes (equal to accuracy for single-label data); 'macro' is the plain "
              "mean of the per-class scores; None returns one score per class.")


class UndefinedMetricWarning(UserWarning):
    """A metric's denominator is 0; the value returned is ``zero_division`` (see the message).

    The same situation as scikit-learn's ``sklearn.exceptions.UndefinedMetricWarning``.
    """


# ----------------------------------------------------------------------------- checks


def _columns_hint(arr: np.ndarray, name: str) -> str:
    """The hint for an (n, k) array passed where one label per sample is expected."""
    if arr.dtype.kind not in "biuf":
        return tr("pass one label per sample, shape (n,).")
    values = arr.astype(np.float64)
    if not np.isfinite(values).all():
        return tr("pass one label per sample, shape (n,).")
    zero_one = bool(np.isin(values, (0.0, 1.0)).all())
    rows_sum_to_one = bool(np.allclose(values.sum(axis=1), 1.0, rtol=0, atol=1e-6))
    if zero_one and not rows_sum_to_one:
        return tr("rows with several 1s (or none) are multilabel data, a set of labels per "
                  "sample, which these metrics do not score. Score one label (column) at a "
                  "time, e.g. accuracy(y_true[:, j], y_pred[:, j]); the share of samples with "
                  "every label right is np.mean(np.all(y_true == y_pred, axis=1)).")
    if zero_one:
        return tr("rows with a single 1 are one-hot labels; turn them into class labels with "
                  "{name}.argmax(axis=1).", name=name)
    if ((values >= 0) & (values <= 1)).all() and rows_sum_to_one:
        return tr("rows summing to 1 look like class probabilities; turn them into labels with "
                  "labels_from_probabilities({name}) (the argmax of each row).", name=name)
    return tr("k columns per sample look like scores; the predicted class is the argmax of each "
              "row, {name}.argmax(axis=1).", name=name)


def _object_integers(arr: np.ndarray) -> bool:
    """Whether an object array holds only integers (Python or NumPy ints, not bools)."""
    is_int = np.frompyfunc(
        lambda v: isinstance(v, Integral) and not isinstance(v, (bool, np.bool_)), 1, 1)
    return arr.size > 0 and bool(np.all(is_int(arr).astype(bool)))


def _check_labels(y: Any, name: str) -> np.ndarray:
    """Return ``y`` as a new 1-D int64 array of class labels, or raise a helpful error."""
    if y is None:
        raise _fail(tr("`{name}` is None.", name=name),
                    tr("did a function forget to `return` its result?"))
    try:
        arr = np.array(y)  # a copy: the caller's array is never aliased
    except (ValueError, TypeError, OverflowError):
        raise _fail(tr("`{name}` must be a 1-D array of labels. Received: {type_name} "
                       "that numpy cannot turn into an array (rows of different lengths?).",
                       name=name, type_name=type(y).__name__),
                    tr("pass one label per sample, e.g. a list of ints.")) from None
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "c":
        check_real_dtype(arr, name)
    if arr.dtype.kind == "O" and _object_integers(arr):
        check_int64_range(arr, name)
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise _fail(
            tr("`{name}` must hold integer class labels. Received: dtype={dtype}.",
               name=name, dtype=arr.dtype),
            tr("encode other labels as integers first, e.g. "
               "`classes, y = np.unique(y, return_inverse=True)`."))
    if arr.ndim != 1:
        if arr.ndim == 2 and arr.shape[1] == 1:
            hint = tr("flatten a column of labels with y.ravel(); if these are sigmoid "
                      "outputs, use labels_from_probabilities(y, threshold=0.5).")
        elif arr.ndim == 2:
            hint = _columns_hint(arr, name)
        elif arr.ndim == 0:
            hint = tr("pass one label per sample, e.g. [{value!r}] for a single sample.",
                      value=arr.item())
        else:
            hint = tr("pass one label per sample, shape (n,).")
        raise _fail(tr("`{name}` must be 1-D, one label per sample. Received: "
                       "{name}.shape={shape}.", name=name, shape=arr.shape), hint)
    if arr.size == 0:
        raise _fail(tr("`{name}` is empty. Received: {name}.shape={shape}.",
                       name=name, shape=arr.shape),
                    tr("a metric needs at least one sample."))
    if arr.dtype.kind == "f":
        check_finite(arr, name)
        fractional = arr != np.round(arr)
        if fractional.any():
            i = int(np.argmax(fractional))
            if ((arr >= 0) & (arr <= 1)).all():
                hint = tr("these look like probabilities; turn them into labels first with "
                          "labels_from_probabilities({name}, threshold=0.5).", name=name)
            else:
                hint = tr("these look like scores or regression outputs; classification "
                          "metrics need class labels (threshold the scores, or take the "
                          "argmax).")
            raise _fail(tr("`{name}` must hold class labels (whole numbers). Received: "
                           "{name}[{i}]={value!r} ({count} non-integer value(s)).",
                           name=name, i=i, value=float(arr[i]), count=int(fractional.sum())),
                        hint)
    check_int64_range(arr, name)
    return arr.astype(np.int64)


def _check_class_list(labels: Any) -> np.ndarray:
    """The ``labels=`` option of confusion_matrix: a flat, non-empty list of distinct classes."""
    try:
        raw = np.asarray(labels)
    except (ValueError, TypeError, OverflowError):
        raw = None
    if raw is None or raw.ndim != 1:
        if raw is None:
            message = tr("`labels` must be a flat list of class labels. Received: a ragged "
                         "nesting (labels={labels!r}).", labels=labels)
        else:
            message = tr("`labels` must be a flat list of class labels. Received: "
                         "labels.shape={shape} (labels={labels!r}).",
                         shape=raw.shape, labels=labels)
        if raw is not None and raw.ndim == 0:
            hint = tr("a single class is a list of one, e.g. labels=[1]; leave labels=None to "
                      "count every class that occurs.")
        else:
            hint = tr("list each class once, e.g. labels=[0, 1, 2], not [[0, 1, 2]]; leave "
                      "labels=None to count every class that occurs.")
        raise _fail(message, hint)
    if raw.size == 0:
        raise _fail(tr("`labels` must list at least one class. Received: labels=[] (empty)."),
                    tr("list the classes to count, e.g. labels=[0, 1], or leave labels=None "
                       "to count every class that occurs."))
    return _check_labels(raw, "labels")


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = _check_labels(y_true, "y_true")
    p = _check_labels(y_pred, "y_pred")
    check_same_shape(t, p, "y_true", "y_pred",
                     hint=tr("pass one prediction per label, for the same samples in the "
                             "same order."))
    return t, p


def _check_average(average: Any) -> str | None:
    if average is None or (isinstance(average, str) and average in _AVERAGES):
        return average
    if average in ("weighted", "samples"):
        message = tr("`average` must be one of 'binary', 'micro', 'macro', None. Received: "
                     "average={average!r}. (scikit-learn's 'weighted' and 'samples' are not "
                     "used in this course.)", average=average)
    else:
        message = tr("`average` must be one of 'binary', 'micro', 'macro', None. Received: "
                     "average={average!r}.", average=average)
    raise _fail(message, _average_hint())


def _check_zero_division(zero_division: Any) -> str | float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return "warn"
    if (not isinstance(zero_division, (bool, np.bool_)) and isinstance(zero_division, Real)
            and zero_division in (0, 1)):
        return float(zero_division)
    raise _fail(tr("`zero_division` must be one of 'warn', 0.0, 1.0. Received: "
                   "zero_division={zero_division!r}.", zero_division=zero_division),
                tr("'warn' returns 0.0 and warns when a score is undefined (0/0); 0.0 or 1.0 "
                   "return that value silently."))


def _check_pos_label(pos_label: Any) -> int:
    """A class label like the labels themselves: an int, a bool, or a whole-number float."""
    if isinstance(pos_label, (bool, np.bool_)):
        return int(pos_label)  # True is the positive class of boolean labels
    if isinstance(pos_label, (Integral, Real)) and not isinstance(pos_label, complex):
        value = float(pos_label) if not isinstance(pos_label, Integral) else None
        if value is None or (np.isfinite(value) and value == round(value)):
            number = int(pos_label)
            if _INT64_MIN <= number <= _INT64_MAX:
                return number
    raise _fail(tr("`pos_label` must be a class label (a whole number, like the labels). "
                   "Received: pos_label={pos_label!r} of type {type_name}.",
                   pos_label=pos_label, type_name=type(pos_label).__name__),
                tr("pos_label is the label of the positive class, usually 1 (or True for "
                   "boolean labels); encode other classes as integers first."))


# ----------------------------------------------------------------------------- counting


def _confusion(t: np.ndarray, p: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Confusion matrix over ``classes`` (in the given order); unknown labels are skipped."""
    k = classes.size
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    ti = np.minimum(np.searchsorted(sorted_classes, t), k - 1)
    pi = np.minimum(np.searchsorted(sorted_classes, p), k - 1)
    keep = (sorted_classes[ti] == t) & (sorted_classes[pi] == p)
    flat = order[ti[keep]] * k + order[pi[keep]]
    return np.bincount(flat, minlength=k * k).reshape(k, k).astype(np.int64)


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Any = None) -> np.ndarray:
    r"""Count the samples of each (true class, predicted class) pair.

    .. math:: C_{ij} = \#\{\, s : y^{true}_s = c_i,\ y^{pred}_s = c_j \,\}

    Rows are true classes, columns predicted ones; for two classes ``[0, 1]`` this is
    ``[[TN, FP], [FN, TP]]``.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        Integer class labels.
    labels : array_like, shape (k,), optional
        The classes :math:`c_1, \dots, c_k`, in this order. Classes absent from the data give
        rows/columns of zeros; samples whose label is not listed are not counted. By default
        the sorted union of the labels in ``y_true`` and ``y_pred``.

    Returns
    -------
    ndarray of int64, shape (k, k)

    Warns
    -----
    UserWarning
        If ``labels`` is None and only one class occurs, so the matrix is 1 x 1 (as in
        scikit-learn); pass ``labels=`` to control this.

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1])   # [[TN, FP], [FN, TP]]
    array([[1, 1],
           [0, 2]])
    >>> confusion_matrix([0, 1], [0, 1], labels=[1, 0, 2])
    array([[1, 0, 0],
           [0, 1, 0],
           [0, 0, 0]])
    """
    t, p = _check_pair(y_true, y_pred)
    if labels is None:
        classes = np.unique(np.concatenate([t, p]))
        if classes.size == 1:
            warnings.warn(
                tr("A single label was found in `y_true` and `y_pred`, so the confusion matrix "
                   "is 1 x 1. Use the `labels` parameter to pass all known labels and get the "
                   "full shape."), UserWarning, stacklevel=2)
        return _confusion(t, p, classes)
    classes = _check_class_list(labels)
    if np.unique(classes).size != classes.size:
        values, counts = np.unique(classes, return_counts=True)
        raise _fail(tr("`labels` must not repeat a class. Received: labels={labels} "
                       "(repeated: {repeated}).",
                       labels=classes.tolist(), repeated=values[counts > 1].tolist()),
                    tr("list each class once, in the order of the rows you want."))
    if not np.isin(t, classes).any():
        raise _fail(tr("At least one of `labels` must occur in `y_true`. Received: "
                       "labels={labels}, y_true holds {present}.",
                       labels=classes.tolist(), present=np.unique(t).tolist()),
                    tr("`labels` lists class labels (values of y_true), not positions."))
    return _confusion(t, p, classes)


def accuracy(y_true: Any, y_pred: Any) -> float:
    r"""The fraction of samples whose predicted label equals the true one.

    .. math::

        acc = \frac{TP + TN}{TP + TN + FP + FN} = \frac{\operatorname{tr} C}{n}

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        Integer class labels.

    Returns
    -------
    float
        In ``[0, 1]``; same as ``sklearn.metrics.accuracy_score``.

    Examples
    --------
    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    """
    t, p = _check_pair(y_true, y_pred)
    return float(np.mean(t == p))


# ----------------------------------------------------------------------------- P, R, F1


def _undefined_message(metric: str, average: str | None, pos_label: int,
                       labels: list[int] | None) -> str:
    """The UndefinedMetricWarning text (scikit-learn's words): ``labels`` lists the classes
    whose score is undefined when there are several scores, else it is None."""
    if labels is not None:
        if metric == "precision":
            return tr("Precision is ill-defined and being set to 0.0 in labels with no "
                      "predicted samples (labels {labels}). Use `zero_division` parameter to "
                      "control this behavior.", labels=labels)
        if metric == "recall":
            return tr("Recall is ill-defined and being set to 0.0 in labels with no true "
                      "samples (labels {labels}). Use `zero_division` parameter to control "
                      "this behavior.", labels=labels)
        return tr("F-score is ill-defined and being set to 0.0 in labels with no true nor "
                  "predicted samples (labels {labels}). Use `zero_division` parameter to "
                  "control this behavior.", labels=labels)
    if average == "binary":
        if metric == "precision":
            return tr("Precision is ill-defined and being set to 0.0 due to no predicted "
                      "samples of pos_label={pos_label}. Use `zero_division` parameter to "
                      "control this behavior.", pos_label=pos_label)
        if metric == "recall":
            return tr("Recall is ill-defined and being set to 0.0 due to no true samples of "
                      "pos_label={pos_label}. Use `zero_division` parameter to control this "
                      "behavior.", pos_label=pos_label)
        return tr("F-score is ill-defined and being set to 0.0 due to no true nor predicted "
                  "samples of pos_label={pos_label}. Use `zero_division` parameter to control "
                  "this behavior.", pos_label=pos_label)
    if metric == "precision":
        return tr("Precision is ill-defined and being set to 0.0 due to no predicted samples. "
                  "Use `zero_division` parameter to control this behavior.")
    if metric == "recall":
        return tr("Recall is ill-defined and being set to 0.0 due to no true samples. "
                  "Use `zero_division` parameter to control this behavior.")
    return tr("F-score is ill-defined and being set to 0.0 due to no true nor predicted "
              "samples. Use `zero_division` parameter to control this behavior.")



def _prf(metric: str, y_true: Any, y_pred: Any, average: Any, pos_label: Any,
         zero_division: Any) -> float | np.ndarray:
    """Shared body of precision, recall and f1_score; warnings point at their caller."""
    t, p = _check_pair(y_true, y_pred)
    average = _check_average(average)
    zero_division = _check_zero_division(zero_division)
    pos_label = _check_pos_label(pos_label)
    present = np.unique(np.concatenate([t, p]))
    if average == "binary":
        if present.size > 2:
            raise _fail(
                tr("average='binary' needs two classes, but `y_true` and `y_pred` hold "
                   "{count}: {classes} (scikit-learn: 'Target is multiclass but "
                   "average='binary''). Received: average='binary'.",
                   count=present.size, classes=present.tolist()),
                tr("choose another average setting, one of 'micro', 'macro', or None (one "
                   "score per class)."))
        if pos_label not in present and present.size == 2:
            raise _fail(tr("`pos_label` must be one of the labels {labels}. Received: "
                           "pos_label={pos_label}.",
                           labels=present.tolist(), pos_label=pos_label),
                        tr("pos_label is the label of the positive class, e.g. pos_label=1 "
                           "for labels 0/1 or -1/1."))
        classes = np.union1d(present, [pos_label])
        scored = np.searchsorted(classes, [pos_label])
    else:
        if pos_label != 1:
            warnings.warn(
                tr("`pos_label` (set to {pos_label}) is ignored when average != 'binary' "
                   "(got {average!r}). Use average='binary' to score one class, or leave "
                   "pos_label at its default to control this.",
                   pos_label=pos_label, average=average), UserWarning, stacklevel=3)
        classes = present
        scored = np.arange(classes.size)

    cm = _confusion(t, p, classes)
    tp = np.diag(cm)[scored]                   # (k,) true positives of each scored class
    pred_sum = cm.sum(axis=0)[scored]          # (k,) TP + FP
    true_sum = cm.sum(axis=1)[scored]          # (k,) TP + FN
    if average == "micro":
        tp, pred_sum, true_sum = tp.sum(keepdims=True), pred_sum.sum(keepdims=True), \
            true_sum.sum(keepdims=True)
    if metric == "precision":
        num, den = tp, pred_sum
    elif metric == "recall":
        num, den = tp, true_sum
    else:
        num, den = 2 * tp, pred_sum + true_sum  # 2TP / (2TP + FP + FN)

    undefined = den == 0
    score = num / np.where(undefined, 1, den)
    score[undefined] = 0.0 if zero_division == "warn" else zero_division
    if zero_division == "warn" and undefined.any():
        labels = classes[scored][undefined].tolist() if score.size > 1 else None
        warnings.warn(_undefined_message(metric, average, pos_label, labels),
                      UndefinedMetricWarning, stacklevel=3)
    if average is None:
        return score
    return float(np.mean(score))


_PRF_DOC = r"""
    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        Integer class labels.
    average : {{"binary", "micro", "macro", None}}, keyword-only
        ``"binary"``: the score of class ``pos_label`` (at most two classes may occur).
        ``"micro"``: from TP, FP, FN summed over all classes (equals accuracy here).
        ``"macro"``: the unweighted mean of the per-class scores.
        ``None``: the per-class scores, for the classes ``np.unique`` of both arrays.
    pos_label : int, keyword-only
        The positive class for ``average="binary"``; ignored (with a warning) otherwise.
        It must occur in the data when two classes occur.
    zero_division : {{"warn", 0.0, 1.0}}, keyword-only
        The value when the denominator is 0 ({den}).
        ``"warn"`` returns 0.0 and warns.

    Returns
    -------
    float, or ndarray of float64 with shape (k,) if ``average`` is None

    Warns
    -----
    UndefinedMetricWarning
        If a denominator is 0 and ``zero_division="warn"``; the message names
        ``zero_division``.

    Notes
    -----
    Same values and warnings as ``sklearn.metrics.{sk}`` (which also accepts
    ``zero_division=np.nan``, ``labels`` and ``sample_weight``; they are not needed here).
"""


def precision(y_true: Any, y_pred: Any, *, average: str | None = "binary", pos_label: int = 1,
              zero_division: str | float = "warn") -> float | np.ndarray:
    return _prf("precision", y_true, y_pred, average, pos_label, zero_division)


def recall(y_true: Any, y_pred: Any, *, average: str | None = "binary", pos_label: int = 1,
           zero_division: str | float = "warn") -> float | np.ndarray:
    return _prf("recall", y_true, y_pred, average, pos_label, zero_division)


def f1_score(y_true: Any, y_pred: Any, *, average: str | None = "binary", pos_label: int = 1,
             zero_division: str | float = "warn") -> float | np.ndarray:
    return _prf("f1", y_true, y_pred, average, pos_label, zero_division)


precision.__doc__ = r"""Precision: of the samples predicted positive, the fraction truly positive.

    .. math:: \mathcal{P} = \frac{TP}{TP + FP}
""" + _PRF_DOC.format(den="nothing is predicted as the class: TP + FP = 0",
                      sk="precision_score") + r"""
    Examples
    --------
    >>> precision([0, 1, 1, 0], [1, 1, 0, 0])   # TP = 1, FP = 1
    0.5
    >>> precision([0, 1, 2, 2], [0, 1, 2, 1], average=None)   # per class 0, 1, 2
    array([1. , 0.5, 1. ])
"""

recall.__doc__ = r"""Recall: of the truly positive samples, the fraction predicted positive.

    .. math:: \mathcal{R} = \frac{TP}{TP + FN}
""" + _PRF_DOC.format(den="the class never occurs in y_true: TP + FN = 0",
                      sk="recall_score") + r"""
    Examples
    --------
    >>> recall([0, 1, 1, 1], [1, 1, 0, 0])   # TP = 1, FN = 2
    0.3333333333333333
"""

f1_score.__doc__ = r"""F1: the harmonic mean of precision and recall.

    .. math::

        F_1 = \frac{2 \mathcal{P} \mathcal{R}}{\mathcal{P} + \mathcal{R}}
            = \frac{2\,TP}{2\,TP + FP + FN}

    The right-hand form is what is computed: it is defined whenever the class occurs in
    ``y_true`` or ``y_pred``, even if precision or recall is not.
""" + _PRF_DOC.format(den="the class occurs in neither array: TP + FP + FN = 0",
                      sk="f1_score") + r"""
    Examples
    --------
    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])   # 2*1 / (2*1 + 1 + 1)
    0.5
"""


def labels_from_probabilities(y_prob: Any, *, threshold: float | None = None) -> np.ndarray:
    r"""Turn predicted probabilities into class labels.

    * Binary, ``y_prob`` of shape (n,) or (n, 1) (a sigmoid output, the probability of
      class 1): :math:`\hat{y} = [\,p > threshold\,]`, with ``threshold=0.5`` by default.
    * ``k >= 2`` classes, ``y_prob`` of shape (n, k) (a softmax output, or one-hot labels):
      :math:`\hat{y} = \arg\max_j p_j`; ties go to the first class. ``threshold`` does not
      apply and must not be given.

    Parameters
    ----------
    y_prob : array_like, shape (n,), (n, 1) or (n, k)
        Probabilities in ``[0, 1]``; the rows of an (n, k) array must sum to 1.
    threshold : float in [0, 1], keyword-only, optional
        Binary case only. A probability equal to the threshold gives class 0, as in Keras's
        ``BinaryAccuracy`` (``y_pred > threshold``).

    Returns
    -------
    ndarray of int64, shape (n,)

    Examples
    --------
    >>> labels_from_probabilities([0.2, 0.5, 0.9])
    array([0, 0, 1])
    >>> labels_from_probabilities([0.2, 0.5, 0.9], threshold=0.3)
    array([0, 1, 1])
    >>> labels_from_probabilities([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])
    array([1, 0])
    """
    y = as_float_array(y_prob, "y_prob", ndim=(1, 2), allow_bool=False,
                       hint=tr("pass (n,) or (n, 1) probabilities of class 1, or (n, k) "
                               "class probabilities, one row per sample."))
    if y.ndim == 1 or y.shape[1] == 1:
        if threshold is None:
            threshold = 0.5
        elif (isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, Real)
              or not 0.0 <= float(threshold) <= 1.0):
            raise _fail(tr("`threshold` must be a float in [0, 1]. Received: "
                           "threshold={threshold!r}.", threshold=threshold),
                        tr("it is a probability cut-off; 0.5 is the usual choice."))
        check_probabilities(y, "y_prob")
        return (y.reshape(-1) > float(threshold)).astype(np.int64)
    if threshold is not None:
        raise _fail(tr("`threshold` applies only to binary probabilities of shape (n,) or "
                       "(n, 1). Received: y_prob.shape={shape}, threshold={threshold!r}.",
                       shape=y.shape, threshold=threshold),
                    tr("with k columns the label is the argmax of each row; drop `threshold`, "
                       "or pass y_prob[:, 1] for the probability of class 1 of a 2-column "
                       "output."))
    check_probabilities(y, "y_prob", axis=1)
    return np.argmax(y, axis=1).astype(np.int64)


METRICS: dict[str, Callable[..., Any]] = {
    "confusion_matrix": confusion_matrix,
    "accuracy": accuracy,
    "precision": precision,
    "recall": recall,
    "f1_score": f1_score,
}
"""Every metric of ``(y_true, y_pred)`` in this module, by name (for the shared tests)."""
