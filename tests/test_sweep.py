"""sweep(): one row per (value, seed), runs identical to train()'s, and bad input refused up front."""

import dataclasses
import importlib
import math
import time

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

from gankmeans import DivergenceError, TrainConfig, datasets, sweep, train
from gankmeans.sweeps import (
    COLUMNS,
    MAX_SEEDS,
    MAX_VALUES,
    SILHOUETTE_SAMPLE,
    iter_sweep,
    parse_values,
    run_metrics,
    silhouette,
    sweep_plan,
    sweep_table,
    sweepable_parameters,
)

# Monkeypatching needs the module (gankmeans.sweeps), not the function gankmeans.sweep.
sweep_module = importlib.import_module("gankmeans.sweeps")
FAST = TrainConfig(n_clusters=3, max_epochs=4, device="cpu")
# Two allowed values of every sweepable field but the bool ones (generated below); a field added
# to TrainConfig without an entry here fails test_every_parameter_can_be_swept.
EXAMPLES = {
    "n_clusters": [2, 3], "max_epochs": [1, 2], "batch_size": ["auto", 16], "hidden": [8, 16],
    "lr_student": [1e-3, 1e-2], "lr_discriminator": [1e-3, 1e-2], "discriminator": ["conditional", "label"],
    "tie_margin": [0.0, 0.5], "teacher_weight": [0.0, 1.0], "handover": ["never", 1],
    "handover_agreement": [0.5, 0.9], "tol": [0.0, 1e-3], "patience": [1, 5], "init": ["k-means++", "random"],
    "teacher_space": ["input", "learned"], "n_neighbors": [5, 10], "embedding_dim": [None, 2],
}
LEARNED_ONLY = {"n_neighbors": "learned", "embedding_dim": "learned"}


@pytest.fixture(scope="module")
def moons():
    return datasets.load("moons", n_samples=80, random_state=0)


def _bool_fields():
    return [f.name for f in dataclasses.fields(TrainConfig) if isinstance(f.default, bool)]


def test_the_table_has_the_documented_columns_one_row_per_value_and_seed(moons):
    X, y = moons
    table = sweep(X, FAST, "lr_student", [1e-3, 1e-2], seeds=(0, 1), y=y)
    assert tuple(table.columns) == COLUMNS
    runs = list(zip(table["value"], table["seed"], strict=True))
    assert runs == [(1e-3, 0), (1e-3, 1), (1e-2, 0), (1e-2, 1)]
    assert set(table["parameter"]) == {"lr_student"}
    assert (table["epochs"] == 4).all() and set(table["ended"]) <= {"converged", "max_epochs"}
    assert table[["inertia", "agreement", "student_share", "ari", "nmi"]].notna().all().all()
    assert (table["silhouette"].between(-1, 1)).all() and (table["wall_time_s"] > 0).all()
    without_labels = sweep(X, FAST, "lr_student", [1e-3])
    assert tuple(without_labels.columns) == tuple(c for c in COLUMNS if c not in ("ari", "nmi"))


def test_each_run_equals_a_single_train_run_with_the_same_settings(moons):
    X, y = moons
    finished = [e for e in iter_sweep(X, FAST, "tie_margin", [0.0, 0.5], seeds=(0, 3), y=y) if e.finished]
    for event in finished:
        assert event.config == dataclasses.replace(FAST, tie_margin=event.value, random_state=event.seed)
        alone = list(train(X, event.config))[-1]
        np.testing.assert_array_equal(event.frame.labels, alone.labels)
        np.testing.assert_array_equal(event.frame.student_labels, alone.student_labels)
        assert event.row["epochs"] == alone.epoch and event.row["inertia"] == alone.inertia
        assert event.row["agreement"] == alone.agreement
    student_shares = {e.value: e.row["student_share"] for e in finished}
    assert student_shares[0.5] > student_shares[0.0]  # the swept value really reached the run


def test_the_silhouette_peaks_at_four_clusters_on_four_separated_blobs():
    centers = [(-6, -6), (-6, 6), (6, -6), (6, 6)]
    X, y = make_blobs(240, centers=centers, cluster_std=0.8, random_state=0)
    config = TrainConfig(max_epochs=30, device="cpu")
    table = sweep(X, config, "n_clusters", list(range(2, 9)), y=y)
    by_k = table.set_index("value")
    assert by_k["silhouette"].idxmax() == 4
    assert by_k.loc[4, "ari"] == pytest.approx(1.0)
    drops = -by_k["inertia"].diff()  # the elbow: the last big drop is into K = 4
    assert drops[4] > 5 * drops.loc[5:].max()


