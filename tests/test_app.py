"""The Streamlit app through AppTest: buttons, streaming by repeated runs, presets, resets, errors."""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, button, epoch, play_until_done, small_run

from gankmeans import DivergenceError, train
from ui import controls
from ui.worker import Worker


def diverging_train(X, config):
    """Two real epochs, then the error train() raises when a loss becomes NaN."""
    frames = train(X, config)
    yield next(frames)
    yield next(frames)
    raise DivergenceError("Training diverged at epoch 3: the losses became D=nan, G=nan.")


def test_loads_without_exception(at):
    assert not at.exception
    assert epoch(at) == 0
    assert {"Train", "Pause", "Step", "Reset"} <= {b.label for b in at.button}


def test_two_steps_read_epoch_two(at):
    button(at, "Step").click().run()
    button(at, "Step").click().run()
    assert epoch(at) == 2
    assert at.session_state["runner"].status == "paused"
    assert not at.exception


def test_play_runs_to_the_end_and_shows_the_replay(at):
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    assert at.session_state["runner"].status == "finished"
    assert epoch(at) == at.session_state["runner"].n_frames
    assert any(h.value == "Replay" for h in at.subheader)
    assert not at.exception


def test_a_finished_run_offers_its_three_exports(at):
    small_run(at, epochs=3)
    button(at, "Train").click().run()
    play_until_done(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Assignments (CSV)", "Run summary (JSON)", "Replay (HTML)"]
    files = at.session_state["exports"][1]  # what the buttons serve
    runner = at.session_state["runner"]
    assert len(pd.read_csv(io.StringIO(files["csv"]))) == len(runner.latest.labels)
    assert len(json.loads(files["json"])["epochs"]) == runner.n_frames
    assert "Plotly.addFrames" in files["html"]


def test_pause_keeps_the_epoch(at):
    small_run(at, epochs=200)
    at.select_slider(key="speed").set_value("20").run()
    button(at, "Train").click().run()
    time.sleep(0.3)
    button(at, "Pause").click().run()
    paused_at = at.session_state["runner"].n_frames
    time.sleep(0.5)
    at.run()
    assert at.session_state["runner"].status == "paused"
    assert epoch(at) == paused_at == at.session_state["runner"].n_frames
    button(at, "Step").click().run()
    assert epoch(at) == paused_at + 1


def test_reset_returns_to_epoch_zero(at):
    button(at, "Step").click().run()
    button(at, "Reset").click().run()
    assert epoch(at) == 0
    assert "runner" not in at.session_state


def test_seed_preset_sets_the_seed_write_up_values(at):
    at.selectbox(key="preset").set_value("Seed original").run()
    state = at.session_state
    assert (state["dataset"], state["n_clusters"], state["n_samples"]) == ("seed", 4, 100)
    assert state["lr_student"] == state["lr_discriminator"] == 1e-4
    assert (state["discriminator"], state["init"]) == ("label", "random")
    assert not at.exception


def test_control_change_resets_the_run_and_says_so(at):
    button(at, "Step").click().run()
    assert epoch(at) == 1
    at.slider(key="n_clusters").set_value(3).run()
    assert epoch(at) == 0
    assert "runner" not in at.session_state
    assert any("reset" in info.value for info in at.info)


def test_noise_is_offered_only_for_data_it_changes(at):
    assert not at.slider(key="noise").disabled
    at.selectbox(key="dataset").set_value("iris").run()
    assert at.slider(key="noise").disabled
    assert "no noise setting" in at.slider(key="noise").help


def test_a_real_data_set_says_how_many_of_its_rows_are_used(at):
    at.selectbox(key="dataset").set_value("iris").run()
    assert any("iris has 150 rows: all of them are used" in c.value for c in at.caption)
    at.number_input(key="n_samples").set_value(100).run()
    assert any("a random 100 are used" in c.value for c in at.caption)


def test_divergence_shows_an_error_and_keeps_the_last_frame(at):
    # Within the allowed range (lr <= 10) the core's losses (BCE on logits) stay finite in a short
    # run, so the worker trains with a stand-in that raises DivergenceError after two real epochs.
    at.session_state["worker"] = Worker(trainer="tests.test_app:diverging_train")
    at.select_slider(key="lr_student").set_value(10.0)
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    assert not at.exception
    assert any("diverged" in e.value for e in at.error)
    assert epoch(at) == 2  # the last good frame stays on screen


def test_a_training_process_that_dies_is_reported_and_reset_starts_a_new_one(at):
    dying = at.session_state["worker"] = Worker()
    small_run(at)
    button(at, "Step").click().run()
    assert epoch(at) == 1
    dying.process.kill()
    dying.process.join()
    at.run()
    assert not at.exception
    assert any("stopped unexpectedly" in e.value for e in at.error)
    assert epoch(at) == 1  # the frames received stay
    button(at, "Reset").click().run()
    button(at, "Step").click().run()
    assert not at.exception and not at.error
    assert epoch(at) == 1
    assert at.session_state["worker"] is not dying and at.session_state["worker"].alive


def test_learning_rates_of_ten_stop_with_a_divergence_error(at):
    # The real core, no stand-in: with both rates at 10 the losses blow up in epoch 1.
    at.select_slider(key="lr_student").set_value(10.0)
    at.select_slider(key="lr_discriminator").set_value(10.0)
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    assert not at.exception
    assert at.session_state["runner"].status == "error"
    assert any("diverged" in e.value and "Lower the learning rates" in e.value for e in at.error)


def test_a_converged_run_shows_a_full_bar_and_says_so(at):
    small_run(at, epochs=60)
    at.select_slider(key="tol").set_value(1e-2).run()
    button(at, "Train").click().run()
    play_until_done(at)
    last = at.session_state["runner"].latest
    assert last.converged and last.epoch < 60
    assert progress_text(at) == f"Converged at epoch {last.epoch}"


def test_progress_is_full_at_the_end_and_names_how_the_run_ended():
    from types import SimpleNamespace

    from ui.view import progress

    def frame(epoch, converged=False):
        return SimpleNamespace(epoch=epoch, converged=converged)

    assert progress("finished", frame(21, converged=True), 60) == (1.0, "Converged at epoch 21")
    assert progress("finished", frame(60), 60) == (1.0, "Finished: 60 of 60 epochs")
    assert progress("error", frame(3), 60) == (0.05, "Stopped by an error: 3 of up to 60 epochs")
    assert progress("idle", None, 60) == (0.0, "Ready: 0 of up to 60 epochs")


def test_the_live_chart_is_drawn_over_the_previous_one_and_only_when_the_epoch_changes(at):
    button(at, "Step").click().run()
    slots = at.session_state["live_slots"]
    front, first = slots["front"], slots["figures"][slots["front"]]
    at.run()  # a rerun with no new epoch: the same figure, so the browser re-plots nothing
    assert slots["front"] == front and slots["figures"][front] is first
    button(at, "Step").click().run()
    slots = at.session_state["live_slots"]
    assert slots["front"] != front  # the new epoch went to the other slot, now in front...
    assert slots["figures"][front] is first  # ...drawn over the previous one, kept behind it
    assert "epoch 2" in slots["figures"][slots["front"]].layout.title.text
    button(at, "Step").click().run()
    titles = [figure.layout.title.text for figure in at.session_state["live_slots"]["figures"]]
    assert sorted(int(re.search(r"epoch (\d+)", t)[1]) for t in titles) == [1, 2, 3]  # two kept behind


def test_kmeans_colours_follow_the_run_s_clusters(at):
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    *_, reference, figure = at.session_state["kmeans_figure"]
    assert reference is at.session_state["runner"].latest  # matched again at the end of the run
    # 500 blobs points: all drawn, on their own axes; find each drawn point's GANKMeans label.
    index = {(float(x), float(y)): i for i, (x, y) in enumerate(data_points(at).astype(np.float32))}
    for cluster, trace in enumerate(figure.data[:4]):  # K-Means's cluster k is trace k
        rows = [index[(float(x), float(y))] for x, y in zip(trace.x, trace.y, strict=True)]
        assert np.mean(reference.labels[rows] == cluster) > 0.9


def data_points(app):
    """The current data set's points on the plotting axes, as the app made them."""
    from ui import data

    state = app.session_state
    if state["dataset"] == data.UPLOAD:
        file = state["upload"]
        return data.read_upload(file["digest"], file["label"], file["drop"], state["seed"], file["raw"])[0].X2
    values = {**controls.DEFAULTS, **{k: state[k] for k in controls.DATA_KEYS}}
    return data.load(*(values[k] for k in controls.DATA_KEYS)).X2


def progress_text(app) -> str:
    return next(e for e in app.get("progress")).proto.text


def test_bad_settings_show_an_error_not_an_exception(at):
    at.number_input(key="n_samples").set_value(10)
    at.slider(key="n_clusters").set_value(12).run()
    button(at, "Train").click().run()
    assert not at.exception
    assert any("n_clusters" in e.value for e in at.error)


def test_comparison_panel_scores_every_method_on_the_same_data(at):
    button(at, "Step").click().run()
    at.toggle(key="compare").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["method"]) == ["GANKMeans", "K-Means", "Gaussian mixture", "Spectral clustering",
                                     "DBSCAN"]
    assert table["ari"].notna().all() and (table["ari"] <= 1).all()
    assert table["groups"].iloc[:4].tolist() == [4, 4, 4, 4]  # K = 4; DBSCAN finds its own number
    assert table["noise"].iloc[:4].tolist() == [0.0] * 4


