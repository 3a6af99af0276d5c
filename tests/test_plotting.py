"""Pure figure builders: trace layout, the student's marker, trails, heatmap, curves, replay."""

from __future__ import annotations

import dataclasses

import numpy as np
import plotly.graph_objects as go
import pytest

from gankmeans import TrainConfig, animation, datasets, plotting, train


@pytest.fixture(scope="module")
def run():
    X, _ = datasets.load("blobs", n_samples=300, noise=0.2, random_state=0)
    config = TrainConfig(n_clusters=3, max_epochs=6, tol=0, tie_margin=0.5, device="cpu")
    return X, list(train(X, config))


def test_scatter_has_one_webgl_trace_per_cluster_and_decider(run):
    X, frames = run
    fig = plotting.scatter_figure(X, frames[-1], np.arange(len(X)))
    points = [t for t in fig.data if isinstance(t, go.Scattergl) and t.name.startswith("cluster")]
    assert len(points) == 2 * 3  # K teacher traces + K student traces
    assert sum(len(t.x) for t in points) == len(X)


def test_student_decided_points_use_the_open_marker(run):
    X, frames = run
    frame = frames[-1]
    assert frame.decided_by_student.any()  # a wide tie margin leaves points to the student
    fig = plotting.scatter_figure(X, frame, np.arange(len(X)))
    student = [t for t in fig.data if t.name.endswith("(student)")]
    teacher = [t for t in fig.data if t.name.endswith("(teacher)")]
    assert sum(len(t.x) for t in student) == frame.decided_by_student.sum()
    assert all(s.marker.symbol == t.marker.symbol + 100 for s, t in zip(student, teacher, strict=True))


def test_clusters_differ_in_colour_and_shape_even_past_the_palette():
    symbols = plotting.cluster_symbols(np.arange(16))
    assert len(set(zip(np.arange(16) % 8, symbols, strict=True))) == 16


def test_display_sample_is_bounded_and_stable():
    sample = plotting.display_sample(20_000, 2_000, random_state=3)
    assert len(sample) == 2_000 and np.all(np.diff(sample) > 0)
    assert np.array_equal(sample, plotting.display_sample(20_000, 2_000, random_state=3))
    assert np.array_equal(plotting.display_sample(50, 2_000), np.arange(50))


def test_trail_fades_with_age(run):
    X, frames = run
    history = [f.centroids for f in frames]
    xy, cluster, opacity = plotting.trail_points(history)
    assert xy.shape == (3 * len(frames), 2) and len(cluster) == len(opacity)
    assert opacity[0] < opacity[-1]


def test_decision_grid_has_the_grid_shape_and_valid_labels(run):
    X, frames = run
    xs, ys, z = plotting.decision_grid(frames[-1], plotting.padded_bounds(X), size=20)
    assert z.shape == (20, 20) and len(xs) == len(ys) == 20
    assert set(np.unique(z)) <= {0, 1, 2}
    fig = plotting.scatter_figure(X, frames[-1], np.arange(len(X)), heatmap=(xs, ys, z))
    assert isinstance(fig.data[0], go.Heatmap)


def test_centroids_of_projected_data_are_their_points_mean(run):
    X, frames = run
    X4 = np.column_stack([X, X @ np.array([[1.0, 2.0], [0.5, -1.0]])])
    frame = next(train(X4, TrainConfig(n_clusters=3, max_epochs=1, device="cpu")))
    X2, _, _ = datasets.project_2d(X4)
    centres = plotting.centroids_2d(X2, frame)
    assert np.allclose(centres[0], X2[frame.labels == 0].mean(0))


def test_loss_axis_shows_every_loss_of_the_run(run):
    _, frames = run
    fig = plotting.curves_figure(frames, max_epochs=10)
    low, high = fig.layout.yaxis.range
    losses = [f.d_loss for f in frames] + [f.g_loss for f in frames]
    assert 0 <= low < min(losses) and max(losses) < high
    assert tuple(fig.layout.yaxis2.range) == (-0.02, 1.02)  # agreement: all of 0..1


