"""course_utils.data: offline, seeded, leak-free splits."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from course_utils import CourseInputError, data


def test_breast_cancer_split_is_stratified_standardised_and_repeatable():
    s = data.load_breast_cancer_split(seed=1)
    assert s.X_train.shape[1] == 30 and len(s.X_train) + len(s.X_test) == 569
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1.0, rtol=1e-12)
    assert abs(s.y_train.mean() - s.y_test.mean()) < 0.02
    again = data.load_breast_cancer_split(seed=1)
    np.testing.assert_array_equal(s.X_test, again.X_test)


def test_diabetes_target_is_unscaled_and_digits_are_in_unit_range():
    d = data.load_diabetes_split()
    assert d.y_train.dtype == np.float64 and d.y_train.max() > 100
    g = data.load_digits_split()
    assert g.X_train.min() >= 0.0 and g.X_train.max() <= 1.0
    assert set(np.unique(g.y_train)) == set(range(10))


def test_standardize_uses_training_statistics_only():
    train = np.array([[0.0, 5.0], [2.0, 5.0]])
    test = np.array([[4.0, 6.0]])
    tr, te = data.standardize(train, test)
    np.testing.assert_allclose(tr, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(te, [[3.0, 1.0]])


def test_noisy_series_is_seeded_and_checks_arguments():
    a = data.noisy_series(50, rng=np.random.default_rng(0))
    b = data.noisy_series(50, rng=np.random.default_rng(0))
    assert a.shape == (50,)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(CourseInputError, match="`rng` must be a numpy.random.Generator"):
        data.noisy_series(5, rng=0)
    with pytest.raises(CourseInputError, match="`n` must be a positive integer"):
        data.noisy_series(0, rng=np.random.default_rng(0))
    with pytest.raises(CourseInputError, match="`test_size` must be a fraction"):
        data.load_diabetes_split(test_size=1.5)


def test_digits_splits_sizes_types_stratification_and_seed():
    s = data.digits_splits()
    assert [len(a) for a in s] == [300, 300, 300, 300, 1197, 1197]
    for x, y in ((s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)):
        assert x.dtype == np.float32 and x.shape[1] == 64 and y.dtype == np.int64
        assert x.min() >= 0.0 and x.max() <= 1.0
        assert set(np.unique(y)) == set(range(10))
    counts = np.bincount(s.y_train, minlength=10)
    assert counts.min() >= 28 and counts.max() <= 31  # stratified: about 30 of each digit
    joined = np.concatenate([s.x_train, s.x_val, s.x_test])
    # disjoint, all used
    assert len(np.unique(joined, axis=0)) == len(np.unique(load_digits().data, axis=0))
    again = data.digits_splits()
    other = data.digits_splits(seed=1)
    np.testing.assert_array_equal(s.x_val, again.x_val)
    assert not np.array_equal(s.x_train, other.x_train)


def test_digits_splits_checks_arguments():
    with pytest.raises(CourseInputError, match="`n_train` must be an integer of at least 10"):
        data.digits_splits(n_train=5)
    with pytest.raises(CourseInputError, match="`n_val` must be an integer"):
        data.digits_splits(n_val=2.5)
    with pytest.raises(CourseInputError, match="leave at least 10"):
        data.digits_splits(n_train=1000, n_val=790)


def test_polynomial_regression_data_is_seeded_sorted_and_checks_arguments():
    p = data.polynomial_regression_data(seed=3)
    assert [len(a) for a in p] == [20, 20, 50, 50, 200, 200]
    assert all(a.dtype == np.float64 for a in p)
    for x in (p.x_train, p.x_val, p.x_test):
        assert np.all(np.diff(x) >= 0) and x.min() >= 0 and x.max() <= 1
    np.testing.assert_array_equal(p.y_val, data.polynomial_regression_data(seed=3).y_val)
    clean = data.polynomial_regression_data(noise=0.0)
    np.testing.assert_allclose(clean.y_train, np.sin(2 * np.pi * clean.x_train))
    with pytest.raises(CourseInputError, match="`noise` must be a finite number >= 0"):
        data.polynomial_regression_data(noise=-1.0)
    with pytest.raises(CourseInputError, match="`n_test` must be an integer of at least 2"):
        data.polynomial_regression_data(n_test=1)


def test_standardize_refuses_complex_boolean_and_mismatched_inputs():
    X = np.arange(6.0).reshape(3, 2)
    with pytest.raises(CourseInputError, match="`X_train` must hold real numbers"):
        data.standardize(X + 1j)
    with pytest.raises(CourseInputError, match=r"`others\[0\]` must hold numbers, not True"):
        data.standardize(X, X > 2)
    with pytest.raises(CourseInputError, match=r"`others\[0\]` must have the 2 columns"):
        data.standardize(X, np.ones((2, 3)))


@pytest.mark.parametrize("noise", [np.nan, -1.0, 1 + 0j, True, "4"])
def test_noisy_series_refuses_a_bad_noise_instead_of_returning_nan(noise):
    with pytest.raises(CourseInputError, match="`noise` must be a finite number >= 0"):
        data.noisy_series(5, rng=np.random.default_rng(0), noise=noise)


@pytest.mark.parametrize("kwargs", [{"seed": True}, {"seed": 1.5}, {"seed": -1},
                                    {"scale": 1}])
def test_splits_refuse_a_bad_seed_or_scale_flag(kwargs):
    with pytest.raises(CourseInputError, match=f"`{next(iter(kwargs))}` must be"):
        data.load_breast_cancer_split(**kwargs)
