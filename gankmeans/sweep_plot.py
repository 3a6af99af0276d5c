"""A sweep's table over seeds: sweep_summary (mean, min, max per value) and sweep_figure (Plotly)."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .sweeps import LABEL_COLUMNS, METRIC_COLUMNS

TITLES = {
    "inertia": "Inertia (the elbow: where it stops falling fast)",
    "silhouette": "Silhouette (higher: tighter, better separated)",
    "ari": "ARI against the true labels",
    "nmi": "NMI against the true labels",
    "agreement": "Student-teacher agreement",
    "student_share": "Share decided by the student",
    "epochs": "Epochs run",
    "wall_time_s": "Training time (s)",
}
# "How many clusters?" reads the elbow and the silhouette first; any other sweep asks first how
# well the clustering matches the truth, then what the student did.
K_ORDER = ("inertia", "silhouette", "ari", "nmi", "agreement", "student_share", "epochs", "wall_time_s")
ORDER = ("ari", "nmi", "silhouette", "agreement", "inertia", "student_share", "epochs", "wall_time_s")
COLOR = "#0072B2"  # plotting.PALETTE's blue
PANEL_HEIGHT = 250
# Values spanning this ratio or more (learning rates, tolerances) are drawn on a log axis.
LOG_SPAN = 100


def sweep_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max over seeds of every metric, one row per value, in the sweep's order.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of ``sweep``.

    Returns
    -------
    pandas.DataFrame
        Indexed by value; columns are (metric, statistic) pairs, statistics ``mean``, ``min``,
        ``max``; ``("runs", "count")`` counts the runs (seeds) of each value.
    """
    metrics = [c for c in ("epochs", *METRIC_COLUMNS, *LABEL_COLUMNS, "wall_time_s") if c in table]
    # Values may mix types (handover: "never", 20, "auto"): group on a key that keeps them apart.
    keys = [f"{type(value).__name__}:{value!r}" for value in table["value"]]
    position, _ = pd.factorize(pd.Series(keys))  # numbered in order of first appearance
    grouped = table[metrics].astype(float).groupby(position, sort=True)
    summary = grouped.agg(["mean", "min", "max"])
    summary[("runs", "count")] = grouped.size()
    first_rows = np.unique(position, return_index=True)[1]
    summary.index = pd.Index(table["value"].iloc[first_rows].tolist(), name="value", dtype=object)
    return summary


def sweep_figure(table: pd.DataFrame, metrics=None, title: str | None = None) -> go.Figure:
    """Each metric against the swept value: the mean over seeds, bars from the lowest to the highest.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of ``gankmeans.sweep`` (columns ``parameter``, ``value``, ``seed``, metrics).
    metrics : list of str, optional
        Metric columns to draw, one panel each, in this order. By default every metric the table
        has, the elbow (inertia) and the silhouette first when ``n_clusters`` was swept.
    title : str, optional
        The figure's title; by default it names the parameter and the seeds.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels a row. Numbers go on a linear axis (log when positive and spanning 100x or
        more), joined by lines; any other values (choices, "auto", None) are unjoined categories
        in the sweep's order.
    """
    if table.empty:
        raise ValueError("the sweep table has no rows; run a sweep first")
    parameter = str(table["parameter"].iloc[0])
    metrics = _metrics(table, parameter, metrics)
    summary = sweep_summary(table)
    x, axis = _x_values(list(summary.index))
    rows = math.ceil(len(metrics) / 2)
    figure = make_subplots(rows=rows, cols=2, subplot_titles=[TITLES.get(m, m) for m in metrics],
                           vertical_spacing=min(0.12, 0.3 / rows), horizontal_spacing=0.1)
    for i, metric in enumerate(metrics):
        trace = _metric_trace(summary, metric, x, parameter, lines=axis["type"] != "category")
        figure.add_trace(trace, row=i // 2 + 1, col=i % 2 + 1)
        lowest_in_column = i + 2 >= len(metrics)  # one axis title per column, under its last panel
        figure.update_xaxes(title_text=parameter if lowest_in_column else None, row=i // 2 + 1,
                            col=i % 2 + 1, **axis)
    n_seeds = table["seed"].nunique()
    figure.update_layout(
        title=title or f"Sweep of {parameter}: mean over {n_seeds} seed{'s' * (n_seeds != 1)}"
                       + (" (bars: lowest to highest)" if n_seeds > 1 else ""),
        height=PANEL_HEIGHT * rows + 90, showlegend=False, template="plotly_white",
        margin={"l": 60, "r": 20, "t": 90, "b": 50})
    return figure


def _metrics(table: pd.DataFrame, parameter: str, metrics) -> list[str]:
    if metrics is None:
        order = K_ORDER if parameter == "n_clusters" else ORDER
        return [m for m in order if m in table and table[m].notna().any()]
    missing = [m for m in metrics if m not in table]
    if missing:
        raise ValueError(f"the sweep table has no column {missing[0]!r}; it has "
                         f"{', '.join(c for c in table.columns if c in TITLES)}")
    return list(metrics)


def _x_values(values: list) -> tuple[list, dict]:
    """x coordinates and x-axis settings: numbers stay numbers, anything else is a category."""
    numeric = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
    if not numeric:
        return [str(v) for v in values], {"type": "category", "categoryorder": "array",
                                           "categoryarray": [str(v) for v in values]}
    # A tick at every value swept (at most 12), written as given: 1e-04 rather than Plotly's 100µ,
    # and K = 2, 3, 4 rather than 2.5.
    ticks = {"tickvals": values, "ticktext": [f"{v:g}" for v in values]}
    if all(v > 0 for v in values) and max(values) / min(values) >= LOG_SPAN:
        return values, {"type": "log", **ticks}
    return values, {"type": "linear", **ticks}


def _metric_trace(summary: pd.DataFrame, metric: str, x: list, parameter: str, lines: bool) -> go.Scatter:
    # Lines join numbers only: choices ("label", "conditional") have no order to draw a trend along.
    mean, low, high = (summary[(metric, stat)].to_numpy() for stat in ("mean", "min", "max"))
    runs = summary[("runs", "count")].to_numpy()
    hover = [f"{parameter}={value}<br>mean {m:.4g} (lowest {lo:.4g}, highest {hi:.4g}, {n} runs)"
             for value, m, lo, hi, n in zip(summary.index, mean, low, high, runs, strict=True)]
    return go.Scatter(
        x=x, y=mean, mode="lines+markers" if lines else "markers", name=metric, line={"color": COLOR},
        marker={"size": 8, "color": COLOR}, hovertext=hover, hoverinfo="text",
        error_y={"type": "data", "symmetric": False, "array": high - mean, "arrayminus": mean - low,
                 "color": COLOR, "thickness": 1.5, "width": 5})
