"""The real app in headless Chromium: press Train, watch the Epoch metric climb, no exception;
and the replay figure as the browser draws it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import APP_READY
from playwright.sync_api import expect

from gankmeans import TrainConfig, animation, datasets, plotting, train

pytestmark = pytest.mark.browser

EPOCH_VALUE = "() => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]" \
              ".find(e => e.innerText.startsWith('Epoch')); " \
              "return m ? parseInt(m.querySelector('[data-testid=stMetricValue]').innerText) : -1; }"


@pytest.fixture
def page(browser):
    """A fresh tab (its own Streamlit session), closed afterwards."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1700})
    yield tab
    tab.close()


def open_app(page, url: str) -> None:
    """Load the app and wait until it has run and shows epoch 0."""
    page.goto(url)
    page.wait_for_selector(APP_READY, timeout=60_000)
    page.wait_for_function(f"({EPOCH_VALUE})() === 0", timeout=60_000)


def no_exception(page) -> bool:
    return page.locator("[data-testid='stException']").count() == 0


def test_train_climbs_epochs_without_exception(app_server, page, tmp_path):
    open_app(page, app_server)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(f"({EPOCH_VALUE})() >= 3", timeout=30_000)
    first = page.evaluate(EPOCH_VALUE)
    page.wait_for_function(f"({EPOCH_VALUE})() > {first}", timeout=30_000)
    assert no_exception(page)
    page.screenshot(path=tmp_path / "app.png", full_page=True)
    assert (tmp_path / "app.png").stat().st_size > 10_000


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
    # Once in CI (not reproduced in 11 runs since, 6 of them under load) "Number of points" was
    # never seen at all: say what the page holds now, should it happen again.
    now = page.evaluate("() => [...document.querySelectorAll('[data-testid=stNumberInput] input')]"
                        ".map(e => [e.getAttribute('aria-label'), e.value])")
    assert shown == {"Number of points": ["700"], "Random seed": ["5"], "Max epochs": ["70"],
                     "Handover epoch": ["20"]}, f"on the page now: {now}"


def test_every_metric_is_readable_on_a_1024_pixel_projector(app_server, page):
    # In six equal columns this screen showed "3 / …" for the epoch and "te…" for the phase.
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, f"{app_server}/?max_epochs=5000&n_samples=20000")
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"({EPOCH_VALUE})() === 1", timeout=30_000)
    values = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMetricValue]')]
        .map(e => [e.innerText,
                   [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1)])""")
    assert len(values) == 6 and values[0][0] == "1 / 5000"
    assert [text for text, cut in values if cut] == []


# Each chart title whose text reaches past its chart's edges (cut off on screen).
CUT_TITLES = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const chart = plot.getBoundingClientRect(), title = plot.querySelector('.gtitle');
  if (!title || !chart.width) return [];
  const box = title.getBoundingClientRect();
  return box.left < chart.left - 1 || box.right > chart.right + 1 ? [title.textContent] : []; })"""


def test_switching_to_the_learned_space_shows_the_students_space_with_whole_titles(app_server, page):
    # Three panels side by side on a 1,024-pixel projector: one-line titles were cut off there.
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, f"{app_server}/?dataset=moons&n_clusters=2&max_epochs=30&speed=max")
    page.locator("[data-testid='stSidebar']").get_by_text("learned (student)").click()  # Teacher's space
    page.wait_for_selector(APP_READY, timeout=30_000)
    page.get_by_role("button", name="Train", exact=True).click()
    # .first: while Streamlit swaps a chart for its next epoch, the old one can still be there
    space_title = page.get_by_text(re.compile(r"The student's space,?\s*epoch \d+")).first
    expect(space_title).to_be_visible(timeout=60_000)
    page.wait_for_function(f"({EPOCH_VALUE})() >= 5", timeout=60_000)
    assert "teacher_space=learned" in page.url
    assert no_exception(page)
    assert page.evaluate(CUT_TITLES) == []


