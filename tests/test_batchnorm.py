"""course_utils.batchnorm against keras.layers.BatchNormalization and numerical gradients."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

from course_utils import batchnorm as bn_module
from course_utils._validation import CourseInputError
from course_utils.batchnorm import (
    BatchNorm,
    BatchNormCache,
    SmallBatchWarning,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    update_running_stats,
)
from course_utils.keras_helpers import keras, tf
from course_utils.testing import numerical_gradient_array, rel_error

SEEDS = [0, 1, 2]


def random_batch(seed: int, n: int = 6, d: int = 4):
    """x (n, d) far from zero mean / unit variance, and non-trivial gamma, beta (d,)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=rng.uniform(-5, 5, size=d), scale=rng.uniform(0.5, 3, size=d),
                   size=(n, d))
    gamma = rng.uniform(0.5, 2.0, size=d) * rng.choice([-1.0, 1.0], size=d)
    beta = rng.normal(size=d)
    return x, gamma, beta


def keras_layer(d: int, *, gamma=None, beta=None, dtype: str = "float64"):
    """A Keras BatchNormalization with the course's (= Keras's default) hyperparameters."""
    layer = keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3, dtype=dtype)
    layer.build((None, d))
    if gamma is not None:
        layer.set_weights([gamma, beta, np.zeros(d), np.ones(d)])
    return layer


# --------------------------------------------------------------------------- forward


def test_forward_hand_computed_case():
    # x = [1, 3]: mu = 2, sigma^2 = 1 (biased), z_norm = +-1/sqrt(1.001)
    out, cache = batchnorm_forward(np.array([[1.0], [3.0]]), np.array([2.0]), np.array([0.5]),
                                   eps=1e-3)
    z = 1 / np.sqrt(1.001)
    np.testing.assert_allclose(out, [[0.5 - 2 * z], [0.5 + 2 * z]], rtol=1e-14)
    np.testing.assert_allclose(cache.mu, [2.0])
    np.testing.assert_allclose(cache.var, [1.0])  # biased: divided by N=2, not N-1=1


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_gives_zero_mean_and_unit_variance_per_feature(seed):
    x, _, _ = random_batch(seed, n=50)
    d = x.shape[1]
    out, cache = batchnorm_forward(x, np.ones(d), np.zeros(d), eps=1e-3)
    assert type(out) is np.ndarray and out.shape == x.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    # the variance is sigma^2 / (sigma^2 + eps): 1 up to eps
    np.testing.assert_allclose(out.var(axis=0), cache.var / (cache.var + 1e-3), rtol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, atol=1e-3 / cache.var.min())


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_scale_and_shift_set_mean_beta_and_std_abs_gamma(seed):
    x, gamma, beta = random_batch(seed, n=40)
    out, cache = batchnorm_forward(x, gamma, beta, eps=1e-3)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), np.abs(gamma) * np.sqrt(cache.var / (cache.var
                                                                                     + 1e-3)),
                               rtol=1e-12)
    assert isinstance(cache, BatchNormCache)
    np.testing.assert_allclose(cache.var, x.var(axis=0, ddof=0), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_matches_keras_training_mode_float64(seed):
    x, gamma, beta = random_batch(seed)
    layer = keras_layer(x.shape[1], gamma=gamma, beta=beta)
    expected = layer(x, training=True).numpy()
    out, _ = batchnorm_forward(x, gamma, beta, eps=1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)


def test_forward_matches_keras_default_float32_layer():
    x, gamma, beta = random_batch(3, n=16, d=8)
    layer = keras.layers.BatchNormalization()  # defaults: momentum=0.99, epsilon=1e-3
    assert layer.momentum == 0.99 and layer.epsilon == 1e-3
    layer.build((None, 8))
    layer.set_weights([gamma.astype("float32"), beta.astype("float32"),
                       np.zeros(8, "float32"), np.ones(8, "float32")])
    expected = layer(x.astype("float32"), training=True).numpy()
    out, _ = batchnorm_forward(x, gamma, beta)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- backward


@pytest.mark.parametrize("seed", SEEDS)
def test_backward_matches_numerical_gradient(seed):
    x, gamma, beta = random_batch(seed, n=5, d=4)
    dout = np.random.default_rng(seed + 100).normal(size=x.shape)
    _, cache = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)

    dx_num = numerical_gradient_array(lambda z: batchnorm_forward(z, gamma, beta)[0], x, dout)
    dgamma_num = numerical_gradient_array(lambda g: batchnorm_forward(x, g, beta)[0], gamma,
                                          dout)
    dbeta_num = numerical_gradient_array(lambda b: batchnorm_forward(x, gamma, b)[0], beta, dout)
    for name, got, num in [("dx", dx, dx_num), ("dgamma", dgamma, dgamma_num),
                           ("dbeta", dbeta, dbeta_num)]:
        assert got.shape == num.shape, name
        assert rel_error(got, num) < 1e-6, (name, rel_error(got, num))


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_backward_matches_tensorflow_autodiff_through_keras_layer(seed):
    x, gamma, beta = random_batch(seed, n=8, d=3)
    dout = np.random.default_rng(seed + 200).normal(size=x.shape)
    layer = keras_layer(x.shape[1], gamma=gamma, beta=beta)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(xv, training=True) * dout)
    gx, ggamma, gbeta = tape.gradient(loss, [xv, layer.gamma.value, layer.beta.value])
    _, cache = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    np.testing.assert_allclose(dx, gx.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dgamma, ggamma.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, gbeta.numpy(), rtol=1e-10, atol=1e-12)


