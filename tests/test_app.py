"""The Streamlit app through AppTest: buttons, what each tick sends the player, presets, resets, errors."""

from __future__ import annotations

import base64
import io
import json
import re
import time

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, button, epoch, first_epoch, packet, play_until_done, player_scene, small_run

from gankmeans import DivergenceError, train
from ui import controls, view
from ui import feed as feed_module
from ui.pool import Pool
from ui.runner import Runner


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
    assert packet(at)["status"] == {"state": "idle", "max_epochs": 100}  # "0 / 100" before a run


def test_step_0_shows_the_starting_centroids_then_each_step_an_epoch(at):
    button(at, "Step").click().run()  # Step 0: the k-means++ start, nothing trained
    runner = at.session_state["runner"]
    assert runner.status == "paused" and runner.n_frames == 0 and epoch(at) == 0
    start = packet(at)["start"]
    X = at.session_state["runner"].start_rows
    assert start["epoch"] == 0 and len(start["centroids"]) == 4 == len(set(X))
    button(at, "Step").click().run()
    assert "start" not in packet(at)  # sent once, with the run
    button(at, "Step").click().run()
    assert epoch(at) == 2 and runner.n_frames == 2
    assert at.session_state["runner"].status == "paused"
    assert not at.exception


def test_play_runs_to_the_end_and_hands_the_player_its_replay(at):
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    runner = at.session_state["runner"]
    assert runner.status == "finished"
    assert epoch(at) == runner.n_frames
    assert not at.exception


def test_each_tick_sends_new_epochs_and_repeats_only_the_last_few_rows(at):
    assert "scene" in packet(at)  # the page's first run: the points, once
    small_run(at, epochs=40)
    at.select_slider(key="tol").set_value(0.0)
    button(at, "Train").click().run()
    packets = [packet(at)]
    while at.session_state["runner"].status == "playing":
        time.sleep(0.05)
        at.run()
        packets.append(packet(at))
    at.run()
    packets.append(packet(at))
    runner = at.session_state["runner"]
    # Every epoch's metrics, in order, with no gap: each packet starts at or before the end of the
    # one before, and repeats at most the rows of the RESENT_PACKETS packets before it (a busy
    # page is handed only the newest of several packets).
    held, ends = [], [0]
    for p in packets[1:]:
        rows = p["rows"]["epoch"]
        assert rows == list(range(p["base"] + 1, p["base"] + len(rows) + 1))
        assert ends[max(0, len(ends) - 1 - feed_module.RESENT_PACKETS)] <= p["base"] <= ends[-1]
        held += rows[len(held) - p["base"]:]
        ends.append(p["base"] + len(rows))
    assert held == list(range(1, runner.n_frames + 1)) == list(range(1, 41))
    assert sum(len(p["rows"]["epoch"]) for p in packets[1:]) < 2 * (feed_module.RESENT_PACKETS + 1) * 40
    # A few new epochs to animate per tick, never one the player already has.
    drawn = [f["epoch"] for p in packets for f in p.get("frames", [])]
    assert drawn == sorted(set(drawn)) and drawn[-1] == 40
    assert max(len(p.get("frames", [])) for p in packets) <= feed_module.MAX_FRAMES_PER_PACKET
    # The points went once, before; the replay goes once, at the end.
    assert not any("scene" in p for p in packets)
    replays = [p["replay"] for p in packets if "replay" in p]
    assert len(replays) == 1 and replays[0][-1]["epoch"] == 40
    assert packets[-1]["status"]["state"] == "finished"


def test_a_player_that_lost_its_place_gets_everything_again(at):
    first_epoch(at)
    button(at, "Step").click().run()
    assert "scene" not in packet(at)
    at.session_state["feed"].request_sync()  # what the browser asks for when mounted afresh
    at.run()
    resent = packet(at)
    assert resent["sync"] and "scene" in resent and resent["base"] == 0
    assert resent["rows"]["epoch"] == [1, 2] and [f["epoch"] for f in resent["frames"]] == [2]


def test_a_finished_run_offers_its_three_exports(at):
    small_run(at, epochs=3)
    button(at, "Train").click().run()
    play_until_done(at)
    labels = [b.proto.label for b in at.get("download_button")]
    # The run's three, then the Runs table's.
    assert labels == ["Assignments (CSV)", "Run summary (JSON)", "Replay (HTML)", "Runs (CSV)"]
    files = at.session_state["exports"][1]  # what the buttons serve
    runner = at.session_state["runner"]
    assert len(pd.read_csv(io.StringIO(files["csv"]))) == len(runner.latest.labels)
    assert len(json.loads(files["json"])["epochs"]) == runner.n_frames
    html = files["html"]()  # made when the button is clicked
    page = json.loads(re.search(r"id='gk-data'>(.*?)</script>", html, re.S)[1])
    assert [d["epoch"] for d in page["replay"]] == [1, 2, 3]  # the run, in the app's own player
    assert page["scene"]["kmeans"] and "GANKMeans on blobs: K = 4" in page["scene"]["title"]


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
    first_epoch(at)
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


@pytest.fixture
def own_pool(request):
    """A pool of its own for one test (its process may be killed, or train with a stand-in)."""
    made = Pool(processes=1, trainer=getattr(request, "param", "gankmeans:train")).start()
    yield made
    made.close()


