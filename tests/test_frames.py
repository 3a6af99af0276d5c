"""The app's FrameStore: every epoch's metrics, the recent frames whole with their decision grids,
bounded memory."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gankmeans import TrainConfig, datasets, player, train
from ui.frames import RECENT, FrameStore, thin


@pytest.fixture(scope="module")
def frame():
    X, _ = datasets.load("blobs", n_samples=5_000, random_state=0)
    whole = next(iter(train(X, TrainConfig(n_clusters=4, max_epochs=1, device="cpu"))))
    return dataclasses.replace(whole, model=None)  # as the training process sends it


def epochs_of(frame, count):
    for epoch in range(1, count + 1):
        yield dataclasses.replace(frame, epoch=epoch)


def held_bytes(store) -> int:
    """The per-point arrays a store holds (the frames it shares are counted once)."""
    frames = {id(f): f for f, _ in (store.first, *store.recent, *store._spread)}.values()
    return sum(value.nbytes for f in frames for value in vars(f).values() if isinstance(value, np.ndarray))


def test_every_epoch_keeps_its_metrics_and_scores(frame):
    _, y = datasets.load("blobs", n_samples=5_000, random_state=0)
    store = FrameStore(y_true=y)
    for each in epochs_of(frame, 30):
        store.add(each)
    assert len(store) == 30 and [row["epoch"] for row in store.metrics] == list(range(1, 31))
    assert store.metrics[0]["ari"] > 0.9 and {"nmi", "agreement", "d_loss"} <= set(store.metrics[0])
    assert store.latest.epoch == 30 and store.latest.student_labels.size > 0  # the latest stays whole
    assert [f.epoch for f, _ in store.recent] == list(range(max(1, 30 - RECENT + 1), 31))


def test_each_frame_keeps_the_decision_grid_in_effect_at_its_epoch(frame):
    store = FrameStore(keep=4)
    grids = {1: b"one", 4: b"four"}  # the training process makes a grid now and then
    for each in epochs_of(frame, 9):
        store.add(each, grids.get(each.epoch))
    assert [grid for _, grid in store.recent] == [b"one"] * 3 + [b"four"] * 6
    assert {f.epoch: grid for f, grid in store.replay()} == {1: b"one", 2: b"one", 4: b"four", 6: b"four",
                                                             8: b"four", 9: b"four"}


def test_each_epoch_s_scores_equal_scikit_learn_s_even_with_text_classes_and_an_empty_cluster(frame):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    y = np.array(["a", "b", "c", "d", "e"])[np.random.default_rng(1).integers(0, 5, len(frame.labels))]
    labels = frame.labels.copy()
    labels[labels == 3] = 2  # cluster 3 now holds no point
    store = FrameStore(y_true=y)
    store.add(dataclasses.replace(frame, labels=labels))
    row = store.metrics[0]
    assert row["ari"] == pytest.approx(adjusted_rand_score(y, labels), abs=1e-12)
    assert row["nmi"] == pytest.approx(normalized_mutual_info_score(y, labels), abs=1e-12)


def test_memory_stays_bounded_however_long_the_run(frame):
    store = FrameStore(keep=20)
    sizes = {}
    for each in epochs_of(frame, 3_000):
        store.add(each)
        if each.epoch in (200, 3_000):
            sizes[each.epoch] = held_bytes(store)
    whole = sum(v.nbytes for v in vars(frame).values() if isinstance(v, np.ndarray))
    assert sizes[3_000] <= 1.1 * sizes[200]  # flat, not growing with the epochs
    assert sizes[3_000] < (RECENT + 2 * 20 / 3) * whole  # thinned frames are small
    assert len(store) == 3_000


def test_replay_frames_span_the_run_evenly_from_first_to_latest(frame):
    store = FrameStore(keep=10)
    for each in epochs_of(frame, 1_000):
        store.add(each)
    epochs = [f.epoch for f, _ in store.replay()]
    assert epochs[0] == 1 and epochs[-1] == 1_000 and 10 <= len(epochs) <= 2 * 10 + 2
    gaps = np.diff(epochs[1:-1])
    assert gaps.min() == gaps.max()  # evenly spaced between the ends


def test_a_thinned_frame_still_draws_and_labels_the_same(frame):
    small = thin(frame)
    assert small.labels.dtype == np.int8 and np.array_equal(small.labels, frame.labels)
    assert small.model is None and small.teacher_labels.size == 0
    X2 = np.random.default_rng(0).normal(size=(len(frame.labels), 2))
    sample = np.arange(50)
    assert player.epoch_delta(small, X2, sample) == player.epoch_delta(frame, X2, sample)


def test_a_thinned_learned_frame_keeps_its_space_at_screen_precision():
    X, _ = datasets.load("moons", n_samples=100, random_state=0)
    config = TrainConfig(n_clusters=2, max_epochs=1, teacher_space="learned", device="cpu")
    learned = next(iter(train(X, config)))
    small = thin(learned)
    assert small.embedding.dtype == np.float16 and small.embedding.shape == learned.embedding.shape
    np.testing.assert_allclose(small.embedding, learned.embedding, rtol=1e-2, atol=1e-2)
