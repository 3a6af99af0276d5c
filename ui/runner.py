"""Runner: one training run, kept in st.session_state, trained by a process of the pool."""

from __future__ import annotations

import pickle
import threading
import time
import uuid
import weakref
from contextlib import contextmanager

from gankmeans import Frame, TrainConfig
from gankmeans.seeding import starting_rows

from .frames import FrameStore
from .pool import Pool

IDLE, PLAYING, PAUSED, FINISHED, ERROR = "idle", "playing", "paused", "finished", "error"
REPLY_TIMEOUT = 60.0  # seconds; on a cold server the pool may still be importing torch
# A run tells its process it is still wanted at least this often while its page reads it (every
# display tick, and every ui.view.KEEPALIVE_SECONDS while paused); see worker.IDLE_RELEASE_S.
HEARTBEAT_S = 10.0


class Runner:
    """One run: the frames received so far, its status, and Train / Pause / Step / Stop.

    Training never waits for the display: the process sends every epoch, each one is taken into
    a FrameStore (every epoch's metrics, bounded memory), and the viewer draws whichever is
    newest when it gets round to it. Taking frames gives the process credit for more (see
    worker.CREDIT), so a page that stops reading stops its run, not the others.

    Parameters
    ----------
    X : ndarray (n_samples, n_features)
    config : TrainConfig
    speed : float or None
        Most epochs per second while playing; None for as fast as training goes.
    pool : ui.pool.Pool
        The training processes; the run goes to one of them.
    y_true : array-like, optional
        True labels, for per-epoch ARI and NMI.
    """

    def __init__(self, X, config: TrainConfig, speed: float | None, pool: Pool, y_true=None):
        self.config = config
        self.error: str | None = None
        self._speed = speed
        self._status = IDLE
        self._store = FrameStore(y_true)
        self._queued = 0  # place in line for a training slot (0: not waiting)
        self.train_seconds = 0.0  # spent training the epochs received (not paused, not drawing)


        # Epoch 0: the rows the teacher starts on, drawn before the first epoch (the same ones the
        # process's train() starts from: seeding.starting_rows). None in learned mode.
        self.start_rows = _start_rows(X, config)
        self.id = uuid.uuid4().hex
        self._lock = threading.Lock()  # the lane and the frame list
        self._frozen = False  # inside frozen(): reads do not take in new frames
        self._taken, self._told = 0, time.monotonic()  # frames taken since, and when, we last said so
        self._lane = pool.open(self.id)
        self._lane.send("start", X, config, speed)
        # Streamlit has no hook for a session's end: it drops the session's state some time after
        # its page closed (server.disconnectedSessionTTL), and with it this Runner. Then the run
        # goes from its process too (if the process has not released it already).
        weakref.finalize(self, self._lane.close)

    # --- reading: each read first takes in what the process has sent ----------
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
    def queued(self) -> int:
        """The run's place in line for a training slot while the pool is saturated; 0 otherwise."""
        return self._queued if self.status == PLAYING else 0

    @property
    def speed(self) -> float | None:
        return self._speed

    @speed.setter
    def speed(self, value: float | None) -> None:
        self._speed = value
        self._send("speed", value)

    @contextmanager
    def frozen(self):
        """Take in what the process has sent, then hold it: every read inside shows the same epoch.

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
        """Start or resume training (it waits in line if every slot of its process is taken)."""
        if self.status in (IDLE, PAUSED):
            self._status = PLAYING
            self._send("play")

    def pause(self) -> None:
        """Stop after the epoch in progress (its frame is kept); the run can resume."""
        if self.status == PLAYING:
            self._status, self._queued = PAUSED, 0
            self._send("pause", wait=True)

    def show_start(self) -> bool:
        """Step 0: pause a new run on its starting centroids, training nothing; False where there
        are none to show (learned mode) or the run has begun."""
        if self.status != IDLE or self.start_rows is None:
            return False
        self._status = PAUSED
        return True

    def step(self) -> None:
        """Advance exactly one epoch and wait for it; ignored while playing or done."""
        if self.status in (IDLE, PAUSED):
            self._status = PAUSED
            self._send("step", wait=True)

    def stop(self) -> None:
        """Discard the run in its process (Reset); frames already received stay readable."""
        self._lane.close()

    def wait_for_frame(self, timeout: float) -> bool:
        """Block until the run has a frame, has ended or waits in line, at most ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        while self.n_frames == 0 and not self.done and not self.queued and time.perf_counter() < deadline:
            self._drain(wait=0.005)
        return self.n_frames > 0

    # --- the lane ----------------------------------------------------------------
    def _send(self, kind: str, *args, wait: bool = False) -> None:
        with self._lock:
            self._lane.send(kind, *args)
            if wait:
                self._receive_until_ack()

    def _receive_until_ack(self) -> None:
        deadline = time.perf_counter() + REPLY_TIMEOUT
        while time.perf_counter() < deadline:
            message = self._lane.receive(0.05)
            if message is not None and self._take(message) in ("ack", "end"):
                return None
        return self._end(ERROR, "The training process did not answer; press Reset.")

    def _drain(self, wait: float = 0.0) -> None:
        if self._frozen:
            return
        with self._lock:
            message = self._lane.receive(wait)
            while message is not None:
                self._take(message)
                message = self._lane.receive()
            now = time.monotonic()
            if self._taken or now - self._told > HEARTBEAT_S:
                self._lane.send("took", self._taken)  # credit for more frames, and "still here"
                self._taken, self._told = 0, now

    def _take(self, message) -> str:
        """Apply one message from the process; returns its kind."""
        kind = message[0]
        if kind == "frame":
            self._store.add(pickle.loads(message[2]), message[3])  # our own process's bytes
            self.train_seconds += message[4]
            self._taken += 1
            self._queued = 0
        elif kind == "queued":
            self._queued = message[2]
        elif kind == "end":
            self._end(*message[2:])
        return kind

    def _end(self, status: str, message: str | None = None) -> None:
        self._status, self.error = status, message
        self._lane.close()  # the process has let the run go already; the lane stops listening


def _start_rows(X, config: TrainConfig):
    try:
        return starting_rows(X, config)
    except ValueError:  # bad data: the process says why, as the run's error
        return None
