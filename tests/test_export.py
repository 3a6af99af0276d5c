"""Tests for gankmeans.export: the assignments CSV and the strict-JSON run record."""

# X is scikit-learn's name for the data matrix.
# ruff: noqa: N806

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from gankmeans import TrainConfig, datasets, export, train
from gankmeans.metrics import external_scores


def _strict_loads(text):
    def reject(constant):
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=reject)


@pytest.fixture(scope="module")
def moons():
    return datasets.load("moons", n_samples=60, random_state=1)


@pytest.fixture(scope="module")
def run(moons):
    config = TrainConfig(n_clusters=2, max_epochs=3, random_state=0, device="cpu")
    return config, list(train(moons[0], config))


@pytest.fixture(scope="module")
def handover_run(moons):
    config = TrainConfig(n_clusters=2, handover=2, max_epochs=4, random_state=0, device="cpu")
    return config, list(train(moons[0], config))


# --- assignments ------------------------------------------------------------------------------

def test_csv_round_trips_through_pandas_with_the_frames_labels(moons, run):
    X, frame = moons[0], run[1][-1]
    table = pd.read_csv(io.StringIO(export.assignments_csv(X, frame)))
    assert list(table.columns) == ["x1", "x2", "cluster", "decided_by", "teacher_label", "student_label"]
    assert len(table) == len(X)
    np.testing.assert_allclose(table[["x1", "x2"]].to_numpy(), X)
    np.testing.assert_array_equal(table["cluster"], frame.labels)
    np.testing.assert_array_equal(table["teacher_label"], frame.teacher_labels)
    np.testing.assert_array_equal(table["student_label"], frame.student_labels)
    np.testing.assert_array_equal(table["decided_by"] == "student", frame.decided_by_student)


def test_decided_by_follows_the_teachers_abstentions(moons, handover_run):
    # After handover the teacher abstains everywhere, so every row says "student".
    table = export.assignments_table(moons[0], handover_run[1][-1])
    assert set(table["decided_by"]) == {"student"}
    assert (table["teacher_label"] == -1).all()
    np.testing.assert_array_equal(table["cluster"], table["student_label"])


def test_feature_names_come_from_columns_or_a_dataframe(moons, run):
    X, frame = moons[0], run[1][-1]
    named = export.assignments_table(X, frame, columns=["width", "height"])
    assert list(named.columns[:2]) == ["width", "height"]
    from_frame = export.assignments_table(pd.DataFrame(X, columns=["a", "b"]), frame)
    assert list(from_frame.columns[:2]) == ["a", "b"]


def test_an_input_column_named_cluster_is_kept_under_another_name(moons, run):
    X, frame = moons[0], run[1][-1]
    table = export.assignments_table(X, frame, columns=["cluster", "y"])
    assert list(table.columns[:2]) == ["input_cluster", "y"]
    np.testing.assert_array_equal(table["cluster"], frame.labels)
    np.testing.assert_allclose(table["input_cluster"], X[:, 0])


@pytest.mark.parametrize(("rows", "columns", "message"), [
    (slice(0, 10), None, "rows"),
    (slice(None), ["only one"], "column names"),
])
def test_mismatched_data_is_a_clear_value_error(moons, run, rows, columns, message):
    with pytest.raises(ValueError, match=message):
        export.assignments_table(moons[0][rows], run[1][-1], columns=columns)


# --- run record -------------------------------------------------------------------------------

def test_json_is_strict_and_has_one_epoch_per_frame(run):
    config, frames = run
    record = _strict_loads(export.run_json(config, frames, data={"dataset": "moons"}))
    assert [e["epoch"] for e in record["epochs"]] == [f.epoch for f in frames]
    assert record["data"] == {"dataset": "moons"}
    assert record["gankmeans_version"]
    assert TrainConfig(**record["config"]) == config
    assert record["final"]["epoch"] == frames[-1].epoch
    assert record["final"]["inertia"] == pytest.approx(frames[-1].inertia)
    assert record["final"]["phase"] == "teacher"
    assert "ari" not in record["final"] and "ari" not in record["epochs"][0]


def test_losses_are_null_after_handover(handover_run):
    config, frames = handover_run
    record = _strict_loads(export.run_json(config, frames))
    phases = [e["phase"] for e in record["epochs"]]
    assert phases == ["teacher", "student", "student", "student"]
    assert record["epochs"][0]["d_loss"] is not None
    assert all(e["d_loss"] is None and e["g_loss"] is None for e in record["epochs"][1:])
    assert record["final"]["phase"] == "student" and record["final"]["student_share"] == 1.0


def test_true_labels_add_ari_and_nmi_per_epoch_and_final(moons, run):
    config, frames = run
    y = moons[1]
    record = export.run_record(config, frames, y_true=y)
    for entry, frame in zip(record["epochs"], frames, strict=True):
        assert entry["ari"] == pytest.approx(external_scores(y, frame.labels)["ari"])
        assert 0 <= entry["nmi"] <= 1
    assert record["final"]["ari"] == record["epochs"][-1]["ari"]
    assert record["final"]["nmi"] == record["epochs"][-1]["nmi"]


def test_record_refuses_no_frames_and_mislengthed_labels(moons, run):
    config, frames = run
    with pytest.raises(ValueError, match="no frames"):
        export.run_record(config, [])
    with pytest.raises(ValueError, match="y_true"):
        export.run_record(config, frames, y_true=moons[1][:5])


def test_replay_html_holds_every_epoch_in_the_apps_player_and_works_offline():
    X, y = datasets.load("iris", n_samples=60, random_state=0)  # 4 features: drawn through PCA
    frames = list(train(X, TrainConfig(n_clusters=3, max_epochs=4, tol=0)))
    page = export.replay_html(X, frames, y_true=y, title="iris, K = 3")
    data = json.loads(re.search(r"id='gk-data'>(.*?)</script>", page, re.S)[1])
    assert [d["epoch"] for d in data["replay"]] == [1, 2, 3, 4]
    assert data["scene"]["axes"][0].startswith("PC1") and data["scene"]["grid"] is None  # no regions in PCA
    assert data["scene"]["has_labels"] and data["rows"]["ari"][-1] is not None
    assert "<title>iris, K = 3</title>" in page and "<script src=" not in page  # works offline


def test_replay_html_without_frames_is_a_clear_error():
    with pytest.raises(ValueError, match="no frames"):
        export.replay_html([[0.0, 1.0], [1.0, 0.0]], [])



def test_json_from_kept_metric_rows_matches_json_from_every_frame(moons, run):
    # A viewer that stores frames compactly keeps each epoch's metrics and only the last frame.
    config, frames = run
    y = moons[1]
    rows = [{**f.metrics(), **external_scores(y, f.labels)} for f in frames]
    kept = export.run_json(config, frames[-1:], None, y, epochs=rows)
    assert kept == export.run_json(config, frames, None, y)
