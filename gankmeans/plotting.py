"""Pure functions from frames and arrays to Plotly figures, no Streamlit (the replay: animation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .frame import Frame

# Okabe & Ito (2008): eight colours told apart under every common colour-vision deficiency.
# Black is last so that K <= 7 never needs it next to the dark centroid outlines.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
# Shape carries cluster identity too, for print and for anyone who cannot rely on colour.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "triangle-down", "star")
SYMBOL_CODES = (0, 1, 2, 5, 3, 4, 6, 17)  # the same symbols as Plotly's numeric codes
DISPLAY_POINTS = 1_000  # drawn per chart; every chart is re-plotted from scratch in the browser
GRID_SIZE = 60
TRAIL_LENGTH = 15
CENTROID_SIZE = 18
_MARGIN = {"l": 56, "r": 10, "t": 36, "b": 48}  # room for tick labels and axis titles
# Two-line titles (one line was cut off with three panels on a 1,024-pixel projector), and the
# same room in every panel, so that panels side by side keep their plots level.
_PANEL_MARGIN = {**_MARGIN, "t": 56}
_AXIS = {"gridcolor": "#E5E8EC", "zerolinecolor": "#C9CED6", "linecolor": "#C9CED6"}
# Plotly checks every property of every trace, and again when the traces join a figure: 39 ms of
# a live frame's 40 at N = 2,000, the largest part of the app's work per displayed frame. These
# figures are built only here, from our own values, and tests/test_plotting.py validates every
# kind in full; so they skip the check (Plotly's `_validate` flag; its output is the same JSON).
_TRUSTED = {"_validate": False}


def _symbol_index(labels) -> np.ndarray:
    # Shift the symbol once per lap of the palette, so clusters k and k + 8 (same colour) differ.
    labels = np.asarray(labels, dtype=int)
    return (labels + labels // len(PALETTE)) % len(SYMBOLS)


def _color_index(labels) -> np.ndarray:
    return np.asarray(labels, dtype=int) % len(PALETTE)


def cluster_symbols(labels, student=None) -> np.ndarray:
    """Plotly symbol code of each label; its "-open" variant (+100) where the student decided."""
    codes = np.asarray(SYMBOL_CODES)[_symbol_index(labels)]
    return codes if student is None else codes + 100 * np.asarray(student, dtype=int)


def _color_scale() -> list:
    # Stepped: colour index i fills [i/8, (i+1)/8), so numeric colours map to flat palette colours.
    n = len(PALETTE)
    return [pair for i, c in enumerate(PALETTE) for pair in ([i / n, c], [(i + 1) / n, c])]


def cluster_marker(labels, student=None, size=6, outline="#333333", width=0.5) -> dict:
    """Marker dict colouring and shaping points by cluster; numeric arrays keep the JSON lean."""
    return {"color": _color_index(labels), "cmin": -0.5, "cmax": len(PALETTE) - 0.5,
            "colorscale": _color_scale(), "symbol": cluster_symbols(labels, student), "size": size,
            "line": {"width": width, "color": outline}}


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


def trail_points(history: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flatten the last centroid positions into (xy, cluster, opacity); older is fainter."""
    history = list(history)[-TRAIL_LENGTH:]
    if not history:
        return np.empty((0, 2)), np.empty(0, int), np.empty(0)
    k = len(history[0])
    xy = np.concatenate(history)
    cluster = np.tile(np.arange(k), len(history))
    age = np.repeat(np.linspace(0.1, 0.45, len(history)), k)  # faint: the centroid is the focus
    return xy, cluster, age


def decision_grid(frame: Frame, bounds, size: int = GRID_SIZE):
    """The student's label on a ``size`` x ``size`` grid over ``bounds`` ((x0, x1), (y0, y1))."""
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    grid = np.column_stack([np.repeat(xs[None, :], size, 0).ravel(), np.repeat(ys, size)])
    return xs, ys, frame.model.predict_student(grid).reshape(size, size)


