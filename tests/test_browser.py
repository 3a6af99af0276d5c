"""The real app in headless Chromium: the player draws every path a user can take (play, step,
zoom, scrub, a learned run), links restore settings, and the offline replay needs no network."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import APP_READY, start_app, stop_app
from playwright.sync_api import expect

from gankmeans import TrainConfig, datasets, export, train

pytestmark = pytest.mark.browser

# The Epoch cell of the player's metrics row ("12 / 60"), -1 before the player is there.
EPOCH_VALUE = """() => {
  const cell = document.querySelector('.gk-metric[data-metric=epoch] .gk-metric-value');
  return cell && cell.textContent ? parseInt(cell.textContent) : -1; }"""
# Points drawn in a panel's plot: the teacher's and the student's traces.
POINTS = """(plot) => (plot._fullData || []).filter(t => t.name.startsWith('decided by'))
  .reduce((n, t) => n + t.x.length, 0)"""
# What the live panel shows: the epoch in its title, the points drawn, and its plot element.
LIVE = """() => { const panel = document.querySelector('.gk-panel'); if (!panel) return null;
  const plot = panel.querySelector('.js-plotly-plot'), title = panel.querySelector('.gk-panel-title');
  const match = title && /epoch (\\d+)/.exec(title.textContent);
  const points = plot ? (POINTS)(plot) : 0;
  return {epoch: match ? parseInt(match[1]) : null, points}; }""".replace("POINTS", POINTS)
# The live panel at every animation frame for `ms` (at least 11 frames): epoch, points, and
# whether its plot is still the element of the first sample (never made again).
WATCH_LIVE = """async (ms) => {
  const shown = [], plot = () => document.querySelector('.gk-panel .js-plotly-plot'), first = plot();
  for (const t0 = performance.now(); performance.now() - t0 < ms || shown.length <= 10;) {
    const live = (LIVE)(); shown.push([live && live.epoch, live ? live.points : 0, plot() === first]);
    await new Promise(r => requestAnimationFrame(r)); }
  return shown; }""".replace("LIVE", LIVE)


def open_app(page, url: str) -> None:
    """Load the app and wait until it has run and the player shows epoch 0."""
    page.goto(url)
    page.wait_for_selector(APP_READY, timeout=60_000)
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=60_000)


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def step_past_epoch_0(page) -> None:
    """Step 0 (a new run's starting centroids, nothing trained), then Step: epoch 1."""
    press(page, "Step")
    expect(page.locator(".gk-panel-title").first).to_have_text("GANKMeans: epoch 0, the starting centroids",
                                                               timeout=60_000)
    press(page, "Step")


def no_exception(page) -> bool:
    return page.locator("[data-testid='stException']").count() == 0


def test_train_climbs_epochs_without_exception(app_server, page, tmp_path):
    open_app(page, app_server)
    press(page, "Train")
    page.wait_for_function(f"({EPOCH_VALUE})() >= 3", timeout=60_000)
    first = page.evaluate(EPOCH_VALUE)
    page.wait_for_function(f"({EPOCH_VALUE})() > {first}", timeout=30_000)
    assert no_exception(page)
    page.screenshot(path=tmp_path / "app.png", full_page=True)


def test_the_live_chart_is_never_blank_never_remade_and_never_goes_back(app_server, page):
    open_app(page, f"{app_server}/?speed=20&max_epochs=300&tol=0.0")
    press(page, "Train")
    page.wait_for_function(f"({EPOCH_VALUE})() >= 3", timeout=60_000)
    shown = page.evaluate(WATCH_LIVE, 2_500)
    press(page, "Pause")
    epochs = [epoch for epoch, _, _ in shown]
    assert None not in epochs and all(points == 500 for _, points, _ in shown), "a blank frame"
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0] + 5, f"went back or stood still: {epochs}"
    assert all(same for _, _, same in shown)  # one plot, updated in place
    assert no_exception(page)


def test_step_draws_exactly_one_epoch(app_server, page):
    open_app(page, app_server)
    press(page, "Step")  # Step 0: the starting centroids over the grey points
    expect(page.locator(".gk-panel-title").first).to_have_text("GANKMeans: epoch 0, the starting centroids",
                                                               timeout=60_000)
    shown = page.evaluate(LIVE)
    assert shown["epoch"] == 0 and shown["points"] == 0  # none labelled yet
    for expected in (1, 2, 3):
        press(page, "Step")
        page.wait_for_function(f"({EPOCH_VALUE})() === {expected}", timeout=60_000)
        page.wait_for_timeout(300)
        shown = page.evaluate(WATCH_LIVE, 300)
        assert {epoch for epoch, _, _ in shown} == {expected}
    assert page.locator(".gk-panel-title").first.inner_text().startswith("GANKMeans: epoch 3")


