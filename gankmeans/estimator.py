"""GANKMeans: the composite clusterer as a scikit-learn estimator, built on train()."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .config import TrainConfig
from .training import train


class GANKMeans(ClusterMixin, BaseEstimator):
    """K-Means as the teacher, an adversarially trained network as the student.

    Every parameter mirrors the field of the same name in :class:`TrainConfig`, which
    documents it; they are validated when ``fit`` is called. ``predict`` scales new points as
    the training data was scaled (``standardize``).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Composite labels of the training data after the last epoch.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    inertia_ : float
        Sum of squared distances of the samples to their cluster's centre.
    n_iter_ : int
        Epochs run.
    history_ : list of Frame
        Every epoch's snapshot.
    n_features_in_ : int
    """

    def __init__(self, n_clusters=4, *, max_epochs=100, batch_size="auto", hidden=32,
                 lr_student=3e-3, lr_discriminator=3e-3, discriminator="conditional",
                 tie_margin=0.0, teacher_weight=0.0, handover="never", handover_agreement=0.99,
                 tol=1e-4, patience=10, init="k-means++", standardize=False, teacher_space="input",
                 n_neighbors=10, embedding_dim=None, random_state=0, device="auto"):
        self.n_clusters = n_clusters
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.hidden = hidden
        self.lr_student = lr_student
        self.lr_discriminator = lr_discriminator
        self.discriminator = discriminator
        self.tie_margin = tie_margin
        self.teacher_weight = teacher_weight
        self.handover = handover
        self.handover_agreement = handover_agreement
        self.tol = tol
        self.patience = patience
        self.init = init
        self.standardize = standardize
        self.teacher_space = teacher_space
        self.n_neighbors = n_neighbors
        self.embedding_dim = embedding_dim
        self.random_state = random_state
        self.device = device

    def fit(self, X, y=None):
        """Train on X (y is ignored) and keep the last epoch's labels and model."""
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        config = TrainConfig(**self.get_params())
        history = list(train(X, config))
        last = history[-1]
        self.model_ = last.model
        self.labels_ = last.labels.astype(np.int64)
        self.cluster_centers_ = np.array(last.centroids)
        self.inertia_ = last.inertia
        self.n_iter_ = last.epoch
        self.history_ = history
        return self

    def predict(self, X):
        """Composite labels for X: the teacher's where it decides, the student's elsewhere
        (the student's alone after handover)."""
        X = self._check_new(X)
        return self.model_.predict(X)

    def predict_student(self, X):
        """The student's labels for X, ignoring the teacher."""
        X = self._check_new(X)
        return self.model_.predict_student(X)

    def _check_new(self, X) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=np.float64, reset=False)
