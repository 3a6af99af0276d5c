"""Tests for python -m gankmeans: options, outputs, summary, and error handling without tracebacks."""

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

import gankmeans.__main__ as cli
from gankmeans import TrainConfig, datasets, train
from gankmeans.training import DivergenceError

REPO = Path(__file__).resolve().parents[1]
FAST = ["--n-samples", "60", "--max-epochs", "3", "--device", "cpu"]


def _flag(name):
    return "--" + name.replace("_", "-")


def test_a_run_writes_both_files_and_prints_the_summary(tmp_path, capsys):
    assert cli.main([*FAST, "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    table = pd.read_csv(tmp_path / "assignments.csv")
    record = json.loads((tmp_path / "run.json").read_text())
    assert len(table) == 60 and "cluster" in table
    assert len(record["epochs"]) == 3 and "ari" in record["final"]
    assert record["config"]["n_clusters"] == datasets.NATURAL_K["moons"]
    assert record["data"] == {"dataset": "moons", "n_samples": 60, "noise": 0.05, "seed": 0}
    for text in ("moons", "ARI", "NMI", "K-Means", "epochs run", "3 of 3", str(tmp_path / "run.json")):
        assert text in out
    assert "3/3" in err  # the progress bar


def test_html_flag_writes_an_offline_replay_too(tmp_path, capsys):
    assert cli.main([*FAST, "--quiet", "--html", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "replay.html").read_text()
    assert "id='gk-modules'" in page and "id='gk-data'" in page  # the app's player, with the run
    assert "<title>GANKMeans on moons: K = 2, input space, seed 0</title>" in page
    assert "<script src=" not in page and len(page) > 1_000_000  # plotly.js is embedded
    assert "replay.html" in capsys.readouterr().out


def test_k_defaults_to_the_datasets_natural_k_unless_given(tmp_path, capsys):
    assert cli.main([*FAST, "--dataset", "blobs", "--quiet", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "run.json").read_text())["config"]["n_clusters"] == 4
    args = [*FAST, "--dataset", "blobs", "--n-clusters", "3", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "run.json").read_text())["config"]["n_clusters"] == 3
    assert capsys.readouterr().err == ""  # --quiet: no progress bar


def test_convergence_ends_the_run_early(tmp_path, capsys, monkeypatch):
    def converging_at_epoch_2(X, config):
        for frame in train(X, config):
            yield dataclasses.replace(frame, converged=frame.epoch == 2)
            if frame.epoch == 2:
                return

    monkeypatch.setattr(cli, "train", converging_at_epoch_2)
    assert cli.main([*FAST, "--max-epochs", "10", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "epochs run      2 of 10" in out and "converged       yes" in out
    assert "2/10" in err  # the bar stops where the run did
    assert len(json.loads((tmp_path / "run.json").read_text())["epochs"]) == 2


def test_csv_input_uses_its_column_names_and_label_column(tmp_path, capsys):
    X, y = datasets.load("blobs", n_samples=40, random_state=0)
    source = tmp_path / "points.csv"
    pd.DataFrame({"width": X[:, 0], "height": X[:, 1], "kind": y}).to_csv(source, index=False)
    args = ["--csv", str(source), "--label-column", "kind", "--max-epochs", "3", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path / "out")]) == 0
    table = pd.read_csv(tmp_path / "out" / "assignments.csv")
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert list(table.columns[:2]) == ["width", "height"]
    assert record["config"]["n_clusters"] == 4  # one per distinct label
    assert record["data"]["csv"] == "points.csv"
    assert "ARI" in capsys.readouterr().out


def test_csv_label_column_is_guessed_as_in_the_app_unless_told_none(tmp_path, capsys):
    X, y = datasets.load("blobs", n_samples=40, random_state=0)
    source = tmp_path / "points.csv"
    pd.DataFrame({"width": X[:, 0], "height": X[:, 1], "class": y}).to_csv(source, index=False)
    args = ["--csv", str(source), "--max-epochs", "3", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path / "guessed")]) == 0
    out = capsys.readouterr().out
    assert "label column    class" in out and "40 x 2 features" in out and "ARI" in out
    assert json.loads((tmp_path / "guessed" / "run.json").read_text())["data"]["label_column"] == "class"
    assert cli.main([*args, "--label-column", "none", "--out", str(tmp_path / "none")]) == 0
    out = capsys.readouterr().out
    assert "label column    none" in out and "40 x 3 features" in out and "no true labels" in out


def _iris_by_pandas(tmp_path):
    """iris as `df.to_csv("iris.csv")` writes it: its index, 0..149, as an unnamed first column."""
    source = tmp_path / "iris.csv"
    load_iris(as_frame=True).frame.to_csv(source)
    return source