def test_backward_sums_of_dx_vanish_over_the_batch():
    # the output does not change when x shifts by a constant per feature, so sum_i dx_i = 0
    x, gamma, beta = random_batch(4)
    _, cache = batchnorm_forward(x, gamma, beta)
    dx, _, _ = batchnorm_backward(np.random.default_rng(4).normal(size=x.shape), cache)
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)


# --------------------------------------------------------------------------- running stats


def test_update_running_stats_hand_computed_step():
    mean, var = update_running_stats(np.array([0.0, 1.0]), np.array([1.0, 2.0]),
                                     np.array([10.0, -1.0]), np.array([5.0, 0.0]), momentum=0.9)
    np.testing.assert_allclose(mean, [0.9 * 0 + 0.1 * 10, 0.9 * 1 + 0.1 * -1], rtol=1e-14)
    np.testing.assert_allclose(var, [0.9 * 1 + 0.1 * 5, 0.9 * 2 + 0.1 * 0], rtol=1e-14)


def test_keras_moving_variance_uses_the_biased_batch_variance():
    x, _, _ = random_batch(5, n=4)
    layer = keras_layer(x.shape[1])
    layer(x, training=True)
    moving_var = layer.moving_variance.numpy()
    np.testing.assert_allclose(moving_var, 0.99 + 0.01 * x.var(axis=0, ddof=0), rtol=1e-12)
    assert not np.allclose(moving_var, 0.99 + 0.01 * x.var(axis=0, ddof=1), rtol=1e-6)
    _, cache = batchnorm_forward(x, np.ones(4), np.zeros(4))
    _, var = update_running_stats(np.zeros(4), np.ones(4), cache.mu, cache.var)
    np.testing.assert_allclose(var, moving_var, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_layer_running_stats_and_inference_match_keras_over_several_batches(seed):
    rng = np.random.default_rng(seed)
    d = 5
    _, gamma, beta = random_batch(seed, d=d)
    ours = BatchNorm(d)
    ours.gamma, ours.beta = gamma.copy(), beta.copy()
    theirs = keras_layer(d, gamma=gamma, beta=beta)
    for step in range(6):
        x = rng.normal(loc=3.0, scale=2.0, size=(int(rng.integers(2, 12)), d))
        np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True).numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=f"training step {step}")
        np.testing.assert_allclose(ours.running_mean, theirs.moving_mean.numpy(), rtol=1e-12,
                                   atol=1e-14, err_msg=f"running_mean after step {step}")
        np.testing.assert_allclose(ours.running_var, theirs.moving_variance.numpy(),
                                   rtol=1e-12, err_msg=f"running_var after step {step}")
    x_test = rng.normal(loc=3.0, scale=2.0, size=(7, d))
    np.testing.assert_allclose(ours(x_test, training=False),
                               theirs(x_test, training=False).numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        ours(x_test, training=False),
        batchnorm_inference(x_test, gamma, beta, ours.running_mean, ours.running_var),
        rtol=0, atol=0)


