"""Known-wrong answers for 00_start_here."""

from course_grader.pipeline import Mistake

NB = "00_start_here"

MISTAKES = [
    Mistake(
        student="sigmoid-sign-error",
        notebook=NB,
        answers={"start-sigmoid": "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n"},
        loses={"start-sigmoid-test"},
    ),
    Mistake(
        student="sigmoid-returns-list",
        notebook=NB,
        answers={"start-sigmoid": (
            "def sigmoid(z):\n"
            "    return [1.0 / (1.0 + np.exp(-v)) for v in np.ravel(z)]\n")},
        loses={"start-sigmoid-test"},
    ),
    Mistake(  # right values, but np.exp(1000) overflows: the check makes that an error
        student="sigmoid-naive-overflows",
        notebook=NB,
        answers={"start-sigmoid": "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n"},
        loses={"start-sigmoid-test"},
    ),
    Mistake(  # np.where evaluates both branches, so the unused one still overflows
        student="sigmoid-where-both-branches-overflow",
        notebook=NB,
        answers={"start-sigmoid": (
            "def sigmoid(z):\n"
            "    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)),"
            " np.exp(z) / (1.0 + np.exp(z)))\n")},
        loses={"start-sigmoid-test"},
    ),
]
