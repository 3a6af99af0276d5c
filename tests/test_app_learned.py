"""The learned teacher space in the app, through AppTest: its panel, presets, resets, colours."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from conftest import button, epoch, first_epoch, packet, small_run

from gankmeans import datasets, metrics, train
from ui import controls


def test_the_learned_space_preset_separates_moons_and_sends_the_students_space(at):
    at.selectbox(key="preset").set_value("Moons, learned space").run()
    assert (at.session_state["teacher_space"], at.session_state["dataset"]) == ("learned", "moons")
    assert packet(at)["scene"]["mode"] == "learned"  # three panels: the input, its space, K-Means
    small_run(at, epochs=30)
    button(at, "Train").click().run()
    packets = [packet(at)]
    while at.session_state["runner"].status == "playing":
        at.run()
        packets.append(packet(at))
    at.run()
    packets.append(packet(at))
    assert not at.exception
    runner = at.session_state["runner"]
    spaces = [f["epoch"] for p in packets for f in p.get("frames", []) if "space" in f]
    assert spaces and spaces[0] <= 2  # the space unfolds from the first epochs on
    replay = next(p["replay"] for p in packets if "replay" in p)
    assert "space" in replay[0] and all("space_centroids" in d for d in replay)
    at.session_state["feed"].request_sync()
    at.run()
    kmeans_ari = packet(at)["scene"]["kmeans"]["ari"]
    assert runner.metrics[-1]["ari"] >= 0.95 > kmeans_ari  # the student's space beats the teacher's own


def test_switching_the_teacher_space_resets_the_run_and_the_link_says_so(at):
    first_epoch(at)
    assert packet(at)["scene_key"] and "space" not in packet(at)["frames"][0]
    at.radio(key="teacher_space").set_value("learned").run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    assert packet(at)["scene"]["mode"] == "learned"  # a new scene: the panel of the student's space
    button(at, "Step").click().run()
    assert "space" in packet(at)["frames"][0]
    assert at.query_params["teacher_space"] == "learned"


@pytest.mark.parametrize("preset", [name for name in controls.PRESETS if name.endswith("learned space")])
def test_each_learned_space_preset_separates_its_data_set(preset):
    # What the preset's run gives in the app (same config, one torch thread as in the worker).
    values = {**controls.DEFAULTS, **controls.PRESETS[preset]}
    X, y = datasets.load(values["dataset"], values["n_samples"], values["noise"], values["seed"])
    *_, last = train(X, controls.to_config(values))
    assert metrics.external_scores(y, last.labels)["ari"] >= 0.9


def test_kmeans_colours_follow_the_learned_runs_latest_clusters(at):
    # The learned space's first labels are not its final clusters: matching K-Means to the first
    # frame alone left its colours crossed for the whole run. Each tick matches the latest.
    at.selectbox(key="preset").set_value("Moons, learned space").run()
    for _ in range(3):
        button(at, "Step").click().run()
    assert epoch(at) == 3
    feed, runner = at.session_state["feed"], at.session_state["runner"]
    labels = np.frombuffer(base64.b64decode(feed_scene(at)["kmeans"]["labels"]), np.uint8)
    expected = metrics.match_labels(labels, runner.latest.labels, 2)
    assert np.array_equal(feed.kmeans_map, expected)


def feed_scene(app) -> dict:
    app.session_state["feed"].request_sync()
    app.run()
    return packet(app)["scene"]


@pytest.mark.parametrize("seed", [1, 4])
def test_the_spirals_preset_separates_the_arms_on_the_seeds_that_failed(seed):
    # Measured before, with 1 and 2 torch threads: ARI 0.571 (seed 1: the neighbour graph falls in
    # three pieces, and the learned space kept an arbitrary mix of them) and 0.788 (seed 4).
    # benchmarks/bench_spirals.py prints seeds 0-4 with 1 and 2 threads.
    values = {**controls.DEFAULTS, **controls.PRESETS["Spirals, learned space"], "seed": seed}
    X, y = datasets.load("spirals", n_samples=values["n_samples"], noise=values["noise"], random_state=seed)
    *_, last = train(X, controls.to_config(values))
    assert metrics.external_scores(y, last.labels)["ari"] >= 0.95