def test_layer_starts_like_keras_and_inference_does_not_change_state():
    layer = BatchNorm(3)
    k = keras_layer(3)
    for ours, theirs in [(layer.gamma, k.gamma), (layer.beta, k.beta),
                         (layer.running_mean, k.moving_mean),
                         (layer.running_var, k.moving_variance)]:
        np.testing.assert_array_equal(ours, theirs.numpy())
    assert (layer.momentum, layer.eps) == (0.99, 1e-3)
    before = [a.copy() for a in (layer.running_mean, layer.running_var)]
    layer(np.ones((4, 3)), training=False)
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])
    assert layer.cache is None


def test_layer_training_is_a_required_keyword():
    param = inspect.signature(BatchNorm.__call__).parameters["training"]
    assert param.kind is inspect.Parameter.KEYWORD_ONLY
    assert param.default is inspect.Parameter.empty
    with pytest.raises(TypeError, match="training"):
        BatchNorm(2)(np.ones((3, 2)))  # type: ignore[call-arg]
    for bad in (None, "yes", 1):
        with pytest.raises(CourseInputError, match="`training` must be True or False"):
            BatchNorm(2)(np.ones((3, 2)), training=bad)


def test_batch_of_one_sample_warns_and_matches_keras():
    x, gamma, beta = random_batch(6, n=1, d=3)
    with pytest.warns(SmallBatchWarning, match="training=False"):
        out = BatchNorm(3)(x, training=True)
    np.testing.assert_array_equal(out, np.zeros((1, 3)))  # beta = 0 at initialisation
    with pytest.warns(SmallBatchWarning, match="beta"):
        out, cache = batchnorm_forward(x, gamma, beta)
    np.testing.assert_allclose(out, beta[None, :], atol=0)
    np.testing.assert_array_equal(cache.var, 0.0)
    expected = keras_layer(3, gamma=gamma, beta=beta)(x, training=True).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batchnorm_inference(x, gamma, beta, np.zeros(3), np.ones(3))  # one sample is fine


# --------------------------------------------------------------------------- purity


def _pure_calls(seed: int = 7):
    x, gamma, beta = random_batch(seed)
    dout = np.random.default_rng(seed).normal(size=x.shape)
    _, cache = batchnorm_forward(x, gamma, beta)
    d = x.shape[1]
    return {
        "batchnorm_forward": (batchnorm_forward, (x, gamma, beta)),
        "batchnorm_backward": (batchnorm_backward, (dout, cache)),
        "update_running_stats": (update_running_stats,
                                 (np.zeros(d), np.ones(d), cache.mu, cache.var)),
        "batchnorm_inference": (batchnorm_inference,
                                (x, gamma, beta, np.full(d, 0.5), np.full(d, 2.0))),
    }


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, tuple):
        return [a for item in obj for a in _arrays(item)]
    return []


def test_purity_covers_every_public_function():
    public = {name for name in bn_module.__all__
              if inspect.isfunction(getattr(bn_module, name))}
    assert public == set(_pure_calls())


