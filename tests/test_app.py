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
from conftest import ROOT, button, epoch, first_epoch, packet, play_until_done, small_run

from gankmeans import DivergenceError, train
from ui import controls
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
    page = json.loads(re.search(r"id='gk-data'>(.*?)</script>", files["html"], re.S)[1])
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
    kmeans = packets_scene(at)["kmeans"]
    mapping = np.asarray(feed.kmeans_map)
    # Plain K-Means's cluster k is drawn as the run's cluster mapping[k]: the same blob, one colour.
    kmeans_labels = np.frombuffer(base64.b64decode(kmeans["labels"]), np.uint8)
    assert len(kmeans_labels) == len(runner.latest.labels)  # 500 points: all drawn
    assert np.mean(mapping[kmeans_labels] == runner.latest.labels) > 0.9


def packets_scene(app) -> dict:
    """The scene the player holds: resent on request, as a remounted player would ask."""
    app.session_state["feed"].request_sync()
    app.run()
    return packet(app)["scene"]


def data_points(app):
    """The current data set's points on the plotting axes, as the app made them."""
    from ui import data

    state = app.session_state
    if state["dataset"] == data.UPLOAD:
        return uploaded_data(app).X2
    values = {**controls.DEFAULTS, **{k: state[k] for k in controls.DATA_KEYS}}
    return data.load(*(values[k] for k in controls.DATA_KEYS)).X2


def uploaded_data(app):
    """The uploaded file's data set, as the app made it."""
    from ui import data

    file, seed = app.session_state["upload"], app.session_state["seed"]
    return data.read_upload(file["digest"], file["label"], file["drop"], file["keep"], seed, file["raw"])[0]


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


# --- your own data: CSV upload ------------------------------------------------------------------

