"""Command line: ``gankmeans`` (or python -m gankmeans) trains one run, or a sweep of runs, and
writes what it found."""

# X is scikit-learn's name for the data matrix; keep it rather than satisfy pep8-naming.

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import inspect
import os
import re
import shlex
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from . import __version__, datasets, export
from .config import DEVICES, DISCRIMINATORS, INITS, MAX_CLUSTERS, TEACHER_SPACES, TrainConfig
from .metrics import external_scores, inertia
from .sweep_cli import add_sweep_options, sweep_main
from .training import DivergenceError, train

# One line of help per TrainConfig field; TrainConfig's docstring has the full story.
FIELD_HELP = {
    "n_clusters": "K, the number of clusters (1-64)",
    "max_epochs": "upper bound on epochs; a run may stop earlier (see --tol, --patience)",
    "batch_size": 'mini-batch size, or "auto" (at most 16 steps per epoch)',
    "hidden": "width of the student's first layer and of the discriminator's hidden layer",
    "lr_student": "Adam learning rate of the student, in (0, 10]",
    "lr_discriminator": "Adam learning rate of the discriminator, in (0, 10]",
    "discriminator": '"conditional" judges (point, label) pairs; "label" the label alone, as the seed',
    "tie_margin": "the teacher abstains where the two nearest centroids' distances differ by at most this "
                  "many times the data's RMS spread, sqrt(mean of the features' variances)",
    "teacher_weight": "weight of an extra cross-entropy towards the teacher's labels; 0 is a pure GAN",
    "handover": 'when the student takes over alone: "never", "auto" or an epoch number',
    "handover_agreement": 'agreement (0-1) that --handover auto waits for',
    "tol": "stop once centroids moved less than this many times the data's RMS spread for --patience "
           "epochs",
    "patience": "epochs of small moves (or of agreement, for --handover auto) to wait",
    "init": '"k-means++" (scikit-learn\'s, seeded with --random-state), or "random": K data points, '
            'as the seed',
    "standardize": "divide each feature by its standard deviation before the teacher measures distance, for "
                   "columns in different units; without it the teacher is K-Means on the data as given",
    "teacher_space": 'where the teacher measures distance: "input", or "learned" (a space where '
                     'neighbours stay close; separates moons and circles)',
    "n_neighbors": "learned space: neighbours per point in its kNN graph (clamped to n_samples - 1)",
    "embedding_dim": 'learned space: its dimension, or "none" for max(K - 1, 1)',
    "random_state": 'seed of the model\'s random choices, or "none" for fresh entropy',
    "device": '"auto" uses CUDA when it is available',
}
FIELD_CHOICES = {"discriminator": DISCRIMINATORS, "init": INITS, "device": DEVICES,
                 "teacher_space": TEACHER_SPACES}
LOAD_DEFAULTS = {name: p.default for name, p in inspect.signature(datasets.load).parameters.items()}


def _int_or(*words):
    """An argparse type: an integer, or one of ``words`` (None for the word "none")."""
    def parse(text):
        if text.lower() in words:
            return None if text.lower() == "none" else text.lower()
        try:
            return int(text)
        except ValueError:
            expected = f"expected an integer or {' or '.join(words)}, got {text!r}"
            raise argparse.ArgumentTypeError(expected) from None
    parse.__name__ = "integer or " + "/".join(words)
    return parse


FIELD_TYPES = {"batch_size": _int_or("auto"), "handover": _int_or("never", "auto"),
               "random_state": _int_or("none"), "embedding_dim": _int_or("none")}
