"""Load test: one server, a class of browser sessions training at the same time.

Each session (its own Playwright context, so its own Streamlit session) opens a link with its own
seed, N points and a number of epochs at full speed. Then all press Train at once, as a class does
on the lecturer's word: each page clicks its own Train button at the same moment, scheduled in the
page. (Playwright's clicks go one page at a time through one browser; once ten pages draw their
runs, each click waited ~2.5 s for it, and twenty clicks spread over 50 s.)
Checks that:
- every session finishes, and its run equals train() headless for its settings: every epoch's
  metrics in its JSON export and every point's cluster in its CSV export, bit for bit;
- no page shows an error, and no browser page crashed;
- the server's memory (the Streamlit process plus its training processes, from /proc) stays under
  MEMORY_BOUND_MB;
- the slowest session's epochs/s (Train click to "Finished" on its page) is at least half the
  fastest's;
- once every page has closed, memory returns to within 15 % of the idle server's (a server that
  has served one page, so that its training pool is up).
Pages that waited for a training slot (a saturated pool) record the places in line they showed.
Prints a Markdown table and exits non-zero if a check fails.

Run: python benchmarks/bench_load.py [--sessions 20] [--epochs 100] [--n-samples 500]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import APP_READY, CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402
from proc_tree import MemoryWatch, memory, tree_cpu_s  # noqa: E402

from gankmeans import datasets, train  # noqa: E402
from ui import controls, pool  # noqa: E402

MEMORY_BOUND_MB = 2_500
MEMORY_RETURN = 0.15  # after the pages close, within this share of the idle server's memory
FAIRNESS = 0.5  # slowest session's epochs/s over the fastest's, at least
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
EPOCH = "() => { const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');" \
        " return cell && cell.textContent ? parseInt(cell.textContent) : -1; }"
SHOWN = """() => Object.fromEntries([...document.querySelectorAll('.gk-metric')]
  .map(cell => [cell.dataset.metric, cell.querySelector('.gk-metric-value').textContent]))"""
# Installed in every page before it loads: the wall-clock times of the Train click, the first
# epoch drawn and "Finished", and every place in line the progress line showed.
RECORD = r"""(() => { const log = window.__gk = {clicked: null, first: null, finished: null, places: []};
  document.addEventListener('click', event => { const button = event.target.closest('button');
    if (button && button.innerText.trim() === 'Train' && log.clicked === null) log.clicked = Date.now();
  }, true);
  const look = () => {
    const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');
    const said = (document.querySelector('.gk-progress-text') || {}).textContent || '';
    const epoch = cell ? parseInt(cell.textContent) : 0;
    if (log.clicked !== null && log.first === null && epoch >= 1) log.first = Date.now();
    const place = /number (\d+) in line/.exec(said);
    if (place && !log.places.includes(+place[1])) log.places.push(+place[1]);
    if (log.finished === null && /^(Finished|Converged)/.test(said)) log.finished = Date.now();
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, characterData: true});
})();"""


def session_values(seed: int, epochs: int, n_samples: int) -> dict:
    return {**controls.DEFAULTS, "n_samples": n_samples, "seed": seed, "max_epochs": epochs, "tol": 0.0,
            "speed": "max"}


def link(url: str, values: dict) -> str:
    keys = ("n_samples", "seed", "max_epochs", "tol", "speed")
    return url + "/?" + "&".join(f"{k}={values[k]}" for k in keys)


def headless(values: dict) -> dict:
    """What the session should give: the same data and config through train() alone."""
    X, y = datasets.load(values["dataset"], values["n_samples"], values["noise"], values["seed"])
    # One thread, as in the app's training processes: another thread count sums in another order,
    # and over hundreds of adversarial epochs those last-bit differences grow into other labels.
    torch.set_num_threads(1)
    frames = list(train(X, controls.to_config(values)))
    return {"frames": frames, "config": controls.to_config(values).to_dict()}


def download(page, label: str) -> bytes | None:
    """The file a download button serves; None if the page cannot give it."""
    try:
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name=label).click()
        return Path(info.value.path()).read_bytes()
    except PlaywrightError:
        return None


def compare_with_headless(run_json: bytes | None, csv: bytes | None, expected: dict) -> str:
    """"yes" if every epoch's metrics and every point's cluster are exactly headless train()'s,
    else what differs."""
    if run_json is None or csv is None:
        return "NO: no export"
    record = json.loads(run_json)
    if record["config"] != expected["config"]:
        return "NO: another config"
    keys = ("epoch", "d_loss", "g_loss", "agreement", "inertia", "student_share", "phase")
    shown = [[row[k] for k in keys] for row in record["epochs"]]
    made = [[frame.metrics()[k] for k in keys] for frame in expected["frames"]]
    if shown != made:
        differ = next((row[0] for row, other in zip(shown, made, strict=False) if row != other),
                      min(len(shown), len(made)) + 1)
        return f"NO: from epoch {differ} ({len(shown)} epochs exported)"
    clusters = pd.read_csv(io.BytesIO(csv))["cluster"].to_numpy()
    return "yes" if np.array_equal(clusters, expected["frames"][-1].labels) else "NO: other clusters"


def _count(page, selector: str) -> int:
    try:
        return page.locator(selector).count()
    except PlaywrightError:
        return 0


def warm_up(browser, url: str) -> None:
    """One page that trains an epoch and closes: the server is then idle, with its pool up."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(APP_READY, timeout=300_000)
    for epoch in (0, 1):  # Step 0 shows the starting centroids; the next Step trains epoch 1
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(f"({EPOCH})() === {epoch}", timeout=300_000)
    context.close()