def padded_bounds(X2: np.ndarray, pad: float = 0.05):
    """Axis ranges around the data with a small margin."""
    low, high = X2.min(0), X2.max(0)
    span = np.where(high > low, high - low, 1.0)
    pairs = zip(low, high, span, strict=True)
    return tuple((float(lo - pad * s), float(hi + pad * s)) for lo, hi, s in pairs)


def _heatmap_trace(xs, ys, z) -> go.Heatmap:
    return go.Heatmap(x=xs, y=ys, z=_color_index(z), zmin=-0.5, zmax=len(PALETTE) - 0.5,
                      colorscale=_color_scale(), showscale=False, opacity=0.22, hoverinfo="skip",
                      zsmooth=False, name="student regions", **_TRUSTED)


def _points_traces(X2, labels, k: int, student=None, webgl: bool = True) -> list:
    """One trace per cluster (and per decider), so colour and shape are scalars.

    Per-point symbol arrays cost ~0.1 s of Plotly validation per 2,000 points; scalars cost nothing.
    There are always K traces, plus K more for the student's points when ``student`` is given.
    ``webgl=False`` gives SVG, which the app uses everywhere: browsers allow only a few WebGL
    contexts per page and drop the oldest (a blank chart), and a chart re-plotted from scratch
    pays for a fresh context each time.
    """
    kind = go.Scattergl if webgl else go.Scatter
    labels = np.asarray(labels)
    deciders = [("teacher", np.ones(len(labels), bool))] if student is None else [
        ("teacher", ~np.asarray(student, bool)), ("student", np.asarray(student, bool))]
    traces = []
    for decider, where in deciders:
        hollow = decider == "student"
        for cluster in range(k):
            rows = where & (labels == cluster)
            marker = {"color": PALETTE[cluster % len(PALETTE)], "size": 8 if hollow else 6,
                      "symbol": int(cluster_symbols([cluster], [hollow])[0]),
                      "line": {"width": 1.5 if hollow else 0.5,
                               "color": PALETTE[cluster % len(PALETTE)] if hollow else "#333333"}}
            # float32 halves the base64 payload Plotly sends; screen pixels need no more.
            xy = X2[rows].astype(np.float32)
            traces.append(kind(x=xy[:, 0], y=xy[:, 1], mode="markers", marker=marker, hoverinfo="skip",
                               name=f"cluster {cluster + 1} ({decider})", **_TRUSTED))
    return traces


def _centroid_trace(centroids, webgl: bool = False) -> list:
    """A centroid is its cluster's colour and shape, larger, in a thick dark outline on a white halo,
    so it stands out on top of its own cluster's points."""
    kind = go.Scattergl if webgl else go.Scatter
    k = len(centroids)
    halo = cluster_marker(np.arange(k), size=CENTROID_SIZE + 10, outline="#FFFFFF", width=0)
    halo["color"] = "#FFFFFF"
    return [kind(x=centroids[:, 0], y=centroids[:, 1], mode="markers", name="centroid halo",
                 marker=halo, hoverinfo="skip", **_TRUSTED),
            kind(x=centroids[:, 0], y=centroids[:, 1], mode="markers", name="centroids",
                 marker=cluster_marker(np.arange(k), size=CENTROID_SIZE, outline="#111111", width=3),
                 hovertemplate="centroid %{text}<extra></extra>", text=[str(i + 1) for i in range(k)],
                 **_TRUSTED)]


def _centroid_traces(centroids, trail, webgl: bool = False) -> list:
    # WebGL traces are drawn above every SVG trace: with WebGL points the centroids must be WebGL
    # too, or the points hide them (as they did when only the points were WebGL).
    kind = go.Scattergl if webgl else go.Scatter
    xy, cluster, opacity = trail
    marker = cluster_marker(cluster, size=8, outline="#111111", width=0.5)
    marker["opacity"] = opacity
    return [kind(x=xy[:, 0], y=xy[:, 1], mode="markers", name="centroid trail", hoverinfo="skip",
                 marker=marker, **_TRUSTED), *_centroid_trace(centroids, webgl)]


