"""Known-wrong answers for 07_metrics.

Answer cells: ``metrics-confusion``, ``metrics-accuracy``, ``metrics-precision-recall``
(``precision`` and ``recall``), ``metrics-f1`` and ``metrics-macro``. Every test cell calls only
the function(s) of its own answer cell: ``f1_score`` is asked for from the counts and
``macro_scores`` takes a confusion matrix (the tests pass the reference one), so a mistake in one
cell costs only that cell's tests. The last entry shows the one deliberate exception: an
``f1_score`` built on the student's own unguarded ``precision`` loses the F1 test as well.
"""

from course_grader.pipeline import Mistake
from tests.mistakes import wrong_answer

NB = "07_metrics"

_PRECISION_OK = '''
def precision(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true != 1)))
    return tp / (tp + fp) if tp + fp > 0 else 0.0
'''

_RECALL_OK = '''
def recall(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fn = int(np.sum((y_pred != 1) & (y_true == 1)))
    return tp / (tp + fn) if tp + fn > 0 else 0.0
'''

# NumPy counts and no check of the denominator: 0/0 gives nan and a RuntimeWarning.
_PRECISION_RECALL_NO_GUARD = '''
def precision(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    return float(tp / (tp + fp))


def recall(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    return float(tp / (tp + fn))
'''

