"""Tests for gankmeans.datasets: generators, 2-D projection, input validation."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

import gankmeans.datasets as datasets

SYNTHETIC = ("blobs", "anisotropic", "varied", "moons", "circles", "spirals", "uniform", "seed")
UNLABELLED = ("uniform", "seed")
FULL_SIZE = {"iris": 150, "wine": 178, "digits": 1797}
N_FEATURES = {"iris": 4, "wine": 13, "digits": 64}


# --- load ------------------------------------------------------------------------------------

def test_names_and_natural_k_cover_the_same_sets_in_order():
    assert datasets.NAMES == ("blobs", "anisotropic", "varied", "moons", "circles", "spirals",
                              "uniform", "seed", "iris", "wine", "digits")
    assert set(datasets.NATURAL_K) == set(datasets.NAMES)
    assert datasets.IMAGE_SHAPES == {"digits": (8, 8)}


@pytest.mark.parametrize("name", datasets.NAMES)
def test_every_dataset_loads_with_right_shape_dtype_and_labels(name):
    X, y = datasets.load(name, n_samples=120, random_state=3)
    n = min(120, FULL_SIZE.get(name, 120))
    assert X.shape == (n, N_FEATURES.get(name, 2))
    assert X.dtype == np.float64 and X.flags.c_contiguous
    assert np.isfinite(X).all()
    if name in UNLABELLED:
        assert y is None
    else:
        assert y.dtype == np.int64 and y.shape == (n,)
        assert len(np.unique(y)) == datasets.NATURAL_K[name]


@pytest.mark.parametrize("name", datasets.NAMES)
def test_same_random_state_gives_identical_data(name):
    X1, y1 = datasets.load(name, n_samples=100, random_state=7)
    X2, y2 = datasets.load(name, n_samples=100, random_state=7)
    np.testing.assert_array_equal(X1, X2)
    if y1 is not None:
        np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", SYNTHETIC + ("iris",))
def test_different_random_state_gives_different_data(name):
    X1, _ = datasets.load(name, n_samples=100, random_state=1)
    X2, _ = datasets.load(name, n_samples=100, random_state=2)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("name", datasets.NAMES)
def test_load_leaves_the_global_numpy_random_state_alone(name):
    before = np.random.get_state()
    datasets.load(name, n_samples=50, random_state=None)
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_random_state_none_draws_fresh_data():
    X1, _ = datasets.load("uniform", n_samples=50, random_state=None)
    X2, _ = datasets.load("uniform", n_samples=50, random_state=None)
    assert not np.array_equal(X1, X2)


def test_seed_grid_matches_the_write_up():
    X, y = datasets.load("seed", n_samples=100, random_state=0)
    assert y is None
    assert np.array_equal(X, np.round(X))
    assert X.min() == 1 and X.max() == 9
    assert (X[:, 0] != X[:, 1]).all()
    assert len(np.unique(X, axis=0)) < 100  # repeated points, as random.sample gives
    # every ordered pair (x, y) with x != y is reachable
    X, _ = datasets.load("seed", n_samples=20_000, random_state=0)
    assert len(np.unique(X, axis=0)) == 9 * 8


@pytest.mark.parametrize("random_state", range(5))
def test_blobs_are_clearly_separated_at_default_noise(random_state):
    X, y = datasets.load("blobs", random_state=random_state)
    labels = KMeans(n_clusters=4, n_init=3, random_state=0).fit_predict(X)
    assert adjusted_rand_score(y, labels) > 0.9


def test_noise_spreads_blobs_and_roughens_moons():
    tight, _ = datasets.load("blobs", noise=0.0)
    loose, _ = datasets.load("blobs", noise=0.5)
    assert loose.std() > tight.std()
    clean, y = datasets.load("moons", noise=0.0)
    noisy, _ = datasets.load("moons", noise=0.3)
    # noise-free moons lie exactly on unit half-circles around their centres
    centres = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(clean - centres, axis=1), 1.0)
    assert not np.allclose(np.linalg.norm(noisy - centres, axis=1), 1.0)


@pytest.mark.parametrize("name", datasets.NAMES)
def test_uses_noise_names_exactly_the_sets_that_noise_changes(name):
    quiet, _ = datasets.load(name, n_samples=100, noise=0.0)
    noisy, _ = datasets.load(name, n_samples=100, noise=0.5)
    assert (name in datasets.USES_NOISE) == (not np.array_equal(quiet, noisy))


def test_circles_use_factor_one_half_and_spirals_are_archimedean():
    X, y = datasets.load("circles", noise=0.0)
    radii = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radii[y == 0], 1.0)
    np.testing.assert_allclose(radii[y == 1], 0.5)
    X, y = datasets.load("spirals", n_samples=400, noise=0.0)
    radius = np.linalg.norm(X, axis=1)
    assert radius.max() <= 1.0 + 1e-12 and radius.max() > 0.99
    # Archimedean arms: angle = 3*pi*radius (1.5 turns at radius 1), arm 1 turned by pi
    offset = np.arctan2(X[:, 1], X[:, 0]) - 3 * np.pi * radius - np.pi * y
    np.testing.assert_allclose(np.cos(offset), 1.0, atol=1e-9)
    assert np.bincount(y).tolist() == [200, 200]


def test_uniform_fills_the_unit_square():
    X, _ = datasets.load("uniform", n_samples=2000)
    assert X.min() >= 0 and X.max() <= 1
    np.testing.assert_allclose(X.mean(axis=0), 0.5, atol=0.03)


def test_real_datasets_subsample_or_return_everything():
    X, y = datasets.load("digits", n_samples=300)
    assert X.shape == (300, 64) and X.min() == 0 and X.max() == 16
    X, y = datasets.load("iris", n_samples=10_000)
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    X[:] = 0  # the cached original must not be changed through the returned copy
    assert datasets.load("iris")[0].max() > 0


def test_bundled_rows_counts_the_real_sets_and_only_them():
    assert {name: datasets.bundled_rows(name) for name in ("iris", "wine", "digits")} == {
        "iris": 150, "wine": 178, "digits": 1797}
    for name in datasets.NAMES:
        if datasets.bundled_rows(name) is not None:
            assert len(datasets.load(name, n_samples=5_000)[0]) == datasets.bundled_rows(name)
    assert datasets.bundled_rows("blobs") is None and datasets.bundled_rows("seed") is None


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"name": "mooons"}, r"unknown dataset 'mooons'.*blobs, anisotropic.*digits"),
    ({"n_samples": 1}, r"n_samples=1 .*from 2 to 1,000,000"),
    ({"n_samples": 1_000_001}, r"n_samples=1000001"),
    ({"n_samples": 10.0}, r"n_samples=10.0 .*integer"),
    ({"noise": -0.1}, r"noise=-0.1 .*from 0 to 1"),
    ({"noise": 1.5}, r"noise=1.5"),
    ({"noise": math.nan}, r"noise=nan"),
    ({"noise": "0.1"}, r"noise='0.1'"),
    ({"random_state": -1}, r"random_state=-1 .*integer >= 0 or None"),
    ({"random_state": 1.5}, r"random_state=1.5"),
])
def test_load_rejects_bad_arguments_with_clear_messages(kwargs, match):
    args = {"name": "blobs", **kwargs}
    with pytest.raises(ValueError, match=match):
        datasets.load(**args)


def test_load_accepts_numpy_integers():
    X, _ = datasets.load("moons", n_samples=np.int64(10), random_state=np.int32(1))
    assert X.shape == (10, 2)


# --- read_csv --------------------------------------------------------------------------------

def test_project_2d_one_feature_adds_a_zero_axis():
    X2, x_title, y_title = datasets.project_2d([[1.0], [2.0], [3.0]])
    np.testing.assert_array_equal(X2, [[1, 0], [2, 0], [3, 0]])
    assert (x_title, y_title) == ("x1", "(none)")


def test_project_2d_two_features_are_kept_with_their_names():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    X2, x_title, y_title = datasets.project_2d(X, names=["width", "height"])
    np.testing.assert_array_equal(X2, X)
    assert (x_title, y_title) == ("width", "height")
    assert datasets.project_2d(X)[1:] == ("x1", "x2")


def test_project_2d_many_features_uses_pca_of_standardised_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    X[:, 1] = 1000 * X[:, 0]  # huge scale must not dominate: standardisation first
    X2, x_title, y_title = datasets.project_2d(X)
    assert X2.shape == (200, 2)
    np.testing.assert_allclose(X2.mean(axis=0), 0, atol=1e-9)
    assert x_title.startswith("PC1 (") and x_title.endswith("% of variance)")
    share = int(x_title[5:].split("%")[0])
    assert 35 <= share <= 50  # two perfectly correlated of five unit-variance features: ~2/5
    assert y_title.startswith("PC2 (")


def test_project_2d_constant_data_does_not_print_nan():
    _, x_title, y_title = datasets.project_2d(np.ones((4, 3)))
    assert "nan" not in x_title + y_title


# --- validate_data ---------------------------------------------------------------------------

def test_validate_data_converts_lists_and_frames_to_contiguous_float64():
    out = datasets.validate_data([[1, 2], [3, 4]])
    assert out.dtype == np.float64 and out.flags.c_contiguous and out.shape == (2, 2)
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [True, False, True]})
    np.testing.assert_array_equal(datasets.validate_data(frame), [[1, 1], [2, 0], [3, 1]])
    fortran = np.asfortranarray(np.arange(6.0).reshape(3, 2))
    assert datasets.validate_data(fortran).flags.c_contiguous


@pytest.mark.parametrize(("data", "match"), [
    (pd.DataFrame({"x": [1.0, 2.0], "name": ["a", "b"]}), r'column "name" is not numeric'),
    ([[1, 2], [3, "abc"]], r"non-numeric"),
    ([[1, 2], [3]], r"rows have different lengths"),
    ([[1.0, np.nan], [3.0, 4.0], [5.0, 6.0]], r"NaN or infinity in 1 of 3 rows"),
    ([[1.0, np.inf], [3.0, -np.inf], [5.0, 6.0]], r"NaN or infinity in 2 of 3 rows"),
    ([[1.0, 2.0]], r"got 1 sample; need at least 2"),
    (np.empty((0, 2)), r"got 0 samples; need at least 2"),
    (np.empty((5, 0)), r"got 0 features; need at least 1"),
    (pd.DataFrame(index=range(3)), r"got 0 features"),
    ([1.0, 2.0, 3.0], r"expected a 2-D array of shape \(n_samples, n_features\).*1-D"),
    (np.zeros((2, 2, 2)), r"expected a 2-D array.*3-D"),
    ([[1 + 2j, 0], [0, 1]], r"complex"),
])
def test_validate_data_rejects_bad_input_with_clear_messages(data, match):
    with pytest.raises(ValueError, match=match):
        datasets.validate_data(data)


def test_validate_data_nonfinite_message_names_both_nan_and_infinity():
    with pytest.raises(ValueError) as info:
        datasets.validate_data(np.array([[np.inf, 1.0], [2.0, 3.0]]))
    assert "NaN" in str(info.value) and "infinity" in str(info.value)


def test_validate_data_checks_samples_against_clusters():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"n_samples=3 is smaller than n_clusters=4"):
        datasets.validate_data(X, n_clusters=4)
    assert datasets.validate_data(X, n_clusters=3).shape == (3, 2)