def test_a_csv_s_row_index_is_left_out_and_the_summary_says_so(tmp_path, capsys):
    source = _iris_by_pandas(tmp_path)
    args = ["--csv", str(source), "--max-epochs", "2", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    features = list(load_iris(as_frame=True).data.columns)
    assert f"features        {', '.join(features)}\n" in out and "150 x 4 features" in out
    assert ("left out        column 1: an unnamed first column, as pandas writes its index; "
            "--keep-column 'column 1' trains on it") in out
    data = json.loads((tmp_path / "out" / "run.json").read_text())["data"]
    assert data["features"] == features and list(data["left_out"]) == ["column 1"]
    assert list(pd.read_csv(tmp_path / "out" / "assignments.csv").columns[:4]) == features
    # Kept, it is trained on, and K-Means finds the species by their row numbers (the leak).
    assert cli.main([*args, "--keep-column", "column 1", "--out", str(tmp_path / "kept")]) == 0
    kept = capsys.readouterr().out
    assert "150 x 5 features" in kept and "left out" not in kept
    data = json.loads((tmp_path / "kept" / "run.json").read_text())["data"]
    assert data["features"] == ["column 1", *features] and data["left_out"] == {}
    def kmeans_ari(summary):
        return float(re.search(r"^ARI +\S+ +(\S+)$", summary, re.M)[1])

    assert kmeans_ari(kept) > kmeans_ari(out) + 0.2


def test_keep_column_is_repeatable_and_takes_commas(tmp_path, capsys):
    source = tmp_path / "points.csv"
    table = pd.DataFrame({"id": range(30), "x": np.linspace(0, 1, 30) ** 2, "y": np.sin(np.arange(30))})
    table.to_csv(source)  # an index, then an id column
    base = ["--csv", str(source), "--max-epochs", "1", "--quiet"]
    expected = ["column 1", "id", "x", "y"]
    for keep in (["--keep-column", "column 1,id"], ["--keep-column", "column 1", "--keep-column", "id"]):
        assert cli.main([*base, *keep, "--out", str(tmp_path)]) == 0
        assert json.loads((tmp_path / "run.json").read_text())["data"]["features"] == expected
    assert cli.main([*base, "--keep-column", "id", "--out", str(tmp_path)]) == 0
    assert "left out        column 1:" in capsys.readouterr().out


def test_a_sweep_on_a_csv_says_what_was_left_out(tmp_path, capsys):
    args = ["--csv", str(_iris_by_pandas(tmp_path)), "--max-epochs", "1", "--quiet", "--sweep",
            "lr_student=1e-3,1e-2", "--seeds", "0", "--out", str(tmp_path)]
    assert cli.main(args) == 0
    assert "left out        column 1: an unnamed first column" in capsys.readouterr().out


def test_help_lists_every_config_field_with_its_default(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in TrainConfig.field_names():
        assert _flag(name) in out
    actions = {a.dest: a for a in cli.build_parser()._actions}
    for field in dataclasses.fields(TrainConfig):
        if field.name != "n_clusters":  # its default is the data set's natural K
            assert actions[field.name].default == field.default
            assert f"(default: {field.default})" in actions[field.name].help


def _text_csv(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("a,b\n1,2\nhello,3\n")
    return ["--csv", str(path)]


@pytest.mark.parametrize(("args", "message"), [
    (["--lr-student", "-1"], "--lr-student -1"),
    (["--dataset", "nope"], "'nope'"),
    (["--batch-size", "big"], "--batch-size"),
    (["--n-samples", "1"], "--n-samples 1"),
    (["--csv", "no/such/file.csv"], "No such file"),
    (["--label-column", "kind"], "only with --csv"),
    (["--keep-column", "id"], "only with --csv"),
    ("iris csv --keep-column nope", "column 'nope' to keep is not in the file; its columns are column 1, "),
    ("text csv", "non-numeric value 'hello'"),
])
def test_a_bad_value_exits_2_with_a_message_and_no_traceback(tmp_path, capsys, args, message):
    if args == "iris csv --keep-column nope":
        args = ["--csv", str(_iris_by_pandas(tmp_path)), "--keep-column", "nope"]
    args = _text_csv(tmp_path) if args == "text csv" else args
    assert cli.main([*args, "--quiet", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and message in err
    assert "Traceback" not in err


def test_divergence_exits_2_with_its_message(tmp_path, capsys, monkeypatch):
    def diverging(X, config):
        raise DivergenceError("Training diverged at epoch 1")
        yield

    monkeypatch.setattr(cli, "train", diverging)
    assert cli.main([*FAST, "--quiet", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == "error: Training diverged at epoch 1"


def test_python_dash_m_gankmeans_help_runs():
    result = subprocess.run([sys.executable, "-m", "gankmeans", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--lr-student" in result.stdout and "--out" in result.stdout


# --- --sweep -------------------------------------------------------------------------------------


def test_a_sweep_writes_one_csv_row_per_value_and_seed(tmp_path, capsys):
    args = [*FAST, "--sweep", "lr_student=1e-3,1e-2", "--seeds", "0,1", "--out", str(tmp_path)]
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    table = pd.read_csv(tmp_path / "sweep.csv")
    runs = list(zip(table["value"], table["seed"], strict=True))
    assert runs == [(1e-3, 0), (1e-3, 1), (1e-2, 0), (1e-2, 1)]
    assert {"inertia", "silhouette", "agreement", "student_share", "wall_time_s", "ari", "nmi"} <= set(table)
    assert (table["parameter"] == "lr_student").all() and (table["epochs"] == 3).all()
    assert not (tmp_path / "assignments.csv").exists() and not (tmp_path / "sweep.html").exists()
    assert "4/4" in err  # the progress bar counts runs
    assert "mean over 2 seeds for each value of lr_student" in out and str(tmp_path / "sweep.csv") in out


def test_a_sweep_with_html_writes_the_offline_plot_too(tmp_path, capsys):
    args = [*FAST, "--dataset", "blobs", "--sweep", "n-clusters=2,3,4", "--quiet", "--html"]
    assert cli.main([*args, "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""  # --quiet: no progress bar
    assert list(pd.read_csv(tmp_path / "sweep.csv")["value"]) == [2, 3, 4]
    page = (tmp_path / "sweep.html").read_text()
    assert "Plotly.newPlot" in page and "Inertia (the elbow" in page
    assert '<script src="http' not in page and len(page) > 1_000_000  # plotly.js is embedded


def test_sweep_values_are_read_as_the_option_reads_them(tmp_path, capsys):
    args = [*FAST, "--quiet", "--sweep", "handover=never,2,auto", "--random-state", "7"]
    assert cli.main([*args, "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "sweep.csv", dtype={"value": str})
    assert list(table["value"]) == ["never", "2", "auto"]
    assert list(table["seed"]) == [7, 7, 7]  # without --seeds, the one seed of --random-state
    assert "never" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--sweep", "speed=1,2"], "unknown parameter 'speed': expected one of n_clusters, "),
    (["--sweep", "random_state=1,2"], "random_state cannot be swept"),
    (["--sweep", "lr_student"], "--sweep expects PARAM=V1,V2,..."),
    (["--sweep", "lr_student="], "no values given for lr_student"),
    (["--sweep", "hidden=8,big"], "hidden: expected an integer, got 'big'"),
    (["--sweep", "lr_student=1e-3,-1"], "lr_student=-1.0 is not allowed"),
    (["--sweep", "discriminator=label,both"], "discriminator='both' is not allowed"),
    (["--sweep", "hidden=" + ",".join(str(8 + i) for i in range(13))], "13 given, at most 12"),
    (["--sweep", "hidden=8", "--seeds", "0,1,2,3,4,5"], "seeds: 6 given, at most 5"),
    (["--sweep", "hidden=8", "--seeds", "0,x"], "--seeds expects integers"),
    (["--sweep", "hidden=8", "--random-state", "none"], "a sweep needs integer seeds"),
    (["--seeds", "0,1"], "--seeds applies only with --sweep"),
])
def test_a_bad_sweep_exits_2_with_a_message_before_any_run(tmp_path, capsys, monkeypatch, args, message):
    started = []
    monkeypatch.setattr(sys.modules["gankmeans.sweeps"], "train", lambda X, config: started.append(config))
    assert cli.main([*FAST, *args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and started == []
    assert not (tmp_path / "sweep.csv").exists()


def test_help_explains_the_sweep(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for text in ("--sweep PARAM=V1,V2,...", "--seeds S1,S2,...", "sweep.csv", "sweep.html",
                 "--sweep lr_student=1e-4,1e-3,1e-2 --seeds 0,1,2"):
        assert text in out


def test_standardize_flag_reaches_the_config_and_the_summary_compares_on_the_same_scaling(tmp_path, capsys):
    args = [*FAST, "--dataset", "wine", "--n-samples", "178", "--quiet"]  # all of wine
    assert cli.main([*args, "--out", str(tmp_path / "own")]) == 0
    own = capsys.readouterr().out
    assert cli.main([*args, "--standardize", "--out", str(tmp_path / "std")]) == 0
    standardised = capsys.readouterr().out
    assert json.loads((tmp_path / "own" / "run.json").read_text())["config"]["standardize"] is False
    assert json.loads((tmp_path / "std" / "run.json").read_text())["config"]["standardize"] is True
    assert "K-Means on the data as given" in own and "K-Means on standardised data" in standardised

    def kmeans_ari(out):  # wine: plain K-Means ~0.37, standardised ~0.9
        return float(next(line for line in out.splitlines() if line.startswith("ARI")).split()[2])

    assert kmeans_ari(own) < 0.5 < 0.8 < kmeans_ari(standardised)
