"""Clustering quality (ARI/NMI) of GANKMeans, in both teacher spaces, against scikit-learn's KMeans,
SpectralClustering and two connectivity methods on every labelled data set."""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import TrainConfig, datasets, train  # noqa: E402
from gankmeans.metrics import external_scores, spectral_labels  # noqa: E402
from gankmeans.scaling import Scaling  # noqa: E402

DATASETS = ("blobs", "anisotropic", "varied", "moons", "circles", "spirals", "iris", "wine", "digits")
# Rows run again with standardize=True, beside a second K-Means column on standardised data.
STANDARDISED = ("iris", "wine", "digits")
# "K-Means" is plain K-Means on the data as given: the default rows' like-for-like baseline.
# "K-Means standardised", the like-for-like of the standardize=True rows, is shown only in those.
METHODS = ("K-Means", "K-Means standardised", "GANKMeans composite", "GANKMeans student",
           "GANKMeans learned", "SpectralClustering", "single-linkage", "HDBSCAN")
# SpectralClustering and the connectivity methods see the data as the teacher does, with the
# learned mode's neighbour count for SpectralClustering.


def scores_for_seed(name: str, seed: int, n_samples: int, max_epochs: int, noise: float | None,
                    standardize: bool) -> dict[str, dict]:
    """ARI/NMI of each method on one data set and seed (data seed = random_state = seed)."""
    extra = {} if noise is None else {"noise": noise}
    X, y = datasets.load(name, n_samples=n_samples, random_state=seed, **extra)
    k = datasets.NATURAL_K[name]
    seen = Scaling.teacher(X, standardize).transform(X)  # the teacher's view (uniformly rescaled)
    kmeans = KMeans(n_clusters=k, n_init="auto", random_state=seed)
    config = TrainConfig(n_clusters=k, max_epochs=max_epochs, random_state=seed, standardize=standardize)
    *_, last = train(X, config)
    learned_config = dataclasses.replace(config, teacher_space="learned")
    *_, learned = train(X, learned_config)
    scores = {
        "K-Means": external_scores(y, kmeans.fit_predict(X)),
        "GANKMeans composite": external_scores(y, last.labels),
        "GANKMeans student": external_scores(y, last.student_labels),
        "GANKMeans learned": external_scores(y, learned.labels),
        "SpectralClustering": external_scores(y, spectral_labels(seen, k, seed, learned_config.n_neighbors)),
        "single-linkage": external_scores(y, AgglomerativeClustering(k, linkage="single").fit_predict(seen)),
        "HDBSCAN": external_scores(y, HDBSCAN(min_cluster_size=20, copy=True).fit_predict(seen)),
        "epochs": last.epoch,
        "learned epochs": learned.epoch,
    }
    if standardize:
        standardised = kmeans.fit_predict(StandardScaler().fit_transform(X))
        scores["K-Means standardised"] = external_scores(y, standardised)
    return scores


def table_row(name: str, seeds: int, n_samples: int, max_epochs: int, metrics=("ari", "nmi"),
              noise: float | None = None, standardize: bool = False) -> str:
    """One Markdown row: mean ARI and NMI of every method over the seeds (blank where not run)."""
    runs = [scores_for_seed(name, seed, n_samples, max_epochs, noise, standardize) for seed in range(seeds)]
    label = name if noise is None else f"{name} (noise {noise:g})"
    cells = [label, "yes" if standardize else "no"]
    cells += [str(int(np.mean([r[key] for r in runs]))) for key in ("epochs", "learned epochs")]
    for method in METHODS:
        for metric in metrics:
            cells.append(f"{np.mean([r[method][metric] for r in runs]):.3f}" if method in runs[0] else "")
    return "| " + " | ".join(cells) + " |"


def machine() -> str:
    """A line naming the machine the numbers come from."""
    return (f"{platform.platform()}, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}, torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), {os.cpu_count()} cores, "
            f"CUDA: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no'}")


def _rows(args) -> list[tuple[str, float | None, bool]]:
    """(name, noise, standardize) of every row: each data set (NAME@NOISE sets its noise), then the
    STANDARDISED ones again with standardize=True."""
    rows = []
    for item in args.datasets.split(","):
        name, _, noise = item.partition("@")
        rows.append((name, float(noise) if noise else args.noise, False))
    rows += [(name, noise, True) for name, noise, _ in rows if name in args.standardized.split(",")]
    return rows


def main(argv=None) -> None:
    """Print the command, the machine and the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1, averaged (default: 3)")
    parser.add_argument("--n-samples", type=int, default=500, help="points per data set (default: 500)")
    parser.add_argument("--max-epochs", type=int, default=100, help="GANKMeans epochs at most (default: 100)")
    parser.add_argument("--metrics", default="ari,nmi",
                        help="columns per method: ari,nmi or ari (default: both)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help="comma-separated names, NAME@NOISE for a noise of its own "
                             "(default: every labelled data set)")
    parser.add_argument("--standardized", default=",".join(STANDARDISED),
                        help="those of them run again with standardize=True (default: %(default)s)")
    parser.add_argument("--noise", type=float, help="noise of the generated sets (default: datasets.load's)")
    args = parser.parse_args(argv)
    print("Command: `python " + " ".join(shlex.quote(a) for a in sys.argv) + "`")
    print(f"Machine: {machine()}")
    print(f"GANKMeans: default TrainConfig except n_clusters = datasets.NATURAL_K and the row's standardize "
          f"('learned': teacher_space='learned'); means over seeds 0..{args.seeds - 1}; 'epochs' is the mean "
          f"number GANKMeans ran in each mode. K-Means: plain, on the data as given; 'K-Means standardised' "
          f"only in the standardize rows. SpectralClustering, single-linkage and HDBSCAN see the data as the "
          f"row's teacher does (standardised only where 'standardize' says yes). SpectralClustering: "
          f"affinity='nearest_neighbors', 10 neighbours. HDBSCAN: min_cluster_size=20 (its noise counts as "
          f"one more group).\n")
    parser_metrics = args.metrics.split(",")
    header = ["data set", "standardize", "epochs", "learned epochs"]
    header += [f"{m} {metric.upper()}" for m in METHODS for metric in parser_metrics]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
    start = time.perf_counter()
    for name, noise, standardize in _rows(args):
        row = table_row(name, args.seeds, args.n_samples, args.max_epochs, parser_metrics, noise, standardize)
        print(row, flush=True)
    print(f"\nTotal time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
