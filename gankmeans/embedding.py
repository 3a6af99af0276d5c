"""The learned teacher space: an encoder whose whitened output keeps kNN-graph neighbours close."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
import torch
from sklearn.neighbors import NearestNeighbors
from torch import nn

from .graph import joining_pairs

# Exact kNN by chunked distance matrices up to this many points; a tree beyond (same answer,
# less than quadratic time). Each chunk holds at most CHUNK_ELEMENTS distances (64 MB).
EXACT_KNN_LIMIT = 20_000
CHUNK_ELEMENTS = 16_000_000
# Whitening regulariser, relative to the covariance's mean variance: it keeps Cholesky defined
# when the embedding collapses (duplicate points, an untrained encoder) and never yields NaN.
WHITENING_EPS = 1e-6
# The encoder's training budget: 1,000 steps reach the graph's spectral embedding on the toy
# shapes at 500 points (fewer leave anisotropic blobs half-learned); spread over the first 20
# epochs so that a viewer sees the space unfold, then frozen. Batches of 8,192 edges: whitening
# over small batches is noisy (the user's prototype needed at least 1,024 pairs).
ENCODER_STEPS = 1000
WARMUP_EPOCHS = 20
EDGE_BATCH = 8192
# The encoder trains a few more directions than it keeps, then keeps the smoothest on the graph
# (Rayleigh-Ritz, as SpectralNet does): a wider subspace reaches the graph's good eigenvectors
# from more starting points than one with no room to spare. With 2, the spirals' arm indicator
# (hard for the network: the arms interleave) lost to a smooth cut along one arm that is nearly
# as cheap: ARI 0.04 on one of 10 samples at noise 0.03 (its span held 41 % of the indicator's
# variance, against 96 % for the cut); with 4, 1.0 there and no loss on the other nine.
EXTRA_DIMS = 4


def nearest_neighbours(points: np.ndarray, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances and indices of each point's ``n_neighbors`` nearest other points.

    Exact in both regimes; memory stays O(N k). ``n_neighbors`` must be below ``len(points)``.
    """
    if len(points) > EXACT_KNN_LIMIT:
        tree = NearestNeighbors(n_neighbors=n_neighbors + 1, algorithm="auto").fit(points)
        distances, indices = tree.kneighbors(points)
        return _drop_self(distances, indices)
    data = torch.as_tensor(points, dtype=torch.float64)
    chunk = max(1, CHUNK_ELEMENTS // len(points))
    distances, indices = [], []
    for rows in data.split(chunk):
        found = torch.cdist(rows, data).topk(n_neighbors + 1, dim=1, largest=False)
        distances.append(found.values)
        indices.append(found.indices)
    return _drop_self(torch.cat(distances).numpy(), torch.cat(indices).numpy())


def _drop_self(distances: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each point from its own neighbour list (with duplicates, it need not come first)."""
    own = np.arange(len(indices))[:, None]
    is_self = indices == own
    # A row keeps its k entries that are not itself; when self was not found, drop the farthest.
    is_self[~is_self.any(1), -1] = True
    keep = ~is_self
    k = indices.shape[1] - 1
    return distances[keep].reshape(-1, k), indices[keep].reshape(-1, k)


def knn_graph(points: np.ndarray, n_neighbors: int, max_pieces: int | None = None
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """The symmetric kNN graph with shared-neighbour weights, as directed edges.

    Parameters
    ----------
    points : ndarray (n, d)
        In the units distances should be measured in.
    n_neighbors : int
        Clamped to ``n - 1``.
    max_pieces : int, optional
        Join the graph's smallest connected pieces until at most this many remain (the number
        of clusters: see ``graph.joining_pairs``); None joins nothing.

    Returns
    -------
    edges : LongTensor (2 (n k + j), 2)
        Every kNN pair in both directions, so a random edge's first end is drawn in proportion
        to its degree (the normalised-cut weighting of spectral clustering); then the ``j``
        pairs that join pieces.
    weights : Tensor (2 (n k + j),)
        In (0, 1]: see ``shared_neighbour_weights``. A joining pair weighs what the median kNN
        pair does: the join is as strong as the graph's ordinary links.
    """
    k = min(n_neighbors, len(points) - 1)
    _, indices = nearest_neighbours(points, k)
    weights = shared_neighbour_weights(indices).ravel()
    joins = np.empty((0, 2), dtype=np.int64)
    if max_pieces is not None:
        joins = joining_pairs(points, indices, max_pieces)
    source = np.concatenate([np.repeat(np.arange(len(points)), k), joins[:, 0]])
    target = np.concatenate([indices.ravel(), joins[:, 1]])
    weights = np.concatenate([weights, np.full(len(joins), np.median(weights))])
    edges = np.concatenate([np.stack([source, target], 1), np.stack([target, source], 1)])
    return torch.as_tensor(edges), torch.as_tensor(np.concatenate([weights, weights]))


def shared_neighbour_weights(indices: np.ndarray) -> np.ndarray:
    """(n, k): for each point and neighbour, how alike their neighbourhoods are (Jaccard).

    A neighbourhood is the point and its k neighbours, so a pair shares at least the neighbour
    itself and the weight is never 0. Shared neighbours, not distances (Jarvis & Patrick 1973;
    Ertöz et al. 2003): a pair that bridges two clusters through a sparse gap shares few
    neighbours, and the weight means the same in 64 dimensions as in 2, where distances to the
    k nearest all look alike. Against self-tuning Gaussian weights (scale: the 7th neighbour),
    mean ARI of 3 seeds at 500 points: digits 0.624 -> 0.692, iris 0.611 -> 0.703, two spirals
    0.143 -> 0.254, but wine 0.848 -> 0.802 (benchmarks/bench_quality.py, bench_graph.py).
    Cost O(n k^2): 0.7 s at 100,000 points and 10 neighbours.
    """
    n, k = indices.shape
    members = np.sort(np.column_stack([np.arange(n), indices]), axis=1)  # CSR's canonical order
    neighbourhoods = sparse.csr_matrix(
        (np.ones(members.size, dtype=np.float32), members.ravel(), np.arange(0, members.size + 1, k + 1)),
        shape=(n, n))
    weights = np.empty((n, k))
    rows_per_chunk = max(1, CHUNK_ELEMENTS // (4 * k * (k + 1)))  # each chunk: ~CHUNK_ELEMENTS / 4 entries
    for start in range(0, n, rows_per_chunk):
        rows = np.arange(start, min(n, start + rows_per_chunk))
        ends = neighbourhoods[np.repeat(rows, k)]
        other_ends = neighbourhoods[indices[rows].ravel()]
        shared = np.asarray(ends.multiply(other_ends).sum(1)).reshape(len(rows), k)
        weights[rows] = shared / (2 * (k + 1) - shared)
    return weights


def whitening(reference: torch.Tensor, weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Weighted mean and a matrix W with ``(z - mean) @ W`` of identity weighted covariance.

    Differentiable (float64 Cholesky). A regulariser ``eps * I`` keeps it finite when the
    reference is degenerate: a collapsed embedding then stays near zero instead of becoming NaN.
    """
    reference, weights = reference.double(), weights.double()
    weights = weights / weights.sum().clamp_min(torch.finfo(torch.float64).tiny)
    mean = weights @ reference
    centred = reference - mean
    covariance = (centred * weights.unsqueeze(1)).T @ centred
    dim = covariance.shape[0]
    # Relative, so shrinking the output cannot buy a smaller loss; the floor serves all-equal points.
    ridge = WHITENING_EPS * covariance.trace() / dim + 1e-12
    identity = torch.eye(dim, dtype=torch.float64, device=reference.device)
    factor, info = torch.linalg.cholesky_ex(covariance + ridge * identity)
    if int(info) != 0:  # not positive definite even so (rounding at huge scales): scale only
        factor = (covariance.diagonal() + ridge).sqrt().diag()
    inverse = torch.linalg.solve_triangular(factor, identity, upper=False)
    return mean, inverse.T


def spectral_loss(source: torch.Tensor, target: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted mean squared distance between the ends of edges, after whitening over the batch.

    Whitening makes the trivial answer (every point at one spot) impossible, so the minimum is
    the span of the graph Laplacian's smallest non-constant eigenvectors, as in SpectralNet.
    """
    mean, matrix = whitening(source, weights)
    gap = (source.double() - target.double()) @ matrix
    return (gap * gap).sum(1) @ weights.double() / weights.double().sum().clamp_min(1e-300)


class Encoder(nn.Module):
    """x -> z: an MLP whose output is centred and whitened by fixed buffers.

    ``raw`` is the MLP alone, used in training where the whitening is computed on the batch;
    ``forward`` applies the buffers that ``fit_whitening`` last set, so that z of new points
    lives in the same space as z of the training data.
    """

    def __init__(self, n_features: int, embedding_dim: int, hidden: int):
        super().__init__()
        trained_dim = embedding_dim + EXTRA_DIMS
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, trained_dim),
        )
        self.register_buffer("center", torch.zeros(trained_dim))
        self.register_buffer("matrix", torch.eye(trained_dim, embedding_dim))

    def raw(self, points: torch.Tensor) -> torch.Tensor:
        return self.net(points)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.whiten(self.net(points))

    def whiten(self, raw: torch.Tensor) -> torch.Tensor:
        """z from raw outputs, with the buffers that ``fit_whitening`` last set."""
        return (raw - self.center) @ self.matrix

    @torch.no_grad()
    def fit_whitening(self, raw: torch.Tensor, weights: torch.Tensor, edges: torch.Tensor,
                      edge_weights: torch.Tensor, follow: torch.Tensor | None = None) -> None:
        """Set the buffers from raw outputs of every point, their (degree) weights and the graph.

        After whitening, the kept directions are those along which graph neighbours differ
        least: the eigenvectors of the whitened outputs' Laplacian form with the smallest values.
        With ``follow``, the previous fit's z of the same points, the kept basis is then turned
        (orthogonal Procrustes) to match it as closely as it can. An eigenvector's sign is
        arbitrary, and equally smooth directions (4 blobs: 3 of them) can come out in any
        rotation. Measured before: z flipped or turned between epochs, so the teacher's
        centroids, which stay put, swapped labels wholesale, and the student's head, trained on
        the old z, predicted one cluster for several epochs. A rotation keeps z whitened.
        """
        mean, matrix = whitening(raw, weights)
        white = (raw.double() - mean) @ matrix
        kept = _smoothest_varying(white, weights, _laplacian_form(white, edges, edge_weights))
        kept = kept[:, :self.matrix.shape[1]]
        matrix = matrix @ kept
        if follow is not None:
            cross = (white @ kept * weights.double().unsqueeze(1)).T @ follow.double()
            left, _, right = torch.linalg.svd(cross)
            matrix = matrix @ left @ right
        self.center.copy_(mean)
        self.matrix.copy_(matrix)


def _laplacian_form(white: torch.Tensor, edges: torch.Tensor, edge_weights: torch.Tensor) -> torch.Tensor:
    """(dim, dim) sum over edges of weight * gap gap^T, gap = the difference of the ends' z.

    Summed over chunks of edges: the whole (edges, dim) gap at once took 1.4 GB per copy at
    1,000,000 points: a 25-epoch run peaked at 5.6 GB, against 1.8 in chunks.
    """
    form = white.new_zeros(white.shape[1], white.shape[1])
    rows = max(1, CHUNK_ELEMENTS // (4 * white.shape[1]))
    for ends, weights in zip(edges.split(rows), edge_weights.double().split(rows), strict=True):
        gap = white.index_select(0, ends[:, 0]) - white.index_select(0, ends[:, 1])
        form += (gap * weights.unsqueeze(1)).T @ gap
    return form


def _smoothest_varying(white: torch.Tensor, weights: torch.Tensor, form: torch.Tensor) -> torch.Tensor:
    """An orthonormal basis of the whitened space: the smoothest directions on the graph first,
    among those along which the points vary; then those along which they do not.

    Whitened directions have variance 1, except where the raw outputs have none to give (fewer
    distinct points than dimensions, as with duplicates): the regulariser leaves those near 0,
    and a direction along which nothing varies looks perfectly smooth. Kept first, they gave
    two of three distinct places the same z.
    """
    weights = weights.double() / weights.double().sum()
    variances, directions = torch.linalg.eigh((white * weights.unsqueeze(1)).T @ white)
    varying, flat = directions[:, variances > 0.5], directions[:, variances <= 0.5]
    _, vectors = torch.linalg.eigh(varying.T @ form @ varying)  # ascending: the smoothest first
    return torch.cat([varying @ vectors, flat], 1)


def make_head(embedding_dim: int, n_clusters: int, hidden: int) -> nn.Module:
    """The learned-mode student's classifier ``z -> hidden -> K``: z is already easy to split."""
    return nn.Sequential(nn.Linear(embedding_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_clusters))


class LearnedStudent(nn.Module):
    """The student of the learned mode: the encoder, then a small head ``z -> K`` logits.

    The head never trains the encoder (it sees z without gradient): the encoder learns only the
    neighbourhood structure, the head only the teacher's labels in that space.
    """

    def __init__(self, encoder: Encoder, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            z = self.encoder(points)
        return self.head(z)

    @torch.no_grad()
    def predict(self, points: torch.Tensor) -> torch.Tensor:
        return self.forward(points).argmax(1)


class EmbeddingTrainer:
    """Trains the encoder on a kNN graph during the first epochs.

    The graph is built once, on ``graph_points`` (the input in the teacher's units; ``points``,
    what the encoder reads, when None), with at most ``n_clusters`` connected pieces. Each step
    draws ``EDGE_BATCH`` edges (all of them when there are fewer) and whitens over the batch, so
    memory is O(N k) whatever N. The encoder trains for ``ENCODER_STEPS`` steps spread over the
    first ``warmup_epochs`` epochs, then stays fixed, so the teacher can settle in a space that
    no longer moves.
    """

    def __init__(self, points: torch.Tensor, encoder: Encoder, n_neighbors: int, lr: float,
                 max_epochs: int, generator: torch.Generator, graph_points: torch.Tensor | None = None,
                 n_clusters: int | None = None):
        graph_points = points if graph_points is None else graph_points
        edges, weights = knn_graph(graph_points.cpu().numpy(), n_neighbors, n_clusters)
        self.points = points
        self.edges = edges.to(points.device)
        self.weights = weights.to(points.device)
        self.degrees = torch.zeros(len(points), dtype=torch.float64, device=points.device)
        self.degrees.index_add_(0, self.edges[:, 0], self.weights)
        self.encoder = encoder
        self.generator = generator
        self.optimiser = torch.optim.Adam(encoder.parameters(), lr)
        self.last_z: torch.Tensor | None = None  # the last fit's z, which the next one follows
        self.warmup_epochs = min(WARMUP_EPOCHS, max(1, max_epochs // 2))
        self.steps_per_epoch = -(-ENCODER_STEPS // self.warmup_epochs)

    def training(self, epoch: int) -> bool:
        """Whether the encoder still learns at this epoch."""
        return epoch <= self.warmup_epochs

    def train_epoch(self) -> float:
        """This epoch's encoder steps; returns their mean loss (NaN/inf when diverged)."""
        total = 0.0
        for _ in range(self.steps_per_epoch):
            loss = self._step()
            total += float(loss)
        with torch.no_grad():  # every point's output, for the whitening only: no graph to keep
            raw = self.encoder.raw(self.points)
            self.encoder.fit_whitening(raw, self.degrees, self.edges, self.weights, follow=self.last_z)
            self.last_z = self.encoder.whiten(raw)
        return total / self.steps_per_epoch

    def _step(self) -> torch.Tensor:
        if len(self.edges) > EDGE_BATCH:
            chosen = torch.randint(len(self.edges), (EDGE_BATCH,), generator=self.generator)
            chosen = chosen.to(self.edges.device)
            edges, weights = self.edges[chosen], self.weights[chosen]
        else:
            edges, weights = self.edges, self.weights
        if len(self.points) <= 2 * len(edges):  # encoding every point once is cheaper
            raw = self.encoder.raw(self.points)
            # index_select, not raw[edges[:, 0]]: the backward of indexing sums each point's
            # gradients in a different order from run to run with 2 or more CPU threads, and the
            # rounding changed the learned space of the same random_state (index_add_ does not).
            source, target = raw.index_select(0, edges[:, 0]), raw.index_select(0, edges[:, 1])
        else:
            source = self.encoder.raw(self.points[edges[:, 0]])
            target = self.encoder.raw(self.points[edges[:, 1]])
        loss = spectral_loss(source, target, weights)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss.detach()

    def embed(self) -> torch.Tensor:
        """z of every training point (float32), as the last epoch's fit left it."""
        return self.last_z
