"""Known-wrong answers for 01_loss_functions."""

from course_grader.pipeline import Mistake
from tests.mistakes import wrong_answer

NB = "01_loss_functions"

BCE_HEAD = (
    "def binary_crossentropy(y_true, y_pred):\n"
    '    """Binary cross-entropy of each sample: arrays of shape (n, k) -> shape (n,)."""\n'
)
CCE_HEAD = (
    "def categorical_crossentropy(y_true, y_pred):\n"
    '    """Categorical cross-entropy of each sample."""\n'
)
KL_HEAD = (
    "def kl_divergence(y_true, y_pred):\n"
    '    """KL divergence KL(y_true || y_pred) of each sample."""\n'
)
HUBER_HEAD = (
    "def huber(y_true, y_pred, *, delta=1.0):\n"
    '    """Huber loss of each sample."""\n'
)
GRAD_HEAD = (
    "def mse_grad(y_true, y_pred):\n"
    '    """Gradient of the batch-mean MSE with respect to y_pred."""\n'
)


def _logits_grad(expression: str) -> dict[str, str]:
    """A ``bce_logits_grad`` that returns ``expression`` (``_sigmoid`` is the stable one)."""
    return {"losses-bce-logits-grad": (
        "def _sigmoid(z):\n    return 0.5 * (1.0 + np.tanh(0.5 * z))\n\n\n"
        f"def bce_logits_grad(y_true, z):\n    return {expression}\n")}


