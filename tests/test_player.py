"""The player's wire format: what the browser is sent, decoded here as codec.js decodes it."""

from __future__ import annotations

import base64
import json
import math
import re
import zlib

import numpy as np
import pytest

from gankmeans import TrainConfig, datasets, metrics, player, plotting, train
from gankmeans.player import page


def unpack(text: str, dtype) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def unpack_bits(text: str, count: int) -> np.ndarray:
    return np.unpackbits(unpack(text, np.uint8))[:count].astype(bool)


@pytest.fixture(scope="module")
def run():
    X, y = datasets.load("blobs", n_samples=300, noise=0.2, random_state=0)
    config = TrainConfig(n_clusters=3, max_epochs=6, tol=0, tie_margin=0.5, device="cpu")
    return X, y, list(train(X, config))


@pytest.fixture(scope="module")
def learned_run():
    X, y = datasets.load("moons", n_samples=200, noise=0.05, random_state=0)
    config = TrainConfig(n_clusters=2, max_epochs=25, teacher_space="learned", device="cpu")
    return X, y, list(train(X, config))


def test_arrays_survive_the_trip_as_the_browser_decodes_them():
    labels = np.array([0, 3, 11, 2, 7])
    mask = np.array([True, False, False, True, True, False, True, False, True])
    points = np.array([[0.5, -1.25], [3.0, 1e-3]])
    assert np.array_equal(unpack(player.pack_labels(labels), np.uint8), labels)
    assert np.array_equal(unpack_bits(player.pack_mask(mask), len(mask)), mask)
    assert np.allclose(unpack(player.pack_points(points), np.float32).reshape(-1, 2), points)
    grid = np.arange(16, dtype=np.uint8).reshape(4, 4) % 3
    assert np.array_equal(np.frombuffer(zlib.decompress(player.compress_grid(grid)), np.uint8), grid.ravel())


def test_numbers_are_strict_json_at_screen_precision():
    sent = player.rounded({"a": [math.nan, math.inf, 1 / 3], "b": np.float32(2.5), "c": "teacher"})
    assert sent == {"a": [None, None, 0.333333], "b": 2.5, "c": "teacher"}
    json.dumps(sent, allow_nan=False)


def test_a_decision_grid_lies_on_the_plot_and_labels_its_cell_centres(run):
    X, _, frames = run
    bounds = player.plot_bounds(X)
    grid = player.decision_grid(frames[-1].model, bounds, size=12)
    xs, ys = player.grid_axes(bounds, size=12)
    assert grid.shape == (12, 12) and set(np.unique(grid)) <= {0, 1, 2}
    assert (xs[0], xs[-1]) == bounds[0] and (ys[0], ys[-1]) == bounds[1]
    # Row i is y = ys[i], column j is x = xs[j], as the heatmap draws it: aligned with the points.
    cells = np.array([[xs[j], ys[i]] for i, j in [(0, 0), (3, 8), (11, 5)]])
    assert np.array_equal(frames[-1].model.predict_student(cells), [grid[0, 0], grid[3, 8], grid[11, 5]])


def test_a_scene_sends_the_drawn_points_once_with_their_axes(run):
    X, y, _ = run
    sample = np.arange(0, 300, 3)
    kmeans = player.kmeans_panel(np.arange(300) % 3, np.zeros((3, 2)), sample, ari=0.5)
    scene = player.scene(X, sample, ("x1", "x2"), 3, key="k", has_labels=True, regions=True, kmeans=kmeans)
    assert np.allclose(unpack(scene["points"], np.float32).reshape(-1, 2), X[sample], atol=1e-5)
    assert (scene["n_shown"], scene["n_total"], scene["k"]) == (100, 300, 3)
    assert scene["aspect"] and scene["mode"] == "input" and scene["has_labels"]
    xs, _ = player.grid_axes(player.plot_bounds(X))
    assert scene["grid"]["size"] == player.GRID_SIZE
    assert math.isclose(scene["grid"]["x0"], xs[0], rel_tol=1e-5)
    assert np.array_equal(unpack(scene["kmeans"]["labels"], np.uint8), sample % 3)
    json.dumps(scene, allow_nan=False)


