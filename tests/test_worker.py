"""The per-session training process: safe to start from many sessions at once, and its death is
reported on the page instead of crashing it."""

from __future__ import annotations

import sys
import threading
import time
import types
import zlib
from multiprocessing.context import SpawnProcess
from pathlib import Path

import numpy as np
import pytest

from gankmeans import TrainConfig, player
from ui import worker as worker_module
from ui.runner import ERROR, Runner


class StartedError(Exception):
    pass


def test_concurrent_starts_never_leave_the_app_script_visible_to_a_child(monkeypatch):
    # Each session starts its process from its own thread, and the start hides the app script
    # (__main__) from the child by swapping it, process-wide. Overlapping swaps once restored the
    # script while another child started, and that child ran the whole app and died.
    seen = []

    def slow_start(process):
        time.sleep(0.05)  # a real start takes longer still
        seen.append(sys.modules["__main__"])
        raise StartedError

    monkeypatch.setattr("multiprocessing.context.SpawnProcess.start", slow_start)
    original = sys.modules["__main__"]

    def start():
        with pytest.raises(StartedError):
            worker_module.Worker()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6
    assert all(main is not original and not hasattr(main, "__file__") for main in seen)
    assert sys.modules["__main__"] is original


def test_a_worker_spawned_while_a_rerun_makes_app_py_the_main_script_still_trains(monkeypatch):
    # Streamlit installs app.py as __main__ at the start of every script run, in each session's
    # thread, so one can land between the worker's swap and the spawn: the child then re-imports
    # app.py. Seen in the 4-session load test: that child ran the whole app and died.
    app_script = types.ModuleType("__main__")
    app_script.__file__ = str(Path(__file__).resolve().parents[1] / "app.py")
    spawn = SpawnProcess.start

    def start_during_a_rerun(process):
        sys.modules["__main__"] = app_script
        spawn(process)

    monkeypatch.setattr(SpawnProcess, "start", start_during_a_rerun)
    process = worker_module.Worker()
    X = np.random.default_rng(0).normal(size=(60, 2))
    runner = Runner(X, TrainConfig(n_clusters=2, max_epochs=5, device="cpu"), None, process)
    runner.step()
    assert runner.status != ERROR, runner.error
    assert runner.n_frames == 1 and process.alive


def test_a_dead_training_process_ends_the_run_with_a_message():
    process = worker_module.Worker()
    X = np.random.default_rng(0).normal(size=(60, 2))
    runner = Runner(X, TrainConfig(n_clusters=2, max_epochs=50, device="cpu"), None, process)
    runner.step()
    assert runner.n_frames == 1
    process.process.kill()
    process.process.join()
    assert runner.status == ERROR and "stopped unexpectedly" in runner.error
    assert runner.latest.epoch == 1  # the frames received stay


def test_training_goes_on_while_the_server_reads_nothing():
    # The display drains the pipe once per tick, and the pipe holds only a few frames (each one
    # ~0.3 MB at 20,000 points). Training must not wait for it: the child sends from its own thread.
    process = worker_module.Worker()
    X = np.random.default_rng(0).normal(size=(20_000, 2))
    config = TrainConfig(n_clusters=4, max_epochs=1_000, tol=0.0, device="cpu")
    runner = Runner(X, config, None, process)
    runner.step()  # waits until the child has started, so the timing below is training alone
    runner.play()
    time.sleep(3.0)  # no property read here: every read drains the pipe
    runner.pause()  # its reply comes after every frame sent before it: all of them are in now
    received = runner.n_frames
    assert received >= 10, f"only {received} epochs in 3 s: training waited for the reader"


