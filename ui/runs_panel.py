"""The Runs panel: the session's runs as a table (CSV too), two side by side, and Restore."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from gankmeans import metrics, plotting

from . import history
from .controls import DATA_KEYS, MODEL_KEYS
from .data import UPLOAD

RUN_COLORS = ("#0072B2", "#D55E00")  # the two runs' curves (plotting.PALETTE's blue and vermilion)
COLUMN_CONFIG = {
    "run": st.column_config.NumberColumn("run", width="small"),
    "points": st.column_config.NumberColumn("points", format="%d"),
    "inertia": st.column_config.NumberColumn("inertia", format="%.4g"),
    "ari": st.column_config.NumberColumn("ARI", format="%.3f"),
    "nmi": st.column_config.NumberColumn("NMI", format="%.3f"),
    "agreement": st.column_config.NumberColumn("agreement", format="%.3f"),
    "student_share": st.column_config.NumberColumn("student share", format="%.3f"),
    "wall_time_s": st.column_config.NumberColumn("training time (s)", format="%.2f"),
}


def restore(values: dict, upload: str | None = None, what: str = "the run") -> None:
    """Put a run's controls back (a button's callback: before the widgets draw), so Train repeats it.

    The URL follows, as it mirrors the controls. A run on an uploaded file needs that file to
    still be the one loaded: otherwise nothing changes and the page says why.
    """
    current = st.session_state.get("upload")
    if values["dataset"] == UPLOAD and (current is None or current["digest"] != upload):
        st.session_state["restore_note"] = ("error", f"Cannot restore {what}: it trained on an uploaded "
                                            "file that is no longer loaded. Upload that file again first.")
        return
    st.session_state.update({key: values[key] for key in DATA_KEYS + MODEL_KEYS})
    st.session_state["preset"] = "Custom"
    st.session_state["restore_note"] = ("success", f"Restored the settings of {what}: press Train to "
                                        "run it again (the seed included, so it repeats exactly).")


def restore_note() -> None:
    """What the last Restore did, shown once."""
    note = st.session_state.pop("restore_note", None)
    if note:
        (st.success if note[0] == "success" else st.error)(note[1])


def _restore_run(number: int) -> None:
    entry = history.runs().get(number)
    if entry is not None:
        restore(entry.values, entry.upload, f"run {number}")


def panel() -> None:
    """The Runs table, its CSV, the side-by-side view of two runs, and Restore."""
    runs = history.runs()
    st.subheader("Runs")
    if not len(runs):
        st.caption("Every run you train appears here once it ends (or is reset after an epoch): "
                   "its settings, final metrics and time, to compare and restore.")
        return
    st.dataframe(runs.table(), hide_index=True, key="runs_table", column_config=COLUMN_CONFIG)
    numbers = [entry.number for entry in runs][::-1]  # newest first
    st.caption(f"Settings listed: those that differ from the defaults. The last {history.MAX_RUNS} runs "
               "of this session are kept.")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox("Run to restore", numbers, key="runs_restore_choice",
                            format_func=lambda n: runs.get(n).label())
    right.button("Restore", key="runs_restore", on_click=_restore_run, args=(chosen,), width="stretch",
                 help="Put this run's settings back into the controls and the link; Train repeats it.")
    st.download_button("Runs (CSV)", runs.csv(), "gankmeans_runs.csv", "text/csv", key="download_runs",
                       on_click="ignore")  # no rerun: see ui.view.downloads
    pair = st.multiselect("Compare two runs side by side", numbers, key="runs_compare", max_selections=2,
                          format_func=lambda n: runs.get(n).label(), placeholder="Choose two runs")
    entries = [runs.get(n) for n in pair if runs.get(n) is not None]
    if len(entries) == 2:
        st.plotly_chart(compare_figure(*entries), key="runs_side_by_side", config={"displaylogo": False})


def _mapping(a: history.RunRecord, b: history.RunRecord) -> np.ndarray:
    """b's cluster numbers in a's, where both ran on the same points with the same K (else as they are)."""
    k = len(b.centroids)
    same = len(a.centroids) == k and a.points.shape == b.points.shape and np.array_equal(a.points, b.points)
    return metrics.match_labels(b.labels, a.labels, k) if same else np.arange(k)


def _scatter(entry: history.RunRecord, mapping: np.ndarray) -> list[go.Scatter]:
    """The run's drawn points in their final clusters' colours and shapes, and its centroids."""
    def colors(clusters):
        return [plotting.PALETTE[c % len(plotting.PALETTE)] for c in clusters]

    labels = mapping[entry.labels]
    drawn = entry.points[:len(labels)]  # none for a run that an error stopped in its first epoch
    points = go.Scatter(x=drawn[:, 0], y=drawn[:, 1], mode="markers", hoverinfo="skip",
                        showlegend=False, marker={"color": colors(labels), "size": 5, "symbol": [
                            plotting.SYMBOLS[c % len(plotting.SYMBOLS)] for c in labels]})
    centroids = go.Scatter(x=entry.centroids[:, 0], y=entry.centroids[:, 1], mode="markers", hoverinfo="skip",
                           showlegend=False, marker={"color": colors(mapping), "size": 16, "symbol": "x",
                                                     "line": {"width": 2, "color": "#333333"}})
    return [points, centroids]


def compare_figure(a: history.RunRecord, b: history.RunRecord) -> go.Figure:
    """Two runs side by side: final scatters (shared axes), then agreement and losses on shared axes.

    Where both ran on the same points with the same K, b's clusters take a's colours.
    """
    figure = make_subplots(rows=2, cols=2, horizontal_spacing=0.08, vertical_spacing=0.14, subplot_titles=(
        f"Run {a.number}: {a.ended}, epoch {a.epochs}", f"Run {b.number}: {b.ended}, epoch {b.epochs}",
        "Student-teacher agreement", "Losses (solid: discriminator, dotted: student)"))
    for col, (entry, mapping) in enumerate(((a, np.arange(len(a.centroids))), (b, _mapping(a, b))), 1):
        for trace in _scatter(entry, mapping):
            figure.add_trace(trace, row=1, col=col)
    for entry, color in zip((a, b), RUN_COLORS, strict=True):
        epochs, name = entry.curves["epoch"], f"run {entry.number}"
        figure.add_trace(go.Scatter(x=epochs, y=entry.curves["agreement"], name=name, legendgroup=name,
                                    line={"color": color}), row=2, col=1)
        for curve, dash in (("d_loss", "solid"), ("g_loss", "dot")):
            figure.add_trace(go.Scatter(x=epochs, y=entry.curves[curve], name=f"{name} {curve}",
                                        legendgroup=name, showlegend=False,
                                        line={"color": color, "dash": dash}), row=2, col=2)
    figure.update_xaxes(matches="x", row=1, col=2, title_text=b.axes[0])
    figure.update_yaxes(matches="y", row=1, col=2)
    figure.update_xaxes(title_text=a.axes[0], row=1, col=1)
    figure.update_yaxes(title_text=a.axes[1], row=1, col=1)
    figure.update_xaxes(title_text="epoch", row=2)
    figure.update_xaxes(matches="x3", row=2, col=2)
    figure.update_yaxes(range=[0, 1.02], row=2, col=1)
    figure.update_layout(height=720, template="plotly_white", margin={"l": 56, "r": 10, "t": 40, "b": 48},
                         legend={"orientation": "h", "y": -0.08})
    return figure
