"""The learned teacher space in the app, through AppTest: its panel, presets, resets, colours."""

from __future__ import annotations

import json

import pytest
from conftest import button, epoch, play_until_done, small_run

from gankmeans import datasets, metrics, train
from ui import controls


def chart_titles(app) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")]


def test_the_learned_space_preset_separates_moons_and_shows_the_students_space(at):
    at.selectbox(key="preset").set_value("Moons, learned space").run()
    assert (at.session_state["teacher_space"], at.session_state["dataset"]) == ("learned", "moons")
    small_run(at, epochs=30)
    button(at, "Train").click().run()
    play_until_done(at)
    assert not at.exception
    assert any(title.startswith("The student's space<br>epoch") for title in chart_titles(at))
    ari = float(next(m for m in at.metric if m.label == "ARI").value)
    kmeans_title = next(t for t in chart_titles(at) if t.startswith("Plain K-Means"))
    kmeans_ari = float(kmeans_title.split("ARI ")[1][:5])
    assert ari >= 0.95 > kmeans_ari  # the student's space beats the teacher's own
    replay = json.loads(next(c for c in at.get("plotly_chart") if "Replay" in c.proto.spec).proto.spec)
    assert "xaxis2" in replay["layout"] and "student's space" in replay["layout"]["title"]["text"]


def kmeans_column(app) -> int:
    return next(i for i, column in enumerate(app.main.columns)
                if any("Plain K-Means" in chart.proto.spec for chart in column.get("plotly_chart")))


def test_a_learned_run_starts_with_the_k_means_chart_where_it_stays(at):
    # A chart moved to another column is a new chart in the browser, blank until re-plotted.
    at.radio(key="teacher_space").set_value("learned").run()
    before = kmeans_column(at)
    assert any("appears here with the first epoch" in caption.value for caption in at.caption)
    button(at, "Step").click().run()
    assert kmeans_column(at) == before
    assert any(t.startswith("The student's space<br>epoch 1") for t in chart_titles(at))


def test_switching_the_teacher_space_resets_the_run_and_the_link_says_so(at):
    button(at, "Step").click().run()
    assert not any(t.startswith("The student's space") for t in chart_titles(at))
    at.radio(key="teacher_space").set_value("learned").run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    button(at, "Step").click().run()
    assert any(t.startswith("The student's space<br>epoch 1") for t in chart_titles(at))
    assert at.query_params["teacher_space"] == "learned"


@pytest.mark.parametrize("preset", [name for name in controls.PRESETS if name.endswith("learned space")])
def test_each_learned_space_preset_separates_its_data_set(preset):
    # What the preset's run gives in the app (same config, one torch thread as in the worker).
    values = {**controls.DEFAULTS, **controls.PRESETS[preset]}
    X, y = datasets.load(values["dataset"], values["n_samples"], values["noise"], values["seed"])
    *_, last = train(X, controls.to_config(values))
    assert metrics.external_scores(y, last.labels)["ari"] >= 0.9


def test_kmeans_colours_are_matched_again_every_ten_epochs_not_every_tick(at):
    # The learned space's first labels are not its final clusters: matching K-Means to the
    # first frame alone left its colours crossed for the whole run.
    for _ in range(11):
        button(at, "Step").click().run()
    assert epoch(at) == 11
    *_, reference, _ = at.session_state["kmeans_figure"]
    assert reference.epoch == 10


def test_kmeans_chart_is_kept_while_its_colour_matching_does_not_change(at):
    # A new figure is a full re-plot in the browser; blobs keep their matching from epoch 1 on.
    button(at, "Step").click().run()
    *_, first = at.session_state["kmeans_figure"]
    for _ in range(10):
        button(at, "Step").click().run()
    *_, mapping, reference, figure = at.session_state["kmeans_figure"]
    assert reference.epoch == 10  # matched again...
    assert figure is first  # ...to the same colours, so the same chart


@pytest.mark.parametrize("seed", [1, 4])
def test_the_spirals_preset_separates_the_arms_on_the_seeds_that_failed(seed):
    # Measured before, with 1 and 2 torch threads: ARI 0.571 (seed 1: the neighbour graph falls in
    # three pieces, and the learned space kept an arbitrary mix of them) and 0.788 (seed 4).
    # benchmarks/bench_spirals.py prints seeds 0-4 with 1 and 2 threads.
    values = {**controls.DEFAULTS, **controls.PRESETS["Spirals, learned space"], "seed": seed}
    X, y = datasets.load("spirals", n_samples=values["n_samples"], noise=values["noise"], random_state=seed)
    *_, last = train(X, controls.to_config(values))
    assert metrics.external_scores(y, last.labels)["ari"] >= 0.95
