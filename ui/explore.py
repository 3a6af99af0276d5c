"""The Explore a parameter panel: a sweep of one setting over values and seeds, trained in the pool."""

from __future__ import annotations

import math

import streamlit as st

from gankmeans import datasets
from gankmeans.sweep_plot import sweep_figure
from gankmeans.sweeps import parse_values, sweep_plan, sweepable_parameters

from . import controls, runs_panel, session, share
from . import data as app_data
from .runner import PAUSED, PLAYING
from .sweeper import SweepRunner

# The settings the app has a control for: a row must be restorable into the sidebar exactly.
PARAMETERS = tuple(name for name in controls.MODEL_KEYS if name in sweepable_parameters())
DEFAULT_VALUES = {
    "n_clusters": "2, 3, 4, 5, 6, 7, 8, 9, 10", "max_epochs": "10, 20, 40, 60, 100",
    "lr_student": "1e-4, 1e-3, 3e-3, 1e-2, 3e-2", "lr_discriminator": "1e-4, 1e-3, 3e-3, 1e-2, 3e-2",
    "hidden": "8, 16, 32, 64, 128", "batch_size": "16, 32, 64, 128, auto",
    "discriminator": "conditional, label", "tie_margin": "0, 0.1, 0.3, 0.6, 1",
    "teacher_weight": "0, 0.2, 0.5, 1, 2", "handover": "never, 20, auto", "init": "k-means++, random",
    "tol": "0, 1e-4, 1e-3, 1e-2", "standardize": "false, true", "teacher_space": "input, learned",
    "n_neighbors": "5, 10, 20, 40",
}
DEFAULT_SEEDS = 3
TICK_SECONDS = 0.5  # progress while a sweep trains
KEEPALIVE_SECONDS = 30.0  # a paused sweep's page still says it is open (see ui.view)
NOTE = ("In the app a seed draws the data and seeds the run, as the sidebar's seed does: seeds "
        "{seeds}. Every row is a run that *Restore* repeats exactly.")


def init_state() -> None:
    st.session_state.setdefault("explore_parameter", "n_clusters")
    st.session_state.setdefault("explore_values", DEFAULT_VALUES["n_clusters"])
    st.session_state.setdefault("explore_seeds", DEFAULT_SEEDS)


def current() -> SweepRunner | None:
    return st.session_state.get("sweep")


def control_values(parameter: str, value) -> dict:
    """The controls that set ``parameter`` to ``value`` (a handover epoch is two controls)."""
    if parameter == "handover" and not isinstance(value, str):
        return {"handover": "at epoch", "handover_epoch": value}
    return {parameter: value}


def check_controls(parameter: str, values: list) -> None:
    """Raise ValueError for a value the app's control cannot hold (its range, options or steps)."""
    for value in values:
        for key, wanted in control_values(parameter, value).items():
            try:
                held = share.PARSERS[key](str(wanted))
            except ValueError as exc:
                raise ValueError(f"{parameter}={wanted} is not one the app's control allows "
                                 f"({exc}).") from None
            same = held == wanted if isinstance(held, str | bool) else math.isclose(held, wanted)
            if not same:
                raise ValueError(f"{parameter}={wanted} is not a step of the app's control; the nearest "
                                 f"is {held}.")


def seeds_from(first: int, count: int) -> list[int]:
    """``count`` seeds from the sidebar's, wrapping round as Regenerate does."""
    return [(int(first) + i) % 2**31 for i in range(int(count))]


def _seed_data(values: dict, dataset, seed: int) -> tuple:
    """(X, y) as the app makes them with this seed: Restore with the seed then trains on the same."""
    if seed == values["seed"]:
        return dataset.X, dataset.y
    if values["dataset"] == app_data.UPLOAD:
        if not dataset.info.get("sampled_from"):  # every row of the file, whatever the seed
            return dataset.X, dataset.y
        other = app_data.current({**values, "seed": seed})
        return other.X, other.y
    return datasets.load(values["dataset"], n_samples=values["n_samples"], noise=values["noise"],
                         random_state=seed)


def build(values: dict, parameter: str, text: str, n_seeds: int):
    """Check a sweep of the panel's inputs and gather its data: (data, config, values, seeds).

    Raises
    ------
    ValueError
        With gankmeans.sweeps' message (unknown parameter, empty, repeated or too many values, more
        than 5 seeds, a value TrainConfig rejects), or for a value the app's control cannot hold.
    """
    dataset = app_data.current(values)
    config = controls.to_config(values)
    swept = parse_values(parameter, text)
    seeds = seeds_from(values["seed"], n_seeds)
    sweep_plan(dataset.X, config, parameter, swept, seeds, dataset.y)  # everything, before any data is made
    check_controls(parameter, swept)
    data = {seed: _seed_data(values, dataset, seed) for seed in seeds}
    return data, config, swept, seeds


def _start() -> None:
    st.session_state.pop("explore_error", None)
    values = controls.values()
    try:
        state = st.session_state
        data, config, swept, seeds = build(values, state["explore_parameter"], state["explore_values"],
                                           state["explore_seeds"])
    except ValueError as exc:
        st.session_state["explore_error"] = f"Cannot run this sweep: {exc}"
        return
    stop()
    upload = st.session_state.get("upload") if values["dataset"] == app_data.UPLOAD else None
    made = SweepRunner(session.pool(), data, config, st.session_state["explore_parameter"], swept, seeds,
                       {**values, "upload": upload["digest"] if upload else None})
    made.play()
    st.session_state["sweep"] = made


def _guarded_start() -> None:
    try:
        _start()
    except Exception as exc:  # noqa: BLE001 (the page must never show a traceback)
        st.session_state["explore_error"] = f"Cannot run this sweep: {type(exc).__name__}: {exc}"


