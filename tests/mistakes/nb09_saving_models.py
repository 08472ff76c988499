"""Known-wrong answers for 09_saving_models.

Answer cells: ``save-restore`` (``save_and_restore``), ``save-huber-loss`` (the ``HuberLoss``
class), ``save-reload-loss`` (``reload_with_loss``, which uses ``HuberLoss``) and the three
questions. The two ``save_and_restore`` tests build their own models, so a mistake in one way
of restoring loses only that way's test. ``reload_with_loss`` saves a model compiled with the
student's ``HuberLoss``: a wrong loss or a ``get_config`` without ``delta`` loses the reload
test as well (a delta the file cannot remember is exactly what that test checks).
"""

from course_grader.pipeline import Mistake

NB = "09_saving_models"

_RESTORE = '''def save_and_restore(model, how):
    if how == "json":
        {json}
    with tempfile.TemporaryDirectory() as folder:
        if how == "keras":
            path = os.path.join(folder, "model.keras")
            model.save(path)
            return keras.models.load_model(path)
        if how == "weights":
            path = os.path.join(folder, "model.weights.h5")
            model.save_weights(path)
            copy = keras.models.clone_model(model)
            {load}
            return copy
    raise ValueError(f'`how` must be "keras", "weights" or "json". Received: how={{how!r}}.')
'''


def _restore(json="return keras.models.model_from_json(model.to_json())",
             load="copy.load_weights(path)") -> str:
    return _RESTORE.format(json=json, load=load)


_HUBER = '''@keras.saving.register_keras_serializable(package="course")
class HuberLoss(keras.losses.Loss):
    def __init__(self, delta=1.0, name="huber_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.delta = float(delta)

    def call(self, y_true, y_pred):
        y_pred = keras.ops.convert_to_tensor(y_pred)
        y_true = keras.ops.cast(y_true, y_pred.dtype)
        error = keras.ops.abs(y_true - y_pred)
        quadratic = 0.5 * keras.ops.square(error)
        linear = self.delta * (error - 0.5 * self.delta)
        return keras.ops.{reduce}(keras.ops.where(error <= self.delta, quadratic, linear), axis=-1)

    def get_config(self):
        return {config}
'''


def _huber(reduce="mean", config='{**super().get_config(), "delta": self.delta}') -> str:
    return _HUBER.format(reduce=reduce, config=config)


_RELOAD = '''def reload_with_loss(model, delta):
    model.compile(optimizer="sgd", loss=HuberLoss(delta=delta))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        restored = keras.models.load_model(path{compile})
    return restored.loss
'''

MISTAKES = [
    Mistake(
        student="save-weights-not-loaded",  # the same architecture, but its fresh weights
        notebook=NB,
        answers={"save-restore": _restore(load="pass")},
        loses={"save-restore-keras-test"},
    ),
    Mistake(
        student="save-json-copies-weights",  # "architecture only" with the weights copied in
        notebook=NB,
        answers={"save-restore": _restore(
            json="copy = keras.models.model_from_json(model.to_json())\n"
                 "        copy.set_weights(model.get_weights())\n"
                 "        return copy")},
        loses={"save-restore-json-test"},
    ),
    Mistake(
        student="save-huber-sum-over-outputs",
        notebook=NB,
        answers={"save-huber-loss": _huber(reduce="sum")},
        loses={"save-huber-loss-test", "save-huber-config-test", "save-reload-loss-test"},
    ),
    Mistake(
        student="save-huber-config-without-delta",  # the loaded loss gets the default delta
        notebook=NB,
        answers={"save-huber-loss": _huber(config="super().get_config()")},
        loses={"save-huber-config-test", "save-reload-loss-test"},
    ),
    Mistake(
        student="save-reload-compile-false",  # compile=False drops the loss: restored.loss None
        notebook=NB,
        answers={"save-reload-loss": _RELOAD.format(compile=", compile=False")},
        loses={"save-reload-loss-test"},
    ),
    Mistake(
        student="save-questions-wrong",  # every moving statistic counted, weights, "loads it"
        notebook=NB,
        answers={
            "save-q-non_trainable": "answer_non_trainable = 4\n",
            "save-q-resume": 'answer_resume = "b"\n',
            "save-q-safe_mode": 'answer_safe_mode = "a"\n',
        },
        loses={"save-q-non_trainable-test", "save-q-resume-test", "save-q-safe_mode-test"},
    ),
]
