"""course_utils.losses against keras.losses, numerical and TensorFlow gradients, invariants."""

from __future__ import annotations

import inspect
import warnings
import zlib

import numpy as np
import pytest

from course_utils import CourseInputError, losses
from course_utils.keras_helpers import keras, tf
from course_utils.losses import (
    EPSILON,
    LOSSES,
    binary_crossentropy,
    binary_crossentropy_grad,
    categorical_crossentropy,
    categorical_crossentropy_grad,
    huber,
    kl_divergence,
    kl_divergence_grad,
    mean_absolute_error,
    mean_absolute_error_grad,
    mean_squared_error,
    mean_squared_error_grad,
    sparse_categorical_crossentropy,
    sparse_categorical_crossentropy_grad,
)
from course_utils.testing import assert_close, assert_gradient_close, numerical_gradient

LOGIT_LOSSES = ("binary_crossentropy", "categorical_crossentropy",
                "sparse_categorical_crossentropy")
# (name, keyword options): every loss with its default options, plus the non-default ones.
VARIANTS = [(name, {}) for name in LOSSES] + [
    (name, {"from_logits": True}) for name in LOGIT_LOSSES
] + [("huber", {"delta": 0.3}), ("huber", {"delta": 2.5})]
VARIANT_IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in VARIANTS]

SHAPES = {"n1": (6, 1), "nk": (6, 4), "3d": (3, 5, 4), "1d": (4,)}


def _seed(*parts) -> int:
    """A seed derived from the test case (``hash`` of a str changes between processes)."""
    return zlib.crc32(repr(parts).encode())


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_inputs(name, shape, rng, *, from_logits=False, safe=False):
    """Valid (y_true, y_pred) for loss ``name``; ``safe`` keeps away from clips and kinks."""
    k = shape[-1]
    if name == "binary_crossentropy":
        y_true = rng.integers(0, 2, size=shape).astype(np.float64)
        y_true.flat[::3] = rng.uniform(0, 1, size=y_true.flat[::3].shape)  # soft labels too
        y_pred = (rng.normal(0, 3, size=shape) if from_logits
                  else rng.uniform(0.05, 0.95, size=shape) if safe
                  else rng.uniform(0, 1, size=shape))
    elif name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        labels = rng.integers(0, k, size=shape[:-1])
        if name == "sparse_categorical_crossentropy":
            y_true = labels
        else:
            y_true = (labels[..., None] == np.arange(k)).astype(np.float64)
            if k > 1 and len(shape) > 1:
                y_true[0] = rng.dirichlet(np.ones(k), size=shape[1:-1])  # a soft label row
        z = rng.normal(0, 1 if safe else 3, size=shape)
        y_pred = z if from_logits else _softmax(z)
    elif name == "kl_divergence":
        y_true = rng.dirichlet(np.ones(k), size=shape[:-1])
        y_pred = rng.dirichlet(np.ones(k), size=shape[:-1])
        if safe:
            y_pred = 0.5 * y_pred + 0.5 / k
    else:  # regression: residuals away from 0 and from the Huber switch points if `safe`
        y_true = rng.normal(0, 2, size=shape)
        size = rng.choice([0.2, 0.5, 0.7, 1.4, 2.0, 3.5], size=shape) + rng.uniform(0, 0.05, shape)
        y_pred = y_true + rng.choice([-1.0, 1.0], size=shape) * size
    return y_true, y_pred


def keras_loss(name, y_true, y_pred, **kw):
    with warnings.catch_warnings():  # Keras warns about categorical losses with k = 1
        warnings.simplefilter("ignore", SyntaxWarning)
        return np.asarray(getattr(keras.losses, name)(np.asarray(y_true), y_pred, **kw))


def tf_grad(name, y_true, y_pred, **kw):
    """d mean(keras loss) / d y_pred by TensorFlow's autodiff."""
    x = tf.Variable(np.asarray(y_pred, dtype=np.float64))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(getattr(keras.losses, name)(tf.constant(y_true), x, **kw))
    return tape.gradient(loss, x).numpy()


# ---------------------------------------------------------------------------- agreement with Keras

