"""The replay: one Plotly figure that animates a whole run in the browser, with no server."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .frame import Frame
from .plotting import (
    AXIS_STYLE,
    TRUSTED,
    centroid_markers,
    centroids_2d,
    display_sample,
    embedding_view,
    padded_bounds,
    panel_figure,
    points_traces,
    two_panel_axes,
)

REPLAY_FRAMES = 100
REPLAY_POINTS = 1_000  # each replay frame carries its points: keep the figure a few MB at most


def replay_frames(frames: Sequence[Frame], limit: int = REPLAY_FRAMES) -> list[Frame]:
    """At most ``limit`` frames, evenly spaced, always keeping the first and the last."""
    frames = list(frames)
    if len(frames) <= limit:
        return frames
    keep = np.unique(np.linspace(0, len(frames) - 1, limit).round().astype(int))
    return [frames[i] for i in keep]


def replay_figure(X2, frames: Sequence[Frame], sample, axes=("x1", "x2"),
                  limit: int = REPLAY_FRAMES, n_epochs: int | None = None) -> go.Figure:
    """One figure with a go.Frame per epoch, a Play/Pause button and an epoch slider.

    It animates in the browser alone; big runs keep ``limit`` evenly spaced epochs. ``n_epochs``
    is the run's length when ``frames`` is already a selection of its epochs.
    """
    shown = replay_frames(frames, limit)
    sample = np.asarray(sample)
    if len(sample) > REPLAY_POINTS:
        sample = sample[display_sample(len(sample), REPLAY_POINTS)]
    views = [embedding_view(f) for f in shown] if shown[-1].embedding is not None else []
    data = [_replay_traces(X2, f, sample) for f in shown]
    for traces, frame, view in zip(data, shown, views, strict=False):  # no views in input mode
        traces += _embedding_traces(frame, view, sample)
    animation = [go.Frame(data=traces, name=str(f.epoch), **TRUSTED)
                 for f, traces in zip(shown, data, strict=True)]
    fig = panel_figure(data[0], f"Replay: {len(shown)} of {n_epochs or len(frames)} epochs", axes,
                   padded_bounds(X2), height=480, frames=animation)
    if views:  # the input on the left, the student's space on the right, both animated
        spread = np.concatenate([points[sample] for points, _, _ in views])
        (x_range, y_range), titles = padded_bounds(spread), views[-1][2]
        fig.update_layout(**two_panel_axes(
            {}, {**AXIS_STYLE, "range": x_range, "title": {"text": titles[0]}},
            {**AXIS_STYLE, "range": y_range, "title": {"text": titles[1]}, "automargin": True}))
        fig.update_layout(title_text=f"{fig.layout.title.text}; right: the student's space")
    # Drawn once, so the margins may grow to make room for the slider and the buttons.
    fig.update_layout(updatemenus=[_play_buttons()], sliders=[_slider(shown)], margin_autoexpand=True)
    return fig


def _replay_traces(X2, frame, sample) -> list:
    points = points_traces(X2[sample], frame.labels[sample], len(frame.centroids),
                           frame.decided_by_student[sample], webgl=False)
    return [*points, *centroid_markers(centroids_2d(X2, frame))]


def _embedding_traces(frame, view, sample) -> list:
    points, centroids, _ = view
    traces = [*points_traces(points[sample], frame.labels[sample], len(frame.centroids),
                             frame.decided_by_student[sample], webgl=False), *centroid_markers(centroids)]
    for trace in traces:
        trace.update(xaxis="x2", yaxis="y2")
    return traces


# The slider spans the whole width under the axis titles, and the buttons sit under it, as a video
# player's do; both placed in pixels below the plot. Beside the buttons, the slider began at a
# fraction of the width, and a narrow page put the buttons over its handle and the x axis title.
_SLIDER_TOP_PX = 48
_BUTTONS_TOP_PX = 128


def _play_buttons() -> dict:
    play = {"frame": {"duration": 120, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    return {"type": "buttons", "direction": "left", "x": 0.0, "y": 0.0, "xanchor": "left",
            "yanchor": "top", "pad": {"t": _BUTTONS_TOP_PX}, "showactive": False,
            "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                        {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]}]}


def _slider(frames) -> dict:
    step_args = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}
    steps = [{"label": str(f.epoch), "method": "animate", "args": [[str(f.epoch)], step_args]}
             for f in frames]
    return {"active": 0, "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top", "steps": steps,
            "currentvalue": {"prefix": "epoch "}, "pad": {"t": _SLIDER_TOP_PX}}
