"""The student (the seed's generator) and the discriminator, as small PyTorch MLPs."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Student(nn.Module):
    """Labels points: MLP ``d -> hidden -> hidden/2 -> K`` with ReLU; the label is the argmax."""

    def __init__(self, n_features: int, n_clusters: int, hidden: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, max(hidden // 2, 1)),
            nn.ReLU(),
            nn.Linear(max(hidden // 2, 1), n_clusters),
        )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.net(points)

    @torch.no_grad()
    def predict(self, points: torch.Tensor) -> torch.Tensor:
        return self.net(points).argmax(1)


class Discriminator(nn.Module):
    """Scores (point, one-hot label) pairs: a logit, high for "labelled by the teacher".

    With ``conditional=False`` it sees the label alone, as in the seed: it can then only compare
    label frequencies, never whether a label fits its point.
    """

    def __init__(self, n_features: int, n_clusters: int, hidden: int, conditional: bool = True):
        super().__init__()
        self.conditional = conditional
        # One hidden layer, as in the seed: enough to check a label against its point.
        self.net = nn.Sequential(
            nn.Linear(n_features * conditional + n_clusters, 2 * hidden),
            nn.ReLU(),
            nn.Linear(2 * hidden, 1),
        )

    def forward(self, points: torch.Tensor, labels_one_hot: torch.Tensor) -> torch.Tensor:
        pair = torch.cat([points, labels_one_hot], 1) if self.conditional else labels_one_hot
        return self.net(pair).squeeze(1)


def straight_through_one_hot(logits: torch.Tensor) -> torch.Tensor:
    """A hard one-hot label forward, with the softmax's gradient backward.

    The seed took ``argmax`` and cut the graph, so its student never learned. Here the
    discriminator sees a label exactly like the teacher's, and the student still gets a gradient.
    """
    soft = F.softmax(logits, dim=1)
    hard = F.one_hot(soft.argmax(1), logits.shape[1]).to(soft.dtype)
    return hard + soft - soft.detach()


def init_weights(module: nn.Module, generator: torch.Generator) -> None:
    """PyTorch's default uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) init, from a local generator."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            bound = layer.in_features**-0.5
            with torch.no_grad():
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
