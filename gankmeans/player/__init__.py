"""The browser player's wire format: a run's scene and epochs, packed for our JavaScript player.

The player (``*.js`` and ``player.css`` beside this file: plain ES modules, no build step) draws
a run with Plotly.js, in the app (a Streamlit element of ours, see ``ui/player.py``) and in the
offline replay page (``gankmeans.player.page``). Nothing here imports a UI toolkit.

Data crosses the wire once: the points when a scene is made, then per epoch only what changed.
Arrays travel as base64 text: labels as bytes, the student's mask as bits, coordinates as
float32, and decision grids deflated (their large flat regions shrink about tenfold).
"""

from __future__ import annotations

import base64
import math
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..plotting import centroids_2d, embedding_view, padded_bounds

ASSETS = Path(__file__).resolve().parent
# Leaves first: the offline page links each module to the ones it imports in this order.
MODULES = ("codec.js", "theme.js", "metrics.js", "scatter.js", "curves.js", "timeline.js",
           "player.js", "standalone.js", "component.js")
STYLESHEET = "player.css"
REPLAY_FRAMES = 100  # a replay offers at most this many epochs, evenly spread over the run
GRID_SIZE = 96  # cells per side of a decision grid: about 5 px a cell on a 480 px chart
FLOAT_DIGITS = 6  # significant digits of the numbers sent as JSON (curves, centroids)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pack_labels(labels) -> str:
    """Cluster labels (0..255) as one byte each."""
    return b64(np.asarray(labels, dtype=np.uint8).tobytes())


def pack_mask(mask) -> str:
    """A boolean mask as bits, most significant first (``numpy.packbits``)."""
    return b64(np.packbits(np.asarray(mask, dtype=bool)).tobytes())


def pack_points(points) -> str:
    """(n, d) coordinates as float32, row after row."""
    return b64(np.ascontiguousarray(points, dtype=np.float32).tobytes())


def compress_grid(grid) -> bytes:
    """A decision grid (labels 0..255), deflated (zlib), for the browser's DecompressionStream."""
    return zlib.compress(np.asarray(grid, dtype=np.uint8).tobytes(), 6)


