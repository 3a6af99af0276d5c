"""Where the teacher starts: K rows of the data, by k-means++ or at random (no torch needed)."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import kmeans_plusplus

from .config import TrainConfig
from .datasets import validate_data
from .scaling import Scaling


def initial_rows(points: np.ndarray, n_clusters: int, init: str, rng, seed: int | None = None) -> np.ndarray:
    """The rows the teacher's K centroids start on: k-means++ seeding, or K distinct rows as the
    seed did (their points may coincide).

    ``seed`` seeds scikit-learn's k-means++ (drawn from ``rng`` when None): with the run's
    ``random_state`` it picks the rows ``KMeans(n_init=1, random_state=same)`` starts from.
    """
    if init == "k-means++":
        seed = int(rng.integers(2**31 - 1)) if seed is None else seed
        return kmeans_plusplus(points, n_clusters, random_state=seed)[1]
    return rng.choice(len(points), n_clusters, replace=False)


def run_rng(config: TrainConfig) -> tuple[np.random.Generator, int]:
    """A run's numpy generator and the seed of its torch generator, drawn first from it."""
    rng = np.random.default_rng(config.random_state)
    return rng, int(rng.integers(2**62))


def teacher_points(X: np.ndarray, config: TrainConfig) -> tuple[Scaling, np.ndarray]:
    """The teacher's units (``Scaling.teacher``) and X in them, rounded to float32 as training holds them."""
    scaling = Scaling.teacher(X, config.standardize)
    return scaling, scaling.transform(X).astype(np.float32)


def starting_rows(X, config: TrainConfig | None = None) -> np.ndarray | None:
    """The rows of X that ``train(X, config)`` starts its K centroids on, before epoch 1.

    Both inits pick data rows, so ``X[rows]`` are the starting centroids in the input's units (an
    app draws them as "epoch 0"). Only a fixed ``random_state`` makes them the run's own: None
    draws fresh entropy here and in ``train``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    config : TrainConfig, optional
        ``TrainConfig()`` when omitted.

    Returns
    -------
    ndarray of int, shape (n_clusters,), or None
        None where ``teacher_space="learned"``: the teacher's space, and its centroids, exist
        only after the first epoch has trained the encoder.
    """
    config = TrainConfig() if config is None else config
    if config.teacher_space == "learned":
        return None
    X = validate_data(X, config.n_clusters)
    rng, _ = run_rng(config)
    points = teacher_points(X, config)[1].astype(np.float64)
    return initial_rows(points, config.n_clusters, config.init, rng, config.random_state)
