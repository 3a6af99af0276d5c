"""A training process of the pool: it trains several sessions' runs, an epoch each in turn.

Training runs outside the server, so that train() never shares the server's GIL with drawing
(measured on 2 shared cores: in a thread of the server, drawing 10 frames/s halved the epochs per
second; in its own process training keeps ~85% of its headless speed). A process per session cost
~0.5 GB each (torch and scikit-learn, imported), so a few processes serve every session instead
(ui.pool): train() is a generator, and each process advances its playing runs one epoch at a time,
round robin, so that runs of the same size train at the same rate.
"""

from __future__ import annotations

import dataclasses
import importlib
import pickle
import queue
import threading
import time
from collections import deque

from .sweep_job import SweepJob

# Messages, server -> process: ("start", run, X, config, speed), ("sweep", run, data, config,
# parameter, values, seeds) (see ui.sweep_job), ("play"|"pause"|"step"|"stop", run),
# ("speed", run, epochs_per_second or None), ("took", run, frames taken), ("quit", None).
# Process -> server: ("ready", None) once warm, ("frame", run, Frame bytes with model=None, deflated
# decision grid or None, seconds the epoch took to train), ("queued", run, place in line, 0 once it
# trains), ("end", run, status, message), ("ack", run) after "pause" and "step".

# Frames of one run sent and not yet taken by its session, at most. Training never waits for the
# display while the display keeps up (it takes ~10 epochs per tick at full speed), and a run whose
# page stopped reading (a closed tab) stops, instead of filling memory: 64 frames of 50,000 points
# are ~42 MB.
CREDIT = 64
# A run whose session has said nothing for this long is released: its page is gone (an open page
# checks in every ui.view.KEEPALIVE_SECONDS, even while paused).
IDLE_RELEASE_S = 300.0
RELEASED = ("This run was released: its page had not been in touch with the server for {:.0f} "
            "minutes. Press Train to start it again.")
# How often an idle process looks for runs to release.
IDLE_CHECK_S = 1.0
# A decision grid costs 2-4 ms (9-10 in learned mode) on one core: every epoch, that would slow a
# 40-epochs/s run by a tenth. The player draws at most ~15 epochs a second and the regions move
# smoothly, so a grid is made at most this often, and for a run's last epoch and every Step.
GRID_INTERVAL_S = 0.15


class Job:
    """The process's side of one run: its frames, its pace, and its session's last word.

    Parameters
    ----------
    train : callable
        ``train(X, config)``, a generator of frames.
    run : str
        The run's id.
    X, config
        The run's data and TrainConfig.
    speed : float or None
        Most epochs per second; None for as fast as the process goes.
    """

    def __init__(self, train, run, X, config, speed):
        from gankmeans.player import plot_bounds

        self.run, self.speed = run, speed
        self.frames = iter(train(X, config))
        self.max_epochs = config.max_epochs
        # Decision regions lie in the input space, so only 2-D data has them.
        self.bounds = plot_bounds(X) if X.shape[1] == 2 else None
        self.grid_at = -float("inf")
        self.unread = 0  # frames sent that the session has not taken yet
        self.started = 0.0  # the last epoch's start; the next may start at `due`
        # The page shows the starting centroids (epoch 0) first: epoch 1 comes an epoch's time later.
        self.due = time.monotonic() + 1.0 / speed if speed else 0.0
        self.contact = time.monotonic()
        self.place = 0  # the place in line last told to the session (0: training)

    def ready(self, now: float) -> bool:
        return self.unread < CREDIT and now >= self.due

    def set_speed(self, speed: float | None) -> None:
        self.speed = speed
        self.due = self.started + 1.0 / speed if speed else 0.0

    def advance(self, outbox, stepping: bool = False) -> bool:
        """Train one epoch and send it; False (after an "end" message) when the run is over."""
        self.started = time.monotonic()
        try:
            frame = next(self.frames)
            seconds = time.monotonic() - self.started  # training only: the run's wall time in the history
        except StopIteration:
            outbox.send(("end", self.run, "finished", None))
            return False
        except Exception as exc:  # noqa: BLE001 (one run's failure must not stop the others' process)
            outbox.send(("end", self.run, "error", failure(exc)))
            return False
        # Pacing lives here, never in train().
        self.due = self.started + 1.0 / self.speed if self.speed else 0.0
        last = frame.converged or frame.epoch >= self.max_epochs
        # Plain pickle bytes: the pipe's own pickler would hand each of the frame's tensors over
        # as shared memory, which costs ~1 ms a tensor to receive (measured), on the server. The
        # server needs no model (and so no torch): the decision grid is made here.
        grid = self._grid(frame, stepping or last)
        outbox.send(("frame", self.run, _dumps(dataclasses.replace(frame, model=None)), grid, seconds))
        self.unread += 1
        if last:
            outbox.send(("end", self.run, "finished", None))
            return False
        return True

    def _grid(self, frame, always: bool) -> bytes | None:
        from gankmeans.player import compress_grid, decision_grid

        now = time.perf_counter()
        if self.bounds is None or not (always or now - self.grid_at >= GRID_INTERVAL_S):
            return None
        self.grid_at = now
        return compress_grid(decision_grid(frame.model, self.bounds))