@pytest.mark.parametrize("shape_id", list(SHAPES))
@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_every_loss_matches_keras_on_random_inputs(name, kw, shape_id):
    shape = SHAPES[shape_id]
    rng = np.random.default_rng(_seed(name, shape_id))
    for _ in range(3):
        y_true, y_pred = make_inputs(name, shape, rng, from_logits=kw.get("from_logits", False))
        expected = keras_loss(name, y_true, y_pred, **kw)
        if expected.ndim == 0:
            expected = float(expected)  # a single sample gives a Python float
        assert_close(LOSSES[name][0](y_true, y_pred, **kw), expected,
                     name=f"{name}{kw} on shape {shape}", rtol=1e-6, atol=1e-12)


EXTREME_P = np.array([0.0, 1e-9, EPSILON, 1e-3, 0.5, 1 - 1e-3, 1 - EPSILON, 1 - 1e-9, 1.0])


def test_bce_matches_keras_on_extreme_probabilities():
    y_pred = np.tile(EXTREME_P, (2, 1))
    y_true = np.array([[0.0] * EXTREME_P.size, [1.0] * EXTREME_P.size])
    y_pred, y_true = y_pred.reshape(-1, 1), y_true.reshape(-1, 1)
    assert_close(binary_crossentropy(y_true, y_pred), keras_loss("binary_crossentropy",
                 y_true, y_pred), name="bce at extreme probabilities", rtol=1e-6, atol=1e-15)
    # the clip bounds the loss of a confident wrong answer by -log(1e-7)
    assert binary_crossentropy([[1.0]], [[0.0]])[0] == pytest.approx(-np.log(EPSILON))


def _extreme_rows(k=3):
    """Distributions with entries 0, 1, 1e-9 and 1 - 1e-9, plus labels for each row."""
    rows = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1e-9, 1 - 1e-9, 0.0],
                     [1 - 1e-9, 0.5e-9, 0.5e-9], [0.5, 0.5, 0.0], [EPSILON, 1 - EPSILON, 0.0]])
    labels = np.array([0, 0, 1, 2, 2, 0])
    return rows, labels


@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy",
                                  "kl_divergence"])
