"""course_utils.metrics against sklearn.metrics: values, warnings, degenerate cases, errors."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SkUndefinedMetricWarning

from course_utils import metrics as m
from course_utils._validation import CourseInputError
from course_utils.metrics import (
    METRICS,
    UndefinedMetricWarning,
    accuracy,
    confusion_matrix,
    f1_score,
    labels_from_probabilities,
    precision,
    recall,
)

PRF = {"precision": (precision, skm.precision_score), "recall": (recall, skm.recall_score),
       "f1_score": (f1_score, skm.f1_score)}
NOT_METRICS = {"labels_from_probabilities"}  # public, but not a metric of (y_true, y_pred)
SEEDS = [0, 1, 2]


def random_labels(seed: int, n_classes: int, n: int = 60, values=None):
    rng = np.random.default_rng(seed)
    values = np.arange(n_classes) if values is None else np.asarray(values)
    y_true = values[rng.integers(0, n_classes, size=n)]
    # predictions that agree with y_true more often than chance
    y_pred = np.where(rng.random(n) < 0.6, y_true, values[rng.integers(0, n_classes, size=n)])
    return y_true, y_pred


def run_both(ours, theirs, y_true, y_pred, **kwargs):
    """Call both functions recording warnings; return (ours, theirs, our warnings, sk's)."""
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        got = ours(y_true, y_pred, **kwargs)
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        expected = theirs(y_true, y_pred, **kwargs)
    return got, expected, ours_w, theirs_w


def assert_same_result(got, expected):
    if isinstance(expected, np.ndarray):
        assert type(got) is np.ndarray and got.dtype == np.float64
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    else:
        assert type(got) is float, type(got)
        assert got == pytest.approx(float(expected), rel=1e-12, abs=0)


# --------------------------------------------------------------------------- registry


def test_registry_lists_every_public_function():
    defined = {name for name, obj in inspect.getmembers(m, inspect.isfunction)
               if obj.__module__ == m.__name__ and not name.startswith("_")}
    assert defined == set(METRICS) | NOT_METRICS
    assert defined <= set(m.__all__)
    for name, fn in METRICS.items():
        assert getattr(m, name) is fn
        params = list(inspect.signature(fn).parameters.values())
        assert [p.name for p in params[:2]] == ["y_true", "y_pred"]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[2:]), name


# --------------------------------------------------------------------------- against sklearn


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_classes", [2, 4])
def test_accuracy_and_confusion_matrix_match_sklearn(seed, n_classes):
    y_true, y_pred = random_labels(seed, n_classes)
    acc = accuracy(y_true, y_pred)
    assert type(acc) is float
    assert acc == pytest.approx(skm.accuracy_score(y_true, y_pred), rel=1e-15)
    cm = confusion_matrix(y_true, y_pred)
    assert cm.dtype == np.int64 and cm.shape == (n_classes, n_classes)
    np.testing.assert_array_equal(cm, skm.confusion_matrix(y_true, y_pred))
    assert cm.sum() == len(y_true)
    assert acc == pytest.approx(np.trace(cm) / cm.sum(), rel=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["binary", "micro", "macro", None])
@pytest.mark.parametrize("name", sorted(PRF))
def test_binary_metrics_match_sklearn_for_each_average(name, average, seed):
    ours, theirs = PRF[name]
    y_true, y_pred = random_labels(seed, 2)
    got, expected, ours_w, theirs_w = run_both(ours, theirs, y_true, y_pred, average=average)
    assert_same_result(got, expected)
    assert not ours_w and not theirs_w


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["micro", "macro", None])
@pytest.mark.parametrize("name", sorted(PRF))
def test_multiclass_metrics_match_sklearn_for_each_average(name, average, seed):
    ours, theirs = PRF[name]
    y_true, y_pred = random_labels(seed, 5)
    got, expected, _, _ = run_both(ours, theirs, y_true, y_pred, average=average)
    assert_same_result(got, expected)


