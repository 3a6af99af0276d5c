"""Shared fixtures: a real `streamlit run app.py` server on a free port, for the browser tests."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import streamlit  # noqa: F401  (configures its loggers, which the line below then adjusts)

# ui's cached functions warn "No runtime found" when imported outside a running app (the
# benchmarks, the worker tests): expected there, and noise in a benchmark's printed table.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
APP_READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def pytest_configure(config):
    # The suite shares 2 cores with its own Streamlit servers and Chromium. torch's default pool
    # (a thread per core) then fights them for the busy core: the learned-space tests, many small
    # float64 operations, ran 30-90x slower with 2 threads than with 1 (measured).
    import torch

    torch.set_num_threads(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


def start_app(port: int | None = None, log: Path | None = None,
              env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free port (``env``: extra environment variables);
    returns (process, base URL)."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    # A log file, not a pipe: a pipe nobody reads fills up and stalls the server.
    sink = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
    except Exception:
        stop_app(process)
        raise
    return process, url


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def chromium_or_skip() -> str:
    """The Chromium path; skip when missing, unless GANKMEANS_REQUIRE_BROWSER=1 (then fail)."""
    if Path(CHROMIUM).exists() or shutil.which("chromium") == CHROMIUM:
        return CHROMIUM
    if os.environ.get("GANKMEANS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and GANKMEANS_REQUIRE_BROWSER=1 requires the browser test")
    pytest.skip(f"{CHROMIUM} is missing (set GANKMEANS_REQUIRE_BROWSER=1 to make this a failure)")


def nginx_or_skip() -> str:
    """The nginx executable; skip when missing, unless GANKMEANS_REQUIRE_BROWSER=1 (CI: then fail)."""
    from deploy.replicas import nginx_binary

    found = nginx_binary()
    if found:
        return found
    if os.environ.get("GANKMEANS_REQUIRE_BROWSER") == "1":
        pytest.fail("nginx is missing and GANKMEANS_REQUIRE_BROWSER=1 requires the replica tests")
    pytest.skip("nginx is missing (apt-get install nginx; GANKMEANS_REQUIRE_BROWSER=1 makes this a failure)")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Base URL of a running app; the server is stopped after the session."""
    process, url = start_app(log=tmp_path_factory.mktemp("streamlit") / "server.log")
    yield url
    stop_app(process)


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium through Playwright."""
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright  # a dev requirement: missing is a failure

    # A rerun on 2 busy cores (CI's, or a machine training at the same time) can take longer than
    # Playwright's default 5 s: an upload's caption came after it once.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh tab (its own Streamlit session), closed afterwards; a test module may set VIEWPORT
    (width, height), as the lessons do for a projector's 1024x768."""
    width, height = getattr(request.module, "VIEWPORT", (1400, 1000))
    tab = browser.new_page(viewport={"width": width, "height": height})
    yield tab
    tab.close()


# --- AppTest: the app without a browser, shared by tests/test_app*.py ---------------------------

APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def pool():
    """One warm training process for all these tests, in place of the server's pool."""
    from ui.pool import Pool

    started = Pool(processes=1).start()
    yield started
    started.close()


@pytest.fixture
def at(pool):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["pool"] = pool
    app.run()
    yield app
    if "runner" in app.session_state:
        app.session_state["runner"].stop()


def button(app, label):
    return next(b for b in app.button if b.label == label)


def packet(app) -> dict:
    """What the last script run handed the player element (the browser receives it as is)."""
    return json.loads(app.get("bidi_component")[0].proto.json)


def player_scene(app) -> dict:
    """The scene the player holds: resent on request, as a remounted player would ask."""
    app.session_state["feed"].request_sync()
    app.run()
    return packet(app)["scene"]


def epoch(app) -> int:
    """The newest epoch the player has been sent, which it shows once drawn (0: none)."""
    feed = app.session_state["feed"] if "feed" in app.session_state else None  # noqa: SIM401 (no .get)
    return feed.epoch_sent if feed is not None and feed.run is not None else 0


def first_epoch(app):
    """Step 0 (a new run's starting centroids), then Step: the run's first epoch."""
    button(app, "Step").click().run()
    button(app, "Step").click().run()


def play_until_done(app, timeout=60.0):
    """AppTest runs no JavaScript, so the player never asks for its next tick: drive the page with
    repeated runs."""
    deadline = time.monotonic() + timeout
    while app.session_state["runner"].status == "playing" and time.monotonic() < deadline:
        time.sleep(0.05)
        app.run()
    app.run()


def small_run(app, epochs=8):
    app.number_input(key="max_epochs").set_value(epochs)
    app.select_slider(key="speed").set_value("max")
    return app.run()
