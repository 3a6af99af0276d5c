"""Is GANKMeans' teacher K-Means? Composite ARI with default settings (input mode) beside
scikit-learn's KMeans(n_init=1, random_state=same), and the student's agreement with the final labels."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import TrainConfig, datasets, train  # noqa: E402
from gankmeans.metrics import external_scores  # noqa: E402

# iris; three Gaussian blobs of spreads 1.0, 2.5 and 0.5 ("varied"); anisotropic blobs.
DATASETS = ("iris", "varied", "anisotropic")


def run(name: str, seed: int, max_epochs: int, standardize: bool) -> dict:
    """One data set and random state (the data's seed too): both ARIs, agreement, epochs."""
    X, y = datasets.load(name, n_samples=500, random_state=seed)
    k = datasets.NATURAL_K[name]
    seen = StandardScaler().fit_transform(X) if standardize else X
    kmeans = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(seen)
    *_, last = train(X, TrainConfig(n_clusters=k, max_epochs=max_epochs, random_state=seed,
                                    standardize=standardize))
    return {"kmeans": external_scores(y, kmeans)["ari"], "ours": external_scores(y, last.labels)["ari"],
            "agreement": float(np.mean(last.student_labels == last.labels)),
            "same": float(np.mean(last.labels == kmeans)), "epochs": last.epoch}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="random states 0..N-1, averaged (default: 3)")
    parser.add_argument("--max-epochs", type=int, default=80, help="GANKMeans epochs at most (default: 80)")
    parser.add_argument("--standardize", action="store_true",
                        help="both sides on standardised features (default: the data's own units)")
    args = parser.parse_args(argv)
    print("Command: `python " + " ".join(shlex.quote(a) for a in sys.argv) + "`")
    units = "standardised features" if args.standardize else "the data's own units"
    print(f"500 points (iris: its 150), default TrainConfig except n_clusters, max_epochs={args.max_epochs}, "
          f"standardize={args.standardize}; both on {units}; data seed = random_state = 0..{args.seeds - 1}. "
          "'same labels': share of points where GANKMeans' final label equals KMeans' (raw label numbers).\n")
    print("| data set | KMeans ARI | GANKMeans composite ARI | difference "
          "| lowest agreement (student vs final) | same labels | epochs |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in DATASETS:
        runs = [run(name, seed, args.max_epochs, args.standardize) for seed in range(args.seeds)]
        kmeans, ours = np.mean([r["kmeans"] for r in runs]), np.mean([r["ours"] for r in runs])
        print(f"| {name} | {kmeans:.3f} | {ours:.3f} | {ours - kmeans:+.3f} | "
              f"{min(r['agreement'] for r in runs):.3f} | {np.mean([r['same'] for r in runs]):.1%} | "
              f"{', '.join(str(r['epochs']) for r in runs)} |", flush=True)


if __name__ == "__main__":
    main()
