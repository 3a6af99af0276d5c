"""Drawing helpers in numpy (what the player draws, on which axes) and the digits gallery (Plotly)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .frame import Frame

# Okabe & Ito (2008): eight colours told apart under every common colour-vision deficiency (the
# player's theme.js has the same list). Black is last so that K <= 7 never needs it.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
# Shape carries cluster identity too, for print and for anyone who cannot rely on colour.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "triangle-down", "star")
# Drawn per chart (the player draws WebGL points); every metric still uses every point.
DISPLAY_POINTS = 2_000
MARGIN = {"l": 56, "r": 10, "t": 36, "b": 48}  # room for tick labels and axis titles

def display_sample(n_samples: int, size: int = DISPLAY_POINTS, random_state: int | None = 0) -> np.ndarray:
    """Sorted indices of at most ``size`` points to draw; metrics still use every point."""
    if n_samples <= size:
        return np.arange(n_samples)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_samples, size, replace=False))


def centroids_2d(X2: np.ndarray, frame: Frame, previous: np.ndarray | None = None) -> np.ndarray:
    """Centroids on the plotting axes.

    For 2-D data they are the frame's own; otherwise the mean of each cluster's projected
    points, which equals the projected centroid because the projection is linear.
    """
    if frame.centroids.shape[1] == 2:  # datasets.project_2d draws 2-feature data as it is
        return np.asarray(frame.centroids, dtype=float)
    k = len(frame.centroids)
    counts = np.bincount(frame.labels, minlength=k)
    sums = np.stack([np.bincount(frame.labels, X2[:, j], minlength=k) for j in range(2)], axis=1)
    fallback = np.full((k, 2), np.nan) if previous is None else previous
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts[:, None]
    return np.where(counts[:, None] > 0, means, fallback)


def padded_bounds(X2: np.ndarray, pad: float = 0.05):
    """Axis ranges around the data with a small margin."""
    low, high = X2.min(0), X2.max(0)
    span = np.where(high > low, high - low, 1.0)
    pairs = zip(low, high, span, strict=True)
    return tuple((float(lo - pad * s), float(hi + pad * s)) for lo, hi, s in pairs)


def embedding_view(frame: Frame) -> tuple[np.ndarray, np.ndarray, tuple[str, str]] | None:
    """The learned space of a frame on two plotting axes: (points, centroids, axis titles).

    None in input mode. A one-dimensional space (K = 2) is spread over y by a fixed jitter, so
    that its two groups show as two bands rather than one crowded line.
    """
    if frame.embedding is None:
        return None
    points = np.asarray(frame.embedding, dtype=np.float32)
    centroids = np.asarray(frame.embedding_centroids, dtype=float)
    if points.shape[1] == 2:
        return points, centroids, ("z1", "z2")
    jitter = np.random.default_rng(0).uniform(-1, 1, len(points)).astype(np.float32)
    centroids = np.column_stack([centroids[:, 0], np.zeros(len(centroids))])
    return np.column_stack([points[:, 0], jitter]), centroids, ("z (1-D)", "spread, for visibility")


# Each sample image at least this many screen pixels tall: an 8x8 digit must be readable on a
# projector at the back of a room.
GALLERY_IMAGE_PX = 56


def image_gallery(X, labels, shape, per_cluster: int = 8, random_state: int | None = 0) -> go.Figure:
    """A row of sample images per cluster (e.g. 8x8 digits), so a class sees what each cluster means.

    Each row starts with its cluster's marker, in the colour and shape the live charts give it,
    and its number as the charts count clusters (1 to K).
    """
    labels = np.asarray(labels)
    height, width = shape
    rng = np.random.default_rng(random_state)
    clusters = np.unique(labels)
    canvas = np.full((len(clusters) * (height + 1), per_cluster * (width + 1)), np.nan)
    for row, cluster in enumerate(clusters):
        members = np.flatnonzero(labels == cluster)
        chosen = rng.choice(members, min(per_cluster, len(members)), replace=False)
        for column, index in enumerate(chosen):
            top, left = row * (height + 1), column * (width + 1)
            canvas[top:top + height, left:left + width] = np.asarray(X[index]).reshape(shape)
    centres = [row * (height + 1) + height / 2 for row in range(len(clusters))]
    keys = go.Scatter(x=[-width / 2 - 1] * len(clusters), y=centres, mode="markers", hoverinfo="skip",
                      marker={"size": 22, "color": [PALETTE[c % len(PALETTE)] for c in clusters],
                              "symbol": [SYMBOLS[(c + c // len(PALETTE)) % len(SYMBOLS)] for c in clusters],
                              "line": {"width": 1.5, "color": "#333333"}})
    fig = go.Figure([go.Heatmap(z=canvas, colorscale="Greys", showscale=False, hoverinfo="skip"), keys])
    fig.update_yaxes(autorange="reversed", tickvals=centres, ticktext=[f"cluster {c + 1}" for c in clusters],
                     showgrid=False, zeroline=False, scaleanchor="x", tickfont={"size": 14})
    fig.update_xaxes(visible=False, range=[-width - 1.5, per_cluster * (width + 1)])
    pixels = GALLERY_IMAGE_PX / height  # screen pixels per image pixel
    fig.update_layout(title="What each cluster holds: sample images", margin=MARGIN, showlegend=False,
                      height=int(MARGIN["t"] + MARGIN["b"] + pixels * canvas.shape[0]),
                      width=int(MARGIN["l"] + 30 + MARGIN["r"] + pixels * (canvas.shape[1] + width + 1.5)))
    return fig
