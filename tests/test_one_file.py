"""One set of defaults: the same CSV file, untouched settings, gives the same run in the app, the
library and the command line."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, button, play_until_done

from gankmeans import GANKMeans, TrainConfig, datasets, train
from ui import controls


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    """Four overlapping groups (blobs at noise 0.3) with a label column: the tie margin and the
    number of epochs both change where the border points end up."""
    X, y = datasets.load("blobs", n_samples=300, noise=0.3, random_state=4)
    path = tmp_path_factory.mktemp("one_file") / "points.csv"
    pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "kind": [f"group{g}" for g in y]}).to_csv(path, index=False)
    return path


def test_the_app_s_model_defaults_are_train_config_s():
    library = TrainConfig()
    for key in controls.MODEL_KEYS:
        if key != "handover_epoch":
            assert controls.DEFAULTS[key] == getattr(library, key), key
    built = controls.to_config({k: v for k, v in controls.DEFAULTS.items() if k != "preset"})
    assert dataclasses.replace(built, device="auto") == library  # the app trains on the CPU


def test_one_file_gives_the_same_labels_in_the_app_the_library_and_the_cli(at, csv_file, tmp_path):
    table = pd.read_csv(csv_file)
    X = table[["x", "y"]].to_numpy()
    # The library: TrainConfig() with the file's K, as the app and the CLI guess it (4 label classes)
    *_, last = train(X, TrainConfig(n_clusters=4))
    library = last.labels
    np.testing.assert_array_equal(GANKMeans(n_clusters=4).fit(X).labels_, library)
    # A run with the app's former defaults (tie margin 0.3, 60 epochs) ends elsewhere: the check can fail
    *_, other = train(X, TrainConfig(n_clusters=4, tie_margin=0.3, max_epochs=60))
    assert not np.array_equal(other.labels, library)

    # The command line, no model options
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "gankmeans", "--csv", str(csv_file), "--out", str(out), "--quiet"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    cli = pd.read_csv(out / "assignments.csv")["cluster"].to_numpy()
    np.testing.assert_array_equal(cli, library)

    # The app: upload the file, touch nothing but the speed, Train to the end
    at.file_uploader[0].set_value(("points.csv", csv_file.read_bytes(), "text/csv"))
    at.run()
    at.select_slider(key="speed").set_value("max").run()
    assert at.session_state["n_clusters"] == 4
    button(at, "Train").click().run()
    play_until_done(at, timeout=240)
    runner = at.session_state["runner"]
    assert runner.status == "finished" and runner.latest.epoch == last.epoch
    np.testing.assert_array_equal(runner.latest.labels, library)
    exported = pd.read_csv(io.StringIO(at.session_state["exports"][1]["csv"]))["cluster"].to_numpy()
    np.testing.assert_array_equal(exported, library)
