"""The teacher: nearest centroid on hand-computed cases, abstention, and the centroid update."""

import pytest
import torch

from gankmeans.teacher import ABSTAIN, assign, squared_distances, update_centroids


def tensor(rows):
    return torch.tensor(rows, dtype=torch.float32)


def test_squared_distances_match_a_hand_computation():
    points = tensor([[0, 0], [3, 4]])
    centroids = tensor([[0, 0], [3, 0]])
    expected = tensor([[0, 9], [25, 16]])
    torch.testing.assert_close(squared_distances(points, centroids), expected)


def test_nearest_centroid_labels_four_points():
    points = tensor([[0, 0], [1, 0], [9, 9], [10, 9]])
    centroids = tensor([[0.5, 0], [9.5, 9]])
    nearest, teacher = assign(points, centroids)
    assert nearest.tolist() == [0, 0, 1, 1]
    assert teacher.tolist() == [0, 0, 1, 1]


def test_exact_tie_abstains_and_nearest_takes_lower_index():
    points = tensor([[0, 0], [2, 0], [0, 5]])  # the first and third are equidistant from both
    centroids = tensor([[-1, 0], [1, 0]])
    nearest, teacher = assign(points, centroids, tie_margin=0.0)
    assert teacher.tolist() == [ABSTAIN, 1, ABSTAIN]
    assert nearest.tolist() == [0, 1, 0]


def test_tie_margin_widens_the_band_the_teacher_abstains_in():
    points = tensor([[0.1, 0], [0.6, 0]])  # distance gaps 0.2 and 1.2
    centroids = tensor([[-1, 0], [1, 0]])
    assert assign(points, centroids, 0.0)[1].tolist() == [1, 1]
    assert assign(points, centroids, 0.5)[1].tolist() == [ABSTAIN, 1]
    assert assign(points, centroids, 2.0)[1].tolist() == [ABSTAIN, ABSTAIN]


def test_coincident_centroids_make_every_nearby_point_a_tie():
    points = tensor([[0, 0], [1, 1], [5, 5]])
    centroids = tensor([[0, 0], [0, 0], [5, 5]])
    teacher = assign(points, centroids)[1]
    assert teacher.tolist() == [ABSTAIN, ABSTAIN, 2]


def test_a_single_centroid_never_abstains():
    nearest, teacher = assign(tensor([[0, 0], [1, 1]]), tensor([[0.5, 0.5]]))
    assert nearest.tolist() == teacher.tolist() == [0, 0]


def transposed(points):
    return {"points_t": points.T.contiguous()}


@pytest.mark.parametrize("extra", [lambda points: {}, transposed], ids=["points", "points_t"])
def test_update_moves_centroids_to_cluster_means(extra):
    points = tensor([[0, 0], [2, 0], [10, 10], [10, 12]])
    labels = torch.tensor([0, 0, 1, 1])
    centroids, empty = update_centroids(points, labels, tensor([[9, 9], [9, 9]]), **extra(points))
    torch.testing.assert_close(centroids, tensor([[1, 0], [10, 11]]))
    assert empty == 0


@pytest.mark.parametrize("extra", [lambda points: {}, transposed], ids=["points", "points_t"])
def test_empty_cluster_keeps_its_previous_centroid_and_is_counted(extra):
    points = tensor([[0, 0], [2, 0]])
    previous = tensor([[5, 5], [7, 7], [-3, 4]])
    centroids, empty = update_centroids(points, torch.tensor([0, 0]), previous, **extra(points))
    assert torch.isfinite(centroids).all()
    torch.testing.assert_close(centroids, tensor([[1, 0], [7, 7], [-3, 4]]))
    assert empty == 2


def test_the_transposed_points_give_the_same_centroids():
    points = torch.randn(5_000, 16, generator=torch.Generator().manual_seed(0))
    labels = torch.randint(0, 8, (5_000,), generator=torch.Generator().manual_seed(1))
    previous = torch.zeros(8, 16)
    expected, _ = update_centroids(points, labels, previous)
    fast, _ = update_centroids(points, labels, previous, points.T.contiguous())
    torch.testing.assert_close(fast, expected)
