"""Offline datasets for the workbook: scikit-learn's bundled sets and seeded synthetic data.

Nothing here downloads anything. Every split is stratified (for classification) and seeded,
and standardisation uses the statistics of the training part only, so no information from
the test part leaks into training.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

from course_utils._validation import CourseInputError, check_positive

__all__ = [
    "Split",
    "load_breast_cancer_split",
    "load_diabetes_split",
    "load_digits_split",
    "standardize",
    "noisy_series",
]


class Split(NamedTuple):
    """A train/test split. ``X_*`` have shape (n, d); ``y_*`` shape (n,)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def standardize(X_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scale every column to mean 0 and std 1 using the statistics of ``X_train`` only.

    Constant columns (std 0) are only centred. Returns new arrays, in the order given.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple((np.asarray(X, dtype=np.float64) - mean) / std for X in (X_train, *others))


def _check_fraction(test_size: float) -> float:
    test_size = check_positive(test_size, "test_size")
    if test_size >= 1:
        raise CourseInputError(
            f"`test_size` must be a fraction in (0, 1). Received: test_size={test_size!r}.\n"
            "Hint: 0.25 keeps a quarter of the samples for testing."
        )
    return test_size


def _split(X, y, *, test_size, seed, stratify, scale) -> Split:
    test_size = _check_fraction(test_size)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None
    )
    if scale:
        X_tr, X_te = standardize(X_tr, X_te)
    return Split(np.asarray(X_tr, dtype=np.float64), np.asarray(X_te, dtype=np.float64),
                 np.asarray(y_tr), np.asarray(y_te))


def load_breast_cancer_split(*, test_size: float = 0.25, seed: int = 0,
                             scale: bool = True) -> Split:
    """Breast cancer (Wisconsin): 569 samples, 30 features, binary labels (1 = benign).

    Returns a stratified :class:`Split`, standardised with the training statistics when
    ``scale`` is true; ``y`` is int64 in {0, 1}.
    """
    data = datasets.load_breast_cancer()
    return _split(data.data, data.target.astype(np.int64), test_size=test_size, seed=seed,
                  stratify=True, scale=scale)


def load_diabetes_split(*, test_size: float = 0.25, seed: int = 0, scale: bool = True) -> Split:
    """Diabetes: 442 samples, 10 features, a real-valued target (disease progression).

    The target is returned unscaled (float64, roughly 25 to 346).
    """
    data = datasets.load_diabetes()
    return _split(data.data, data.target.astype(np.float64), test_size=test_size, seed=seed,
                  stratify=False, scale=scale)


def load_digits_split(*, test_size: float = 0.25, seed: int = 0) -> Split:
    """Digits: 1,797 8x8 images flattened to 64 features in [0, 1], labels 0..9 (int64)."""
    data = datasets.load_digits()
    return _split(data.data / 16.0, data.target.astype(np.int64), test_size=test_size,
                  seed=seed, stratify=True, scale=False)


def noisy_series(n: int = 200, *, rng: np.random.Generator, noise: float = 4.0) -> np.ndarray:
    """A daily-temperature-like series: a smooth seasonal curve plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of days (values), at least 1.
    rng : numpy.random.Generator
        Source of the noise, e.g. ``np.random.default_rng(0)``.
    noise : float
        Standard deviation of the noise, in degrees.

    Returns
    -------
    ndarray of shape (n,)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise CourseInputError(f"`n` must be a positive integer. Received: n={n!r}.")
    if not isinstance(rng, np.random.Generator):
        raise CourseInputError(
            f"`rng` must be a numpy.random.Generator. Received: {type(rng).__name__}.\n"
            "Hint: pass rng=np.random.default_rng(0) (or the rng from seed_everything)."
        )
    noise = float(noise)
    days = np.arange(n, dtype=np.float64)
    seasonal = 12.0 - 10.0 * np.cos(2 * np.pi * days / 365.0) + 3.0 * np.sin(2 * np.pi * days / 40)
    return seasonal + rng.normal(0.0, noise, size=n)