def test_loss_range_ignores_nan_and_pads_a_flat_line():
    low, high = plotting.loss_range([1.386, 1.386, float("nan"), 0.693])
    assert low < 0.693 < 1.386 < high
    low, high = plotting.loss_range([0.7, 0.7])
    assert low < 0.7 < high
    assert plotting.loss_range([float("nan")]) == [0.0, 1.0]


def test_centroids_are_drawn_above_the_points_with_a_halo(run):
    X, frames = run
    fig = plotting.scatter_figure(X, frames[-1], np.arange(len(X)), trail=[frames[0].centroids])
    names = [t.name for t in fig.data]
    assert names[-3:] == ["centroid trail", "centroid halo", "centroids"]
    # WebGL draws above SVG: the centroids must be WebGL, like the points, to stay on top.
    assert all(isinstance(t, go.Scattergl) for t in fig.data[-3:])
    halo, centroids = fig.data[-2:]
    assert halo.marker.size > centroids.marker.size and centroids.marker.line.width >= 2
    assert max(fig.data[-3].marker.opacity) < 0.5  # the trail stays faint


def test_curves_have_a_point_per_epoch(run):
    _, frames = run
    fig = plotting.curves_figure(frames, max_epochs=10)
    assert [t.name for t in fig.data] == ["D loss", "G loss", "agreement"]
    assert all(len(t.x) == len(frames) for t in fig.data)
    from_rows = plotting.curves_figure([f.metrics() for f in frames], max_epochs=10)  # what the app keeps
    assert from_rows.to_json() == fig.to_json()
    assert {t.mode for t in fig.data} == {"lines"}


def test_curves_of_a_single_epoch_show_a_dot_per_series(run):
    _, frames = run
    fig = plotting.curves_figure(frames[:1], max_epochs=10)
    assert {t.mode for t in fig.data} == {"markers"}
    assert all(np.isfinite(t.y).all() for t in fig.data)


def test_replay_has_one_frame_per_epoch_with_play_and_slider(run):
    X, frames = run
    fig = animation.replay_figure(X, frames, np.arange(len(X)))
    assert [f.name for f in fig.frames] == [str(f.epoch) for f in frames]
    assert fig.layout.updatemenus[0].buttons[0].method == "animate"
    assert len(fig.layout.sliders[0].steps) == len(frames)


def test_replay_of_a_long_run_keeps_first_and_last_within_the_limit(run):
    _, frames = run
    kept = animation.replay_frames(frames * 50, limit=40)
    assert len(kept) <= 40 and kept[0] is frames[0] and kept[-1] is frames[-1]


def test_kmeans_figure_draws_every_sampled_point(run):
    X, _ = run
    labels = np.arange(len(X)) % 3
    fig = plotting.kmeans_figure(X, labels, np.zeros((3, 2)), np.arange(100))
    assert sum(len(t.x) for t in fig.data[:3]) == 100
    assert not any(isinstance(t, go.Scattergl) for t in fig.data)  # drawn once: SVG


def test_plotting_never_imports_streamlit():
    import inspect

    assert "streamlit" not in inspect.getsource(plotting)


def test_image_gallery_shows_a_row_of_thumbnails_per_cluster():
    X, _ = datasets.load("digits", n_samples=200, random_state=0)
    labels = np.arange(200) % 5
    fig = plotting.image_gallery(X, labels, (8, 8), per_cluster=4)
    canvas = np.asarray(fig.data[0].z, dtype=float)
    assert canvas.shape == (5 * 9, 4 * 9)
    assert list(fig.layout.yaxis.ticktext) == [f"cluster {k}" for k in range(5)]
    first = canvas[:8, :8]
    assert any(np.array_equal(first, X[i].reshape(8, 8)) for i in np.flatnonzero(labels == 0))


@pytest.fixture(scope="module")
def learned_run():
    X, _ = datasets.load("moons", n_samples=200, noise=0.05, random_state=0)
    config = TrainConfig(n_clusters=2, max_epochs=6, teacher_space="learned", device="cpu")
    return X, list(train(X, config))


