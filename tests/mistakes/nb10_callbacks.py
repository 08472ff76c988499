"""Known-wrong answers for 10_callbacks.

Answer cells: ``callbacks-smoothed-loss`` (``ema`` and the ``SmoothedLoss`` callback),
``callbacks-precision-recall`` (``precision``, ``recall`` and the ``ValidationPrecisionRecall``
callback) and the two questions. The tests call the hooks directly with synthetic ``logs`` and,
for precision and recall, logistic units whose weights the test sets, so a mistake in one
callback loses only that callback's tests. No test reads a ``logs`` dict back after a hook
had it: in the re-check the hooks get copies, so a check on it could not be trusted.
"""

from course_grader.pipeline import Mistake

NB = "10_callbacks"

_SMOOTHED = '''def ema(values, beta=0.9):
    theta = np.asarray(values, dtype=np.float64)
    v = np.zeros(len(theta))
    v_prev = 0.0
    for i, theta_t in enumerate(theta):
        v_prev = beta * v_prev + (1.0 - beta) * theta_t
        v[i] = v_prev
    return v


class SmoothedLoss(keras.callbacks.Callback):
    def __init__(self, beta=0.9):
        super().__init__()
        self.beta = beta
        self.losses = []
        self.smoothed = []

    def on_train_begin(self, logs=None):
        {reset}

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))
        t = len(self.losses)
        v_t = ema(np.array(self.losses), self.beta)[-1]
        self.smoothed.append(float({corrected}))
'''


def _smoothed(reset="self.losses = []\n        self.smoothed = []",
              corrected="v_t / (1.0 - self.beta**t)") -> str:
    return _SMOOTHED.format(reset=reset, corrected=corrected)


_PRECISION_RECALL = '''def precision(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true != 1)))
    return tp / (tp + fp) if tp + fp > 0 else 0.0


def recall(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fn = int(np.sum((y_pred != 1) & (y_true == 1)))
    return tp / (tp + fn) if tp + fn > 0 else 0.0


class ValidationPrecisionRecall(keras.callbacks.Callback):
    def __init__(self, x_val, y_val, threshold=0.5):
        super().__init__()
        self.x_val = x_val
        self.y_val = y_val
        self.threshold = threshold
        self.history = {{"val_precision": [], "val_recall": []}}

    def on_train_begin(self, logs=None):
        self.history = {{"val_precision": [], "val_recall": []}}

    def on_epoch_end(self, epoch, logs=None):
        y_prob = np.asarray(self.model(self.x_val, training=False)).ravel()
        y_pred = (y_prob >= {threshold}).astype(np.int64)
        scores = {{"val_precision": float({first}(self.y_val, y_pred)),
                  "val_recall": float({second}(self.y_val, y_pred))}}
        for key, value in scores.items():
            self.history[key].append(value)
            if logs is not None:
                logs[key] = value
'''


def _precision_recall(threshold="self.threshold", first="precision", second="recall") -> str:
    return _PRECISION_RECALL.format(threshold=threshold, first=first, second=second)


MISTAKES = [
    Mistake(
        student="callbacks-smoothed-no-bias-correction",
        notebook=NB,
        answers={"callbacks-smoothed-loss": _smoothed(corrected="v_t")},
        loses={"callbacks-smoothed-loss-test", "callbacks-smoothed-reset-test"},
    ),
    Mistake(
        student="callbacks-smoothed-no-reset",  # a second fit continues the old average
        notebook=NB,
        answers={"callbacks-smoothed-loss": _smoothed(reset="pass")},
        loses={"callbacks-smoothed-reset-test"},
    ),
    Mistake(
        student="callbacks-precision-recall-swapped",
        notebook=NB,
        answers={"callbacks-precision-recall": _precision_recall(first="recall",
                                                                 second="precision")},
        loses={"callbacks-precision-recall-test"},
    ),
    Mistake(
        student="callbacks-threshold-ignored",  # always 0.5
        notebook=NB,
        answers={"callbacks-precision-recall": _precision_recall(threshold="0.5")},
        loses={"callbacks-precision-recall-test"},
    ),
    Mistake(
        student="callbacks-questions-wrong",  # epochs counted from 1; "Keras sorts them"
        notebook=NB,
        answers={
            "callbacks-q-stop_epoch": "answer_stop_epoch = 8\n",
            "callbacks-q-order": 'answer_order = "a"\n',
        },
        loses={"callbacks-q-stop_epoch-test", "callbacks-q-order-test"},
    ),
]