FIELD_METAVARS = {"batch_size": "{N,auto}", "handover": "{never,auto,N}", "random_state": "{N,none}",
                  "embedding_dim": "{N,none}"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; model options are generated from TrainConfig's fields."""
    parser = argparse.ArgumentParser(
        prog="gankmeans",
        # Raw text, so that the examples keep their lines: the description is wrapped by hand.
        description="Train GANKMeans (K-Means teacher, adversarial student) on one data set, write\n"
                    "DIR/assignments.csv and DIR/run.json, and compare with K-Means. With --sweep, train\n"
                    "one run per value and seed instead, and write DIR/sweep.csv.\n"
                    "`python -m gankmeans` does the same as `gankmeans`.",
        epilog="examples:\n"
               "  gankmeans --dataset moons --n-clusters 2 --html\n"
               "  gankmeans --dataset moons --sweep lr_student=1e-4,1e-3,1e-2 --seeds 0,1,2\n"
               "  gankmeans --dataset blobs --sweep n_clusters=2,3,4,5,6,7,8 --seeds 0,1,2 --html",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"gankmeans {__version__}")
    _add_data_options(parser.add_argument_group("data"))
    model = parser.add_argument_group("model (defaults are TrainConfig's)")
    for field in dataclasses.fields(TrainConfig):
        _add_field_option(model, field)
    add_sweep_options(parser.add_argument_group("sweep: several runs, one table"))
    output = parser.add_argument_group("output")
    output.add_argument("--out", metavar="DIR", default="out",
                        help="folder for assignments.csv and run.json (with --sweep: sweep.csv), "
                             "created if missing (default: out)")
    output.add_argument("--quiet", action="store_true", help="no progress bar (default: off)")
    output.add_argument("--html", action="store_true",
                        help="also write DIR/replay.html, an animated replay; with --sweep, "
                             "DIR/sweep.html, each metric against the value; both work offline "
                             "(default: off)")
    return parser


def _add_data_options(group) -> None:
    source = group.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=datasets.NAMES, default="moons",
                        help="named data set (default: moons)")
    source.add_argument("--csv", metavar="PATH",
                        help="read this CSV file of numbers instead of --dataset (default: none)")
    group.add_argument("--n-samples", type=int, metavar="N",
                       help=f"points to generate (default: {LOAD_DEFAULTS['n_samples']}); with --csv, "
                            f"rows to sample at most (default: {datasets.MAX_CSV_ROWS:,})")
    group.add_argument("--noise", type=float, default=LOAD_DEFAULTS["noise"],
                       help=f"noise of the generated data, 0-1 (default: {LOAD_DEFAULTS['noise']})")
    group.add_argument("--seed", type=int, default=0,
                       help="seed of the data (and of K-Means and CSV row sampling) (default: 0)")
    group.add_argument("--label-column", metavar="NAME",
                       help="with --csv: the column of true labels, for ARI/NMI only; 'none' for no labels "
                            "(default: guessed, as the app does: the only column of text, or else one "
                            f"named {', '.join(datasets.LABEL_NAMES[:4])}, ...)")
    group.add_argument("--drop-nonfinite", action="store_true",
                       help="with --csv: drop rows with NaN, infinity or empty cells (default: off)")
    group.add_argument("--keep-column", metavar="NAME", action="append",
                       help="with --csv: train on this column even though it looks like a row index or "
                            "an identifier (an unnamed first column, 'index', 'id', 0..n-1, ...), which are "
                            "left out by default; repeat it or separate names by commas (default: none)")


def _add_field_option(group, field: dataclasses.Field) -> None:
    flag = "--" + field.name.replace("_", "-")
    help_text = FIELD_HELP.get(field.name, f"TrainConfig.{field.name}")
    if field.name == "n_clusters":
        group.add_argument(flag, type=int, metavar="K", help=help_text + (
            " (default: the data set's natural K; with --csv, the number of distinct labels, "
            f"else {field.default})"))
        return
    if isinstance(field.default, bool):  # --standardize / --no-standardize
        group.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default,
                           help=f"{help_text} (default: {field.default})")
        return
    if field.name in FIELD_CHOICES:
        kwargs = {"choices": FIELD_CHOICES[field.name]}
    else:
        kwargs = {"metavar": FIELD_METAVARS.get(field.name, "X" if isinstance(field.default, float) else "N")}
    kwargs["type"] = FIELD_TYPES.get(field.name, type(field.default))
    group.add_argument(flag, default=field.default, help=f"{help_text} (default: {field.default})", **kwargs)


def load_data(args) -> tuple[np.ndarray, np.ndarray | None, list[str] | None, dict]:
    """(X, y or None, feature names or None, a description of the data for run.json)."""
    if args.csv is None:
        if args.label_column is not None or args.drop_nonfinite or args.keep_column:
            raise ValueError("--label-column, --drop-nonfinite and --keep-column apply only with --csv")
        n_samples = LOAD_DEFAULTS["n_samples"] if args.n_samples is None else args.n_samples
        with _options_named({"n_samples": "--n-samples", "noise": "--noise", "random_state": "--seed"}):
            X, y = datasets.load(args.dataset, n_samples=n_samples, noise=args.noise, random_state=args.seed)
        data = {"dataset": args.dataset, "n_samples": len(X), "noise": args.noise, "seed": args.seed}
        return X, y, None, data
    max_rows = datasets.MAX_CSV_ROWS if args.n_samples is None else args.n_samples
    label = args.label_column
    if label is None:
        label = datasets.csv_columns(args.csv).label_guess  # the app's upload guesses the same
    elif label == "none":
        label = None
    keep = [name.strip() for names in args.keep_column or () for name in names.split(",") if name.strip()]
    with _options_named({"max_rows": "--n-samples", "drop_nonfinite=True": "--drop-nonfinite",
                         "keep_columns": "--keep-column"}):
        table = datasets.read_csv(args.csv, label_column=label, max_rows=max_rows, keep_columns=keep,
                                  drop_nonfinite=args.drop_nonfinite, random_state=args.seed)
    data = {"csv": os.path.basename(args.csv), "label_column": label, "features": table.columns,
            "left_out": table.left_out, "n_samples": len(table.X), "n_dropped": table.n_dropped,
            "sampled": table.sampled, "seed": args.seed}
    return table.X, table.y, table.columns, data


def build_config(args, y=None) -> TrainConfig:
    """TrainConfig from the parsed options; raises ValueError for a bad value."""
    values = {name: getattr(args, name) for name in TrainConfig.field_names()}
    if values["n_clusters"] is None:
        if args.csv is None:
            values["n_clusters"] = datasets.NATURAL_K[args.dataset]
        elif y is not None:
            values["n_clusters"] = min(len(np.unique(y)), MAX_CLUSTERS)
        else:
            values["n_clusters"] = TrainConfig().n_clusters
    options = {name: "--" + name.replace("_", "-") for name in values}
    with _options_named(options):
        return TrainConfig(**values)