def failure(exc: Exception) -> str:
    """What to tell a page whose run stopped with ``exc``: bad data and divergence explain
    themselves; anything else is named, as it is unexpected."""
    from gankmeans import DivergenceError

    if isinstance(exc, (ValueError, DivergenceError)):
        return str(exc)
    return f"Training failed unexpectedly ({type(exc).__name__}: {exc}); press Reset."


def _dumps(value) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


class Schedule:
    """The runs of one process: which of them train, in what order, and which wait in line.

    At most ``limit`` playing runs share the process, an epoch each in turn (round robin, so runs
    of one size train at one rate); more wait in order of arrival and are told their place.

    Parameters
    ----------
    limit : int
        Most runs trained at once.
    outbox : _Outbox
        Where messages for the server go.
    """

    def __init__(self, limit: int, outbox):
        self.limit, self.outbox = limit, outbox
        self.jobs: dict[str, Job] = {}
        self.turns: deque[str] = deque()  # playing, with a slot: the first ready one trains next
        self.line: deque[str] = deque()  # playing, waiting for a slot

    def play(self, run: str) -> None:
        if run not in self.turns and run not in self.line:
            (self.turns if len(self.turns) < self.limit else self.line).append(run)
            self._tell_places()

    def hold(self, run: str) -> None:
        """Take the run out of the turns (paused, ended or gone); the next in line gets its slot."""
        for group in (self.turns, self.line):
            if run in group:
                group.remove(run)
        if run in self.jobs:
            self.jobs[run].place = 0  # its session forgets the place too (Runner.pause)
        while self.line and len(self.turns) < self.limit:
            self.turns.append(self.line.popleft())
        self._tell_places()

    def remove(self, run: str) -> None:
        self.hold(run)
        self.jobs.pop(run, None)

    def next_job(self, now: float) -> Job | None:
        """The first ready run in turn, moved to the back of the turns; None if none is ready."""
        for index, run in enumerate(self.turns):
            if self.jobs[run].ready(now):
                del self.turns[index]
                self.turns.append(run)
                return self.jobs[run]
        return None

    def wait(self, now: float) -> float:
        """Seconds until a run may train (0: now), or until the next look for idle runs."""
        dues = [self.jobs[run].due for run in self.turns if self.jobs[run].unread < CREDIT]
        return min([max(0.0, due - now) for due in dues] + [IDLE_CHECK_S])

    def release_idle(self, now: float, after: float) -> None:
        for job in [job for job in self.jobs.values() if now - job.contact > after]:
            self.outbox.send(("end", job.run, "error", RELEASED.format(after / 60)))
            self.remove(job.run)

    def _tell_places(self) -> None:
        places = {run: 0 for run in self.turns} | {run: i + 1 for i, run in enumerate(self.line)}
        for run, place in places.items():
            job = self.jobs[run]
            if job.place != place:
                job.place = place
                self.outbox.send(("queued", run, place))


