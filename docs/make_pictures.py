"""Retake the README's and docs/' pictures from the running app, in headless Chromium.

Run: python docs/make_pictures.py [--only NAME ...]

Writes into docs/: app.webp (an animated run, the README's first picture), projector_1024x768.png
and projector_1280x720.png (a lecture-hall screen with the sidebar open), learned_space.png,
dark.png, and elbow.png (a sweep over K in the app's Explore panel).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import APP_READY, CHROMIUM, CHROMIUM_ARGS, start_app, stop_app  # noqa: E402

DOCS = ROOT / "docs"
EPOCH = """() => { const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');
  return cell && cell.textContent ? parseInt(cell.textContent) : -1; }"""
MAX_BYTES = 2_000_000  # the animated picture stays under 2 MB


def open_page(browser, url: str, size=(1280, 720), scheme="light"):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    page.goto(url)
    page.wait_for_selector(APP_READY, timeout=60_000)
    page.wait_for_function(f"({EPOCH})() === 0", timeout=60_000)
    return page


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def animated_run(browser, url: str) -> None:
    """A run at 5 epochs a second, start to end, as a looping WebP of the main column."""
    page = open_page(browser, f"{url}/?speed=5&max_epochs=60&tie_margin=0.5&noise=0.2", size=(1280, 720))
    main = page.locator("[data-testid='stMain']")
    press(page, "Train")
    page.wait_for_function(f"({EPOCH})() >= 1", timeout=60_000)
    frames, times = [], []
    while len(frames) < 60 and page.get_by_role("button", name="Pause", exact=True).is_enabled():
        times.append(time.monotonic())
        frames.append(Image.open(io.BytesIO(main.screenshot())).convert("RGB"))
    page.close()
    # Each frame shows for as long as it did on screen (a screenshot takes a while).
    durations = [int(1000 * (b - a)) for a, b in zip(times, times[1:], strict=False)] + [2000]
    for scale in (0.8, 0.65, 0.5):  # the largest that stays under the size limit
        shrunk = [f.resize((int(f.width * scale), int(f.height * scale)), Image.LANCZOS) for f in frames]
        buffer = io.BytesIO()
        shrunk[0].save(buffer, "WEBP", save_all=True, append_images=shrunk[1:], duration=durations, loop=0,
                       quality=70, method=6)
        if buffer.tell() < MAX_BYTES:
            break
    (DOCS / "app.webp").write_bytes(buffer.getvalue())


def still(browser, url: str, name: str, query: str, size, epochs: int, scheme="light") -> None:
    page = open_page(browser, f"{url}/?{query}", size=size, scheme=scheme)
    press(page, "Train")
    page.wait_for_function(f"({EPOCH})() >= {epochs}", timeout=120_000)
    if page.get_by_role("button", name="Pause", exact=True).is_enabled():
        press(page, "Pause")
    page.wait_for_timeout(1500)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / name))
    page.close()


def elbow(browser, url: str) -> None:
    """The Explore panel's sweep of K = 2..10 on blobs (3 seeds): the chart's first row, the elbow
    (inertia) and the silhouette, both turning at K = 4."""
    page = open_page(browser, f"{url}/?max_epochs=40&speed=max", size=(1280, 900))
    page.get_by_role("button", name="Run sweep", exact=True).click()
    page.wait_for_function("() => /finished/.test(document.querySelector('[data-testid=stProgress]')"
                           "?.innerText || '')", timeout=600_000)
    page.wait_for_selector(APP_READY)
    chart = page.locator("[data-testid=stPlotlyChart]").filter(has_text="Sweep of n_clusters")
    chart.scroll_into_view_if_needed()
    page.mouse.move(0, 0)  # no hover: Plotly's toolbar stays hidden
    page.wait_for_timeout(1500)
    box = chart.bounding_box()
    # The title and the first row of panels: the elbow and the silhouette.
    page.screenshot(path=str(DOCS / "elbow.png"),
                    clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": 305})
    page.close()


PICTURES = {
    "app.webp": animated_run,
    "projector_1024x768.png": lambda b, u: still(b, u, "projector_1024x768.png", "speed=10&tie_margin=0.5",
                                                 (1024, 768), 12),
    "projector_1280x720.png": lambda b, u: still(b, u, "projector_1280x720.png", "speed=10&tie_margin=0.5",
                                                 (1280, 720), 12),
    "learned_space.png": lambda b, u: still(b, u, "learned_space.png", "dataset=moons&n_clusters=2"
                                            "&noise=0.08&teacher_space=learned&speed=max&max_epochs=40",
                                            (1280, 720), 25),
    "dark.png": lambda b, u: still(b, u, "dark.png", "speed=10&tie_margin=0.5", (1280, 720), 12, "dark"),
    "elbow.png": elbow,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=sorted(PICTURES), help="retake just these")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url = start_app()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name in args.only or PICTURES:
                PICTURES[name](browser, url)
                print(f"wrote docs/{name} ({(DOCS / name).stat().st_size / 1000:,.0f} kB)")
            browser.close()
    finally:
        stop_app(process)


if __name__ == "__main__":
    main()