@contextlib.contextmanager
def _options_named(options: dict[str, str]):
    """Re-raise a ValueError with the library's parameter names (``lr_student=``) as options."""
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        for name, option in options.items():
            message = re.sub(rf"\b{re.escape(name)}(=|\b)", lambda m, o=option: o + (" " if m[1] else ""),
                             message)
        raise ValueError(message) from None


def run(X, config: TrainConfig, quiet=False) -> list:
    """Train with a progress bar on stderr; returns every frame."""
    frames = []
    with tqdm(total=config.max_epochs, desc="training", unit="epoch", file=sys.stderr,
              disable=quiet, dynamic_ncols=True) as bar:
        for frame in train(X, config):
            frames.append(frame)
            bar.set_postfix(agreement=f"{frame.agreement:.3f}", inertia=f"{frame.inertia:.4g}",
                            refresh=False)
            bar.update(1)
    return frames


def write_outputs(out, X, columns, config, frames, data, y, html=False) -> list[Path]:
    """Write assignments.csv, run.json and, with ``html``, replay.html under ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    texts = {"assignments.csv": export.assignments_csv(X, frames[-1], columns),
             "run.json": export.run_json(config, frames, data, y) + "\n"}
    if html:
        source = data.get("dataset") or data.get("csv")
        title = (f"GANKMeans on {source}: K = {config.n_clusters}, {config.teacher_space} space, "
                 f"seed {data['seed']}")
        texts["replay.html"] = export.replay_html(X, frames, columns, y_true=y, title=title,
                                                  max_epochs=config.max_epochs)
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in texts]


def column_rows(data: dict) -> list[tuple[str, str]]:
    """The summary's rows on a CSV file's columns: the label, the features, those left out and why."""
    if "csv" not in data:
        return []
    features = data["features"]
    shown = ", ".join(features) if len(features) <= 6 else f"{', '.join(features[:5])}, ... ({len(features)})"
    return [("label column", data["label_column"] or "none"), ("features", shown), *left_out_rows(data)]


def left_out_rows(data: dict) -> list[tuple[str, str]]:
    """A row per CSV column left out as a row index or an identifier: which, why, how to keep it."""
    rows = []
    for name, reason in data.get("left_out", {}).items():
        hint = "" if reason == datasets.TEXT_ID else f"; --keep-column {shlex.quote(name)} trains on it"
        rows.append(("left out", f"{name}: {reason}{hint}"))
    return rows


def print_summary(X, y, config, frames, data, paths, seed) -> None:
    """The run's outcome beside plain K-Means on the same data, then the files written."""
    last = frames[-1]
    # K-Means on the data as the teacher sees it (standardised with --standardize): like for like.
    seen = StandardScaler().fit_transform(X) if config.standardize else X
    kmeans_labels = KMeans(config.n_clusters, n_init="auto", random_state=seed).fit_predict(seen)
    kmeans_centers = np.array([X[kmeans_labels == k].mean(0) for k in range(config.n_clusters)])
    kmeans_inertia = inertia(X, kmeans_labels, kmeans_centers)
    ours, theirs = external_scores(y, last.labels), external_scores(y, kmeans_labels)
    source = data.get("dataset") or data.get("csv")
    rows = [("dataset", source), *column_rows(data), ("samples", f"{len(X)} x {X.shape[1]} features"),
            ("clusters (K)", config.n_clusters), ("epochs run", f"{last.epoch} of {config.max_epochs}"),
            ("converged", "yes" if last.converged else "no"), ("phase", last.phase),
            ("agreement", f"{last.agreement:.4f}"), ("student share", f"{last.student_share:.4f}")]
    for name, value in rows:
        print(f"{name:<15} {value}")
    scaling = "standardised data" if config.standardize else "the data as given"
    print(f"\n{'':<15} {'GANKMeans':>12} {'K-Means':>12}   (K-Means on {scaling}, as the teacher)")
    print(f"{'inertia':<15} {last.inertia:>12.6g} {kmeans_inertia:>12.6g}")
    for metric in ("ari", "nmi"):
        if metric in ours:
            print(f"{metric.upper():<15} {ours[metric]:>12.4f} {theirs[metric]:>12.4f}")
    if y is None:
        print("(no true labels: ARI/NMI not available)")
    print("\nwrote " + "\n      ".join(str(path) for path in paths))


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        X, y, columns, data = load_data(args)
        config = build_config(args, y)
        if args.sweep is not None:
            for name, value in left_out_rows(data):  # the sweep's own summary does not say
                print(f"{name:<15} {value}")
            return sweep_main(args, X, y, config, data)
        if args.seeds is not None:
            raise ValueError("--seeds applies only with --sweep")
        frames = run(X, config, quiet=args.quiet)
        paths = write_outputs(args.out, X, columns, config, frames, data, y, args.html)
        print_summary(X, y, config, frames, data, paths, args.seed)
    except (ValueError, DivergenceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
