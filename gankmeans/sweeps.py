"""Parameter sweeps: one run per (value, seed), each reduced to one row of final metrics."""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_score

from .config import TrainConfig
from .datasets import validate_data
from .frame import Frame
from .metrics import external_scores
from .training import DivergenceError, resolve_device, train

MAX_VALUES = 12
MAX_SEEDS = 5
# Silhouette is O(N^2): past this many points it is computed on a sample drawn with the run's seed.
# Measured on 2 busy cores: 0.05 s at 500 points, 0.4 s at 2,000, 8 s at 10,000 (exact).
SILHOUETTE_SAMPLE = 2_000
# Why a field cannot be swept; every other TrainConfig field can.
NOT_SWEEPABLE = {
    "random_state": "each run's random_state is its seed; give several seeds instead (seeds=[0, 1, 2], "
                    "or --seeds 0,1,2)",
    "device": "it changes where a run trains, not what it learns",
}
# Fields that change nothing unless another field has this value: a sweep over them would only
# repeat one run, so it is refused rather than left to puzzle someone.
ONLY_WITH = {
    "n_neighbors": ("teacher_space", "learned"),
    "embedding_dim": ("teacher_space", "learned"),
    "handover_agreement": ("handover", "auto"),
}
METRIC_COLUMNS = ("inertia", "silhouette", "agreement", "student_share")
LABEL_COLUMNS = ("ari", "nmi")
COLUMNS = ("parameter", "value", "seed", "epochs", "ended", *METRIC_COLUMNS, "wall_time_s", *LABEL_COLUMNS)


@dataclass(frozen=True)
class SweepEvent:
    """Progress of a sweep: one event per trained epoch, and one more row-bearing event per run.

    Attributes
    ----------
    run : int
        Index of the run, 0 to ``n_runs - 1``, in the order values x seeds (seeds vary fastest).
    n_runs : int
        Runs in the whole sweep.
    value, seed :
        The swept parameter's value and the run's ``random_state``.
    config : TrainConfig
        The run's full configuration; ``train(X, config)`` repeats it exactly.
    frame : Frame or None
        The epoch just trained; on a finished event, the run's last good frame (None only when
        the run diverged in its first epoch).
    row : dict or None
        None while the run trains; on the run's finished event, its table row (see ``sweep``).
    """

    run: int
    n_runs: int
    value: object
    seed: int
    config: TrainConfig
    frame: Frame | None
    row: dict | None = None

    @property
    def finished(self) -> bool:
        """True on the one event per run that carries its row."""
        return self.row is not None


def sweepable_parameters() -> tuple[str, ...]:
    """Names ``sweep`` accepts: every TrainConfig field but ``random_state`` and ``device``."""
    return tuple(name for name in TrainConfig.field_names() if name not in NOT_SWEEPABLE)


