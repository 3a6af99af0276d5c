"""The main view: the player (live run, then its replay), the exports, the gallery and the comparison."""

from __future__ import annotations

import contextlib
import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from gankmeans import datasets, export, metrics, player, plotting
from gankmeans.player import page

from . import data as app_data
from . import player as player_element
from . import session
from .runner import PLAYING

# Seconds between display ticks while playing: each tick sends the new epochs in one packet, and
# the player spreads them over the next tick (measured with benchmarks/bench_app.py).
TICK_SECONDS = 0.25
# While a run is paused its page still ticks this often, to tell the training pool that it is open
# (the pool releases runs it has not heard of in ui.worker.IDLE_RELEASE_S). The ticks come from the
# browser, so a closed page sends none. Chrome slows the timers of hidden tabs to once a minute.
KEEPALIVE_SECONDS = 30.0


# A projector's 768 lines: less empty space above the title, and a title that leaves room for
# the metrics and the whole live chart under it.
_PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.9rem; padding: 0 0 0.1rem 0; }
</style>"""


def page_style() -> None:
    st.html(_PAGE_CSS)


def scene_key(controls: dict) -> str:
    """What the player's panels depend on: the data, K and scaling (plain K-Means), the teacher's space."""
    parts = (app_data.key(controls), controls["n_clusters"], controls["standardize"],
             controls["teacher_space"])
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _kmeans(dataset, controls: dict):
    """Plain K-Means' labels and centres, on the data scaled as the run's teacher sees it."""
    kmeans_key = (app_data.key(controls), controls["n_clusters"], controls["standardize"])
    return app_data.remembered("kmeans", kmeans_key, lambda: app_data.kmeans(*kmeans_key, dataset))


def _scene(dataset, controls: dict) -> dict:
    labels, centers = _kmeans(dataset, controls)
    scores = metrics.external_scores(dataset.y, labels)
    kmeans = player.kmeans_panel(labels, centers, dataset.sample, scores["ari"] if scores else None,
                                 note="(standardised)" if controls["standardize"] else "(own units)")
    n_features = dataset.X.shape[1]
    note = "" if n_features <= 2 else (
        f"The charts show a 2-D PCA projection of the {n_features} features; training and every metric "
        "use all of them.")
    return player.scene(dataset.X2, dataset.sample, dataset.axes, controls["n_clusters"],
                        key=scene_key(controls), teacher_space=controls["teacher_space"],
                        has_labels=dataset.y is not None, regions=n_features == 2, kmeans=kmeans,
                        title=run_title(dataset.info, controls), note=note)


def run_title(data_info: dict, controls: dict) -> str:
    """The data set and the settings a run is known by, e.g. for the offline replay's heading."""
    source = data_info.get("file") or data_info.get("dataset", "data")
    space = ", learned space" if controls["teacher_space"] == "learned" else ""
    return f"GANKMeans on {source}: K = {controls['n_clusters']}{space}, seed {controls['seed']}"


def _view(dataset, controls: dict, runner) -> dict:
    """What the feed needs of the data: the drawn rows, the regions switch and K-Means' colours."""
    kmeans_map = None
    if runner is not None and runner.latest is not None:
        labels, _ = _kmeans(dataset, controls)
        # Plain K-Means coloured like the run's clusters: the same blob, the same colour.
        kmeans_map = metrics.match_labels(labels, runner.latest.labels, len(runner.latest.centroids))
    return {"X2": dataset.X2, "sample": dataset.sample, "regions": bool(controls["heatmap"]),
            "kmeans_map": kmeans_map, "max_epochs": controls["max_epochs"]}


def run_error() -> None:
    """Why the run stopped, if an error stopped it (the player's progress line says so too)."""
    runner = session.runner()
    if runner is not None and runner.error:
        st.error(f"Training stopped: {runner.error}", icon="⚠️")


