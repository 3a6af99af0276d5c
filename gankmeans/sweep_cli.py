"""The command line's --sweep: parse it, train the runs with a progress bar, write sweep.csv/.html."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from .config import TrainConfig
from .export import figure_html
from .sweep_plot import sweep_figure, sweep_summary
from .sweeps import MAX_SEEDS, MAX_VALUES, check_parameter, iter_sweep, parse_values, sweep_table


def add_sweep_options(group) -> None:
    """Add --sweep and --seeds to an argparse group."""
    group.add_argument("--sweep", metavar="PARAM=V1,V2,...",
                       help=f"train one run per value (at most {MAX_VALUES}) and seed, with every other "
                            "option fixed, and write DIR/sweep.csv: one row of final metrics per run. "
                            "PARAM is a model option but --random-state (see --seeds) and --device; "
                            "values as the option takes them, e.g. lr_student=1e-4,1e-3,1e-2, "
                            "n_clusters=2,3,4,5,6 or handover=never,20,auto (default: off)")
    group.add_argument("--seeds", metavar="S1,S2,...",
                       help=f"with --sweep: the runs' random_state values, at most {MAX_SEEDS} "
                            "(default: --random-state's)")


def parse_sweep(text: str, config: TrainConfig) -> tuple[str, list]:
    """--sweep's ``PARAM=V1,V2,...`` as (field name, values read with that field's type).

    The name may be spelled as its option (``lr-student``). The values are checked by
    ``sweep_plan`` when the sweep starts, all before the first run.
    """
    name, equals, items = text.partition("=")
    name = name.strip().lstrip("-").replace("-", "_")
    if not equals or not name:
        raise ValueError(f"--sweep expects PARAM=V1,V2,... (e.g. lr_student=1e-4,1e-3,1e-2), got {text!r}")
    check_parameter(config, name)
    return name, parse_values(name, items)


def parse_seeds(text: str | None, config: TrainConfig) -> list[int]:
    """--seeds as integers; by default the one seed that --random-state gives."""
    if text is None:
        if config.random_state is None:
            raise ValueError("a sweep needs integer seeds: give --seeds (e.g. 0,1,2) instead of "
                             "--random-state none")
        return [config.random_state]
    try:
        return [int(item) for item in text.split(",")]
    except ValueError:
        raise ValueError(f"--seeds expects integers separated by commas (e.g. 0,1,2), got {text!r}") from None


def run_sweep(X, y, config: TrainConfig, parameter: str, values: list, seeds: list[int],
              quiet: bool = False) -> pd.DataFrame:
    """Train the sweep with a progress bar on stderr (a step per run); returns its table."""
    events = iter_sweep(X, config, parameter, values, seeds, y)  # checks everything before the bar shows
    rows, shown = [], 0.0
    with tqdm(total=len(values) * len(seeds), desc=f"sweep {parameter}", unit="run", file=sys.stderr,
              disable=quiet, dynamic_ncols=True) as bar:
        for event in events:
            if event.finished:
                rows.append(event.row)
                bar.update(1)
            elif time.monotonic() - shown > 0.5:  # the run in progress, not redrawn every epoch
                bar.set_postfix_str(f"{parameter}={event.value} seed={event.seed} epoch {event.frame.epoch}")
                shown = time.monotonic()
    return sweep_table(rows)


def write_sweep(out, table: pd.DataFrame, html: bool = False) -> list[Path]:
    """Write sweep.csv and, with ``html``, sweep.html (plotly.js embedded) under ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    texts = {"sweep.csv": table.to_csv(index=False)}
    if html:
        texts["sweep.html"] = figure_html(sweep_figure(table))
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in texts]


def print_sweep_summary(table: pd.DataFrame, data: dict, paths) -> None:
    """The mean of every metric over seeds, a row per value, then the files written."""
    parameter = table["parameter"].iloc[0]
    summary = sweep_summary(table)
    means = summary.xs("mean", axis=1, level=1)
    means.insert(0, "runs", summary[("runs", "count")])
    seeds = table["seed"].nunique()
    print(f"dataset {data.get('dataset') or data.get('csv')}, {data['n_samples']} samples: {len(table)} "
          f"runs; mean over {seeds} seed{'s' * (seeds != 1)} for each value of {parameter}\n")
    print(means.to_string(float_format=lambda v: f"{v:.4g}"))
    diverged = int((table["ended"] == "diverged").sum())
    if diverged:
        print(f"\n{diverged} run(s) diverged: their rows hold their last good epoch")
    print("\nwrote " + "\n      ".join(str(path) for path in paths))


def sweep_main(args, X, y, config: TrainConfig, data: dict) -> int:
    """Run --sweep from parsed options: train, write the files, print the means; returns 0."""
    parameter, values = parse_sweep(args.sweep, config)
    seeds = parse_seeds(args.seeds, config)
    table = run_sweep(X, y, config, parameter, values, seeds, quiet=args.quiet)
    paths = write_sweep(args.out, table, args.html)
    print_sweep_summary(table, data, paths)
    return 0
