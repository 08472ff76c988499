"""Known-wrong answers for 04_overfitting.

The capacity test runs the student's ``polynomial_features`` and ``fit_least_squares``
together and checks only the behaviour (degree 15 fits the training points better and new
points worse than the best degree), so a mistake that keeps that behaviour (columns in reverse
order, a missing bias column, the normal equations) loses only the test of its own function,
while one that breaks the pipeline (``lstsq``'s whole tuple returned) loses the capacity test
too. The question tests compare with values computed from ``course_utils`` at grading time,
never with the student's functions.
"""

from course_grader.pipeline import Mistake
from tests.mistakes import question_answer

NB = "04_overfitting"

_BEST_EPOCH = '''def best_epoch(values, *, mode="min"):
    values = np.asarray(values, dtype=np.float64)
{body}
'''


def _best_epoch(body: str) -> str:
    return _BEST_EPOCH.format(body=body)


MISTAKES = [
    # --- polynomial features -----------------------------------------------------------------
    Mistake(
        student="overfit-features-highest-power-first",  # np.vander's default order
        notebook=NB,
        answers={"overfit-poly-features": (
            "def polynomial_features(x, degree):\n"
            "    return np.vander(np.asarray(x, dtype=float), degree + 1)\n")},
        loses={"overfit-poly-features-test"},
    ),
    Mistake(
        student="overfit-features-no-bias-column",
        notebook=NB,
        answers={"overfit-poly-features": (
            "def polynomial_features(x, degree):\n"
            "    return np.asarray(x, dtype=float)[:, None] ** np.arange(1, degree + 1)\n")},
        loses={"overfit-poly-features-test"},
    ),
    # --- least squares -----------------------------------------------------------------------
    Mistake(
        student="overfit-lstsq-whole-tuple",  # (w, residuals, rank, sv): breaks every fit
        notebook=NB,
        answers={"overfit-least-squares": (
            "def fit_least_squares(X, y):\n"
            "    return np.linalg.lstsq(X, y, rcond=None)\n")},
        loses={"overfit-least-squares-test", "overfit-capacity-test"},
    ),
    Mistake(
        student="overfit-normal-equations",  # fine at low degree, wrong at degree 15
        notebook=NB,
        answers={"overfit-least-squares": (
            "def fit_least_squares(X, y):\n"
            "    return np.linalg.inv(X.T @ X) @ X.T @ y\n")},
        loses={"overfit-least-squares-test"},
        # with polynomial features that are also wrong, the capacity test fails too
        alone=True,
    ),
    # --- generalization gap ------------------------------------------------------------------
    Mistake(
        student="overfit-gap-sign-swapped",
        notebook=NB,
        answers={"overfit-gap": (
            "def generalization_gap(train_values, val_values):\n"
            "    return np.asarray(train_values, dtype=float) - np.asarray(val_values, "
            "dtype=float)\n")},
        loses={"overfit-gap-test"},
    ),
    Mistake(
        student="overfit-gap-absolute",
        notebook=NB,
        answers={"overfit-gap": (
            "def generalization_gap(train_values, val_values):\n"
            "    return np.abs(np.asarray(val_values, dtype=float) - np.asarray(train_values, "
            "dtype=float))\n")},
        loses={"overfit-gap-test"},
    ),
    # --- best epoch --------------------------------------------------------------------------
    Mistake(
        student="overfit-best-epoch-from-one",  # the off-by-one epoch
        notebook=NB,
        answers={"overfit-best-epoch": _best_epoch(
            '    if mode == "min":\n'
            "        return int(np.nanargmin(values)) + 1\n"
            "    return int(np.nanargmax(values)) + 1")},
        loses={"overfit-best-epoch-test"},
    ),
    Mistake(
        student="overfit-best-epoch-nan-not-skipped",  # np.argmin stops at the first NaN
        notebook=NB,
        answers={"overfit-best-epoch": _best_epoch(
            '    if mode == "min":\n'
            "        return int(np.argmin(values))\n"
            "    return int(np.argmax(values))")},
        loses={"overfit-best-epoch-test"},
    ),
    Mistake(
        student="overfit-best-epoch-ignores-mode",
        notebook=NB,
        answers={"overfit-best-epoch": _best_epoch("    return int(np.nanargmin(values))")},
        loses={"overfit-best-epoch-test"},
    ),
    Mistake(
        student="overfit-best-epoch-last-of-ties",
        notebook=NB,
        answers={"overfit-best-epoch": _best_epoch(
            "    reverse = values[::-1]\n"
            '    k = np.nanargmin(reverse) if mode == "min" else np.nanargmax(reverse)\n'
            "    return int(len(values) - 1 - k)")},
        loses={"overfit-best-epoch-test"},
    ),
    # --- questions ---------------------------------------------------------------------------
    Mistake(
        student="overfit-q-degree-as-index",  # argmin's position, counted from 0
        notebook=NB,
        answers=question_answer("overfit-q-best-degree", "Question 1", "answer_best_degree", "3"),
        loses={"overfit-q-best-degree-test"},
    ),
    Mistake(
        student="overfit-q-degree-training-minimum",
        notebook=NB,
        answers=question_answer("overfit-q-best-degree", "Question 1", "answer_best_degree", "15"),
        loses={"overfit-q-best-degree-test"},
    ),
    Mistake(
        student="overfit-q-report-validation-error",
        notebook=NB,
        answers=question_answer("overfit-q-report-set", "Question 2", "answer_report_set", '"b"'),
        loses={"overfit-q-report-set-test"},
    ),
    Mistake(
        student="overfit-q-keep-epoch-from-one",  # the off-by-one epoch
        notebook=NB,
        answers=question_answer("overfit-q-keep-epoch", "Question 3", "answer_keep_epoch", "6"),
        loses={"overfit-q-keep-epoch-test"},
    ),
    Mistake(
        student="overfit-q-keep-epoch-training-minimum",
        notebook=NB,
        answers=question_answer("overfit-q-keep-epoch", "Question 3", "answer_keep_epoch", "9"),
        loses={"overfit-q-keep-epoch-test"},
    ),
    Mistake(
        student="overfit-q-keep-epoch-as-string",
        notebook=NB,
        answers=question_answer("overfit-q-keep-epoch", "Question 3", "answer_keep_epoch", '"5"'),
        loses={"overfit-q-keep-epoch-test"},
    ),
]
