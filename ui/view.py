"""The main view: metrics, progress, live scatter beside K-Means, curves, and the replay."""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from gankmeans import animation, datasets, export, metrics, plotting

from . import data as app_data
from . import session
from .runner import PLAYING

# Streamlit remounts a Plotly chart whose spec changed (a full re-plot in the browser), and on 2 shared
# cores the browser's plotting competes with training: measured with benchmarks/bench_app.py, a
# 0.05 s tick and 0.5 s curves gave fewer displayed frames/s and slower training than these.
CURVES_SECONDS = 1.0
TICK_SECONDS = 0.1  # pause between display refreshes while playing; training never waits for it
REMATCH_EPOCHS = 10  # how often plain K-Means' colours are matched again to the run's clusters
_CHART = {"config": {"displaylogo": False}, "width": "stretch"}


def _fmt(value: float, digits: str = ".3f") -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, digits)


def metrics_row(row: dict | None, has_labels: bool, max_epochs: int) -> None:
    """Epoch, inertia, ARI/NMI (when true labels exist), student share, phase.

    ``row`` is the latest epoch's metrics as the run keeps them (ARI/NMI already computed), or None.
    """
    row = row or {}
    cells = [("Epoch", f"{row.get('epoch', 0)} / {max_epochs}"),
             ("Inertia", _fmt(row.get("inertia"), ",.1f"))]
    if has_labels:
        cells += [("ARI", _fmt(row.get("ari"))), ("NMI", _fmt(row.get("nmi")))]
    cells += [("Decided by student", _fmt(row.get("student_share"), ".1%")), ("Phase", row.get("phase", "—"))]
    # Each as wide as its value, wrapping onto a second line on a narrow screen: in six equal
    # columns a 1,024-pixel projector showed "3 / …" and "te…" (measured in Chromium).
    with st.container(horizontal=True, gap="medium", key="metrics_row"):
        for label, value in cells:
            st.metric(label, value, width="content")


def _live_figure(runner, dataset, heatmap: bool):
    frames = runner.recent
    frame = frames[-1]
    trail = [plotting.centroids_2d(dataset.X2, f) for f in frames[:-1]]
    grid = None
    if heatmap and dataset.X.shape[1] == 2:
        grid = plotting.decision_grid(frame, plotting.padded_bounds(dataset.X2))
    # SVG, not WebGL: every frame is a fresh chart, and a fresh WebGL context per frame cost more
    # (one bench run each: 1.4 vs 1.0 displayed frames/s at N = 2,000, software-rendered Chromium).
    return plotting.scatter_figure(dataset.X2, frame, dataset.sample, dataset.axes, trail=trail, heatmap=grid,
                                   webgl=False)


def _kmeans_figure(dataset, controls: dict, runner):
    """Plain K-Means, its labels matched to the run's so that the same blob has the same colour.

    It is matched to the run's latest frame every REMATCH_EPOCHS epochs and at the end, not per
    tick, and the figure is rebuilt only when the matching changes: every new figure is a full
    re-plot in the browser. (Matching only the first frame mismatched the learned space, whose
    early labels are not yet its final clusters.)
    """
    keys = (app_data.key(controls), controls["n_clusters"], controls["standardize"])
    reference, reference_key = _kmeans_reference(runner)
    cached = st.session_state.get("kmeans_figure")  # (keys, reference_key, mapping, reference, figure)
    same_data = cached is not None and cached[0] == keys
    if same_data and cached[1] == reference_key:
        return cached[4]
    labels, centers = app_data.kmeans(*keys, dataset)
    mapping = np.arange(len(centers))
    if reference is not None:
        mapping = metrics.match_labels(labels, reference.labels, len(centers))
    if same_data and np.array_equal(mapping, cached[2]):
        figure = cached[4]  # the same colours: an unchanged chart costs the browser nothing
    else:
        labels, centers = mapping[labels], centers[np.argsort(mapping)]
        scores = metrics.external_scores(dataset.y, labels)
        figure = plotting.kmeans_figure(dataset.X2, labels, centers, dataset.sample, dataset.axes,
                                        ari=scores["ari"] if scores else None,
                                        scaling="standardised" if keys[2] else "own units")
    st.session_state["kmeans_figure"] = (keys, reference_key, mapping, reference, figure)
    return figure


