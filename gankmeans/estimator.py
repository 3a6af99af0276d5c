"""GANKMeans: the composite clusterer as a scikit-learn estimator, built on train()."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils.validation import check_is_fitted, validate_data

from .config import TrainConfig
from .metrics import inertia
from .training import train


class GANKMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """K-Means as the teacher, an adversarially trained network as the student.

    Every parameter mirrors the field of the same name in :class:`TrainConfig`, which
    documents it; they are validated when ``fit`` is called. Like scikit-learn's ``KMeans`` it
    clusters (``fit``, ``predict``, ``fit_predict``), scores (``score``: the negative inertia,
    so ``cross_val_score`` and ``GridSearchCV`` need no ``scoring``) and transforms (``transform``:
    distances to the centroids), inside a ``Pipeline`` too. ``predict`` and
    ``transform`` scale new points as the training data was scaled (``standardize``).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Composite labels of the training data after the last epoch.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Each cluster's centre in X's own units: the mean of its points after the last epoch (an
        empty cluster keeps its previous centre).
    inertia_ : float
        Sum of squared distances of the samples to their cluster's centre.
    n_iter_ : int
        Epochs run.
    history_ : list of Frame
        Every epoch's snapshot.
    model_ : CompositeModel
        The last epoch's labelling rule, which ``predict`` and ``transform`` apply.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        The column names, when ``fit`` was given a DataFrame whose column names are all strings;
        ``predict``, ``score`` and ``transform`` then expect the same columns.
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
        """Train on X and keep the last epoch's labels and model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
            Present for scikit-learn's API; the labels are never used.

        Returns
        -------
        self : GANKMeans
        """
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
        self._n_features_out = len(self.cluster_centers_)  # get_feature_names_out: gankmeans0, ...
        return self

    def predict(self, X):
        """Composite labels for X: the teacher's where it decides, the student's elsewhere
        (the student's alone after handover).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New points, in the units of the training data.

        Returns
        -------
        ndarray of int64, shape (n_samples,)
            Cluster numbers 0 to ``n_clusters - 1``.
        """
        X = self._check_new(X)
        return self.model_.predict(X)

    def predict_student(self, X):
        """The student's labels for X, ignoring the teacher.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of int64, shape (n_samples,)
        """
        X = self._check_new(X)
        return self.model_.predict_student(X)

    def score(self, X, y=None) -> float:
        """The negative inertia of X: minus the sum of squared distances (in X's units) of every
        point to the centre of its cluster, with clusters as ``predict`` labels them and centres
        ``cluster_centers_``. Higher is better; on the training data it is ``-inertia_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        float
        """
        X = self._check_new(X)
        return -inertia(X, self.model_.predict(X), self.cluster_centers_)

    def transform(self, X):
        """Distances of every point to every centroid, in the teacher's space.

        The teacher's space is where the teacher measures distance, which ``model_.transform``
        maps X into: in input mode (``teacher_space="input"``) X centred and divided by the training
        data's RMS spread (each feature first divided by its own spread when ``standardize``), in
        learned mode the encoder's space. So ``argmin`` over a row is the
        teacher's nearest centroid, which is the label ``predict`` gives wherever the teacher
        decides (it abstains within ``tie_margin`` of a tie, and after handover). These are not
        distances to ``cluster_centers_`` in X's own units, unless the teacher works in them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_clusters)
        """
        X = self._check_new(X)
        return euclidean_distances(self.model_.transform(X), self.model_.centroids)

    def fit_transform(self, X, y=None):
        """``fit(X)``, then ``transform(X)``: the training data's distances to the centroids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        ndarray of shape (n_samples, n_clusters)
        """
        return self.fit(X).transform(X)

    def _check_new(self, X) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=np.float64, reset=False)