@pytest.mark.parametrize(("values", "pos_label"), [([0, 1], 0), ([-1, 1], 1), ([-1, 1], -1),
                                                   ([2, 5], 5), ([3, 7], 3)])
@pytest.mark.parametrize("name", sorted(PRF))
def test_pos_label_selects_the_positive_class_like_sklearn(name, values, pos_label):
    ours, theirs = PRF[name]
    y_true, y_pred = random_labels(4, 2, values=values)
    got, expected, _, _ = run_both(ours, theirs, y_true, y_pred, pos_label=pos_label)
    assert_same_result(got, expected)


def test_micro_average_equals_accuracy_for_single_label_data():
    y_true, y_pred = random_labels(5, 6)
    acc = accuracy(y_true, y_pred)
    for fn in (precision, recall, f1_score):
        assert fn(y_true, y_pred, average="micro") == pytest.approx(acc, rel=1e-14)


def test_lecture_formulas_by_hand():
    # TP=2 (idx 0,1), FP=1 (idx 2), FN=1 (idx 3), TN=2 (idx 4,5)
    y_true = [1, 1, 0, 1, 0, 0]
    y_pred = [1, 1, 1, 0, 0, 0]
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), [[2, 1], [1, 2]])
    assert accuracy(y_true, y_pred) == (2 + 2) / 6
    assert precision(y_true, y_pred) == 2 / 3
    assert recall(y_true, y_pred) == 2 / 3
    assert f1_score(y_true, y_pred) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1), rel=1e-15)


# --------------------------------------------------------------------------- degenerate cases

DEGENERATE = {
    "no predicted positives": ([0, 1, 1, 0], [0, 0, 0, 0]),
    "no true positives (class absent from y_true)": ([0, 0, 0, 0], [0, 1, 1, 0]),
    "no true positive hit": ([1, 1, 0, 0], [0, 0, 1, 1]),
    "one class only, the negative": ([0, 0, 0], [0, 0, 0]),
    "one class only, the positive": ([1, 1, 1], [1, 1, 1]),
    "one class only, not pos_label": ([2, 2, 2], [2, 2, 2]),
    "all correct": ([0, 1, 1, 0, 1], [0, 1, 1, 0, 1]),
    "all wrong": ([0, 1, 1, 0], [1, 0, 0, 1]),
    "multiclass, a class never predicted": ([0, 1, 2, 2, 1], [0, 0, 2, 2, 0]),
    "multiclass, a class only predicted": ([0, 0, 1, 1], [0, 2, 1, 1]),
}


@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, 0, 1])
@pytest.mark.parametrize("case", sorted(DEGENERATE))
@pytest.mark.parametrize("name", sorted(PRF))
def test_degenerate_cases_match_sklearn_values_and_warnings(name, case, zero_division):
    ours, theirs = PRF[name]
    y_true, y_pred = (np.array(v) for v in DEGENERATE[case])
    averages = ["micro", "macro", None]
    if len(np.unique(np.concatenate([y_true, y_pred]))) <= 2:
        averages.append("binary")
    for average in averages:
        got, expected, ours_w, theirs_w = run_both(ours, theirs, y_true, y_pred,
                                                   average=average, zero_division=zero_division)
        assert_same_result(got, expected)
        ours_undefined = [w for w in ours_w if issubclass(w.category, UndefinedMetricWarning)]
        theirs_undefined = [w for w in theirs_w
                            if issubclass(w.category, SkUndefinedMetricWarning)]
        assert len(ours_undefined) == len(theirs_undefined), (average, [str(w.message)
                                                                        for w in theirs_w])
        if zero_division != "warn":
            assert not ours_w