def test_the_students_space_draws_every_sampled_point_and_the_centroids(learned_run):
    X, frames = learned_run
    fig = plotting.embedding_figure(frames[-1], np.arange(50))
    assert fig.layout.title.text.startswith("The student's space<br>epoch 6")
    points = [t for t in fig.data if t.name.startswith("cluster")]
    assert sum(len(t.x) for t in points) == 50
    assert len(fig.data[-1].x) == 2  # the centroids
    # K = 2 gives a 1-D space: it is spread over y so that the groups show as bands
    assert fig.layout.xaxis.title.text == "z (1-D)" and np.ptp(np.concatenate([t.y for t in points])) > 1


def test_a_learned_run_replays_the_students_space_beside_the_input(learned_run):
    X, frames = learned_run
    fig = animation.replay_figure(X, frames, np.arange(len(X)))
    assert "student's space" in fig.layout.title.text and fig.layout.xaxis2.domain[0] > 0.5
    on_right = [t for t in fig.frames[0].data if t.xaxis == "x2"]
    assert on_right and len(on_right) * 2 == len(fig.frames[0].data)
    assert plotting.embedding_view(frames[0]) is not None
    assert plotting.embedding_view(dataclasses.replace(frames[0], embedding=None)) is None


def test_live_charts_keep_fixed_margins_and_the_replay_makes_room_for_its_slider():
    # A live chart is new every tick: growing its margins costs the browser a second layout pass.
    X = np.random.default_rng(0).normal(size=(40, 2))
    frames = list(train(X, TrainConfig(n_clusters=2, max_epochs=2, device="cpu")))
    sample = plotting.display_sample(len(X))
    assert plotting.scatter_figure(X, frames[-1], sample).layout.margin.autoexpand is False
    assert animation.replay_figure(X, frames, sample).layout.margin.autoexpand is True


def _every_figure(run, learned_run):
    X, frames = run
    sample = np.arange(len(X))
    bounds = plotting.padded_bounds(X)
    yield plotting.scatter_figure(X, frames[-1], sample, trail=[f.centroids for f in frames[:3]],
                                  heatmap=plotting.decision_grid(frames[-1], bounds), webgl=False)
    yield plotting.scatter_figure(X, frames[-1], sample)
    yield plotting.kmeans_figure(X, frames[-1].labels, frames[-1].centroids, sample)
    yield plotting.curves_figure(frames, 10)
    yield animation.replay_figure(X, frames, sample)
    learned_X, learned_frames = learned_run
    yield plotting.embedding_figure(learned_frames[-1], np.arange(50))
    yield animation.replay_figure(learned_X, learned_frames, np.arange(len(learned_X)))
    digits, _ = datasets.load("digits", n_samples=100)
    yield plotting.image_gallery(digits, np.arange(100) % 3, (8, 8))


def test_every_figure_passes_plotlys_full_validation(run, learned_run):
    # The builders skip Plotly's checks for speed; this is where they are made, in full.
    for figure in _every_figure(run, learned_run):
        go.Figure(figure.to_dict())  # raises ValueError on an invalid property or value


def test_full_validation_catches_what_the_builders_skip():
    figure = go.Figure([go.Scatter(x=[1], y=[1], marker={"colour": "red"}, _validate=False)], _validate=False)
    with pytest.raises(ValueError, match="colour"):
        go.Figure(figure.to_dict())


def test_kmeans_figure_says_its_scaling_and_ari_on_a_second_line():
    X = np.random.default_rng(0).normal(size=(20, 2))
    title = plotting.kmeans_figure(X, np.zeros(20, int), np.zeros((1, 2)), np.arange(20), ari=0.5,
                                   scaling="standardised").layout.title.text
    assert title == "Plain K-Means (K = 1)<br>standardised, ARI 0.500"
    assert plotting.kmeans_figure(X, np.zeros(20, int), np.zeros((1, 2)), np.arange(20)).layout.title.text \
        == "Plain K-Means (K = 1)"
