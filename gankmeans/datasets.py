"""Named data sets with one generator signature, 2-D projection, input validation (CSV: csvfile.py)."""

from __future__ import annotations

import math
from functools import cache, partial
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from .csvfile import (  # noqa: F401 (public here)
    IDENTIFIER_MIN_ROWS,
    LABEL_NAMES,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    TEXT_ID,
    CsvColumns,
    CsvData,
    csv_columns,
    read_csv,
)

NAMES = ("blobs", "anisotropic", "varied", "moons", "circles", "spirals", "uniform", "seed",
         "iris", "wine", "digits")
NATURAL_K = {"blobs": 4, "anisotropic": 3, "varied": 3, "moons": 2, "circles": 2, "spirals": 2,
             "uniform": 4, "seed": 4, "iris": 3, "wine": 3, "digits": 10}
IMAGE_SHAPES = {"digits": (8, 8)}
# The sets whose points depend on ``noise``; the others ignore it.
USES_NOISE = frozenset({"blobs", "anisotropic", "varied", "moons", "circles", "spirals"})
MAX_SAMPLES = 1_000_000

# Fixed centres make the structure the same for every seed (as in TensorFlow Playground); the
# seed only moves the points. The 3-cluster centres are those of scikit-learn's clustering demo.
_BLOB_CENTERS = ((-5.0, -5.0), (-5.0, 5.0), (5.0, -5.0), (5.0, 5.0))
_DEMO_CENTERS = ((-9.0, -5.5), (-4.6, 0.1), (1.9, 0.5))
_SHEAR = np.array([[0.6, -0.6], [-0.4, 0.8]])


def _std_scale(noise):
    # noise=0.05 (the default) keeps scikit-learn's own cluster_std; 0 halves it, 1 multiplies
    # it by 10.5, enough to merge every blob.
    return 0.5 + 10.0 * noise


def _sk_seed(rng):
    return int(rng.integers(2**31 - 1))


def _blob_like(n_samples, noise, rng, centers, cluster_std):
    std = np.asarray(cluster_std) * _std_scale(noise)
    return skd.make_blobs(n_samples=n_samples, centers=np.array(centers), cluster_std=std,
                          random_state=_sk_seed(rng))


def _anisotropic(n_samples, noise, rng):
    X, y = _blob_like(n_samples, noise, rng, _DEMO_CENTERS, 1.0)
    return X @ _SHEAR, y


def _noisy_shape(n_samples, noise, rng, maker, **kwargs):
    return maker(n_samples=n_samples, noise=noise, random_state=_sk_seed(rng), **kwargs)


def _spirals(n_samples, noise, rng):
    y = np.arange(n_samples) % 2
    # sqrt spaces points evenly along the arc (arc length grows as theta**2); 3*pi = 1.5 turns.
    theta = 3 * np.pi * np.sqrt(rng.uniform(0.02, 1.0, n_samples))
    radius = theta / (3 * np.pi)
    angle = theta + np.pi * y
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += rng.normal(0.0, noise, X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def _uniform(n_samples, noise, rng):
    return rng.uniform(0.0, 1.0, (n_samples, 2)), None


def _seed(n_samples, noise, rng):
    # random.sample(range(1, 10), 2): x in 1..9, then y uniform over the 8 other values.
    x = rng.integers(1, 10, n_samples)
    y = (x - 1 + rng.integers(1, 9, n_samples)) % 9 + 1
    return np.column_stack([x, y]), None


@cache
def _bundled_arrays(loader):
    X, y = loader(return_X_y=True)
    X.flags.writeable = y.flags.writeable = False  # cached: callers get copies, never these
    return X, y


def _bundled(n_samples, noise, rng, loader):
    X, y = _bundled_arrays(loader)
    if n_samples < len(X):
        rows = np.sort(rng.choice(len(X), n_samples, replace=False))
    else:
        rows = np.arange(len(X))
    return X[rows], y[rows]


_GENERATORS = {
    "blobs": partial(_blob_like, centers=_BLOB_CENTERS, cluster_std=1.0),
    "anisotropic": _anisotropic,
    "varied": partial(_blob_like, centers=_DEMO_CENTERS, cluster_std=[1.0, 2.5, 0.5]),
    "moons": partial(_noisy_shape, maker=skd.make_moons),
    "circles": partial(_noisy_shape, maker=skd.make_circles, factor=0.5),
    "spirals": _spirals,
    "uniform": _uniform, "seed": _seed,
    "iris": partial(_bundled, loader=skd.load_iris),
    "wine": partial(_bundled, loader=skd.load_wine),
    "digits": partial(_bundled, loader=skd.load_digits),
}


def bundled_rows(name: str) -> int | None:
    """How many rows a bundled real data set has ("iris": 150, "wine": 178, "digits": 1,797);
    ``n_samples`` can only subsample it. None for the generated sets, which make any number."""
    generator = _GENERATORS[name]
    if isinstance(generator, partial) and generator.func is _bundled:
        return len(_bundled_arrays(generator.keywords["loader"])[0])
    return None


def _is_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool)


