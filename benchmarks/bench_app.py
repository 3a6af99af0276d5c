"""Drive the real app in headless Chromium and print a Markdown table of what a user would feel.

Run: python benchmarks/bench_app.py [--screenshot docs/screenshot.png]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import APP_READY, CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

from gankmeans import datasets, train  # noqa: E402
from ui import controls  # noqa: E402

SIZES = (500, 2_000, 20_000)
RUN_EPOCHS = 150
WINDOW_S = 4.0
METRIC_JS = """(label) => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]
  .find(e => e.innerText.startsWith(label));
  return m ? m.querySelector('[data-testid=stMetricValue]').innerText : null; }"""
# Counts what the browser shows: every new (higher) Epoch value, with its time. Only increases
# count: while Streamlit swaps a stale element for its fresh one the value can flip back and forth,
# and counting every change once reported more displayed frames than epochs trained.
WATCH_JS = """() => { window.__epochs = []; const read = () => { const m = [...document
  .querySelectorAll('[data-testid=stMetric]')].find(e => e.innerText.startsWith('Epoch'));
  return m ? parseInt(m.querySelector('[data-testid=stMetricValue]').innerText) : -1; };
  let last = read(); new MutationObserver(() => { const v = read();
  if (v > last) { last = v; window.__epochs.push([performance.now(), v]); } })
  .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""
CLICK_JS = """() => { window.__clicked = null; document.addEventListener('click', e => {
  if (e.target.closest('button') && e.target.closest('button').innerText.trim() === 'Train')
    window.__clicked = performance.now(); }, true); }"""


def set_number(page, label: str, value) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_READY)


def set_slider_end(page, label: str, key: str) -> None:
    """Move a select_slider to its first (Home) or last (End) option."""
    page.get_by_role("slider", name=label).press(key)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_READY)


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def prepare(page, n_samples: int, epochs: int) -> None:
    press(page, "Reset")
    page.wait_for_selector(APP_READY)
    set_number(page, "Number of points", n_samples)
    set_number(page, "Max epochs", epochs)
    page.evaluate(WATCH_JS)
    page.evaluate(CLICK_JS)


def first_frame(page) -> float:
    """Seconds from the Train click (in the page's clock) to Epoch 1 on screen."""
    prepare(page, 500, RUN_EPOCHS)
    press(page, "Train")
    page.wait_for_function("() => window.__epochs.some(e => e[1] >= 1)", timeout=30_000)
    t = page.evaluate("() => window.__epochs.find(e => e[1] >= 1)[0] - window.__clicked")
    press(page, "Pause")
    return t / 1000


def displayed_fps(page, n_samples: int) -> tuple[float, float]:
    """(displayed frames per second, epochs trained per second) over a window mid-run."""
    prepare(page, n_samples, 5_000)
    press(page, "Train")
    page.wait_for_function("() => window.__epochs.length > 0", timeout=30_000)
    page.wait_for_timeout(1000)  # settle
    start = page.evaluate("() => [performance.now(), window.__epochs.length, window.__epochs.at(-1)[1]]")
    page.wait_for_timeout(WINDOW_S * 1000)
    end = page.evaluate("() => [performance.now(), window.__epochs.length, window.__epochs.at(-1)[1]]")
    press(page, "Pause")
    seconds = (end[0] - start[0]) / 1000
    return (end[1] - start[1]) / seconds, (end[2] - start[2]) / seconds


def app_run_time(page, n_samples: int) -> float:
    prepare(page, n_samples, RUN_EPOCHS)
    started = time.perf_counter()
    press(page, "Train")
    page.get_by_text("Finished:").wait_for(timeout=120_000)
    return time.perf_counter() - started


def headless_run_time(n_samples: int) -> float:
    """The same config as the app builds it, through train() alone."""
    values = {**controls.DEFAULTS, "n_samples": n_samples, "max_epochs": RUN_EPOCHS, "tol": 0.0}
    config = controls.to_config(values)
    X, _ = datasets.load(values["dataset"], n_samples, values["noise"], values["seed"])
    torch.set_num_threads(1)  # as the app's runner does
    list(train(X[:8], controls.to_config({**values, "max_epochs": 1})))  # warm-up, as the app
    started = time.perf_counter()
    for _ in train(X, config):
        pass
    return time.perf_counter() - started


def screenshot(page, path: Path) -> None:
    prepare(page, 2_000, 60)
    set_slider_end(page, "Speed (epochs per second)", "Home")  # 1 epoch/s: catch it mid-run
    for _ in range(3):
        press(page, "Step")
        page.wait_for_timeout(400)
    press(page, "Train")
    page.wait_for_timeout(2500)
    page.screenshot(path=str(path))
    press(page, "Pause")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--screenshot", type=Path, help="also save a mid-run screenshot here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url = start_app()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            page.wait_for_selector(APP_READY, timeout=60_000)
            page.wait_for_function(f"({METRIC_JS})('Epoch') !== null", timeout=60_000)
            set_slider_end(page, "Speed (epochs per second)", "End")  # as fast as training goes
            set_slider_end(page, "Stop early when centroids move less than", "Home")  # never
            results = {"first": first_frame(page)}
            results["fps"] = {n: displayed_fps(page, n) for n in SIZES}
            results["app"] = app_run_time(page, 2_000)
            if args.screenshot:
                screenshot(page, args.screenshot)
            browser.close()
    finally:
        stop_app(process)
    results["headless"] = headless_run_time(2_000)
    report(results)


def report(results: dict) -> None:
    print("Command: `python benchmarks/bench_app.py`  ")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), {platform.platform()}, "
          f"Python {platform.python_version()}, torch {torch.__version__}, headless Chromium "
          f"(software WebGL), viewport 1400x900; training runs in its own process with 1 torch thread.\n")
    print("| measure | target | measured |")
    print("|---|---|---|")
    print(f"| Train press to first drawn frame | < 1.5 s | {results['first']:.2f} s |")
    for n, (fps, eps) in results["fps"].items():
        target = ">= 10" if n == 2_000 else "-"
        print(f"| displayed frames/s, N = {n:,} (training: {eps:.0f} epochs/s) | {target} | {fps:.1f} |")
    app, headless = results["app"], results["headless"]
    print(f"| run time, N = 2,000, {RUN_EPOCHS} epochs: app / headless train() | <= 1.3x | "
          f"{app:.2f} s / {headless:.2f} s = {app / headless:.2f}x |")


if __name__ == "__main__":
    main()