def rounded(value):
    """Floats to FLOAT_DIGITS significant digits, NaN and infinities to None, recursively:
    strict JSON (``JSON.parse`` rejects NaN), and no digits the screen cannot show."""
    if isinstance(value, dict):
        return {str(key): rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [rounded(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.{FLOAT_DIGITS}g}") if math.isfinite(value) else None
    return value


def grid_axes(bounds, size: int = GRID_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The x and y coordinates of a decision grid's cell centres over ``bounds``."""
    (x0, x1), (y0, y1) = bounds
    return np.linspace(x0, x1, size), np.linspace(y0, y1, size)


def decision_grid(model, bounds, size: int = GRID_SIZE) -> np.ndarray:
    """The student's label at every cell centre of a ``size`` x ``size`` grid over ``bounds``.

    Parameters
    ----------
    model : CompositeModel
        A frame's model (``frame.model``); only its student is asked.
    bounds : ((x0, x1), (y0, y1))
        The plot's data ranges (2-D data only: the grid lies in the input space).

    Returns
    -------
    ndarray of uint8, shape (size, size)
        Row i is y = ys[i], column j is x = xs[j] (Plotly's heatmap layout).
    """
    xs, ys = grid_axes(bounds, size)
    cells = np.column_stack([np.tile(xs, size), np.repeat(ys, size)])
    return model.predict_student(cells).reshape(size, size).astype(np.uint8)


def scene(X2, sample, axes, n_clusters: int, *, key: str, teacher_space: str = "input",
          has_labels: bool = False, regions: bool = False, kmeans: dict | None = None,
          title: str = "", note: str = "") -> dict:
    """What the player draws before any epoch: the points, their axes and the panels.

    Parameters
    ----------
    X2 : ndarray (n, 2)
        Every point on the two plotting axes; only ``sample`` rows are sent.
    sample : ndarray of int
        The rows drawn (``plotting.display_sample``).
    axes : (str, str)
        Axis titles.
    n_clusters : int
    key : str
        Identifies the scene: the player rebuilds its panels only when it changes.
    teacher_space : {"input", "learned"}
        "learned" adds the panel of the student's space.
    has_labels : bool
        Whether ARI and NMI can be shown.
    regions : bool
        Whether frames bring decision grids (2-D data), laid over :func:`plot_bounds`.
    kmeans : dict, optional
        Plain K-Means' panel (:func:`kmeans_panel`).
    title : str
        Names the data set and settings (the offline page's heading).
    note : str
        A line for the caption under the charts (e.g. that they show a projection).
    """
    X2 = np.asarray(X2)
    bounds = plot_bounds(X2)
    grid = None
    if regions:
        xs, ys = grid_axes(bounds)
        grid = {"x0": xs[0], "dx": xs[1] - xs[0], "y0": ys[0], "dy": ys[1] - ys[0], "size": len(xs)}
    return rounded({"key": key, "points": pack_points(X2[sample]), "n_shown": len(sample),
                    "n_total": len(X2), "axes": list(axes), "bounds": bounds, "k": n_clusters,
                    "mode": teacher_space, "has_labels": has_labels, "grid": grid,
                    "aspect": _same_units(axes), "kmeans": kmeans, "title": title, "note": note})


def plot_bounds(X2):
    """The plots' data ranges: every point with a small margin (decision grids cover the same)."""
    return padded_bounds(np.asarray(X2))


def _same_units(axes) -> bool:
    # 2-D data keeps its aspect: one unit is as long on both axes (PCA axes share units too).
    return axes[1] != "(none)"


def kmeans_panel(labels, centers, sample, ari: float | None = None, note: str = "") -> dict:
    """Plain K-Means on the same points: its labels (of the sampled rows) and centres (plot axes)."""
    return rounded({"labels": pack_labels(np.asarray(labels)[sample]), "centers": np.asarray(centers),
                    "ari": ari, "note": note})


def epoch_delta(frame, X2, sample, grid: bytes | None = None, embedding: bool = False,
                previous_centroids=None) -> dict:
    """One epoch for the player: labels, who decided, centroids (plot axes), optionally the
    decision grid (:func:`compress_grid`) and the student's space (``embedding=True``)."""
    labels, student = np.asarray(frame.labels)[sample], np.asarray(frame.decided_by_student)[sample]
    delta = {"epoch": frame.epoch, "phase": frame.phase, "labels": pack_labels(labels),
             "student": pack_mask(student), "centroids": centroids_2d(X2, frame, previous_centroids)}
    if grid is not None:
        delta["grid"] = b64(grid)
    if frame.embedding is not None:
        points, centroids, axes = embedding_view(frame)
        delta["space_centroids"] = centroids
        if embedding:
            delta["space"] = pack_points(points[sample])
            delta["space_axes"] = list(axes)
    return rounded(delta)


def start_delta(X2, rows) -> dict:
    """Epoch 0 for the player: the centroids a run starts on (``seeding.starting_rows``), on the
    plot axes; the points have no labels yet."""
    return rounded({"epoch": 0, "centroids": np.asarray(X2)[np.asarray(rows)]})


METRIC_COLUMNS = ("epoch", "d_loss", "g_loss", "agreement", "inertia", "student_share", "ari", "nmi")


def metric_columns(rows: Sequence[dict]) -> dict:
    """Per-epoch metric rows (``Frame.metrics()``, plus "ari"/"nmi") as one list per column."""
    columns = {name: [row.get(name) for row in rows] for name in METRIC_COLUMNS}
    columns["phase"] = [row["phase"] for row in rows]
    return rounded(columns)


def spread(frames: Sequence, limit: int = REPLAY_FRAMES) -> list:
    """At most ``limit`` of ``frames``, evenly spaced, always keeping the first and the last."""
    frames = list(frames)
    if len(frames) <= limit:
        return frames
    keep = np.unique(np.linspace(0, len(frames) - 1, limit).round().astype(int))
    return [frames[i] for i in keep]


def replay_deltas(frames: Iterable, X2, sample, grids: Iterable | None = None) -> list[dict]:
    """Deltas for frames kept for scrubbing; the student's space only where it moved."""
    deltas, last_space, centroids = [], None, None
    grids = [None] * len(frames) if grids is None else grids
    for frame, grid in zip(frames, grids, strict=True):
        moved = frame.embedding is not None and (last_space is None
                                                 or not np.array_equal(frame.embedding, last_space))
        deltas.append(epoch_delta(frame, X2, sample, grid, embedding=moved, previous_centroids=centroids))
        centroids = np.asarray(deltas[-1]["centroids"], dtype=float)
        last_space = frame.embedding if moved else last_space
    return deltas