def test_categorical_losses_match_keras_on_extreme_probabilities(name):
    y_pred, labels = _extreme_rows()
    y_true = labels if name.startswith("sparse") else np.eye(3)[labels]
    if name == "kl_divergence":  # also a y_true with exact zeros and a near-one entry
        y_true = np.vstack([y_true[:-1], [1e-9, 1 - 1e-9, 0.0]])
    assert_close(LOSSES[name][0](y_true, y_pred), keras_loss(name, y_true, y_pred),
                 name=f"{name} at extreme probabilities", rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("name", LOGIT_LOSSES)
def test_logit_losses_match_keras_on_extreme_logits(name):
    z = np.array([[50.0, -50.0, 0.0], [-50.0, 50.0, 49.0], [700.0, -700.0, 1.0],
                  [0.0, 0.0, 0.0]])
    labels = np.array([0, 0, 1, 2])
    y_true = {"binary_crossentropy": (np.eye(3)[labels]),
              "categorical_crossentropy": np.eye(3)[labels],
              "sparse_categorical_crossentropy": labels}[name]
    ours = LOSSES[name][0](y_true, z, from_logits=True)
    assert_close(ours, keras_loss(name, y_true, z, from_logits=True),
                 name=f"{name} at logits +-50", rtol=1e-6, atol=1e-15)
    grad = LOSSES[name][1](y_true, z, from_logits=True)
    assert np.isfinite(grad).all()
    assert_close(grad, tf_grad(name, y_true, z, from_logits=True),
                 name=f"{name}_grad at logits +-50", rtol=1e-6, atol=1e-15)


# ------------------------------------------------------------------------------------- gradients

# A distribution over one class is always 1, on the clipping edge: nothing to differentiate,
# so the (n, 1) shape is only used where a single column is a real case.
_ONE_CLASS = ("categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence")
GRAD_CASES = [
    pytest.param(name, kw, shape, id=f"{vid}-{sid}")
    for (name, kw), vid in zip(VARIANTS, VARIANT_IDS, strict=True)
    for shape, sid in (((4, 3), "nk"), ((2, 3, 2), "3d"), ((5, 1), "n1"))
    if not (shape[-1] == 1 and name in _ONE_CLASS and not kw)
]


@pytest.mark.parametrize(("name", "kw", "shape"), GRAD_CASES)
def test_every_grad_matches_numerical_gradient_away_from_kinks(name, kw, shape):
    rng = np.random.default_rng(_seed(name, shape, "grad"))
    y_true, y_pred = make_inputs(name, shape, rng, from_logits=kw.get("from_logits", False),
                                 safe=True)
    forward, grad = LOSSES[name]
    numeric = numerical_gradient(lambda p: float(np.mean(forward(y_true, p, **kw))), y_pred)
    assert_gradient_close(grad(y_true, y_pred, **kw), numeric, name=f"{name}_grad{kw}",
                          max_rel_error=1e-6)


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_every_grad_equals_tensorflow_autodiff_of_the_keras_loss(name, kw):
    rng = np.random.default_rng(_seed(name, "tf"))
    y_true, y_pred = make_inputs(name, (5, 3), rng, from_logits=kw.get("from_logits", False))
    assert_close(LOSSES[name][1](y_true, y_pred, **kw), tf_grad(name, y_true, y_pred, **kw),
                 name=f"{name}_grad{kw}", rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy", "kl_divergence"])
def test_grad_is_zero_where_clipping_is_active_like_tensorflow(name):
    y_pred, labels = _extreme_rows()
    if name == "binary_crossentropy":
        y_true = np.eye(3)[labels]
    elif name == "sparse_categorical_crossentropy":
        y_true = labels
    else:
        y_true = np.eye(3)[labels]
    ours = LOSSES[name][1](y_true, y_pred)
    assert_close(ours, tf_grad(name, y_true, y_pred), name=f"{name}_grad at clipped points",
                 rtol=1e-6, atol=1e-12)
    clipped = (y_pred < EPSILON) | (y_pred > (1.0 if name == "kl_divergence" else 1 - EPSILON))
    if name != "categorical_crossentropy":  # there the clip acts on y_pred / row sum
        assert np.all(ours[clipped] == 0.0)


def test_regression_grads_at_kinks_equal_tensorflow_subgradients():
    y_true = np.array([[0.0, 1.0, 2.0, -1.0]])
    y_pred = np.array([[0.0, 2.0, 1.0, -1.0]])  # residuals 0, +1, -1, 0
    for name, kw in [("mean_absolute_error", {}), ("huber", {"delta": 1.0}),
                     ("mean_squared_error", {})]:
        assert_close(LOSSES[name][1](y_true, y_pred, **kw), tf_grad(name, y_true, y_pred, **kw),
                     name=f"{name}_grad at kinks", rtol=1e-12, atol=0)
    assert_close(mean_absolute_error_grad(y_true, y_pred), np.array([[0.0, 0.25, -0.25, 0.0]]),
                 name="mae_grad uses sign(0) = 0")


# ------------------------------------------------------------------------------------ invariants

def test_kl_divergence_of_a_distribution_with_itself_is_zero():
    p = np.random.default_rng(1).dirichlet(np.ones(5), size=8)
    p[0] = [1.0, 0.0, 0.0, 0.0, 0.0]
    assert_close(kl_divergence(p, p), np.zeros(8), name="KL(p || p)", rtol=0, atol=1e-15)


def test_kl_divergence_is_nonnegative_and_matches_its_definition():
    rng = np.random.default_rng(2)
    p, q = rng.dirichlet(np.ones(4), size=50), rng.dirichlet(np.ones(4), size=50)
    kl = kl_divergence(p, q)
    assert np.all(kl >= 0)
    assert_close(kl, np.sum(p * np.log(p / q), axis=1), name="KL = sum p log(p/q)")


def test_bce_is_nonnegative_for_probabilities_and_logits():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=(100, 3)).astype(float)
    assert np.all(binary_crossentropy(y, rng.uniform(0, 1, size=(100, 3))) >= 0)
    assert np.all(binary_crossentropy(y, rng.normal(0, 10, (100, 3)), from_logits=True) >= 0)


def test_bce_of_probabilities_equals_bce_of_logits_through_the_sigmoid():
    rng = np.random.default_rng(4)
    y, z = rng.integers(0, 2, size=(20, 3)).astype(float), rng.normal(0, 2, size=(20, 3))
    p = 1 / (1 + np.exp(-z))
    assert_close(binary_crossentropy(y, p), binary_crossentropy(y, z, from_logits=True),
                 name="bce(sigmoid(z)) vs bce(z, from_logits=True)", rtol=1e-9)


def test_cce_of_softmax_equals_cce_of_logits_and_grads_agree_after_the_chain_rule():
    rng = np.random.default_rng(5)
    z = rng.normal(0, 1, size=(6, 4))
    y = np.eye(4)[rng.integers(0, 4, size=6)]
    p = _softmax(z)
    assert_close(categorical_crossentropy(y, p), categorical_crossentropy(y, z, from_logits=True),
                 name="cce(softmax(z)) vs cce(z, from_logits=True)", rtol=1e-9)
    # chain rule through the softmax: dL/dz = J^T dL/dp, J = diag(p) - p p^T per row
    dp = categorical_crossentropy_grad(y, p)
    dz = p * (dp - np.sum(dp * p, axis=-1, keepdims=True))
    assert_close(dz, categorical_crossentropy_grad(y, z, from_logits=True),
                 name="softmax chain rule", rtol=1e-9, atol=1e-15)
    # the textbook -y / p differs from the returned gradient only by a constant per row
    assert_close(dp, (1 - y / p) / 6, name="cce_grad = (1 - y / p) / N for rows summing to 1",
                 rtol=1e-9)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_cce_equals_cce_with_one_hot_labels(from_logits):
    rng = np.random.default_rng(6)
    labels = rng.integers(0, 5, size=(4, 3))
    z = rng.normal(0, 1, size=(4, 3, 5))
    y_pred = z if from_logits else _softmax(z)
    one_hot = np.eye(5)[labels]
    assert_close(sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits),
                 categorical_crossentropy(one_hot, y_pred, from_logits=from_logits),
                 name="sparse vs one-hot", rtol=1e-9)
    assert_close(sparse_categorical_crossentropy_grad(labels, y_pred, from_logits=from_logits),
                 categorical_crossentropy_grad(one_hot, y_pred, from_logits=from_logits),
                 name="sparse grad vs one-hot grad", rtol=1e-9, atol=1e-15)


