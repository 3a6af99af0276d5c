"""A run's frames in bounded memory, however long the run.

A whole frame holds four per-point arrays: about 0.5 MB at 50,000 points, so a 5,000-epoch run
kept whole would need 2.5 GB. What the view needs is less:
- one metrics row per epoch (with ARI/NMI when true labels are known), for curves and exports;
- the last ``RECENT`` frames whole, for the player's next packets (a display tick takes in
  ~10 epochs at full speed);
- frames spread evenly over the run for the replay, which shows at most ``REPLAY_FRAMES``:
  at most twice that many are kept, thinned to the labels (int8) and the student mask.
Each frame comes with the decision grid in effect at its epoch (deflated bytes, or None).
"""

from __future__ import annotations

import dataclasses
from collections import deque

import numpy as np

from gankmeans import Frame, metrics
from gankmeans.player import REPLAY_FRAMES

_NO_LABELS = np.empty(0, dtype=np.int8)
RECENT = 32


def thin(frame: Frame) -> Frame:
    """The frame with only what a replay draws: labels as int8, the learned space as float16 (the
    screen needs no more), no per-head labels, no model."""
    labels = frame.labels.astype(np.int8 if len(frame.centroids) <= 127 else np.int16)
    embedding = None if frame.embedding is None else frame.embedding.astype(np.float16)
    return dataclasses.replace(frame, labels=labels, teacher_labels=_NO_LABELS, student_labels=_NO_LABELS,
                               model=None, embedding=embedding)


class FrameStore:
    """Take frames in epoch order; read back metrics, recent frames and replay frames.

    Parameters
    ----------
    y_true : array-like or None
        True labels; with them every metrics row gains "ari" and "nmi".
    keep : int
        Replay frames to offer; at most ``2 * keep`` thinned frames are held.
    """

    def __init__(self, y_true=None, keep: int = REPLAY_FRAMES):
        self.y_true = y_true
        # Classes as 0..C-1, once: each epoch's contingency table is then one bincount.
        self._classes = None if y_true is None else np.unique(y_true, return_inverse=True)[1].ravel()
        self.keep = keep
        self.metrics: list[dict] = []
        self.recent: deque[tuple[Frame, bytes | None]] = deque(maxlen=RECENT)  # (frame, grid)
        self.first: tuple[Frame, bytes | None] | None = None
        self._spread: list[tuple[Frame, bytes | None]] = []  # thinned, at epochs divisible by _stride
        self._stride = 1
        self._grid: bytes | None = None

    def add(self, frame: Frame, grid: bytes | None = None) -> None:
        """Take the next epoch, with its new decision grid (None: the previous one still holds)."""
        self.metrics.append({**frame.metrics(), **self._external_scores(frame)})
        self._grid = self._grid if grid is None else grid
        self.recent.append((frame, self._grid))
        if self.first is None:
            self.first = (thin(frame), self._grid)
        if frame.epoch % self._stride == 0:
            self._spread.append((thin(frame), self._grid))
        if len(self._spread) > 2 * self.keep:  # halve: keep every other one, evenly spaced still
            self._stride *= 2
            self._spread = [entry for entry in self._spread if entry[0].epoch % self._stride == 0]

    def _external_scores(self, frame: Frame) -> dict[str, float]:
        if self._classes is None:
            return {}
        k = len(frame.centroids)
        table = np.bincount(self._classes * k + frame.labels, minlength=(self._classes.max() + 1) * k)
        return metrics.table_scores(table.reshape(-1, k))

    def __len__(self) -> int:
        return len(self.metrics)

    @property
    def latest(self) -> Frame | None:
        return self.recent[-1][0] if self.recent else None

    def replay(self) -> list[tuple[Frame, bytes | None]]:
        """(frame, grid) pairs for a replay, in order: the first, evenly spread ones, the latest."""
        if not self.recent:
            return []
        entries = {entry[0].epoch: entry for entry in (self.first, *self._spread)}
        entries[self.latest.epoch] = self.recent[-1]
        return [entries[epoch] for epoch in sorted(entries)]
