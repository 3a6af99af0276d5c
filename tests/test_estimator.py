"""GANKMeans as a scikit-learn estimator: the shared checks, and fit/predict consistency."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from gankmeans import GANKMeans, datasets


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


@pytest.mark.parametrize("standardize", [False, True])
def test_predict_scales_new_points_as_the_training_data_was_scaled(standardize):
    X, y = datasets.load("wine")  # columns in different units: the two settings part ways
    est = GANKMeans(n_clusters=3, max_epochs=20, standardize=standardize).fit(X)
    assert (est.predict(X) == est.labels_).mean() >= 0.95
    other = GANKMeans(n_clusters=3, max_epochs=20, standardize=not standardize).fit(X)
    from sklearn.metrics import adjusted_rand_score
    assert adjusted_rand_score(est.labels_, other.labels_) < 0.6  # the setting changed the clusters
    assert adjusted_rand_score(other.predict(X), est.predict(X)) < 0.6