def test_data_of_one_feature_does_not_pretend_to_an_aspect():
    X2, x_title, y_title = datasets.project_2d(np.arange(10.0).reshape(-1, 1))
    assert not player.scene(X2, np.arange(10), (x_title, y_title), 2, key="k")["aspect"]


def test_an_epoch_delta_holds_the_drawn_points_labels_and_who_decided(run):
    X, _, frames = run
    frame, sample = frames[-1], np.arange(0, 300, 2)
    assert frame.decided_by_student.any()
    delta = player.epoch_delta(frame, X, sample, grid=b"zz")
    assert delta["epoch"] == 6 and delta["phase"] == "teacher"
    assert np.array_equal(unpack(delta["labels"], np.uint8), frame.labels[sample])
    assert np.array_equal(unpack_bits(delta["student"], len(sample)), frame.decided_by_student[sample])
    assert np.allclose(delta["centroids"], frame.centroids, rtol=1e-5)
    assert base64.b64decode(delta["grid"]) == b"zz" and "space" not in delta


def test_metric_columns_carry_every_epoch_and_no_nan(run):
    _, y, frames = run
    rows = [{**f.metrics(), **metrics.external_scores(y, f.labels)} for f in frames]
    rows[2]["d_loss"] = math.nan
    columns = player.metric_columns(rows)
    assert columns["epoch"] == [1, 2, 3, 4, 5, 6] and columns["d_loss"][2] is None
    assert set(columns) == {*player.METRIC_COLUMNS, "phase"}
    assert columns["ari"][-1] == pytest.approx(rows[-1]["ari"], rel=1e-5)


def test_a_replay_sends_the_students_space_only_while_it_moves(learned_run):
    X, _, frames = learned_run
    deltas = player.replay_deltas(frames, X, np.arange(len(X)))
    moved = [d["epoch"] for d in deltas if "space" in d]
    assert moved[0] == 1 and len(moved) < len(frames)  # the encoder stops; its space then holds
    assert all("space_centroids" in d for d in deltas)
    first = unpack(deltas[0]["space"], np.float32).reshape(-1, 2)
    assert np.allclose(first[:, 0], frames[0].embedding[:, 0], atol=1e-5)


def test_spread_keeps_the_first_and_the_last_within_the_limit():
    kept = player.spread(list(range(1000)), limit=40)
    assert kept[0] == 0 and kept[-1] == 999 and len(kept) <= 40
    assert player.spread([1, 2], limit=40) == [1, 2]


def test_the_offline_page_holds_the_player_its_data_and_plotly(run):
    X, y, frames = run
    rows = [f.metrics() for f in frames]
    html = page.run_page(X, frames, plotting.display_sample(len(X)), ("x1", "x2"), rows=rows,
                         title="blobs <K = 3>", max_epochs=6)
    assert "<title>blobs &lt;K = 3&gt;</title>" in html
    data = json.loads(re.search(r"id='gk-data'>(.*?)</script>", html, re.S)[1])
    assert [d["epoch"] for d in data["replay"]] == [1, 2, 3, 4, 5, 6]
    assert data["status"] == {"state": "finished", "max_epochs": 6, "converged": False}
    assert all("grid" in d for d in data["replay"])  # 2-D data: decision regions every epoch
    modules = json.loads(re.search(r"id='gk-modules'>(.*?)</script>", html, re.S)[1])
    assert set(modules) == set(player.MODULES) - {"component.js"}
    assert player.page.plotly_js_path().read_text()[:2000] in html


def test_the_core_player_never_imports_a_ui_toolkit():
    import inspect

    for module in (player, page):
        assert "streamlit" not in inspect.getsource(module)
