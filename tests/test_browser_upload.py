"""Uploads in the real app in headless Chromium: a rejected file leaves the uploader empty, and a
pandas-written file's row index is left out until the user keeps it."""

from __future__ import annotations

import pytest
from conftest import APP_READY
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def upload(page, name: str, content: bytes) -> None:
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content})
    page.wait_for_timeout(500)  # the upload, then the rerun it starts
    page.wait_for_selector(APP_READY, timeout=60_000)


def test_a_rejected_file_leaves_the_uploader_empty_and_the_kept_file_named(app_server, page):
    from sklearn.datasets import load_iris

    page.goto(app_server)
    page.wait_for_selector(APP_READY, timeout=60_000)
    page.get_by_text("Upload your own data (CSV)").click()
    sidebar = page.locator("[data-testid='stSidebar']")
    names = sidebar.locator("[data-testid='stFileChipName']")  # the files the uploader shows
    upload(page, "iris.csv", load_iris(as_frame=True).frame.to_csv().encode())
    expect(names).to_have_text(["iris.csv"])
    expect(sidebar.get_by_text("150 rows × 4 features, 3 label classes")).to_be_visible()
    expect(sidebar.get_by_text("an unnamed first column, as pandas writes its index")).to_be_visible()
    upload(page, "gaps.csv", b"a,b\n1,2\n3,\n5,6\n7,8\n9,10\n")
    expect(page.get_by_text("gaps.csv cannot be used")).to_be_visible()
    expect(names).to_have_count(0)  # the box no longer shows a file the data does not come from
    expect(sidebar.get_by_text("the data is still iris.csv")).to_be_visible()
    sidebar.get_by_role("button", name="Drop the 1 incomplete row").click()
    page.wait_for_selector(APP_READY, timeout=60_000)
    expect(sidebar.get_by_text("4 rows × 2 features")).to_be_visible()
    expect(page.get_by_text("cannot be used")).to_have_count(0)
    assert page.locator("[data-testid='stException']").count() == 0
