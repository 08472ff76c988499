"""Known-wrong answers for 05_regularization.

``regularized_loss`` is checked against the student's own ``l2_penalty`` (not the reference),
and the dropout-backward test builds its mask with the course's reference forward pass, so a
mistake in one answer cell loses only the test cells of that answer. The stopped epoch and
the best epoch of early stopping have a test cell each: a best epoch counted from 1 loses only
its cell; stopping one epoch late or counting ties as improvements changes both (training
goes on, and a later epoch can become the best).
"""

from course_grader.pipeline import Mistake

NB = "05_regularization"

_L2 = '''def l2_penalty(params, *, lam):
    return float({coef} * sum(np.sum(w ** 2) for key, w in params.items() if {which}))


def l2_penalty_grad(params, *, lam):
    return {{key: {grad} if key.startswith("W") else {bias_grad}
            for key, w in params.items()}}
'''


def _l2(coef="lam / 2", which='key.startswith("W")', grad="lam * w",
        bias_grad="np.zeros(np.shape(w))") -> str:
    return _L2.format(coef=coef, which=which, grad=grad, bias_grad=bias_grad)


_L1 = '''def l1_penalty(params, *, lam):
    return float(lam * sum({term} for key, w in params.items() if {which}))


def l1_penalty_grad(params, *, lam):
    return {{key: {grad} if key.startswith("W") else np.zeros(np.shape(w))
            for key, w in params.items()}}
'''


def _l1(term="np.sum(np.abs(w))", which='key.startswith("W")', grad="lam * np.sign(w)") -> str:
    return _L1.format(term=term, which=which, grad=grad)


_DROPOUT = '''def dropout_forward(x, *, rate, training, rng=None):
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return {inference}
    rng = np.random.default_rng(rng)
    {draw}
    return x * mask, mask
'''


def _dropout(inference="x.copy(), np.ones_like(x)",
             draw="mask = (rng.random(x.shape) >= rate) / (1.0 - rate)") -> str:
    return _DROPOUT.format(inference=inference, draw=draw)


_EARLY = '''def early_stopping_epoch(values, *, patience, min_delta=0.0, mode="min"):
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(values):
        wait += 1
        if best is None:
            improved = True
        elif mode == "min":
            improved = value + min_delta {less} best
        else:
            improved = value - min_delta {greater} best
        if improved:
            best, best_epoch, wait = value, epoch, 0
            continue
        if wait {reached} patience and epoch > 0:
            return epoch, {best}
    return None, {best}
'''


def _early(less="<", greater=">", reached=">=", best="best_epoch") -> str:
    return _EARLY.format(less=less, greater=greater, reached=reached, best=best)


def _answer(name: str, value: str) -> str:
    return f"answer_{name} = {value}\n"


