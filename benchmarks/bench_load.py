"""Load test: one server, 4 browser sessions training at the same time.

Checks that all 4 finish, that each got exactly the result of its own settings run headless
(so nothing leaked between sessions), that none shows an error, and that the server's memory
(the Streamlit process plus its training processes) stays under MEMORY_BOUND_MB. Prints a
Markdown table and exits non-zero if a check fails.

Run: python benchmarks/bench_load.py [--sessions 4] [--epochs 300]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import torch
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import APP_READY, CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

from gankmeans import datasets, metrics, train  # noqa: E402
from ui import controls  # noqa: E402

# 4 sessions: the server (~0.6 GB), a training process each (~0.5 GB) and the spare (~0.5 GB)
MEMORY_BOUND_MB = 3_500
N_SAMPLES = 2_000
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
METRIC_JS = """(label) => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]
  .find(e => e.innerText.startsWith(label));
  return m ? m.querySelector('[data-testid=stMetricValue]').innerText : null; }"""


def tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total_kb = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        rss = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")]
        total_kb += sum(rss)
    return total_kb / 1024


class MemoryWatch(threading.Thread):
    """Samples the server tree's memory every 0.25 s until stopped; keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            self._done.wait(0.25)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


def session_values(seed: int, epochs: int) -> dict:
    return {**controls.DEFAULTS, "n_samples": N_SAMPLES, "seed": seed, "max_epochs": epochs, "tol": 0.0,
            "speed": "max"}


def link(url: str, values: dict) -> str:
    keys = ("n_samples", "seed", "max_epochs", "tol", "speed")
    return url + "/?" + "&".join(f"{k}={values[k]}" for k in keys)


def headless(values: dict) -> dict:
    """What the session should show: the same data and config through train() alone."""
    X, y = datasets.load(values["dataset"], values["n_samples"], values["noise"], values["seed"])
    # One thread, as in the app's training processes: another thread count sums in another order,
    # and over hundreds of adversarial epochs those last-bit differences grow into other labels.
    torch.set_num_threads(1)
    *_, last = train(X, controls.to_config(values))
    return {"epoch": last.epoch, "inertia": f"{last.inertia:,.1f}",
            "ari": f"{metrics.external_scores(y, last.labels)['ari']:.3f}"}


def read_result(page) -> dict:
    """The metrics a page shows; epoch 0 and None where it shows none (a blank or crashed page)."""
    try:
        value = lambda label: page.evaluate(f"({METRIC_JS})('{label}')")  # noqa: E731
        epoch = value("Epoch")
        return {"epoch": int(epoch.split("/")[0]) if epoch else 0, "inertia": value("Inertia"),
                "ari": value("ARI")}
    except PlaywrightError:
        return {"epoch": 0, "inertia": None, "ari": None}


def _count(page, selector: str) -> int:
    try:
        return page.locator(selector).count()
    except PlaywrightError:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--log", type=Path, help="write the server's output here")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for each run")
    parser.add_argument("--screenshots", type=Path, default=Path(tempfile.gettempdir()) / "bench_load",
                        help="folder for each session's final full-page screenshot")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.screenshots.mkdir(parents=True, exist_ok=True)
    settings = [session_values(seed, args.epochs) for seed in range(1, args.sessions + 1)]
    process, url = start_app(log=args.log)
    rows, checks, crashed = [], {}, set()
    try:
        idle_mb = tree_rss_mb(process.pid)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for values in settings:  # one context each: separate cookies, separate sessions
                page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
                page.on("crash", lambda _, seed=values["seed"]: crashed.add(seed))  # Chromium's own failure
                page.goto(link(url, values))
                pages.append(page)
            for page in pages:
                page.wait_for_selector(APP_READY, timeout=120_000)
                page.wait_for_function(f"({METRIC_JS})('Epoch') !== null", timeout=120_000)
            loaded_mb = tree_rss_mb(process.pid)
            watch = MemoryWatch(process.pid)
            watch.start()
            started = time.perf_counter()
            for page in pages:
                page.get_by_role("button", name="Train", exact=True).click()
            finished = []
            for page in pages:
                deadline = max(1.0, args.timeout - (time.perf_counter() - started))
                with contextlib.suppress(PlaywrightTimeout):  # reported below: its Epoch falls short
                    page.get_by_text("Finished:").wait_for(timeout=deadline * 1000)
                finished.append(time.perf_counter() - started)
            peak_mb = watch.stop()
            for page, values, seconds in zip(pages, settings, finished, strict=True):
                try:
                    page.wait_for_selector(APP_READY, timeout=60_000)
                    settled = True
                except PlaywrightTimeout:  # reported below, with what the page showed
                    settled = False
                with contextlib.suppress(PlaywrightError):  # a crashed page has no screen to save
                    page.screenshot(path=args.screenshots / f"session_{values['seed']}.png", full_page=True)
                rows.append({"seed": values["seed"], "seconds": seconds, "shown": read_result(page),
                             "errors": _count(page, ERRORS), "settled": settled,
                             "crashed": values["seed"] in crashed})
            browser.close()
    finally:
        stop_app(process)
    for row, values in zip(rows, settings, strict=True):
        row["expected"] = headless(values)
    checks["all finished"] = all(row["shown"]["epoch"] == args.epochs for row in rows)
    checks["each equals its own headless run"] = all(row["shown"] == row["expected"] for row in rows)
    checks["results differ between sessions"] = len({row["shown"]["inertia"] for row in rows}) == len(rows)
    checks["no error on any page"] = not any(row["errors"] for row in rows)
    checks["every page idle after its run"] = all(row["settled"] for row in rows)
    checks["no browser page crashed"] = not any(row["crashed"] for row in rows)
    checks[f"server memory < {MEMORY_BOUND_MB:,} MB"] = peak_mb < MEMORY_BOUND_MB
    report(args, rows, checks, idle_mb, loaded_mb, peak_mb)
    return 0 if all(checks.values()) else 1


def report(args, rows, checks, idle_mb, loaded_mb, peak_mb) -> None:
    print(f"Command: `python benchmarks/bench_load.py --sessions {args.sessions} --epochs {args.epochs}`  ")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with the browser), "
          f"Python {platform.python_version()}, headless Chromium; blobs, N = {N_SAMPLES:,}, "
          f"{args.epochs} epochs, speed max, a different seed per session.\n")
    print("| session (seed) | wall time | Epoch / Inertia / ARI shown | same run headless | errors |")
    print("|---|---|---|---|---|")
    for row in rows:
        shown, expected = row["shown"], row["expected"]
        triple = " / ".join(str(shown[k]) for k in ("epoch", "inertia", "ari"))
        headless_triple = " / ".join(str(expected[k]) for k in ("epoch", "inertia", "ari"))
        errors = f"{row['errors']}{' (page crashed)' if row['crashed'] else ''}"
        print(f"| {row['seed']} | {row['seconds']:.1f} s | {triple} | {headless_triple} | {errors} |")
    print(f"\n| server memory (Streamlit + training processes) | MB |\n|---|---|\n| started, no session | "
          f"{idle_mb:,.0f} |\n| {args.sessions} sessions open | {loaded_mb:,.0f} |\n| peak while all "
          f"{args.sessions} train | {peak_mb:,.0f} |\n")
    for name, ok in checks.items():
        print(f"- {'PASS' if ok else 'FAIL'}: {name}")
    print(f"\nEach session's last screen: {args.screenshots}/session_<seed>.png")


if __name__ == "__main__":
    sys.exit(main())
