"""CompositeModel: a frame's labelling rule reproduces its labels and labels new points."""

import numpy as np
import pytest

from gankmeans import TrainConfig, datasets, train


@pytest.fixture(scope="module")
def last_frame():
    X, _ = datasets.load("blobs", n_samples=300, random_state=0)
    return X, list(train(X, TrainConfig(n_clusters=4, max_epochs=8)))[-1]


def test_model_reproduces_the_frames_labels_except_where_centroids_moved(last_frame):
    X, frame = last_frame
    model = frame.model
    np.testing.assert_array_equal(model.predict_student(X), frame.student_labels)
    # the model's teacher uses the centroids after the update, the frame's those before it
    assert (model.predict(X) == frame.labels).mean() > 0.95


def test_abstentions_are_decided_by_the_student():
    X, _ = datasets.load("uniform", n_samples=300, random_state=0)  # many near-ties
    frame = list(train(X, TrainConfig(max_epochs=3, tie_margin=0.3)))[-1]
    teacher = frame.model.predict_teacher(X)
    assert (teacher == -1).any()
    composite = frame.model.predict(X)
    np.testing.assert_array_equal(composite[teacher == -1], frame.model.predict_student(X)[teacher == -1])


def test_model_labels_a_grid_of_new_points(last_frame):
    X, frame = last_frame
    xs = np.linspace(X.min(), X.max(), 20)
    grid = np.array([[a, b] for a in xs for b in xs])
    labels = frame.model.predict_student(grid)
    assert labels.shape == (400,) and set(np.unique(labels)) <= {0, 1, 2, 3}
