"""Runner: one training run, kept in st.session_state, trained by the session's worker process."""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from contextlib import contextmanager

from gankmeans import Frame, TrainConfig

from .frames import FrameStore
from .worker import Worker

IDLE, PLAYING, PAUSED, FINISHED, ERROR = "idle", "playing", "paused", "finished", "error"
REPLY_TIMEOUT = 60.0  # seconds; a fresh worker may still be importing torch


class Runner:
    """One run: the frames received so far, its status, and Train / Pause / Step / Stop.

    Training never waits for the display: the worker sends every epoch, each one is taken into
    a FrameStore (every epoch's metrics, bounded memory), and the viewer draws whichever is
    newest when it gets round to it.

    Parameters
    ----------
    X : ndarray (n_samples, n_features)
    config : TrainConfig
    speed : float or None
        Most epochs per second while playing; None for as fast as training goes.
    worker : Worker
        The session's training process (reused from run to run).
    y_true : array-like, optional
        True labels, for per-epoch ARI and NMI.
    """

    def __init__(self, X, config: TrainConfig, speed: float | None, worker: Worker, y_true=None):
        self.config = config
        self.error: str | None = None
        self._speed = speed
        self._status = IDLE
        self._store = FrameStore(y_true)
        self._worker = worker
        self.id = uuid.uuid4().hex  # tells this run's messages from a discarded run's
        self._lock = threading.Lock()  # the pipe and the frame list
        self._frozen = False  # inside frozen(): reads do not take in new frames
        with self._lock:
            worker.conn.send(("start", self.id, X, config, speed))

    # --- reading: each read first takes in what the worker has sent -----------
    @property
    def latest(self) -> Frame | None:
        self._drain()
        return self._store.latest

    @property
    def recent(self) -> list[tuple[Frame, bytes | None]]:
        """The last frames received, whole, each with its decision grid (frames.RECENT of them)."""
        self._drain()
        return list(self._store.recent)

    @property
    def metrics(self) -> list[dict]:
        """One row per epoch: Frame.metrics(), plus ARI and NMI when true labels were given."""
        self._drain()
        return list(self._store.metrics)

    @property
    def n_frames(self) -> int:
        self._drain()
        return len(self._store)

    def replay_frames(self) -> list[tuple[Frame, bytes | None]]:
        """The first, latest and evenly spread frames in between (thinned), with their grids."""
        self._drain()
        return self._store.replay()

    @property
    def status(self) -> str:
        self._drain()
        return self._status

    @property
    def done(self) -> bool:
        return self.status in (FINISHED, ERROR)

    @property
    def speed(self) -> float | None:
        return self._speed

    @speed.setter
    def speed(self, value: float | None) -> None:
        self._speed = value
        self._send("speed", value)

    @contextmanager
    def frozen(self):
        """Take in what the worker has sent, then hold it: every read inside shows the same epoch.

        One display tick reads the metrics, the progress and the charts one after another; each
        read used to take in new frames, so the Epoch metric could disagree with the chart below it.
        """
        self._drain()
        self._frozen = True
        try:
            yield self
        finally:
            self._frozen = False

    # --- control ---------------------------------------------------------------
    def play(self) -> None:
        """Start or resume training in the worker."""
        if self.status in (IDLE, PAUSED):
            self._status = PLAYING
            self._send("play")

    def pause(self) -> None:
        """Stop after the epoch in progress (its frame is kept); the run can resume."""
        if self.status == PLAYING:
            self._status = PAUSED
            self._send("pause", wait=True)

    def step(self) -> None:
        """Advance exactly one epoch and wait for it; ignored while playing or done."""
        if self.status in (IDLE, PAUSED):
            self._status = PAUSED
            self._send("step", wait=True)

    def stop(self) -> None:
        """Discard the run in the worker (Reset); frames already received stay readable."""
        if self._worker.alive and not self.done:
            self._send("stop")

    def wait_for_frame(self, timeout: float) -> bool:
        """Block until the run has a frame (or has ended), at most ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        while self.n_frames == 0 and not self.done and time.perf_counter() < deadline:
            self._drain(wait=0.005)
        return self.n_frames > 0

    # --- the pipe ----------------------------------------------------------------
    def _send(self, kind: str, *args, wait: bool = False) -> None:
        with self._lock:
            self._worker.conn.send((kind, self.id, *args))
            if wait:
                self._receive_until_ack()

    def _receive_until_ack(self) -> None:
        deadline = time.perf_counter() + REPLY_TIMEOUT
        while time.perf_counter() < deadline:
            if not self._worker.alive:
                return self._end(ERROR, "The training process stopped unexpectedly; press Reset.")
            if self._worker.conn.poll(0.05) and self._take(self._worker.conn.recv()) == "ack":
                return None
        return self._end(ERROR, "The training process did not answer; press Reset.")

    def _drain(self, wait: float = 0.0) -> None:
        if self._frozen:
            return
        with self._lock:
            try:
                while self._worker.conn.poll(wait):
                    self._take(self._worker.conn.recv())
                    wait = 0.0
            except (EOFError, OSError):  # the process is gone: say so, keep the frames
                if self._status not in (FINISHED, ERROR):
                    self._end(ERROR, "The training process stopped unexpectedly; press Reset.")

    def _take(self, message) -> str | None:
        """Apply one message from the worker; returns its kind if it is for this run."""
        kind, run = message[0], message[1]
        if run != self.id:
            return None  # left over from a discarded run
        if kind == "frame":
            self._store.add(pickle.loads(message[2]), message[3])  # our own worker's bytes
        elif kind == "end":
            self._end(*message[2:])
        return kind

    def _end(self, status: str, message: str | None = None) -> None:
        self._status, self.error = status, message
