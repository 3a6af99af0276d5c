"""The training pool: a few processes, started once per server, that train every session's runs.

One process per session cost ~0.5 GB each (torch and scikit-learn, imported) before anyone pressed
Train, and on 2 cores 30 processes only fight each other. So the server keeps a fixed number of
training processes (one per core by default), each training many runs in turn (ui.worker), and
gives each new run to the process with the fewest runs. A session talks to its run through a
Lane: commands go out through the process's pipe, and a thread of the server hands each of the
process's replies to the lane of its run.

Settings (environment variables; Streamlit drops options of its config file that it does not
define, with a warning, so they cannot live in .streamlit/config.toml):
- GANKMEANS_TRAINING_PROCESSES: processes per server (default: the cores this server may use);
- GANKMEANS_RUNS_PER_PROCESS: runs a process trains at once; more wait in line, and their pages
  show their place (default RUNS_PER_PROCESS);
- GANKMEANS_START_METHOD: "forkserver" (default where available) or "spawn".
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import sys
import threading
import types

from . import worker

RUNS_PER_PROCESS = 8
ENV_PROCESSES, ENV_RUNS, ENV_METHOD = ("GANKMEANS_TRAINING_PROCESSES", "GANKMEANS_RUNS_PER_PROCESS",
                                       "GANKMEANS_START_METHOD")
# What a forkserver imports once, before it forks each training process: the processes then start
# warm in milliseconds instead of importing for seconds each (torch._dynamo: imported by Adam's
# constructor on a process's first epoch).
PRELOAD = ["torch", "torch._dynamo", "gankmeans.training", "gankmeans.player", "ui.worker"]
DIED = "The training process stopped unexpectedly; press Reset."

_SPAWN_LOCK = threading.Lock()  # one __main__ swap at a time (TrainingProcess.start); holds no data


def _whole_number(environ, name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {raw!r}.")
    return int(raw)


def settings(environ=os.environ) -> tuple[int, int, str]:
    """(processes, runs per process, start method) from the environment, or their defaults.

    Raises
    ------
    ValueError
        For a value that is not a whole number >= 1, or an unknown or unavailable start method.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    methods = [name for name in ("forkserver", "spawn") if name in mp.get_all_start_methods()]
    method = environ.get(ENV_METHOD, "").strip() or methods[0]
    if method not in methods:
        raise ValueError(f"{ENV_METHOD} must be one of {methods} here, got {method!r}.")
    processes = _whole_number(environ, ENV_PROCESSES, cores)
    return processes, _whole_number(environ, ENV_RUNS, RUNS_PER_PROCESS), method


