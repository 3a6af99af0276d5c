"""The run in st.session_state: make it, drive it from the buttons, discard it when settings change."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from . import controls, data, history
from . import pool as pools
from .feed import Feed
from .runner import Runner

RESET_NOTICE = "Settings changed, so the run was reset. Press Train to start again."


def runner() -> Runner | None:
    return st.session_state.get("runner")


def feed() -> Feed:
    """What this session's player has been sent (see ui.feed)."""
    return st.session_state.setdefault("feed", Feed())


def pool() -> pools.Pool:
    """The training processes: the server's own (ui.pool.shared), or a pool a test put here."""
    injected = st.session_state.get("pool")
    return injected if injected is not None else pools.shared()


def start_pool() -> str | None:
    """Start the server's training processes, in the background, on its first page; returns why
    they cannot start (bad settings in the environment), or None."""
    try:
        pool()
    except ValueError as exc:
        return str(exc)
    return None


def status() -> str:
    current = runner()
    return "idle" if current is None else current.status


def _new_runner() -> Runner | None:
    """A runner for the current controls, or None with the error kept to show."""
    values = controls.values()
    try:
        dataset = data.current(values)
        config = controls.to_config(values)
    except ValueError as exc:
        st.session_state["setup_error"] = str(exc)
        return None
    made = Runner(dataset.X, config, controls.speed(values), pool(), dataset.y)
    st.session_state["runner"] = made
    # What the Runs table needs of the run once it ends: the controls may have changed by then.
    st.session_state["run_origin"] = {"data": dataset, "values": values, "started": datetime.now()}
    st.session_state["runner_key"] = controls.run_key(values)
    return made


def _current_or_new() -> Runner | None:
    current = runner()
    if current is not None and current.done:
        discard()
    return runner() or _new_runner()


FIRST_FRAME_WAIT = 0.5  # seconds


def on_train() -> None:
    current = _current_or_new()
    if current is not None:
        current.play()
        # Let the rerun that follows this click already show an epoch: the starting centroids
        # (epoch 0) where the run has them, or else epoch 1 (typically ~20 ms away), instead of
        # waiting a fragment tick; this wait happens once, at the start.
        if current.start_rows is None:
            current.wait_for_frame(FIRST_FRAME_WAIT)


def sweep():
    """The Explore panel's sweep (ui.sweeper.SweepRunner), or None."""
    return st.session_state.get("sweep")


def buttons_status() -> str:
    """The status the Run buttons follow: "playing" while the run or a sweep trains (Pause stops both)."""
    return "playing" if sweep() is not None and sweep().status == "playing" else status()


def on_pause() -> None:
    if runner() is not None:
        runner().pause()
    if sweep() is not None:
        sweep().pause()


def on_reset() -> None:
    """Reset: discard the run, and stop a sweep (the rows it has made stay)."""
    discard()
    if sweep() is not None:
        sweep().stop()


def on_step() -> None:
    fresh = runner() is None or runner().done
    current = _current_or_new()
    # A new run's first Step is Step 0: its starting centroids, before any epoch.
    if current is not None and not (fresh and current.show_start()):
        current.step()


def on_speed() -> None:
    if runner() is not None:
        runner().speed = controls.speed(controls.values())


def discard(reason: str = "reset") -> None:
    """Stop the run in its process and forget it (Reset); the Runs table keeps it, if it trained.

    ``reason`` says how it ended in the table, if it had not ended by itself.
    """
    current = st.session_state.pop("runner", None)
    history.keep(current, st.session_state.pop("run_origin", None), reason)
    st.session_state.pop("runner_key", None)
    st.session_state.pop("exports", None)
    st.session_state.pop("rerun_due", None)
    st.session_state.pop("setup_error", None)
    if current is not None:
        current.stop()


def _guarded(action):
    """A button callback that reports an unexpected failure on the page instead of crashing it."""
    def run() -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 (the page must never show a traceback)
            st.session_state["setup_error"] = f"{type(exc).__name__}: {exc}"
    return run


_CALLBACKS = {"train": on_train, "pause": on_pause, "step": on_step, "reset": on_reset, "speed": on_speed}
ACTIONS = {name: _guarded(action) for name, action in _CALLBACKS.items()}


def sync() -> str | None:
    """Discard a run whose data or model controls have changed; returns a notice if so."""
    if runner() is None:
        if st.session_state.get("setup_key") != controls.run_key(controls.values()):
            st.session_state.pop("setup_error", None)  # an error is about settings now gone
        st.session_state["setup_key"] = controls.run_key(controls.values())
        return None
    if st.session_state.get("runner_key") != controls.run_key(controls.values()):
        discard("settings changed")
        return RESET_NOTICE
    if runner().done:  # finished, converged or stopped by an error: into the Runs table
        history.keep(runner(), st.session_state.get("run_origin"), "")
    return None
