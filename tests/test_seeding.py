"""Tests for gankmeans.seeding: the starting centroids a run draws before epoch 1."""

import numpy as np
import pytest
from sklearn.cluster import KMeans

from gankmeans import TrainConfig, datasets, train
from gankmeans.seeding import starting_rows, teacher_points


def _nearest(points, centroids):
    distances = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)
    return distances.argmin(1)


@pytest.mark.parametrize(("name", "k", "options"), [
    ("blobs", 4, {}),
    ("blobs", 4, {"init": "random"}),
    ("wine", 3, {"standardize": True}),
    ("seed", 4, {"init": "random", "random_state": 5}),
])
def test_epoch_one_teacher_labels_each_point_by_the_starting_rows(name, k, options):
    # The teacher's labels of epoch 1 are nearest-centroid labels under the start, so a start
    # other than the run's own shows up as wrong labels.
    X, _ = datasets.load(name, n_samples=300, random_state=2)
    config = TrainConfig(n_clusters=k, max_epochs=1, device="cpu", **options)
    rows = starting_rows(X, config)
    assert rows.shape == (k,) and len(np.unique(rows)) == k
    frame = next(iter(train(X, config)))
    points = teacher_points(X, config)[1].astype(np.float64)
    expected = _nearest(points, points[rows])
    decided = frame.teacher_labels >= 0
    assert decided.mean() > 0.5  # the seed grid ties often: 70 % decided
    np.testing.assert_array_equal(frame.teacher_labels[decided], expected[decided])


def test_k_means_plus_plus_starts_where_sklearn_kmeans_does():
    X, _ = datasets.load("blobs", n_samples=400, random_state=0)
    rows = starting_rows(X, TrainConfig(n_clusters=4, random_state=3))
    one_step = KMeans(4, n_init=1, max_iter=1, random_state=3).fit(X)
    # One Lloyd step from the same start: the same partition
    assert (_nearest(X, X[rows]) == one_step.labels_).mean() > 0.99


def test_the_seed_decides_the_start_and_learned_mode_has_none():
    X, _ = datasets.load("blobs", n_samples=200, random_state=0)
    assert not np.array_equal(starting_rows(X, TrainConfig(random_state=0)),
                              starting_rows(X, TrainConfig(random_state=1)))
    assert starting_rows(X, TrainConfig(n_clusters=2, teacher_space="learned")) is None
    with pytest.raises(ValueError, match="n_clusters"):
        starting_rows(X[:3], TrainConfig(n_clusters=4))