def _figure(traces, title: str, axes: tuple[str, str], bounds=None, height: int = 420, **extra):
    """A figure of ``traces`` in the live views' style, its layout given whole (``update_layout``
    and ``update_xaxes`` parse every property path: 18 ms a frame)."""
    return go.Figure(traces, layout=_layout(title, axes, bounds, height), **extra, **_TRUSTED)


def _layout(title: str, axes: tuple[str, str], bounds=None, height: int = 420) -> dict:
    # Plain styling instead of a template: assigning a template deep-copies it, every frame.
    # Fixed margins: growing them to fit the labels costs every new chart a second layout pass
    # in the browser (measured: 3.9 -> 5.0 displayed frames/s at N = 2,000).
    layout = {"title": {"text": title, "font": {"size": 14}}, "height": height,
              "margin": {**_PANEL_MARGIN, "autoexpand": False}, "plot_bgcolor": "white",
              "uirevision": "keep", "showlegend": False}
    for name, axis_title, axis_range in zip(("xaxis", "yaxis"), axes, bounds or (None, None), strict=True):
        layout[name] = {"title": {"text": axis_title}, **_AXIS}
        if axis_range is not None:
            layout[name]["range"] = list(axis_range)
    return layout


def scatter_figure(X2, frame: Frame, sample, axes=("x1", "x2"), centroids=None, trail=(),
                   heatmap=None, title=None, webgl: bool = True) -> go.Figure:
    """The live view: points by cluster (hollow where the student decided), centroids, trails.

    Parameters
    ----------
    X2 : ndarray (n, 2)
        Every point on the plotting axes; only ``sample`` rows are drawn.
    frame : Frame
    sample : ndarray of int
        Rows to draw (see ``display_sample``).
    axes : (str, str)
        Axis titles.
    centroids : ndarray (K, 2), optional
        Centroids on the plotting axes; ``centroids_2d(X2, frame)`` when omitted.
    trail : sequence of ndarray (K, 2)
        Earlier centroid positions, oldest first.
    heatmap : (xs, ys, z), optional
        The student's decision grid (``decision_grid``), drawn underneath.
    webgl : bool
        Draw with WebGL (Scattergl) rather than SVG.
    """
    centroids = centroids_2d(X2, frame) if centroids is None else centroids
    traces = [] if heatmap is None else [_heatmap_trace(*heatmap)]
    traces += _points_traces(X2[sample], frame.labels[sample], len(frame.centroids),
                             frame.decided_by_student[sample], webgl=webgl)
    traces += _centroid_traces(centroids, trail_points(trail), webgl=webgl)
    title = title or f"GANKMeans<br>epoch {frame.epoch}, {frame.phase} phase"
    return _figure(traces, title, axes, padded_bounds(X2))


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


def embedding_figure(frame: Frame, sample) -> go.Figure:
    """The student's space (learned mode): the points where the teacher measures distance.

    Drawn like the live view, so a class can watch two moons unfold into two separable groups.
    """
    points, centroids, axes = embedding_view(frame)
    traces = _points_traces(points[sample], frame.labels[sample], len(frame.centroids),
                            frame.decided_by_student[sample], webgl=False)
    traces += _centroid_traces(centroids, trail_points([]))
    title = f"The student's space<br>epoch {frame.epoch}"
    return _figure(traces, title, axes, padded_bounds(points[sample]))


def kmeans_figure(X2, labels, centers, sample, axes=("x1", "x2"), ari: float | None = None,
                  scaling: str | None = None) -> go.Figure:
    """scikit-learn's K-Means result on the same axes, for comparison (with its ARI when known,
    and the scaling it saw, such as "standardised", when given)."""
    k = len(centers)
    traces = _points_traces(X2[sample], np.asarray(labels)[sample], k, webgl=False)
    traces += _centroid_traces(np.asarray(centers, dtype=float), trail_points([]))
    # The scaling on the second line: in three panels on a 1,024-pixel screen a longer first
    # line was cut off.
    notes = [note for note in (scaling, None if ari is None else f"ARI {ari:.3f}") if note]
    title = f"Plain K-Means (K = {k})" + ("<br>" + ", ".join(notes) if notes else "")
    return _figure(traces, title, axes, padded_bounds(X2))