def open_pages(browser, url: str, settings: list[dict], crashed: set) -> list:
    pages = []
    for values in settings:  # one context each: separate cookies, separate sessions
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        context.add_init_script(RECORD)
        page = context.new_page()
        page.on("crash", lambda _, seed=values["seed"]: crashed.add(seed))  # Chromium's own failure
        page.goto(link(url, values))
        pages.append(page)
    for page in pages:
        page.wait_for_selector(APP_READY, timeout=300_000)
        page.wait_for_function(f"({EPOCH})() === 0", timeout=300_000)
    return pages


# Clicks the page's Train button at the wall-clock time given (ms), or at once if that has passed.
CLICK_AT = """at => { const train = [...document.querySelectorAll('button')]
  .find(button => button.innerText.trim() === 'Train' && !button.disabled);
  if (!train) return false;
  setTimeout(() => train.click(), Math.max(0, at - Date.now()));
  return true; }"""


def press_train_together(pages, lead_s: float = 3.0) -> None:
    """Every page presses Train at the same moment, ``lead_s`` seconds from now (one machine: one clock)."""
    at = time.time() * 1000 + lead_s * 1000
    for page in pages:
        if not page.evaluate(CLICK_AT, at):
            raise RuntimeError("A page has no enabled Train button.")


def wait_finished(pages, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for page in pages:
        with contextlib.suppress(PlaywrightError):  # reported below: its log has no finish
            page.wait_for_function("() => window.__gk.finished !== null",
                                   timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=500)


def collect(page, values: dict, crashed: set, screenshots: Path) -> dict:
    """What one page showed and served once its run ended."""
    try:
        page.wait_for_selector(APP_READY, timeout=60_000)
        settled = True
    except PlaywrightError:  # reported below, with what the page showed
        settled = False
    with contextlib.suppress(PlaywrightError):  # a crashed page has no screen to save
        page.screenshot(path=screenshots / f"session_{values['seed']}.png", full_page=True)
    try:
        log, shown = page.evaluate("() => window.__gk"), page.evaluate(SHOWN)
    except PlaywrightError:
        log, shown = {"clicked": None, "first": None, "finished": None, "places": []}, {}
    return {"seed": values["seed"], "log": log, "shown": shown, "errors": _count(page, ERRORS),
            "settled": settled, "crashed": values["seed"] in crashed,
            "json": download(page, "Run summary (JSON)"), "csv": download(page, "Assignments (CSV)")}


def run_load(args, settings: list[dict]) -> dict:
    """Start a server, drive every session, close them all; returns what was measured."""
    from playwright.sync_api import sync_playwright

    process, url = start_app(log=args.log)
    crashed: set = set()
    measured = {"cold_mb": memory(process.pid)}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm_up(browser, url)
            time.sleep(args.settle)
            measured["idle_mb"] = memory(process.pid)
            pages = open_pages(browser, url, settings, crashed)
            measured["loaded_mb"] = memory(process.pid)
            watch = MemoryWatch(process.pid)
            watch.start()
            cpu_before, started = tree_cpu_s(process.pid), time.monotonic()
            press_train_together(pages)
            wait_finished(pages, args.timeout)
            measured["peak_mb"] = watch.stop()
            cpu_after = tree_cpu_s(process.pid)
            measured["cpu"] = {"server": cpu_after[0] - cpu_before[0], "pool": cpu_after[1] - cpu_before[1],
                               "wall": time.monotonic() - started}
            measured["rows"] = [collect(page, values, crashed, args.screenshots)
                                for page, values in zip(pages, settings, strict=True)]
            for page in pages:
                page.context.close()
            browser.close()
            time.sleep(args.settle)
            measured["after_mb"] = memory(process.pid)
    finally:
        stop_app(process)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--n-samples", type=int, default=500)
    parser.add_argument("--log", type=Path, help="write the server's output here")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for all runs")
    parser.add_argument("--settle", type=float, default=10, help="seconds before an idle memory reading")
    parser.add_argument("--screenshots", type=Path, default=Path(tempfile.gettempdir()) / "bench_load",
                        help="folder for each session's final full-page screenshot")
    args = parser.parse_args()
    args.screenshots.mkdir(parents=True, exist_ok=True)
    settings = [session_values(seed, args.epochs, args.n_samples) for seed in range(1, args.sessions + 1)]
    load_before = os.getloadavg()
    measured = run_load(args, settings)
    measured["load"] = (load_before, os.getloadavg())
    rows = measured["rows"]
    started = time.perf_counter()
    for row, values in zip(rows, settings, strict=True):
        row["same"] = compare_with_headless(row["json"], row["csv"], headless(values))
        if row["same"] != "yes":  # kept for a look at what differs
            (args.screenshots / f"session_{values['seed']}.json").write_bytes(row["json"] or b"")
        del row["json"], row["csv"]
    measured["headless_ms"] = 1000 * (time.perf_counter() - started) / (args.sessions * args.epochs)
    for row in rows:
        log = row["log"]
        done = log["clicked"] is not None and log["finished"] is not None
        row["seconds"] = (log["finished"] - log["clicked"]) / 1000 if done else None
        row["rate"] = args.epochs / row["seconds"] if done else 0.0
    results = checks(args, rows, measured)
    report(args, rows, results, measured)
    return 0 if all(results.values()) else 1


def checks(args, rows: list[dict], measured: dict) -> dict[str, bool]:
    rates = [row["rate"] for row in rows]
    clicks = [row["log"]["clicked"] for row in rows if row["log"]["clicked"] is not None]
    idle, after = measured["idle_mb"][0], measured["after_mb"][0]
    return {
        "all pressed Train within 10 s": len(clicks) == len(rows) and max(clicks) - min(clicks) <= 10_000,
        "all finished": all(row["shown"].get("epoch") == f"{args.epochs} / {args.epochs}" for row in rows),
        "each equals its own headless run (every epoch's metrics, every point's cluster)":
            all(row["same"] == "yes" for row in rows),
        "no error on any page": not any(row["errors"] for row in rows),
        "every page idle after its run": all(row["settled"] for row in rows),
        "no browser page crashed": not any(row["crashed"] for row in rows),
        f"server memory < {MEMORY_BOUND_MB:,} MB": measured["peak_mb"][0] < MEMORY_BOUND_MB,
        f"slowest session's epochs/s >= {FAIRNESS} x the fastest's": min(rates) >= FAIRNESS * max(rates) > 0,
        f"memory after the pages closed within {MEMORY_RETURN:.0%} of the idle server's":
            after <= (1 + MEMORY_RETURN) * idle,
    }


def report(args, rows, results: dict[str, bool], measured: dict) -> None:
    processes, runs, method = pool.settings()
    (before, after) = measured["load"]
    print(f"Command: `python benchmarks/bench_load.py --sessions {args.sessions} --epochs {args.epochs} "
          f"--n-samples {args.n_samples}`  ")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with the browser), "
          f"Python {platform.python_version()}, headless Chromium; blobs, N = {args.n_samples:,}, "
          f"{args.epochs} epochs, speed max, a different seed per session; training pool: {processes} "
          f"processes ({method}), {runs} runs each at once. Load average (1 min) {before[0]:.2f} before, "
          f"{after[0]:.2f} after.\n")
    print("| session (seed) | Train to finished | epochs/s | place in line shown "
          "| Epoch / Inertia / ARI shown | equals headless | errors |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        shown = row["shown"]
        triple = " / ".join(str(shown.get(k)) for k in ("epoch", "inertia", "ari"))
        seconds = f"{row['seconds']:.1f} s" if row["seconds"] else "never"
        places = ", ".join(map(str, row["log"]["places"])) or "-"
        errors = f"{row['errors']}{' (page crashed)' if row['crashed'] else ''}"
        print(f"| {row['seed']} | {seconds} | {row['rate']:.2f} | {places} | {triple} | "
              f"{row['same']} | {errors} |")
    clicks = [row["log"]["clicked"] for row in rows if row["log"]["clicked"] is not None]
    print(f"\nAll Train clicks within {(max(clicks) - min(clicks)) / 1000:.1f} s." if clicks else "")
    cpu = measured["cpu"]
    print(f"\nFrom the first Train click until every page said Finished ({cpu['wall']:.1f} s): the Streamlit "
          f"process used {cpu['server']:.1f} CPU s, the training processes {cpu['pool']:.1f} CPU s "
          f"({1000 * cpu['pool'] / (args.sessions * args.epochs):.1f} ms per epoch trained; headless train() "
          f"afterwards, one run at a time: {measured['headless_ms']:.1f} ms per epoch).")
    print("\n| server memory (RSS) | all, MB | Streamlit process | training processes |\n|---|---|---|---|")
    for label, key in (("started, no page yet", "cold_mb"), ("idle: one page served and closed", "idle_mb"),
                       (f"{args.sessions} sessions open", "loaded_mb"),
                       (f"peak while all {args.sessions} train", "peak_mb"),
                       (f"{args.settle:.0f} s after every page closed", "after_mb")):
        total, streamlit = measured[key]
        print(f"| {label} | {total:,.0f} | {streamlit:,.0f} | {total - streamlit:,.0f} |")
    print()
    for name, ok in results.items():
        print(f"- {'PASS' if ok else 'FAIL'}: {name}")
    print(f"\nEach session's last screen: {args.screenshots}/session_<seed>.png")


if __name__ == "__main__":
    sys.exit(main())
