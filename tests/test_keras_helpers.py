"""course_utils.keras_helpers.digits_mlp: the architecture and penalties it promises."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils._validation import CourseInputError
from course_utils.keras_helpers import digits_mlp, keras


def layer_types(model):
    return [type(layer).__name__ for layer in model.layers]


def kernels(model):
    return [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def test_plain_model_has_no_penalty_and_the_promised_layers():
    model = digits_mlp()
    assert layer_types(model) == ["InputLayer", "Dense", "Activation", "Dense", "Activation",
                                  "Dense"]
    assert [k.shape for k in kernels(model)] == [(64, 128), (128, 128), (128, 10)]
    assert model.losses == []
    assert model.loss == "sparse_categorical_crossentropy"
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 1e-3, rtol=1e-6)


def test_lam_is_the_lectures_lambda_on_every_kernel_only():
    lam = 0.03
    model = digits_mlp(hidden=(8,), lam=lam, seed=1)
    penalty = sum(float(v) for v in model.losses)
    expected = lam / 2 * sum(float(np.sum(np.asarray(k) ** 2)) for k in kernels(model))
    np.testing.assert_allclose(penalty, expected, rtol=1e-5)
    assert len(model.losses) == 2  # two kernels, no bias


def test_l1_and_l2_together_add_both_penalties():
    model = digits_mlp(hidden=(8,), lam=0.02, l1=0.005)
    ks = [np.asarray(k, dtype=np.float64) for k in kernels(model)]
    expected = sum(0.01 * np.sum(k**2) + 0.005 * np.sum(np.abs(k)) for k in ks)
    np.testing.assert_allclose(sum(float(v) for v in model.losses), expected, rtol=1e-5)


def test_dropout_and_batchnorm_are_placed_as_documented():
    model = digits_mlp(hidden=(16, 8), dropout=0.25, batchnorm=True)
    assert layer_types(model) == [
        "InputLayer", "Dense", "BatchNormalization", "Activation", "Dropout",
        "Dense", "BatchNormalization", "Activation", "Dropout", "Dense"]
    assert all(layer.rate == 0.25 for layer in model.layers
               if isinstance(layer, keras.layers.Dropout))
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.use_bias for d in dense] == [False, False, True]


def test_same_seed_same_initial_weights():
    a = digits_mlp(hidden=(8,), seed=4).get_weights()
    b = digits_mlp(hidden=(8,), seed=4).get_weights()
    c = digits_mlp(hidden=(8,), seed=5).get_weights()
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lam": -1.0}, "`lam` must be a float >= 0"),
    ({"dropout": 1.0}, r"`dropout` must be a float in \[0, 1\)"),
    ({"learning_rate": 0}, "`learning_rate` must be positive"),
    ({"hidden": (0,)}, "`hidden` must be a sequence of positive integers"),
])
def test_bad_arguments_get_clear_errors(kwargs, message):
    with pytest.raises(CourseInputError, match=message):
        digits_mlp(**kwargs)
