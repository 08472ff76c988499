"""course_utils.data: offline, seeded, leak-free splits."""

from __future__ import annotations

import numpy as np
import pytest

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