def _kmeans_reference(runner):
    """The frame K-Means is matched to (the latest), and a key that changes when it should be
    matched again: every REMATCH_EPOCHS epochs, and once the run has ended."""
    if runner is None or runner.n_frames == 0:
        return None, None
    latest = runner.latest
    return latest, (runner, "end" if runner.done else latest.epoch // REMATCH_EPOCHS)


def _empty_figure(dataset):
    figure = plotting.kmeans_figure(dataset.X2, [0] * len(dataset.X2), [[math.nan, math.nan]],
                                    dataset.sample, dataset.axes)
    return figure.update_layout(title_text="GANKMeans<br>press Train or Step")


def charts(runner, dataset, controls: dict) -> None:
    """The live scatter, the student's space (learned mode), plain K-Means, then the curves."""
    frame = runner.latest if runner else None
    # From the controls, not the frame: the columns stay put when training starts, so the K-Means
    # chart is not moved (and re-plotted, blank meanwhile) at the first epoch of a learned run.
    learned = controls["teacher_space"] == "learned"
    live, *space, baseline = st.columns(3 if learned else 2)
    if frame is None:
        stacked_chart(live, "live", ("empty", app_data.key(controls)), lambda: _empty_figure(dataset))
    else:
        stacked_chart(live, "live", (runner, frame.epoch, controls["heatmap"]),
                      lambda: _live_figure(runner, dataset, controls["heatmap"]))
    if learned and frame is not None and frame.embedding is not None:
        # where the teacher measures: watch the shapes unfold into separable groups
        stacked_chart(space[0], "space", (runner, frame.epoch),
                      lambda: plotting.embedding_figure(frame, dataset.sample))
    elif learned:
        space[0].caption("The student's space, where the teacher measures distance, appears here "
                         "with the first epoch.")
    baseline.plotly_chart(_kmeans_figure(dataset, controls, runner), key="kmeans", **_CHART)
    if frame is not None:
        curves = _curves(runner)
        # _curves returns its cached figure until it rebuilds: identity is the version. The figure
        # drawn last is held in a slot, so a new one cannot reuse its id.
        stacked_chart(st.container(), "curves", id(curves), lambda: curves, slots=2)  # a new one ~1/s


# A new figure is a new chart in the browser, blank while Plotly draws it: the live chart was blank
# in 17-30 % of animation frames while playing (measured in Chromium). So a chart that changes
# every tick gets slots stacked in one grid cell, the newest in front. While it is drawn it is
# transparent, and the one before shows through. Two slots were not enough once ticks got faster:
# a new figure could replace the last drawn one while the newest was still being drawn (a blank
# frame in 1 of 5 runs of the browser test); with three, the two before the newest are kept.
_STACK_CSS = """<style>
.st-key-{key}_stack {{ display: grid; grid-template-columns: minmax(0, 1fr); }}
.st-key-{key}_stack > div {{ grid-area: 1 / 1; }}
{layers}
</style>"""
_LAYER_CSS = ".st-key-{key}_stack > div:nth-child({child}) {{ z-index: {z}; }}"


def stacked_chart(column, key: str, version, make_figure, slots: int = 3) -> None:
    """Draw a chart in ``column`` over its previous figures, so that it is never blank.

    ``make_figure()`` is called only when ``version`` differs from the last one drawn under
    ``key``; otherwise the same figures are sent again, which the browser does not re-plot.
    The new figure replaces the oldest of ``slots``.
    """
    state = st.session_state.setdefault(f"{key}_slots",
                                        {"version": None, "front": 0, "figures": [None] * slots})
    if version != state["version"]:
        state["front"] = (state["front"] + 1) % slots
        state["figures"][state["front"]] = make_figure()
        state["version"] = version
    # Plain class selectors: `:has()` would be re-checked on every change to the page.
    layers = "\n".join(_LAYER_CSS.format(key=key, child=slot + 1, z=slots - (state["front"] - slot) % slots)
                       for slot in range(slots))
    with column:
        with st.container(key=f"{key}_stack"):
            for slot, figure in enumerate(state["figures"]):
                with st.container(key=f"{key}_{slot}"):
                    if figure is not None:
                        st.plotly_chart(figure, key=f"{key}_chart_{slot}", **_CHART)
        # After the charts: the browser may apply a rerun's elements over several animation frames,
        # and a new order applied before the new chart showed the slot's older figure on top.
        st.html(_STACK_CSS.format(key=key, layers=layers))


def _curves(runner):
    """The curves, rebuilt at most every CURVES_SECONDS while playing.

    Streamlit 1.67 derives a chart's identity from its spec, so every changed figure is a fresh
    Plotly chart in the browser (a full re-plot); an unchanged one costs nothing there.
    """
    cached = st.session_state.get("curves")
    now = time.monotonic()
    fresh = cached is not None and cached[0] is runner and cached[1] == runner.n_frames
    recent = cached is not None and cached[0] is runner and now - cached[2] < CURVES_SECONDS
    if fresh or (recent and runner.status == PLAYING):
        return cached[3]
    figure = plotting.curves_figure(runner.metrics, runner.config.max_epochs)
    st.session_state["curves"] = (runner, runner.n_frames, now, figure)
    return figure


def progress(status: str, frame, max_epochs: int) -> tuple[float, str]:
    """The progress bar's (fraction, text): full once the run has finished, early or not."""
    done = frame.epoch if frame is not None else 0
    if status == "finished" and frame is not None:
        if frame.converged:
            return 1.0, f"Converged at epoch {done}"
        return 1.0, f"Finished: {done} of {max_epochs} epochs"
    text = {"error": "Stopped by an error", PLAYING: "Training…", "paused": "Paused"}.get(status, "Ready")
    return min(1.0, done / max_epochs), f"{text}: {done} of up to {max_epochs} epochs"


def _progress(runner, max_epochs: int) -> None:
    status = runner.status if runner else "idle"
    fraction, text = progress(status, runner.latest if runner else None, max_epochs)
    st.progress(fraction, text=text)


def live_panel(dataset, controls: dict) -> None:
    """Everything that changes per epoch, in a fragment that ticks only while training plays."""
    playing = session.status() == PLAYING

    @st.fragment(run_every=TICK_SECONDS if playing else None)
    def panel():
        runner = session.runner()
        with runner.frozen() if runner else contextlib.nullcontext():
            _panel_body(runner, dataset, controls, playing)

    panel()


def _panel_body(runner, dataset, controls: dict, playing: bool) -> None:
    """One tick of the live panel, all of it from the same frames."""
    max_epochs = runner.config.max_epochs if runner else controls["max_epochs"]
    rows = runner.metrics if runner else []
    metrics_row(rows[-1] if rows else None, dataset.y is not None, max_epochs)
    _progress(runner, max_epochs)
    if runner is not None and runner.error:
        st.error(f"Training stopped: {runner.error}", icon="⚠️")
    charts(runner, dataset, controls)
    if playing and (runner is None or runner.status != PLAYING):
        st.rerun(scope="app")  # stop ticking; show the replay and the right buttons


def replay(dataset, data_info: dict) -> None:
    """After the run: one Plotly figure that animates every epoch in the browser."""
    runner = session.runner()
    if runner is None or not runner.done or runner.n_frames == 0:
        return
    cached = st.session_state.get("replay")
    if cached is None or cached[0] is not runner:
        figure = animation.replay_figure(dataset.X2, runner.replay_frames(), dataset.sample, dataset.axes,
                                        n_epochs=runner.n_frames)
        cached = st.session_state["replay"] = (runner, figure)
    st.subheader("Replay")
    st.caption("Plays in your browser: press Play or drag the epoch slider.")
    st.plotly_chart(cached[1], key="replay_chart", **_CHART)
    downloads(runner, dataset, data_info, cached[1])


def downloads(runner, dataset, data_info: dict, replay_figure) -> None:
    """The finished run's exports: assignments (CSV), config and metrics (JSON), replay (HTML)."""
    cached = st.session_state.get("exports")
    if cached is None or cached[0] is not runner:
        files = {
            "csv": export.assignments_csv(dataset.X, runner.latest, dataset.columns),
            "json": export.run_json(runner.config, [runner.latest], data_info, dataset.y, runner.metrics),
            "html": export.standalone_html(replay_figure),  # the figure shown above, not a rebuild
        }
        cached = st.session_state["exports"] = (runner, files)
    files = cached[1]
    csv_column, json_column, html_column = st.columns(3)
    # Short labels: at 1,024 px a column is about 180 px wide, and longer ones were cut off.
    csv_column.download_button("Assignments (CSV)", files["csv"], "gankmeans_assignments.csv",
                               "text/csv", key="download_csv",
                               help="Every point's features, its cluster, who decided it, and the "
                                    "teacher's and the student's labels")
    json_column.download_button("Run summary (JSON)", files["json"], "gankmeans_run.json",
                                "application/json", key="download_json",
                                help="The settings, the data set, and every epoch's metrics")
    html_column.download_button("Replay (HTML)", files["html"], "gankmeans_replay.html",
                                "text/html", key="download_html",
                                help="The replay above as one file: it plays offline, with no server")


def comparison(dataset, controls: dict) -> None:
    """On request: ARI and NMI of GANKMeans beside K-Means, a Gaussian mixture, spectral
    clustering and DBSCAN on the same data, so a class sees where each method wins."""
    if not st.toggle("Compare with other methods", key="compare"):
        return
    if dataset.y is None:
        st.caption("The comparison needs true labels, and this data set has none.")
        return
    runner = session.runner()
    frame = runner.latest if runner else None
    labels = {"GANKMeans": frame.labels if frame else None}
    labels.update(app_data.baselines(app_data.key(controls), controls["n_clusters"], controls["standardize"],
                                     dataset))
    rows = [_comparison_row(name, dataset.y, found) for name, found in labels.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
        "ari": st.column_config.NumberColumn("ARI", format="%.3f"),
        "nmi": st.column_config.NumberColumn("NMI", format="%.3f"),
        "groups": st.column_config.NumberColumn("groups found"),
        "noise": st.column_config.NumberColumn("left as noise", format="percent")})
    scaling = "standardised" if controls["standardize"] else "in its own units"
    st.caption(f"Every method sees the data {scaling}, as the run's teacher does (*Standardise features*). "
               "Empty cells: GANKMeans before its first epoch, spectral clustering above "
               f"{metrics.SPECTRAL_MAX_SAMPLES:,} points. DBSCAN (radius 0.3 of the data's RMS spread) "
               "finds its own number of groups and leaves sparse points as noise, which scores as "
               "one more group.")


def _comparison_row(method: str, truth, found) -> dict:
    if found is None:
        return {"method": method, "ari": None, "nmi": None, "groups": None, "noise": None}
    # How many groups a method found, and what it left out: DBSCAN's 0.000 on digits means every
    # point was noise, not that its groups were wrong.
    return {"method": method, **metrics.external_scores(truth, found),
            "groups": len(np.unique(found[found >= 0])), "noise": float(np.mean(found < 0))}


def gallery(dataset, controls: dict) -> None:
    """For image data (digits): sample images of each cluster, once the run is paused or done."""
    shape = datasets.IMAGE_SHAPES.get(controls["dataset"])
    runner = session.runner()
    if shape is None or runner is None or runner.status == PLAYING or runner.latest is None:
        return  # drawn between epochs, not every tick: it is there to be looked at
    figure = plotting.image_gallery(dataset.X, runner.latest.labels, shape, random_state=controls["seed"])
    st.plotly_chart(figure, key="gallery", **_CHART)