def live_panel(dataset, controls: dict) -> None:
    """The player, fed by a fragment that ticks while training plays (and slowly while paused).

    The player asks for each tick itself, once it has taken the packet before (its "next" state,
    after ``packet["next"]`` seconds), so a page never has more than one packet on the way. With
    ``run_every`` a page that fell behind (20 pages in one browser on 2 cores) kept its timer asking
    4 times a second while it worked through the packets already sent: minutes behind, it asked on
    long after its run had ended, and lost the final rerun's download buttons.
    """
    playing = session.status() == PLAYING
    current = session.runner()
    open_run = current is not None and not current.done
    every = TICK_SECONDS if playing else KEEPALIVE_SECONDS if open_run else None

    @st.fragment
    def panel():
        runner, feed = session.runner(), session.feed()
        with runner.frozen() if runner else contextlib.nullcontext():  # one state for the whole packet
            packet = feed.packet(scene_key(controls), lambda: _scene(dataset, controls), runner,
                                 _view(dataset, controls, runner))
        if every:
            packet["next"] = every
        player_element.show(packet, feed)
        if playing and (runner is None or runner.status != PLAYING):
            _rerun_after_this_tick()

    panel()


def _rerun_after_this_tick() -> None:
    # Stop ticking, and show the buttons and exports of a finished run. Not in the tick that carried
    # the run's last epochs: Streamlit drops an interrupted run's unsent messages (the player would
    # then ask for everything again). One tick later nothing is in flight.
    if st.session_state.pop("rerun_due", False):
        st.rerun(scope="app")
    st.session_state["rerun_due"] = True


def downloads(dataset, controls: dict) -> None:
    """The finished run's exports: assignments (CSV), config and metrics (JSON), replay (HTML).

    A click reruns nothing (``on_click="ignore"``). A rerun would drop the page's file references
    while it ran, and under a class's load another session's script could delete the file before
    the browser fetched it (measured: 15 of 20 pages got no download). The replay page (~5 MB, with
    plotly.js inside) is made only when asked for, in Streamlit's download thread, from what this
    run drew.
    """
    runner = session.runner()
    if runner is None or not runner.done or runner.n_frames == 0:
        return
    cached = st.session_state.get("exports")
    if cached is None or cached[0] is not runner:
        files = {
            "csv": export.assignments_csv(dataset.X, runner.latest, dataset.columns),
            "json": export.run_json(runner.config, [runner.latest], dataset.info, dataset.y, runner.metrics),
            "html": _replay_page(runner, dataset, _scene(dataset, controls), _kmeans(dataset, controls)[0]),
        }
        cached = st.session_state["exports"] = (runner, files)
    files = cached[1]
    csv_column, json_column, html_column = st.columns(3)
    # Short labels: at 1,024 px a column is about 180 px wide, and longer ones were cut off.
    csv_column.download_button("Assignments (CSV)", files["csv"], "gankmeans_assignments.csv",
                               "text/csv", key="download_csv", on_click="ignore",
                               help="Every point's features, its cluster, who decided it, and the "
                                    "teacher's and the student's labels")
    json_column.download_button("Run summary (JSON)", files["json"], "gankmeans_run.json",
                                "application/json", key="download_json", on_click="ignore",
                                help="The settings, the data set, and every epoch's metrics")
    html_column.download_button("Replay (HTML)", files["html"], "gankmeans_replay.html",
                                "text/html", key="download_html", on_click="ignore",
                                help="The player above as one file: it replays the run offline, no server")


def _replay_page(runner, dataset, scene: dict, kmeans_labels):
    """The offline page of this run, in the same player with the same panels: a function that
    makes it, called by Streamlit when the button is clicked (outside the script: it reads no
    session state)."""
    # What the page needs of the run, taken here, in the script thread.
    frames, grids = zip(*runner.replay_frames(), strict=True)
    rows, latest, max_epochs = runner.metrics, runner.latest, runner.config.max_epochs

    def make() -> str:
        payload = page.replay_payload(
            dataset.X2, frames, dataset.sample, dataset.axes, rows=rows, max_epochs=max_epochs,
            y_true_known=dataset.y is not None, kmeans=scene["kmeans"], title=scene["title"],
            grids=grids if dataset.X.shape[1] == 2 else None)
        payload["kmeans_map"] = metrics.match_labels(kmeans_labels, latest.labels,
                                                     len(latest.centroids)).tolist()
        return page.standalone_html(payload, scene["title"])

    return make


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
    st.plotly_chart(figure, key="gallery", config={"displaylogo": False}, width="content")
