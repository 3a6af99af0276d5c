"""train(): the student learns, runs are reproducible, and the seed's defects stay fixed."""

import numpy as np
import pandas as pd
import pytest
import torch

from gankmeans import DivergenceError, TrainConfig, datasets, metrics, train
from gankmeans.training import _Run, epoch_plan


@pytest.fixture(scope="module")
def blobs():
    return datasets.load("blobs", n_samples=400, random_state=0)[0]


@pytest.fixture(scope="module")
def blob_run(blobs):
    return list(train(blobs, TrainConfig(n_clusters=4, max_epochs=60)))


def test_the_students_weights_change(blobs):
    run = _Run(blobs, TrainConfig(n_clusters=4))
    before = [p.detach().clone() for p in run.student.parameters()]
    run.epoch(1)
    after = list(run.student.parameters())
    assert all(not torch.equal(b, a) for b, a in zip(before, after, strict=True))


def test_student_learns_the_teacher_on_blobs_within_60_epochs(blob_run):
    assert max(f.agreement for f in blob_run) >= 0.95
    assert blob_run[-1].agreement >= 0.95


def test_label_only_discriminator_completes_but_agrees_far_less(blobs, blob_run):
    label_only = list(train(blobs, TrainConfig(n_clusters=4, max_epochs=60, discriminator="label")))
    assert label_only[-1].epoch >= 1
    assert label_only[-1].agreement < 0.6 < blob_run[-1].agreement


def test_same_random_state_gives_identical_frames(blobs):
    config = TrainConfig(n_clusters=4, max_epochs=5)
    first, second = list(train(blobs, config)), list(train(blobs, config))
    for a, b in zip(first, second, strict=True):
        for key, value in vars(a).items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, getattr(b, key))
        assert a.metrics() == b.metrics()
    other = list(train(blobs, TrainConfig(n_clusters=4, max_epochs=5, random_state=1)))
    assert other[-1].d_loss != first[-1].d_loss


def test_training_leaves_the_global_random_state_alone(blobs):
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state().clone()
    list(train(blobs, TrainConfig(max_epochs=2)))
    assert np.array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_exact_ties_on_the_seed_grid_are_decided_by_the_student():
    X, _ = datasets.load("seed", n_samples=100, random_state=0)
    # init="random" can pick two equal grid points: those centroids tie for every point near them
    frames = list(train(X, TrainConfig(n_clusters=4, init="random", random_state=1)))
    ties = [f for f in frames if f.decided_by_student.any()]
    assert ties, "this seed is known to produce exact ties"
    for frame in ties:
        mask = frame.decided_by_student
        np.testing.assert_array_equal(mask, frame.teacher_labels == -1)
        np.testing.assert_array_equal(frame.labels[mask], frame.student_labels[mask])
        np.testing.assert_array_equal(frame.labels[~mask], frame.teacher_labels[~mask])


def test_a_wider_tie_margin_gives_the_student_more_points():
    X, _ = datasets.load("uniform", n_samples=400, random_state=0)  # no gaps between clusters
    narrow = list(train(X, TrainConfig(max_epochs=3)))[-1]
    wide = list(train(X, TrainConfig(max_epochs=3, tie_margin=0.3)))[-1]
    assert wide.student_share > narrow.student_share + 0.05


def test_empty_clusters_keep_finite_centroids():
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)  # two distinct points, four clusters
    frames = list(train(X, TrainConfig(n_clusters=4, init="random", max_epochs=5)))
    assert any(f.empty_clusters > 0 for f in frames)
    for f in frames:
        assert np.isfinite(f.centroids).all() and np.isfinite(f.inertia)


def test_centroids_and_inertia_are_in_input_units(blobs):
    X = blobs * 100 + 7  # units far from standardised
    frame = list(train(X, TrainConfig(n_clusters=4, max_epochs=3)))[-1]
    for k in range(4):
        np.testing.assert_allclose(frame.centroids[k], X[frame.labels == k].mean(0), rtol=1e-5)
    assert frame.inertia == pytest.approx(metrics.inertia(X, frame.labels, frame.centroids), rel=1e-4)


def test_handover_at_an_epoch_hands_every_point_to_the_student(blobs):
    frames = list(train(blobs, TrainConfig(n_clusters=4, handover=3, max_epochs=5, tol=0)))
    assert [f.phase for f in frames] == ["teacher"] * 2 + ["student"] * 3
    for f in frames[2:]:
        assert (f.teacher_labels == -1).all() and f.decided_by_student.all()
        np.testing.assert_array_equal(f.labels, f.student_labels)
        assert np.isnan(f.d_loss) and np.isnan(f.g_loss)


def test_auto_handover_follows_sustained_agreement(blobs):
    config = TrainConfig(n_clusters=4, handover="auto", handover_agreement=0.95, patience=3)
    frames = list(train(blobs, config))
    first_student = next(i for i, f in enumerate(frames) if f.phase == "student")
    assert all(f.agreement >= 0.95 for f in frames[first_student - 3 : first_student])
    assert frames[-1].phase == "student"


def test_run_stops_once_stable_for_patience_epochs(blob_run, blobs):
    assert blob_run[-1].converged and len(blob_run) < 60
    assert not any(f.converged for f in blob_run[:-1])
    assert len(list(train(blobs, TrainConfig(max_epochs=15, tol=0)))) == 15


def test_divergent_learning_rate_raises_a_clear_error(blobs):
    with pytest.raises(DivergenceError, match="Lower the learning rates"):
        list(train(blobs, TrainConfig(lr_student=10, lr_discriminator=10)))


def test_frames_are_read_only(blob_run):
    with pytest.raises(ValueError):
        blob_run[0].labels[0] = 3


def test_auto_batches_bound_the_work_of_an_epoch():
    assert epoch_plan("auto", 400) == (64, 400)
    assert epoch_plan("auto", 10_000) == (625, 10_000)
    assert epoch_plan("auto", 100_000) == (1024, 16_384)
    assert epoch_plan(32, 100_000) == (32, 100_000)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        ([[0.0, np.nan], [1.0, 2.0], [3, 4], [5, 6]], "NaN"),
        ([[0.0, np.inf], [1.0, 2.0], [3, 4], [5, 6]], "infinity"),
        (pd.DataFrame({"a": [1, 2, 3, 4], "name": ["w", "x", "y", "z"]}), '"name" is not numeric'),
        ([[0.0, 1.0], [1.0, 2.0]], "smaller than n_clusters=4"),
        ([[0.0, 1.0]], "1 sample"),
        (np.zeros((5, 0)), "feature"),
        ([1.0, 2.0, 3.0, 4.0, 5.0], "2-D"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(X, message):
    with pytest.raises(ValueError, match=message):
        next(train(X, TrainConfig(n_clusters=4)))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_asking_for_cuda_without_it_is_a_clear_error(blobs):
    with pytest.raises(ValueError, match="CUDA is not available"):
        next(train(blobs, TrainConfig(device="cuda")))
