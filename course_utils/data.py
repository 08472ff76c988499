"""Offline datasets for the workbook: scikit-learn's bundled sets and seeded synthetic data.

Nothing here downloads anything. Every split is stratified (for classification) and seeded,
and standardisation uses the statistics of the training part only, so no information from
the test part leaks into training. scikit-learn is imported by the functions that use it, not
with the module: a notebook that needs only synthetic data starts a second sooner.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_utils._validation import CourseInputError, as_float_array, check_positive
from course_utils.language import tr

__all__ = [
    "Split",
    "DigitsSplits",
    "PolynomialData",
    "digits_splits",
    "polynomial_regression_data",
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


class DigitsSplits(NamedTuple):
    """Train / validation / test parts of the digits set.

    ``x_*`` have shape (n, 64), float32 pixels in [0, 1]; ``y_*`` shape (n,), int64 labels 0..9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


class PolynomialData(NamedTuple):
    """A 1-D regression set in three parts: ``x_*`` and ``y_*`` have shape (n,), float64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def standardize(X_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scale every column to mean 0 and std 1 using the statistics of ``X_train`` only.

    Constant columns (std 0) are only centred. Returns new arrays, in the order given.
    Every array has shape (n, d) with the same d; bad inputs raise ``CourseInputError``.
    """
    hint = tr("pass samples as rows, shape (n, d); one feature is x.reshape(-1, 1).")
    X_train = as_float_array(X_train, "X_train", ndim=2, allow_bool=False, hint=hint)
    arrays = [X_train]
    for i, X in enumerate(others):
        X = as_float_array(X, f"others[{i}]", ndim=2, allow_bool=False, hint=hint)
        if X.shape[1] != X_train.shape[1]:
            raise CourseInputError(tr(
                "`others[{i}]` must have the {n_columns} columns of `X_train`. "
                "Received: X_train.shape={train_shape}, others[{i}].shape={shape}.\n"
                "Hint: pass the test part of the same split, with the same features.",
                i=i, n_columns=X_train.shape[1], train_shape=X_train.shape, shape=X.shape))
        arrays.append(X)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple((X - mean) / std for X in arrays)


def _check_fraction(test_size: float) -> float:
    test_size = check_positive(test_size, "test_size")
    if test_size >= 1:
        raise CourseInputError(tr(
            "`test_size` must be a fraction in (0, 1). Received: test_size={test_size!r}.\n"
            "Hint: 0.25 keeps a quarter of the samples for testing.",
            test_size=test_size,
        ))
    return test_size


def _check_seed_and_flag(seed, scale) -> None:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**32:
        raise CourseInputError(tr(
            "`seed` must be an integer in [0, 2**32). Received: seed={seed!r}.\n"
            "Hint: use a fixed number such as 0; the same seed gives the same split.",
            seed=seed))
    if not isinstance(scale, (bool, np.bool_)):
        raise CourseInputError(tr(
            "`scale` must be True or False. Received: scale={scale!r}.\n"
            "Hint: scale=True standardises the features with the training statistics.",
            scale=scale))


def _split(X, y, *, test_size, seed, stratify, scale) -> Split:
    from sklearn.model_selection import train_test_split

    test_size = _check_fraction(test_size)
    _check_seed_and_flag(seed, scale)
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
    from sklearn import datasets

    data = datasets.load_breast_cancer()
    return _split(data.data, data.target.astype(np.int64), test_size=test_size, seed=seed,
                  stratify=True, scale=scale)


def load_diabetes_split(*, test_size: float = 0.25, seed: int = 0, scale: bool = True) -> Split:
    """Diabetes: 442 samples, 10 features, a real-valued target (disease progression).

    The target is returned unscaled (float64, roughly 25 to 346).
    """
    from sklearn import datasets

    data = datasets.load_diabetes()
    return _split(data.data, data.target.astype(np.float64), test_size=test_size, seed=seed,
                  stratify=False, scale=scale)


def load_digits_split(*, test_size: float = 0.25, seed: int = 0) -> Split:
    """Digits: 1,797 8x8 images flattened to 64 features in [0, 1], labels 0..9 (int64)."""
    from sklearn import datasets

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
        raise CourseInputError(tr("`n` must be a positive integer. Received: n={n!r}.", n=n))
    if not isinstance(rng, np.random.Generator):
        raise CourseInputError(tr(
            "`rng` must be a numpy.random.Generator. Received: {type_name}.\n"
            "Hint: pass rng=np.random.default_rng(0) (or the rng from seed_everything).",
            type_name=type(rng).__name__,
        ))
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, (int, float, np.integer,
                                                                     np.floating)) \
            or not np.isfinite(noise) or noise < 0:
        raise CourseInputError(tr(
            "`noise` must be a finite number >= 0. Received: noise={noise!r}.\n"
            "Hint: it is the standard deviation of the noise in degrees; 4.0 is the default.",
            noise=noise))
    noise = float(noise)
    days = np.arange(n, dtype=np.float64)
    seasonal = 12.0 - 10.0 * np.cos(2 * np.pi * days / 365.0) + 3.0 * np.sin(2 * np.pi * days / 40)
    return seasonal + rng.normal(0.0, noise, size=n)


