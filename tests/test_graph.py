"""Joining a kNN graph's small pieces: the smallest to its nearest, until no more pieces than clusters."""

import numpy as np
import pytest
import scipy.sparse as sparse
from scipy.sparse.csgraph import connected_components
from sklearn.metrics import adjusted_rand_score

from gankmeans import datasets
from gankmeans.embedding import knn_graph, nearest_neighbours
from gankmeans.graph import joining_pairs, pieces
from gankmeans.scaling import Scaling


def broken_line_and_a_group():
    """A line of 30 points, a gap, 10 more on the same line; and a far group of 40."""
    line = np.column_stack([np.r_[np.arange(30.0), np.arange(10.0) + 40], np.zeros(40)])
    group = np.random.default_rng(0).normal(size=(40, 2)) + [15.0, 30.0]
    return np.vstack([line, group])


def test_pieces_counts_the_connected_parts_of_the_knn_graph():
    points = broken_line_and_a_group()
    count, piece = pieces(nearest_neighbours(points, 5)[1])
    assert count == 3
    assert len(set(piece[:30])) == len(set(piece[30:40])) == len(set(piece[40:])) == 1


def test_the_smallest_piece_is_joined_to_its_nearest_piece_by_k_closest_pairs():
    points = broken_line_and_a_group()
    pairs = joining_pairs(points, nearest_neighbours(points, 5)[1], max_pieces=2)
    assert pairs.shape == (5, 2)
    ends = np.sort(pairs, axis=1)
    assert (ends[:, 0] < 30).all() and ((ends[:, 1] >= 30) & (ends[:, 1] < 40)).all()  # across the gap
    assert np.linalg.norm(points[pairs[0, 0]] - points[pairs[0, 1]]) == pytest.approx(11.0)  # nearest first


def test_a_graph_with_no_more_pieces_than_clusters_is_left_as_it_is():
    points = broken_line_and_a_group()
    assert joining_pairs(points, nearest_neighbours(points, 5)[1], max_pieces=3).shape == (0, 2)


def test_a_sampled_search_joins_the_same_pieces(monkeypatch):
    monkeypatch.setattr("gankmeans.graph.SEARCH_POINTS", 7)
    points = broken_line_and_a_group()
    ends = np.sort(joining_pairs(points, nearest_neighbours(points, 5)[1], max_pieces=2), axis=1)
    assert (ends[:, 0] < 30).all() and ((ends[:, 1] >= 30) & (ends[:, 1] < 40)).all()


def test_the_graph_carries_the_joins_at_the_median_weight():
    points = broken_line_and_a_group()
    edges, weights = knn_graph(points, 5, max_pieces=2)
    plain_edges, plain_weights = knn_graph(points, 5)
    assert len(edges) == len(plain_edges) + 2 * 5  # each join in both directions
    np.testing.assert_allclose(weights[-5:].numpy(), np.median(plain_weights[: len(plain_weights) // 2]))


def test_the_spirals_arm_cut_by_a_sampling_gap_is_joined_to_itself_not_to_the_other_arm():
    # Measured: at noise 0.03 this sample's graph falls in 3 pieces (one arm in two), and the
    # learned space kept an arbitrary mix of them (ARI 0.571, or 1.0 with other rounding).
    X, y = datasets.load("spirals", n_samples=500, noise=0.03, random_state=1)
    points = Scaling.teacher(X).transform(X)
    assert pieces(nearest_neighbours(points, 10)[1])[0] == 3
    edges = knn_graph(points, 10, max_pieces=2)[0].numpy()
    adjacency = sparse.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(500, 500))
    count, piece = connected_components(adjacency)
    assert count == 2 and adjusted_rand_score(y, piece) == 1.0