def _parameter_changed() -> None:
    st.session_state["explore_values"] = DEFAULT_VALUES[st.session_state["explore_parameter"]]
    st.session_state.pop("explore_error", None)


def stop() -> None:
    """Reset: stop the sweep in its process; its rows so far stay on the page."""
    if current() is not None:
        current().stop()


def _resume() -> None:
    if current() is not None:
        current().play()


def panel() -> None:
    """The inputs, Run sweep, and the sweep's progress and result."""
    st.subheader("Explore a parameter")
    st.caption("One run per value and seed, every other setting as in the sidebar: each metric "
               "against the value, the mean over seeds with the lowest and highest.")
    left, middle, right = st.columns([2, 4, 1])
    left.selectbox("Parameter", PARAMETERS, key="explore_parameter", on_change=_parameter_changed)
    middle.text_input("Values, separated by commas", key="explore_values",
                      help="Numbers, or words for choices (e.g. never, 20, auto); at most 12.")
    # value= the current one, as controls' number inputs do: a new input showed its minimum first.
    right.number_input("Seeds", min_value=1, value=max(1, int(st.session_state["explore_seeds"])), step=1,
                       key="explore_seeds", help="Runs per value, each with its own seed (at most 5).")
    sweep = current()
    first, second, _ = st.columns([1, 1, 3])
    first.button("Run sweep", key="explore_run", on_click=_guarded_start, type="primary", width="stretch",
                 disabled=sweep is not None and sweep.status == PLAYING)
    if sweep is not None and sweep.status == PAUSED:
        second.button("Resume sweep", key="explore_resume", on_click=_resume, width="stretch")
    if st.session_state.get("explore_error"):
        st.error(st.session_state["explore_error"])
    _results()


def _results() -> None:
    sweep = current()
    status = None if sweep is None else sweep.status
    every = TICK_SECONDS if status == PLAYING else KEEPALIVE_SECONDS if status == PAUSED else None

    @st.fragment(run_every=every)
    def show():
        shown = current()
        if shown is None:
            return
        shown.drain()
        _progress(shown)
        if shown.rows:
            _result(shown, drawing=shown.status != PLAYING)
        if status == PLAYING and shown.status != PLAYING:
            st.rerun(scope="app")  # the sidebar's buttons and the chart follow the sweep's end

    show()


def _progress(sweep: SweepRunner) -> None:
    index, total, epoch, max_epochs = sweep.progress
    runs = f"{len(sweep.rows)} of {sweep.n_runs} runs"
    if sweep.status == PLAYING:
        index = min(index, total - 1)
        value, seed = sweep.values[index // len(sweep.seeds)], sweep.seeds[index % len(sweep.seeds)]
        text = (f"Waiting for a training slot (place {sweep.queued})" if sweep.queued else
                f"Run {index + 1} of {total}: {sweep.parameter} = {value}, seed {seed}, "
                f"epoch {epoch} of {max_epochs}")
    else:
        text = {"finished": f"Sweep of {sweep.parameter} finished: {runs}.",
                "paused": f"Paused after {runs}.",
                "stopped": f"Stopped (Reset) after {runs}.",
                "error": f"The sweep stopped after {runs}: {sweep.error}"}.get(sweep.status, runs)
    st.progress(sweep.fraction(), text=text)
    st.caption(NOTE.format(seeds=", ".join(map(str, sweep.seeds))))


def restore_row(sweep: SweepRunner, value, seed: int) -> None:
    """Put one run of the sweep back into the controls (a callback), for a full animated run."""
    values = {**sweep.controls, **control_values(sweep.parameter, value), "seed": seed}
    what = f"the run {sweep.parameter} = {value}, seed {seed}"
    runs_panel.restore(values, sweep.controls.get("upload"), what)


def _row_label(sweep: SweepRunner, table, index: int) -> str:
    row = table.iloc[index]
    scores = f", ARI {row['ari']:.3f}" if "ari" in table and row["ari"] == row["ari"] else ""
    return f"{sweep.parameter} = {row['value']}, seed {row['seed']} (inertia {row['inertia']:.4g}{scores})"


def _on_point(sweep: SweepRunner) -> None:
    """A click on a point of the chart: restore that value with the sweep's first seed."""
    points = st.session_state["explore_chart"]["selection"]["points"]
    if points:
        x = points[0]["x"]
        for value in sweep.values:
            if str(value) == str(x) or not isinstance(value, str | bool) and _close(value, x):
                restore_row(sweep, value, sweep.seeds[0])
                return


def _close(value, x) -> bool:
    try:
        return math.isclose(float(value), float(x), rel_tol=1e-9)
    except (TypeError, ValueError):
        return False


def _result(sweep: SweepRunner, drawing: bool) -> None:
    """The chart (once the sweep is not training: it is redrawn whole), the table and Restore."""
    table = sweep.table()
    if drawing:
        st.plotly_chart(sweep_figure(table), key="explore_chart", on_select=lambda: _on_point(sweep),
                        selection_mode="points", config={"displaylogo": False})
        st.caption("Click a point to restore that value (with the first seed) for a full run.")
    st.dataframe(table, hide_index=True, key="explore_table")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    index = left.selectbox("Sweep run to restore", range(len(table)), key="explore_restore_choice",
                           format_func=lambda i: _row_label(sweep, table, i))
    row = table.iloc[index] if index is not None and index < len(table) else None
    if row is not None:
        value = sweep.rows[index]["value"]  # as given: the table may hold it as another type
        right.button("Restore for a full run", key="explore_restore", width="stretch",
                     on_click=restore_row, args=(sweep, value, int(row["seed"])))