@pytest.mark.parametrize("own_pool", ["tests.test_app:diverging_train"], indirect=True)
def test_divergence_shows_an_error_and_keeps_the_last_frame(at, own_pool):
    # Within the allowed range (lr <= 10) the core's losses (BCE on logits) stay finite in a short
    # run, so the process trains with a stand-in that raises DivergenceError after two real epochs.
    at.session_state["pool"] = own_pool
    at.select_slider(key="lr_student").set_value(10.0)
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    assert not at.exception
    assert any("diverged" in e.value for e in at.error)
    assert epoch(at) == 2  # the last good frame stays on screen


def test_a_training_process_that_dies_is_reported_and_reset_starts_a_new_one(at, own_pool):
    at.session_state["pool"] = own_pool
    small_run(at)
    first_epoch(at)
    assert epoch(at) == 1
    dying = own_pool.processes[0]
    dying.process.kill()
    dying.process.join()
    at.run()
    assert not at.exception
    assert any("stopped unexpectedly" in e.value for e in at.error)
    assert epoch(at) == 1  # the frames received stay
    button(at, "Reset").click().run()
    first_epoch(at)
    assert not at.exception and not at.error
    assert epoch(at) == 1
    assert own_pool.processes[0] is not dying and own_pool.processes[0].alive


def test_a_run_waiting_for_a_slot_tells_the_player_its_place(at):
    busy = Pool(processes=1, runs_per_process=1).start()
    try:
        at.session_state["pool"] = busy
        ahead = Runner(np.random.default_rng(0).normal(size=(100, 2)),
                       controls.to_config({**controls.DEFAULTS, "max_epochs": 500}), 5.0, busy)
        ahead.play()  # another session's run holds the only slot
        small_run(at)
        button(at, "Train").click().run()
        deadline = time.monotonic() + 30
        while "queued" not in packet(at)["status"] and time.monotonic() < deadline:
            time.sleep(0.05)
            at.run()
        assert packet(at)["status"]["queued"] == 1 and packet(at)["status"]["state"] == "playing"
        assert epoch(at) == 0
        ahead.pause()  # the slot comes free: the run trains, and the place goes
        play_until_done(at)
        assert "queued" not in packet(at)["status"] and epoch(at) == 8
    finally:
        busy.close()


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


def test_a_converged_run_says_so(at):
    small_run(at, epochs=60)
    at.slider(key="tie_margin").set_value(0.3)  # at 0.0 (the default) it does not converge by 60
    at.select_slider(key="tol").set_value(1e-2).run()
    button(at, "Train").click().run()
    play_until_done(at)
    last = at.session_state["runner"].latest
    assert last.converged and last.epoch < 60
    assert packet(at)["status"] == {"state": "finished", "max_epochs": 60, "message": None, "converged": True}


def test_a_rerun_with_no_new_epoch_sends_the_player_nothing_to_draw(at):
    first_epoch(at)
    assert [f["epoch"] for f in packet(at)["frames"]] == [1]
    at.run()
    assert packet(at)["frames"] == [] and packet(at)["rows"]["epoch"] in ([], [1])  # no new row
    button(at, "Step").click().run()
    assert [f["epoch"] for f in packet(at)["frames"]] == [2] and packet(at)["rows"]["epoch"][-1] == 2


def test_kmeans_colours_follow_the_run_s_clusters(at):
    small_run(at)
    button(at, "Train").click().run()
    play_until_done(at)
    runner, feed = at.session_state["runner"], at.session_state["feed"]
    kmeans = player_scene(at)["kmeans"]
    mapping = np.asarray(feed.kmeans_map)
    # Plain K-Means's cluster k is drawn as the run's cluster mapping[k]: the same blob, one colour.
    kmeans_labels = np.frombuffer(base64.b64decode(kmeans["labels"]), np.uint8)
    assert len(kmeans_labels) == len(runner.latest.labels)  # 500 points: all drawn
    assert np.mean(mapping[kmeans_labels] == runner.latest.labels) > 0.9


def test_bad_settings_show_an_error_not_an_exception(at):
    at.number_input(key="n_samples").set_value(10)
    at.slider(key="n_clusters").set_value(12).run()
    button(at, "Train").click().run()
    assert not at.exception
    assert any("n_clusters" in e.value for e in at.error)


def test_comparison_panel_scores_every_method_on_the_same_data(at):
    first_epoch(at)
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
    first_epoch(at)
    assert not at.exception
    charts = at.get("plotly_chart")
    assert any("sample images" in chart.proto.spec for chart in charts)


def test_the_served_config_keeps_uploads_safe_hides_tracebacks_and_serves_the_player(monkeypatch):
    # Read by Streamlit's own parser, from the app's folder as `streamlit run app.py` does, so a
    # misspelt option (which Streamlit ignores) fails here too.
    from streamlit import config

    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("client.showErrorDetails") == "none"
        assert config.get_option("server.enableStaticServing") is True  # the player's files
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


def test_the_player_is_told_when_to_ask_for_its_next_tick(at):
    # The page asks for each tick itself once it has taken a packet (ui.view.live_panel): every
    # 0.25 s while playing, every 30 s while a run is open but paused (its keepalive), never else.
    assert "next" not in packet(at)  # no run
    small_run(at, epochs=400)
    button(at, "Step").click().run()
    assert packet(at)["next"] == view.KEEPALIVE_SECONDS  # paused on epoch 0
    button(at, "Train").click().run()
    assert packet(at)["next"] == view.TICK_SECONDS
    button(at, "Pause").click().run()
    assert packet(at)["next"] == view.KEEPALIVE_SECONDS
    button(at, "Reset").click().run()
    assert "next" not in packet(at)
