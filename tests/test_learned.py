"""teacher_space="learned": the encoder's space separates shapes a distance cannot, safely."""

import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from gankmeans import GANKMeans, TrainConfig, datasets, train
from gankmeans.embedding import (
    EXTRA_DIMS,
    EmbeddingTrainer,
    Encoder,
    knn_graph,
    nearest_neighbours,
    shared_neighbour_weights,
    spectral_loss,
    whitening,
)
from gankmeans.networks import init_weights


def learned(**kwargs):
    # 30 epochs: 15 for the encoder, then the teacher settles in its space
    return TrainConfig(**{"n_clusters": 2, "teacher_space": "learned", "max_epochs": 30, **kwargs})


@pytest.fixture(scope="module")
def moons():
    return datasets.load("moons", n_samples=300, random_state=0)


@pytest.fixture(scope="module")
def moons_run(moons):
    return list(train(moons[0], learned()))


def test_learned_mode_separates_moons(moons, moons_run):
    assert adjusted_rand_score(moons[1], moons_run[-1].labels) >= 0.95


def test_learned_mode_separates_circles():
    X, y = datasets.load("circles", n_samples=300, random_state=1)
    last = list(train(X, learned()))[-1]
    assert adjusted_rand_score(y, last.labels) >= 0.95


def test_input_mode_cannot_separate_circles_for_comparison():
    X, y = datasets.load("circles", n_samples=300, random_state=1)
    last = list(train(X, TrainConfig(n_clusters=2, max_epochs=20)))[-1]
    assert adjusted_rand_score(y, last.labels) < 0.5


def test_frames_carry_the_embedding_only_in_learned_mode(moons, moons_run):
    last = moons_run[-1]
    assert last.embedding.shape == (len(moons[0]), 1)  # K = 2: one direction
    assert last.embedding_centroids.shape == (2, 1)
    assert not last.embedding.flags.writeable
    plain = next(train(moons[0], TrainConfig(n_clusters=2)))
    assert plain.embedding is None and plain.embedding_centroids is None


def test_centroids_and_inertia_stay_in_input_units(moons, moons_run):
    X, last = moons[0], moons_run[-1]
    for k in range(2):
        np.testing.assert_allclose(last.centroids[k], X[last.labels == k].mean(0), atol=1e-5)


def test_predict_on_held_back_points_matches_their_training_neighbours():
    X, _ = datasets.load("moons", n_samples=400, random_state=2)
    train_X, held_X = X[:300], X[300:]
    est = GANKMeans(n_clusters=2, teacher_space="learned", max_epochs=30, random_state=0).fit(train_X)
    nearest = ((held_X[:, None, :] - train_X[None, :, :]) ** 2).sum(2).argmin(1)
    expected = est.labels_[nearest]
    assert (est.predict(held_X) == expected).mean() >= 0.9
    assert (est.predict_student(held_X) == expected).mean() >= 0.9
    np.testing.assert_array_equal(est.predict(train_X), est.labels_)


def test_same_random_state_gives_identical_frames_in_learned_mode(moons):
    config = learned(max_epochs=4)
    first, second = list(train(moons[0], config)), list(train(moons[0], config))
    for a, b in zip(first, second, strict=True):
        for key, value in vars(a).items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, getattr(b, key))
        assert a.metrics() == b.metrics()


@pytest.mark.parametrize("n_neighbors", [10, 100])
def test_duplicate_points_and_too_many_neighbours_never_give_nan(n_neighbors):
    X = np.array([[0.0, 0.0]] * 12 + [[1.0, 1.0]] * 12 + [[5.0, 0.0]] * 6)  # 30 points, 3 places
    frames = list(train(X, learned(n_clusters=3, n_neighbors=n_neighbors, max_epochs=25)))
    for frame in frames:
        assert np.isfinite(frame.embedding).all() and np.isfinite(frame.embedding_centroids).all()
        assert np.isfinite(frame.centroids).all() and np.isfinite(frame.inertia)
        assert np.isfinite(frame.d_loss) and np.isfinite(frame.g_loss)
    assert adjusted_rand_score(np.repeat([0, 1, 2], [12, 12, 6]), frames[-1].labels) == 1.0


def test_two_identical_points_are_enough():
    frames = list(train(np.zeros((2, 3)), learned(n_clusters=1, max_epochs=3)))
    assert all(np.isfinite(f.embedding).all() for f in frames)


def test_neighbour_search_drops_each_point_itself_even_among_duplicates():
    points = np.array([[0.0], [0.0], [0.0], [1.0]])
    distances, indices = nearest_neighbours(points, 2)
    assert (indices != np.arange(4)[:, None]).all()
    np.testing.assert_array_equal(distances[:3], 0.0)


