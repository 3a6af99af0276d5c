"""How steady the learned teacher space is while it trains: the share of labels each epoch keeps
from the one before (a wholesale swap recolours every point on screen) and the student's
agreement with its teacher once the encoder has stopped."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import TrainConfig, datasets, train  # noqa: E402
from gankmeans.embedding import WARMUP_EPOCHS  # noqa: E402

DATASETS = ("moons", "circles", "blobs", "anisotropic")


def steadiness(name: str, seed: int, max_epochs: int) -> tuple[int, float, float]:
    """(epochs run, fewest labels kept between two epochs from epoch 2 on, lowest agreement after
    the encoder's warm-up)."""
    X, _ = datasets.load(name, n_samples=500, random_state=seed)
    config = TrainConfig(n_clusters=datasets.NATURAL_K[name], teacher_space="learned",
                         max_epochs=max_epochs, random_state=seed)
    frames = list(train(X, config))
    kept = min(float(np.mean(a.labels == b.labels)) for a, b in zip(frames[1:], frames[2:], strict=False))
    settled = min(f.agreement for f in frames[WARMUP_EPOCHS:])
    return len(frames), kept, settled


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default: 3)")
    parser.add_argument("--max-epochs", type=int, default=40, help="epochs at most (default: 40)")
    args = parser.parse_args(argv)
    print(f"Command: `python {' '.join(sys.argv)}`")
    print(f"teacher_space='learned', 500 points, natural K, at most {args.max_epochs} epochs; the encoder "
          f"trains for the first {WARMUP_EPOCHS}.\n")
    print("| data set | seed | epochs | fewest labels kept from one epoch to the next (from epoch 2) | "
          "lowest agreement after the warm-up |")
    print("|---|---:|---:|---:|---:|")
    for name in DATASETS:
        for seed in range(args.seeds):
            epochs, kept, settled = steadiness(name, seed, args.max_epochs)
            print(f"| {name} | {seed} | {epochs} | {kept:.0%} | {settled:.2f} |", flush=True)


if __name__ == "__main__":
    main()
