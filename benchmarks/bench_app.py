"""Drive the real app in headless Chromium and print a Markdown table of what a user would feel.

Run: python benchmarks/bench_app.py [--screenshot docs/screenshot.png]

Every figure is read in the browser: the live panel's epoch at every animation frame (distinct
epochs drawn per second), the player's progress line (epochs trained), the websocket's bytes,
and the clock between a Train click and the first epoch on screen.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import APP_READY, CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

SIZES = (500, 2_000, 20_000)
WINDOW_S = 5.0
# The previous code (commit 08e0d33, a new Plotly chart per tick), measured on this machine with
# its own bench_app.py: the "today" column.
PREVIOUS = {"drawn_500": "8.2", "drawn_2000": "3.2-4.1", "drawn_20000": "3.2", "ratio": "0.39-0.70",
            "bytes": "~180 KB", "cold_page": "4.0-6.7 s", "cold_train": "3.9-6.9 s",
            "warm_train": "0.12-0.74 s", "blank": "0 (with slots)"}
# At every animation frame: the live panel's epoch (null when no chart is drawn there) and the
# epochs trained so far (the progress line), with the time.
WATCH_JS = """() => { window.__seen = []; const sample = () => {
  const panel = document.querySelector('.gk-panel'), plot = panel && panel.querySelector('.js-plotly-plot');
  const title = panel && panel.querySelector('.gk-panel-title');
  const match = title && /epoch (\\d+)/.exec(title.textContent);
  const drawn = plot && plot._fullData
    && plot._fullData.some(t => t.name.startsWith('decided by') && t.x.length);
  const trained = /(\\d+) of/.exec(document.querySelector('.gk-progress-text')?.textContent || '');
  window.__seen.push([performance.now(), drawn && match ? parseInt(match[1]) : null,
                      trained ? parseInt(trained[1]) : 0]);
  requestAnimationFrame(sample); }; requestAnimationFrame(sample); }"""
CLICK_JS = """() => { window.__clicked = null; document.addEventListener('click', e => {
  const button = e.target.closest('button');
  if (button && button.innerText.trim() === 'Train') window.__clicked = performance.now(); }, true); }"""
FIRST_DRAWN_JS = "() => { const hit = window.__seen.find(s => s[1] >= 1 && s[0] >= window.__clicked); " \
                 "return hit ? hit[0] - window.__clicked : null; }"


def set_number(page, label: str, value) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_READY)


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


class Wire:
    """Bytes the page receives over Streamlit's websocket."""

    def __init__(self, page):
        self.bytes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload) -> None:
        self.bytes += len(payload)


def first_epoch_after_train(page) -> float:
    """Seconds from the Train click (page clock) to epoch 1 drawn in the live panel."""
    page.evaluate(WATCH_JS)
    page.evaluate(CLICK_JS)
    press(page, "Train")
    page.wait_for_function(f"({FIRST_DRAWN_JS})() !== null", timeout=60_000)
    return page.evaluate(FIRST_DRAWN_JS) / 1000


def wait_for_progress(page, pattern: str) -> None:
    """Until the player's progress line matches the regular expression."""
    line = "document.querySelector('.gk-progress-text')?.textContent || ''"
    page.wait_for_function(f"() => /{pattern}/.test({line})", timeout=60_000)


def playing(page, wire: Wire, n_samples: int) -> dict:
    """Drawn epochs/s, trained epochs/s, bytes per drawn epoch, blank frames and where the CPU
    went, mid-run."""
    press(page, "Reset")
    wait_for_progress(page, "^Ready: 0 of")
    set_number(page, "Number of points", n_samples)
    press(page, "Train")
    # "Training…" with an epoch: this run's line, not the last run's (measured from a stale line,
    # the trained rate came out negative).
    wait_for_progress(page, "^Training…: [1-9]\\d* of")
    page.wait_for_timeout(1500)  # past the first epochs' one-off costs
    page.evaluate(WATCH_JS)
    sent, cpu = wire.bytes, cpu_seconds()
    page.wait_for_timeout(WINDOW_S * 1000)
    received, seen, cpu = wire.bytes - sent, page.evaluate("() => window.__seen"), cpu_seconds(cpu)
    press(page, "Pause")
    wait_for_progress(page, "^Paused")
    seconds = (seen[-1][0] - seen[0][0]) / 1000
    drawn = {epoch for _, epoch, _ in seen if epoch is not None}
    return {"drawn": len(drawn) / seconds, "trained": (seen[-1][2] - seen[0][2]) / seconds,
            "bytes": received / max(1, len(drawn)), "blank": sum(epoch is None for _, epoch, _ in seen),
            "frames": len(seen), "cpu": {name: used / seconds for name, used in cpu.items()}}


# Which part of the app a process is, from its command line (for the CPU table).
PARTS = (("--type=renderer", "browser: page (renderer)"),
         ("--type=gpu-process", "browser: drawing (GPU process)"),
         ("chromium", "browser: other"),
         ("streamlit run", "Streamlit server"),
         ("multiprocessing", "training pool"),
         ("bench_app", "this script"),
         ("playwright", "Playwright"))


