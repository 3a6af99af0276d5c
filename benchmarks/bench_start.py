"""Start-up as a user meets it: a cold server's first page, Train on it, and Train on a later page.

Each trial starts a fresh `streamlit run app.py` (so the training pool starts cold), opens a page
and measures, in the page's own clock:
- first page: navigation until the script has finished and the player shows epoch 0;
- Train on that first page, pressed as soon as it is ready, until epoch 1 is drawn;
- Train on a second page (a new session, the pool warm by then) until epoch 1 is drawn.
`--start-method` compares the training pool's forkserver (preloaded modules) with plain spawn;
`--app-dir` runs another checkout's app (e.g. the code before the pool) for a before/after row.
Prints a Markdown table (median and range over the trials).

Run: python benchmarks/bench_start.py [--trials 3] [--start-method forkserver spawn] [--app-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import APP_READY, CHROMIUM, CHROMIUM_ARGS, free_port, stop_app  # noqa: E402

from deploy.replicas import wait_healthy  # noqa: E402

EPOCH = "() => { const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');" \
        " return cell && cell.textContent ? parseInt(cell.textContent) : -1; }"
# The Train click's time, then the first time the player's Epoch cell reads 1 or more.
CLICK_TO_EPOCH = """() => new Promise(resolve => { const t0 = performance.now();
  const look = () => ((EPOCH)() >= 1 ? resolve(performance.now() - t0) : requestAnimationFrame(look));
  [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Train').click();
  requestAnimationFrame(look); })""".replace("EPOCH", EPOCH)


def start_server(app_dir: Path, method: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, **({"GANKMEANS_START_METHOD": method} if method else {})}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(command, cwd=app_dir, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(f"{url}/_stcore/health", process)
    return process, url


def open_page(browser, url: str):
    """A new session's page, ready; returns (page, seconds from navigation to ready)."""
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_selector(APP_READY, timeout=120_000)
    page.wait_for_function(f"({EPOCH})() === 0", timeout=120_000)
    return page, page.evaluate("() => performance.now()") / 1000


def trial(browser, app_dir: Path, method: str | None) -> dict:
    process, url = start_server(app_dir, method)
    try:
        page, ready = open_page(browser, url)
        first = page.evaluate(CLICK_TO_EPOCH) / 1000
        later, _ = open_page(browser, url)
        warm = later.evaluate(CLICK_TO_EPOCH) / 1000
        for each in (page, later):
            each.context.close()
    finally:
        stop_app(process)
    return {"first page": ready, "Train on the first page": first, "Train on a later page": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--start-method", nargs="+", default=[None], help="forkserver and/or spawn")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py to run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for method in args.start_method:
            results[method or "default"] = [trial(browser, args.app_dir, method) for _ in range(args.trials)]
        browser.close()
    report(args, results)


def report(args, results: dict) -> None:
    print(f"Command: `python benchmarks/bench_start.py --trials {args.trials}` (app: {args.app_dir})  ")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
          f"{platform.python_version()}, headless Chromium; load average {os.getloadavg()[0]:.2f} "
          "at the end.\n")
    print("| start method | measure | target | median | range |\n|---|---|---|---|---|")
    targets = {"first page": "<= 3 s", "Train on the first page": "<= 1.5 s",
               "Train on a later page": "<= 0.5 s"}
    for method, trials in results.items():
        for measure, target in targets.items():
            values = [each[measure] for each in trials]
            print(f"| {method} | {measure} | {target} | {statistics.median(values):.2f} s | "
                  f"{min(values):.2f}-{max(values):.2f} s |")


if __name__ == "__main__":
    main()