# The epoch of the chart on top at the live chart's centre, at every animation frame (null: none
# drawn there), for ms milliseconds and at least 11 frames, up to 4 x ms: a busy machine drew only
# 10 frames in 2 s.
SHOWN_EPOCHS = """async (ms) => {
  const box = document.querySelector('.st-key-live_stack').getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2; const shown = [];
  for (const t0 = performance.now(), elapsed = () => performance.now() - t0;
       (elapsed() < ms || shown.length <= 10) && elapsed() < 4 * ms;) {
    const hit = document.elementsFromPoint(x, y).find(e => e.closest('.js-plotly-plot .main-svg'));
    const title = hit && hit.closest('.js-plotly-plot').querySelector('.gtitle');
    shown.push(title ? parseInt(title.textContent.match(/epoch (\\d+)/)[1]) : null);
    await new Promise(r => requestAnimationFrame(r)); }
  return shown; }"""


def test_the_live_chart_never_goes_blank_while_it_plays(app_server, page):
    # Every epoch is a new chart, blank while Plotly draws it; the ones before must show through.
    open_app(page, f"{app_server}/?speed=10")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(f"({EPOCH_VALUE})() >= 3", timeout=30_000)
    first = page.evaluate(EPOCH_VALUE)
    shown = page.evaluate(SHOWN_EPOCHS, 2_000)
    assert page.evaluate(EPOCH_VALUE) > first + 3  # it did redraw meanwhile
    assert len(shown) > 10 and None not in shown, f"blank in {shown.count(None)} of {len(shown)} frames"
    # The newest figure must be the one in front: an older one on top was seen for a frame at a
    # time (epoch 1 after 7) when the new stacking order reached the page before the new chart.
    assert shown == sorted(shown), f"an older epoch came back on top: {shown}"


# Page-space boxes of a figure's parts, as drawn by Plotly in the browser.
DRAWN_BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const all = sel => [...document.querySelectorAll(sel)].map(box);
  return {buttons: all('.updatemenu-button'), slider: all('.slider-container'),
          x_titles: all('.g-xtitle, .g-x2title'), left_plot: all('.draglayer .xy .nsewdrag'),
          right_axis: all('.g-y2title, .y2tick text')};
}"""


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def drawn_boxes(browser, figure, width: int, folder) -> dict:
    html = folder / "figure.html"
    figure.write_html(html, include_plotlyjs=True, auto_play=False)
    tab = browser.new_page(viewport={"width": width, "height": 560})
    try:
        tab.goto(html.as_uri())
        tab.wait_for_selector(".draglayer .xy .nsewdrag")
        return tab.evaluate(DRAWN_BOXES)
    finally:
        tab.close()


def moons_run(space: str):
    X, _ = datasets.load("moons", n_samples=200, noise=0.05, random_state=0)
    config = TrainConfig(n_clusters=2, max_epochs=6, teacher_space=space, device="cpu")
    return X, list(train(X, config))


@pytest.mark.parametrize("width", [420, 700])
@pytest.mark.parametrize("space", ["input", "learned"])
def test_the_replay_keeps_its_controls_and_panels_apart_on_a_narrow_page(browser, tmp_path, space, width):
    X, frames = moons_run(space)
    boxes = drawn_boxes(browser, animation.replay_figure(X, frames, np.arange(len(X))), width, tmp_path)
    assert len(boxes["buttons"]) == 2 and boxes["slider"] and boxes["left_plot"]
    for button in boxes["buttons"]:
        assert not any(overlaps(button, other) for other in boxes["slider"] + boxes["x_titles"])
    # Learned mode: the student's-space panel's axis must not be drawn over the input panel.
    assert bool(boxes["right_axis"]) == (space == "learned")
    assert not any(overlaps(part, boxes["left_plot"][0]) for part in boxes["right_axis"])


@pytest.mark.parametrize("width", [420, 500])  # the main column beside the sidebar at 720-800 px
def test_the_agreement_axis_stays_off_the_loss_panel(browser, tmp_path, width):
    _, frames = moons_run("input")
    boxes = drawn_boxes(browser, plotting.curves_figure(frames, max_epochs=60), width, tmp_path)
    assert boxes["right_axis"] and boxes["left_plot"]
    assert not any(overlaps(part, boxes["left_plot"][0]) for part in boxes["right_axis"])
