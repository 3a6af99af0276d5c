"""docs/api.md: generated from the docstrings of what gankmeans.__all__ lists, and never stale."""

import difflib
import importlib.util
from pathlib import Path

import pytest

import gankmeans

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.md"


@pytest.fixture(scope="module")
def make_api():
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_api_md_is_what_the_docstrings_say_now(make_api):
    written, fresh = API.read_text(encoding="utf-8"), make_api.render()
    diff = "".join(list(difflib.unified_diff(written.splitlines(True), fresh.splitlines(True),
                                             "docs/api.md", "the docstrings"))[:40])
    assert written == fresh, f"docs/api.md is stale: run `python docs/make_api.py`\n{diff}"


def test_every_public_name_has_its_section_with_its_docstring(make_api):
    text = make_api.render()
    for name in gankmeans.__all__:
        obj = getattr(gankmeans, name)
        assert f"\n## gankmeans.{name}\n" in text
        first_line = (obj.__doc__ or "").strip().splitlines()[0]
        assert first_line.replace("``", "`") in text
    assert "\n### GANKMeans.score\n" in text and "\n### datasets.load\n" in text


def test_a_public_name_without_a_docstring_stops_the_generator(make_api, monkeypatch):
    monkeypatch.setattr(gankmeans.GANKMeans.score, "__doc__", None)
    with pytest.raises(ValueError, match="GANKMeans.score has no docstring"):
        make_api.render()