MISTAKES = [
    # --- L2 penalty and its gradient ------------------------------------------------------
    Mistake(
        student="reg-l2-lam-not-halved",  # lam * sum w^2: Keras's L2(lam), not the lecture's
        notebook=NB,
        answers={"reg-l2": _l2(coef="lam")},
        loses={"reg-l2-test"},
    ),
    Mistake(
        student="reg-l2-penalizes-biases",
        notebook=NB,
        answers={"reg-l2": _l2(which="True")},
        loses={"reg-l2-test"},
    ),
    Mistake(
        student="reg-l2-grad-half-lam",
        notebook=NB,
        answers={"reg-l2": _l2(grad="lam / 2 * w")},
        loses={"reg-l2-grad-test"},
    ),
    Mistake(
        student="reg-l2-grad-penalizes-biases",
        notebook=NB,
        answers={"reg-l2": _l2(bias_grad="lam * w")},
        loses={"reg-l2-grad-test"},
    ),
    # --- the objective --------------------------------------------------------------------
    Mistake(
        student="reg-objective-sum-as-on-slide",  # no 1/m
        notebook=NB,
        answers={"reg-objective": (
            "def regularized_loss(sample_losses, params, *, lam):\n"
            "    return float(np.sum(sample_losses)) + l2_penalty(params, lam=lam)\n")},
        loses={"reg-objective-test"},
    ),
    Mistake(
        student="reg-objective-no-penalty",
        notebook=NB,
        answers={"reg-objective": (
            "def regularized_loss(sample_losses, params, *, lam):\n"
            "    return float(np.mean(sample_losses))\n")},
        loses={"reg-objective-test"},
    ),
    Mistake(
        student="reg-q-keras-coefficient-not-rescaled",  # lam / 2, forgetting the 1/m
        notebook=NB,
        answers={"reg-q-keras-coefficient": _answer("keras_coefficient", '"a"')},
        loses={"reg-q-keras-coefficient-test"},
    ),
    # --- weight decay ---------------------------------------------------------------------
    Mistake(
        student="reg-weight-decay-half-lam",
        notebook=NB,
        answers={"reg-weight-decay": (
            "def sgd_step_l2(w, g, *, lr, lam):\n"
            "    return w - lr * (g + lam / 2 * w)\n")},
        loses={"reg-weight-decay-test"},
    ),
    Mistake(
        student="reg-weight-decay-in-place",  # right values, but w changes
        notebook=NB,
        answers={"reg-weight-decay": (
            "def sgd_step_l2(w, g, *, lr, lam):\n"
            "    w *= 1 - lr * lam\n"
            "    w -= lr * g\n"
            "    return w\n")},
        loses={"reg-weight-decay-test"},
    ),
    # --- L1 -------------------------------------------------------------------------------
    Mistake(
        student="reg-l1-sign-instead-of-abs",
        notebook=NB,
        answers={"reg-l1": _l1(term="np.sum(np.sign(w))")},
        loses={"reg-l1-test"},
    ),
    Mistake(
        student="reg-l1-frobenius-as-on-slide",  # a norm per matrix, not |w| per entry
        notebook=NB,
        answers={"reg-l1": _l1(term="np.linalg.norm(w)")},
        loses={"reg-l1-test"},
    ),
    Mistake(
        student="reg-l1-penalizes-biases",
        notebook=NB,
        answers={"reg-l1": _l1(which="True")},
        loses={"reg-l1-test"},
    ),
    Mistake(
        student="reg-l1-grad-abs-instead-of-sign",
        notebook=NB,
        answers={"reg-l1": _l1(grad="lam * np.abs(np.sign(w))")},
        loses={"reg-l1-grad-test"},
    ),
    Mistake(
        student="reg-l1-grad-plus-lam-at-zero",
        notebook=NB,
        answers={"reg-l1": _l1(grad="lam * np.where(w >= 0, 1.0, -1.0)")},
        loses={"reg-l1-grad-test"},
    ),
    # --- dropout --------------------------------------------------------------------------
    Mistake(
        student="reg-dropout-no-scaling",  # forgets 1 / (1 - rate)
        notebook=NB,
        answers={"reg-dropout-forward": _dropout(
            draw="mask = (rng.random(x.shape) >= rate).astype(float)")},
        loses={"reg-dropout-forward-test"},
    ),
    Mistake(
        student="reg-dropout-rate-is-keep",
        notebook=NB,
        answers={"reg-dropout-forward": _dropout(
            draw="mask = (rng.random(x.shape) < rate) / rate")},
        loses={"reg-dropout-forward-test"},
    ),
    Mistake(
        student="reg-dropout-fixed-number-as-on-slide",  # exactly round(rate * n) units
        notebook=NB,
        answers={"reg-dropout-forward": _dropout(
            draw="keep = np.ones(x.size)\n"
                 "    keep[:int(round(rate * x.size))] = 0.0\n"
                 "    mask = rng.permutation(keep).reshape(x.shape) / (1.0 - rate)")},
        loses={"reg-dropout-forward-test"},
    ),
    Mistake(
        student="reg-dropout-at-inference",
        notebook=NB,
        answers={"reg-dropout-forward": _dropout(
            inference="x * ((np.random.default_rng(rng).random(x.shape) >= rate) / (1 - rate)),"
                      " np.ones_like(x)")},
        loses={"reg-dropout-inference-test"},
    ),
    Mistake(
        student="reg-dropout-scales-at-inference",  # the original, non-inverted test time
        notebook=NB,
        answers={"reg-dropout-forward": _dropout(
            inference="x * (1 - rate), np.full(x.shape, 1 - rate)")},
        loses={"reg-dropout-inference-test"},
    ),
    Mistake(
        student="reg-q-kept-value-expected-value",  # 3.0 is the mean, not the kept value
        notebook=NB,
        answers={"reg-q-kept-value": _answer("kept_value", "3.0")},
        loses={"reg-q-kept-value-test"},
    ),
    Mistake(
        student="reg-dropout-backward-unscaled",
        notebook=NB,
        answers={"reg-dropout-backward": (
            "def dropout_backward(dout, mask):\n"
            "    return dout * (mask > 0)\n")},
        loses={"reg-dropout-backward-test"},
    ),
    # --- early stopping -------------------------------------------------------------------
    Mistake(
        student="reg-es-best-epoch-from-one",  # the off-by-one best epoch
        notebook=NB,
        answers={"reg-early-stopping": _early(best="best_epoch + 1")},
        loses={"reg-early-stopping-best-test"},
    ),
    Mistake(
        student="reg-es-patience-off-by-one",  # trains one epoch too long, and may improve
        notebook=NB,
        answers={"reg-early-stopping": _early(reached=">")},
        loses={"reg-early-stopping-test", "reg-early-stopping-best-test"},
    ),
    Mistake(
        student="reg-es-ties-improve",
        notebook=NB,
        answers={"reg-early-stopping": _early(less="<=", greater=">=")},
        loses={"reg-early-stopping-test", "reg-early-stopping-best-test"},
    ),
    Mistake(
        student="reg-q-restored-epoch-lowest-value",  # ignores min_delta and the stop
        notebook=NB,
        answers={"reg-q-restored-epoch": _answer("restored_epoch", "5")},
        loses={"reg-q-restored-epoch-test"},
    ),
]