def cpu_seconds(since: dict | None = None) -> dict:
    """CPU seconds used so far by each part of the app (every process, read from /proc), or used
    since ``since``."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended meanwhile
            continue
        part = next((name for key, name in PARTS if key in command), "other")
        used[part] = used.get(part, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used if since is None else {part: used[part] - since.get(part, 0.0) for part in used}


def headless_epochs_per_second(n_samples: int, epochs: int = 300) -> float:
    """train() alone with the app's settings, in a fresh process with one torch thread, as the app."""
    code = f"""
import time, torch
torch.set_num_threads(1)
from gankmeans import datasets, train
from ui import controls
values = {{**controls.DEFAULTS, "n_samples": {n_samples}, "max_epochs": {epochs}, "tol": 0.0, "speed": "max"}}
X, _ = datasets.load(values["dataset"], {n_samples}, values["noise"], values["seed"])
frames = train(X, controls.to_config(values))
next(frames)
started = time.perf_counter()
count = sum(1 for _ in frames)
print(count / (time.perf_counter() - started))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    return float(result.stdout.strip().splitlines()[-1])


def measure(browser, screenshot: Path | None) -> dict:
    results = {}
    process, url = start_app()  # a cold server: nothing imported, no training process yet
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        wire = Wire(page)
        started = time.perf_counter()
        page.goto(f"{url}/?speed=max&tol=0.0&max_epochs=5000")
        page.wait_for_selector(APP_READY, timeout=60_000)
        results["cold_page"] = time.perf_counter() - started
        results["cold_train"] = first_epoch_after_train(page)
        press(page, "Pause")
        press(page, "Reset")
        page.wait_for_selector(APP_READY)
        results["warm_train"] = first_epoch_after_train(page)
        press(page, "Pause")
        results["play"] = {n: playing(page, wire, n) for n in SIZES}
        if screenshot:
            take_screenshot(page, screenshot)
        page.close()
    finally:
        stop_app(process)
    results["headless"] = headless_epochs_per_second(2_000)
    return results


def take_screenshot(page, path: Path) -> None:
    page.goto(page.url.split("?")[0] + "?speed=5&max_epochs=60&n_samples=1000&tie_margin=0.5")
    page.wait_for_selector(APP_READY)
    press(page, "Train")
    page.wait_for_timeout(3500)
    page.screenshot(path=str(path))
    press(page, "Pause")


def report(results: dict) -> None:
    import torch

    play, prev = results["play"], PREVIOUS
    print("Command: `python benchmarks/bench_app.py`  ")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), "
          f"Python {platform.python_version()}, "
          f"torch {torch.__version__}, headless Chromium (software WebGL), viewport 1400x1000; "
          f"speed max, tolerance 0 (never stops early); load average before: {results['load']}.\n")
    print("| measure | previous code | this code | target |")
    print("|---|---:|---:|---:|")
    for n, target in zip(SIZES, (">= 14", ">= 10", ">= 8"), strict=True):
        row = play[n]
        print(f"| distinct epochs drawn per second, N = {n:,} (trained: {row['trained']:.0f}/s) | "
              f"{prev[f'drawn_{n}']} | {row['drawn']:.1f} | {target} |")
    ratio = play[2_000]["trained"] / results["headless"]
    print(f"| training epochs/s in the app / headless train(), N = 2,000 | {prev['ratio']} | "
          f"{play[2_000]['trained']:.1f} / {results['headless']:.1f} = {ratio:.2f} | >= 0.8 |")
    print(f"| websocket bytes per drawn epoch, N = 2,000 | {prev['bytes']} | "
          f"{play[2_000]['bytes'] / 1000:.1f} KB | <= 10 KB |")
    print(f"| cold server, first page: navigation until the script finished | {prev['cold_page']} | "
          f"{results['cold_page']:.2f} s | <= 3 s |")
    print(f"| cold server, Train on that first page until the first epoch is drawn | {prev['cold_train']} | "
          f"{results['cold_train']:.2f} s | <= 1.5 s |")
    print(f"| warm page: Train until the first epoch is drawn | {prev['warm_train']} | "
          f"{results['warm_train']:.2f} s | <= 0.5 s |")
    blank = sum(row["blank"] for row in play.values())
    frames = sum(row["frames"] for row in play.values())
    print(f"| animation frames with no live chart on screen while playing | {prev['blank']} | "
          f"{blank} of {frames} | 0 |")
    print("\nWhere the 2 cores went while playing (CPU seconds per second, from /proc; 2.0 = both cores):\n")
    parts = sorted({part for row in play.values() for part in row["cpu"]})
    print("| part | " + " | ".join(f"N = {n:,}" for n in SIZES) + " |")
    print("|---|" + "---:|" * len(SIZES))
    for part in parts:
        print(f"| {part} | " + " | ".join(f"{play[n]['cpu'].get(part, 0.0):.2f}" for n in SIZES) + " |")
    print("| all | " + " | ".join(f"{sum(play[n]['cpu'].values()):.2f}" for n in SIZES) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--screenshot", type=Path, help="also save a mid-run screenshot here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results = measure(browser, args.screenshot)
        browser.close()
    results["load"] = f"{load:.2f}"
    report(results)


if __name__ == "__main__":
    main()
