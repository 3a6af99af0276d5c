"""CompositeModel: one epoch's labelling rule (teacher, then student), reusable on new points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .embedding import Encoder
from .networks import Student
from .teacher import ABSTAIN, assign


@dataclass(frozen=True, eq=False)
class CompositeModel:
    """A frozen copy of the student plus the teacher's centroids, on the CPU.

    Inputs are in the training data's own units; they are standardised here with the
    training data's mean and scale. Callers pass valid 2-D float arrays.

    With an ``encoder`` (``teacher_space="learned"``) the teacher works in its space: new
    points are encoded, then labelled by the nearest centroid there. The student (a
    ``LearnedStudent``) encodes them itself.
    """

    student: Student | nn.Module
    centroids: np.ndarray  # the teacher's space: standardised input units, or the encoder's
    mean: np.ndarray
    scale: np.ndarray
    tie_margin: float
    phase: str
    encoder: Encoder | None = None

    def _standardise(self, X) -> torch.Tensor:
        return torch.as_tensor((np.asarray(X, dtype=np.float64) - self.mean) / self.scale,
                               dtype=torch.float32)

    @torch.no_grad()
    def transform(self, X) -> np.ndarray:
        """Rows of X in the teacher's space: standardised, then encoded in learned mode."""
        return self._teacher_space(X).double().numpy()

    def _teacher_space(self, X) -> torch.Tensor:
        points = self._standardise(X)
        if self.encoder is None:
            return points
        with torch.no_grad():
            return self.encoder(points)

    def predict_student(self, X) -> np.ndarray:
        """The student's label for every row of X."""
        return self.student.predict(self._standardise(X)).numpy().astype(np.int64)

    def predict_teacher(self, X) -> np.ndarray:
        """The teacher's label for every row of X; -1 where it abstains (everywhere after handover)."""
        if self.phase == "student":
            return np.full(len(X), ABSTAIN, dtype=np.int64)
        centroids = torch.as_tensor(self.centroids, dtype=torch.float32)
        _, teacher = assign(self._teacher_space(X), centroids, self.tie_margin)
        return teacher.numpy().astype(np.int64)

    def predict(self, X) -> np.ndarray:
        """Composite labels: the teacher's where it decides, otherwise the student's."""
        teacher = self.predict_teacher(X)
        return np.where(teacher == ABSTAIN, self.predict_student(X), teacher)