RANGES = """() => { const layout = document.querySelector('.gk-panel .js-plotly-plot')._fullLayout;
  return [layout.xaxis.range, layout.yaxis.range]; }"""


def test_zoom_survives_twenty_epochs_of_play(app_server, page):
    open_app(page, f"{app_server}/?speed=20&max_epochs=300&tol=0.0")
    step_past_epoch_0(page)
    page.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=60_000)
    # A drag with the zoom tool over the middle of the live panel's plot area.
    before = page.evaluate(RANGES)
    area = page.locator(".gk-panel .nsewdrag").first.bounding_box()
    x, y, w, h = area["x"], area["y"], area["width"], area["height"]
    page.mouse.move(x + 0.3 * w, y + 0.3 * h)
    page.mouse.down()
    page.mouse.move(x + 0.6 * w, y + 0.6 * h, steps=8)
    page.mouse.up()
    zoomed = page.evaluate(RANGES)
    press(page, "Train")
    page.wait_for_function(f"({EPOCH_VALUE})() >= 22", timeout=60_000)
    ranges = page.evaluate(RANGES)
    press(page, "Pause")
    assert zoomed[0][1] - zoomed[0][0] < 0.5 * (before[0][1] - before[0][0])  # it did zoom in
    assert np.allclose(ranges, zoomed)


def test_the_replay_opens_on_the_last_epoch_and_scrubs(app_server, page):
    open_app(page, f"{app_server}/?speed=max&max_epochs=12&tol=0.0")
    press(page, "Train")
    slider = page.get_by_role("slider", name="Replay epoch")
    expect(slider).to_be_visible(timeout=60_000)
    # Epoch 0 (the starting centroids) and the 12 epochs kept, on the last
    assert slider.input_value() == slider.get_attribute("max") == "12"
    assert page.evaluate(LIVE)["epoch"] == page.evaluate(EPOCH_VALUE) == 12
    slider.focus()
    slider.press("Home")
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=10_000)
    assert page.evaluate(LIVE) == {"epoch": 0, "points": 0}
    slider.press("ArrowRight")
    page.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=10_000)
    slider.press("ArrowRight")
    page.wait_for_function(f"({EPOCH_VALUE})() === 2", timeout=10_000)
    assert page.locator(".gk-timeline-label").inner_text().startswith("epoch 2")
    assert no_exception(page)


def test_a_learned_space_run_shows_its_three_panels(app_server, page):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, f"{app_server}/?dataset=moons&n_clusters=2&max_epochs=30&speed=max&teacher_space=learned")
    assert page.locator(".gk-panel").count() == 3
    press(page, "Train")
    page.wait_for_function(f"({EPOCH_VALUE})() >= 5", timeout=60_000)
    titles = page.locator(".gk-panel-title").all_inner_texts()
    assert titles[0].startswith("GANKMeans: epoch") and titles[1].startswith("The student's space: epoch")
    assert titles[2].startswith("Plain K-Means (K = 2)")
    drawn = page.evaluate(f"() => [...document.querySelectorAll('.gk-panel .js-plotly-plot')].map({POINTS})")
    assert drawn == [500, 500, 500]
    assert no_exception(page)