def _check_load_args(name, n_samples, noise, random_state):
    if name not in _GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)}")
    if not _is_int(n_samples) or not 2 <= n_samples <= MAX_SAMPLES:
        raise ValueError(f"n_samples={n_samples!r} is invalid; use an integer from 2 to "
                         f"{MAX_SAMPLES:,}")
    ok = isinstance(noise, Real) and not isinstance(noise, bool) and math.isfinite(noise)
    if not ok or not 0 <= noise <= 1:
        raise ValueError(f"noise={noise!r} is invalid; use a number from 0 to 1")
    if random_state is not None and (not _is_int(random_state) or random_state < 0):
        raise ValueError(f"random_state={random_state!r} is invalid; use an integer >= 0 or None")


def load(name, n_samples=500, noise=0.05, random_state=0):
    """Generate or load a named data set.

    Parameters
    ----------
    name : str
        One of ``NAMES``.
    n_samples : int
        Number of points, 2 to 1,000,000. For "iris", "wine" and "digits" a random subset of
        that many rows, or every row when the set is smaller.
    noise : float
        From 0 to 1. For "moons", "circles" and "spirals" the standard deviation of the Gaussian
        noise (their shapes have unit scale). For "blobs", "anisotropic" and "varied" it scales
        the cluster spread: ``cluster_std = base * (0.5 + 10 * noise)``, so the default 0.05
        gives scikit-learn's usual spread. Ignored by "uniform", "seed" and the real data sets.
    random_state : int or None
        Seed of a local ``numpy.random.Generator``; global random state is never touched.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    y : ndarray of int64, shape (n_samples,), or None
        True labels; None for "uniform" and "seed", which have none.
    """
    _check_load_args(name, n_samples, noise, random_state)
    rng = np.random.default_rng(random_state)
    X, y = _GENERATORS[name](n_samples, float(noise), rng)
    X = np.ascontiguousarray(X, dtype=np.float64)
    return X, None if y is None else np.asarray(y, dtype=np.int64)


def project_2d(X, random_state=0, names=None):
    """Map data to two plotting axes.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    random_state : int or None
        Passed to PCA (only randomised solvers use it).
    names : list of str, optional
        Feature names, used as axis titles for 1 or 2 features.

    Returns
    -------
    X2 : ndarray of float64, shape (n_samples, 2)
        X itself for 2 features; (x, 0) for 1; else PCA of the standardised features.
    x_title, y_title : str
    """
    X = validate_data(X)
    n_features = X.shape[1]
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(n_features)]
    if n_features == 1:
        return np.column_stack([X[:, 0], np.zeros(len(X))]), names[0], "(none)"
    if n_features == 2:
        return X.copy(), names[0], names[1]
    pca = PCA(n_components=2, random_state=random_state)
    # constant data has no variance to explain: 0/0 would warn and print "nan%"
    with np.errstate(divide="ignore", invalid="ignore"):
        X2 = pca.fit_transform(StandardScaler().fit_transform(X))
    share = np.nan_to_num(pca.explained_variance_ratio_)
    return X2, f"PC1 ({share[0]:.0%} of variance)", f"PC2 ({share[1]:.0%} of variance)"


def _frame_to_array(frame):
    columns = []
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column):
            try:
                column = pd.to_numeric(column)
            except (ValueError, TypeError):
                raise ValueError(f'column "{name}" is not numeric; every feature must hold '
                                 "numbers") from None
        columns.append(column.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def _to_float_array(X):
    if isinstance(X, pd.DataFrame):
        return _frame_to_array(X)
    try:
        array = np.asarray(X)
    except ValueError:
        raise ValueError("X is ragged: its rows have different lengths; expected a 2-D array "
                         "of shape (n_samples, n_features)") from None
    if np.iscomplexobj(array):
        raise ValueError("X contains complex numbers; expected real numbers")
    try:
        return np.asarray(array, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError("X contains non-numeric values; expected numbers only") from None


def validate_data(X, n_clusters=None):
    """Check data at the core's boundary and convert it to float64.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        List of lists, ndarray or DataFrame of numbers.
    n_clusters : int, optional
        When given, X must hold at least this many samples.

    Returns
    -------
    ndarray of float64, C-contiguous, shape (n_samples, n_features)
        May share memory with X when X already is such an array.
    """
    array = _to_float_array(X)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D array of shape (n_samples, n_features), got "
                         f"{array.ndim}-D with shape {array.shape}; reshape a single feature "
                         "with X.reshape(-1, 1)")
    n_samples, n_features = array.shape
    if n_samples < 2:
        raise ValueError(f"got {n_samples} sample{'s' * (n_samples != 1)}; need at least 2")
    if n_features == 0:
        raise ValueError("got 0 features; need at least 1")
    bad_rows = int((~np.isfinite(array)).any(axis=1).sum())
    if bad_rows:
        raise ValueError(f"X contains NaN or infinity in {bad_rows} of {n_samples} rows; "
                         "remove or impute them first")
    if n_clusters is not None and n_samples < n_clusters:
        raise ValueError(f"n_samples={n_samples} is smaller than n_clusters={n_clusters}; "
                         "use fewer clusters or more samples")
    return np.ascontiguousarray(array)