def test_no_predicted_positives_warns_naming_zero_division_and_returns_zero():
    with pytest.warns(UndefinedMetricWarning, match="`zero_division`") as record:
        value = precision([0, 1, 1, 0], [0, 0, 0, 0])
    assert value == 0.0 and type(value) is float
    message = str(record[0].message)
    assert message.startswith("Precision is ill-defined and being set to 0.0 due to no "
                              "predicted samples")
    assert record[0].filename == __file__  # the warning points at the caller's line
    assert issubclass(UndefinedMetricWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert precision([0, 1, 1, 0], [0, 0, 0, 0], zero_division=1.0) == 1.0
        assert precision([0, 1, 1, 0], [0, 0, 0, 0], zero_division=0.0) == 0.0


@pytest.mark.parametrize(("fn", "start"), [(recall, "Recall is ill-defined"),
                                           (f1_score, "F-score is ill-defined")])
def test_recall_and_f1_warnings_name_zero_division(fn, start):
    with pytest.warns(UndefinedMetricWarning, match="Use `zero_division` parameter") as rec:
        fn([0, 0, 0], [0, 0, 0])
    assert str(rec[0].message).startswith(start)
    assert rec[0].filename == __file__


def test_macro_warning_lists_the_undefined_labels():
    with pytest.warns(UndefinedMetricWarning, match=r"in labels with no predicted samples "
                                                    r"\(labels \[1\]\)"):
        value = precision([0, 1, 2, 2, 1], [0, 0, 2, 2, 0], average="macro")
    assert value == pytest.approx((1 / 3 + 0 + 1) / 3, rel=1e-15)  # class 0: 1 of 3 right


def test_pos_label_is_ignored_with_a_warning_when_average_is_not_binary():
    y_true, y_pred = random_labels(6, 3)
    with pytest.warns(UserWarning, match="`pos_label` .* is ignored .*average") as rec:
        value = precision(y_true, y_pred, average="macro", pos_label=2)
    assert rec[0].filename == __file__
    assert value == precision(y_true, y_pred, average="macro")


def test_confusion_matrix_with_labels_including_absent_and_excluding_present():
    y_true = np.array([0, 1, 2, 2, 1, 0, 2])
    y_pred = np.array([0, 2, 2, 1, 1, 0, 0])
    for labels in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0], [5, 1, 4], [1]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # explicit labels: no "single label" warning here
            got = confusion_matrix(y_true, y_pred, labels=labels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn warns about a 1 x 1 matrix anyway
            expected = skm.confusion_matrix(y_true, y_pred, labels=labels)
        assert got.dtype == np.int64 and got.shape == (len(labels), len(labels))
        np.testing.assert_array_equal(got, expected, err_msg=f"labels={labels}")
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, labels=[0, 1, 2, 3])[3], 0)