def test_a_shared_link_opens_with_its_settings(app_server, page):
    page.goto(f"{app_server}/?dataset=moons&n_clusters=2&seed=7&n_samples=300&noise=bad")
    page.wait_for_selector(APP_READY, timeout=60_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    # Under load the first paint can briefly show a widget's default: wait for the settled value.
    expect(sidebar.get_by_label("Random seed")).to_have_value("7", timeout=30_000)
    expect(sidebar.get_by_label("Number of points")).to_have_value("300")
    expect(sidebar.get_by_label("Dataset")).to_have_value("moons")
    assert "noise=bad" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert no_exception(page)


# Every value each number input shows, sampled at every animation frame from the page's start.
RECORD_NUMBER_INPUTS = """window.__shown = {}; const sample = () => {
  for (const e of document.querySelectorAll('[data-testid=stNumberInput] input')) {
    const seen = window.__shown[e.getAttribute('aria-label')] ||= [];
    if (!seen.includes(e.value)) seen.push(e.value); }
  requestAnimationFrame(sample); }; requestAnimationFrame(sample);"""


def test_number_inputs_never_show_their_minimum_before_the_linked_value(app_server, page):
    # They did, for a moment after the page appeared, and a Train click then sent the minimum:
    # 500 points, seed 1 and 60 epochs became a 10-point run of 1 epoch with seed 0.
    page.add_init_script(RECORD_NUMBER_INPUTS)
    open_app(page, f"{app_server}/?n_samples=700&seed=5&max_epochs=70&handover=at%20epoch&handover_epoch=20")
    page.wait_for_timeout(1000)
    shown = page.evaluate("() => window.__shown")
    now = page.evaluate("() => [...document.querySelectorAll('[data-testid=stNumberInput] input')]"
                        ".map(e => [e.getAttribute('aria-label'), e.value])")
    assert shown == {"Number of points": ["700"], "Random seed": ["5"], "Max epochs": ["70"],
                     "Handover epoch": ["20"], "Seeds": ["3"]}, f"on the page now: {now}"


# Each element of the player whose text is cut off on screen.
CUT_TEXT = """() => [...document.querySelectorAll('.gk-metric-value, .gk-panel-title')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""


def test_every_number_and_title_is_readable_on_a_1024_pixel_projector(app_server, page):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, f"{app_server}/?max_epochs=5000&n_samples=20000")
    step_past_epoch_0(page)
    page.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=60_000)
    values = page.locator(".gk-metric-value").all_inner_texts()
    assert len(values) == 7 and values[0] == "1 / 5000"
    assert page.evaluate(CUT_TEXT) == []
    caption = page.locator(".gk-caption").inner_text()
    assert "draw a random 2,000 of the 20,000 points" in caption


@pytest.fixture(scope="module")
def replay_page(tmp_path_factory):
    X, y = datasets.load("moons", n_samples=300, noise=0.05, random_state=0)
    frames = list(train(X, TrainConfig(n_clusters=2, max_epochs=8, teacher_space="learned", device="cpu")))
    path = tmp_path_factory.mktemp("replay") / "replay.html"
    path.write_text(export.replay_html(X, frames, y_true=y, title="moons, K = 2, learned space"))
    return path


def test_the_exported_replay_plays_offline_with_no_request_to_any_network(browser, replay_page):
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    requests = []
    tab.on("request", lambda request: requests.append(request.url))
    try:
        tab.goto(replay_page.as_uri())
        tab.wait_for_function(f"({EPOCH_VALUE})() === 8", timeout=30_000)
        assert tab.locator(".gk-panel").count() == 2  # the input and the student's space
        assert "learned space" in tab.title() and tab.locator(".gk-legend").inner_text().startswith("Colour")
        press(tab, "▶ Play")
        tab.wait_for_function(f"({EPOCH_VALUE})() < 8", timeout=10_000)  # from the start...
        tab.wait_for_function(f"({EPOCH_VALUE})() === 8", timeout=20_000)  # ...to the end
        assert tab.evaluate("() => document.querySelector('.gk-metric[data-metric=ari] .gk-metric-value')"
                            ".textContent") != "n/a"
    finally:
        tab.close()
    assert [url for url in requests if not url.startswith(("file:", "blob:", "data:"))] == []


# Page-space boxes of the player's parts.
BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const all = selector => [...document.querySelectorAll(selector)].map(box);
  return {panels: all('.gk-panel'), play: box(document.querySelector('.gk-play')),
          slider: box(document.querySelector('.gk-timeline input')),
          loss: box(document.querySelector('.gk-curves .draglayer .xy .nsewdrag')),
          right_axis: all('.gk-curves .g-y2title, .gk-curves .y2tick text')}; }"""


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [420, 1000])
def test_the_player_stacks_its_panels_on_a_narrow_page_and_keeps_its_parts_apart(browser, replay_page, width):
    tab = browser.new_page(viewport={"width": width, "height": 900})
    try:
        tab.goto(replay_page.as_uri())
        tab.wait_for_function(f"({EPOCH_VALUE})() === 8", timeout=30_000)
        boxes = tab.evaluate(BOXES)
    finally:
        tab.close()
    left, right = boxes["panels"]
    assert (right[1] >= left[3]) == (width < 700)  # one under the other on a phone, else side by side
    assert not overlaps(boxes["play"], boxes["slider"])
    assert boxes["right_axis"] and not any(overlaps(part, boxes["loss"]) for part in boxes["right_axis"])