@pytest.mark.parametrize("name", sorted(_pure_calls()))
def test_pure_functions_do_not_modify_or_alias_their_inputs(name):
    fn, args = _pure_calls()[name]
    inputs = _arrays(args)
    copies = [a.copy() for a in inputs]
    for a in inputs:
        a.flags.writeable = False  # read-only inputs must be accepted (and never written)
    result = fn(*args)
    for a, c in zip(inputs, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    for out in _arrays(result):
        assert out.dtype == np.float64 and np.isfinite(out).all()
        assert not any(np.shares_memory(out, a) for a in inputs), name
    again = fn(*args)  # same inputs, same outputs
    for a, b in zip(_arrays(result), _arrays(again), strict=True):
        np.testing.assert_array_equal(a, b)


def test_layer_replaces_running_stats_without_mutating_old_arrays():
    layer = BatchNorm(2)
    old_mean, old_var = layer.running_mean, layer.running_var
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    x_copy = x.copy()
    layer(x, training=True)
    np.testing.assert_array_equal(old_mean, np.zeros(2))
    np.testing.assert_array_equal(old_var, np.ones(2))
    np.testing.assert_array_equal(x, x_copy)
    assert layer.cache is not None and np.array_equal(layer.cache.x, x)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: batchnorm_forward(np.ones(4), np.ones(4), np.zeros(4)),
         r"`x` must have 2 dimension\(s\).*x\.shape=\(4,\).*\n.*x\[None, :\]"),
        (lambda: batchnorm_forward(np.ones((2, 3, 4)), np.ones(4), np.zeros(4)),
         r"`x` must have 2 dimension"),
        (lambda: batchnorm_forward(np.ones((3, 4)), np.ones(3), np.zeros(4)),
         r"`gamma` must have shape \(D,\) = \(4,\).*gamma\.shape=\(3,\)"),
        (lambda: batchnorm_forward(np.ones((3, 4)), np.ones(4), np.zeros((1, 4))),
         r"`beta` must have 1 dimension.*\n.*not \(1, D\)"),
        (lambda: batchnorm_forward(np.array([[1.0, np.nan], [2.0, 3.0]]), np.ones(2),
                                   np.zeros(2)), r"`x` contains NaN \(first at index \(0, 1\)"),
        (lambda: batchnorm_forward(np.ones((2, 2)), np.array([1.0, np.inf]), np.zeros(2)),
         r"`gamma` contains inf"),
        (lambda: batchnorm_forward(np.ones((2, 2)), np.ones(2), np.zeros(2), eps=0.0),
         r"`eps` must be positive\. Received: eps=0\.0.*\n.*1e-3"),
        (lambda: batchnorm_forward(np.ones((2, 2)), np.ones(2), np.zeros(2), eps=-1e-3),
         r"`eps` must be positive"),
        (lambda: batchnorm_forward(None, np.ones(2), np.zeros(2)), r"`x` is None"),
        (lambda: batchnorm_backward(np.ones((2, 2)), (1, 2, 3)),
         r"`cache` must be the BatchNormCache.*Received: tuple"),
        (lambda: batchnorm_backward(np.ones((3, 2)),
                                    batchnorm_forward(np.eye(2), np.ones(2), np.zeros(2))[1]),
         r"`dout` and `out` must have the same shape.*dout\.shape=\(3, 2\)"),
        (lambda: update_running_stats(np.zeros(2), np.ones(2), np.zeros(2), np.ones(2),
                                      momentum=1.0),
         r"`momentum` must be a float in \[0, 1\)\. Received: momentum=1\.0.*\n.*0\.99"),
        (lambda: update_running_stats(np.zeros(2), np.ones(2), np.zeros(2), np.ones(2),
                                      momentum=-0.1), r"`momentum` must be a float in \[0, 1\)"),
        (lambda: update_running_stats(np.zeros(2), np.ones(2), np.zeros(3), np.ones(2)),
         r"`batch_mean` must have shape \(D,\) = \(2,\)"),
        (lambda: update_running_stats(np.zeros(2), np.ones(2), np.zeros(2),
                                      np.array([1.0, -0.5])),
         r"`batch_var` must be >= 0.*\n.*variance.*square"),
        (lambda: batchnorm_inference(np.ones((2, 2)), np.ones(2), np.zeros(2), np.zeros(2),
                                     np.array([-1.0, 1.0])), r"`running_var` is a variance"),
        (lambda: BatchNorm(0), r"`num_features` must be a positive integer"),
        (lambda: BatchNorm(2.0), r"`num_features` must be a positive integer"),
        (lambda: BatchNorm(2, momentum=1.5), r"`momentum` must be a float in \[0, 1\)"),
        (lambda: BatchNorm(2, eps=0), r"`eps` must be positive"),
        (lambda: BatchNorm(2)(np.ones((3, 5)), training=True),
         r"`x` must have 2 features.*x\.shape=\(3, 5\)"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_inputs_raise_course_errors_that_name_the_argument(call, pattern):
    with pytest.raises(CourseInputError, match=pattern) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert "Hint:" in str(info.value)


def test_complex_inputs_and_negative_running_variance_are_refused():
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(CourseInputError, match="`x` must hold real numbers"):
        batchnorm_forward(x + 1j, np.ones(2), np.zeros(2))
    with pytest.raises(CourseInputError, match=r"`running_var` must be >= 0.*\n.*squared"):
        batchnorm_inference(x, np.ones(2), np.zeros(2), np.zeros(2), np.array([1.0, -0.5]))
