"""Clustering quality (ARI/NMI) of GANKMeans, in both teacher spaces, against scikit-learn's KMeans and
SpectralClustering on every labelled data set."""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import TrainConfig, datasets, train  # noqa: E402
from gankmeans.metrics import external_scores, spectral_labels  # noqa: E402

DATASETS = ("blobs", "anisotropic", "varied", "moons", "circles", "spirals", "iris", "wine", "digits")
# GANKMeans standardises its input, so K-Means on standardised data is the like-for-like teacher.
METHODS = ("K-Means", "K-Means standardised", "GANKMeans composite", "GANKMeans student",
           "GANKMeans learned", "SpectralClustering")
# SpectralClustering gets the same standardised input and neighbour count as the learned mode.


def scores_for_seed(name: str, seed: int, n_samples: int, max_epochs: int, noise: float | None = None
                    ) -> dict[str, dict]:
    """ARI/NMI of each method on one data set and seed (data seed = random_state = seed)."""
    extra = {} if noise is None else {"noise": noise}
    X, y = datasets.load(name, n_samples=n_samples, random_state=seed, **extra)
    k = datasets.NATURAL_K[name]
    kmeans = KMeans(n_clusters=k, n_init="auto", random_state=seed)
    raw_labels = kmeans.fit_predict(X)
    standardised_labels = kmeans.fit_predict(StandardScaler().fit_transform(X))
    config = TrainConfig(n_clusters=k, max_epochs=max_epochs, random_state=seed)
    *_, last = train(X, config)
    learned_config = TrainConfig(n_clusters=k, max_epochs=max_epochs, random_state=seed,
                                 teacher_space="learned")
    *_, learned = train(X, learned_config)
    spectral = spectral_labels(StandardScaler().fit_transform(X), k, seed, learned_config.n_neighbors)
    return {
        "K-Means": external_scores(y, raw_labels),
        "K-Means standardised": external_scores(y, standardised_labels),
        "GANKMeans composite": external_scores(y, last.labels),
        "GANKMeans student": external_scores(y, last.student_labels),
        "GANKMeans learned": external_scores(y, learned.labels),
        "SpectralClustering": external_scores(y, spectral),
        "epochs": last.epoch,
        "learned epochs": learned.epoch,
    }


def table_row(name: str, seeds: int, n_samples: int, max_epochs: int, metrics=("ari", "nmi"),
              noise: float | None = None) -> str:
    """One Markdown row: mean ARI and NMI of every method over the seeds."""
    runs = [scores_for_seed(name, seed, n_samples, max_epochs, noise) for seed in range(seeds)]
    cells = [name] + [str(int(np.mean([r[key] for r in runs]))) for key in ("epochs", "learned epochs")]
    for method in METHODS:
        for metric in metrics:
            cells.append(f"{np.mean([r[method][metric] for r in runs]):.3f}")
    return "| " + " | ".join(cells) + " |"


def machine() -> str:
    """A line naming the machine the numbers come from."""
    return (f"{platform.platform()}, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}, torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), {os.cpu_count()} cores, "
            f"CUDA: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no'}")


def main(argv=None) -> None:
    """Print the command, the machine and the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1, averaged (default: 3)")
    parser.add_argument("--n-samples", type=int, default=500, help="points per data set (default: 500)")
    parser.add_argument("--max-epochs", type=int, default=100, help="GANKMeans epochs at most (default: 100)")
    parser.add_argument("--metrics", default="ari,nmi",
                        help="columns per method: ari,nmi or ari (default: both)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help="comma-separated names (default: every labelled data set)")
    parser.add_argument("--noise", type=float, help="noise of the generated sets (default: datasets.load's)")
    args = parser.parse_args(argv)
    print("Command: `python " + " ".join(shlex.quote(a) for a in sys.argv) + "`")
    print(f"Machine: {machine()}")
    print(f"GANKMeans: default TrainConfig except n_clusters = datasets.NATURAL_K ('learned': "
          f"teacher_space='learned'); means over seeds 0..{args.seeds - 1}; 'epochs' is the mean number "
          f"GANKMeans ran in each mode. SpectralClustering: affinity='nearest_neighbors', 10 neighbours, "
          f"standardised input.\n")
    parser_metrics = args.metrics.split(",")
    header = ["data set", "epochs", "learned epochs"]
    header += [f"{m} {metric.upper()}" for m in METHODS for metric in parser_metrics]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    start = time.perf_counter()
    for name in args.datasets.split(","):
        row = table_row(name, args.seeds, args.n_samples, args.max_epochs, parser_metrics, args.noise)
        print(row, flush=True)
    print(f"\nTotal time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