def test_chunked_and_tree_neighbour_search_agree(monkeypatch):
    points = np.random.default_rng(0).normal(size=(300, 3))
    exact = nearest_neighbours(points, 5)
    monkeypatch.setattr("gankmeans.embedding.EXACT_KNN_LIMIT", 100)
    tree = nearest_neighbours(points, 5)
    np.testing.assert_array_equal(exact[1], tree[1])
    np.testing.assert_allclose(exact[0], tree[0])


def test_graph_weights_are_symmetric_and_in_zero_one():
    edges, weights = knn_graph(np.random.default_rng(0).normal(size=(50, 2)), 7)
    assert edges.shape == (2 * 50 * 7, 2)
    assert bool(((weights > 0) & (weights <= 1)).all())
    half = len(edges) // 2
    assert torch.equal(edges[:half].flip(1), edges[half:])


def test_graph_weights_are_the_jaccard_overlap_of_the_two_neighbourhoods():
    # Points at 0, 1 and 3 with one neighbour each: 0 -> {0, 1}, 1 -> {1, 0}, 3 -> {3, 1}.
    # 0 and 1 have the same neighbourhood (weight 1); 3 shares only 1 with it: 1 of 3 members.
    edges, weights = knn_graph(np.array([[0.0], [1.0], [3.0]]), 1)
    assert edges[:3].tolist() == [[0, 1], [1, 0], [2, 1]]
    np.testing.assert_allclose(weights[:3].numpy(), [1.0, 1.0, 1 / 3])
    np.testing.assert_allclose(shared_neighbour_weights(np.array([[1], [0], [1]])).ravel(), [1, 1, 1 / 3])


def test_edges_that_bridge_two_spiral_arms_weigh_far_less_than_edges_along_an_arm():
    # The reason for shared-neighbour weights: at this noise a tenth-nearest neighbour can lie
    # on the other arm, but the two ends of such an edge share few neighbours.
    X, y = datasets.load("spirals", n_samples=500, random_state=0)
    edges, weights = knn_graph(StandardScaler().fit_transform(X), 10)
    bridges = torch.as_tensor(y[edges[:, 0]] != y[edges[:, 1]])
    assert bridges.any()
    assert float(weights[bridges].mean()) < 0.4 * float(weights[~bridges].mean())


def test_whitening_gives_identity_covariance_and_survives_a_collapse():
    raw = torch.randn(500, 3, generator=torch.Generator().manual_seed(0)) @ torch.tensor(
        [[2.0, 0, 0], [1, 0.5, 0], [0, 0, 3]])
    mean, matrix = whitening(raw, torch.ones(500))
    z = (raw.double() - mean) @ matrix
    np.testing.assert_allclose((z.T @ z / 500).numpy(), np.eye(3), atol=1e-4)
    collapsed = torch.ones(10, 2, requires_grad=True)
    loss = spectral_loss(collapsed * 1, collapsed * 1, torch.ones(10))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(collapsed.grad).all()


def two_groups_of_fifty() -> torch.Tensor:
    """Edges joining every pair within points 0-49 and within 50-99, none between."""
    groups = (range(0, 50), range(50, 100))
    return torch.tensor([(i, j) for group in groups for i in group for j in group if i != j])


def test_a_refit_turns_its_basis_to_follow_the_previous_z():
    # The same outputs, turned: the same space. Followed, the refit gives the same z back.
    rng = np.random.default_rng(0)
    raw = torch.tensor(np.column_stack([np.repeat([0.0, 1.0], 50), rng.normal(size=(100, 1 + EXTRA_DIMS))]),
                       dtype=torch.float32)  # as the encoder outputs it
    edges = two_groups_of_fifty()
    encoder = Encoder(n_features=2, embedding_dim=2, hidden=4)
    encoder.fit_whitening(raw, torch.ones(100), edges, torch.ones(len(edges)))
    before = encoder.whiten(raw)
    width = 2 + EXTRA_DIMS
    turned = raw @ torch.linalg.qr(torch.tensor(rng.normal(size=(width, width)), dtype=torch.float32))[0]
    encoder.fit_whitening(turned, torch.ones(100), edges, torch.ones(len(edges)), follow=before)
    after = encoder.whiten(turned)
    np.testing.assert_allclose(after.numpy(), before.numpy(), atol=1e-4)
    np.testing.assert_allclose((after.T @ after / 100).numpy(), np.eye(2), atol=1e-4)  # still whitened


