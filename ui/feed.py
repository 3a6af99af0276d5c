"""What one session's player has been sent, and its next packet: what it has not seen yet.

A packet (see gankmeans/player/player.js, ``Player.apply``) holds the scene when it is new, a new
run's starting centroids (epoch 0), the metric rows from ``base`` on, a few new epochs to animate,
the run's status and, once the run has ended, the frames kept for the replay. Packets get lost:
Streamlit drops the unsent messages of an interrupted script run, and a busy page is handed only the
newest of the packets that arrived since it last drew (in the 20-session load test most were). So
each packet repeats the rows of the few packets before it, and a player that still finds a gap
(``base`` after the rows it holds), was mounted afresh, or finished without its replay asks for a
full resend ("sync").
"""

from __future__ import annotations

from collections import deque

import numpy as np

from gankmeans import player

# Epochs animated per packet at most. A tick of 0.25 s at the player's 15 frames a second draws
# about 4; the rest of a fast run's epochs are skipped here rather than sent and dropped (their
# metrics still travel, for the curves).
MAX_FRAMES_PER_PACKET = 6
# Packets whose rows each packet repeats: a player that missed that many in a row still has every
# row. Rows are small (~100 bytes an epoch), and a resend of everything costs a script run.
RESENT_PACKETS = 3


def evenly(items: list, limit: int) -> list:
    """At most ``limit`` of ``items``, evenly spaced, always keeping the last."""
    if len(items) <= limit:
        return items
    keep = np.linspace(len(items) - 1, 0, limit).round().astype(int)[::-1]
    return [items[i] for i in np.unique(keep)]


class Feed:
    """The state of one session's player, as far as the server knows it."""

    def __init__(self):
        self.scene_key = None
        self.run = None
        self.rows_sent = 0
        self.bases: deque[int] = deque(maxlen=RESENT_PACKETS)  # where the last packets' new rows began
        self.epoch_sent = 0
        self.grid = None  # the last decision grid sent (deflated bytes)
        self.space = None  # the last student's-space coordinates sent
        self.kmeans_map = None
        self.replayed = False
        self.sync_wanted = True

    def request_sync(self) -> None:
        """The player asked for everything again (mounted afresh, or a packet went missing)."""
        self.sync_wanted = True

    def packet(self, scene_key: str, make_scene, runner, view) -> dict:
        """The next packet for the player.

        Parameters
        ----------
        scene_key : str
            Identifies the data, K and panels; a new key sends a new scene.
        make_scene : callable
            Returns the scene (``gankmeans.player.scene``), called only when it must be sent.
        runner : ui.runner.Runner or None
            The session's run; None before the first Train or Step.
        view : dict
            "X2" and "sample" (what is drawn), "regions" (show decision regions),
            "kmeans_map" (plain K-Means' colours matched to the run) and "max_epochs" (the
            controls' value, shown before a run), as the view knows them.
        """
        run = runner.id if runner is not None else None
        sync = self.sync_wanted or scene_key != self.scene_key or run != self.run
        packet = {"scene_key": scene_key, "run": run, "regions": view["regions"]}
        if self.sync_wanted or scene_key != self.scene_key:
            packet["scene"] = make_scene()
            self.kmeans_map = None
        self.sync_wanted, self.scene_key = False, scene_key
        if sync:
            packet["sync"] = True
            self.run, self.rows_sent, self.epoch_sent, self.grid, self.space = run, 0, 0, None, None
            self.bases.clear()
            self.replayed = False
        if view.get("kmeans_map") is not None and not np.array_equal(view["kmeans_map"], self.kmeans_map):
            self.kmeans_map = np.asarray(view["kmeans_map"])
            packet["kmeans_map"] = self.kmeans_map.tolist()
        if runner is not None:
            if sync and runner.start_rows is not None:
                packet["start"] = player.start_delta(view["X2"], runner.start_rows)
            self._run_part(packet, runner, view, sync)
        else:  # before a run: its length as the controls set it
            packet["status"] = {"state": "idle", "max_epochs": view["max_epochs"]}
        return packet

    def _run_part(self, packet: dict, runner, view, sync: bool) -> None:
        rows = runner.metrics
        start = self.bases[0] if self.bases else self.rows_sent
        self.bases.append(self.rows_sent)
        packet["base"] = start
        packet["rows"] = player.metric_columns(rows[start:])
        self.rows_sent = len(rows)
        fresh = [entry for entry in runner.recent if entry[0].epoch > self.epoch_sent]
        # A new or resent run shows its latest epoch at once; a running one, its new epochs.
        chosen = fresh[-1:] if sync else evenly(fresh, MAX_FRAMES_PER_PACKET)
        packet["frames"] = [self._delta(frame, grid, view) for frame, grid in chosen]
        if chosen:
            self.epoch_sent = chosen[-1][0].epoch
        latest = runner.latest
        packet["status"] = {"state": runner.status, "max_epochs": runner.config.max_epochs,
                            "message": runner.error, "converged": bool(latest and latest.converged)}
        if runner.queued:  # the pool is saturated: the run waits for a slot, and the page says where
            packet["status"]["queued"] = runner.queued
        if runner.done and not self.replayed:
            kept = runner.replay_frames()  # none when an error stopped the first epoch
            frames, grids = zip(*kept, strict=True) if kept else ((), ())
            packet["replay"] = player.replay_deltas(frames, view["X2"], view["sample"], grids)
            self.replayed = True

    def _delta(self, frame, grid, view) -> dict:
        new_grid = grid if grid is not None and grid != self.grid else None
        self.grid = grid if grid is not None else self.grid
        moved = frame.embedding is not None and (self.space is None
                                                 or not np.array_equal(frame.embedding, self.space))
        if moved:
            self.space = frame.embedding
        return player.epoch_delta(frame, view["X2"], view["sample"], new_grid, embedding=moved)
