"""The Runs table in headless Chromium: a run restored from the table trains to the original's metrics."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import APP_READY
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EPOCH_VALUE = """() => {
  const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');
  return cell && cell.textContent ? parseInt(cell.textContent) : -1; }"""
METRICS = """() => Object.fromEntries([...document.querySelectorAll('.gk-metric')]
  .map(cell => [cell.dataset.metric, cell.querySelector('.gk-metric-value').textContent]))"""
EPOCHS = 6


def train_to_the_end(page) -> dict:
    """Press Train, wait for the run's end (Train enabled again); the metrics row it ended on."""
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(f"({EPOCH_VALUE})() === {EPOCHS}", timeout=90_000)
    train = page.get_by_role("button", name="Train", exact=True)
    page.wait_for_function("(b) => !b.disabled", arg=train.element_handle(), timeout=30_000)
    page.wait_for_selector(APP_READY)
    return page.evaluate(METRICS)


def choose(page, label: str, typed: str, option: re.Pattern) -> None:
    """Pick an option of a selectbox: typing opens its list (a bare click did not, headless)."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option).click()
    page.wait_for_selector(APP_READY)


def runs_csv(page) -> pd.DataFrame:
    with page.expect_download() as download:
        page.get_by_role("button", name="Runs (CSV)").click()
    with open(download.value.path()) as file:
        return pd.read_csv(io.StringIO(file.read()))


def test_a_run_restored_from_the_table_ends_with_the_original_s_metrics(app_server, page):
    page.goto(f"{app_server}/?max_epochs={EPOCHS}&speed=max&tol=0.0&lr_student=0.01&seed=2")
    page.wait_for_selector(APP_READY, timeout=60_000)
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=60_000)
    original = train_to_the_end(page)
    seed = page.get_by_label("Random seed", exact=True)
    seed.fill("0")
    seed.press("Enter")
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=30_000)
    other = train_to_the_end(page)
    assert other["inertia"] != original["inertia"]  # another data set: the comparison below can fail
    choose(page, "Run to restore", "Run 1", re.compile(r"^Run 1: blobs, seed=2"))
    page.get_by_role("button", name="Restore", exact=True).click()
    page.wait_for_selector(APP_READY)
    page.wait_for_function("() => /[?&]seed=2(&|$)/.test(location.search)", timeout=30_000)
    expect(page.get_by_label("Random seed", exact=True)).to_have_value("2")  # the box follows the URL
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=30_000)
    restored = train_to_the_end(page)
    assert restored == original
    table = runs_csv(page).set_index("run")
    assert list(table.index) == [1, 2, 3] and table.loc[3, "settings"] == table.loc[1, "settings"]
    for column in ("epochs", "inertia", "ari", "nmi", "agreement", "student_share"):
        assert table.loc[3, column] == table.loc[1, column]
    assert page.locator("[data-testid='stException']").count() == 0


def download(page, label: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_bytes()


def test_a_finished_run_s_three_downloads_are_this_run_and_rerun_nothing(app_server, page):
    page.goto(f"{app_server}/?max_epochs={EPOCHS}&speed=max&tol=0.0&seed=3")
    page.wait_for_selector(APP_READY, timeout=60_000)
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=60_000)
    shown = train_to_the_end(page)
    page.evaluate("""() => { window.__runs = 0; new MutationObserver(() => {
        if (document.querySelector("[data-test-script-state='running']")) window.__runs += 1;
      }).observe(document.body, {subtree: true, attributes: true}); }""")
    summary = json.loads(download(page, "Run summary (JSON)"))
    assignments = pd.read_csv(io.BytesIO(download(page, "Assignments (CSV)")))
    replay = download(page, "Replay (HTML)").decode()  # made on the click (deferred)
    assert [row["epoch"] for row in summary["epochs"]] == list(range(1, EPOCHS + 1))
    assert f"{summary['epochs'][-1]['inertia']:,.1f}" == shown["inertia"]
    assert summary["config"]["random_state"] == 3 and len(assignments) == 500
    k = summary["config"]["n_clusters"]
    assert set(assignments["cluster"]) == set(range(k))
    assert f"GANKMeans on blobs: K = {k}, seed 3" in replay and "Plotly" in replay
    assert page.evaluate("window.__runs") == 0  # no download reran the page