class Lane:
    """One run's line to its training process: its commands go out, the process's replies come in.

    Parameters
    ----------
    run : str
        The run's id.
    process : TrainingProcess
    """

    def __init__(self, run: str, process: TrainingProcess):
        self.run, self.process = run, process
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()  # filled by the process's reader thread
        self.closed = False

    def send(self, kind: str, *args) -> None:
        if not self.closed:
            self.process.send((kind, self.run, *args))

    def receive(self, timeout: float = 0.0):
        """The next reply for this run, waiting at most ``timeout`` seconds; None if none came."""
        try:
            return self.inbox.get(timeout=timeout) if timeout > 0 else self.inbox.get_nowait()
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop the run in the process (if it is still there) and stop taking its replies.

        Safe in a finalizer (Runner's, run by the garbage collector in whatever thread allocates):
        it takes no lock, only puts a message in a SimpleQueue, which is reentrant. The process's
        sending thread forgets the lane once the message has gone.
        """
        if not self.closed:
            self.closed = True
            self.process.send(("stop", self.run))


class TrainingProcess:
    """Handle on one training process: its pipe, a sending thread and a reading thread.

    Sends never block the caller (a page's script thread): they are queued, and go out once the
    process has started, in order. Replies go to the lane of their run; when the process dies,
    every lane is told so.
    """

    def __init__(self, context, trainer: str, limit: int, idle_release_s: float):
        self.conn, self._child = context.Pipe()
        self.process = context.Process(target=worker.serve, name="gankmeans-training", daemon=True,
                                       args=(self._child, trainer, limit, idle_release_s))
        self.ready = threading.Event()  # warm: it has imported everything and trained once
        self._outgoing: queue.SimpleQueue = queue.SimpleQueue()
        self._lanes: dict[str, Lane] = {}
        self._lock = threading.Lock()  # the lanes and `dead`; never taken by a finalizer
        self.dead = False

    @property
    def load(self) -> int:
        """Runs open on this process."""
        with self._lock:
            return sum(not lane.closed for lane in self._lanes.values())

    @property
    def alive(self) -> bool:
        return not self.dead and (self.process.pid is None or self.process.is_alive())

    def start(self) -> None:
        """Start the process (seconds on a cold forkserver; call it from a background thread)."""
        # Spawn and the forkserver re-import the main script in the child, and under Streamlit that
        # is app.py: hide it while the child starts, so that a training process imports only what
        # it needs. The swap is process-wide, so one start at a time. It cannot be airtight:
        # Streamlit installs app.py as __main__ again at the start of every script run, so app.py
        # keeps its body behind `if __name__ == "__main__"` and is harmless to import.
        try:
            with _SPAWN_LOCK:
                main = sys.modules["__main__"]
                sys.modules["__main__"] = types.ModuleType("__main__")
                try:
                    self.process.start()
                finally:
                    sys.modules["__main__"] = main
        except Exception:
            self._died()
            raise
        self._child.close()
        threading.Thread(target=self._send_all, name="gankmeans-pool-send", daemon=True).start()
        threading.Thread(target=self._read_all, name="gankmeans-pool-read", daemon=True).start()

    def send(self, message: tuple) -> None:
        self._outgoing.put(message)

    def open(self, run: str) -> Lane:
        lane = Lane(run, self)
        with self._lock:
            self._lanes[run] = lane
            if self.dead:
                lane.inbox.put(("end", run, "error", DIED))
        return lane

    def quit(self, timeout: float = 2.0) -> None:
        self.send(("quit", None))
        if self.process.pid is not None:
            self.process.join(timeout)
            if self.process.is_alive():
                self.process.terminate()

    def _send_all(self) -> None:
        while True:
            message = self._outgoing.get()
            try:
                self.conn.send(message)
            except (OSError, ValueError):  # the process is gone: _read_all tells the runs
                return
            if message[0] == "quit":
                return
            if message[0] == "stop":  # a closed lane (see Lane.close): its replies go nowhere now
                with self._lock:
                    self._lanes.pop(message[1], None)

    def _read_all(self) -> None:
        try:
            while True:
                message = self.conn.recv()
                if message[0] == "ready":
                    self.ready.set()
                    continue
                with self._lock:
                    lane = self._lanes.get(message[1])
                if lane is not None:  # else: a run its session has let go of
                    lane.inbox.put(message)
        except (EOFError, OSError):
            self._died()

    def _died(self) -> None:
        with self._lock:
            self.dead = True
            lanes = list(self._lanes.values())
        for lane in lanes:
            lane.inbox.put(("end", lane.run, "error", DIED))


class Pool:
    """A server's training processes, shared by all its sessions.

    Parameters
    ----------
    processes : int, optional
        How many; default: ``settings()``.
    runs_per_process : int, optional
        Runs a process trains at once; default: ``settings()``.
    trainer : str
        "module:function" the processes call as ``train(X, config)``; tests use stand-ins.
    idle_release_s : float
        A run whose session says nothing for this long is released (see ui.worker).
    method : str, optional
        Start method, "forkserver" or "spawn"; default: ``settings()``.
    """

    def __init__(self, processes: int | None = None, runs_per_process: int | None = None,
                 trainer: str = "gankmeans:train", idle_release_s: float = worker.IDLE_RELEASE_S,
                 method: str | None = None):
        default_processes, default_runs, default_method = settings()
        self.size = processes or default_processes
        self.runs_per_process = runs_per_process or default_runs
        self._context = mp.get_context(method or default_method)
        if self._context.get_start_method() == "forkserver":
            self._context.set_forkserver_preload(PRELOAD)  # also keeps app.py out of the forkserver
        self._make = lambda: TrainingProcess(self._context, trainer, self.runs_per_process, idle_release_s)
        self._processes = [self._make() for _ in range(self.size)]
        self._lock = threading.Lock()

    @property
    def processes(self) -> tuple[TrainingProcess, ...]:
        return tuple(self._processes)

    def start(self) -> Pool:
        """Start every process, one after another; returns once all have started (not warmed)."""
        for process in self.processes:
            with contextlib.suppress(Exception):  # a failed start reads as a dead process
                process.start()
        return self

    def start_in_background(self) -> Pool:
        """Start the processes from a thread of their own; runs opened meanwhile wait in line."""
        threading.Thread(target=self.start, name="gankmeans-pool-start", daemon=True).start()
        return self

    def open(self, run: str) -> Lane:
        """A lane for a new run, on the process with the fewest runs (a dead one is replaced)."""
        with self._lock:
            for index, process in enumerate(self._processes):
                if not process.alive:
                    self._processes[index] = self._make()
                    threading.Thread(target=self._processes[index].start, daemon=True).start()
            order = {process: index for index, process in enumerate(self._processes)}
            chosen = min(self._processes, key=lambda p: (p.load, not p.ready.is_set(), order[p]))
            return chosen.open(run)

    def close(self) -> None:
        """Stop every process."""
        for process in self.processes:
            process.quit()


_SHARED: Pool | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> Pool:
    """The server's pool: made and started in the background on first use, then the same one.

    Raises
    ------
    ValueError
        For bad settings in the environment (see ``settings``).
    """
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = Pool().start_in_background()
        return _SHARED