def test_progress_is_called_once_per_finished_run(moons):
    X, _ = moons
    seen = []
    table = sweep(X, FAST, "hidden", [8, 16], seeds=(0, 1), progress=seen.append)
    assert [(e.run, e.n_runs) for e in seen] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert [e.row for e in seen] == table.to_dict("records")


def test_every_parameter_can_be_swept(moons):
    X, _ = moons
    examples = {**EXAMPLES, **{name: [False, True] for name in _bool_fields()}}
    assert set(sweepable_parameters()) == set(examples)
    for parameter, values in examples.items():
        config = dataclasses.replace(FAST, max_epochs=2, teacher_space=LEARNED_ONLY.get(parameter, "input"),
                                     handover="auto" if parameter == "handover_agreement" else "never")
        finished = [e for e in iter_sweep(X, config, parameter, values) if e.finished]
        assert [getattr(e.config, parameter) for e in finished] == values, parameter
        assert [e.row["value"] for e in finished] == values


def test_a_diverging_run_is_recorded_and_the_sweep_goes_on():
    X, _ = datasets.load("blobs", n_samples=200, random_state=0)
    table = sweep(X, TrainConfig(max_epochs=5, device="cpu"), "lr_discriminator", [10.0, 3e-3])
    assert list(table["ended"]) == ["diverged", "max_epochs"]
    assert table.loc[0, "epochs"] == 0 and math.isnan(table.loc[0, "inertia"])
    assert table.loc[1, "epochs"] == 5 and table.loc[1, "silhouette"] > 0.5


def test_a_run_diverging_later_keeps_its_last_good_frame(moons, monkeypatch):
    X, _ = moons
    good = list(train(X, FAST))[:2]

    def diverging_at_epoch_3(X, config):
        yield from good
        raise DivergenceError("Training diverged at epoch 3")

    monkeypatch.setattr(sweep_module, "train", diverging_at_epoch_3)
    events = list(iter_sweep(X, FAST, "hidden", [8]))
    assert [e.finished for e in events] == [False, False, True]
    assert events[-1].frame is good[-1]
    assert events[-1].row["ended"] == "diverged" and events[-1].row["epochs"] == 2
    assert events[-1].row["inertia"] == good[-1].inertia


def test_the_generator_can_be_abandoned_between_runs(moons, monkeypatch):
    X, _ = moons
    started = []

    def counting_train(X, config):
        started.append(config)
        return train(X, config)

    monkeypatch.setattr(sweep_module, "train", counting_train)
    events = iter_sweep(X, FAST, "hidden", [8, 16, 32], seeds=(0, 1))
    assert started == []  # checked, not yet trained
    first = next(e for e in events if e.finished)
    events.close()
    assert first.run == 0 and len(started) == 1


def test_wall_time_counts_training_not_the_callers_pauses(moons, monkeypatch):
    X, _ = moons
    frames = list(train(X, FAST))
    monkeypatch.setattr(sweep_module, "train", lambda X, config: iter(frames))
    for event in iter_sweep(X, FAST, "hidden", [8]):
        if not event.finished:
            time.sleep(0.1)  # a paused app
    assert event.row["epochs"] == 4 and event.row["wall_time_s"] < 0.1


def _seed_list(n):
    return list(range(n))


@pytest.mark.parametrize(("parameter", "values", "seeds", "message"), [
    ("learning_rate", [1e-3], (0,), "unknown parameter 'learning_rate': expected one of n_clusters, "),
    ("random_state", [0, 1], (0,), "random_state cannot be swept: .*seeds"),
    ("device", ["cpu"], (0,), "device cannot be swept"),
    ("lr_student", [], (0,), "the list is empty"),
    ("lr_student", "1e-3", (0,), "must be a list"),
    ("hidden", list(range(2, 2 + MAX_VALUES + 1)), (0,), f"13 given, at most {MAX_VALUES}"),
    ("hidden", [8], _seed_list(MAX_SEEDS + 1), f"seeds: 6 given, at most {MAX_SEEDS}"),
    ("hidden", [8, 16, 8], (0,), "8 is given twice"),
    ("hidden", [8], (1, 1), "seeds: 1 is given twice"),
    ("hidden", [8], (0.5,), "seed 0.5 is not allowed"),
    ("hidden", [8], (), "seeds: the list is empty"),
    ("lr_student", [1e-3, 1e-2, -1.0], (0,), r"lr_student=-1.0 is not allowed: expected a number in \(0, 10"),
    ("discriminator", ["conditional", "both"], (0,), "discriminator='both' is not allowed: expected one of"),
    ("n_clusters", [2, 3, 500], (0,), "n_clusters=500 is not allowed"),
    ("n_clusters", [2, 60], (0,), "n_samples=50 is smaller than n_clusters=60"),
    ("n_neighbors", [5, 10], (0,), "n_neighbors changes nothing unless teacher_space='learned'"),
    ("handover_agreement", [0.5], (0,), "handover_agreement changes nothing unless handover='auto'"),
])
def test_bad_input_is_refused_before_anything_trains(monkeypatch, parameter, values, seeds, message):
    X, _ = datasets.load("blobs", n_samples=50, random_state=0)
    started = []
    monkeypatch.setattr(sweep_module, "train", lambda X, config: started.append(config))
    with pytest.raises(ValueError, match=message):
        sweep(X, FAST, parameter, values, seeds=seeds)
    with pytest.raises(ValueError, match=message):
        iter_sweep(X, FAST, parameter, values, seeds=seeds)  # at the call, not at the first next()
    assert started == []