def sweep_plan(X, config: TrainConfig | None, parameter: str, values, seeds=(0,), y=None):
    """Check a whole sweep before anything trains, and list its runs.

    Parameters
    ----------
    X, config, parameter, values, seeds, y :
        As for ``sweep``.

    Returns
    -------
    list of (value, seed, TrainConfig)
        One entry per run, values x seeds with seeds varying fastest; values are plain Python
        scalars (numpy ones are converted).

    Raises
    ------
    ValueError
        For an unknown or unsweepable parameter, an empty, too long or repeated list of values or
        seeds, a value TrainConfig rejects, or data too small for a value of ``n_clusters``.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}.")
    check_parameter(config, parameter)
    values = _scalars(values, f"values of {parameter}", MAX_VALUES)
    seeds = _scalars(seeds, "seeds", MAX_SEEDS)
    for seed in seeds:
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
            raise ValueError(f"seed {seed!r} is not allowed: seeds are integers from 0 to {2**32 - 1}.")
    is_bool = isinstance(getattr(config, parameter), bool)
    plan = []
    for value in values:
        if is_bool and not isinstance(value, bool):
            raise ValueError(f"{parameter}={value!r} is not allowed: expected True or False.")
        base = dataclasses.replace(config, **{parameter: value})  # TrainConfig says what is wrong
        plan += [(value, seed, dataclasses.replace(base, random_state=seed)) for seed in seeds]
    _check_data(X, y, max(run_config.n_clusters for _, _, run_config in plan))
    resolve_device(config.device)  # "cuda" without CUDA fails now, not after the first runs
    return plan


def parse_values(parameter: str, text: str) -> list:
    """Values of ``parameter`` from text such as ``"1e-4, 1e-3"`` or ``"never, 20, auto"``.

    Each comma-separated item is read as the field's type reads it: an integer, a number, a word
    (choices, "auto", "never"), "none" where None is allowed, true/false (or yes/no, 1/0) for a
    bool. Whether a value is allowed is left to ``sweep_plan``, which checks them all at once.

    Parameters
    ----------
    parameter : str
        A TrainConfig field.
    text : str
        The values, separated by commas.

    Returns
    -------
    list
        The values, in the order given.
    """
    kinds = _field_kinds(parameter)
    items = [item.strip() for item in text.split(",")]
    if items == [""]:
        raise ValueError(f"no values given for {parameter}; give 1 to {MAX_VALUES}, separated by commas.")
    return [_read(parameter, kinds, item) for item in items]


def _field_kinds(parameter: str) -> set[str]:
    # TrainConfig's annotations are strings ("int | str"): `from __future__ import annotations`.
    types = {field.name: str(field.type) for field in dataclasses.fields(TrainConfig)}
    if parameter not in types:
        raise _unknown(parameter)
    return {kind.strip() for kind in types[parameter].split("|")}


def _read(parameter: str, kinds: set[str], item: str):
    words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
    if not item:
        raise ValueError(f"{parameter}: an empty value (two commas in a row, or one at the end?).")
    if "bool" in kinds and item.lower() in words:
        return words[item.lower()]
    if "None" in kinds and item.lower() == "none":
        return None
    number = _number(item)
    if number is not None and ("float" in kinds or "int" in kinds and number.is_integer()):
        return float(number) if "float" in kinds else int(number)  # "1e3" is a fine way to write 1000
    if "str" in kinds:
        return item
    expected = {"int": "an integer", "float": "a number", "bool": "true or false", "None": "none"}
    allowed = " or ".join(expected[kind] for kind in expected if kind in kinds)
    raise ValueError(f"{parameter}: expected {allowed}, got {item!r}.")


def _number(item: str) -> float | None:
    try:
        return float(item)
    except ValueError:
        return None


def check_parameter(config: TrainConfig, parameter: str) -> None:
    """Raise ValueError unless ``parameter`` can be swept from ``config`` (the first check of a plan).

    Parameters
    ----------
    config : TrainConfig
        The sweep's base configuration (``n_neighbors``, for one, needs ``teacher_space="learned"``).
    parameter : str
        The field to sweep.
    """
    if parameter in NOT_SWEEPABLE:
        raise ValueError(f"{parameter} cannot be swept: {NOT_SWEEPABLE[parameter]}.")
    if parameter not in sweepable_parameters():
        raise _unknown(parameter)
    if parameter in ONLY_WITH:
        field, needed = ONLY_WITH[parameter]
        if getattr(config, field) != needed:
            raise ValueError(f"{parameter} changes nothing unless {field}={needed!r} (the config has "
                             f"{field}={getattr(config, field)!r}); set {field} first.")


def _unknown(parameter) -> ValueError:
    allowed = ", ".join(sweepable_parameters())
    return ValueError(f"unknown parameter {parameter!r}: expected one of {allowed}.")


def _scalars(items, what: str, limit: int) -> list:
    """``items`` as a list of plain Python scalars, at least one, at most ``limit``, no repeats."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise ValueError(f"{what} must be a list, got {items!r}.")
    items = [item.item() if isinstance(item, np.generic) else item for item in items]
    if not items:
        raise ValueError(f"{what}: the list is empty; give 1 to {limit}.")
    if len(items) > limit:
        raise ValueError(f"{what}: {len(items)} given, at most {limit} are allowed.")
    for i, item in enumerate(items):
        if item in items[:i]:
            raise ValueError(f"{what}: {item!r} is given twice; list each once.")
    return items


def _check_data(X, y, max_clusters: int) -> None:
    n_samples = len(validate_data(X, max_clusters))
    if y is not None and len(y) != n_samples:
        raise ValueError(f"y has {len(y)} labels for {n_samples} samples; give one label per row of X.")


def run_metrics(X, frame: Frame, y=None, random_state: int | None = 0) -> dict:
    """One sweep row's metrics from a finished run's last frame.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the run was trained on.
    frame : Frame
        The run's last frame.
    y : array-like of shape (n_samples,), optional
        True labels; adds ``ari`` and ``nmi``.
    random_state : int or None
        Seed of the silhouette's sample (used only above ``SILHOUETTE_SAMPLE`` points).

    Returns
    -------
    dict
        ``epochs``, ``inertia``, ``silhouette``, ``agreement``, ``student_share`` and, with ``y``,
        ``ari`` and ``nmi``. The silhouette is scikit-learn's ``silhouette_score`` in the input's
        own units (as inertia is, so rows stay comparable whatever was swept), on a sample of
        ``SILHOUETTE_SAMPLE`` points drawn with ``random_state`` when there are more; NaN when
        the run's labels hold a single cluster.
    """
    X = validate_data(X)
    return {"epochs": frame.epoch, "inertia": frame.inertia,
            "silhouette": silhouette(X, frame.labels, random_state), "agreement": frame.agreement,
            "student_share": frame.student_share, **external_scores(y, frame.labels)}


def silhouette(X, labels, random_state: int | None = 0) -> float:
    """scikit-learn's silhouette score, on a seeded sample above ``SILHOUETTE_SAMPLE`` points.

    NaN when it is undefined: fewer than 2 clusters (in the sample), or as many as points.
    """
    sample = SILHOUETTE_SAMPLE if len(X) > SILHOUETTE_SAMPLE else None
    try:
        return float(silhouette_score(X, labels, sample_size=sample, random_state=random_state))
    except ValueError:  # "Number of labels is 1. Valid values are 2 to n_samples - 1"
        return math.nan


