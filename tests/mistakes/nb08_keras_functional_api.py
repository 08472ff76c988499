"""Known-wrong answers for 08_keras_functional_api.

Grading this notebook costs a Keras kernel per submission, so each wrong submission here
carries two independent mistakes (in answer cells whose tests share nothing): together they
cover every answer cell. The tests of each exercise build their models only with that
exercise's function, so a mistake loses exactly the test cells of its own answer.
"""

from course_grader.pipeline import Mistake

NB = "08_keras_functional_api"

_TWO_HEADS = '''def build_two_heads(input_dim, hidden, *, nine_weight=0.5, learning_rate=1e-3):
    inputs = keras.Input(shape=(input_dim,))
    trunk = keras.layers.Dense(hidden, activation="relu", name="trunk")(inputs)
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(trunk)
    is_nine = keras.layers.Dense(1, activation="sigmoid", name="is_nine")(trunk)
    model = keras.Model(inputs, [digit, is_nine])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss={"digit": "categorical_crossentropy", "is_nine": "binary_crossentropy"})
    return model
'''

_TWO_ENCODERS = '''def build_siamese(input_dim, units):
    left = keras.Input(shape=(input_dim,), name="left")
    right = keras.Input(shape=(input_dim,), name="right")
    encoded_left = keras.layers.Dense(units, activation="tanh", name="encoder")(left)
    encoded_right = keras.layers.Dense(units, activation="tanh", name="encoder_right")(right)
    both = keras.layers.Concatenate()([encoded_left, encoded_right])
    output = keras.layers.Dense(1, activation="sigmoid", name="same")(both)
    return keras.Model([left, right], output)
'''

_NO_SKIP = '''def build_residual(dim):
    inputs = keras.Input(shape=(dim,))
    h = keras.layers.Dense(dim, activation="relu")(inputs)
    f = keras.layers.Dense(dim)(h)
    outputs = keras.layers.Activation("relu")(f)
    return keras.Model(inputs, outputs)
'''

MISTAKES = [
    Mistake(
        # the hidden layers are linear, so the MLP is one linear map; and the shared encoder's
        # parameters are counted once per call
        student="keras-mlp-no-hidden-activation",
        notebook=NB,
        answers={
            "keras-mlp": (
                "def build_mlp(input_dim, hidden, n_classes):\n"
                "    inputs = keras.Input(shape=(input_dim,))\n"
                "    x = inputs\n"
                "    for width in hidden:\n"
                "        x = keras.layers.Dense(width)(x)\n"
                "    outputs = keras.layers.Dense(n_classes, activation='softmax')(x)\n"
                "    return keras.Model(inputs, outputs)\n"),
            "keras-q-shared-params": "answer_shared_params = 2113\n",
        },
        loses={"keras-mlp-structure-test", "keras-mlp-outputs-test",
               "keras-q-shared-params-test"},
    ),
    Mistake(
        # compiled without loss_weights (both heads weigh 1); the total read as the plain sum
        student="keras-heads-no-loss-weights",
        notebook=NB,
        answers={"keras-two-heads": _TWO_HEADS,
                 "keras-q-total-loss": "answer_total_loss = 1.4\n"},
        loses={"keras-two-heads-loss-test", "keras-q-total-loss-test"},
    ),
    Mistake(
        # two encoders of the same size instead of one shared; Dropout taken for a reason to
        # leave Sequential
        student="keras-siamese-two-encoders",
        notebook=NB,
        answers={"keras-siamese": _TWO_ENCODERS,
                 "keras-q-needs-functional": 'answer_needs_functional = "a"\n'},
        loses={"keras-siamese-test", "keras-q-needs-functional-test"},
    ),
    Mistake(
        # the block without its skip connection; the features of a layer taken at its input
        student="keras-residual-no-skip",
        notebook=NB,
        answers={
            "keras-residual": _NO_SKIP,
            "keras-features": ("def feature_extractor(model, layer_name):\n"
                               "    return keras.Model(model.inputs, "
                               "model.get_layer(layer_name).input)\n"),
        },
        loses={"keras-residual-test", "keras-features-test"},
    ),
]
