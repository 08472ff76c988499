"""Known-wrong answers for 06_batch_normalization.

The cache format is fixed (``BatchNormCache`` with the reference's fields), and the backward,
running-statistics and inference tests build their inputs with the course's reference
forward pass (``course_utils.batchnorm``), never with the student's. So a mistake in one
answer cell loses only the test cells of that answer; ``bn-backward-dgamma-uses-x`` loses
both backward cells because its ``dx`` is built from its own (wrong) ``dgamma``.
"""

from course_grader.pipeline import Mistake
from tests.mistakes import wrong_answer

NB = "06_batch_normalization"

_FORWARD = '''def batchnorm_forward(x, gamma, beta, *, eps=1e-3):
    mu = x.mean(axis=0)
    var = {var}
    z_norm = (x - mu) / {denominator}
    out = {out}
    return out, BatchNormCache(x=x, mu=mu, var=var, z_norm=z_norm, gamma=gamma, eps=eps)
'''


def _forward(var="((x - mu) ** 2).mean(axis=0)", denominator="np.sqrt(var + eps)",
             out="gamma * z_norm + beta") -> str:
    return _FORWARD.format(var=var, denominator=denominator, out=out)


_BACKWARD = '''def batchnorm_backward(dout, cache):
    m = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = {dgamma}
    dx = {dx}
    return dx, dgamma, dbeta
'''
_DX = ("cache.gamma / (m * np.sqrt(cache.var + cache.eps)) "
       "* (m * dout - dbeta - cache.z_norm * dgamma)")


def _backward(dgamma="(dout * cache.z_norm).sum(axis=0)", dx=_DX) -> str:
    return _BACKWARD.format(dgamma=dgamma, dx=dx)


_FORWARD_TESTS = {"bn-forward-normalizes-test", "bn-forward-test"}

MISTAKES = [
    # --- forward pass -------------------------------------------------------------------
    Mistake(
        student="bn-variance-not-squared",  # the slide's typo: always 0
        notebook=NB,
        answers={"bn-forward": _forward(var="(x - mu).mean(axis=0)")},
        loses=_FORWARD_TESTS,
    ),
    Mistake(
        student="bn-eps-outside-sqrt",
        notebook=NB,
        answers={"bn-forward": _forward(denominator="(np.sqrt(var) + eps)")},
        loses=_FORWARD_TESTS,
    ),
    Mistake(  # statistics of each sample (row) instead of each feature (column)
        student="bn-statistics-per-sample",
        notebook=NB,
        answers={"bn-forward": _FORWARD.replace("x.mean(axis=0)", "x.mean(axis=1, keepdims=True)")
                 .format(var="((x - mu) ** 2).mean(axis=1, keepdims=True)",
                         denominator="np.sqrt(var + eps)", out="gamma * z_norm + beta")},
        loses=_FORWARD_TESTS,
    ),
    Mistake(
        student="bn-unbiased-variance",
        notebook=NB,
        answers={"bn-forward": _forward(var="x.var(axis=0, ddof=1)")},
        loses=_FORWARD_TESTS,
    ),
    Mistake(
        student="bn-forward-no-scale-shift",  # gamma = 1, beta = 0 still normalises right
        notebook=NB,
        answers={"bn-forward": _forward(out="z_norm")},
        loses={"bn-forward-test"},
    ),
    Mistake(
        student="bn-forward-modifies-x",  # x -= mu: the cache and the caller's x change
        notebook=NB,
        answers={"bn-forward": (
            "def batchnorm_forward(x, gamma, beta, *, eps=1e-3):\n"
            "    mu = x.mean(axis=0)\n"
            "    x -= mu\n"
            "    var = (x ** 2).mean(axis=0)\n"
            "    z_norm = x / np.sqrt(var + eps)\n"
            "    out = gamma * z_norm + beta\n"
            "    return out, BatchNormCache(x=x, mu=mu, var=var, z_norm=z_norm, gamma=gamma,\n"
            "                               eps=eps)\n")},
        loses={"bn-forward-test"},
    ),
    # --- backward pass ------------------------------------------------------------------
    Mistake(
        student="bn-backward-missing-mean-terms",  # treats mu and var as constants
        notebook=NB,
        answers={"bn-backward": _backward(dx="cache.gamma / np.sqrt(cache.var + cache.eps) "
                                             "* dout")},
        loses={"bn-backward-dx-test"},
    ),
    Mistake(
        student="bn-backward-dgamma-uses-x",
        notebook=NB,
        answers={"bn-backward": _backward(dgamma="(dout * cache.x).sum(axis=0)")},
        loses={"bn-backward-params-test", "bn-backward-dx-test"},
    ),
    # --- running statistics -------------------------------------------------------------
    Mistake(
        student="bn-running-momentum-swapped",
        notebook=NB,
        answers={"bn-running-stats": (
            "def update_running_stats(running_mean, running_var, batch_mean, batch_var, *,\n"
            "                         momentum=0.99):\n"
            "    new_mean = (1 - momentum) * running_mean + momentum * batch_mean\n"
            "    new_var = (1 - momentum) * running_var + momentum * batch_var\n"
            "    return new_mean, new_var\n")},
        loses={"bn-running-stats-test"},
    ),
    Mistake(
        student="bn-running-updates-in-place",  # right values, but the inputs change
        notebook=NB,
        answers={"bn-running-stats": (
            "def update_running_stats(running_mean, running_var, batch_mean, batch_var, *,\n"
            "                         momentum=0.99):\n"
            "    running_mean *= momentum\n"
            "    running_mean += (1 - momentum) * batch_mean\n"
            "    running_var *= momentum\n"
            "    running_var += (1 - momentum) * batch_var\n"
            "    return running_mean, running_var\n")},
        loses={"bn-running-stats-inputs-test"},
    ),
    # --- inference ----------------------------------------------------------------------
    Mistake(
        student="bn-inference-uses-batch-stats",
        notebook=NB,
        answers={"bn-inference": (
            "def batchnorm_inference(x, gamma, beta, running_mean, running_var, *, eps=1e-3):\n"
            "    mu, var = x.mean(axis=0), x.var(axis=0)\n"
            "    return gamma * (x - mu) / np.sqrt(var + eps) + beta\n")},
        loses={"bn-inference-test"},
    ),
    Mistake(
        student="bn-inference-eps-outside-sqrt",
        notebook=NB,
        answers={"bn-inference": (
            "def batchnorm_inference(x, gamma, beta, running_mean, running_var, *, eps=1e-3):\n"
            "    return gamma * (x - running_mean) / (np.sqrt(running_var) + eps) + beta\n")},
        loses={"bn-inference-test"},
    ),
    # questions
    # log(0.01)/log(0.99) = 458.2
    wrong_answer("bn-q-batches-rounded-down", NB, "bn-q-batches-to-one-percent", "458"),
    # the slide's wording
    wrong_answer("bn-q-whole-training-set", NB, "bn-q-inference-statistics", '"a"'),
]
