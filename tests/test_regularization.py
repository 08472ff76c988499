"""course_utils.regularization against keras.regularizers, keras.layers.Dropout,
tf.GradientTape and keras.callbacks.EarlyStopping."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest

from course_utils import regularization as reg_module
from course_utils._validation import CourseInputError
from course_utils.keras_helpers import keras, tf
from course_utils.regularization import (
    dropout_backward,
    dropout_forward,
    early_stopping_epoch,
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
)
from course_utils.testing import numerical_gradient_array, rel_error

SEEDS = [0, 1, 2]


def random_kernels(seed: int, shapes=((5, 4), (4, 3), (3,))):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=rng.uniform(0.1, 3.0), size=s) for s in shapes]


# --------------------------------------------------------------------------- penalties


def test_penalties_hand_computed():
    w = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert l2_penalty(w, lam=0.5) == pytest.approx(0.5 / 2 * 14.0, rel=1e-15)
    assert l1_penalty(w, lam=0.5) == pytest.approx(0.5 * 6.0, rel=1e-15)
    np.testing.assert_array_equal(l2_penalty_grad(w, lam=0.5), 0.5 * w)
    np.testing.assert_array_equal(l1_penalty_grad(w, lam=0.5),
                                  [[0.5, -0.5], [0.0, 0.5]])  # 0 at 0
    assert type(l2_penalty(w, lam=0.5)) is float and type(l1_penalty(w, lam=0.5)) is float


def test_penalties_sum_over_layers_and_keep_the_structure():
    kernels = random_kernels(3)
    assert l2_penalty(kernels, lam=0.3) == pytest.approx(
        sum(l2_penalty(w, lam=0.3) for w in kernels), rel=1e-14)
    assert l1_penalty(tuple(kernels), lam=0.3) == pytest.approx(
        sum(l1_penalty(w, lam=0.3) for w in kernels), rel=1e-14)
    for grad in (l2_penalty_grad, l1_penalty_grad):
        as_list, as_tuple = grad(kernels, lam=0.3), grad(tuple(kernels), lam=0.3)
        assert type(as_list) is list and type(as_tuple) is tuple
        assert type(grad(kernels[0], lam=0.3)) is np.ndarray
        for g, w in zip(as_list, kernels, strict=True):
            assert g.shape == w.shape and g.dtype == np.float64
    assert l2_penalty(kernels, lam=0.0) == 0.0 and l1_penalty(kernels, lam=0.0) == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_penalties_match_keras_regularizers_float64(seed):
    lam = float(np.random.default_rng(seed).uniform(1e-4, 2.0))
    for w in random_kernels(seed):
        # the lecture's lam / 2 * ||W||^2 is Keras's L2(lam / 2)
        # (Keras keeps the coefficient as a float32 constant: agreement to about 1e-7)
        expected_l2 = float(keras.regularizers.L2(lam / 2)(tf.constant(w)))
        expected_l1 = float(keras.regularizers.L1(lam)(tf.constant(w)))
        assert l2_penalty(w, lam=lam) == pytest.approx(expected_l2, rel=1e-6)
        assert l1_penalty(w, lam=lam) == pytest.approx(expected_l1, rel=1e-6)
        assert l2_penalty(w, lam=lam) != pytest.approx(
            float(keras.regularizers.L2(lam)(tf.constant(w))), rel=1e-3)  # not L2(lam)


def test_model_losses_equal_the_l2_penalty_of_every_kernel():
    lam = 0.01
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        keras.layers.Dense(5, activation="relu", kernel_regularizer=keras.regularizers.L2(lam / 2),
                           bias_initializer="ones"),
        keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(lam / 2)),
    ])
    model(np.zeros((1, 6), "float32"))
    kernels = [layer.kernel.numpy() for layer in model.layers]
    total = float(sum(float(loss) for loss in model.losses))
    assert len(model.losses) == 2
    assert total == pytest.approx(l2_penalty(kernels, lam=lam), rel=1e-6)
    biases = [layer.bias.numpy() for layer in model.layers]
    assert total != pytest.approx(l2_penalty(kernels + biases, lam=lam), rel=1e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_tensorflow_gradient_tape(seed):
    lam = float(np.random.default_rng(seed + 10).uniform(1e-3, 1.0))
    kernels = random_kernels(seed)
    kernels[0][0, :2] = 0.0  # exact zeros: TensorFlow's subgradient of |w| there is 0
    variables = [tf.Variable(w) for w in kernels]
    with tf.GradientTape(persistent=True) as tape:
        l2 = tf.add_n([keras.regularizers.L2(lam / 2)(v) for v in variables])
        l1 = tf.add_n([keras.regularizers.L1(lam)(v) for v in variables])
    for ours, theirs in [(l2_penalty_grad(kernels, lam=lam), tape.gradient(l2, variables)),
                         (l1_penalty_grad(kernels, lam=lam), tape.gradient(l1, variables))]:
        for g, t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(g, t.numpy(), rtol=1e-6, atol=1e-12)
    assert l1_penalty_grad(kernels, lam=lam)[0][0, 0] == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_numerical_gradient(seed):
    w = random_kernels(seed, shapes=((4, 3),))[0]
    w[np.abs(w) < 1e-3] = 0.5  # keep away from the kink of |w|
    for penalty, grad in [(l2_penalty, l2_penalty_grad), (l1_penalty, l1_penalty_grad)]:
        num = numerical_gradient_array(lambda z, p=penalty: np.array(p(z, lam=0.7)), w,
                                       np.array(1.0))
        assert rel_error(grad(w, lam=0.7), num) < 1e-7


def test_weight_decay_is_one_sgd_step_on_loss_plus_l2():
    rng = np.random.default_rng(5)
    w, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    lr, lam = 0.1, 0.05
    step = w - lr * (g + l2_penalty_grad(w, lam=lam))
    np.testing.assert_allclose(step, w * (1 - lr * lam) - lr * g, rtol=1e-14)


# --------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_dropout_statistics_match_keras_dropout(rate):
    x = np.ones((200, 250))
    n = x.size
    tol = 5 * np.sqrt(rate * (1 - rate) / n)  # five binomial standard deviations
    keras.utils.set_random_seed(int(rate * 100))
    theirs = keras.layers.Dropout(rate)(x.astype("float32"), training=True).numpy()
    out, mask = dropout_forward(x, rate=rate, training=True, rng=int(rate * 100))
    for name, y in [("keras", theirs), ("ours", out)]:
        assert abs(np.mean(y == 0) - rate) < tol, name
    # kept units are scaled by exactly 1 / (1 - rate)
    np.testing.assert_array_equal(np.unique(theirs), np.float32([0.0, 1.0 / (1.0 - rate)]))
    np.testing.assert_array_equal(np.unique(out), [0.0, 1.0 / (1.0 - rate)])
    np.testing.assert_array_equal(out, x * mask)
    assert abs(out.mean() - 1.0) < 5 * np.sqrt(rate / (1 - rate) / n)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_is_the_identity_at_inference_like_keras(seed):
    x = np.random.default_rng(seed).normal(size=(7, 9))
    theirs = keras.layers.Dropout(0.5, dtype="float64")(x, training=False).numpy()
    np.testing.assert_array_equal(theirs, x)
    out, mask = dropout_forward(x, rate=0.5, training=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(mask, np.ones_like(x))
    assert not np.shares_memory(out, x)


def test_dropout_rate_zero_keeps_everything_and_same_seed_repeats():
    x = np.random.default_rng(0).normal(size=(5, 5))
    out, mask = dropout_forward(x, rate=0.0, training=True, rng=1)
    np.testing.assert_array_equal(out, x)
    a = dropout_forward(x, rate=0.4, training=True, rng=np.random.default_rng(3))
    b = dropout_forward(x, rate=0.4, training=True, rng=3)
    np.testing.assert_array_equal(a[1], b[1])  # an int seed is default_rng(seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_backward_matches_tensorflow_with_the_same_mask(seed):
    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(6, 8)), rng.normal(size=(6, 8))
    out, mask = dropout_forward(x, rate=0.3, training=True, rng=seed)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(xv * mask * dout)
    np.testing.assert_allclose(dropout_backward(dout, mask), tape.gradient(loss, xv).numpy(),
                               rtol=1e-14)
    num = numerical_gradient_array(lambda z: z * mask, x, dout)
    assert rel_error(dropout_backward(dout, mask), num) < 1e-7
    np.testing.assert_array_equal(dropout_backward(dout, mask)[mask == 0], 0.0)


# --------------------------------------------------------------------------- early stopping


@pytest.fixture(scope="module")
def keras_early_stopping():
    """A function that runs keras.callbacks.EarlyStopping on a recorded sequence of values.

    The model's single weight is set to the epoch number before each ``on_epoch_end``, so the
    weight after ``on_train_end`` says which epoch ``restore_best_weights`` restored.
    """
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, use_bias=False)])

    def run(values, *, patience, min_delta=0.0, mode="min", baseline=None):
        cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                           min_delta=min_delta, mode=mode, baseline=baseline,
                                           restore_best_weights=True)
        cb.set_model(model)
        model.stop_training = False
        cb.on_train_begin()
        for epoch, value in enumerate(values):
            model.set_weights([np.full((1, 1), epoch, "float32")])
            cb.on_epoch_end(epoch, {"val_loss": float(value)})
            if model.stop_training:
                break
        cb.on_train_end()
        restored = int(model.get_weights()[0][0, 0])
        return (cb.stopped_epoch if cb.stopped_epoch > 0 else None), cb.best_epoch, restored

    return run


def _adversarial_sequences():
    nan, inf = float("nan"), float("inf")
    yield [1.0]
    yield [1.0, 1.0, 1.0, 1.0, 1.0]                      # a plateau from the start
    yield [3.0, 2.0, 2.0, 2.0, 2.0, 1.0]                 # ties are not improvements
    yield [3.0, 2.0, 2.5, 2.0, 2.0, 1.9]
    yield [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]                 # monotone, both modes
    yield [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    yield [nan, 1.0, 0.5, 0.2, 0.1]                      # NaN first: never beaten
    yield [1.0, nan, 0.9, nan, nan, nan, 0.1]            # NaN in the middle: no improvement
    yield [1.0, 0.5, inf, inf, -inf, 0.2]
    yield [0.5, 0.375, 0.25, 0.25, 0.125, 0.125, 0.0]    # dyadic: exact min_delta ties
    yield [0.30000001, 0.3, 0.3, 0.29999999, 0.2]        # equal in float32
    yield [1.0, 0.999999, 0.9999995, 0.5, 0.5, 0.5, 0.5]
    yield list(np.repeat([2.0, 1.0, 1.5], 4))


def _settings():
    for patience, min_delta, mode, baseline in itertools.product(
            [0, 1, 2, 4], [0.0, 0.125, 0.25], ["min", "max"], [None, 0.5, 2.0]):
        yield dict(patience=patience, min_delta=min_delta, mode=mode, baseline=baseline)


def test_early_stopping_matches_keras_on_adversarial_sequences(keras_early_stopping):
    checked = 0
    for values in _adversarial_sequences():
        for settings in _settings():
            want_stop, want_best, restored = keras_early_stopping(values, **settings)
            got = early_stopping_epoch(values, **settings)
            assert got == (want_stop, want_best), (values, settings, got)
            assert restored == want_best  # restore_best_weights restores best_epoch
            checked += 1
    assert checked == 13 * 72


def test_early_stopping_matches_keras_on_random_sequences(keras_early_stopping):
    rng = np.random.default_rng(0)
    stops = 0
    for _ in range(300):
        n = int(rng.integers(1, 30))
        curve = 1.0 + np.cumsum(rng.normal(-0.02, 0.1, size=n))
        decimals = int(rng.integers(1, 4))  # rounding makes ties and plateaus
        values = np.round(curve, decimals).tolist()
        settings = dict(patience=int(rng.integers(0, 6)),
                        min_delta=float(rng.choice([0.0, 0.01, 0.05])),
                        mode=str(rng.choice(["min", "max"])),
                        baseline=None if rng.random() < 0.6 else float(rng.normal(1.0, 0.3)))
        if rng.random() < 0.1:
            values[int(rng.integers(0, n))] = float("nan")
        want_stop, want_best, restored = keras_early_stopping(values, **settings)
        assert early_stopping_epoch(values, **settings) == (want_stop, want_best), (
            values, settings)
        assert restored == want_best
        stops += want_stop is not None
    assert 50 < stops < 290  # both outcomes are well represented


def test_early_stopping_matches_a_real_fit():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1)) + rng.normal(scale=2.0, size=(64, 1))).astype("float32")
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x[:16], y[:16], validation_data=(x[16:], y[16:]), epochs=40,
                        batch_size=16, verbose=0, callbacks=[stop])
    recorded = history.history["val_loss"]
    keras_stopped = stop.stopped_epoch if stop.stopped_epoch > 0 else None
    assert early_stopping_epoch(recorded, patience=2) == (keras_stopped, stop.best_epoch)
    assert len(recorded) == (40 if keras_stopped is None else keras_stopped + 1)


def test_early_stopping_hand_cases():
    # best at epoch 1 (0.8); epochs 2 and 3 do not improve: wait reaches 2 at epoch 3
    assert early_stopping_epoch([1.0, 0.8, 0.9, 0.85, 0.95], patience=2) == (3, 1)
    assert early_stopping_epoch([1.0, 0.8, 0.9, 0.85, 0.95], patience=3) == (4, 1)
    assert early_stopping_epoch([1.0, 0.8, 0.9, 0.85, 0.95], patience=4) == (None, 1)
    # min_delta: 0.79 is not 0.05 better than 0.8
    assert early_stopping_epoch([1.0, 0.8, 0.79, 0.78], patience=2, min_delta=0.05) == (3, 1)
    # mode="max" for an accuracy
    assert early_stopping_epoch([0.5, 0.7, 0.6, 0.65], patience=2, mode="max") == (3, 1)
    # an improvement that does not beat the baseline does not reset the wait
    assert early_stopping_epoch([1.0, 0.9, 0.95, 0.97], patience=2) == (3, 1)
    assert early_stopping_epoch([1.0, 0.9, 0.95, 0.97], patience=2, baseline=0.5) == (2, 1)
    # ... but training never stops at an improvement
    assert early_stopping_epoch([1.0, 0.9, 0.8, 0.7], patience=1, baseline=0.5) == (None, 3)


# --------------------------------------------------------------------------- plots


def test_plots_have_titles_labels_and_legends():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import plotting

    lams = np.logspace(-3, 1, 5)
    paths = {"L1": np.array([[0.5, -0.2], [0.3, 0.0], [0.1, 0.0], [0.0, 0.0], [0.0, 0.0]]),
             "L2": np.array([[0.5, -0.2], [0.4, -0.15], [0.3, -0.1], [0.1, -0.05],
                             [0.01, -0.005]])}
    coefficient_axes = plotting.plot_coefficient_paths(lams, paths, feature_names=["a", "b"])
    assert "2 of 2 coefficients exactly 0" in coefficient_axes[0].get_title()
    assert "0 of 2 coefficients exactly 0" in coefficient_axes[1].get_title()
    history = {"accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.5, 0.7, 0.65]}
    history_axes = plotting.plot_regularized_histories({"none": history, "L2": history},
                                                       metric="accuracy", ylabel="accuracy")
    assert "epoch 1" in history_axes[0].get_legend().get_texts()[-1].get_text()
    for ax in [*coefficient_axes, *history_axes]:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert coefficient_axes[-1].get_legend() is not None
    plt.close("all")


# --------------------------------------------------------------------------- purity


def _pure_calls():
    kernels = random_kernels(7)
    x = np.random.default_rng(7).normal(size=(4, 5))
    mask = dropout_forward(x, rate=0.5, training=True, rng=0)[1]
    return {
        "l2_penalty": (l2_penalty, (kernels,), {"lam": 0.1}),
        "l2_penalty_grad": (l2_penalty_grad, (kernels,), {"lam": 0.1}),
        "l1_penalty": (l1_penalty, (kernels[0],), {"lam": 0.1}),
        "l1_penalty_grad": (l1_penalty_grad, (kernels,), {"lam": 0.1}),
        "dropout_forward": (dropout_forward, (x,), {"rate": 0.5, "training": True, "rng": 0}),
        "dropout_backward": (dropout_backward, (x, mask), {}),
        "early_stopping_epoch": (early_stopping_epoch, (np.array([1.0, 0.5, 0.7, 0.8]),),
                                 {"patience": 1}),
    }


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [a for item in obj for a in _arrays(item)]
    return []


def test_purity_covers_every_public_function():
    public = {name for name in reg_module.__all__
              if inspect.isfunction(getattr(reg_module, name))}
    assert public == set(_pure_calls())


@pytest.mark.parametrize("name", sorted(_pure_calls()))
def test_pure_functions_do_not_modify_or_alias_their_inputs(name):
    fn, args, kwargs = _pure_calls()[name]
    inputs = _arrays(args)
    copies = [a.copy() for a in inputs]
    for a in inputs:
        a.flags.writeable = False
    result = fn(*args, **kwargs)
    for a, c in zip(inputs, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    for out in _arrays(result):
        assert out.dtype == np.float64
        assert not any(np.shares_memory(out, a) for a in inputs), name
    again = fn(*args, **kwargs)
    for a, b in zip(_arrays(result), _arrays(again), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: l2_penalty(np.ones(3), lam=-0.1), r"`lam` must be >= 0\. Received: lam=-0\.1"),
        (lambda: l1_penalty(np.ones(3), lam=float("nan")), r"`lam` must be finite"),
        (lambda: l2_penalty_grad(np.ones(3), lam="0.1"), r"`lam` must be a real number"),
        (lambda: l1_penalty_grad([], lam=0.1), r"`weights` is an empty sequence"),
        (lambda: l2_penalty([np.ones(2), np.array([1.0, np.nan])], lam=0.1),
         r"`weights\[1\]` contains NaN"),
        (lambda: l2_penalty(None, lam=0.1), r"`weights` is None"),
        (lambda: l2_penalty({"W1": np.ones(2)}, lam=0.1),
         r"`weights` must be an array or a list of arrays\. Received: dict"),
        (lambda: dropout_forward(np.ones(3), rate=1.0, training=True, rng=0),
         r"`rate` must be a float between 0 \(included\) and 1 \(excluded\)\. "
         r"Received: rate=1\.0.*\n.*DROPPING"),
        (lambda: dropout_forward(np.ones(3), rate=-0.2, training=False),
         r"`rate` must be a float between 0"),
        (lambda: dropout_forward(np.ones(3), rate=0.5, training=True),
         r"`rng` is required when training=True.*\n.*default_rng"),
        (lambda: dropout_forward(np.ones(3), rate=0.5, training=True, rng=0.5),
         r"`rng` must be a numpy Generator or an int seed"),
        (lambda: dropout_forward(np.ones(3), rate=0.5, training="yes", rng=0),
         r"`training` must be True or False"),
        (lambda: dropout_backward(np.ones((2, 3)), np.ones((3, 2))),
         r"`dout` and `mask` must have the same shape.*\n.*same forward call"),
        (lambda: early_stopping_epoch([], patience=1), r"`values` must be a non-empty 1-D"),
        (lambda: early_stopping_epoch([[1.0, 2.0]], patience=1),
         r"values\.shape=\(1, 2\)"),
        (lambda: early_stopping_epoch([1.0, 2.0], patience=-1),
         r"`patience` must be an integer >= 0"),
        (lambda: early_stopping_epoch([1.0, 2.0], patience=1.5),
         r"`patience` must be an integer >= 0"),
        (lambda: early_stopping_epoch([1.0, 2.0], patience=1, min_delta=-0.1),
         r"`min_delta` must be >= 0"),
        (lambda: early_stopping_epoch([1.0, 2.0], patience=1, mode="auto"),
         r"`mode` must be 'min' or 'max'"),
        (lambda: early_stopping_epoch(None, patience=1), r"`values` is None"),
        (lambda: early_stopping_epoch(["a", "b"], patience=1), r"`values` must be numbers"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_course_errors_that_name_the_argument(call, pattern):
    with pytest.raises(CourseInputError, match=pattern) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert "Hint:" in str(info.value)
