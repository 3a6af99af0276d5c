"""Metrics on hand-computed cases."""

import math
import warnings

import numpy as np
import pytest

from gankmeans import metrics


def test_inertia_of_four_points():
    X = [[0, 0], [2, 0], [10, 10], [10, 12]]
    centroids = [[1, 0], [10, 11]]
    assert metrics.inertia(X, [0, 0, 1, 1], centroids) == pytest.approx(1 + 1 + 1 + 1)


def test_agreement_ignores_points_the_teacher_abstained_on():
    assert metrics.agreement([0, 1, 1, 2], [0, 1, -1, 0]) == pytest.approx(2 / 3)
    assert math.isnan(metrics.agreement([0, 1], [-1, -1]))


def test_student_share():
    assert metrics.student_share([True, False, False, False]) == 0.25
    assert metrics.student_share([]) == 0.0


def test_external_scores_are_label_permutation_invariant():
    y = np.array([0, 0, 1, 1, 2, 2])
    scores = metrics.external_scores(y, np.array([2, 2, 0, 0, 1, 1]))
    assert scores == {"ari": pytest.approx(1.0), "nmi": pytest.approx(1.0)}
    assert metrics.external_scores(None, y) == {}
    assert metrics.external_scores(y, np.zeros(6, int))["ari"] == pytest.approx(0.0)


@pytest.mark.parametrize("seed", range(20))
def test_external_scores_equal_scikit_learns(seed):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 200))
    y = rng.integers(0, rng.integers(1, 6), n)
    found = y.copy() if seed % 2 else rng.integers(-1, rng.integers(1, 6), n)
    found[: seed % 4] = 3  # a few changed labels, so the copies are near matches, not exact
    scores = metrics.external_scores(y, found)
    assert scores["ari"] == pytest.approx(adjusted_rand_score(y, found), abs=1e-12)
    assert scores["nmi"] == pytest.approx(normalized_mutual_info_score(y, found), abs=1e-12)


@pytest.mark.parametrize(("y", "found"), [([0, 0, 0], [1, 1, 1]), ([0, 1, 2], [2, 1, 0]),
                                          ([0, 0, 0], [0, 1, 2]), ([0, 1, 2], [0, 0, 0]), ([0, 1], [5, 5])])
def test_external_scores_edge_cases_equal_scikit_learns(y, found):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    scores = metrics.external_scores(np.array(y), np.array(found))
    assert scores == {"ari": pytest.approx(adjusted_rand_score(y, found), abs=1e-12),
                      "nmi": pytest.approx(normalized_mutual_info_score(y, found), abs=1e-12)}


def test_baselines_label_every_point_and_spectral_separates_moons():
    from gankmeans import datasets

    X, y = datasets.load("moons", n_samples=300, random_state=0)
    labels = metrics.baseline_labels(X, 2, random_state=0)
    assert list(labels) == ["K-Means", "Gaussian mixture", "Spectral clustering", "DBSCAN"]
    assert all(len(v) == len(X) for v in labels.values())
    assert metrics.external_scores(y, labels["Spectral clustering"])["ari"] > 0.95
    assert metrics.external_scores(y, labels["K-Means"])["ari"] < 0.7  # the distance rule's limit


def test_baselines_see_the_data_as_the_teacher_does_whatever_its_units():
    from gankmeans import datasets

    X, y = datasets.load("wine")  # proline in the hundreds, the other columns near 1
    as_given, standardised = (metrics.baseline_labels(X, 3, standardize=s) for s in (False, True))
    kmeans_ari = [metrics.external_scores(y, labels["K-Means"])["ari"] for labels in (as_given, standardised)]
    assert kmeans_ari[0] < 0.5 < 0.8 < kmeans_ari[1]
    # DBSCAN's radius is 0.3 of the data's spread: the same answer in any units.
    for scaled in (X * 1000, X / 1000):
        np.testing.assert_array_equal(metrics.baseline_labels(scaled, 3)["DBSCAN"], as_given["DBSCAN"])


def test_spectral_on_separate_groups_finds_them_without_a_connectivity_warning():
    # Two far-apart groups: the kNN graph is in two pieces, which scikit-learn warns about.
    X = np.concatenate([np.random.default_rng(0).normal(size=(40, 2)) + shift for shift in (0, 50)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labels = metrics.spectral_labels(X, 2)
    assert metrics.external_scores(np.repeat([0, 1], 40), labels)["ari"] == 1.0


def test_spectral_is_skipped_for_large_data(monkeypatch):
    monkeypatch.setattr(metrics, "SPECTRAL_MAX_SAMPLES", 10)
    labels = metrics.baseline_labels(np.random.default_rng(0).normal(size=(30, 2)), 2)
    assert labels["Spectral clustering"] is None and len(labels["K-Means"]) == 30


def test_match_labels_gives_the_same_blob_the_same_label():
    reference = np.repeat([0, 1, 2], 10)
    other = np.repeat([2, 0, 1], 10)  # the same three groups, numbered differently
    other[0] = 0  # one disagreement does not change the matching
    mapping = metrics.match_labels(other, reference, 3)
    assert sorted(mapping) == [0, 1, 2]
    assert (mapping[other] == reference).sum() == 29