def iter_sweep(X, config: TrainConfig | None, parameter: str, values, seeds=(0,), y=None
               ) -> Iterator[SweepEvent]:
    """The sweep as a generator: an event per epoch, and a finished event (with its row) per run.

    Everything is checked by this call, before it returns and before any run trains (see
    ``sweep_plan``), so bad input raises here, not at the first ``next()``. Nothing trains
    while the caller holds the generator, so a caller can pause between any two epochs, and
    abandon the sweep by closing the generator (or just dropping it). A run whose loss diverges
    ends with ``ended="diverged"`` and the metrics of its last good frame; the sweep goes on.

    Parameters
    ----------
    X, config, parameter, values, seeds, y :
        As for ``sweep``.

    Returns
    -------
    iterator of SweepEvent
        A generator of the events, in the order values x seeds, then epochs.
    """
    plan = sweep_plan(X, config, parameter, values, seeds, y)  # here, not at the first next()
    return _events(validate_data(X), y, parameter, plan)


def _events(X, y, parameter: str, plan: list) -> Iterator[SweepEvent]:
    for run, (value, seed, run_config) in enumerate(plan):
        event = functools.partial(SweepEvent, run, len(plan), value, seed, run_config)
        frame, ended, seconds = None, "max_epochs", 0.0
        frames = train(X, run_config)
        while True:
            started = time.perf_counter()
            try:
                frame = next(frames)
            except StopIteration:
                break
            except DivergenceError:
                ended = "diverged"
                break
            finally:
                seconds += time.perf_counter() - started  # training only, never the caller's pauses
            yield event(frame)
        ended = "converged" if frame is not None and frame.converged else ended
        row = {"parameter": parameter, "value": value, "seed": seed, **_row_metrics(X, frame, y, seed),
               "ended": ended, "wall_time_s": seconds}
        yield event(frame, row)


def _row_metrics(X, frame, y, seed) -> dict:
    if frame is None:  # diverged in its first epoch: nothing to measure
        nan = dict.fromkeys((*METRIC_COLUMNS, *(LABEL_COLUMNS if y is not None else ())), math.nan)
        return {"epochs": 0, **nan}
    return run_metrics(X, frame, y, random_state=seed)


def sweep_table(rows: Iterable[dict]) -> pd.DataFrame:
    """Rows of ``iter_sweep`` (or of ``run_metrics`` plus value, seed, ...) as the sweep's table.

    Columns come in ``COLUMNS`` order; ``ari`` and ``nmi`` only when the rows have them. The
    ``value`` column holds the values as given: numbers as numbers, and otherwise Python objects,
    so that None stays None (pandas would make it NaN beside numbers) and 20 stays apart from "auto".
    """
    rows = list(rows)
    table = pd.DataFrame(rows)
    if not rows:
        return table
    values = [row["value"] for row in rows]
    if not all(isinstance(v, Real) and not isinstance(v, bool) for v in values):
        table["value"] = pd.Series(values, dtype=object)
    return table[[column for column in COLUMNS if column in table]]


def sweep(X, config: TrainConfig | None, parameter: str, values, seeds=(0,), y=None,
          progress: Callable[[SweepEvent], object] | None = None) -> pd.DataFrame:
    """Train one run per (value, seed) and tabulate each run's final metrics.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data every run trains on.
    config : TrainConfig or None
        Every setting but the swept one and ``random_state``; ``TrainConfig()`` when None.
    parameter : str
        A TrainConfig field (``sweepable_parameters()``: any but ``random_state``, which the seeds
        set, and ``device``). ``n_neighbors`` and ``embedding_dim`` need
        ``teacher_space="learned"`` in ``config``, ``handover_agreement`` needs ``handover="auto"``.
    values : list
        1 to 12 distinct values, each checked by TrainConfig before any run trains.
    seeds : list of int
        1 to 5 distinct seeds; each run's ``random_state``.
    y : array-like of shape (n_samples,), optional
        True labels, for ARI and NMI.
    progress : callable, optional
        Called with each run's finished ``SweepEvent`` (``event.run + 1`` of ``event.n_runs``
        done; ``event.row`` is its row). For progress per epoch, pausing or stopping early, use
        the generator ``iter_sweep``, which this function drains.

    Returns
    -------
    pandas.DataFrame
        One row per run, in the order values x seeds, with columns ``parameter`` (its name),
        ``value``, ``seed``, ``epochs`` (run), ``ended`` ("converged", "max_epochs" or "diverged"),
        ``inertia``, ``silhouette`` (scikit-learn's, in the input's units; on a sample of 2,000
        points drawn with the seed above that size), ``agreement``, ``student_share``,
        ``wall_time_s`` (time spent training) and, when ``y`` is given, ``ari`` and ``nmi``.

    Raises
    ------
    ValueError
        For bad input, before anything trains (see ``sweep_plan``).
    """
    rows = []
    for event in iter_sweep(X, config, parameter, values, seeds, y):
        if event.finished:
            rows.append(event.row)
            if progress is not None:
                progress(event)
    return sweep_table(rows)
