"""Tests for python -m gankmeans: options, outputs, summary, and error handling without tracebacks."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

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
    assert "Plotly.newPlot" in page and "Plotly.addFrames" in page  # an animated figure
    assert '<script src="http' not in page and len(page) > 1_000_000  # plotly.js is embedded
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
    ("text csv", "non-numeric value 'hello'"),
])
def test_a_bad_value_exits_2_with_a_message_and_no_traceback(tmp_path, capsys, args, message):
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
