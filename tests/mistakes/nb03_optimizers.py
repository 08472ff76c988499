"""Known-wrong (and known-acceptable) answers for 03_optimizers.

Behavioural test cells run a student's rule: ``optim-momentum-saddle-test`` runs
``momentum_update`` and ``optim-adam-rosenbrock-test`` runs ``adam_update``, so a mistake in
one of those rules can lose that cell too (listed in ``loses``). Mistakes that still reach the
goal (momentum without ``1 - beta`` leaves the saddle even faster; Adam without bias correction
still ends within 1e-3 of Rosenbrock's minimum) lose only the value tests.

The last entries put epsilon where the lecture and Keras put it; they must lose nothing.
"""

from course_grader.pipeline import Mistake
from tests.mistakes import wrong_answer

NB = "03_optimizers"

SGD = "optim-sgd"
MOMENTUM = "optim-momentum"
RMSPROP = "optim-rmsprop"
ADAM = "optim-adam"


def _adam(body: str) -> str:
    """An adam_update with the given body (indented by 4 spaces)."""
    return ("def adam_update(w, dw, v, s, t, *, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            + body)



_EPOCH = """def minibatch_epoch(w, b, X, y, *, batch_size, lr, seed):
    order = {order}
    for start in range(0, len(X), {size}):
        idx = order[start:start + {size}]
        X_batch, y_batch = X[idx], y[idx]
        y_hat = 0.5 * (1.0 + np.tanh(0.5 * (X_batch @ w + b)))
        dz = (y_hat - y_batch) / {divide}
        {w_step}
        b = {bias_step}
    return w, b
"""


def _epoch(order: str = "np.random.default_rng(seed).permutation(len(X))",
           divide: str = "len(idx)", *, size: str = "batch_size",
           w_step: str = "w = sgd_update(w, X_batch.T @ dz, lr=lr)",
           bias_step: str = "sgd_update(b, dz.sum(axis=0), lr=lr)") -> str:
    """``minibatch_epoch`` with one part written differently."""
    return _EPOCH.format(order=order, divide=divide, size=size, w_step=w_step,
                         bias_step=bias_step)


MISTAKES = [
    # ---- sgd_update -------------------------------------------------------------------
    Mistake(
        student="sgd-sign-error",
        notebook=NB,
        answers={SGD: "def sgd_update(w, dw, *, lr):\n    return w + lr * dw\n"},
        loses={"optim-sgd-test"},
    ),
    Mistake(
        student="sgd-mutates-w",
        notebook=NB,
        answers={SGD: "def sgd_update(w, dw, *, lr):\n    w -= lr * dw\n    return w\n"},
        loses={"optim-sgd-pure-test"},
    ),
    # ---- momentum_update --------------------------------------------------------------
    Mistake(
        student="momentum-no-one-minus-beta",
        notebook=NB,
        answers={MOMENTUM: (
            "def momentum_update(w, dw, v, *, lr, beta=0.9):\n"
            "    v_new = beta * v + dw\n"
            "    return w - lr * v_new, v_new\n")},
        loses={"optim-momentum-test"},  # leaves the saddle even faster (19 steps)
    ),
    Mistake(
        student="momentum-sign-error",
        notebook=NB,
        answers={MOMENTUM: (
            "def momentum_update(w, dw, v, *, lr, beta=0.9):\n"
            "    v_new = beta * v + (1 - beta) * dw\n"
            "    return w + lr * v_new, v_new\n")},
        loses={"optim-momentum-test", "optim-momentum-saddle-test"},
    ),
    Mistake(
        student="momentum-mutates-v",
        notebook=NB,
        answers={MOMENTUM: (
            "def momentum_update(w, dw, v, *, lr, beta=0.9):\n"
            "    v *= beta\n"
            "    v += (1 - beta) * dw\n"
            "    return w - lr * v, v\n")},
        loses={"optim-momentum-pure-test"},
    ),
    # ---- rmsprop_update ---------------------------------------------------------------
    Mistake(
        student="rmsprop-g-not-squared",
        notebook=NB,
        answers={RMSPROP: (
            "def rmsprop_update(w, dw, s, *, lr, beta=0.9, eps=1e-8):\n"
            "    s_new = beta * s + (1 - beta) * dw\n"
            "    return w - lr * dw / (np.sqrt(s_new) + eps), s_new\n")},
        loses={"optim-rmsprop-test"},
    ),
    Mistake(
        student="rmsprop-no-eps",
        notebook=NB,
        answers={RMSPROP: (
            "def rmsprop_update(w, dw, s, *, lr, beta=0.9, eps=1e-8):\n"
            "    s_new = beta * s + (1 - beta) * dw**2\n"
            "    return w - lr * dw / np.sqrt(s_new), s_new\n")},
        loses={"optim-rmsprop-test"},
    ),
    Mistake(
        student="rmsprop-no-sqrt",
        notebook=NB,
        answers={RMSPROP: (
            "def rmsprop_update(w, dw, s, *, lr, beta=0.9, eps=1e-8):\n"
            "    s_new = beta * s + (1 - beta) * dw**2\n"
            "    return w - lr * dw / (s_new + eps), s_new\n")},
        loses={"optim-rmsprop-test"},
    ),
    # ---- adam_update ------------------------------------------------------------------
    Mistake(
        student="adam-no-bias-correction",
        notebook=NB,
        answers={ADAM: _adam(
            "    v_new = beta1 * v + (1 - beta1) * dw\n"
            "    s_new = beta2 * s + (1 - beta2) * dw**2\n"
            "    return w - lr * v_new / (np.sqrt(s_new) + eps), v_new, s_new\n")},
        # Still within 1e-3 of Rosenbrock's minimum after 2000 steps (6e-5).
        loses={"optim-adam-first-step-test", "optim-adam-test"},
    ),
    Mistake(
        student="adam-t-from-zero",
        notebook=NB,
        answers={ADAM: _adam(
            "    v_new = beta1 * v + (1 - beta1) * dw\n"
            "    s_new = beta2 * s + (1 - beta2) * dw**2\n"
            "    v_corrected = v_new / (1 - beta1**(t - 1))\n"
            "    s_corrected = s_new / (1 - beta2**(t - 1))\n"
            "    return (w - lr * v_corrected / (np.sqrt(s_corrected) + eps), v_new, s_new)\n")},
        loses={"optim-adam-first-step-test", "optim-adam-test",
               "optim-adam-rosenbrock-test"},
    ),
    Mistake(
        student="adam-betas-swapped",
        notebook=NB,
        answers={ADAM: _adam(
            "    v_new = beta2 * v + (1 - beta2) * dw\n"
            "    s_new = beta1 * s + (1 - beta1) * dw**2\n"
            "    v_corrected = v_new / (1 - beta2**t)\n"
            "    s_corrected = s_new / (1 - beta1**t)\n"
            "    return (w - lr * v_corrected / (np.sqrt(s_corrected) + eps), v_new, s_new)\n")},
        loses={"optim-adam-first-step-test", "optim-adam-test",
               "optim-adam-rosenbrock-test"},
    ),
    Mistake(
        student="adam-overwrites-s",  # the lecture's erratum: S = S / (1 - beta2**t)
        notebook=NB,
        answers={ADAM: _adam(
            "    v = beta1 * v + (1 - beta1) * dw\n"
            "    s = beta2 * s + (1 - beta2) * dw**2\n"
            "    v_corrected = v / (1 - beta1**t)\n"
            "    s = s / (1 - beta2**t)\n"
            "    return w - lr * v_corrected / (np.sqrt(s) + eps), v, s\n")},
        loses={"optim-adam-first-step-test", "optim-adam-test",
               "optim-adam-rosenbrock-test"},
    ),
    Mistake(
        student="adam-sign-error",
        notebook=NB,
        answers={ADAM: _adam(
            "    v_new = beta1 * v + (1 - beta1) * dw\n"
            "    s_new = beta2 * s + (1 - beta2) * dw**2\n"
            "    v_corrected = v_new / (1 - beta1**t)\n"
            "    s_corrected = s_new / (1 - beta2**t)\n"
            "    return (w + lr * v_corrected / (np.sqrt(s_corrected) + eps), v_new, s_new)\n")},
        loses={"optim-adam-first-step-test", "optim-adam-test",
               "optim-adam-rosenbrock-test"},
    ),
    Mistake(
        student="adam-mutates-v-s",
        notebook=NB,
        answers={ADAM: _adam(
            "    v *= beta1\n"
            "    v += (1 - beta1) * dw\n"
            "    s *= beta2\n"
            "    s += (1 - beta2) * dw**2\n"
            "    v_corrected = v / (1 - beta1**t)\n"
            "    s_corrected = s / (1 - beta2**t)\n"
            "    return w - lr * v_corrected / (np.sqrt(s_corrected) + eps), v, s\n")},
        loses={"optim-adam-pure-test"},
    ),
    # ---- accepted variants: epsilon where the lecture or Keras puts it ---------------------
    Mistake(
        student="rmsprop-keras-eps-ok",  # Keras: dw / sqrt(S + eps)
        notebook=NB,
        answers={RMSPROP: (
            "def rmsprop_update(w, dw, s, *, lr, beta=0.9, eps=1e-8):\n"
            "    s_new = beta * s + (1 - beta) * dw**2\n"
            "    return w - lr * dw / np.sqrt(s_new + eps), s_new\n")},
        loses=set(),
    ),
    Mistake(
        student="adam-lecture-eps-ok",  # the slide: V_corr / sqrt(S_corr + eps)
        notebook=NB,
        answers={ADAM: _adam(
            "    v_new = beta1 * v + (1 - beta1) * dw\n"
            "    s_new = beta2 * s + (1 - beta2) * dw**2\n"
            "    v_corrected = v_new / (1 - beta1**t)\n"
            "    s_corrected = s_new / (1 - beta2**t)\n"
            "    return w - lr * v_corrected / np.sqrt(s_corrected + eps), v_new, s_new\n")},
        loses=set(),
    ),
    Mistake(
        student="adam-keras-eps-ok",  # Keras: alpha_t * V / (sqrt(S) + eps)
        notebook=NB,
        answers={ADAM: _adam(
            "    v_new = beta1 * v + (1 - beta1) * dw\n"
            "    s_new = beta2 * s + (1 - beta2) * dw**2\n"
            "    alpha_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)\n"
            "    return w - alpha_t * v_new / (np.sqrt(s_new) + eps), v_new, s_new\n")},
        loses=set(),
    ),
    # questions
    # 1/50: no sign change, not the limit
    wrong_answer("optim-q-lr-without-zigzag", NB, "optim-q-largest-stable-lr", "0.02"),
    # 2/1
    wrong_answer("optim-q-lr-of-the-flat-axis", NB, "optim-q-largest-stable-lr", "2.0"),
    # the slide's wording
    wrong_answer("optim-q-s-as-variance", NB, "optim-q-what-s-measures", '"a"'),
    # minibatch_epoch (the test binds sgd_update to the reference while it runs)
    Mistake(student="optim-epoch-no-shuffle", notebook=NB,
            answers={"optim-minibatch-epoch": _epoch("np.arange(len(X))")},
            loses={"optim-minibatch-epoch-test"}),
    Mistake(student="optim-epoch-gradient-summed", notebook=NB,
            answers={"optim-minibatch-epoch": _epoch(divide="1")},
            loses={"optim-minibatch-epoch-test"}),
    Mistake(student="optim-epoch-divides-by-n", notebook=NB,  # wrong for the last batch only
            answers={"optim-minibatch-epoch": _epoch(divide="len(X)")},
            loses={"optim-minibatch-epoch-test"}),
    Mistake(student="optim-epoch-bias-frozen", notebook=NB,
            answers={"optim-minibatch-epoch": _epoch(bias_step="b")},
            loses={"optim-minibatch-epoch-test"}),
    Mistake(student="optim-epoch-one-full-step", notebook=NB,
            answers={"optim-minibatch-epoch": _epoch(size="len(X)")},
            loses={"optim-minibatch-epoch-test"}),
    Mistake(student="optim-epoch-updates-w-in-place", notebook=NB,
            answers={"optim-minibatch-epoch": _epoch(w_step="w -= lr * (X_batch.T @ dz)")},
            loses={"optim-minibatch-epoch-test"}),
]

