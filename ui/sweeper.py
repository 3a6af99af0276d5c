"""SweepRunner: one sweep of the Explore panel, kept in st.session_state, trained by the pool."""

from __future__ import annotations

import threading
import time
import uuid
import weakref

from gankmeans.sweeps import sweep_table

from .pool import Pool
from .runner import ERROR, FINISHED, HEARTBEAT_S, IDLE, PAUSED, PLAYING

STOPPED = "stopped"  # Reset: the rows so far stay


class SweepRunner:
    """A sweep in a training process (ui.sweep_job): its rows so far, its progress, Play/Pause/Stop.

    Parameters
    ----------
    pool : ui.pool.Pool
    data : dict
        seed -> (X, y), each seed's data set.
    config : TrainConfig
        Every setting but the swept one and the seed.
    parameter : str
    values, seeds : list
        Checked already (gankmeans.sweeps.sweep_plan).
    controls : dict
        The controls the sweep was started from: a row's settings are these, its value and seed.
    """

    def __init__(self, pool: Pool, data: dict, config, parameter: str, values: list, seeds: list,
                 controls: dict):
        self.parameter, self.controls = parameter, controls
        self.values, self.seeds = list(values), list(seeds)
        self.rows: list[dict] = []
        self.status, self.error, self.queued = IDLE, None, 0
        self.progress = (0, len(self.values) * len(self.seeds), 0, config.max_epochs)  # see sweep_job
        self.id = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._told = time.monotonic()
        self._lane = pool.open(self.id)
        self._lane.send("sweep", data, config, parameter, self.values, self.seeds)
        weakref.finalize(self, self._lane.close)  # as Runner: the session's end ends the sweep

    @property
    def n_runs(self) -> int:
        return len(self.values) * len(self.seeds)

    @property
    def done(self) -> bool:
        return self.status in (FINISHED, ERROR, STOPPED)

    def fraction(self) -> float:
        """Share of the sweep's epochs trained, 0 to 1 (a run that converges early counts as whole)."""
        index, total, epoch, max_epochs = self.progress
        return 1.0 if self.status == FINISHED else min(1.0, (len(self.rows) + epoch / max_epochs) / total)

    def table(self):
        """The rows so far as gankmeans.sweep's table."""
        return sweep_table(self.rows)

    def play(self) -> None:
        if self.status in (IDLE, PAUSED):
            self.status = PLAYING
            self._lane.send("play")

    def pause(self) -> None:
        if self.status == PLAYING:
            self.status, self.queued = PAUSED, 0
            self._lane.send("pause")

    def stop(self) -> None:
        """Stop the sweep in its process (Reset); the rows received stay."""
        self.drain()
        if not self.done:
            self.status = STOPPED
        self._lane.close()

    def drain(self) -> None:
        """Take in what the process has sent; tell it the page is still there now and then."""
        with self._lock:
            message = self._lane.receive()
            while message is not None:
                self._take(message)
                message = self._lane.receive()
            if time.monotonic() - self._told > HEARTBEAT_S and not self._lane.closed:
                self._lane.send("took", 0)
                self._told = time.monotonic()

    def _take(self, message) -> None:
        kind = message[0]
        if kind == "row":
            self.rows.append(message[3])
            self.progress = (message[2] + 1, self.n_runs, 0, self.progress[3])
        elif kind == "progress":
            self.progress, self.queued = tuple(message[2:]), 0
        elif kind == "queued":
            self.queued = message[2]
        elif kind == "end" and self.status != STOPPED:
            self.status, self.error = message[2], message[3]
            self._lane.close()