# Bottom edges (page pixels) of what a class must see without scrolling, and whether the metrics
# sit on one line.
FOLD = """() => { const bottom = selector => { const e = document.querySelector(selector);
    return e ? e.getBoundingClientRect().bottom : null; };
  const tops = [...document.querySelectorAll('.gk-metric')]
    .map(e => Math.round(e.getBoundingClientRect().top));
  return {title: bottom('h1'), metrics_one_line: new Set(tops).size === 1,
          live_x_axis: bottom('.gk-panel .g-xtitle'), curves: bottom('.gk-curves .g-xtitle'),
          viewport: window.innerHeight}; }"""


@pytest.mark.parametrize(("size", "curves_too"), [((1024, 768), False), ((1280, 720), True)])
def test_the_title_metrics_and_live_chart_fit_a_projector_with_the_sidebar_open(
        app_server, page, tmp_path, size, curves_too):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_app(page, app_server)
    step_past_epoch_0(page)
    page.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=60_000)
    page.evaluate("() => window.scrollTo(0, 0)")
    fold = page.evaluate(FOLD)
    assert page.locator("[data-testid='stSidebar']").is_visible()
    assert fold["metrics_one_line"]
    assert fold["title"] < fold["live_x_axis"] <= fold["viewport"], fold
    if curves_too:
        assert fold["curves"] <= fold["viewport"], fold
    page.screenshot(path=tmp_path / f"projector_{size[0]}x{size[1]}.png")


# Pixels per data unit along each axis of every panel whose data keeps its aspect.
ASPECTS = """() => [...document.querySelectorAll('.gk-panel .js-plotly-plot')].map(plot => {
  const {xaxis, yaxis} = plot._fullLayout;
  const perUnit = axis => axis._length / (axis.range[1] - axis.range[0]);
  return [perUnit(xaxis), perUnit(yaxis), !!yaxis.scaleanchor]; })"""


def test_learned_panels_keep_one_unit_as_long_on_both_axes(app_server, page):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, f"{app_server}/?dataset=moons&n_clusters=2&teacher_space=learned")
    press(page, "Step")  # learned mode has no epoch 0: its teacher's space comes with epoch 1
    page.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=60_000)
    aspects = page.evaluate(ASPECTS)
    kept = [(x, y) for x, y, anchored in aspects if anchored]
    assert len(kept) == 2  # the moons and plain K-Means; the student's 1-D space has a spread axis
    assert all(x == pytest.approx(y, rel=0.02) for x, y in kept)


COLOURS = """() => ({page: getComputedStyle(document.querySelector('.stApp')).backgroundColor,
  charts: [...document.querySelectorAll('.gk-player .js-plotly-plot')]
    .map(p => p._fullLayout.paper_bgcolor)})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_and_every_chart_follow_the_theme(app_server, browser, tmp_path, scheme):
    tab = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        open_app(tab, app_server)
        step_past_epoch_0(tab)
        tab.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=60_000)
        colours = tab.evaluate(COLOURS)
        tab.screenshot(path=tmp_path / f"theme_{scheme}.png")
    finally:
        tab.close()
    dark = scheme == "dark"
    assert colours["page"] == ("rgb(14, 17, 23)" if dark else "rgb(255, 255, 255)")
    assert len(colours["charts"]) == 3 and set(colours["charts"]) == {"#0E1117" if dark else "#FFFFFF"}


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory):
    """A server whose training pool trains one run at a time: a second run waits in line."""
    process, url = start_app(log=tmp_path_factory.mktemp("busy") / "server.log",
                             env={"GANKMEANS_TRAINING_PROCESSES": "1", "GANKMEANS_RUNS_PER_PROCESS": "1"})
    yield url
    stop_app(process)


def test_a_run_waiting_for_a_training_slot_shows_its_place_then_trains(busy_server, browser):
    ahead, waiting = (browser.new_context().new_page() for _ in range(2))
    try:
        open_app(ahead, f"{busy_server}/?speed=2&max_epochs=300")
        press(ahead, "Train")
        ahead.wait_for_function(f"({EPOCH_VALUE})() >= 1", timeout=60_000)
        open_app(waiting, f"{busy_server}/?speed=max&max_epochs=10")
        press(waiting, "Train")
        progress = waiting.locator(".gk-progress-text")
        expect(progress).to_have_text(re.compile("number 1 in line"), timeout=30_000)
        assert waiting.evaluate(EPOCH_VALUE) == 0
        press(ahead, "Pause")  # the slot comes free: the waiting run trains, and its place goes
        expect(progress).to_have_text("Finished: 10 of 10 epochs", timeout=60_000)
        assert no_exception(waiting) and no_exception(ahead)
    finally:
        ahead.context.close()
        waiting.context.close()
