"""The session's Runs table: every run that ended or was discarded, each kept small, 50 at most."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import streamlit as st

from gankmeans import datasets, plotting

from .controls import DATA_KEYS, DEFAULTS, MODEL_KEYS
from .data import UPLOAD

MAX_RUNS = 50
# A 5,000-epoch run's curves are thinned to this many points: a chart a few hundred pixels wide
# shows no more, and 50 runs then hold at most ~4 MB of curves.
CURVE_POINTS = 1_000
CURVES = ("epoch", "agreement", "d_loss", "g_loss")
FINAL = ("inertia", "ari", "nmi", "agreement", "student_share")
COLUMNS = ("run", "when", "data", "points", "settings", "epochs", "ended", *FINAL, "wall_time_s")
# Settings that change nothing unless another control has a given value (as in gankmeans.sweeps).
ONLY_WITH = {"handover_epoch": ("handover", "at epoch"), "n_neighbors": ("teacher_space", "learned")}


@dataclass(frozen=True, eq=False)
class RunRecord:
    """One run as the Runs table and the side-by-side view need it, and nothing more.

    Attributes
    ----------
    number : int
        1 for the session's first run.
    run_id : str
        The Runner's id (a run is recorded once).
    started : datetime
    values : dict
        Every data and model control the run was made with: Restore puts them back.
    upload : str or None
        Digest of the uploaded file the run trained on (a link cannot carry it).
    data, n_points, epochs, ended, final, wall_time_s :
        The table's cells: data set name, its points, epochs run, how the run ended, the final
        metrics (``FINAL``; NaN where unknown) and the seconds spent training.
    points, labels, centroids : ndarray
        The drawn sample on the plotting axes, its final labels, and the centroids there.
    axes : tuple of str
        The plotting axes' titles.
    curves : dict of ndarray
        ``CURVES`` per epoch (thinned to ``CURVE_POINTS``), for the curves side by side.
    """

    number: int
    run_id: str
    started: datetime
    values: dict
    upload: str | None
    data: str
    n_points: int
    epochs: int
    ended: str
    final: dict
    wall_time_s: float
    points: np.ndarray
    labels: np.ndarray
    centroids: np.ndarray
    axes: tuple[str, str]
    curves: dict = field(default_factory=dict)

    @property
    def settings(self) -> str:
        """The settings that differ from the defaults, e.g. "lr_student=0.01, seed=3"."""
        changed = differing_settings(self.values)
        return ", ".join(f"{key}={_text(value)}" for key, value in changed.items()) or "defaults"

    def row(self) -> dict:
        """The run's row of the Runs table."""
        return {"run": self.number, "when": self.started.strftime("%H:%M:%S"), "data": self.data,
                "points": self.n_points, "settings": self.settings, "epochs": self.epochs,
                "ended": self.ended, **self.final, "wall_time_s": round(self.wall_time_s, 3)}

    def label(self) -> str:
        """How a selector names the run."""
        return f"Run {self.number}: {self.data}, {self.settings}"


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def differing_settings(values: dict) -> dict:
    """The controls of ``values`` that differ from ``ui.controls.DEFAULTS`` and matter here.

    The data set and its points have columns of their own; noise is left out for data it does
    not change, and the handover epoch and neighbours unless handover and the learned space use them.
    """
    shown = {}
    for key in DATA_KEYS + MODEL_KEYS:
        if key in ("dataset", "n_samples") or key not in values or values[key] == DEFAULTS[key]:
            continue
        if key == "noise" and values["dataset"] not in datasets.USES_NOISE:
            continue
        if key in ONLY_WITH and values.get(ONLY_WITH[key][0]) != ONLY_WITH[key][1]:
            continue
        shown[key] = values[key]
    return shown


def ending(status: str, converged: bool, error: str | None, reason: str) -> str:
    """How a run ended: "converged", "max epochs", "error: ...", or why it was discarded."""
    if status == "finished":
        return "converged" if converged else "max epochs"
    if status == "error":
        return f"error: {error}" if error else "error"
    return reason


def thin_curves(rows: list[dict], limit: int = CURVE_POINTS) -> dict:
    """The per-epoch ``CURVES`` of metrics rows as float32 arrays, at most ``limit`` points each."""
    keep = np.unique(np.linspace(0, len(rows) - 1, min(limit, len(rows))).round().astype(int)) if rows else []
    return {name: np.array([rows[i][name] for i in keep], dtype=np.float32) for name in CURVES}


def record(number: int, runner, data, values: dict, started: datetime, reason: str) -> RunRecord:
    """A RunRecord of a run with at least one frame.

    Parameters
    ----------
    number : int
        Its number in the session's table.
    runner : ui.runner.Runner
    data : ui.data.Data
        The data set it trained on.
    values : dict
        The controls it was made with.
    started : datetime
    reason : str
        What to write under "ended" when the run had not ended by itself (it was discarded).
    """
    frame, rows = runner.latest, runner.metrics
    final = {name: float(rows[-1].get(name, np.nan)) if rows else np.nan for name in FINAL}
    sample = data.sample
    upload = st.session_state.get("upload") if values["dataset"] == UPLOAD else None
    if frame is None:  # an error in the first epoch: nothing to draw
        labels, centroids, converged = np.empty(0, np.int16), np.empty((0, 2)), False
    else:
        labels, converged = frame.labels[sample].astype(np.int16), frame.converged
        centroids = plotting.centroids_2d(data.X2, frame)
    return RunRecord(
        number=number, run_id=runner.id, started=started, values=dict(values),
        upload=upload["digest"] if upload else None, data=data.info.get("file") or values["dataset"],
        n_points=len(data.X), epochs=len(rows), ended=ending(runner.status, converged, runner.error, reason),
        final=final, wall_time_s=runner.train_seconds, points=np.asarray(data.X2[sample], dtype=np.float32),
        labels=labels, centroids=centroids, axes=tuple(data.axes), curves=thin_curves(rows))


class History:
    """The session's runs, newest last; the oldest goes once there are more than ``limit``.

    Parameters
    ----------
    limit : int
        Most runs kept.
    """

    def __init__(self, limit: int = MAX_RUNS):
        self._runs: deque[RunRecord] = deque(maxlen=limit)
        self.count = 0  # runs ever recorded: the next one's number is count + 1

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self):
        return iter(self._runs)

    def holds(self, run_id: str) -> bool:
        return any(entry.run_id == run_id for entry in self._runs)

    def add(self, entry: RunRecord) -> None:
        self._runs.append(entry)
        self.count = max(self.count, entry.number)

    def get(self, number: int) -> RunRecord | None:
        return next((entry for entry in self._runs if entry.number == number), None)

    def table(self) -> pd.DataFrame:
        """One row per run (``COLUMNS``), oldest first."""
        return pd.DataFrame([entry.row() for entry in self._runs], columns=list(COLUMNS))

    def csv(self) -> str:
        return self.table().to_csv(index=False)


def runs() -> History:
    """This session's history."""
    return st.session_state.setdefault("history", History())


def keep(runner, origin: dict | None, reason: str) -> None:
    """Put ``runner`` in the table, once, if it trained at least one epoch or ended by itself.

    Parameters
    ----------
    runner : ui.runner.Runner or None
    origin : dict or None
        What the session kept when it made the run: "data", "values" and "started".
    reason : str
        How to describe the run's end if it had not ended by itself ("reset", ...).
    """
    history = runs()
    if runner is None or origin is None or history.holds(runner.id):
        return
    if runner.n_frames or runner.done:
        number = history.count + 1
        history.add(record(number, runner, origin["data"], origin["values"], origin["started"], reason))
