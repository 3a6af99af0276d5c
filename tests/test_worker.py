"""A training process's schedule, in this process: runs take turns an epoch each, a saturated
process keeps a line and says who is where, a page that stops reading stops only its own run, and
runs whose pages went quiet are released."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gankmeans import DivergenceError, TrainConfig, train
from ui import worker

X = np.random.default_rng(0).normal(size=(40, 2))


class Outbox(list):
    def send(self, message):
        self.append(message)

    def of(self, kind):
        return [message for message in self if message[0] == kind]


def schedule_of(runs, limit=8, trainer=train, epochs=50, speed=None):
    outbox = Outbox()
    schedule = worker.Schedule(limit, outbox)
    for run in runs:
        config = TrainConfig(n_clusters=2, max_epochs=epochs, tol=0.0, device="cpu")
        worker.handle(schedule, ("start", run, X, config, speed), trainer)
    return schedule, outbox


def train_turns(schedule, count):
    """The runs that trained, in order, over ``count`` turns."""
    trained = []
    for _ in range(count):
        job = schedule.next_job(time.monotonic())
        if job is None:
            break
        trained.append(job.run)
        if not job.advance(schedule.outbox):
            schedule.remove(job.run)
    return trained


def test_playing_runs_take_turns_an_epoch_each():
    schedule, outbox = schedule_of("abc")
    for run in "abc":
        worker.handle(schedule, ("play", run), train)
    assert train_turns(schedule, 9) == list("abcabcabc")
    worker.handle(schedule, ("pause", "b"), train)  # Pause acts on its own run only
    assert train_turns(schedule, 4) == list("acac")
    assert outbox.of("ack") == [("ack", "b")]
    assert [m[1] for m in outbox.of("frame")].count("b") == 3


def test_runs_over_the_limit_wait_in_line_and_are_told_their_place():
    schedule, outbox = schedule_of("abcd", limit=2)
    for run in "abcd":
        worker.handle(schedule, ("play", run), train)
    assert outbox.of("queued") == [("queued", "c", 1), ("queued", "d", 2)]
    assert set(train_turns(schedule, 6)) == {"a", "b"}
    worker.handle(schedule, ("pause", "a"), train)  # a slot frees: the first in line takes it
    assert outbox.of("queued")[2:] == [("queued", "c", 0), ("queued", "d", 1)]
    assert set(train_turns(schedule, 4)) == {"b", "c"}
    worker.handle(schedule, ("play", "a"), train)  # back of the line
    assert outbox.of("queued")[-1] == ("queued", "a", 2)


def test_a_run_whose_page_stops_reading_stops_and_the_others_go_on():
    schedule, outbox = schedule_of("ab", epochs=500)
    worker.handle(schedule, ("play", "a"), train)
    worker.handle(schedule, ("play", "b"), train)
    trained = train_turns(schedule, 3 * worker.CREDIT)
    assert trained.count("a") == worker.CREDIT == trained.count("b")  # nobody took a frame: both wait
    worker.handle(schedule, ("took", "a", 10), train)  # a's page took 10 frames: a gets 10 more
    assert train_turns(schedule, 20) == ["a"] * 10


def test_a_paced_run_waits_for_its_time_while_others_train():
    schedule, _ = schedule_of("ab", speed=5.0)
    worker.handle(schedule, ("speed", "b", None), train)
    worker.handle(schedule, ("play", "a"), train)
    worker.handle(schedule, ("play", "b"), train)
    paced = schedule.jobs["a"]
    # Its first epoch waits an epoch's time too: meanwhile its page shows the starting centroids.
    assert time.monotonic() < paced.due and train_turns(schedule, 1) == ["b"]
    time.sleep(max(0.0, paced.due - time.monotonic()))
    assert train_turns(schedule, 1) == ["a"]
    assert paced.due - paced.started == pytest.approx(0.2)  # 5 epochs a second
    now = time.monotonic()
    assert now < paced.due and schedule.next_job(now).run == "b" and schedule.wait(now) == 0
    worker.handle(schedule, ("pause", "b"), train)
    assert 0 < schedule.wait(time.monotonic()) <= 0.2  # nothing to do until a's time comes
    time.sleep(schedule.wait(time.monotonic()))
    assert schedule.next_job(time.monotonic()) is paced


def test_step_trains_one_epoch_at_once_and_is_acknowledged():
    schedule, outbox = schedule_of("ab")
    worker.handle(schedule, ("play", "a"), train)
    worker.handle(schedule, ("step", "b"), train)
    assert [m[1] for m in outbox.of("frame")] == ["b"] and outbox.of("ack") == [("ack", "b")]
    worker.handle(schedule, ("step", "gone"), train)  # a run already let go still gets its answer
    assert outbox.of("ack")[-1] == ("ack", "gone")


def test_a_run_whose_page_went_quiet_is_released_with_a_message():
    schedule, outbox = schedule_of("ab")
    worker.handle(schedule, ("play", "a"), train)
    schedule.jobs["a"].contact -= 120
    schedule.release_idle(time.monotonic(), after=60)
    assert list(schedule.jobs) == ["b"] and list(schedule.turns) == []
    (end,) = outbox.of("end")
    assert end[:3] == ("end", "a", "error") and "released" in end[3] and "Press Train" in end[3]


def failing_train(X, config):
    frames = train(X, config)
    yield next(frames)
    raise RuntimeError("boom")


def test_one_run_failing_ends_that_run_only():
    schedule, outbox = schedule_of("ab", trainer=failing_train)
    worker.handle(schedule, ("play", "a"), failing_train)
    worker.handle(schedule, ("play", "b"), failing_train)
    train_turns(schedule, 2)
    schedule.jobs["b"].frames = iter(train(X, TrainConfig(n_clusters=2, max_epochs=5, device="cpu")))
    train_turns(schedule, 10)
    ends = {message[1]: message[2:] for message in outbox.of("end")}
    assert ends["a"][0] == "error" and "RuntimeError: boom" in ends["a"][1]
    assert ends["b"] == ("finished", None)


@pytest.mark.parametrize(("error", "shown"), [
    (ValueError("n_clusters=5 needs at least 5 samples"), "n_clusters=5 needs at least 5 samples"),
    (DivergenceError("Training diverged at epoch 3"), "Training diverged at epoch 3"),
    (KeyError("x"), "Training failed unexpectedly (KeyError: 'x'); press Reset."),
])
def test_failures_say_what_happened(error, shown):
    assert worker.failure(error) == shown
