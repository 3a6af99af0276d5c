"""The Runs table through AppTest: what enters it and when, its columns, CSV, bound, side by side, Restore."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
from conftest import button, first_epoch, play_until_done, small_run

from ui import history


def train_to_end(app, epochs=5):
    small_run(app, epochs)
    button(app, "Train").click().run()
    play_until_done(app)


def table(app) -> pd.DataFrame:
    return app.session_state["history"].table()


def test_a_finished_run_enters_the_table_with_only_the_settings_that_differ(at):
    at.select_slider(key="lr_student").set_value(1e-2)
    at.number_input(key="seed").set_value(3)
    train_to_end(at)
    runner = at.session_state["runner"]
    rows = table(at)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["data"], row["points"], row["epochs"], row["ended"]) == ("blobs", 500, 5, "max epochs")
    assert row["settings"] == "seed=3, max_epochs=5, lr_student=0.01"  # not K, noise, tie margin...
    final = runner.metrics[-1]
    for column in ("inertia", "ari", "nmi", "agreement", "student_share"):
        assert row[column] == final[column]
    assert 0 < row["wall_time_s"] < 60
    shown = at.dataframe[0].value  # the table on the page
    assert list(shown["run"]) == [1] and shown["settings"].iloc[0] == row["settings"]
    at.run()
    assert len(table(at)) == 1  # once, however many reruns follow


def test_reset_and_a_settings_change_after_an_epoch_keep_the_run(at):
    button(at, "Reset").click().run()  # nothing trained yet: nothing to keep
    assert len(table(at)) == 0
    button(at, "Step").click().run()  # Step 0: the starting centroids, no epoch trained
    button(at, "Reset").click().run()
    assert len(table(at)) == 0
    first_epoch(at)
    button(at, "Reset").click().run()
    first_epoch(at)
    button(at, "Step").click().run()
    at.slider(key="n_clusters").set_value(3).run()
    rows = table(at)
    assert list(rows["ended"]) == ["reset", "settings changed"]
    assert list(rows["epochs"]) == [1, 2] and list(rows["run"]) == [1, 2]
    assert list(rows["settings"]) == ["defaults", "defaults"]  # K was 4 while they ran


def test_a_run_stopped_by_an_error_says_why(at):
    at.select_slider(key="lr_student").set_value(10.0)
    at.select_slider(key="lr_discriminator").set_value(10.0)
    train_to_end(at)
    ended = table(at)["ended"].iloc[0]
    assert ended.startswith("error: ") and "diverged" in ended


def test_the_csv_holds_the_table_and_unlabelled_data_leaves_ari_empty(at):
    at.selectbox(key="dataset").set_value("uniform").run()
    train_to_end(at, epochs=3)
    assert any(b.proto.label == "Runs (CSV)" for b in at.get("download_button"))
    read = pd.read_csv(io.StringIO(at.session_state["history"].csv()))
    assert list(read.columns) == list(history.COLUMNS)
    assert read["data"].tolist() == ["uniform"] and read["ari"].isna().all() and read["nmi"].isna().all()
    assert read["inertia"].iloc[0] == at.session_state["runner"].latest.inertia


def test_at_most_fifty_runs_are_kept_and_each_keeps_no_frames(at):
    train_to_end(at, epochs=3)
    runs = at.session_state["history"]
    first = runs.get(1)
    for number in range(2, history.MAX_RUNS + 1):  # 49 more, as if trained
        runs.add(dataclasses.replace(first, number=number, run_id=f"fake{number}"))
    assert len(runs) == history.MAX_RUNS
    button(at, "Reset").click().run()
    train_to_end(at, epochs=4)
    numbers = table(at)["run"].tolist()
    assert len(numbers) == history.MAX_RUNS and numbers[0] == 2 and numbers[-1] == history.MAX_RUNS + 1
    newest = runs.get(history.MAX_RUNS + 1)
    assert newest.epochs == 4 and len(newest.labels) == 500 and len(newest.curves["epoch"]) == 4
    assert not any(isinstance(value, list) for value in vars(newest).values())  # no frame lists


def test_long_runs_keep_thinned_curves():
    rows = [{"epoch": e, "agreement": e / 5000, "d_loss": 1.0, "g_loss": 2.0} for e in range(1, 5001)]
    curves = history.thin_curves(rows)
    assert len(curves["epoch"]) == history.CURVE_POINTS
    assert (curves["epoch"][0], curves["epoch"][-1]) == (1, 5000)


def test_two_runs_side_by_side_share_their_axes(at):
    train_to_end(at, epochs=3)
    at.number_input(key="seed").set_value(1)
    train_to_end(at, epochs=4)
    at.multiselect(key="runs_compare").set_value([1, 2]).run()
    assert not at.exception
    chart = next(c for c in at.get("plotly_chart") if "Student-teacher agreement" in c.proto.spec)
    assert '"matches":"x"' in chart.proto.spec.replace(" ", "")  # the second scatter's x follows the first
    titles = chart.proto.spec
    assert "Run 1: max epochs, epoch 3" in titles and "Run 2: max epochs, epoch 4" in titles


def test_restore_puts_the_settings_back_and_train_repeats_the_run(at):
    at.select_slider(key="lr_student").set_value(1e-2)
    at.slider(key="tie_margin").set_value(0.5)
    at.number_input(key="seed").set_value(5)
    train_to_end(at, epochs=6)
    original = at.session_state["history"].get(1)
    at.slider(key="n_clusters").set_value(3)
    at.number_input(key="seed").set_value(0)
    train_to_end(at, epochs=4)
    at.selectbox(key="runs_restore_choice").set_value(1).run()
    button(at, "Restore").click().run()
    assert not at.exception and any("Restored the settings of run 1" in s.value for s in at.success)
    state = at.session_state
    assert (state["lr_student"], state["tie_margin"], state["seed"], state["n_clusters"]) == (1e-2, 0.5, 5, 4)
    assert at.query_params["seed"] in ("5", ["5"]) and at.query_params["lr_student"] in ("0.01", ["0.01"])
    button(at, "Train").click().run()
    play_until_done(at)
    again = at.session_state["history"].get(3)
    assert again.settings == original.settings and again.epochs == original.epochs == 6
    assert again.final == original.final
    assert np.array_equal(again.labels, original.labels)
