"""The seed's training loop, kept faithful (batch size 1, a G step and a D step per point), for timing."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def _mlp(*sizes: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:], strict=False)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def seed_epoch(points: np.ndarray, centroids: np.ndarray, generator: nn.Module,
               discriminator: nn.Module, opt_g, opt_d) -> np.ndarray:
    """One epoch as the seed ran it: point by point, G step then D step, then the centroid update.

    As in the seed, ``argmax`` cuts the graph, so the G step changes nothing; the work is the same.
    """
    labels = np.empty(len(points), dtype=np.int64)
    tensors = torch.as_tensor(points, dtype=torch.float32)
    for i, point in enumerate(tensors):
        pred_g = generator(point).argmax().float().reshape(1, 1)
        dists = np.sqrt(((centroids - points[i]) ** 2).sum(1))
        nearest = np.flatnonzero(dists == dists.min())
        pred_p = pred_g.detach() if len(nearest) > 1 else torch.tensor([[float(nearest[0])]])

        g_loss = torch.mean(torch.log(1.0 - torch.sigmoid(discriminator(pred_g))))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()

        real, fake = torch.sigmoid(discriminator(pred_p)), torch.sigmoid(discriminator(pred_g.detach()))
        d_loss = -torch.mean(torch.log(real) + torch.log(1.0 - fake))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        labels[i] = int(pred_p.item())
    return labels


def make_seed_models(n_features: int, n_clusters: int, hidden: int = 32):
    """The seed's G (d -> 32 -> 16 -> K) and label-only D (1 -> 64 -> 1), with Adam at 1e-4."""
    torch.manual_seed(0)  # a benchmark script, not library code
    generator = _mlp(n_features, hidden, hidden // 2, n_clusters)
    discriminator = _mlp(1, 2 * hidden, 1)
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-4)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-4)
    return generator, discriminator, opt_g, opt_d
