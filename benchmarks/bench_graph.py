"""Which kNN-graph edge weights suit the learned teacher space: ARI of the graph's exact spectral
embedding (the optimum the encoder trains towards), clustered by K-Means, for each weighting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.sparse as sparse
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import datasets  # noqa: E402
from gankmeans.embedding import knn_graph, nearest_neighbours  # noqa: E402
from gankmeans.scaling import Scaling  # noqa: E402

DATASETS = ("anisotropic", "moons", "circles", "spirals", "iris", "wine", "digits")


def shared_neighbours(points, k, n_clusters):
    """GANKMeans' graph: Jaccard overlap of the two ends' neighbourhoods, small pieces joined."""
    return knn_graph(points, k, max_pieces=n_clusters)


def self_tuning_gaussian(points, k, n_clusters=None):
    """exp(-d^2 / (s_i s_j)), s = distance to the 7th neighbour (GANKMeans' weights before)."""
    return _from_distances(points, k, lambda d, s, i, j: np.exp(-d**2 / np.maximum(s[i] * s[j], 1e-300)))


def binary(points, k, n_clusters=None):
    """1 for every kNN pair, as scikit-learn's SpectralClustering(affinity="nearest_neighbors")."""
    return _from_distances(points, k, lambda d, s, i, j: np.ones_like(d))


WEIGHTINGS = {"shared neighbours (Jaccard), pieces joined": shared_neighbours,
              "self-tuning Gaussian": self_tuning_gaussian, "0/1": binary}


def _from_distances(points, k, weight):
    distances, indices = nearest_neighbours(points, k)
    source, target = np.repeat(np.arange(len(points)), k), indices.ravel()
    w = weight(distances.ravel(), distances[:, min(7, k) - 1], source, target)
    edges = np.concatenate([np.stack([source, target], 1), np.stack([target, source], 1)])
    return edges, np.concatenate([w, w])


def spectral_ari(name: str, seed: int, weighting, k: int, standardize: bool = False) -> float:
    """ARI of K-Means (10 restarts) on the K - 1 smoothest generalised eigenvectors of the graph,
    built where GANKMeans' teacher measures (standardised with ``standardize``)."""
    X, y = datasets.load(name, n_samples=500, random_state=seed)
    n_clusters = datasets.NATURAL_K[name]
    edges, weights = weighting(Scaling.teacher(X, standardize).transform(X), k, n_clusters)
    edges, weights = np.asarray(edges), np.asarray(weights)
    adjacency = sparse.coo_matrix((weights, (edges[:, 0], edges[:, 1])), shape=(len(X), len(X))).toarray()
    degrees = np.diag(adjacency.sum(1))
    _, vectors = scipy.linalg.eigh(degrees - adjacency, degrees)  # L v = lambda D v, ascending
    embedding = vectors[:, 1:n_clusters]
    labels = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(embedding)
    return adjusted_rand_score(y, labels)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--neighbors", type=int, default=10, help="neighbours per point (default: 10)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1, averaged (default: 3)")
    parser.add_argument("--standardize", action="store_true",
                        help="graph on standardised features (default: the data as given, as GANKMeans)")
    args = parser.parse_args(argv)
    print(f"Command: `python {' '.join(sys.argv)}`")
    units = "standardised" if args.standardize else "the data as given (standardize=False)"
    print(f"500 points, noise 0.05, {units}; {args.neighbors} neighbours; mean ARI of seeds "
          f"0..{args.seeds - 1}. Only the first row joins a graph's small pieces (GANKMeans' graph).\n")
    print("| edge weights | " + " | ".join(DATASETS) + " |")
    print("|---|" + "---:|" * len(DATASETS))
    for label, weighting in WEIGHTINGS.items():
        cells = [np.mean([spectral_ari(name, seed, weighting, args.neighbors, args.standardize)
                          for seed in range(args.seeds)]) for name in DATASETS]
        print(f"| {label} | " + " | ".join(f"{c:.3f}" for c in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