def test_comparison_shows_when_dbscan_left_every_point_as_noise(at):
    at.selectbox(key="dataset").set_value("digits").run()  # 64 features: no point has 5 within 0.3
    at.toggle(key="compare").set_value(True).run()
    dbscan = at.dataframe[0].value.set_index("method").loc["DBSCAN"]
    assert (dbscan["groups"], dbscan["noise"], dbscan["ari"]) == (0, 1.0, 0.0)


def test_digits_show_a_gallery_of_each_clusters_images(at):
    at.selectbox(key="dataset").set_value("digits").run()
    button(at, "Step").click().run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert any("sample images" in chart.proto.spec for chart in charts)


# --- your own data: CSV upload ------------------------------------------------------------------

def upload(app, name: str, content: bytes):
    app.file_uploader(key="upload_file").set_value((name, content, "text/csv"))
    return app.run()


def labelled_csv(n: int = 90) -> bytes:
    """Three well-separated groups in 3 features, with a text label column."""
    rng = np.random.default_rng(7)
    rows = [f"{g * 10 + rng.normal():.4f},{g * -8 + rng.normal():.4f},{g * 6 + rng.normal():.4f},group{g}"
            for g in (0, 1, 2) for _ in range(n // 3)]
    return ("width,height,depth,kind\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text CSV file"),
    (b"", "the file is empty"),
    (b"a,b\n", "header but no data rows"),
    (b"value\n1\n2\n3\n4\n5\n", "only one numeric feature column"),
    (b"a,b\n1,2\n3,oops\n5,6\n7,8\n", 'column "b" has a non-numeric value'),
    (b"a,b\n1,2\n3,4\n5,6\n", "3 usable rows, fewer than K = 4"),
])
def test_a_bad_file_shows_why_and_keeps_the_previous_data_and_run(at, content, reason):
    button(at, "Step").click().run()
    run, points = at.session_state["runner"], data_points(at)
    upload(at, "mine.csv", content)
    assert not at.exception
    assert any(reason in e.value and "previous data and run are kept" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs" and np.array_equal(data_points(at), points)
    assert at.session_state["runner"] is run and epoch(at) == 1


def test_a_labelled_csv_trains_on_its_features_and_scores_against_its_labels(at):
    upload(at, "groups.csv", labelled_csv())
    assert not at.error and not at.exception
    state = at.session_state
    assert state["dataset"] == "uploaded CSV" and state["upload_label_choice"] == "kind"
    assert state["n_clusters"] == 3  # one cluster per label class
    assert any("90 rows × 3 features, 3 label classes" in c.value for c in at.caption)
    assert any("2-D PCA projection of the 3 features" in c.value for c in at.caption)
    small_run(at, epochs=40)
    button(at, "Train").click().run()
    play_until_done(at)
    assert at.session_state["runner"].latest.centroids.shape == (3, 3)  # trained on all 3
    ari = next(m for m in at.metric if m.label == "ARI")
    assert float(ari.value) > 0.9
    table = pd.read_csv(io.StringIO(at.session_state["exports"][1]["csv"]))
    assert list(table.columns[:3]) == ["width", "height", "depth"]


def test_incomplete_rows_are_counted_and_dropped_on_request(at):
    rows = [f"{i % 7},{i % 5}" for i in range(30)] + ["nan,1", "2,inf", ",3"]
    upload(at, "gaps.csv", ("a,b\n" + "\n".join(rows) + "\n").encode())
    assert any("3 of 33 rows have missing" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs"
    next(b for b in at.button if b.label == "Drop the 3 incomplete rows").click().run()
    assert not at.error
    assert at.session_state["dataset"] == "uploaded CSV" and len(data_points(at)) == 30
    assert any("3 incomplete rows were dropped" in c.value for c in at.caption)


def test_a_file_over_the_row_limit_is_sampled_with_the_seed(at, monkeypatch):
    monkeypatch.setattr("ui.data.MAX_POINTS", 40)
    content = ("u,v\n" + "\n".join(f"{i},{i * 7 % 13}.5" for i in range(100)) + "\n").encode()
    upload(at, "big.csv", content)
    assert not at.error and len(data_points(at)) == 40
    assert any("100 usable rows, more than the limit of 40" in c.value for c in at.caption)


def test_choosing_another_label_column_resets_the_run(at):
    content = b"a,b,c\n" + b"".join(f"{i},{i * 3 % 7},{i % 2}\n".encode() for i in range(20))
    upload(at, "nums.csv", content)
    assert at.session_state["upload_label_choice"] == "(none)"
    button(at, "Step").click().run()
    at.selectbox(key="upload_label_choice").set_value("c").run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    assert at.session_state["n_clusters"] == 2 and len(data_points(at)) == 20
    assert {m.label for m in at.metric} >= {"ARI", "NMI"}


def test_the_served_config_keeps_uploads_safe_hides_tracebacks_and_sends_whole_messages(monkeypatch):
    # Read by Streamlit's own parser, from the app's folder as `streamlit run app.py` does, so a
    # misspelt option (which Streamlit ignores) fails here too.
    from streamlit import config

    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("client.showErrorDetails") == "none"
        # No element is sent as a cache reference: a reference to a message the browser had just
        # dropped stopped the page with "Cached ForwardMsg MISS" (see .streamlit/config.toml).
        assert config.get_option("global.minCachedMessageSize") >= 1e12
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)


def test_regenerate_at_the_largest_seed_shows_no_error(at):
    # The number input's default is its current value, clamped: an unclamped default above the
    # maximum raised StreamlitValueAboveMaxError on the page.
    at.number_input(key="seed").set_value(2**31 - 1).run()
    button(at, "Regenerate").click().run()
    assert not at.exception
    assert at.number_input(key="seed").value == 0  # it wraps round
