"""The Explore a parameter panel through AppTest: a sweep in the pool, its progress, result, errors,
Pause and Reset, and a row restored for a full run that ends where the sweep's run did."""

from __future__ import annotations

import time

import pytest
from conftest import button, first_epoch, play_until_done

from ui import controls, explore


def sweep_inputs(app, values="3, 4", seeds=2, epochs=5):
    app.number_input(key="max_epochs").set_value(epochs)
    app.select_slider(key="speed").set_value("max")
    app.text_input(key="explore_values").set_value(values)
    app.number_input(key="explore_seeds").set_value(seeds)
    return app.run()


def progress_text(app) -> str:
    return app.get("progress")[0].proto.text


def run_sweep(app, timeout=120.0) -> list[str]:
    """Press Run sweep and drive the page until it ends; returns the progress lines seen."""
    button(app, "Run sweep").click().run()
    seen, deadline = [progress_text(app)], time.monotonic() + timeout
    while app.session_state["sweep"].status == "playing" and time.monotonic() < deadline:
        time.sleep(0.1)
        app.run()
        seen.append(progress_text(app))
    app.run()
    return seen


def test_a_sweep_trains_in_the_pool_shows_progress_and_its_result(at):
    sweep_inputs(at)
    seen = run_sweep(at)
    assert not at.exception and not at.error
    assert any(line.startswith("Run 1 of 4: n_clusters = 3, seed 0") for line in seen)
    assert progress_text(at) == "Sweep of n_clusters finished: 4 of 4 runs."
    table = at.dataframe[0].value
    assert [(row.value, row.seed) for row in table.itertuples()] == [(3, 0), (3, 1), (4, 0), (4, 1)]
    assert (table["epochs"] <= 5).all() and table["ari"].between(-1, 1).all()
    chart = next(c for c in at.get("plotly_chart") if "Sweep of n_clusters" in c.proto.spec)
    assert "Inertia (the elbow" in chart.proto.spec
    assert "runner" not in at.session_state  # the sidebar's run was never touched


def test_train_waits_while_a_sweep_trains_and_pause_and_reset_stop_it(at):
    sweep_inputs(at, values="2, 3, 4", seeds=1, epochs=400)
    at.select_slider(key="tol").set_value(0.0).run()
    button(at, "Run sweep").click().run()
    assert button(at, "Train").disabled and not button(at, "Pause").disabled
    time.sleep(0.5)
    button(at, "Pause").click().run()
    sweep = at.session_state["sweep"]
    time.sleep(0.5)  # let what was in flight arrive
    sweep.drain()
    paused_at = sweep.progress
    time.sleep(1.0)
    at.run()
    assert sweep.status == "paused" and sweep.progress == paused_at and paused_at[2] > 0
    assert progress_text(at).startswith("Paused after 0 of 3 runs")
    button(at, "Resume sweep").click().run()
    time.sleep(1.0)
    at.run()
    assert sweep.progress[2] > paused_at[2] or sweep.progress[0] > paused_at[0]
    button(at, "Reset").click().run()
    stopped_at = sweep.progress
    time.sleep(1.0)
    at.run()
    assert sweep.status == "stopped" and sweep.progress == stopped_at
    assert progress_text(at).startswith("Stopped (Reset) after")
    assert not button(at, "Train").disabled


@pytest.mark.parametrize(("values", "seeds", "message"), [
    ("", 1, "no values given for n_clusters"),
    ("2, 30", 1, "n_clusters=30 is not one the app's control allows (expected an integer from 1 to 12)"),
    (", ".join(map(str, range(1, 14))), 1, "13 given, at most 12 are allowed"),
    ("2, 3", 6, "seeds: 6 given, at most 5 are allowed"),
    ("2, two", 1, "n_clusters: expected an integer, got 'two'"),
    ("2, 2", 1, "2 is given twice"),
])
def test_bad_input_says_what_is_wrong_and_loses_nothing(at, values, seeds, message):
    first_epoch(at)
    run = at.session_state["runner"]
    sweep_inputs(at, values=values, seeds=seeds, epochs=controls.DEFAULTS["max_epochs"])  # the run stays
    button(at, "Run sweep").click().run()
    assert not at.exception
    assert any(e.value.startswith("Cannot run this sweep") and message in e.value for e in at.error)
    assert "sweep" not in at.session_state
    assert at.text_input(key="explore_values").value == values
    assert at.number_input(key="explore_seeds").value == seeds
    assert at.session_state["runner"] is run  # the run on the page is untouched


def test_an_unknown_parameter_or_a_value_off_the_controls_steps_is_refused():
    values = {**controls.DEFAULTS}
    with pytest.raises(ValueError, match="unknown parameter 'speed'"):
        explore.build(values, "speed", "1, 2", 1)
    with pytest.raises(ValueError, match="lr_student=0.0005 is not one the app's control allows"):
        explore.build(values, "lr_student", "1e-3, 5e-4", 1)
    with pytest.raises(ValueError, match="tie_margin=0.33 is not a step of the app's control; the nearest"):
        explore.build(values, "tie_margin", "0.33", 1)


def test_choosing_the_parameter_offers_its_default_values(at):
    at.selectbox(key="explore_parameter").set_value("handover").run()
    assert at.text_input(key="explore_values").value == "never, 20, auto"


def test_a_row_restored_trains_a_full_run_that_ends_as_the_sweep_s_run_did(at):
    at.selectbox(key="explore_parameter").set_value("lr_student").run()
    sweep_inputs(at, values="1e-3, 1e-2", seeds=2, epochs=8)
    run_sweep(at)
    row = at.dataframe[0].value.iloc[3]  # lr_student = 0.01, seed 1: another value and data seed
    at.selectbox(key="explore_restore_choice").set_value(3).run()
    button(at, "Restore for a full run").click().run()
    state = at.session_state
    assert (state["lr_student"], state["seed"], state["max_epochs"]) == (1e-2, 1, 8)
    assert at.query_params["seed"] in ("1", ["1"])
    button(at, "Train").click().run()
    play_until_done(at)
    final = state["runner"].metrics[-1]
    assert final["epoch"] == row["epochs"]
    for metric in ("inertia", "agreement", "ari"):
        assert final[metric] == row[metric]


def test_handover_at_an_epoch_restores_as_two_controls():
    assert explore.control_values("handover", 20) == {"handover": "at epoch", "handover_epoch": 20}
    assert explore.control_values("handover", "auto") == {"handover": "auto"}