def test_unread_messages_wait_in_a_bounded_outbox():
    # Nobody reads (a closed tab keeps its session a while): training must then wait, not
    # keep every frame in memory.
    import multiprocessing

    reader, writer = multiprocessing.Pipe()
    outbox = worker_module._Outbox(writer, limit=5)
    sent = []

    def train_and_send():
        for epoch in range(100):
            outbox.send(("frame", "run", bytes(200_000)))  # more than the pipe's buffer holds
            sent.append(epoch)

    threading.Thread(target=train_and_send, daemon=True).start()
    time.sleep(1.0)
    assert 5 <= len(sent) <= 10  # the outbox's 5, the one on its way, and what the pipe took
    for _ in range(20):
        reader.recv()  # reading lets it go on
    time.sleep(0.5)
    assert len(sent) >= 25
    reader.close()


def test_frames_arrive_without_a_model_and_with_the_decision_grid_now_and_then():
    # The server never needs a model (nor torch): the training process makes the decision grids,
    # at most every GRID_INTERVAL_S, and always for a Step and for the run's last epoch.
    process = worker_module.Worker()
    X = np.random.default_rng(0).normal(size=(80, 2))
    runner = Runner(X, TrainConfig(n_clusters=3, max_epochs=40, tol=0, device="cpu"), None, process)
    runner.step()
    runner.play()
    deadline = time.monotonic() + 60
    while not runner.done and time.monotonic() < deadline:
        time.sleep(0.05)
    frames = runner.recent
    assert runner.status == "finished" and all(frame.model is None for frame, _ in frames)
    grids = [grid for _, grid in frames]
    assert len(set(grids)) < len(grids)  # not one per epoch
    z = np.frombuffer(zlib.decompress(grids[-1]), np.uint8).reshape(player.GRID_SIZE, player.GRID_SIZE)
    assert set(np.unique(z)) <= {0, 1, 2}
    first, _ = runner.replay_frames()[0]
    assert first.epoch == 1 and runner.replay_frames()[0][1] is not None  # the stepped epoch has one


def test_data_of_more_than_two_features_has_no_decision_grid():
    process = worker_module.Worker()
    X = np.random.default_rng(0).normal(size=(60, 3))
    runner = Runner(X, TrainConfig(n_clusters=2, max_epochs=3, device="cpu"), None, process)
    runner.step()
    assert runner.recent[0][1] is None


def test_reads_inside_frozen_show_one_epoch_while_training_goes_on():
    # One display tick reads the metrics, the progress and the charts in turn: they must agree.
    process = worker_module.Worker()
    X = np.random.default_rng(0).normal(size=(200, 2))
    config = TrainConfig(n_clusters=3, max_epochs=500, tol=0.0, device="cpu")
    runner = Runner(X, config, 50.0, process)
    runner.step()
    runner.play()
    with runner.frozen():
        epoch = runner.latest.epoch
        time.sleep(0.5)  # ~25 epochs arrive meanwhile
        assert runner.latest.epoch == epoch == runner.metrics[-1]["epoch"] == runner.n_frames
        assert runner.recent[-1][0].epoch == epoch
    assert runner.latest.epoch > epoch + 5  # taken in on the next read outside
    runner.pause()


def _spare_once_started(timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while worker_module._spare is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return worker_module._spare


def test_a_new_session_takes_the_spare_started_before_it_and_leaves_a_new_one(monkeypatch):
    monkeypatch.setattr(worker_module, "SPARE_DELAY_S", 0.0)
    worker_module.take_warm()
    spare = _spare_once_started()
    taken = worker_module.take_warm()
    assert taken is spare  # started one session earlier: warm by the time Train is pressed
    replacement = _spare_once_started()
    assert replacement is not taken and replacement.alive
    X = np.random.default_rng(0).normal(size=(60, 2))
    runner = Runner(X, TrainConfig(n_clusters=2, max_epochs=5, device="cpu"), None, taken)
    runner.step()
    assert runner.n_frames == 1


def test_a_dead_spare_is_never_handed_out(monkeypatch):
    monkeypatch.setattr(worker_module, "SPARE_DELAY_S", 0.0)
    worker_module.take_warm()
    dead = _spare_once_started()
    dead.process.kill()
    dead.process.join()
    taken = worker_module.take_warm()
    assert taken is not dead and taken.alive
