"""The offline replay page: a finished run and the app's own player in one HTML file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from . import (
    ASSETS,
    MODULES,
    STYLESHEET,
    compress_grid,
    decision_grid,
    metric_columns,
    plot_bounds,
    replay_deltas,
    scene,
    spread,
)


def asset_text(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def plotly_js_path() -> Path:
    """The plotly.js bundle that the plotly Python package ships (works offline)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


_BOOT = """const sources = JSON.parse(document.getElementById("gk-modules").textContent);
const urls = {};
for (const name of %s) {
  const text = sources[name].replace(/from\\s+"\\.\\/([\\w.-]+)"/g, (_, dep) => `from "${urls[dep]}"`);
  urls[name] = URL.createObjectURL(new Blob([text], {type: "text/javascript"}));
}
import(urls["standalone.js"]);"""


def standalone_html(payload: dict, title: str) -> str:
    """One HTML page that replays a run with the app's player, offline (plotly.js inlined).

    ``payload`` is what the player receives in the app at the end of a run: ``{"scene": ...,
    "run": ..., "rows": ..., "status": ..., "replay": [...]}``. The page links the player's
    modules from Blob URLs made in the page itself, so it requests nothing from any network.
    """
    modules = {name: asset_text(name) for name in MODULES if name != "component.js"}
    order = [name for name in MODULES if name in modules]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{_escape(title)}</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<style>{asset_text(STYLESHEET)}\nbody{{font-family:sans-serif;margin:1rem 2rem}}</style>",
        f"<script>{plotly_js_path().read_text(encoding='utf-8')}</script></head><body>",
        f"<h2>{_escape(title)}</h2><div id='gk-root' class='gk-player'></div>",
        f"<script type='application/json' id='gk-data'>{_script_json(payload)}</script>",
        f"<script type='application/json' id='gk-modules'>{_script_json(modules)}</script>",
        f"<script type='module'>{_BOOT % json.dumps(order)}</script></body></html>",
    ]
    return "\n".join(parts)


def _script_json(value) -> str:
    # Inside <script>, "</" would end the element early.
    return json.dumps(value, allow_nan=False).replace("</", "<\\/")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def replay_payload(X2, frames: Sequence, sample, axes, *, rows: list[dict], max_epochs: int | None = None,
                   y_true_known: bool = False, kmeans: dict | None = None, title: str = "",
                   grids: Sequence | None = None, key: str = "replay") -> dict:
    """The packet that opens a finished run in the player: its scene, every epoch's metrics and
    the frames kept for scrubbing.

    Parameters
    ----------
    X2 : ndarray (n, 2)
        Every point on the plotting axes.
    frames : sequence of Frame
        The frames to scrub through (:func:`gankmeans.player.spread` keeps a long run's few).
    sample : ndarray of int
        The rows drawn.
    axes : (str, str)
    rows : list of dict
        Every epoch's metrics (``Frame.metrics()``, with "ari" and "nmi" when labels are known).
    max_epochs : int, optional
        The run's limit; its last epoch when not given.
    y_true_known : bool
        Whether ``rows`` hold ARI and NMI.
    kmeans : dict, optional
        Plain K-Means' panel (``gankmeans.player.kmeans_panel``).
    title : str
    grids : sequence of bytes, optional
        Each frame's decision grid (``compress_grid``); made from the frames' models for 2-D data
        when omitted.
    """
    frames = list(frames)
    last = frames[-1]
    two_d = len(last.centroids[0]) == 2  # decision regions lie in the input: 2-D data only
    if grids is None and two_d and last.model is not None:
        grids = [compress_grid(decision_grid(frame.model, plot_bounds(X2))) for frame in frames]
    the_scene = scene(X2, sample, axes, len(last.centroids), key=key, title=title, kmeans=kmeans,
                      teacher_space="learned" if last.embedding is not None else "input",
                      has_labels=y_true_known, regions=grids is not None)
    status = {"state": "finished", "max_epochs": max_epochs or last.epoch, "converged": bool(last.converged)}
    return {"scene": the_scene, "run": key, "sync": True, "base": 0, "rows": metric_columns(rows),
            "status": status, "regions": grids is not None,
            "replay": replay_deltas(frames, X2, sample, grids)}


def run_page(X2, frames: Sequence, sample, axes, *, rows: list[dict], title: str, **options) -> str:
    """:func:`standalone_html` of :func:`replay_payload`, keeping at most REPLAY_FRAMES frames."""
    payload = replay_payload(X2, spread(frames), sample, axes, rows=rows, title=title, **options)
    return standalone_html(payload, title)
