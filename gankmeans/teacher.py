"""The teacher: Euclidean K-Means' nearest-centroid rule, with abstention, and its centroid update."""

from __future__ import annotations

import torch

ABSTAIN = -1
# Distances are float32: two distances this close are an exact tie up to rounding.
TIE_EPS = 1e-5


def squared_distances(points: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """(n, K) squared Euclidean distances, via one matrix product (no (n, K, d) temporary)."""
    cross = points @ centroids.T
    d2 = (points * points).sum(1, keepdim=True) - 2 * cross + (centroids * centroids).sum(1)
    return d2.clamp_min_(0)


def assign(points: torch.Tensor, centroids: torch.Tensor, tie_margin: float = 0.0):
    """Nearest-centroid labels, and the teacher's labels with abstentions.

    Parameters
    ----------
    points : Tensor (n, d); centroids : Tensor (K, d), both standardised.
    tie_margin : float
        Abstain where the two smallest distances differ by at most this (plus rounding).

    Returns
    -------
    nearest : LongTensor (n,)
        The nearest centroid of every point (ties broken by the lower index).
    teacher : LongTensor (n,)
        ``nearest`` where the teacher decided, ``ABSTAIN`` (-1) where it did not.
    """
    d2 = squared_distances(points, centroids)
    if centroids.shape[0] == 1:
        nearest = torch.zeros(points.shape[0], dtype=torch.long, device=points.device)
        return nearest, nearest.clone()
    best2, index2 = torch.topk(d2, 2, dim=1, largest=False, sorted=True)
    nearest = index2[:, 0]
    gap = best2[:, 1].sqrt() - best2[:, 0].sqrt()
    teacher = torch.where(gap <= tie_margin + TIE_EPS, ABSTAIN, nearest)
    return nearest, teacher


def update_centroids(points: torch.Tensor, labels: torch.Tensor, previous: torch.Tensor):
    """Mean of each cluster's points; an empty cluster keeps its previous centroid.

    Returns
    -------
    centroids : Tensor (K, d)
    empty : int
        How many clusters received no point.
    """
    n_clusters = previous.shape[0]
    sums = torch.zeros_like(previous).index_add_(0, labels, points)
    counts = torch.bincount(labels, minlength=n_clusters).to(points.dtype)
    means = sums / counts.clamp_min(1).unsqueeze(1)
    is_empty = counts == 0
    centroids = torch.where(is_empty.unsqueeze(1), previous, means)
    return centroids, int(is_empty.sum())