def test_sparse_labels_of_shape_n_by_1_and_float_integers_are_accepted():
    p = np.array([[0.2, 0.8], [0.6, 0.4]])
    expected = sparse_categorical_crossentropy(np.array([1, 0]), p)
    assert_close(sparse_categorical_crossentropy(np.array([[1], [0]]), p), expected,
                 name="labels (n, 1)")
    assert_close(sparse_categorical_crossentropy([1.0, 0.0], p), expected, name="float labels")


def test_huber_is_half_mse_for_small_residuals_and_linear_for_large_ones():
    rng = np.random.default_rng(7)
    y = rng.normal(size=(10, 3))
    small = y + rng.uniform(-0.9, 0.9, size=y.shape)
    assert_close(huber(y, small), 0.5 * mean_squared_error(y, small), name="huber small r",
                 rtol=1e-12)
    large = y + rng.choice([-1, 1], size=y.shape) * rng.uniform(1.5, 5, size=y.shape)
    for delta in (0.5, 1.0):
        assert_close(huber(y, large, delta=delta),
                     delta * mean_absolute_error(y, large) - 0.5 * delta**2,
                     name=f"huber large r, delta={delta}", rtol=1e-12)


def test_huber_is_continuous_at_the_switch_point():
    delta = 0.7
    inside = huber([[0.0]], [[delta]], delta=delta)[0]
    outside = huber([[0.0]], [[delta * (1 + 1e-12)]], delta=delta)[0]
    assert inside == pytest.approx(0.5 * delta**2)
    assert outside == pytest.approx(inside, rel=1e-9)


def test_mse_and_mae_grad_of_a_perfect_prediction_are_zero():
    y = np.random.default_rng(8).normal(size=(5, 2))
    for grad in (mean_squared_error_grad, mean_absolute_error_grad, LOSSES["huber"][1]):
        assert_close(grad(y, y.copy()), np.zeros_like(y), name=grad.__name__, atol=0)
    assert_close(mean_squared_error(y, y.copy()), np.zeros(5), name="mse", atol=0)


def test_mse_and_mae_hand_computed_example():
    y_true, y_pred = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[1.0, 4.0], [3.0, -1.0]])
    assert_close(mean_squared_error(y_true, y_pred), np.array([2.0, 5.0]), name="mse")
    assert_close(mean_absolute_error(y_true, y_pred), np.array([1.0, 2.0]), name="mae")
    assert_close(mean_squared_error_grad(y_true, y_pred),
                 np.array([[0.0, 1.0], [1.5, -0.5]]), name="mse_grad = 2 (p - y) / 4")


def test_aliases_are_the_same_functions():
    assert losses.mse is mean_squared_error
    assert losses.mae is mean_absolute_error


