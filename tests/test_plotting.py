"""Drawing helpers: the sample of points drawn, centroids on the plotting axes, the learned view,
the margins around the data, and the digits gallery."""

from __future__ import annotations

import numpy as np
import pytest

from gankmeans import TrainConfig, datasets, plotting, train


@pytest.fixture(scope="module")
def learned_run():
    X, _ = datasets.load("moons", n_samples=200, noise=0.05, random_state=0)
    config = TrainConfig(n_clusters=2, max_epochs=6, teacher_space="learned", device="cpu")
    return X, list(train(X, config))


def test_display_sample_is_bounded_and_stable():
    sample = plotting.display_sample(20_000, 2_000, random_state=3)
    assert len(sample) == 2_000 and np.all(np.diff(sample) > 0)
    assert np.array_equal(sample, plotting.display_sample(20_000, 2_000, random_state=3))
    assert np.array_equal(plotting.display_sample(50, 2_000), np.arange(50))


def test_centroids_of_projected_data_are_their_points_mean():
    X, _ = datasets.load("iris", random_state=0)
    X2, _, _ = datasets.project_2d(X)
    frame = next(iter(train(X, TrainConfig(n_clusters=3, max_epochs=1, device="cpu"))))
    centroids = plotting.centroids_2d(X2, frame)
    for k in range(3):
        assert np.allclose(centroids[k], X2[frame.labels == k].mean(0))


def test_an_empty_cluster_keeps_its_previous_place_on_the_plot():
    X2 = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    frame = type("F", (), {"centroids": np.zeros((2, 5)), "labels": np.array([0, 0, 0])})()
    previous = np.array([[9.0, 9.0], [7.0, 7.0]])
    assert np.allclose(plotting.centroids_2d(X2, frame, previous), [[1.0, 1.0], [7.0, 7.0]])


def test_padded_bounds_leave_a_margin_and_survive_a_constant_axis():
    (x0, x1), (y0, y1) = plotting.padded_bounds(np.array([[0.0, 5.0], [10.0, 5.0]]))
    assert (x0, x1) == (-0.5, 10.5)
    assert y0 < 5.0 < y1  # a flat axis still gets a range


def test_a_one_dimensional_space_is_spread_into_two_bands(learned_run):
    _, frames = learned_run
    points, centroids, axes = plotting.embedding_view(frames[-1])
    assert points.shape == (200, 2) and centroids.shape == (2, 2)
    assert axes == ("z (1-D)", "spread, for visibility")
    assert np.allclose(points[:, 0], frames[-1].embedding[:, 0])
    assert plotting.embedding_view(next(iter(train(np.eye(4), TrainConfig(n_clusters=2, max_epochs=1,
                                                                           device="cpu"))))) is None


def test_plotting_never_imports_streamlit():
    import inspect

    assert "streamlit" not in inspect.getsource(plotting)


def test_image_gallery_shows_a_row_of_thumbnails_per_cluster():
    X, _ = datasets.load("digits", n_samples=200, random_state=0)
    labels = np.arange(200) % 5
    fig = plotting.image_gallery(X, labels, (8, 8), per_cluster=4)
    canvas = np.asarray(fig.data[0].z, dtype=float)
    assert canvas.shape == (5 * 9, 4 * 9)
    assert list(fig.layout.yaxis.ticktext) == [f"cluster {k + 1}" for k in range(5)]  # as the charts count
    first = canvas[:8, :8]
    assert any(np.array_equal(first, X[i].reshape(8, 8)) for i in np.flatnonzero(labels == 0))
    keys = fig.data[1].marker  # each row's cluster in its colour and shape, as on the live charts
    assert list(keys.color) == list(plotting.PALETTE[:5]) and list(keys.symbol) == list(plotting.SYMBOLS[:5])
    plot_height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert plot_height / 5 * 8 / 9 >= 48  # each 8-pixel image at least 48 screen pixels tall