def handle(schedule: Schedule, message: tuple, train) -> None:
    """Apply one command from the server to the schedule."""
    kind, run = message[0], message[1]
    if kind in ("start", "sweep"):
        try:
            made = Job(train, run, *message[2:]) if kind == "start" else SweepJob(run, *message[2:])
            schedule.jobs[run] = made
        except Exception as exc:  # noqa: BLE001 (as in Job.advance)
            schedule.outbox.send(("end", run, "error", failure(exc)))
        return
    job = schedule.jobs.get(run)
    if job is not None:
        job.contact = time.monotonic()
        if kind == "took":
            job.unread -= message[2]
        elif kind == "play":
            schedule.play(run)
        elif kind == "pause":
            schedule.hold(run)
        elif kind == "speed":
            job.set_speed(message[2])
        elif kind == "step" and not job.advance(schedule.outbox, stepping=True) or kind == "stop":
            schedule.remove(run)
    if kind in ("pause", "step"):  # the session waits for these (also for a run already gone)
        schedule.outbox.send(("ack", run))


def one_torch_thread() -> None:
    """One intra-op thread per process: the pool has about one process per core, and the server
    and browsers share the cores with them; torch's default pool (a thread per core in every
    process) oversubscribes them (measured: 20-40x slower epochs on 2 busy cores). It is also
    what makes an app run equal a headless one: another thread count sums in another order.
    """
    import torch

    torch.set_num_threads(1)


def _warm_up() -> None:
    # A process's first epoch pays for one-off set-up (Adam's constructor imports torch._dynamo:
    # 1-3 s); pay it before anyone waits. With the forkserver's preloaded modules it is ~20 ms.
    import numpy as np

    from gankmeans import TrainConfig, train

    one_torch_thread()
    points = np.random.default_rng(0).normal(size=(8, 2))
    next(iter(train(points, TrainConfig(n_clusters=2, max_epochs=1, device="cpu"))))


class _Outbox:
    """Sends the process's messages, in order, from a thread of their own.

    ``conn.send`` blocks while the pipe's buffer is full, and it holds only a few frames (~33 kB
    each at 2,000 points): sending from the training loop would pace training by how often the
    server reads. Its size is bounded by the runs' credit (CREDIT frames each).
    """

    def __init__(self, conn):
        self._queue = queue.SimpleQueue()
        threading.Thread(target=self._send_all, args=(conn,), daemon=True).start()

    def send(self, message) -> None:
        self._queue.put(message)

    def _send_all(self, conn) -> None:
        gone = False
        while True:
            message = self._queue.get()
            if gone:
                continue  # keep emptying the queue, so that the training loop never waits for it
            try:
                conn.send(message)
            except (OSError, ValueError):  # the server is gone; the main loop will see EOF and stop
                gone = True


def serve(conn, trainer: str, limit: int, idle_release_s: float = IDLE_RELEASE_S) -> None:
    """Process entry point: obey the server's commands; between them, train the runs in turn.

    Parameters
    ----------
    conn : multiprocessing.connection.Connection
        The pipe to the server.
    trainer : str
        "module:function" called as ``train(X, config)``; tests point it at a stand-in.
    limit : int
        Most runs trained at once (see Schedule).
    idle_release_s : float
        Seconds without a word from a run's session before the run is released.
    """
    _warm_up()
    module, name = trainer.split(":")
    train = getattr(importlib.import_module(module), name)
    outbox = _Outbox(conn)
    outbox.send(("ready", None))
    schedule = Schedule(limit, outbox)
    while True:
        if conn.poll(schedule.wait(time.monotonic())):  # commands first: Pause acts at once
            try:
                message = conn.recv()
            except EOFError:
                return
            if message[0] == "quit":
                return
            handle(schedule, message, train)
            continue
        job = schedule.next_job(time.monotonic())
        if job is not None and not job.advance(outbox):
            schedule.remove(job.run)
        schedule.release_idle(time.monotonic(), idle_release_s)