def test_confusion_matrix_of_a_single_class_warns_and_labels_fix_the_shape():
    with pytest.warns(UserWarning, match="`labels`"):
        cm = confusion_matrix([1, 1, 1], [1, 1, 1])
    np.testing.assert_array_equal(cm, [[3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(confusion_matrix([1, 1, 1], [1, 1, 1], labels=[0, 1]),
                                      [[0, 0], [0, 3]])


@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_matrix_with_negative_and_sparse_labels_matches_sklearn(seed):
    y_true, y_pred = random_labels(seed, 4, values=[-3, 0, 7, 100])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred),
                                  skm.confusion_matrix(y_true, y_pred))


# --------------------------------------------------------------------------- invariants


def _metric_calls():
    y_true, y_pred = random_labels(9, 3, n=30)
    return [(name, fn, y_true, y_pred) for name, fn in METRICS.items()]


@pytest.mark.parametrize(("name", "fn", "y_true", "y_pred"), _metric_calls(),
                         ids=[c[0] for c in _metric_calls()])
def test_metrics_are_pure_and_accept_lists_readonly_bool_and_float_labels(name, fn, y_true,
                                                                          y_pred):
    kwargs = {} if name in ("accuracy", "confusion_matrix") else {"average": "macro"}
    t, p = y_true.copy(), y_pred.copy()
    t.flags.writeable = False
    p.flags.writeable = False
    expected = fn(t, p, **kwargs)
    np.testing.assert_array_equal(t, y_true)
    np.testing.assert_array_equal(p, y_pred)
    for variant in [(list(y_true), list(y_pred)),
                    (y_true.astype(np.float32), y_pred.astype(np.float64)),
                    (y_true.astype(np.int32), y_pred.astype(np.uint8))]:
        np.testing.assert_array_equal(fn(*variant, **kwargs), expected)
    perm = np.random.default_rng(0).permutation(len(y_true))
    np.testing.assert_array_equal(fn(y_true[perm], y_pred[perm], **kwargs), expected)
    if name != "confusion_matrix":
        assert type(expected) is float and 0.0 <= expected <= 1.0
    bools = (y_true > 0, y_pred > 0)
    np.testing.assert_array_equal(fn(*bools), fn(bools[0].astype(int), bools[1].astype(int)))


ERRORS = [
    (([0, 1, 1], [0, 1]), {}, r"`y_true` and `y_pred` must have the same shape.*"
                              r"y_true\.shape=\(3,\), y_pred\.shape=\(2,\)"),
    (([], []), {}, r"`y_true` is empty"),
    (([0, 1, 1], [0.2, 0.9, 0.7]), {},
     r"`y_pred` must hold class labels \(whole numbers\)\. Received: y_pred\[0\]=.*0\.2.*\n"
     r"Hint: these look like probabilities.*labels_from_probabilities"),
    (([0, 1, 1], [-1.5, 2.3, 0.0]), {}, r"\n.*scores or regression outputs"),
    (([0, 1, 1], [[0.2, 0.8], [0.9, 0.1], [0.3, 0.7]]), {},
     r"`y_pred` must be 1-D.*shape=\(3, 2\).*\n.*labels_from_probabilities"),
    (([[0], [1]], [0, 1]), {}, r"`y_true` must be 1-D.*\n.*ravel"),
    ((["a", "b"], ["a", "b"]), {}, r"`y_true` must hold integer class labels.*dtype=<U1"),
    ((None, [0, 1]), {}, r"`y_true` is None.*\n.*return"),
    (([0, np.nan], [0, 1]), {}, r"`y_true` contains NaN"),
    (([0, [1, 2]], [0, 1]), {}, r"`y_true` must be a 1-D array of labels"),
]


@pytest.mark.parametrize(("args", "kwargs", "pattern"), ERRORS)
@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_rejects_bad_labels_with_a_helpful_message(name, args, kwargs, pattern):
    with pytest.raises(CourseInputError, match=pattern) as info:
        METRICS[name](*args, **kwargs)
    assert isinstance(info.value, ValueError) and "Hint:" in str(info.value)


@pytest.mark.parametrize("name", sorted(PRF))
@pytest.mark.parametrize(
    ("y", "kwargs", "pattern"),
    [
        ([0, 1], {"average": "weighted"},
         r"`average` must be one of 'binary', 'micro', 'macro', None\. Received: "
         r"average='weighted'.*not used in this course"),
        ([0, 1], {"average": "mean"}, r"`average` must be one of 'binary', 'micro', 'macro'"),
        ([0, 1, 2], {}, r"average='binary' needs two classes.*\[0, 1, 2\].*Target is multiclass"
                        r".*\n.*one of 'micro', 'macro', or None"),
        ([2, 3], {}, r"`pos_label` must be one of the labels \[2, 3\]\. Received: pos_label=1"),
        ([0, 1], {"pos_label": 1.5}, r"`pos_label` must be a class label \(a whole number"),
        ([0, 1], {"pos_label": 2**64}, r"`pos_label` must be a class label.*18446744073709551616"),
        ([0, 1], {"pos_label": "1"}, r"`pos_label` must be a class label.*type str"),
        ([0, 1], {"pos_label": 1 + 0j}, r"`pos_label` must be a class label.*type complex"),
        ([0, 1], {"zero_division": 0.5},
         r"`zero_division` must be one of 'warn', 0\.0, 1\.0\. Received: zero_division=0\.5"),
        ([0, 1], {"zero_division": np.nan}, r"`zero_division` must be one of"),
        ([0, 1], {"zero_division": "ignore"}, r"`zero_division` must be one of"),
    ],
)
def test_precision_recall_f1_reject_bad_options(name, y, kwargs, pattern):
    fn, sk = PRF[name]
    with pytest.raises(CourseInputError, match=pattern):
        fn(y, y, **kwargs)
    if kwargs.get("average") == "mean" or len(y) == 3 or y == [2, 3]:
        with pytest.raises(ValueError):  # scikit-learn refuses the same input
            sk(y, y, **kwargs)


def test_binary_average_error_appears_for_a_third_class_in_y_pred_only():
    with pytest.raises(CourseInputError, match="needs two classes"):
        recall([0, 1, 1], [0, 1, 2])


@pytest.mark.parametrize(
    ("labels", "pattern"),
    [([0, 1, 0], r"`labels` must not repeat a class.*repeated: \[0\]"),
     ([5, 6], r"At least one of `labels` must occur in `y_true`"),
     ([], r"`labels` must list at least one class.*\n.*labels=None to count every class"),
     ([[0, 1]], r"`labels` must be a flat list.*shape=\(1, 2\).*\n.*not \[\[0, 1, 2\]\]"),
     ([[0, 1], [2]], r"`labels` must be a flat list.*ragged"),
     ([0.5, 1], r"`labels` must hold class labels"),
     ([2**64, 1], r"`labels` must hold integers in the int64 range")],
)
def test_confusion_matrix_rejects_bad_labels(labels, pattern):
    with pytest.raises(CourseInputError, match=pattern):
        confusion_matrix([0, 1, 1], [0, 1, 0], labels=labels)


# --------------------------------------------------------------------------- probabilities


def test_labels_from_probabilities_binary_threshold_is_strict_like_keras():
    p = np.array([0.0, 0.3, 0.5, 0.500001, 1.0])
    out = labels_from_probabilities(p)
    assert out.dtype == np.int64 and out.shape == (5,)
    np.testing.assert_array_equal(out, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(labels_from_probabilities(p[:, None], threshold=0.3),
                                  [0, 0, 1, 1, 1])


def test_labels_from_probabilities_multiclass_is_row_argmax():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(20, 4))
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    copy = probs.copy()
    np.testing.assert_array_equal(labels_from_probabilities(probs), probs.argmax(axis=1))
    np.testing.assert_array_equal(probs, copy)
    one_hot = np.eye(4)[[3, 0, 2]]
    np.testing.assert_array_equal(labels_from_probabilities(one_hot), [3, 0, 2])
    y = labels_from_probabilities(probs.astype(np.float32))  # a Keras softmax output
    assert accuracy(y, probs.argmax(axis=1)) == 1.0


@pytest.mark.parametrize(
    ("y_prob", "kwargs", "pattern"),
    [([0.2, 1.7], {}, r"`y_prob` must lie in \[0\.0, 1\.0\].*\n.*logits"),
     ([0.2, 0.7], {"threshold": 1.5}, r"`threshold` must be a float in \[0, 1\]"),
     ([0.2, 0.7], {"threshold": "0.5"}, r"`threshold` must be a float in \[0, 1\]"),
     ([[0.2, 0.8]], {"threshold": 0.5}, r"`threshold` applies only to binary.*\n.*argmax"),
     ([[0.2, 0.9]], {}, r"each row of `y_prob` must sum to 1"),
     ([], {}, r"`y_prob` is empty"),
     (np.ones((2, 2, 2)) / 2, {}, r"`y_prob` must have 1 or 2 dimension"),
     ([0.2, np.nan], {}, r"`y_prob` contains NaN")],
)
def test_labels_from_probabilities_rejects_bad_inputs(y_prob, kwargs, pattern):
    with pytest.raises(CourseInputError, match=pattern):
        labels_from_probabilities(y_prob, **kwargs)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", sorted(PRF))
def test_pos_label_of_the_labels_own_bool_or_float_type_is_accepted_like_sklearn(name):
    fn, sk = PRF[name]
    t, p = np.array([True, False, True, True]), np.array([True, True, False, True])
    assert fn(t, p, pos_label=True) == pytest.approx(sk(t, p, pos_label=True))
    assert fn(t, p, pos_label=np.True_) == fn(t, p, pos_label=1)
    tf_, pf = t.astype(np.float64), p.astype(np.float64)
    assert fn(tf_, pf, pos_label=1.0) == pytest.approx(sk(tf_, pf, pos_label=1.0))
    assert fn(tf_, pf, pos_label=np.float32(0.0)) == pytest.approx(sk(tf_, pf, pos_label=0.0))


def test_multilabel_input_to_accuracy_gets_a_hint_that_is_right_for_multilabel():
    t = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    p = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
    with pytest.raises(CourseInputError) as info:
        accuracy(t, p)
    message = str(info.value)
    assert "multilabel" in message and "labels_from_probabilities" not in message
    assert "argmax" not in message  # the argmax of a multilabel row is not its label
    # the formula the hint gives is scikit-learn's subset accuracy
    assert np.mean(np.all(t == p, axis=1)) == pytest.approx(skm.accuracy_score(t, p))


@pytest.mark.parametrize(("y", "hint"), [
    (np.eye(3)[[0, 2, 1]], r"one-hot labels.*argmax\(axis=1\)"),
    (np.array([[0.2, 0.8], [0.6, 0.4]]), r"class probabilities.*labels_from_probabilities"),
    (np.array([[2.5, -1.0], [0.3, 4.0]]), r"scores.*argmax"),
])
def test_two_dimensional_labels_get_the_hint_for_what_they_are(y, hint):
    with pytest.raises(CourseInputError, match=r"must be 1-D(.|\n)*Hint: .*" + hint):
        accuracy(y, y)


@pytest.mark.parametrize("fn", [accuracy, precision, recall, f1_score, confusion_matrix])
@pytest.mark.parametrize("bad", [np.array([0, 1, 2**63], dtype=np.uint64),
                                 np.array([0, 1, 2**70], dtype=object),
                                 [0, 1, 2**63], np.array([0.0, 1.0, 1e19])],
                         ids=["uint64", "object", "list", "float"])
def test_labels_beyond_int64_are_refused_instead_of_wrapping(fn, bad):
    with pytest.raises(CourseInputError, match=r"`y_true` must hold integers in the int64"):
        fn(bad, [0, 1, 1])


def test_object_arrays_of_small_python_ints_are_ordinary_labels():
    t = np.array([0, 1, 1, 0], dtype=object)
    assert accuracy(t, [0, 1, 0, 0]) == 0.75
    assert confusion_matrix(t, t, labels=np.array([1, 0], dtype=object)).tolist() == [[2, 0],
                                                                                       [0, 2]]


def test_complex_labels_are_refused_naming_the_argument():
    with pytest.raises(CourseInputError, match=r"`y_pred` must hold real numbers.*complex"):
        accuracy([0, 1], np.array([0, 1 + 1j]))
    with pytest.raises(ValueError):  # scikit-learn refuses complex labels too
        skm.accuracy_score([0, 1], np.array([0, 1 + 1j]))


def test_empty_labels_are_refused_like_sklearn():
    with pytest.raises(CourseInputError, match="at least one class"):
        confusion_matrix([0, 1], [0, 1], labels=[])
    with pytest.raises(ValueError, match="at least one label"):
        skm.confusion_matrix([0, 1], [0, 1], labels=[])


def test_boolean_probabilities_are_refused():
    with pytest.raises(CourseInputError, match="`y_prob` must hold numbers, not True/False"):
        labels_from_probabilities(np.array([True, False]))


def test_a_single_number_instead_of_a_list_gets_a_hint_for_one_element():
    with pytest.raises(CourseInputError, match=r"`labels` must be a flat list(.|\n)*labels=\[1\]"):
        confusion_matrix([0, 1], [0, 1], labels=1)
    with pytest.raises(CourseInputError, match=r"`y_true` must be 1-D(.|\n)*e\.g\. \[1\]"):
        accuracy(1, [1])
