"""Clustering metrics: inertia, agreement with the teacher, and ARI/NMI against true labels."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def inertia(X, labels, centroids) -> float:
    """Sum of squared distances of every point to its cluster's centroid."""
    X, centroids = np.asarray(X, dtype=np.float64), np.asarray(centroids, dtype=np.float64)
    residual = X - centroids[np.asarray(labels)]
    return float(np.einsum("ij,ij->", residual, residual))


def agreement(student_labels, teacher_labels) -> float:
    """Share of the points the teacher decided (label >= 0) where the student agrees.

    NaN when the teacher decided no point.
    """
    student_labels, teacher_labels = np.asarray(student_labels), np.asarray(teacher_labels)
    decided = teacher_labels >= 0
    if not decided.any():
        return float("nan")
    return float((student_labels[decided] == teacher_labels[decided]).mean())


def student_share(decided_by_student) -> float:
    """Share of all points whose label the student decided."""
    decided_by_student = np.asarray(decided_by_student, dtype=bool)
    return float(decided_by_student.mean()) if decided_by_student.size else 0.0


def external_scores(y_true, labels) -> dict[str, float]:
    """ARI and NMI of ``labels`` against the true labels; empty when ``y_true`` is None."""
    if y_true is None:
        return {}
    return {
        "ari": float(adjusted_rand_score(y_true, labels)),
        "nmi": float(normalized_mutual_info_score(y_true, labels)),
    }


# Spectral clustering builds an n x n affinity graph: past this size it is skipped, not waited for.
SPECTRAL_MAX_SAMPLES = 5_000


def baseline_labels(X, n_clusters: int, random_state: int | None = 0) -> dict[str, np.ndarray | None]:
    """Labels of classic clusterers on standardised X, for comparing against GANKMeans.

    DBSCAN uses scikit-learn's demo settings (eps 0.3, 5 samples; -1 marks noise). Spectral
    clustering is None above ``SPECTRAL_MAX_SAMPLES`` points.
    """
    from sklearn.cluster import DBSCAN, KMeans, SpectralClustering
    from sklearn.mixture import GaussianMixture
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(np.asarray(X, dtype=np.float64))
    spectral = None
    if len(X) <= SPECTRAL_MAX_SAMPLES:
        spectral = SpectralClustering(n_clusters, affinity="nearest_neighbors",
                                      random_state=random_state).fit_predict(X)
    return {
        "K-Means": KMeans(n_clusters, n_init="auto", random_state=random_state).fit_predict(X),
        "Gaussian mixture": GaussianMixture(n_clusters, random_state=random_state).fit(X).predict(X),
        "Spectral clustering": spectral,
        "DBSCAN": DBSCAN(eps=0.3, min_samples=5).fit_predict(X),
    }


def match_labels(labels, reference, k: int) -> np.ndarray:
    """The relabelling of ``labels`` (0..k-1) that best agrees with ``reference``.

    Hungarian assignment on the k x k contingency table, so that another clustering of the same
    points can draw each cluster in the colour and shape of the reference cluster it overlaps most.

    Returns
    -------
    mapping : ndarray of int, shape (k,)
        ``mapping[labels]`` are the matched labels; a permutation of 0..k-1.
    """
    labels, reference = np.asarray(labels, dtype=int), np.asarray(reference, dtype=int)
    inside = (reference >= 0) & (reference < k)  # labels the other side cannot take are ignored
    table = np.zeros((k, k))
    np.add.at(table, (labels[inside], reference[inside]), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    mapping = np.empty(k, dtype=int)
    mapping[rows] = cols
    return mapping
