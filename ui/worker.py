"""The training process: one per browser session, so train() never shares the GIL with drawing.

Measured on 2 shared cores: with training in a thread of the server, drawing 10 frames/s halved
the epochs per second (GIL contention); in its own process training keeps ~85% of its headless
speed. A process takes ~3 s to start (importing torch), so a started spare is handed to a page
when it loads (take_warm), kept warm, and reused by every run of that session.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import multiprocessing as mp
import pickle
import queue
import sys
import threading
import time
import types
import weakref

# Messages, parent -> child: ("start", run, X, config, speed), ("play"|"pause"|"step"|"stop", run),
# ("speed", run, epochs_per_second or None), ("quit",).
# Child -> parent: ("frame", run, Frame bytes with model=None, deflated decision grid or None),
# ("end", run, status, message), ("ack", run).


_SPAWN_LOCK = threading.Lock()  # one __main__ swap at a time (Worker.__init__); holds no data


class Worker:
    """Handle on a warm training process; Runner objects talk to it through ``conn``.

    Parameters
    ----------
    trainer : str
        "module:function" that the child imports and calls as ``train(X, config)``; tests
        point it at a stand-in (a process does not see a parent's monkeypatching).
    """

    def __init__(self, trainer: str = "gankmeans:train"):
        context = mp.get_context("spawn")  # fork is unsafe in a threaded server
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, trainer), name="gankmeans-worker",
                                       daemon=True)
        # Spawn re-imports the main script in the child, and under Streamlit that is app.py: hide
        # it while the child starts, so that a worker imports only what it needs. The swap is
        # process-wide, so one start at a time. It cannot be airtight: Streamlit installs app.py
        # as __main__ again at the start of every script run, in every session's thread, so
        # app.py keeps its body behind `if __name__ == "__main__"` and is harmless to import.
        with _SPAWN_LOCK:
            main = sys.modules["__main__"]
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                self.process.start()
            finally:
                sys.modules["__main__"] = main
        child.close()
        weakref.finalize(self, _shut_down, self.conn, self.process)

    @property
    def alive(self) -> bool:
        return self.process.is_alive()


_SPARE_LOCK = threading.Lock()
_spare: Worker | None = None  # started before any session asks for it; see take_warm()
# A spare starts this long after a session took one, not with it: on 2 cores its start (importing
# torch takes a core for seconds) slowed the page that was loading and its first epochs (a first
# epoch after 4.4 s instead of 1.3-2.0 when two processes started together).
SPARE_DELAY_S = 5.0


def take_warm() -> Worker:
    """A training process for a new session; a spare is kept started for the session after it.

    A process needs seconds to import torch and warm up. Started only when a page opened, it was
    not ready when Train was pressed at once: 1.3-2.0 s to the first epoch on 2 cores, against
    0.2 s with a warm one.
    """
    global _spare
    with _SPARE_LOCK:
        taken, _spare = _spare, None
    if taken is None or not taken.alive:
        taken = Worker()
    timer = threading.Timer(SPARE_DELAY_S, _start_spare)
    timer.daemon = True  # a server that stops does not wait for it
    timer.start()
    return taken


def _start_spare() -> None:
    global _spare
    with _SPARE_LOCK:
        if _spare is None or not _spare.alive:
            _spare = Worker()


def _shut_down(conn, process) -> None:
    with contextlib.suppress(OSError, ValueError):  # the child may be gone already
        conn.send(("quit",))
    process.join(timeout=2)
    if process.is_alive():
        process.terminate()


# A decision grid costs 2-4 ms (9-10 in learned mode) on one core: every epoch, that would slow a
# 40-epochs/s run by a tenth. The player draws at most ~15 epochs a second and the regions move
# smoothly, so a grid is made at most this often, and for a run's last epoch and every Step.
GRID_INTERVAL_S = 0.15


class _Job:
    """The child's side of one run."""

    def __init__(self, train, run, X, config, speed):
        from gankmeans.player import plot_bounds

        self.run, self.speed, self.playing = run, speed, False
        self.frames = iter(train(X, config))
        self.max_epochs = config.max_epochs
        # Decision regions lie in the input space, so only 2-D data has them.
        self.bounds = plot_bounds(X) if X.shape[1] == 2 else None
        self.grid_at = -float("inf")

    def advance(self, outbox, stepping: bool = False) -> bool:
        """Train one epoch and send it; False (after an "end" message) when the run is over."""
        from gankmeans import DivergenceError

        try:
            frame = next(self.frames)
        except StopIteration:
            outbox.send(("end", self.run, "finished", None))
            return False
        except (ValueError, DivergenceError) as exc:
            outbox.send(("end", self.run, "error", str(exc)))
            return False
        last = frame.converged or frame.epoch >= self.max_epochs
        # Plain pickle bytes: the pipe's own pickler would hand each of the frame's tensors over
        # as shared memory, which costs ~1 ms a tensor to receive (measured), on the server. The
        # server needs no model (and so no torch): the decision grid is made here.
        grid = self._grid(frame, stepping or last)
        outbox.send(("frame", self.run, _dumps(dataclasses.replace(frame, model=None)), grid))
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


def _dumps(value) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def one_torch_thread() -> None:
    """One intra-op thread per process: every session has its own training process, and the
    browser and the server share the same few cores with them; torch's default pool (a thread
    per core in every process) oversubscribes them (measured: 20-40x slower epochs on 2 busy cores).
    """
    import torch

    torch.set_num_threads(1)


def _warm_up() -> None:
    # The first epoch in a process pays ~1 s of one-off set-up; pay it before anyone waits.
    import numpy as np

    from gankmeans import TrainConfig, train

    one_torch_thread()
    points = np.random.default_rng(0).normal(size=(8, 2))
    next(iter(train(points, TrainConfig(n_clusters=2, max_epochs=1, device="cpu"))))


# Messages waiting to be sent, at most: enough slack for several display ticks, and a bound on
# memory when nobody reads (a closed tab keeps its session for a while): 64 frames of 50,000
# points are ~42 MB.
OUTBOX_LIMIT = 64


class _Outbox:
    """Sends the child's messages, in order, from a thread of their own.

    ``conn.send`` blocks while the pipe's buffer is full, and it holds only a few frames (~33 kB
    each at 2,000 points): sending from the training loop would pace training by how often the
    server drains the pipe, once per display tick (measured: 29 epochs/s in the app against 40
    headless, with no chart drawn at all).
    """

    def __init__(self, conn, limit: int = OUTBOX_LIMIT):
        self._queue = queue.Queue(maxsize=limit)  # full: training waits, as memory must not grow
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


def serve(conn, trainer: str) -> None:
    """Child entry point: obey commands; while playing, train and send every frame."""
    _warm_up()
    module, name = trainer.split(":")
    train = getattr(importlib.import_module(module), name)
    outbox = _Outbox(conn)
    job = None
    while True:
        if job is not None and job.playing and not conn.poll():
            started = time.perf_counter()
            if not job.advance(outbox):
                job = None
            elif job.speed:  # pacing lives here, never in train(); a command cuts it short
                conn.poll(max(0.0, 1.0 / job.speed - (time.perf_counter() - started)))
            continue
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "quit":
            return
        job = _handle(outbox, job, message, train)


def _handle(outbox, job, message, train):
    kind, run = message[0], message[1]
    if kind == "start":
        return _Job(train, run, *message[2:])
    if job is None or job.run != run:
        outbox.send(("ack", run))  # a command for a finished or discarded run
        return job
    if kind in ("play", "pause"):
        job.playing = kind == "play"
    elif kind == "speed":
        job.speed = message[2]
    elif kind == "step" and not job.advance(outbox, stepping=True) or kind == "stop":
        job = None
    if kind != "play":
        outbox.send(("ack", run))
    return job
