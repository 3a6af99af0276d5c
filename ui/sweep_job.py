"""A sweep as a job of a training process: an epoch per turn, like any run, reporting rows, not frames.

The app's sweep trains in the pool (ui.worker) beside the session's runs, one epoch per turn, so
the page never waits for it and Pause and Reset reach it between any two epochs. In the app a
seed draws the data and seeds the run, as the sidebar's seed does, so every row of a sweep is a
run the page can restore and repeat exactly: each seed brings its own data.
"""

from __future__ import annotations

import time

# Messages, process -> server, besides the worker's "queued" and "end": ("progress", run, index of
# the run in training, runs in all, epoch, its max_epochs) at most every PROGRESS_S, and
# ("row", run, index, row) as each run ends.
PROGRESS_S = 0.2


def sweep_events(data: dict, config, parameter: str, values: list, seeds: list):
    """(index, runs in all, SweepEvent) for values x seeds, seeds varying fastest.

    Parameters
    ----------
    data : dict
        seed -> (X, y): each seed's data set (y None without labels).
    config : TrainConfig
        Every other setting; the sweep sets ``parameter`` and ``random_state``.
    parameter : str
    values : list
    seeds : list of int
    """
    from gankmeans.sweeps import iter_sweep

    total = len(values) * len(seeds)
    for index, (value, seed) in enumerate((value, seed) for value in values for seed in seeds):
        X, y = data[seed]
        for event in iter_sweep(X, config, parameter, [value], (seed,), y):
            yield index, total, event


class SweepJob:
    """The process's side of one sweep; the worker's Schedule drives it as it drives a Job.

    Parameters
    ----------
    run : str
        The sweep's id.
    data, config, parameter, values, seeds :
        As for ``sweep_events``.
    """

    speed = None
    due = 0.0  # never paced: a sweep trains as fast as its turns come
    unread = 0  # it sends a few small messages, never frames: no credit to wait for

    def __init__(self, run: str, data: dict, config, parameter: str, values: list, seeds: list):
        self.run = run
        self.events = sweep_events(data, config, parameter, values, seeds)
        self.contact = time.monotonic()
        self.place = 0
        self.started = 0.0
        self._told = -float("inf")

    def ready(self, now: float) -> bool:
        return True

    def set_speed(self, speed) -> None:
        """A sweep has no pace: it ignores the speed control."""

    def advance(self, outbox, stepping: bool = False) -> bool:
        """Train one epoch of the sweep; False (after an "end" message) when the sweep is over."""
        from .worker import failure

        self.started = time.monotonic()
        try:
            index, total, event = next(self.events)
        except StopIteration:
            outbox.send(("end", self.run, "finished", None))
            return False
        except Exception as exc:  # noqa: BLE001 (as in worker.Job.advance)
            outbox.send(("end", self.run, "error", failure(exc)))
            return False
        if event.finished:
            outbox.send(("row", self.run, index, event.row))
        elif self.started - self._told >= PROGRESS_S:
            self._told = self.started
            outbox.send(("progress", self.run, index, total, event.frame.epoch, event.config.max_epochs))
        return True
