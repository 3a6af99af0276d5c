"""Joining a neighbour graph's small pieces, so that it has no more connected pieces than clusters."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
import torch
from scipy.sparse.csgraph import connected_components

# The nearest piece is searched among at most this many points (every point below it: exact),
# in chunks of CHUNK_ELEMENTS distances.
SEARCH_POINTS = 10_000
CHUNK_ELEMENTS = 16_000_000


def pieces(indices: np.ndarray) -> tuple[int, np.ndarray]:
    """(count, piece of each point): the connected pieces of the kNN graph whose rows of
    neighbours are ``indices``."""
    n, k = indices.shape
    rows = np.repeat(np.arange(n), k)
    adjacency = sparse.csr_matrix((np.ones(n * k), (rows, indices.ravel())), shape=(n, n))
    return connected_components(adjacency, directed=False)


def joining_pairs(points: np.ndarray, indices: np.ndarray, max_pieces: int) -> np.ndarray:
    """Point pairs that join the kNN graph's smallest pieces until it has at most ``max_pieces``.

    A sampling gap can cut a kNN graph in more pieces than there are clusters: one arm of the
    two spirals in two, say. The graph's smoothest directions are then any mix of the pieces,
    more of them than the learned space keeps (K - 1), and which mix it kept was arbitrary: with
    2 CPU threads the rounding decided (ARI 0.571 or 1.0 on the same data). A piece too small to
    be a cluster of its own is taken for such a fragment: the smallest piece is joined to its
    nearest piece by the ``k`` closest pairs between them (a gap crossed as neighbours cross it),
    then the next, until ``max_pieces`` remain. A graph with no more pieces than that is left
    as it is: each piece is then a whole cluster.

    Returns
    -------
    pairs : ndarray of int, shape (m, 2)
        ``k`` pairs per join; empty when nothing is joined.
    """
    count, piece = pieces(indices)
    pairs = []
    sizes = np.bincount(piece, minlength=count)
    while count > max_pieces:
        smallest = int(np.argmin(np.where(sizes > 0, sizes, len(piece) + 1)))  # first of the smallest
        ends = _closest_pairs(points, piece == smallest, indices.shape[1])
        pairs.append(ends)
        other = piece[ends[0, 1]]
        sizes[other] += sizes[smallest]
        sizes[smallest] = 0
        piece[piece == smallest] = other
        count -= 1
    return np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)


def _sample(mask: np.ndarray) -> np.ndarray:
    """Indices of the points under ``mask``: all, or every m-th, at most SEARCH_POINTS of them."""
    found = np.flatnonzero(mask)
    return found[:: max(1, -(-len(found) // SEARCH_POINTS))]


def _closest_pairs(points: np.ndarray, inside: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` closest (inside, outside) pairs of points, nearest first."""
    rows, cols = _sample(inside), _sample(~inside)
    data = torch.as_tensor(np.asarray(points)[cols], dtype=torch.float64)
    chunk = max(1, CHUNK_ELEMENTS // len(cols))
    best_d, best_i, best_j = [], [], []
    for start in range(0, len(rows), chunk):
        part = torch.as_tensor(np.asarray(points)[rows[start:start + chunk]], dtype=torch.float64)
        block = torch.cdist(part, data).numpy()
        flat = block.ravel()
        flat = np.argpartition(flat, k - 1)[:k] if flat.size > k else np.arange(flat.size)
        i, j = np.unravel_index(flat, block.shape)
        best_d.append(block[i, j])
        best_i.append(rows[start + i])
        best_j.append(cols[j])
    distances, first, second = map(np.concatenate, (best_d, best_i, best_j))
    order = np.lexsort((second, first, distances))[:k]
    return np.stack([first[order], second[order]], 1)
