"""The training pool with real processes: runs of many sessions share a few processes and still
equal headless train(), each obeys its own buttons, a saturated pool keeps a line, runs are
released when their session goes, and a dead process is reported and replaced."""

from __future__ import annotations

import gc
import sys
import threading
import time
import types
import zlib
from multiprocessing.process import BaseProcess
from pathlib import Path

import numpy as np
import pytest

from gankmeans import TrainConfig, player, train
from ui import pool as pools
from ui import worker
from ui.runner import ERROR, FINISHED, Runner

X = np.random.default_rng(0).normal(size=(200, 2))


def config(epochs=30, seed=0, **changes):
    return TrainConfig(n_clusters=3, max_epochs=epochs, tol=0.0, random_state=seed, device="cpu", **changes)


@pytest.fixture(scope="module")
def pool():
    """One process, as the AppTest tests use; several runs share it."""
    started = pools.Pool(processes=1, runs_per_process=8).start()
    yield started
    started.close()


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


class StartedError(Exception):
    pass


def test_concurrent_starts_never_leave_the_app_script_visible_to_a_child(monkeypatch):
    # A start hides the app script (__main__) from the child by swapping it, process-wide.
    # Overlapping swaps once restored the script while another child started, and that child ran
    # the whole app and died.
    seen = []

    def slow_start(process):
        time.sleep(0.05)  # a real start takes longer still
        seen.append(sys.modules["__main__"])
        raise StartedError

    monkeypatch.setattr(BaseProcess, "start", slow_start)
    original = sys.modules["__main__"]
    handles = pools.Pool(processes=6, method="spawn").processes

    def start(handle):
        with pytest.raises(StartedError):
            handle.start()

    threads = [threading.Thread(target=start, args=(handle,)) for handle in handles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6
    assert all(main is not original and not hasattr(main, "__file__") for main in seen)
    assert sys.modules["__main__"] is original
    assert not any(handle.alive for handle in handles)  # a failed start reads as a dead process


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_process_started_while_a_rerun_makes_app_py_the_main_script_still_trains(monkeypatch, method):
    # Streamlit installs app.py as __main__ at the start of every script run, in each session's
    # thread, so one can land between the swap and the start: the child then re-imports app.py.
    # Seen in the 4-session load test: that child ran the whole app and died.
    app_script = types.ModuleType("__main__")
    app_script.__file__ = str(Path(__file__).resolve().parents[1] / "app.py")
    start = BaseProcess.start

    def start_during_a_rerun(process):
        sys.modules["__main__"] = app_script
        start(process)

    monkeypatch.setattr(BaseProcess, "start", start_during_a_rerun)
    started = pools.Pool(processes=1, method=method).start()
    monkeypatch.undo()
    try:
        runner = Runner(X, config(), None, started)
        runner.step()
        assert runner.status != ERROR, runner.error
        assert runner.n_frames == 1 and started.processes[0].alive
    finally:
        started.close()


def test_runs_of_many_sessions_share_a_process_and_each_equals_headless_train(pool):
    configs = [config(seed=seed) for seed in (1, 2, 3)]
    runners = [Runner(X, each, None, pool) for each in configs]
    for runner in runners:
        runner.play()
    counts = []
    while not all(runner.done for runner in runners):
        counts.append([runner.n_frames for runner in runners])
        time.sleep(0.01)
    for runner, each in zip(runners, configs, strict=True):
        expected = list(train(X, each))
        assert runner.status == FINISHED and runner.n_frames == len(expected)
        assert [row["inertia"] for row in runner.metrics] == [frame.inertia for frame in expected]
        assert np.array_equal(runner.latest.labels, expected[-1].labels)
    # They took turns: at no moment had one run more than a couple of epochs over another.
    assert max(max(row) - min(row) for row in counts) <= 2


def test_pause_and_speed_act_on_their_own_run_only(pool):
    first, second = Runner(X, config(epochs=400), None, pool), Runner(X, config(epochs=400), 20.0, pool)
    first.step()
    first.play()
    second.play()
    assert wait_until(lambda: first.n_frames > 5)
    first.pause()
    paused_at, before = first.n_frames, second.n_frames
    time.sleep(0.6)
    assert first.n_frames == paused_at and first.status == "paused"
    assert 6 <= second.n_frames - before <= 14  # 20 epochs a second, undisturbed
    second.speed = None
    time.sleep(0.5)
    fast = second.n_frames
    time.sleep(0.5)
    assert second.n_frames - fast > 10
    second.stop()
    first.step()
    assert first.n_frames == paused_at + 1


def test_a_saturated_pool_keeps_a_line_and_the_page_learns_its_place():
    small = pools.Pool(processes=1, runs_per_process=1).start()
    try:
        ahead, waiting = Runner(X, config(epochs=400), 10.0, small), Runner(X, config(), None, small)
        ahead.play()
        assert wait_until(lambda: ahead.n_frames > 0)
        waiting.play()
        assert wait_until(lambda: waiting.queued == 1)
        time.sleep(0.3)
        assert waiting.n_frames == 0 and waiting.status == "playing"
        ahead.pause()  # its slot goes to the first in line
        assert wait_until(lambda: waiting.done)
        assert waiting.queued == 0 and waiting.n_frames == 30
    finally:
        small.close()


def test_a_run_whose_session_is_dropped_is_released_in_its_process():
    # Streamlit drops a closed page's session state some time after; the Runner goes with it.
    small = pools.Pool(processes=1, runs_per_process=1).start()
    try:
        ahead, waiting = Runner(X, config(epochs=400), 10.0, small), Runner(X, config(), None, small)
        ahead.play()
        waiting.play()
        assert wait_until(lambda: waiting.queued == 1)
        del ahead
        gc.collect()
        assert wait_until(lambda: waiting.done)  # the dropped run's slot came free
        assert small.processes[0].load == 0
    finally:
        small.close()


def test_a_run_whose_page_went_quiet_is_released_and_says_so():
    quick = pools.Pool(processes=1, idle_release_s=1.0).start()
    try:
        runner = Runner(X, config(), None, quick)
        runner.step()
        time.sleep(2.5)  # nothing read, nothing sent
        assert runner.status == ERROR and "released" in runner.error
        assert runner.n_frames == 1  # what was received stays
    finally:
        quick.close()


def test_a_dead_process_ends_its_runs_with_a_message_and_is_replaced():
    small = pools.Pool(processes=1).start()
    try:
        runners = [Runner(X, config(epochs=50), None, small) for _ in range(2)]
        for runner in runners:
            runner.step()
        dying = small.processes[0]
        dying.process.kill()
        dying.process.join()
        assert wait_until(lambda: all(runner.status == ERROR for runner in runners))
        assert all("stopped unexpectedly" in runner.error and runner.latest.epoch == 1 for runner in runners)
        fresh = Runner(X, config(), None, small)
        fresh.step()
        assert fresh.n_frames == 1 and small.processes[0] is not dying
    finally:
        small.close()


def test_new_runs_go_to_the_process_with_the_fewest():
    two = pools.Pool(processes=2).start()
    try:
        runners = [Runner(X, config(), None, two) for _ in range(4)]
        assert [process.load for process in two.processes] == [2, 2]
        runners[0].stop()  # Reset; the first and the third went to the first process
        runners[2].stop()
        assert [process.load for process in two.processes] == [0, 2]
        runners.append(Runner(X, config(), None, two))
        assert [process.load for process in two.processes] == [1, 2]
    finally:
        two.close()


def test_a_run_opened_before_its_process_started_waits_for_it():
    # On a cold server the first page's Train can come before the pool is up.
    late = pools.Pool(processes=1)
    try:
        runner = Runner(X, config(), None, late)
        late.start_in_background()
        runner.step()  # waits for the process to start and answer
        assert runner.n_frames == 1
    finally:
        late.close()


def test_training_goes_on_while_the_server_reads_nothing(pool):
    # The display takes frames once per tick. Training must not wait for it, within its credit.
    big = np.random.default_rng(0).normal(size=(20_000, 2))
    runner = Runner(big, config(epochs=1_000), None, pool)
    runner.step()  # waits until the process has the run, so the timing below is training alone
    runner.play()
    time.sleep(3.0)  # no property read here: every read takes frames in
    runner.pause()  # its answer comes after every frame sent before it: all of them are in now
    received = runner.n_frames
    assert 10 <= received <= worker.CREDIT + 1, f"{received} epochs in 3 s"


def test_frames_arrive_without_a_model_and_with_the_decision_grid_now_and_then(pool):
    # The server never needs a model (nor torch): the training process makes the decision grids,
    # at most every GRID_INTERVAL_S, and always for a Step and for the run's last epoch.
    runner = Runner(X, config(epochs=40), None, pool)
    runner.step()
    runner.play()
    assert wait_until(lambda: runner.done)
    frames = runner.recent
    assert runner.status == "finished" and all(frame.model is None for frame, _ in frames)
    grids = [grid for _, grid in frames]
    assert len(set(grids)) < len(grids)  # not one per epoch
    z = np.frombuffer(zlib.decompress(grids[-1]), np.uint8).reshape(player.GRID_SIZE, player.GRID_SIZE)
    assert set(np.unique(z)) <= {0, 1, 2}
    first, grid = runner.replay_frames()[0]
    assert first.epoch == 1 and grid is not None  # the stepped epoch has one


def test_data_of_more_than_two_features_has_no_decision_grid(pool):
    runner = Runner(np.random.default_rng(0).normal(size=(60, 3)), config(epochs=3), None, pool)
    runner.step()
    assert runner.recent[0][1] is None


def test_reads_inside_frozen_show_one_epoch_while_training_goes_on(pool):
    # One display tick reads the metrics, the progress and the charts in turn: they must agree.
    runner = Runner(X, config(epochs=500), 50.0, pool)
    runner.step()
    runner.play()
    with runner.frozen():
        epoch = runner.latest.epoch
        time.sleep(0.5)  # ~25 epochs arrive meanwhile
        assert runner.latest.epoch == epoch == runner.metrics[-1]["epoch"] == runner.n_frames
        assert runner.recent[-1][0].epoch == epoch
    assert runner.latest.epoch > epoch + 5  # taken in on the next read outside
    runner.pause()


def test_settings_come_from_the_environment():
    processes, runs, method = pools.settings({})
    assert processes >= 1 and runs == pools.RUNS_PER_PROCESS and method in ("forkserver", "spawn")
    environ = {pools.ENV_PROCESSES: "3", pools.ENV_RUNS: " 12 ", pools.ENV_METHOD: "spawn"}
    assert pools.settings(environ) == (3, 12, "spawn")


@pytest.mark.parametrize(("name", "value", "message"), [
    (pools.ENV_PROCESSES, "0", "GANKMEANS_TRAINING_PROCESSES must be a whole number of at least 1, got '0'"),
    (pools.ENV_RUNS, "many", "GANKMEANS_RUNS_PER_PROCESS must be a whole number of at least 1, got 'many'"),
    (pools.ENV_METHOD, "fork", "GANKMEANS_START_METHOD must be one of"),
])
def test_bad_settings_say_what_is_allowed(name, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        pools.settings({name: value})