def curves_figure(frames: Sequence[Frame | dict], max_epochs: int | None = None) -> go.Figure:
    """D and G losses (left) and student-teacher agreement (right), one point per epoch.

    ``frames`` are Frames or their ``metrics()`` rows (what a viewer keeps of a long run).
    """
    rows = [f if isinstance(f, dict) else f.metrics() for f in frames]
    epochs = np.array([row["epoch"] for row in rows])
    series = [("D loss", "d_loss", "x", "y", {"color": PALETTE[4]}),
              ("G loss", "g_loss", "x", "y", {"color": PALETTE[5], "dash": "dash"}),
              ("agreement", "agreement", "x2", "y2", {"color": PALETTE[2]})]
    mode = "lines" if len(rows) > 1 else "markers"  # one epoch (after a Step) is no line at all
    fig = go.Figure([go.Scatter(x=epochs, y=np.array([row[field] for row in rows], dtype=float), name=name,
                                xaxis=xaxis, yaxis=yaxis, line=line, mode=mode, **_TRUSTED)
                     for name, field, xaxis, yaxis, line in series], **_TRUSTED)
    x_range = [0.5, max(max_epochs or 1, int(epochs[-1]) if len(epochs) else 1) + 0.5]
    # Two side-by-side axes by hand: make_subplots costs ~20 ms, on every frame. Every range is
    # explicit: a chart updated in place keeps the autorange of its first draw (epoch 1 alone).
    axis = {**_AXIS, "range": x_range, "title": {"text": "epoch"}}
    losses = [row["d_loss"] for row in rows] + [row["g_loss"] for row in rows]
    fig.update_layout(
        **two_panel_axes(axis, axis, {**_AXIS, "range": [-0.02, 1.02], "title": {"text": "agreement"}}),
        yaxis={**_AXIS, "range": loss_range(losses), "title": {"text": "loss"}},
        height=260, margin={"l": 50, "r": 50, "t": 56, "b": 40}, plot_bgcolor="white",
        title={"text": "Losses (left) and student-teacher agreement (right)", "font": {"size": 14},
               "y": 0.97, "yanchor": "top"},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"})
    return fig


def two_panel_axes(left_x: dict, right_x: dict, right_y: dict) -> dict:
    """Layout axes for two panels side by side in one figure (the curves, the learned replay).

    The right panel's y axis is on its outer side: in the gap between the panels, its ticks and
    title were drawn over the left panel on narrower pages (800 px for the curves).
    """
    return {"xaxis": {**left_x, "domain": [0, 0.46]},
            "xaxis2": {**right_x, "domain": [0.54, 1], "anchor": "y2"},
            "yaxis2": {**right_y, "anchor": "x2", "side": "right"}}


def loss_range(values, pad: float = 0.1) -> list[float]:
    """A y-range showing every finite loss with a margin; never below 0 (the losses are BCE)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return [0.0, 1.0]
    low, high = float(values.min()), float(values.max())
    margin = pad * max(high - low, 0.1 * abs(high), 1e-3)
    return [max(0.0, low - margin), high + margin]


def image_gallery(X, labels, shape, per_cluster: int = 8, random_state: int | None = 0) -> go.Figure:
    """A row of sample images per cluster (e.g. 8x8 digits), so a class sees what each cluster means."""
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
    fig = go.Figure(go.Heatmap(z=canvas, colorscale="Greys", showscale=False, hoverinfo="skip"))
    ticks = [row * (height + 1) + height / 2 for row in range(len(clusters))]
    fig.update_yaxes(autorange="reversed", tickvals=ticks, ticktext=[f"cluster {c}" for c in clusters],
                     showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(title="What each cluster holds: sample images", margin=_MARGIN,
                      height=60 + 34 * len(clusters), plot_bgcolor="white")
    return fig
