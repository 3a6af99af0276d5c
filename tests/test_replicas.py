"""Two replicas behind nginx (deploy/), in headless Chromium: sessions spread over both, each trains
to its headless result, and when one replica stops mid-run its pages show Streamlit's reconnect
message (no traceback) while the other replica's pages carry on untouched; a reload moves a page
of the stopped replica to the live one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import APP_READY, free_port, nginx_or_skip

from deploy import replicas
from gankmeans import datasets, train
from ui import controls

pytestmark = pytest.mark.browser

SESSIONS, N_SAMPLES, EPOCHS = 6, 300, 30
EPOCH = """() => { const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');
  return cell && cell.textContent ? parseInt(cell.textContent) : -1; }"""
# Every text Streamlit's connection messages showed since the page opened: its status indicator
# ("Connecting"; hidden by toolbarMode = "minimal") and its dialog ("Connection error ... not
# responding"), which it shows while it retries, until the server answers again.
WATCH_CONNECTION = """(() => { const seen = window.__connection = [];
  new MutationObserver(() => {
    for (const id of ['stConnectionStatus', 'stDialog']) {
      const element = document.querySelector(`[data-testid=${id}]`);
      const text = element ? element.textContent.trim() : '';
      if (text && !seen.includes(text)) seen.push(text);
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();"""
LOST = "() => window.__connection.some(text => /^Connecting|^Connection error/.test(text))"
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    nginx_or_skip()
    started = replicas.start(2, free_port(), tmp_path_factory.mktemp("replicas"), processes=1)
    yield started
    started.stop()


def settings(seed: int) -> dict:
    return {**controls.DEFAULTS, "n_samples": N_SAMPLES, "seed": seed, "max_epochs": EPOCHS, "tol": 0.0}


def headless_epochs(values: dict) -> list[list]:
    X, _ = datasets.load(values["dataset"], values["n_samples"], values["noise"], values["seed"])
    frames = train(X, controls.to_config(values))
    return [[frame.epoch, frame.inertia, frame.d_loss, frame.g_loss] for frame in frames]


def exported_epochs(page) -> list[list]:
    """Every epoch of the page's run, from its JSON export (full precision)."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Run summary (JSON)").click()
    rows = json.loads(Path(download.value.path()).read_text())["epochs"]
    return [[row["epoch"], row["inertia"], row["d_loss"], row["g_loss"]] for row in rows]


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_sessions_spread_over_both_replicas_and_survive_the_loss_of_one(deployment, browser):
    pages, served_by = [], []
    for seed in range(1, SESSIONS + 1):
        context = browser.new_context(viewport={"width": 1300, "height": 900})  # its own cookies
        context.add_init_script(WATCH_CONNECTION)
        page = context.new_page()
        response = page.goto(f"{deployment.url}/?n_samples={N_SAMPLES}&seed={seed}&max_epochs={EPOCHS}"
                             "&tol=0.0&speed=max")
        served_by.append(response.headers["x-upstream"])
        pages.append(page)
    assert set(served_by) == {f"127.0.0.1:{port}" for port in deployment.ports}  # both serve sessions
    try:
        # Every session trains to the end, each to exactly its headless run.
        for page in pages:
            page.wait_for_selector(APP_READY, timeout=120_000)
            page.wait_for_function(f"({EPOCH})() === 0", timeout=120_000)
            press(page, "Train")
        for page in pages:
            page.get_by_text("Finished:").wait_for(timeout=180_000)
            page.wait_for_selector(APP_READY, timeout=60_000)
        for seed, page in enumerate(pages, start=1):
            assert exported_epochs(page) == headless_epochs(settings(seed)), f"session {seed}"
        # Again, slower (5 epochs a second), and one replica stops while its pages train.
        for page in pages:
            page.get_by_role("slider", name="Speed (epochs per second)").press("Home")
            page.get_by_role("slider", name="Speed (epochs per second)").press("ArrowRight")
            page.get_by_role("slider", name="Speed (epochs per second)").press("ArrowRight")
            page.wait_for_selector(APP_READY, timeout=60_000)
            press(page, "Train")
            page.wait_for_function("() => document.querySelector('.gk-progress-text').textContent"
                                   ".startsWith('Training')", timeout=60_000)
        stopped = f"127.0.0.1:{deployment.ports[0]}"
        victims = [page for page, address in zip(pages, served_by, strict=True) if address == stopped]
        survivors = [page for page in pages if page not in victims]
        for page in victims:
            page.wait_for_function(f"({EPOCH})() >= 2", timeout=60_000)
        deployment.stop_replica(0)
        for page in victims:  # Streamlit's own reconnect message, not a traceback
            page.wait_for_function(LOST, timeout=60_000)
        for page in survivors:  # untouched: the run goes on to the same end, never reconnecting
            page.get_by_text(f"Finished: {EPOCHS} of {EPOCHS} epochs").wait_for(timeout=120_000)
            page.wait_for_selector(APP_READY, timeout=60_000)
            seed = pages.index(page) + 1
            assert exported_epochs(page) == headless_epochs(settings(seed)), f"session {seed}"
            assert not page.evaluate(LOST), page.evaluate("() => window.__connection")
        for page in pages:
            assert page.locator(ERRORS).count() == 0
        reloaded = victims[0].reload()  # a reload moves a page of the stopped replica to the live one
        assert reloaded.headers["x-upstream"] != stopped
        victims[0].wait_for_selector(APP_READY, timeout=120_000)
        victims[0].wait_for_function(f"({EPOCH})() === 0", timeout=120_000)
    finally:
        for page in pages:
            page.context.close()
