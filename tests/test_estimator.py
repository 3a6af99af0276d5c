"""GANKMeans as a scikit-learn estimator: the shared checks, fit/predict consistency, and use as
KMeans is used (score, transform, cross-validation, pipelines, grid search, clone, pickle)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gankmeans import GANKMeans, datasets
from gankmeans.metrics import inertia


@parametrize_with_checks([GANKMeans(n_clusters=3, max_epochs=20)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def blobs():
    return datasets.load("blobs", n_samples=300, random_state=0)


@pytest.fixture(scope="module")
def fitted(blobs):
    X, _ = blobs
    return GANKMeans(n_clusters=4, random_state=0).fit(X)


def test_fitted_attributes_describe_the_last_epoch(fitted, blobs):
    X, y = blobs
    last = fitted.history_[-1]
    assert fitted.n_iter_ == last.epoch == len(fitted.history_)
    np.testing.assert_array_equal(fitted.labels_, last.labels)
    assert fitted.labels_.dtype == np.int64
    assert fitted.cluster_centers_.shape == (4, 2)
    assert fitted.inertia_ == pytest.approx(last.inertia)
    # the blobs are far apart: every cluster is one true blob
    from sklearn.metrics import adjusted_rand_score
    assert adjusted_rand_score(y, fitted.labels_) > 0.95


def test_predict_on_training_data_reproduces_labels(fitted, blobs):
    X, _ = blobs
    np.testing.assert_array_equal(fitted.predict(X), fitted.labels_)
    np.testing.assert_array_equal(GANKMeans(n_clusters=4).fit_predict(X), fitted.labels_)


def test_predict_student_agrees_with_teacher_after_training(fitted, blobs):
    X, _ = blobs
    assert (fitted.predict_student(X) == fitted.predict(X)).mean() >= 0.95


def test_after_handover_predict_is_the_student_alone(blobs):
    X, _ = blobs
    est = GANKMeans(n_clusters=4, handover=5, max_epochs=8).fit(X)
    assert est.history_[-1].phase == "student"
    shifted = X + 0.3  # unseen points
    np.testing.assert_array_equal(est.predict(shifted), est.predict_student(shifted))


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        GANKMeans().predict([[0.0, 1.0]])


def test_bad_parameter_is_reported_at_fit(blobs):
    X, _ = blobs
    est = GANKMeans(n_clusters=0)  # __init__ stores, fit validates
    with pytest.raises(ValueError, match="n_clusters=0"):
        est.fit(X)


def test_predict_with_wrong_feature_count_raises(fitted):
    with pytest.raises(ValueError, match="features"):
        fitted.predict(np.zeros((3, 5)))


# --- score and transform, as KMeans has them ---------------------------------------------------


def test_score_is_minus_the_inertia(fitted, blobs):
    X, _ = blobs
    assert fitted.score(X) == pytest.approx(-fitted.inertia_, rel=1e-5)
    held_out = X[:50] + 0.5
    expected = inertia(held_out, fitted.predict(held_out), fitted.cluster_centers_)
    assert fitted.score(held_out) == pytest.approx(-expected)
    assert fitted.score(held_out) < fitted.score(X[:50])  # moved points fit the clusters worse


@pytest.mark.parametrize("tie_margin", [0.0, 0.3])
def test_transform_gives_distances_whose_nearest_is_the_teachers_label(blobs, tie_margin):
    X, _ = blobs
    est = GANKMeans(n_clusters=4, tie_margin=tie_margin, max_epochs=15, random_state=0).fit(X)
    points = np.random.default_rng(0).uniform(X.min(0), X.max(0), (2000, 2))  # between blobs too
    distances = est.transform(points)
    assert distances.shape == (len(points), 4) and (distances >= 0).all()
    decided = est.model_.predict_teacher(points) >= 0
    assert decided.sum() > len(points) / 2
    if tie_margin:
        assert not decided.all()  # the margin leaves the bands between clusters to the student
    np.testing.assert_array_equal(distances[decided].argmin(1), est.predict(points)[decided])


def test_transform_of_the_centres_is_zero_on_the_diagonal(fitted):
    # In input mode the teacher's space maps each input-unit centre onto its own centroid.
    distances = fitted.transform(fitted.cluster_centers_)
    np.testing.assert_allclose(np.diag(distances), 0, atol=1e-5)
    assert (distances[~np.eye(4, dtype=bool)] > 0.1).all()


def test_transform_in_learned_mode_is_in_the_encoders_space():
    X, _ = datasets.load("moons", n_samples=200, noise=0.05, random_state=0)
    est = GANKMeans(n_clusters=2, teacher_space="learned", max_epochs=25, random_state=0).fit(X)
    distances = est.transform(X)
    assert distances.shape == (200, 2)
    decided = est.model_.predict_teacher(X) >= 0
    np.testing.assert_array_equal(distances[decided].argmin(1), est.predict(X)[decided])


def test_fit_transform_equals_fit_then_transform(blobs):
    X, _ = blobs
    fitted_then = GANKMeans(n_clusters=4, max_epochs=5).fit(X).transform(X)
    np.testing.assert_allclose(GANKMeans(n_clusters=4, max_epochs=5).fit_transform(X), fitted_then)


def test_feature_names_are_kept_from_a_dataframe_and_checked(blobs):
    X, _ = blobs
    frame = pd.DataFrame(X, columns=["width", "height"])
    est = GANKMeans(n_clusters=4, max_epochs=5).fit(frame)
    assert est.n_features_in_ == 2
    assert list(est.feature_names_in_) == ["width", "height"]
    assert list(est.get_feature_names_out()) == [f"gankmeans{k}" for k in range(4)]
    with pytest.raises(ValueError, match="feature names"):
        est.predict(frame.rename(columns={"height": "depth"}))
    assert not hasattr(GANKMeans(n_clusters=4, max_epochs=5).fit(X), "feature_names_in_")


# --- in scikit-learn's tools ------------------------------------------------------------------


def test_cross_val_score_needs_no_scoring(blobs):
    X, _ = blobs
    folds = KFold(3, shuffle=True, random_state=0)
    four = cross_val_score(GANKMeans(n_clusters=4, max_epochs=20), X, cv=folds)
    one = cross_val_score(GANKMeans(n_clusters=1, max_epochs=5), X, cv=folds)
    assert four.shape == (3,) and np.isfinite(four).all() and (four < 0).all()
    assert (four > one).all()  # four blobs: four clusters leave far less inertia than one


def test_in_a_pipeline_after_a_scaler(blobs):
    X, _ = blobs
    pipe = make_pipeline(StandardScaler(), GANKMeans(n_clusters=4, random_state=0)).fit(X * [1000, 1])
    scaled = pipe[0].transform(X * [1000, 1])
    np.testing.assert_array_equal(pipe.predict(X * [1000, 1]), pipe[-1].labels_)
    assert pipe.score(X * [1000, 1]) == pytest.approx(pipe[-1].score(scaled))
    assert pipe.transform(X * [1000, 1]).shape == (len(X), 4)


def test_grid_search_picks_the_best_score(blobs):
    X, _ = blobs
    search = GridSearchCV(GANKMeans(max_epochs=15), {"n_clusters": [2, 4]}, cv=3).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert search.best_params_ == {"n_clusters": 4} and scores[1] > scores[0]
    assert search.best_estimator_.predict(X).max() == 3


def test_clone_copies_parameters_not_the_fit(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        copy.predict(np.zeros((2, 2)))


def test_a_pickled_model_predicts_as_the_original(fitted, blobs):
    X, _ = blobs
    restored = pickle.loads(pickle.dumps(fitted))
    unseen = X[:40] + 0.2
    np.testing.assert_array_equal(restored.predict(unseen), fitted.predict(unseen))
    np.testing.assert_array_equal(restored.predict_student(unseen), fitted.predict_student(unseen))
    np.testing.assert_allclose(restored.transform(unseen), fitted.transform(unseen))


@pytest.mark.parametrize("standardize", [False, True])
def test_predict_scales_new_points_as_the_training_data_was_scaled(standardize):
    X, y = datasets.load("wine")  # columns in different units: the two settings part ways
    est = GANKMeans(n_clusters=3, max_epochs=20, standardize=standardize).fit(X)
    assert (est.predict(X) == est.labels_).mean() >= 0.95
    other = GANKMeans(n_clusters=3, max_epochs=20, standardize=not standardize).fit(X)
    from sklearn.metrics import adjusted_rand_score
    assert adjusted_rand_score(est.labels_, other.labels_) < 0.6  # the setting changed the clusters
    assert adjusted_rand_score(other.predict(X), est.predict(X)) < 0.6
