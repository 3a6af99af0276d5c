"""Frame: an immutable snapshot of one epoch, everything a viewer needs to draw it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .metrics import student_share

if TYPE_CHECKING:  # a frame is read where torch is not needed (the app's server): no import
    from .model import CompositeModel


@dataclass(frozen=True, eq=False)
class Frame:
    """One epoch of a run; arrays are read-only numpy copies, in the input's own units.

    Attributes
    ----------
    epoch : int
        1 for the first epoch.
    labels : ndarray of int32, shape (n,)
        Composite labels: the teacher's where it decided, otherwise the student's.
    teacher_labels : ndarray of int32, shape (n,)
        The nearest-centroid label, -1 where the teacher abstained (everywhere after handover).
    student_labels : ndarray of int32, shape (n,)
        The student's argmax label for every point.
    centroids : ndarray of float64, shape (K, n_features)
        Centroids after this epoch's update.
    decided_by_student : ndarray of bool, shape (n,)
        Where the composite label came from the student.
    d_loss, g_loss : float
        Epoch means of the discriminator and student losses; NaN once the student has taken
        over, since nothing is trained then.
    agreement : float
        Share of teacher-decided points where the student's label equals the teacher's. After
        handover it is measured against the nearest-centroid rule the teacher would have used.
    inertia : float
        Sum of squared distances of points to their composite cluster's centroid.
    phase : {"teacher", "student"}
        "student" once the student labels every point alone (handover).
    converged : bool
        True on the last frame of a run stopped by ``tol``/``patience``.
    empty_clusters : int
        Clusters that got no point this epoch (they keep their previous centroid).
    model : CompositeModel
        This epoch's labelling rule, to label new points (a grid for a heatmap, held-out data).
    embedding : ndarray of float32, shape (n, 2) or (n, 1), or None
        ``teacher_space="learned"`` only: every point in the space the teacher works in (the
        encoder's whitened output z), its first two coordinates (one when z has one). It is the
        view to draw of "the student's space": in the early epochs it unfolds as the encoder
        learns, then stays fixed. None in input mode, where the teacher's space is the input.
    embedding_centroids : ndarray of float64, shape (K, 2) or (K, 1), or None
        The teacher's centroids in that same view (``centroids`` stay in input units: the mean
        of each cluster's points). None in input mode.
    """

    epoch: int
    labels: np.ndarray
    teacher_labels: np.ndarray
    student_labels: np.ndarray
    centroids: np.ndarray
    decided_by_student: np.ndarray
    d_loss: float
    g_loss: float
    agreement: float
    inertia: float
    phase: str
    converged: bool
    empty_clusters: int
    model: CompositeModel | None
    embedding: np.ndarray | None = None
    embedding_centroids: np.ndarray | None = None

    def __post_init__(self):
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def student_share(self) -> float:
        """Share of all points whose composite label the student decided."""
        return student_share(self.decided_by_student)

    def metrics(self) -> dict:
        """The scalar fields, as a plain dict (one row of a per-epoch metrics table)."""
        return {
            "epoch": self.epoch,
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "agreement": self.agreement,
            "inertia": self.inertia,
            "student_share": self.student_share,
            "phase": self.phase,
            "converged": self.converged,
            "empty_clusters": self.empty_clusters,
        }
