"""Shareable links: the URL restores every control; bad values fall back to defaults with a note."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import controls, share

APP = str(Path(__file__).resolve().parents[1] / "app.py")

LINKED = {"dataset": "moons", "n_samples": "300", "noise": "0.1", "seed": "7", "n_clusters": "2",
          "max_epochs": "40", "lr_student": "0.001", "lr_discriminator": "0.0003", "hidden": "64",
          "batch_size": "128", "discriminator": "label", "tie_margin": "0.25", "teacher_weight": "0.5",
          "handover": "at epoch", "handover_epoch": "12", "init": "random", "tol": "0.001",
          "standardize": "true", "teacher_space": "learned", "n_neighbors": "15", "speed": "max",
          "heatmap": "false"}


def opened(query: dict[str, str]) -> AppTest:
    """The app as opened from a link with this query string."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_parse_restores_every_control_with_its_own_type():
    values, notes = share.parse(LINKED)
    assert notes == []
    assert set(values) == set(share.PARSERS) == set(LINKED)
    assert values["n_samples"] == 300 and values["lr_student"] == 1e-3 and values["heatmap"] is False
    assert values["batch_size"] == 128 and values["handover"] == "at epoch"


@pytest.mark.parametrize(("key", "text"), [
    ("n_clusters", "99"), ("noise", "nan"), ("lr_student", "0.5"), ("dataset", "<script>"),
    ("seed", "1e400"), ("batch_size", "-3"), ("heatmap", "maybe"), ("n_samples", "9" * 5000),
    ("teacher_space", "latent"), ("n_neighbors", "0"),
])
def test_bad_values_are_dropped_with_a_note_naming_them(key, text):
    values, notes = share.parse({key: text})
    assert key not in values
    assert len(notes) == 1 and f"`{key}=" in notes[0] and "default" in notes[0]


def test_app_restores_a_link_and_mirrors_its_controls():
    at = opened(LINKED)
    assert not at.exception and not at.warning
    state = at.session_state
    assert (state["dataset"], state["n_samples"], state["seed"], state["n_clusters"]) == ("moons", 300, 7, 2)
    assert (state["discriminator"], state["init"], state["tie_margin"]) == ("label", "random", 0.25)
    assert (state["teacher_space"], state["n_neighbors"], state["standardize"]) == ("learned", 15, True)
    at.slider(key="n_clusters").set_value(3).run()  # a change made in the app reaches the URL
    assert at.query_params["n_clusters"] in ("3", ["3"])
    assert at.query_params["dataset"] in ("moons", ["moons"])


def test_app_with_garbage_in_the_link_loads_defaults_and_says_so():
    at = opened({"n_clusters": "lots", "bogus": "1"})
    assert not at.exception
    assert at.session_state["n_clusters"] == controls.DEFAULTS["n_clusters"]
    assert any("n_clusters=lots" in w.value and "bogus" in w.value for w in at.warning)


def test_a_classroom_link_hides_chosen_controls_but_keeps_their_values():
    at = opened({"tie_margin": "0.5", "hide": "tie_margin,teacher_weight,nonsense"})
    assert not at.exception
    shown = {s.key for s in at.slider}
    assert "tie_margin" not in shown and "teacher_weight" not in shown and "n_clusters" in shown
    assert any("nonsense" in w.value for w in at.warning)
    at.slider(key="n_clusters").set_value(3).run()  # more runs: the hidden value must survive
    next(b for b in at.button if b.label == "Step").click().run()
    assert at.session_state["runner"].config.tie_margin == 0.5
    assert at.query_params["hide"] in ("tie_margin,teacher_weight", ["tie_margin,teacher_weight"])
    link = next(c.value for c in at.code if "?" in c.value)
    assert "tie_margin=0.5" in link and "hide=tie_margin%2Cteacher_weight" in link
    at.session_state["runner"].stop()


def test_a_link_to_wine_without_the_switch_starts_standardised_as_choosing_wine_does():
    assert opened({"dataset": "wine"}).session_state["standardize"] is True
    assert opened({"dataset": "wine", "standardize": "false"}).session_state["standardize"] is False


def test_a_classroom_link_can_hide_the_switch():
    at = opened({"dataset": "wine", "standardize": "false", "hide": "standardize"})
    assert not at.exception and "standardize" not in [t.key for t in at.toggle]
    assert at.session_state["standardize"] is False


def test_a_link_s_data_set_sets_k_as_the_menu_does_unless_the_link_gives_k():
    assert opened({"dataset": "digits"}).session_state["n_clusters"] == 10
    assert opened({"dataset": "moons"}).session_state["n_clusters"] == 2
    assert opened({"dataset": "digits", "n_clusters": "6"}).session_state["n_clusters"] == 6
    assert opened({"seed": "3"}).session_state["n_clusters"] == controls.DEFAULTS["n_clusters"]


def test_a_link_s_warning_stays_over_reruns_and_clears_once_a_control_changes():
    at = opened({"noise": "7", "hide": "tie_margin"})
    assert any("noise=7" in w.value for w in at.warning)
    at.run()  # a rerun with nothing changed (a fragment tick, a click elsewhere): still there
    assert any("noise=7" in w.value for w in at.warning)
    at.slider(key="n_clusters").set_value(3).run()
    assert not any("could not be used" in w.value for w in at.warning)
    at.slider(key="n_clusters").set_value(4).run()  # back as linked: the warning stays gone
    assert not at.warning and at.session_state["tie_margin"] == controls.DEFAULTS["tie_margin"]


def test_hidden_controls_are_named_with_their_values_under_fixed_by_this_link():
    at = opened({"tie_margin": "0.5", "n_clusters": "3", "hide": "tie_margin,n_clusters"})
    fixed = [c.value for c in at.sidebar.caption if "Fixed by this link" in c.value]
    assert fixed == ["**Fixed by this link:** tie margin = 0.5, K = 3."]
    assert not any("Fixed by this link" in c.value for c in opened({"tie_margin": "0.5"}).caption)
