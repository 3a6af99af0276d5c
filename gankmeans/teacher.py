"""The teacher: Euclidean K-Means' nearest-centroid rule, with abstention, and its centroid update."""

from __future__ import annotations

import torch

ABSTAIN = -1
# Distances are float32, in units of the data's RMS spread: two distances this close are an
# exact tie up to rounding.
TIE_EPS = 1e-5


def squared_distances(points: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """(n, K) squared Euclidean distances, via one matrix product (no (n, K, d) temporary)."""
    partial = _partial_distances(points, centroids).T
    return (partial + (points * points).sum(1, keepdim=True)).clamp_min_(0)


def _partial_distances(points: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """(K, n) ||c||^2 - 2 c.x: squared distances less ||x||^2, which no argmin over c needs.

    K rows of n, not n rows of K: reducing over K is then an element-wise pass along
    contiguous rows, several times faster than reducing over a short last axis.
    """
    return torch.addmm((centroids * centroids).sum(1, keepdim=True), centroids, points.T, alpha=-2)


def assign(points: torch.Tensor, centroids: torch.Tensor, tie_margin: float = 0.0,
           points_sq: torch.Tensor | None = None):
    """Nearest-centroid labels, and the teacher's labels with abstentions.

    Parameters
    ----------
    points : Tensor (n, d); centroids : Tensor (K, d)
        Both in the teacher's units, in which the data's RMS spread is 1 (see ``Scaling``): so
        ``tie_margin`` and the rounding allowance ``TIE_EPS`` mean the same on any data.
    tie_margin : float
        Abstain where the two smallest distances differ by at most this (plus rounding).
    points_sq : Tensor (n,), optional
        ``(points ** 2).sum(1)``, which a caller labelling the same points every epoch can
        compute once.

    Returns
    -------
    nearest : LongTensor (n,)
        The nearest centroid of every point (ties broken by the lower index).
    teacher : LongTensor (n,)
        ``nearest`` where the teacher decided, ``ABSTAIN`` (-1) where it did not.
    """
    if centroids.shape[0] == 1:
        nearest = torch.zeros(points.shape[0], dtype=torch.long, device=points.device)
        return nearest, nearest.clone()
    partial = _partial_distances(points, centroids)
    best, nearest = _min_and_argmin(partial)
    second = partial.scatter_(0, nearest.unsqueeze(0), torch.inf).amin(0)
    if points_sq is None:
        points_sq = (points * points).sum(1)
    gap = (points_sq + second).clamp_min(0).sqrt() - (points_sq + best).clamp_min(0).sqrt()
    teacher = torch.where(gap <= tie_margin + TIE_EPS, ABSTAIN, nearest)
    return nearest, teacher


def _min_and_argmin(partial: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Column minima and their first row index.

    ``partial.min(0)`` does the same about 3x slower on CPU: only the values-only reductions
    are vectorised along the rows. So: find the minima, mark where each column reaches it,
    and keep the lowest such row by giving row k the rank K - k (a tie goes to the lower index).
    """
    k = partial.shape[0]
    best = partial.amin(0)
    rank = torch.arange(k, 0, -1, dtype=torch.uint8, device=partial.device).unsqueeze(1)  # K <= 64
    index = k - ((partial == best) * rank).amax(0).long()
    return best, index


def update_centroids(points: torch.Tensor, labels: torch.Tensor, previous: torch.Tensor,
                     points_t: torch.Tensor | None = None):
    """Mean of each cluster's points; an empty cluster keeps its previous centroid.

    Parameters
    ----------
    points_t : Tensor (d, n), optional
        ``points.T.contiguous()``, which a caller updating the same points every epoch can keep:
        summing into K columns along its rows took 4.3 ms instead of 10.9 at 1,000,000 points,
        D = 2 (9.6 instead of 17.3 at D = 16) on 2 CPU cores.

    Returns
    -------
    centroids : Tensor (K, d)
    empty : int
        How many clusters received no point.
    """
    n_clusters = previous.shape[0]
    if points_t is None:
        sums = torch.zeros_like(previous).index_add_(0, labels, points)
    else:
        # A fresh (d, K) buffer: zeros_like(previous.T) would copy its column-major strides (10x slower).
        sums = previous.new_zeros(previous.shape[1], n_clusters).index_add_(1, labels, points_t).T
    counts = torch.bincount(labels, minlength=n_clusters).to(points.dtype)
    means = sums / counts.clamp_min(1).unsqueeze(1)
    is_empty = counts == 0
    centroids = torch.where(is_empty.unsqueeze(1), previous, means)
    return centroids, int(is_empty.sum())
