"""The teacher's units: K-Means in the data's own units (standardised on request), whatever their scale."""

import numpy as np
import pytest
from sklearn.cluster import kmeans_plusplus
from sklearn.datasets import load_wine
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from gankmeans import TrainConfig, datasets, train
from gankmeans.scaling import Scaling, rms_spread, spread_ratio


def mixed_units(seed=0):
    """Blobs whose second column is in units 1,000 times smaller, far from the origin."""
    X, _ = datasets.load("varied", n_samples=400, random_state=seed)
    return X * [1.0, 1000.0] + [0.0, 5e4]


def test_the_teachers_units_are_the_data_centred_and_divided_by_one_number():
    X = mixed_units()
    scaling = Scaling.teacher(X)
    Z = scaling.transform(X)
    s = np.sqrt(np.mean(X.var(0)))
    np.testing.assert_allclose(scaling.scale, [s, s])  # no feature is favoured
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-9)
    assert rms_spread(Z) == pytest.approx(1.0)
    np.testing.assert_allclose(scaling.inverse_transform(Z), X)


def test_standardised_units_give_every_feature_the_same_spread():
    X = np.column_stack([mixed_units(), np.full(400, 3.0)])  # and a constant column
    Z = Scaling.teacher(X, standardize=True).transform(X)
    np.testing.assert_allclose(Z.std(0), [Z.std(0)[0]] * 2 + [0.0])
    assert rms_spread(Z) == pytest.approx(1.0)


def test_spread_ratio_tells_mixed_units_apart():
    assert spread_ratio(load_wine().data) > 1000  # proline in the hundreds, hue near 1
    assert spread_ratio(datasets.load("iris")[0]) < 10
    assert spread_ratio(np.column_stack([np.arange(5.0), np.ones(5)])) == 1.0  # constant: ignored


def lloyd(X, centroids, n_iter):
    """Plain float64 Lloyd iterations: (labels, centroids) after each."""
    steps = []
    for _ in range(n_iter):
        labels = ((X[:, None, :] - centroids[None]) ** 2).sum(2).argmin(1)
        centroids = np.array([X[labels == k].mean(0) if (labels == k).any() else centroids[k]
                              for k in range(len(centroids))])
        steps.append((labels, centroids))
    return steps


FIDELITY_DATA = {
    "blobs": lambda: datasets.load("blobs", n_samples=400, noise=0.15, random_state=1)[0],
    "iris": lambda: datasets.load("iris")[0],
    "anisotropic": lambda: datasets.load("anisotropic", n_samples=400, random_state=2)[0],
    "columns 1,000x apart": mixed_units,
}


@pytest.mark.parametrize("standardize", [False, True], ids=["own units", "standardised"])
@pytest.mark.parametrize("name", list(FIDELITY_DATA))
def test_the_teacher_is_lloyds_k_means_epoch_by_epoch(name, standardize):
    X = FIDELITY_DATA[name]()
    k = 3 if name != "blobs" else 4
    seen = StandardScaler().fit_transform(X) if standardize else X
    # The teacher's k-means++ is scikit-learn's, seeded with random_state, as KMeans(n_init=1) seeds it.
    start = kmeans_plusplus(seen, k, random_state=7)[1]
    frames = list(train(X, TrainConfig(n_clusters=k, max_epochs=12, tol=0, random_state=7,
                                       standardize=standardize)))
    unit = Scaling.teacher(X, standardize).scale  # float32 rounding, in input units
    for frame, (labels, centroids) in zip(frames, lloyd(seen, seen[start], len(frames)), strict=True):
        np.testing.assert_array_equal(frame.teacher_labels, labels)  # nothing abstained, nothing moved
        if standardize:
            centroids = centroids * X.std(0) + X.mean(0)
        np.testing.assert_allclose(frame.centroids, centroids, rtol=0, atol=1e-5 * unit.max())


def run_summary(X, **config):
    frames = list(train(X, TrainConfig(**config)))
    return frames, [(f.labels, f.teacher_labels, f.student_labels, f.decided_by_student) for f in frames]


@pytest.mark.parametrize("factor", [1000.0, 0.001])
@pytest.mark.parametrize("config", [
    {"standardize": False}, {"standardize": True},
    {"standardize": False, "teacher_space": "learned", "max_epochs": 8},
], ids=["own units", "standardised", "learned"])
def test_units_change_nothing_but_the_units(factor, config):
    X = mixed_units(3)[:300]
    config = {"n_clusters": 3, "tie_margin": 0.3, "max_epochs": 40, **config}
    frames, labels = run_summary(X, **config)
    scaled_frames, scaled_labels = run_summary(X * factor, **config)
    assert len(scaled_frames) == len(frames)  # the same stop (tol is units-free too)
    assert any(f.decided_by_student.any() for f in frames)  # the margin has points to abstain on
    for ours, theirs in zip(labels, scaled_labels, strict=True):
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(scaled_frames[-1].centroids, frames[-1].centroids * factor, rtol=1e-6)
    assert scaled_frames[-1].inertia == pytest.approx(frames[-1].inertia * factor**2, rel=1e-6)


def test_standardising_is_what_wine_needs():
    X, y = datasets.load("wine")
    own = list(train(X, TrainConfig(n_clusters=3, max_epochs=20)))[-1]
    standardised = list(train(X, TrainConfig(n_clusters=3, max_epochs=20, standardize=True)))[-1]
    assert adjusted_rand_score(y, own.labels) < 0.5 < 0.8 < adjusted_rand_score(y, standardised.labels)