def test_the_whitening_fit_sums_its_edges_in_chunks_to_the_same_space(monkeypatch):
    # Chunked, as for large N: 3 edges at a time here, against all 4,900 at once.
    width = 2 + EXTRA_DIMS
    raw = torch.tensor(np.random.default_rng(1).normal(size=(100, width)), dtype=torch.float32)
    raw[:50, 0] += 3.0
    edges = two_groups_of_fifty()
    edge_weights = torch.linspace(0.1, 1.0, len(edges))
    spaces = []
    for chunk_elements in (10**8, width * width * 3):
        monkeypatch.setattr("gankmeans.embedding.CHUNK_ELEMENTS", chunk_elements)
        encoder = Encoder(n_features=2, embedding_dim=2, hidden=4)
        encoder.fit_whitening(raw, torch.ones(100), edges, edge_weights)
        spaces.append(encoder.whiten(raw))
    np.testing.assert_allclose(spaces[1].numpy(), spaces[0].numpy(), atol=1e-5)
    assert abs(float(spaces[0][:50, 0].mean() - spaces[0][50:, 0].mean())) > 1.5  # the groups apart


@pytest.mark.parametrize(("name", "n_clusters", "seed"), [("blobs", 4, 1), ("moons", 2, 1)])
def test_labels_hold_steady_from_epoch_to_epoch_and_the_student_keeps_up(name, n_clusters, seed):
    # Before: 4 blobs' 3-D space turned between epochs, and the restart that ends the warm-up
    # numbered the clusters afresh; every label could swap, on screen and for the student.
    X, _ = datasets.load(name, n_samples=500, random_state=seed)
    frames = list(train(X, learned(n_clusters=n_clusters, random_state=seed)))
    kept = [float((a.labels == b.labels).mean()) for a, b in zip(frames[1:], frames[2:], strict=False)]
    assert min(kept) >= 0.9, kept
    settled = [f.agreement for f in frames[15:]]  # after the encoder's 15 epochs
    assert min(settled) >= 0.95, settled


def test_encoder_training_is_reproducible_with_several_threads():
    # The suite runs with 1 torch thread; a library user's default is one per core, where the
    # order of summing gradients could change from run to run (and so the learned space).
    X, _ = datasets.load("anisotropic", n_samples=500, random_state=0)
    points = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)

    def losses():
        encoder = Encoder(n_features=2, embedding_dim=2, hidden=64)
        init_weights(encoder, torch.Generator().manual_seed(0))
        trainer = EmbeddingTrainer(points, encoder, 10, 1e-3, 100, torch.Generator().manual_seed(1))
        return [float(trainer._step()) for _ in range(20)]

    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        first, second = losses(), losses()
    finally:
        torch.set_num_threads(threads)
    assert first == second


def test_the_encoder_keeps_its_smoothest_directions_on_the_graph():
    # Two separate groups of 50: of the trained directions, the group indicator (plus a little
    # noise) is the one neighbours agree on; the noise columns are not. One is kept.
    rng = np.random.default_rng(0)
    group = np.repeat([0.0, 1.0], 50)
    noise = rng.normal(size=(100, EXTRA_DIMS))
    raw = torch.tensor(np.column_stack([group + 0.01 * rng.normal(size=100), noise]))
    edges = two_groups_of_fifty()
    encoder = Encoder(n_features=2, embedding_dim=1, hidden=4)
    encoder.fit_whitening(raw, torch.ones(100), edges, torch.ones(len(edges)))
    kept = ((raw - encoder.center.double()) @ encoder.matrix.double()).squeeze(1).numpy()
    assert abs(np.corrcoef(kept, group)[0, 1]) > 0.99
    assert kept.std() == pytest.approx(1.0, rel=1e-3)  # still whitened


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("teacher_space", "latent", "'input', 'learned'"),
        ("n_neighbors", 0, "from 1 to 1000"),
        ("n_neighbors", 2.5, "n_neighbors"),
        ("embedding_dim", 0, "or None"),
        ("embedding_dim", "two", "embedding_dim"),
    ],
)
def test_bad_learned_mode_settings_raise_value_error(field, value, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{field: value})


def test_embedding_dim_defaults_to_k_minus_one():
    assert TrainConfig(n_clusters=4).embedding_size == 3
    assert TrainConfig(n_clusters=1).embedding_size == 1
    assert TrainConfig(n_clusters=4, embedding_dim=6).embedding_size == 6
    frame = next(train(datasets.load("blobs", n_samples=100)[0], learned(n_clusters=4, embedding_dim=3)))
    assert frame.embedding.shape == (100, 2)
