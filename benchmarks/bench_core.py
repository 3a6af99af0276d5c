"""Measured tables: epoch throughput vs the seed's point-by-point loop; the K-Means step vs scikit-learn.

Run: python benchmarks/bench_core.py
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import sys
import time

import numpy as np
import torch
from sklearn.cluster._k_means_lloyd import lloyd_iter_chunked_dense
from sklearn.datasets import make_blobs
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_reference import make_seed_models, seed_epoch  # noqa: E402

from gankmeans import TrainConfig, train  # noqa: E402
from gankmeans.teacher import assign, update_centroids  # noqa: E402
from gankmeans.training import resolve_device  # noqa: E402

K = 8


def best_of(fn, repeats: int) -> float:
    """Fastest of ``repeats`` timed calls, after one warm-up call (seconds)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def seconds_per_epoch(n: int, epochs: int, batch_size="auto") -> float:
    """Median epoch time of train() on n blob points (D=2, K=8), after a warm-up epoch."""
    X, _ = make_blobs(n, centers=K, random_state=0)
    frames = train(X, TrainConfig(n_clusters=K, max_epochs=epochs + 1, tol=0, batch_size=batch_size))
    next(frames)
    times = []
    start = time.perf_counter()
    for _ in frames:
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
    return float(np.median(times))


def learned_epoch_seconds(n: int, epochs: int) -> tuple[float, float]:
    """teacher_space="learned" on n blob points: (first epoch, with the kNN graph; median of the
    next ``epochs``, while the encoder still trains: the dearest epochs of a default run)."""
    X, _ = make_blobs(n, centers=K, random_state=0)
    frames = train(X, TrainConfig(n_clusters=K, tol=0, teacher_space="learned"))
    start = time.perf_counter()
    next(frames)
    first = time.perf_counter() - start
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        next(frames)
        times.append(time.perf_counter() - start)
    return first, float(np.median(times))


def learned_table(sizes, epochs: int) -> None:
    print("teacher_space='learned' vs 'input' (default batch auto), D = 2, K = 8. Learned epochs timed "
          "while the encoder trains (the first 20 epochs, 50 steps each); later ones cost about an "
          "input-mode epoch:\n")
    print("| N | input s/epoch | learned first epoch s (kNN graph) | learned s/epoch (encoder training) "
          "| learned / input | peak RSS so far (MB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        plain = seconds_per_epoch(n, epochs)
        first, learned = learned_epoch_seconds(n, epochs)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {n:,} | {plain:.4f} | {first:.3f} | {learned:.4f} | {learned / plain:.1f}x | {peak:,.0f} |",
              flush=True)
    print()


def seed_loop_seconds_per_point(n: int = 2000) -> float:
    """The seed's point-by-point loop (batch 1, a G and a D step per point), seconds per point."""
    X, _ = make_blobs(n, centers=K, random_state=0)
    models = make_seed_models(2, K)
    seed_epoch(X[:100], X[:K], *models)  # warm-up
    start = time.perf_counter()
    seed_epoch(X, X[:K].copy(), *models)
    return (time.perf_counter() - start) / n


def throughput_table(sizes, epochs: int) -> None:
    per_point = seed_loop_seconds_per_point()
    seed_rate = 1 / per_point
    print(f"Seed's point-by-point loop, timed on 2,000 points: {per_point * 1e3:.3f} ms per point, "
          f"{seed_rate:,.0f} points/s\n")
    print("| N | s/epoch (default: batch auto) | points/s | x seed loop "
          "| s/epoch (full pass) | x seed loop |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        auto = seconds_per_epoch(n, epochs)
        full = seconds_per_epoch(n, epochs, batch_size=math.ceil(n / 16))
        print(f"| {n:,} | {auto:.4f} | {n / auto:,.0f} | {n / auto / seed_rate:,.0f}x "
              f"| {full:.4f} | {n / full / seed_rate:,.0f}x |")
    print()


def kmeans_step_table(n: int, dims, repeats: int) -> None:
    print(f"One K-Means assignment + update step, N = {n:,}, K = {K}, float32 "
          "(GANKMeans' step also finds the runner-up centroid, for abstention):\n")
    print("| D | GANKMeans teacher (ms) | scikit-learn Lloyd iteration (ms) | sklearn / ours |")
    print("|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for d in dims:
        X = rng.normal(size=(n, d)).astype(np.float32)
        centers = X[rng.choice(n, K, replace=False)].copy()
        ours = best_of(_teacher_step(X, centers), repeats)
        theirs = best_of(_sklearn_step(X, centers), repeats)
        print(f"| {d} | {ours * 1e3:.1f} | {theirs * 1e3:.1f} | {theirs / ours:.2f} |")
    print()


def _teacher_step(X, centers):
    points, centroids = torch.from_numpy(X), torch.from_numpy(centers)
    # Constant over a run: computed once, as train() does.
    points_sq, points_t = (points * points).sum(1), points.T.contiguous()

    def step():
        nearest, _ = assign(points, centroids, 0.0, points_sq)
        update_centroids(points, nearest, centroids, points_t)
    return step


def _sklearn_step(X, centers):
    # The inner iteration of KMeans(algorithm="lloyd"), without fit()'s validation overhead.
    weights = np.ones(len(X), dtype=X.dtype)
    new_centers, weight_in_clusters = np.empty_like(centers), np.empty(K, dtype=X.dtype)
    labels, shift = np.empty(len(X), dtype=np.int32), np.empty(K, dtype=X.dtype)
    threads = _openmp_effective_n_threads()

    def step():
        lloyd_iter_chunked_dense(X, weights, centers, new_centers, weight_in_clusters, labels, shift,
                                 threads, True)
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per size")
    parser.add_argument("--repeats", type=int, default=7, help="timed K-Means steps (best kept)")
    parser.add_argument("--learned-only", action="store_true",
                        help="only the teacher_space='learned' table (N = 10,000 and 100,000)")
    parser.add_argument("--learned-sizes", default="10000,100000", help="N of the learned table")
    args = parser.parse_args()
    print("Command: python benchmarks/bench_core.py " + " ".join(sys.argv[1:]))
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads), device {resolve_device('auto')}\n")
    learned_sizes = [int(n) for n in args.learned_sizes.split(",")]
    if args.learned_only:
        learned_table(learned_sizes, args.epochs)
        return
    throughput_table([1_000, 10_000, 100_000], args.epochs)
    learned_table(learned_sizes, args.epochs)
    kmeans_step_table(1_000_000, [2, 16], args.repeats)


if __name__ == "__main__":
    main()
