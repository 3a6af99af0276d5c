"""The *Standardise features* switch in the app: its defaults, the run it resets, the panels that follow."""

from __future__ import annotations

import numpy as np
from conftest import button, epoch, first_epoch, player_scene

from gankmeans import datasets


def kmeans_title(app) -> str:
    """Plain K-Means' panel as the player titles it: its scaling and ARI (gankmeans/player/player.js)."""
    panel = player_scene(app)["kmeans"]
    return f"ARI {panel['ari']:.3f} {panel['note']}"


def switch(app):
    return app.toggle(key="standardize")


def test_the_switch_starts_off_and_says_when_it_starts_on(at):
    assert switch(at).value is False and "different units" in switch(at).help
    assert any("Starts off here: on for wine" in c.value for c in at.caption)
    assert "own units" in kmeans_title(at)


def test_wine_starts_standardised_and_the_k_means_panel_follows_the_switch(at):
    at.selectbox(key="dataset").set_value("wine").run()
    assert switch(at).value is True
    assert any("Starts on for wine" in c.value for c in at.caption)
    standardised = kmeans_title(at)
    switch(at).set_value(False).run()
    as_given = kmeans_title(at)
    assert "standardised" in standardised and "own units" in as_given
    # wine: plain K-Means ARI about 0.37 as given, 0.90 standardised
    assert float(as_given.split("ARI ")[1][:5]) < 0.5 < 0.8 < float(standardised.split("ARI ")[1][:5])
    at.selectbox(key="dataset").set_value("iris").run()
    assert switch(at).value is False


def test_changing_it_discards_the_run_like_any_model_control(at):
    first_epoch(at)
    assert epoch(at) == 1
    switch(at).set_value(True).run()
    assert epoch(at) == 0 and "runner" not in at.session_state
    assert any("reset" in info.value for info in at.info)
    button(at, "Step").click().run()
    assert at.session_state["runner"].config.standardize is True


def test_the_comparison_table_sees_the_data_as_the_run_does(at):
    at.selectbox(key="dataset").set_value("wine").run()
    at.toggle(key="compare").set_value(True).run()
    standardised = at.dataframe[0].value.set_index("method")["ari"]
    assert any("Every method sees the data standardised" in c.value for c in at.caption)
    switch(at).set_value(False).run()
    as_given = at.dataframe[0].value.set_index("method")["ari"]
    assert any("Every method sees the data in its own units" in c.value for c in at.caption)
    assert as_given["K-Means"] < 0.5 < 0.8 < standardised["K-Means"]


def test_seed_original_preset_has_it_off(at):
    switch(at).set_value(True).run()
    at.selectbox(key="preset").set_value("Seed original").run()
    assert at.session_state["standardize"] is False


def csv_of(X: np.ndarray) -> bytes:
    return ("a,b\n" + "\n".join(f"{a:.6f},{b:.6f}" for a, b in X) + "\n").encode()


def test_an_uploaded_file_starts_standardised_when_its_spreads_differ_more_than_ten_times(at):
    X, _ = datasets.load("blobs", n_samples=60, random_state=0)
    at.file_uploader[0].set_value(("alike.csv", csv_of(X), "text/csv"))
    at.run()
    assert switch(at).value is False
    assert any("Starts off for your file" in c.value for c in at.caption)
    at.file_uploader[0].set_value(("mixed.csv", csv_of(X * [1, 100]), "text/csv"))
    at.run()
    assert switch(at).value is True
    assert any("Starts on for your file: its columns' spreads differ" in c.value for c in at.caption)