def _check_count(value, name: str, *, low: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise CourseInputError(tr(
            "`{name}` must be an integer of at least {low}. Received: {name}={value!r}.\n"
            "Hint: {hint}",
            name=name, low=low, value=value, hint=hint,
        ))
    return int(value)


def digits_splits(*, n_train: int = 300, n_val: int = 300, seed: int = 0) -> DigitsSplits:
    """Digits in three stratified, seeded parts: ``n_train`` / ``n_val`` images, the rest test.

    The training part is deliberately small (300 of 1,797 images by default) so that a
    multilayer perceptron visibly overfits it. The validation part is for choosing (a degree,
    an epoch, a lambda); the test part is for one final estimate.

    Parameters
    ----------
    n_train, n_val : int
        Sizes of the training and validation parts, each at least 10 (one image per class);
        together they must leave at least 10 images for the test part.
    seed : int
        Seed of the shuffling; the same seed gives the same parts.

    Returns
    -------
    DigitsSplits
        ``(x_train, y_train, x_val, y_val, x_test, y_test)``; ``x_*`` float32 of shape (n, 64)
        in [0, 1], ``y_*`` int64 of shape (n,).

    Examples
    --------
    >>> s = digits_splits(n_train=100, n_val=200)
    >>> s.x_train.shape, s.x_val.shape, s.x_test.shape
    ((100, 64), (200, 64), (1497, 64))
    """
    hint = tr("the digits set has 1,797 images; the defaults are n_train=300, n_val=300.")
    n_train = _check_count(n_train, "n_train", low=10, hint=hint)
    n_val = _check_count(n_val, "n_val", low=10, hint=hint)
    seed = _check_count(seed, "seed", low=0, hint=tr("use a fixed number such as 0."))
    from sklearn import datasets

    data = datasets.load_digits()
    X = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    if n_train + n_val > len(y) - 10:
        raise CourseInputError(tr(
            "`n_train` + `n_val` must leave at least 10 of the {n_images} images for the test "
            "part. Received: n_train={n_train}, n_val={n_val}.\nHint: {hint}",
            n_images=len(y), n_train=n_train, n_val=n_val, hint=hint,
        ))
    from sklearn.model_selection import train_test_split

    x_tr, x_rest, y_tr, y_rest = train_test_split(
        X, y, train_size=n_train, random_state=seed, stratify=y)
    x_va, x_te, y_va, y_te = train_test_split(
        x_rest, y_rest, train_size=n_val, random_state=seed, stratify=y_rest)
    return DigitsSplits(*(np.ascontiguousarray(a) for a in (x_tr, y_tr, x_va, y_va, x_te, y_te)))


def polynomial_regression_data(*, n_train: int = 20, n_val: int = 50, n_test: int = 200,
                               noise: float = 0.3, seed: int = 0) -> PolynomialData:
    """A small seeded 1-D regression set: ``y = sin(2 pi x) + noise`` with ``x`` in [0, 1].

    With about 20 training points, polynomials of low degree underfit, degrees near 3 to 7 fit
    well and high degrees chase the noise: the classic capacity picture. The three parts are
    drawn independently from the same distribution.

    Parameters
    ----------
    n_train, n_val, n_test : int
        Sizes of the parts, each at least 2.
    noise : float
        Standard deviation of the Gaussian noise, non-negative.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    PolynomialData
        ``(x_train, y_train, x_val, y_val, x_test, y_test)``, each float64 of shape (n,);
        the ``x_*`` are sorted.
    """
    hint = tr("the defaults are n_train=20, n_val=50, n_test=200.")
    sizes = [_check_count(v, k, low=2, hint=hint)
             for k, v in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test))]
    seed = _check_count(seed, "seed", low=0, hint=tr("use a fixed number such as 0."))
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) \
            or not np.isfinite(noise) or noise < 0:
        raise CourseInputError(tr(
            "`noise` must be a finite number >= 0. Received: noise={noise!r}.\n"
            "Hint: 0.3 gives a visible but moderate scatter around sin(2 pi x).",
            noise=noise,
        ))
    rng = np.random.default_rng(seed)
    parts = []
    for n in sizes:
        x = np.sort(rng.uniform(0.0, 1.0, size=n))
        parts += [x, np.sin(2 * np.pi * x) + rng.normal(0.0, float(noise), size=n)]
    return PolynomialData(*parts)