MISTAKES = [
    # ------------------------------------------------------------------ confusion matrix
    Mistake(
        student="metrics-confusion-transposed",
        notebook=NB,
        answers={"metrics-confusion": (
            "def confusion_matrix(y_true, y_pred, *, n_classes):\n"
            "    flat = np.asarray(y_pred) * n_classes + np.asarray(y_true)\n"
            "    return np.bincount(flat, minlength=n_classes ** 2).reshape(n_classes, n_classes)\n"
        )},
        loses={"metrics-confusion-test"},
    ),
    Mistake(
        student="metrics-confusion-float-counts",
        notebook=NB,
        answers={"metrics-confusion": (
            "def confusion_matrix(y_true, y_pred, *, n_classes):\n"
            "    cm = np.zeros((n_classes, n_classes))\n"
            "    np.add.at(cm, (y_true, y_pred), 1)\n"
            "    return cm\n"
        )},
        loses={"metrics-confusion-test"},
    ),
    Mistake(
        student="metrics-confusion-classes-from-data",
        notebook=NB,
        answers={"metrics-confusion": (
            "def confusion_matrix(y_true, y_pred, *, n_classes):\n"
            "    classes = np.unique(np.concatenate([y_true, y_pred]))\n"
            "    t = np.searchsorted(classes, y_true)\n"
            "    p = np.searchsorted(classes, y_pred)\n"
            "    k = classes.size\n"
            "    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)\n"
        )},
        loses={"metrics-confusion-test"},
    ),
    # ------------------------------------------------------------------ accuracy
    Mistake(
        student="metrics-accuracy-only-positives",
        notebook=NB,
        answers={"metrics-accuracy": (
            "def accuracy(y_true, y_pred):\n"
            "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
            "    return float(np.mean((y_true == 1) & (y_pred == 1)))\n"
        )},
        loses={"metrics-accuracy-test"},
    ),
    Mistake(
        student="metrics-accuracy-numpy-scalar",
        notebook=NB,
        answers={"metrics-accuracy": (
            "def accuracy(y_true, y_pred):\n"
            "    return np.mean(np.asarray(y_true) == np.asarray(y_pred))\n"
        )},
        loses={"metrics-accuracy-test"},
    ),
    # ------------------------------------------------------------------ precision, recall
    Mistake(
        student="metrics-precision-recall-swapped",
        notebook=NB,
        answers={"metrics-precision-recall": (
            _PRECISION_OK.replace("def precision", "def recall") + "\n"
            + _RECALL_OK.replace("def recall", "def precision")
        )},
        loses={"metrics-precision-recall-test"},
    ),
    Mistake(
        student="metrics-no-zero-division-guard",
        notebook=NB,
        answers={"metrics-precision-recall": _PRECISION_RECALL_NO_GUARD},
        loses={"metrics-zero-division-test"},
    ),
    Mistake(
        student="metrics-zero-division-raises",
        notebook=NB,
        answers={"metrics-precision-recall": (
            "def precision(y_true, y_pred):\n"
            "    tp = int(np.sum((y_pred == 1) & (y_true == 1)))\n"
            "    fp = int(np.sum((y_pred == 1) & (y_true == 0)))\n"
            "    return tp / (tp + fp)\n"
            "\n\n"
            "def recall(y_true, y_pred):\n"
            "    tp = int(np.sum((y_pred == 1) & (y_true == 1)))\n"
            "    fn = int(np.sum((y_pred == 0) & (y_true == 1)))\n"
            "    return tp / (tp + fn)\n"
        )},
        loses={"metrics-zero-division-test"},
    ),
    Mistake(  # right values, but a warning on stderr (the test says: no warning of any kind)
        student="metrics-zero-division-warns",
        notebook=NB,
        answers={"metrics-precision-recall": (
            "import warnings\n"
            + _PRECISION_OK.replace("    return tp / (tp + fp) if tp + fp > 0 else 0.0\n",
                                    "    if tp + fp == 0:\n"
                                    "        warnings.warn('precision is undefined; 0.0')\n"
                                    "        return 0.0\n"
                                    "    return tp / (tp + fp)\n")
            + "\n" + _RECALL_OK)},
        loses={"metrics-zero-division-test"},
    ),
    # ------------------------------------------------------------------ F1
    Mistake(
        student="metrics-f1-arithmetic-mean",
        notebook=NB,
        answers={"metrics-f1": (
            "def f1_score(y_true, y_pred):\n"
            "    tp = int(np.sum((y_pred == 1) & (y_true == 1)))\n"
            "    fp = int(np.sum((y_pred == 1) & (y_true == 0)))\n"
            "    fn = int(np.sum((y_pred == 0) & (y_true == 1)))\n"
            "    p = tp / (tp + fp) if tp + fp else 0.0\n"
            "    r = tp / (tp + fn) if tp + fn else 0.0\n"
            "    return (p + r) / 2\n"
        )},
        loses={"metrics-f1-test"},
    ),
    Mistake(
        student="metrics-f1-no-zero-division-guard",
        notebook=NB,
        answers={"metrics-f1": (
            "def f1_score(y_true, y_pred):\n"
            "    tp = np.sum((y_pred == 1) & (y_true == 1))\n"
            "    fp = np.sum((y_pred == 1) & (y_true == 0))\n"
            "    fn = np.sum((y_pred == 0) & (y_true == 1))\n"
            "    return float(2 * tp / (2 * tp + fp + fn))\n"
        )},
        loses={"metrics-f1-test"},
    ),
    # A deliberate cross-cell dependency: F1 from the student's own (unguarded) precision and
    # recall. The unguarded division fails the zero-division test, and F1's own degenerate
    # cases fail through it.
    Mistake(
        student="metrics-f1-from-unguarded-precision",
        notebook=NB,
        answers={
            "metrics-precision-recall": _PRECISION_RECALL_NO_GUARD,
            "metrics-f1": (
                "def f1_score(y_true, y_pred):\n"
                "    p, r = precision(y_true, y_pred), recall(y_true, y_pred)\n"
                "    return 2 * p * r / (p + r) if p + r > 0 else 0.0\n"
            ),
        },
        loses={"metrics-zero-division-test", "metrics-f1-test"},
    ),
    # ------------------------------------------------------------------ macro average
    Mistake(
        student="metrics-macro-as-micro",
        notebook=NB,
        answers={"metrics-macro": (
            "def macro_scores(cm):\n"
            "    cm = np.asarray(cm)\n"
            "    tp = np.trace(cm)\n"
            "    p = tp / cm.sum(axis=0).sum()\n"
            "    r = tp / cm.sum(axis=1).sum()\n"
            "    return float(p), float(r), float(2 * p * r / (p + r))\n"
        )},
        loses={"metrics-macro-test"},
    ),
    Mistake(
        student="metrics-macro-rows-cols-swapped",
        notebook=NB,
        answers={"metrics-macro": (
            "def macro_scores(cm):\n"
            "    cm = np.asarray(cm, dtype=np.float64)\n"
            "    tp = np.diag(cm)\n"
            "    predicted, actual = cm.sum(axis=1), cm.sum(axis=0)  # axes mixed up\n"
            "    def div(a, b):\n"
            "        return np.divide(a, b, out=np.zeros_like(a), where=b > 0)\n"
            "    p, r = div(tp, predicted), div(tp, actual)\n"
            "    f1 = div(2 * tp, predicted + actual)\n"
            "    return float(p.mean()), float(r.mean()), float(f1.mean())\n"
        )},
        loses={"metrics-macro-test"},
    ),
    Mistake(
        student="metrics-macro-f1-of-means",
        notebook=NB,
        answers={"metrics-macro": (
            "def macro_scores(cm):\n"
            "    cm = np.asarray(cm, dtype=np.float64)\n"
            "    tp = np.diag(cm)\n"
            "    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)\n"
            "    def div(a, b):\n"
            "        return np.divide(a, b, out=np.zeros_like(a), where=b > 0)\n"
            "    p, r = float(div(tp, predicted).mean()), float(div(tp, actual).mean())\n"
            "    return p, r, 2 * p * r / (p + r)\n"
        )},
        loses={"metrics-macro-test"},
    ),
    Mistake(
        student="metrics-macro-no-zero-division-guard",
        notebook=NB,
        answers={"metrics-macro": (
            "def macro_scores(cm):\n"
            "    cm = np.asarray(cm, dtype=np.float64)\n"
            "    tp = np.diag(cm)\n"
            "    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)\n"
            "    p, r = tp / predicted, tp / actual\n"
            "    f1 = 2 * tp / (predicted + actual)\n"
            "    return float(p.mean()), float(r.mean()), float(f1.mean())\n"
        )},
        loses={"metrics-macro-test"},
    ),
    # questions
    # 9 / 10
    wrong_answer("metrics-q-precision-is-recall", NB, "metrics-q-screening-precision", "0.9"),
    wrong_answer("metrics-q-precision-in-percent", NB, "metrics-q-screening-precision", "8.33"),
    wrong_answer("metrics-q-threshold-by-accuracy", NB, "metrics-q-screening-threshold", '"a"'),
]
