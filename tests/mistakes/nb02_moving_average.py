"""Known-wrong answers for 02_moving_average.

Answer cells: ``ema-ema`` (``ema``), ``ema-weights`` (``ema_weights``) and
``ema-bias-corrected`` (``ema_bias_corrected``, built on the student's ``ema``).

Independence, on purpose: while ``ema-bias-corrected-test`` runs, the name ``ema`` is bound to
the reference ``course_utils.ema.ema`` (and restored afterwards), so a wrong ``ema`` loses only
the ``ema`` test cells and a correct correction built on it keeps its points (see
``ema-v0-first-value``). A student who re-implements the loop inside ``ema_bias_corrected``
is graded on that loop. ``ema-weights-test`` compares with the reference only.
"""

from course_grader.pipeline import Mistake
from tests.mistakes import wrong_answer

NB = "02_moving_average"

_EMA_V0_FIRST = """\
def ema(values, beta=0.9):
    values = np.asarray(values, dtype=float)
    v = np.zeros(len(values))
    v[0] = values[0]  # V_1 = theta_1 instead of 0.1 * theta_1
    for t in range(1, len(values)):
        v[t] = beta * v[t - 1] + (1 - beta) * values[t]
    return v
"""

_EMA_BETA_SWAPPED = """\
def ema(values, beta=0.9):
    v = np.zeros(len(values))
    prev = 0.0
    for i, theta in enumerate(values):
        prev = (1 - beta) * prev + beta * theta
        v[i] = prev
    return v
"""

_EMA_INCLUDES_V0 = """\
def ema(values, beta=0.9):
    v = np.zeros(len(values))  # v[0] = V_0 = 0, so everything is shifted by one
    for t in range(1, len(values)):
        v[t] = beta * v[t - 1] + (1 - beta) * values[t - 1]
    return v
"""

_EMA_MUTATES_INPUT = """\
def ema(values, beta=0.9):
    v = values  # no copy: the loop overwrites the caller's array
    v[0] = (1 - beta) * v[0]
    for t in range(1, len(v)):
        v[t] = beta * v[t - 1] + (1 - beta) * v[t]
    return v
"""

_EMA_RETURNS_LIST = """\
def ema(values, beta=0.9):
    out, v = [], 0.0
    for theta in values:
        v = beta * v + (1 - beta) * theta
        out.append(v)
    return out
"""

_CORRECTED_MISSING = """\
def ema_bias_corrected(values, beta=0.9):
    return ema(values, beta)
"""

_CORRECTED_T_FROM_ZERO = """\
def ema_bias_corrected(values, beta=0.9):
    v = ema(values, beta)
    t = np.arange(len(v))  # 0, 1, ...: the first value is divided by 1 - beta**0 = 0
    return v / (1 - beta ** t)
"""

_CORRECTED_SHIFTED_POWER = """\
def ema_bias_corrected(values, beta=0.9):
    v = ema(values, beta)
    t = np.arange(1, len(v) + 1)
    return v / (1 - beta ** (t + 1))
"""

_CORRECTED_OWN_LOOP_V0_FIRST = """\
def ema_bias_corrected(values, beta=0.9):
    v = np.zeros(len(values))
    v[0] = values[0]
    for t in range(1, len(values)):
        v[t] = beta * v[t - 1] + (1 - beta) * values[t]
    return v / (1 - beta ** np.arange(1, len(values) + 1))
"""

_WEIGHTS_REVERSED = """\
def ema_weights(t, beta=0.9):
    return (1 - beta) * beta ** np.arange(t)
"""

_WEIGHTS_NO_ONE_MINUS_BETA = """\
def ema_weights(t, beta=0.9):
    return beta ** (t - np.arange(1, t + 1))
"""


MISTAKES = [
    # ema: values (the correction cell keeps its points: it runs on the reference ema)
    Mistake(student="ema-v0-first-value", notebook=NB, answers={"ema-ema": _EMA_V0_FIRST},
            loses={"ema-ema-test"}),
    Mistake(student="ema-beta-swapped", notebook=NB, answers={"ema-ema": _EMA_BETA_SWAPPED},
            loses={"ema-ema-test"}),
    Mistake(student="ema-includes-v0", notebook=NB, answers={"ema-ema": _EMA_INCLUDES_V0},
            loses={"ema-ema-test"}),
    Mistake(student="ema-returns-list", notebook=NB, answers={"ema-ema": _EMA_RETURNS_LIST},
            loses={"ema-ema-test"}),
    # ema: right values, but it overwrites the caller's array
    Mistake(student="ema-mutates-input", notebook=NB, answers={"ema-ema": _EMA_MUTATES_INPUT},
            loses={"ema-ema-inputs-test"}),
    # ema_bias_corrected
    Mistake(student="ema-no-bias-correction", notebook=NB,
            answers={"ema-bias-corrected": _CORRECTED_MISSING},
            loses={"ema-bias-corrected-test"}),
    Mistake(student="ema-t-from-zero", notebook=NB,
            answers={"ema-bias-corrected": _CORRECTED_T_FROM_ZERO},
            loses={"ema-bias-corrected-test"}),
    Mistake(student="ema-correction-shifted-power", notebook=NB,
            answers={"ema-bias-corrected": _CORRECTED_SHIFTED_POWER},
            loses={"ema-bias-corrected-test"}),
    # a correction with its own (wrong) loop is graded on that loop
    Mistake(student="ema-correction-own-loop-v0-first", notebook=NB,
            answers={"ema-bias-corrected": _CORRECTED_OWN_LOOP_V0_FIRST},
            loses={"ema-bias-corrected-test"}),
    # ema_weights
    Mistake(student="ema-weights-reversed", notebook=NB,
            answers={"ema-weights": _WEIGHTS_REVERSED}, loses={"ema-weights-test"}),
    Mistake(student="ema-weights-no-one-minus-beta", notebook=NB,
            answers={"ema-weights": _WEIGHTS_NO_ONE_MINUS_BETA}, loses={"ema-weights-test"}),
    # questions
    # log(0.01)/log(0.9) = 43.7
    wrong_answer("ema-q-steps-rounded-down", NB, "ema-q-steps-to-one-percent", "43"),
    # the bias below 10 %, not 1 %
    wrong_answer("ema-q-steps-ten-percent", NB, "ema-q-steps-to-one-percent", "22"),
    # the slide's "arithmetic mean"
    wrong_answer("ema-q-window-as-mean", NB, "ema-q-what-ema-averages", '"a"'),
]