MISTAKES = [
    # binary cross-entropy ------------------------------------------------------------------
    Mistake(
        student="losses-bce-no-clip",
        notebook=NB,
        answers={"losses-bce": BCE_HEAD + (
            "    return np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)),\n"
            "                   axis=-1)\n")},
        loses={"losses-bce-clip-test"},
    ),
    Mistake(
        student="losses-bce-clips-in-place",
        notebook=NB,
        answers={"losses-bce": BCE_HEAD + (
            "    np.clip(y_pred, EPS, 1 - EPS, out=y_pred)\n"
            "    return np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)),\n"
            "                   axis=-1)\n")},
        loses={"losses-bce-clip-test"},
    ),
    Mistake(
        student="losses-bce-sum-over-outputs",
        notebook=NB,
        answers={"losses-bce": BCE_HEAD + (
            "    p = np.clip(y_pred, EPS, 1 - EPS)\n"
            "    return np.sum(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)\n")},
        # the hidden clip test uses k=3 outputs, where a sum differs from the mean
        loses={"losses-bce-test", "losses-bce-clip-test"},
    ),
    Mistake(
        student="losses-bce-batch-mean",
        notebook=NB,
        answers={"losses-bce": BCE_HEAD + (
            "    p = np.clip(y_pred, EPS, 1 - EPS)\n"
            "    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))\n")},
        loses={"losses-bce-test", "losses-bce-clip-test"},
    ),
    # categorical cross-entropy -------------------------------------------------------------
    Mistake(
        student="losses-cce-mean-over-classes",
        notebook=NB,
        answers={"losses-cce": CCE_HEAD + (
            "    return -np.mean(y_true * np.log(np.clip(y_pred, EPS, 1 - EPS)), axis=-1)\n")},
        loses={"losses-cce-test"},
    ),
    Mistake(
        student="losses-cce-no-clip",
        notebook=NB,
        answers={"losses-cce": CCE_HEAD + (
            "    return -np.sum(y_true * np.log(y_pred), axis=-1)\n")},
        loses={"losses-cce-test"},
    ),
    # KL divergence -------------------------------------------------------------------------
    Mistake(
        student="losses-kl-swapped-arguments",
        notebook=NB,
        answers={"losses-kl": KL_HEAD + (
            "    y = np.clip(y_true, EPS, 1.0)\n"
            "    p = np.clip(y_pred, EPS, 1.0)\n"
            "    return np.sum(p * np.log(p / y), axis=-1)\n")},
        loses={"losses-kl-test"},
    ),
    Mistake(
        student="losses-kl-no-sum-as-on-slide",
        notebook=NB,
        answers={"losses-kl": KL_HEAD + (
            "    y = np.clip(y_true, EPS, 1.0)\n"
            "    p = np.clip(y_pred, EPS, 1.0)\n"
            "    return y * np.log(y / p)\n")},
        loses={"losses-kl-test"},
    ),
    Mistake(
        student="losses-kl-no-clip",
        notebook=NB,
        answers={"losses-kl": KL_HEAD + (
            "    return np.sum(y_true * np.log(y_true / y_pred), axis=-1)\n")},
        loses={"losses-kl-test"},
    ),
    # regression ----------------------------------------------------------------------------
    Mistake(
        student="losses-mse-sum-not-mean",
        notebook=NB,
        answers={"losses-mse": (
            "def mean_squared_error(y_true, y_pred):\n"
            "    return np.sum((y_true - y_pred) ** 2, axis=-1)\n")},
        loses={"losses-mse-test"},
    ),
    Mistake(
        student="losses-mse-batch-mean",
        notebook=NB,
        answers={"losses-mse": (
            "def mean_squared_error(y_true, y_pred):\n"
            "    return np.mean((y_true - y_pred) ** 2)\n")},
        loses={"losses-mse-test"},
    ),
    Mistake(  # the mean over the batch axis: one value per output instead of per sample
        student="losses-mse-wrong-axis",
        notebook=NB,
        answers={"losses-mse": (
            "def mean_squared_error(y_true, y_pred):\n"
            "    return np.mean((y_true - y_pred) ** 2, axis=0)\n")},
        loses={"losses-mse-test"},
    ),
    Mistake(
        student="losses-mae-squared-errors",
        notebook=NB,
        answers={"losses-mae": (
            "def mean_absolute_error(y_true, y_pred):\n"
            "    return np.mean((y_true - y_pred) ** 2, axis=-1)\n")},
        loses={"losses-mae-test"},
    ),
    Mistake(
        student="losses-huber-ignores-delta",
        notebook=NB,
        answers={"losses-huber": HUBER_HEAD + (
            "    r = y_pred - y_true\n"
            "    a = np.abs(r)\n"
            "    return np.mean(np.where(a <= 1.0, 0.5 * r**2, a - 0.5), axis=-1)\n")},
        loses={"losses-huber-test"},
    ),
    Mistake(
        student="losses-huber-missing-half",
        notebook=NB,
        answers={"losses-huber": HUBER_HEAD + (
            "    r = y_pred - y_true\n"
            "    a = np.abs(r)\n"
            "    return np.mean(np.where(a <= delta, r**2, delta * (a - 0.5 * delta)),\n"
            "                   axis=-1)\n")},
        loses={"losses-huber-test"},
    ),
    # gradient ------------------------------------------------------------------------------
    Mistake(
        student="losses-grad-missing-batch-division",
        notebook=NB,
        answers={"losses-mse-grad": GRAD_HEAD + (
            "    return 2.0 * (y_pred - y_true) / y_pred.shape[-1]\n")},
        loses={"losses-mse-grad-test"},
    ),
    Mistake(
        student="losses-grad-sign-flipped",
        notebook=NB,
        answers={"losses-mse-grad": GRAD_HEAD + (
            "    return 2.0 * (y_true - y_pred) / y_pred.size\n")},
        loses={"losses-mse-grad-test"},
    ),
    # a blank answer (NotImplementedError) loses only its own test cell
    Mistake(
        student="losses-only-regression-done",
        notebook=NB,
        answers={
            "losses-bce": "def binary_crossentropy(y_true, y_pred):\n"
                          "    raise NotImplementedError()\n",
            "losses-cce": "def categorical_crossentropy(y_true, y_pred):\n"
                          "    raise NotImplementedError()\n",
            "losses-kl": "def kl_divergence(y_true, y_pred):\n"
                         "    raise NotImplementedError()\n",
        },
        loses={"losses-bce-test", "losses-bce-clip-test", "losses-cce-test", "losses-kl-test"},
    ),
    # questions
    # log10(0.01) = -2
    wrong_answer("losses-q-bce-log10", NB, "losses-q-bce-confident-mistake", "2.0"),
    wrong_answer("losses-q-mse-too-large", NB, "losses-q-sigmoid-mse-slow", '"b"'),
    # bce_logits_grad
    Mistake(student="losses-bcegrad-not-averaged", notebook=NB,
            answers=_logits_grad("(_sigmoid(z) - y_true)"),
            loses={"losses-bce-logits-grad-test"}),
    Mistake(student="losses-bcegrad-divides-by-n", notebook=NB,
            answers=_logits_grad("(_sigmoid(z) - y_true) / len(z)"),
            loses={"losses-bce-logits-grad-test"}),
    Mistake(student="losses-bcegrad-sign-flipped", notebook=NB,
            answers=_logits_grad("(y_true - _sigmoid(z)) / z.size"),
            loses={"losses-bce-logits-grad-test"}),
    # the chain rule through y_hat: 0 / 0 = nan (and a warning) where y_hat rounds to 0 or 1
    Mistake(student="losses-bcegrad-through-probabilities", notebook=NB,
            answers=_logits_grad("(_sigmoid(z) - y_true) / (_sigmoid(z) * (1 - _sigmoid(z)))"
                                 " * (_sigmoid(z) * (1 - _sigmoid(z))) / z.size"),
            loses={"losses-bce-logits-grad-test"}),
    # 1 / (1 + exp(-z)): right values, but exp(1000) overflows with a RuntimeWarning
    Mistake(student="losses-bcegrad-overflows", notebook=NB,
            answers=_logits_grad("(1.0 / (1.0 + np.exp(-z)) - y_true) / z.size"),
            loses={"losses-bce-logits-grad-test"}),
]