def test_labels_must_match_the_data(moons):
    X, y = moons
    with pytest.raises(ValueError, match="y has 79 labels for 80 samples"):
        sweep_plan(X, FAST, "hidden", [8], y=y[:-1])


def test_numpy_values_and_seeds_become_plain_python_scalars(moons):
    X, _ = moons
    plan = sweep_plan(X, FAST, "lr_student", np.array([1e-3, 1e-2]), seeds=np.arange(2))
    assert [(type(v), type(s)) for v, s, _ in plan] == [(float, int)] * 4


@pytest.mark.parametrize("name", _bool_fields())
def test_a_bool_field_takes_true_and_false_only(moons, name):
    X, _ = moons
    assert parse_values(name, "true, False, yes, 0") == [True, False, True, False]
    assert [v for v, _, _ in sweep_plan(X, FAST, name, [False, True])] == [False, True]
    with pytest.raises(ValueError, match="expected True or False"):
        sweep_plan(X, FAST, name, [0, 1])


@pytest.mark.parametrize("name", sweepable_parameters())
def test_every_parameters_default_reads_back_from_its_text(name):
    default = getattr(TrainConfig(), name)
    assert parse_values(name, str(default)) == [default]


@pytest.mark.parametrize(("parameter", "text", "expected"), [
    ("lr_student", "1e-4, 1e-3,0.01", [1e-4, 1e-3, 0.01]),
    ("n_clusters", "2,3,1e1", [2, 3, 10]),
    ("handover", "never, 20, auto", ["never", 20, "auto"]),
    ("batch_size", "auto,64", ["auto", 64]),
    ("embedding_dim", "none,2", [None, 2]),
    ("init", "random,k-means++", ["random", "k-means++"]),
])
def test_values_parse_with_the_fields_type(parameter, text, expected):
    values = parse_values(parameter, text)
    assert values == expected and [type(v) for v in values] == [type(v) for v in expected]


@pytest.mark.parametrize(("parameter", "text", "message"), [
    ("hidden", "8,x", "hidden: expected an integer, got 'x'"),
    ("hidden", "0.5", "hidden: expected an integer, got '0.5'"),
    ("lr_student", "fast", "lr_student: expected a number, got 'fast'"),
    ("embedding_dim", "big", "expected an integer or none, got 'big'"),
    ("lr_student", "", "no values given for lr_student"),
    ("lr_student", "1e-3,,1e-2", "an empty value"),
    ("speed", "1", "unknown parameter 'speed'"),
])
def test_unreadable_values_are_refused_with_what_was_expected(parameter, text, message):
    with pytest.raises(ValueError, match=message):
        parse_values(parameter, text)


def test_the_silhouette_is_exact_up_to_its_sample_size_and_sampled_with_the_seed_above():
    X, labels = make_blobs(SILHOUETTE_SAMPLE + 1_000, centers=3, random_state=0)
    small = X[:500], labels[:500]
    assert silhouette(*small) == pytest.approx(silhouette_score(*small))
    exact = silhouette_score(X, labels)
    assert silhouette(X, labels, random_state=0) == silhouette(X, labels, random_state=0)
    assert silhouette(X, labels, random_state=0) != silhouette(X, labels, random_state=1)
    assert silhouette(X, labels, random_state=1) == pytest.approx(exact, abs=0.02)
    assert math.isnan(silhouette(X, np.zeros(len(X), dtype=int)))  # one cluster: undefined


def test_run_metrics_is_the_row_an_app_would_build_from_a_last_frame(moons):
    X, y = moons
    event = [e for e in iter_sweep(X, FAST, "hidden", [8], seeds=(2,), y=y) if e.finished][0]
    metrics = run_metrics(X, event.frame, y, random_state=2)
    assert metrics == {k: v for k, v in event.row.items() if k in metrics}
    assert set(event.row) - set(metrics) == {"parameter", "value", "seed", "ended", "wall_time_s"}


def test_an_empty_sweep_table_is_empty():
    assert sweep_table([]).empty
