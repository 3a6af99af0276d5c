"""CompositeModel: one epoch's labelling rule (teacher, then student), reusable on new points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .embedding import Encoder
from .networks import Student
from .scaling import Scaling
from .teacher import ABSTAIN, assign


@dataclass(frozen=True, eq=False)
class CompositeModel:
    """A frozen copy of the student plus the teacher's centroids, on the CPU.

    Inputs are in the training data's own units. The teacher scales them as it did in training
    (``scaling``: its own units, or standardised ones), the networks as they saw them
    (``network_scaling``). Callers pass valid 2-D float arrays.

    With an ``encoder`` (``teacher_space="learned"``) the teacher works in its space: new
    points are encoded, then labelled by the nearest centroid there. The student (a
    ``LearnedStudent``) encodes them itself.
    """

    student: Student | nn.Module
    centroids: np.ndarray  # the teacher's space: the scaled input, or the encoder's
    scaling: Scaling
    network_scaling: Scaling
    tie_margin: float
    phase: str
    encoder: Encoder | None = None

    def _network_input(self, X) -> torch.Tensor:
        return torch.as_tensor(self.network_scaling.transform(X), dtype=torch.float32)

    @torch.no_grad()
    def transform(self, X) -> np.ndarray:
        """Rows of X in the teacher's space: scaled as in training, then encoded in learned mode."""
        return self._teacher_space(X).double().numpy()

    def _teacher_space(self, X) -> torch.Tensor:
        if self.encoder is None:
            return torch.as_tensor(self.scaling.transform(X), dtype=torch.float32)
        with torch.no_grad():
            return self.encoder(self._network_input(X))

    def predict_student(self, X) -> np.ndarray:
        """The student's label for every row of X."""
        return self.student.predict(self._network_input(X)).numpy().astype(np.int64)

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
