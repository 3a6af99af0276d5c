"""Does the app's *Spirals, learned space* preset hold on every seed? Its ARI per seed, with 1 and 2 torch
threads (the app trains with 1; a library user's default is one per core)."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import datasets, train  # noqa: E402
from gankmeans.metrics import external_scores  # noqa: E402
from ui import controls  # noqa: E402

PRESET = "Spirals, learned space"


def preset_run(seed: int, overrides: dict) -> tuple[float, int]:
    """(ARI, epochs) of the preset's run at this seed, as the app makes its data and config."""
    values = {**controls.DEFAULTS, **controls.PRESETS[PRESET], **overrides, "seed": seed}
    X, y = datasets.load(values["dataset"], n_samples=values["n_samples"], noise=values["noise"],
                         random_state=seed)
    *_, last = train(X, controls.to_config(values))
    return external_scores(y, last.labels)["ari"], last.epoch


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default: 5)")
    parser.add_argument("--noise", default="", help="comma-separated noises (default: the preset's)")
    parser.add_argument("--n-samples", default="", help="comma-separated sizes (default: the preset's)")
    parser.add_argument("--threads", default="1,2", help="torch thread counts (default: 1,2)")
    args = parser.parse_args(argv)
    preset = {**controls.DEFAULTS, **controls.PRESETS[PRESET]}
    noises = [float(n) for n in args.noise.split(",") if n] or [preset["noise"]]
    sizes = [int(n) for n in args.n_samples.split(",") if n] or [preset["n_samples"]]
    settings = ", ".join(f"{k}={v}" for k, v in controls.PRESETS[PRESET].items())
    print("Command: `python " + " ".join(shlex.quote(a) for a in sys.argv) + "`")
    print(f"The app's preset '{PRESET}' ({settings}; the app's defaults otherwise: {preset['n_samples']} "
          f"points, {preset['max_epochs']} epochs, tie margin {preset['tie_margin']}), data seed = "
          "random_state; ARI of the composite labels after the run.\n")
    seeds = range(args.seeds)
    columns = ["noise", "points", "torch threads", *(f"seed {s}" for s in seeds), "lowest", "s/run"]
    print("| " + " | ".join(columns) + " |")
    print("|---:|---:|---:|" + "---:|" * (len(seeds) + 2))
    for noise in noises:
        for n_samples in sizes:
            for threads in (int(t) for t in args.threads.split(",")):
                torch.set_num_threads(threads)
                start = time.perf_counter()
                aris = [preset_run(seed, {"noise": noise, "n_samples": n_samples})[0] for seed in seeds]
                seconds = (time.perf_counter() - start) / len(aris)
                cells = [f"{noise:g}", str(n_samples), str(threads), *(f"{a:.3f}" for a in aris),
                         f"{min(aris):.3f}", f"{seconds:.1f}"]
                print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
