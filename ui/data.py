"""Cached data for the app: the data set, its plotting axes and display sample, and plain K-Means.

A data set is identified by a hashable key: ``(name, n_samples, noise, seed)`` for a generated
one, ``(UPLOAD, digest, label_column, drop_nonfinite, keep_columns, seed)`` for the user's CSV file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from gankmeans import datasets, metrics, plotting
from gankmeans.scaling import Scaling

UPLOAD = "uploaded CSV"  # the dataset selector's value for the user's own file
MAX_POINTS = 50_000  # generated points, and rows kept from a file (sampled with the seed beyond)


@dataclass(frozen=True, eq=False)
class Data:
    """One data set with what the view needs to draw it."""

    X: np.ndarray
    y: np.ndarray | None
    X2: np.ndarray  # every point on the two plotting axes
    axes: tuple[str, str]
    sample: np.ndarray  # the rows drawn; metrics use all of them
    info: dict = field(default_factory=dict)  # where it came from, for exports
    columns: list[str] | None = None  # feature names of a file


def _with_axes(X, y, seed, info, columns=None) -> Data:
    X2, x_title, y_title = datasets.project_2d(X, random_state=seed, names=columns)
    sample = plotting.display_sample(len(X), random_state=seed)
    return Data(X=X, y=y, X2=X2, axes=(x_title, y_title), sample=sample, info=info, columns=columns)


@st.cache_data(max_entries=8, show_spinner=False)
def load(dataset: str, n_samples: int, noise: float, seed: int) -> Data:
    """Generate a named data set (raises ValueError for bad arguments)."""
    X, y = datasets.load(dataset, n_samples=n_samples, noise=noise, random_state=seed)
    info = {"dataset": dataset, "n_samples": n_samples, "noise": noise, "seed": seed}
    return _with_axes(X, y, seed, info)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def read_upload(file_digest: str, label: str | None, drop: bool, keep: tuple[str, ...], seed: int,
                _raw: bytes, _name: str = "") -> tuple[Data, datasets.CsvData]:
    """Parse the user's file (cached by its digest; raises ValueError with what is wrong).

    ``keep``: columns to train on although they look like a row index (see datasets.read_csv).
    """
    parsed = datasets.read_csv(_raw, label_column=label, drop_nonfinite=drop, max_rows=MAX_POINTS,
                               random_state=seed, keep_columns=keep)
    info = {"dataset": UPLOAD, "file": _name, "label_column": label, "features": parsed.columns,
            "left_out": parsed.left_out, "rows": len(parsed.X), "rows_dropped": parsed.n_dropped,
            "sampled_from": parsed.n_original if parsed.sampled else None, "seed": seed}
    return _with_axes(parsed.X, parsed.y, seed, info, parsed.columns), parsed


def key(controls: dict) -> tuple:
    """The current data set's key (see the module docstring)."""
    if controls["dataset"] == UPLOAD:
        upload = st.session_state["upload"]
        return (UPLOAD, upload["digest"], upload["label"], upload["drop"], upload["keep"], controls["seed"])
    return tuple(controls[k] for k in ("dataset", "n_samples", "noise", "seed"))


def remembered(name: str, memo_key: tuple, compute):
    """``compute()``, kept in this browser session until ``memo_key`` changes.

    The shared caches hold a few entries: with a class on as many seeds, each page's display tick
    found its data and K-Means evicted and made them again (20 pages stalled for good in the load
    test, benchmarks/bench_load.py). A page keeps its own current ones here.
    """
    memo = st.session_state.setdefault("session_memo", {})
    if name not in memo or memo[name][0] != memo_key:
        memo[name] = (memo_key, compute())
    return memo[name][1]


def current(controls: dict) -> Data:
    """The data set the controls select (raises ValueError for bad arguments)."""
    data_key = key(controls)
    if data_key[0] == UPLOAD:
        upload = st.session_state["upload"]
        return remembered("data", data_key,
                          lambda: read_upload(*data_key[1:], upload["raw"], upload["name"])[0])
    return remembered("data", data_key, lambda: load(*data_key))


@st.cache_data(max_entries=8, show_spinner=False)
def kmeans(data_key: tuple, n_clusters: int, standardize: bool, _data: Data):
    """scikit-learn K-Means on the same data, K and seed: (labels, centres on the plotting axes).

    It sees the data as GANKMeans' teacher does, standardised or not as the run is, so the two
    panels compare the algorithms rather than the scaling.
    """
    k = min(n_clusters, len(_data.X))
    model = KMeans(n_clusters=k, random_state=data_key[-1], n_init="auto")
    # One thread: every page's script runs in a thread of the one server process, and OpenMP teams
    # started from many of them at once spin against each other on the shared cores.
    with threadpool_limits(1):
        labels = model.fit_predict(Scaling.teacher(_data.X, standardize).transform(_data.X))
    # A centre on the plotting axes is the mean of its points there (the projection is linear).
    counts = np.bincount(labels, minlength=k)[:, None]
    sums = np.stack([np.bincount(labels, _data.X2[:, j], minlength=k) for j in range(2)], 1)
    return labels, sums / np.maximum(counts, 1)


@st.cache_data(max_entries=8, show_spinner="Running the other methods…")
def baselines(data_key: tuple, n_clusters: int, standardize: bool, _data: Data) -> dict:
    """Classic clusterers' labels on the same data, K, seed and scaling (see metrics.baseline_labels)."""
    with threadpool_limits(1):  # as in kmeans
        return metrics.baseline_labels(_data.X, min(n_clusters, len(_data.X)), random_state=data_key[-1],
                                       standardize=standardize)