def upload(app, name: str, content: bytes):
    app.file_uploader[0].set_value((name, content, "text/csv"))
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
    first_epoch(at)
    run, points = at.session_state["runner"], data_points(at)
    upload(at, "mine.csv", content)
    assert not at.exception
    assert any(reason in e.value and "previous data and run are kept" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs" and np.array_equal(data_points(at), points)
    assert at.session_state["runner"] is run and epoch(at) == 1
    # The uploader, the captions and the data set agree: the file was not taken.
    assert at.file_uploader[0].value is None
    assert any("**mine.csv** was not used" in c.value and "the data is still **blobs**" in c.value
               for c in at.caption)
    assert any("previous data and run are kept: **blobs**" in e.value for e in at.error)


def _selected_dataset(app) -> str:
    """The data set as its selector shows it."""
    box = app.selectbox(key="dataset")
    return box.format_func(box.value)


def test_a_rejected_file_leaves_uploader_captions_and_data_naming_the_kept_file(at):
    upload(at, "groups.csv", labelled_csv())
    first_epoch(at)
    run, points = at.session_state["runner"], data_points(at)
    rows = [f"{i % 7},{i % 5}" for i in range(30)] + ["nan,1", "2,inf", ",3"]
    upload(at, "gaps.csv", ("a,b\n" + "\n".join(rows) + "\n").encode())
    assert at.file_uploader[0].value is None  # not showing a file the data does not come from
    assert _selected_dataset(at) == "Your file: groups.csv"
    assert any(c.value.startswith("**groups.csv**: 90 rows") for c in at.caption)
    assert any("**gaps.csv** was not used" in c.value and "still **groups.csv**" in c.value
               for c in at.caption)
    assert any("**gaps.csv** cannot be used" in e.value and "kept: **groups.csv**" in e.value
               for e in at.error)
    assert np.array_equal(data_points(at), points) and at.session_state["runner"] is run
    # Its offer still stands; taken, every name moves to the new file together.
    button(at, "Drop the 3 incomplete rows").click().run()
    assert not at.error and _selected_dataset(at) == "Your file: gaps.csv"
    assert any(c.value.startswith("**gaps.csv**: 30 rows") for c in at.caption)
    assert not any("was not used" in c.value for c in at.caption)


def test_a_rejection_note_goes_once_the_user_picks_other_data(at):
    upload(at, "mine.csv", b"a,b\n1,2\n3,oops\n5,6\n7,8\n")
    assert at.error
    at.selectbox(key="dataset").set_value("moons").run()
    assert not at.error and not any("was not used" in c.value for c in at.caption)


def iris_by_pandas() -> bytes:
    """iris as `df.to_csv("iris.csv")` writes it: the index 0..149 as an unnamed first column, rows
    sorted by species (so the row numbers tell the species)."""
    from sklearn.datasets import load_iris

    return load_iris(as_frame=True).frame.to_csv().encode()


def data_columns(app) -> list[str]:
    """The feature columns the uploaded file's data set trains on."""
    return uploaded_data(app).columns


def test_a_csv_s_row_index_is_left_out_with_a_button_to_keep_it_that_resets_the_run(at):
    from sklearn.datasets import load_iris

    features = list(load_iris(as_frame=True).data.columns)
    upload(at, "iris.csv", iris_by_pandas())
    assert not at.error and not at.exception
    assert any("150 rows × 4 features, 3 label classes" in c.value for c in at.caption)
    assert any(c.value == "Left out of training: **column 1**, an unnamed first column, as pandas writes its "
               "index." for c in at.caption)
    assert data_columns(at) == features
    first_epoch(at)
    assert epoch(at) == 1 and at.session_state["runner"].latest.centroids.shape == (3, 4)  # trained on 4
    button(at, "Keep column 1 as a feature").click().run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    assert data_columns(at) == ["column 1", *features]
    assert any("150 rows × 5 features" in c.value for c in at.caption)
    assert any("Trained on **column 1** too" in c.value for c in at.caption)
    assert not any(c.value.startswith("Left out") for c in at.caption)
    first_epoch(at)
    button(at, "Leave column 1 out again").click().run()
    assert "runner" not in at.session_state and data_columns(at) == features


def test_a_column_naming_every_row_is_left_out_and_not_taken_for_the_label(at):
    rng = np.random.default_rng(3)
    rows = [f"plant {i},{g * 5 + rng.normal():.3f},{g * 3 + rng.normal():.3f},kind{g}"
            for i, g in enumerate(np.arange(60) % 2)]
    upload(at, "plants.csv", ("name,width,height,kind\n" + "\n".join(rows) + "\n").encode())
    assert not at.error and at.session_state["upload_label_choice"] == "kind"
    assert data_columns(at) == ["width", "height"] and at.session_state["n_clusters"] == 2
    assert any(c.value.startswith("Left out of training: **name**, text") for c in at.caption)
    assert not any(b.label.startswith("Keep") for b in at.button)  # text cannot be a feature


def test_a_file_usable_only_with_its_row_numbers_offers_to_keep_them(at):
    rows = [f"{i + 1},{(i * 7) % 10}" for i in range(25)]  # x counts 1..25: a row number, on its face
    upload(at, "line.csv", ("x,y\n" + "\n".join(rows) + "\n").encode())
    assert any("only one numeric feature column (y) once x" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs" and at.file_uploader[0].value is None
    button(at, "Keep x as a feature").click().run()
    assert not at.error and at.session_state["dataset"] == "uploaded CSV"
    assert data_columns(at) == ["x", "y"]
    assert any("Trained on **x** too" in c.value for c in at.caption)


def test_a_labelled_csv_trains_on_its_features_and_scores_against_its_labels(at):
    upload(at, "groups.csv", labelled_csv())
    assert not at.error and not at.exception
    state = at.session_state
    assert state["dataset"] == "uploaded CSV" and state["upload_label_choice"] == "kind"
    assert state["n_clusters"] == 3  # one cluster per label class
    assert any("90 rows × 3 features, 3 label classes" in c.value for c in at.caption)
    assert "2-D PCA projection of the 3 features" in packet(at)["scene"]["note"]  # the player's caption
    small_run(at, epochs=40)
    button(at, "Train").click().run()
    play_until_done(at)
    assert at.session_state["runner"].latest.centroids.shape == (3, 3)  # trained on all 3
    assert at.session_state["runner"].metrics[-1]["ari"] > 0.9
    assert packets_scene(at)["has_labels"]
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
    content = ("u,v\n" + "\n".join(f"{2 * i},{i * 7 % 13}.5" for i in range(100)) + "\n").encode()
    upload(at, "big.csv", content)
    assert not at.error and len(data_points(at)) == 40
    assert any("100 usable rows, more than the limit of 40" in c.value for c in at.caption)


def test_choosing_another_label_column_resets_the_run(at):
    content = b"a,b,c\n" + b"".join(f"{i * i % 11},{i * 3 % 7},{i % 2}\n".encode() for i in range(20))
    upload(at, "nums.csv", content)
    assert at.session_state["upload_label_choice"] == "(none)"
    first_epoch(at)
    at.selectbox(key="upload_label_choice").set_value("c").run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    assert at.session_state["n_clusters"] == 2 and len(data_points(at)) == 20
    assert packet(at)["scene"]["has_labels"]  # the player shows ARI and NMI


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