# ------------------------------------------------------------------- contract over the registry

def test_registry_lists_every_public_loss_function():
    public = {getattr(losses, n) for n in losses.__all__ if inspect.isfunction(getattr(losses, n))}
    registered = {f for pair in LOSSES.values() for f in pair}
    assert public == registered, f"missing from LOSSES: {public - registered}"
    for name, (forward, grad) in LOSSES.items():
        assert forward.__name__ == name and grad.__name__ == f"{name}_grad"
        assert hasattr(keras.losses, name), f"{name} is not a keras.losses function"
        assert (inspect.signature(forward).parameters == inspect.signature(grad).parameters)


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_no_loss_or_grad_modifies_its_inputs(name, kw):
    rng = np.random.default_rng(9)
    y_true, y_pred = make_inputs(name, (4, 3), rng, from_logits=kw.get("from_logits", False))
    saved = y_true.copy(), y_pred.copy()
    for fn in LOSSES[name]:
        out = fn(y_true, y_pred, **kw)
        out[...] = 123.0  # writing to the result must not reach the inputs either
        np.testing.assert_array_equal(y_true, saved[0])
        np.testing.assert_array_equal(y_pred, saved[1])


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_every_loss_returns_float64_per_sample_values_and_a_grad_of_y_pred_shape(name, kw):
    rng = np.random.default_rng(10)
    for shape in [(4, 3), (2, 3, 2)]:
        y_true, y_pred = make_inputs(name, shape, rng, from_logits=kw.get("from_logits", False))
        forward, grad = LOSSES[name]
        value, g = forward(y_true, y_pred, **kw), grad(y_true, y_pred, **kw)
        assert type(value) is np.ndarray and value.dtype == np.float64
        assert value.shape == shape[:-1]
        assert type(g) is np.ndarray and g.dtype == np.float64 and g.shape == shape
    y_true, y_pred = make_inputs(name, (3,), rng, from_logits=kw.get("from_logits", False))
    assert type(LOSSES[name][0](y_true, y_pred, **kw)) is float  # one sample -> a float


def test_lists_are_accepted_like_arrays():
    assert_close(mean_squared_error([[0, 1]], [[1, 1]]), np.array([0.5]), name="mse of lists")


# ----------------------------------------------------------------------------------- bad inputs

P2 = [[0.3, 0.7], [0.5, 0.5]]
Y2 = [[0.0, 1.0], [1.0, 0.0]]

