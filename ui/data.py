"""Cached data for the app: the data set, its plotting axes and display sample, and plain K-Means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from gankmeans import datasets, metrics, plotting


@dataclass(frozen=True, eq=False)
class Data:
    """One generated data set with what the view needs to draw it."""

    X: np.ndarray
    y: np.ndarray | None
    X2: np.ndarray  # every point on the two plotting axes
    axes: tuple[str, str]
    sample: np.ndarray  # the rows drawn; metrics use all of them


@st.cache_data(max_entries=8, show_spinner=False)
def load(dataset: str, n_samples: int, noise: float, seed: int) -> Data:
    """Generate a named data set (raises ValueError for bad arguments)."""
    X, y = datasets.load(dataset, n_samples=n_samples, noise=noise, random_state=seed)
    X2, x_title, y_title = datasets.project_2d(X, random_state=seed)
    sample = plotting.display_sample(len(X), random_state=seed)
    return Data(X=X, y=y, X2=X2, axes=(x_title, y_title), sample=sample)


@st.cache_data(max_entries=8, show_spinner=False)
def kmeans(dataset: str, n_samples: int, noise: float, seed: int, n_clusters: int):
    """scikit-learn K-Means on the same data, K and seed: (labels, centres on the plotting axes).

    It runs on standardised data, as GANKMeans' teacher does, so the two panels compare the
    algorithms rather than the scaling.
    """
    data = load(dataset, n_samples, noise, seed)
    k = min(n_clusters, len(data.X))
    model = KMeans(n_clusters=k, random_state=seed, n_init="auto")
    labels = model.fit_predict(StandardScaler().fit_transform(data.X))
    # A centre on the plotting axes is the mean of its points there (the projection is linear).
    counts = np.bincount(labels, minlength=k)[:, None]
    sums = np.stack([np.bincount(labels, data.X2[:, j], minlength=k) for j in range(2)], 1)
    return labels, sums / np.maximum(counts, 1)


@st.cache_data(max_entries=8, show_spinner="Running the other methods…")
def baselines(dataset: str, n_samples: int, noise: float, seed: int, n_clusters: int) -> dict:
    """Classic clusterers' labels on the same data, K and seed (see metrics.baseline_labels)."""
    data = load(dataset, n_samples, noise, seed)
    return metrics.baseline_labels(data.X, min(n_clusters, len(data.X)), random_state=seed)

