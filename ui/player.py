"""The player element: our Components v2 element that draws the run in the page.

The player itself is plain JavaScript beside ``gankmeans/player`` (the offline replay page uses the
same files). Its modules and plotly.js are served as static files (``server.enableStaticServing``),
copied under ``static/`` into a folder named by their content, so a browser never runs a stale
copy. Only a small loader travels inside the element: its code is resent with every tick.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import streamlit as st

from gankmeans import player as wire
from gankmeans.player import page

STATIC = Path(__file__).resolve().parents[1] / "static"  # Streamlit serves it as app/static/

_LOADER = """export default async function (component) {
  const base = new URL("%(folder)s", document.baseURI).href;
  if (!window.gkPlotly) {
    window.gkPlotly = new Promise((resolve, reject) => {
      const script = Object.assign(document.createElement("script"), {src: base + "plotly.min.js"});
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    document.head.appendChild(Object.assign(document.createElement("link"),
                                            {rel: "stylesheet", href: base + "%(css)s"}));
  }
  const [module] = await Promise.all([import(base + "component.js"), window.gkPlotly]);
  return module.default(component);
}"""


def install_assets() -> str:
    """Copy the player's files and plotly.js into static/; returns their folder's URL path."""
    files = {name: wire.ASSETS / name for name in (*wire.MODULES, wire.STYLESHEET)}
    files["plotly.min.js"] = page.plotly_js_path()
    digest = hashlib.sha256()
    for name, path in sorted(files.items()):
        digest.update(name.encode() + path.read_bytes())
    folder = STATIC / f"gankmeans-{digest.hexdigest()[:12]}"
    if not folder.is_dir():
        draft = STATIC / f".draft-{os.getpid()}-{folder.name}"
        draft.mkdir(parents=True, exist_ok=True)
        for name, path in files.items():
            shutil.copyfile(path, draft / name)
        try:
            draft.rename(folder)  # whole or not at all: replicas may start together
        except OSError:
            shutil.rmtree(draft, ignore_errors=True)  # another process was first
        for old in STATIC.glob("gankmeans-*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
    return f"app/static/{folder.name}/"


_ELEMENT = st.components.v2.component(
    "gankmeans_player", html='<div class="gk-player"></div>',
    js=_LOADER % {"folder": install_assets(), "css": wire.STYLESHEET},
    # In the page, not a shadow root: Plotly adds its own styles to the page's head.
    isolate_styles=False)


def _next_tick() -> None:
    """The player took its packet and asks for the next: the fragment's rerun is the tick."""


def show(packet: dict, feed) -> None:
    """Hand the player its next packet (see ui.feed.Feed.packet and ui.view.live_panel)."""
    # A keyed container keeps the element's identity (one mount per session) when blocks before
    # it appear or disappear; a remount would draw the whole scene again.
    with st.container(key="player_box"):
        _ELEMENT(key="player", data=packet, on_sync_change=feed.request_sync, on_next_change=_next_tick)