BAD_INPUTS = [
    # (loss name, y_true, y_pred, options, regex the message must match)
    ("mean_squared_error", [[1.0, 2.0]], [[1.0, 2.0, 3.0]], {},
     r"`y_true` and `y_pred` must have the same shape\. Received: y_true\.shape=\(1, 2\)"),
    ("huber", np.zeros(4), np.zeros((4, 1)), {}, r"y_pred\.shape=\(4, 1\).*\n.*reshape"),
    ("binary_crossentropy", Y2, [[0.3, 1.7], [0.5, 0.5]], {},
     r"(?s)`y_pred` must lie in \[0\.0, 1\.0\]\. Received: y_pred\[0, 1\]=.*from_logits=True"),
    ("categorical_crossentropy", Y2, [[-0.1, 1.1], [0.5, 0.5]], {}, r"`y_pred` must lie in"),
    ("kl_divergence", Y2, [[0.3, 0.7], [2.0, 0.5]], {}, r"`y_pred` must lie in"),
    ("sparse_categorical_crossentropy", [0, 1], [[3.0, 0.7], [0.5, 0.5]], {},
     r"`y_pred` must lie in"),
    ("binary_crossentropy", [[0.0, 2.0], [1.0, 0.0]], P2, {}, r"`y_true` must lie in"),
    ("categorical_crossentropy", [[1.0, 1.0], [1.0, 0.0]], P2, {},
     r"each row of `y_true` must sum to 1.*Received: a row summing to 2\.0"),
    ("categorical_crossentropy", [[0.2, 0.2], [1.0, 0.0]], P2, {"from_logits": True},
     r"each row of `y_true` must sum to 1"),
    ("kl_divergence", [[0.5, 0.4], [1.0, 0.0]], P2, {}, r"each row of `y_true` must sum to 1"),
    ("categorical_crossentropy", Y2, [[0.0, 0.0], [0.5, 0.5]], {},
     r"each row of `y_pred` must have a positive sum"),
    ("mean_absolute_error", [[np.nan, 1.0]], [[0.0, 1.0]], {}, r"`y_true` contains NaN"),
    ("binary_crossentropy", Y2, [[0.3, np.inf], [0.5, 0.5]], {"from_logits": True},
     r"`y_pred` contains inf"),
    ("kl_divergence", Y2, [[0.3, np.nan], [0.5, 0.5]], {}, r"`y_pred` contains NaN"),
    ("mean_squared_error", np.zeros((0, 2)), np.zeros((0, 2)), {}, r"`y_true` is empty"),
    ("sparse_categorical_crossentropy", [], np.zeros((0, 2)), {}, r"`y_true` is empty"),
    ("mean_squared_error", 1.0, 2.0, {}, r"`y_true` must have at least 1 dimension"),
    ("mean_squared_error", [[1.0]], None, {}, r"`y_pred` is None"),
    ("sparse_categorical_crossentropy", [0.5, 1], P2, {},
     r"`y_true` must hold integer class labels in \[0, 1\].*y_true\[0\]=0\.5"),
    ("sparse_categorical_crossentropy", [0, 2], P2, {},
     r"`y_true` must hold integer class labels in \[0, 1\].*Received: y_true\[1\]=2\.0"),
    ("sparse_categorical_crossentropy", [-1, 0], P2, {"from_logits": True},
     r"`y_true` must hold integer class labels"),
    ("sparse_categorical_crossentropy", Y2, P2, {},
     r"`y_true` must hold one integer class label per sample.*\n.*argmax"),
    ("huber", [[1.0]], [[2.0]], {"delta": 0.0}, r"`delta` must be positive\. Received: delta=0\.0"),
    ("huber", [[1.0]], [[2.0]], {"delta": -1}, r"`delta` must be positive"),
    ("huber", [[1.0]], [[2.0]], {"delta": "1"}, r"`delta` must be a real number"),
    ("binary_crossentropy", Y2, P2, {"from_logits": "yes"}, r"`from_logits` must be True or False"),
]


@pytest.mark.parametrize(("name", "y_true", "y_pred", "kw", "match"), BAD_INPUTS,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(BAD_INPUTS)])
def test_bad_inputs_raise_course_input_error_naming_the_argument(name, y_true, y_pred, kw, match):
    for fn in LOSSES[name]:
        with pytest.raises(CourseInputError, match=match) as info:
            fn(y_true, y_pred, **kw)
        assert "\nHint: " in str(info.value) or "must be" in str(info.value)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        huber([[1.0]], [[2.0]], 2.0)
    with pytest.raises(TypeError):
        binary_crossentropy([[1.0]], [[0.5]], True)


def test_kl_divergence_grad_is_minus_y_over_y_hat_per_sample():
    y, p = np.array([[0.25, 0.75]]), np.array([[0.5, 0.5]])
    assert_close(kl_divergence_grad(y, p), np.array([[-0.5, -1.5]]), name="-y / y_hat")
    assert_close(binary_crossentropy_grad([[1.0, 0.0]], [[0.5, 0.5]]), np.array([[-1.0, 1.0]]),
                 name="bce_grad by hand")


def test_complex_predictions_are_refused_instead_of_losing_the_imaginary_part():
    for name, (fn, grad) in LOSSES.items():
        y = np.array([1, 0]) if name.startswith("sparse") else np.array([[0.0, 1.0], [1.0, 0.0]])
        for f in (fn, grad):
            with pytest.raises(CourseInputError, match=r"`y_pred` must hold real numbers"):
                f(y, np.array([[0.3 + 0.1j, 0.7], [0.5, 0.5]]))


def test_boolean_labels_are_labels_but_boolean_predictions_are_refused():
    t = np.array([[True], [False]])
    assert np.allclose(binary_crossentropy(t, [[0.9], [0.2]]),
                       binary_crossentropy([[1.0], [0.0]], [[0.9], [0.2]]))
    with pytest.raises(CourseInputError, match=r"`y_pred` must hold numbers, not True/False"):
        mean_squared_error([[1.0], [0.0]], t)


def test_boolean_labels_give_the_same_loss_as_keras():
    t = np.array([[True, False], [False, True]])
    p = np.array([[0.8, 0.3], [0.4, 0.9]])
    want = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(t, p))
    np.testing.assert_allclose(binary_crossentropy(t, p), want, rtol=1e-6)
