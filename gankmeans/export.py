"""Exports of a run: assignments as CSV, config and per-epoch metrics as JSON, the replay as HTML."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from . import __version__, plotting
from .config import TrainConfig
from .datasets import project_2d, validate_data
from .frame import Frame
from .metrics import external_scores
from .player import page

RESULT_COLUMNS = ("cluster", "decided_by", "teacher_label", "student_label")
FINAL_KEYS = ("epoch", "inertia", "agreement", "student_share", "phase", "converged", "empty_clusters")


def assignments_table(X, frame: Frame, columns=None) -> pd.DataFrame:
    """One row per point: its features, then where the last epoch put it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the run was trained on, in its own units.
    frame : Frame
        Usually the last frame of the run.
    columns : list of str, optional
        Feature names; a DataFrame's own column names, else x1, x2, ...

    Returns
    -------
    pandas.DataFrame
        The feature columns, then ``cluster`` (composite label), ``decided_by`` ("teacher" or
        "student"), ``teacher_label`` (-1 where the teacher abstained) and ``student_label``.
        A feature named like one of these four is renamed ``input_<name>``.
    """
    if columns is None and isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
    X = validate_data(X)
    n_samples, n_features = X.shape
    if n_samples != len(frame.labels):
        raise ValueError(f"X has {n_samples} rows but the frame labels {len(frame.labels)} points; "
                         "pass the data the run was trained on")
    names = [f"x{i + 1}" for i in range(n_features)] if columns is None else [str(c) for c in columns]
    if len(names) != n_features:
        raise ValueError(f"got {len(names)} column names for {n_features} features; give one per feature")
    table = pd.DataFrame(X, columns=_unclashed(names))
    table["cluster"] = np.asarray(frame.labels, dtype=np.int64)
    table["decided_by"] = np.where(frame.decided_by_student, "student", "teacher")
    table["teacher_label"] = np.asarray(frame.teacher_labels, dtype=np.int64)
    table["student_label"] = np.asarray(frame.student_labels, dtype=np.int64)
    return table


def _unclashed(names: list[str]) -> list[str]:
    # A CSV may already hold a "cluster" column (e.g. a previous export); keep both, unambiguously.
    taken = set(names) | set(RESULT_COLUMNS)
    renamed = []
    for name in names:
        new = name
        while name in RESULT_COLUMNS and new in taken:
            new = f"input_{new}"
        taken.add(new)
        renamed.append(new)
    return renamed


def assignments_csv(X, frame: Frame, columns=None) -> str:
    """:func:`assignments_table` as CSV text (header row, no index), ready to save or download."""
    return assignments_table(X, frame, columns).to_csv(index=False)


def run_record(config: TrainConfig, frames: Iterable[Frame], data: dict | None = None,
               y_true=None, epochs: list[dict] | None = None) -> dict:
    """Everything needed to describe and reproduce a run, as plain JSON-ready values.

    Parameters
    ----------
    config : TrainConfig
        The configuration the run used.
    frames : iterable of Frame
        Every frame of the run, in order (at least one).
    data : dict, optional
        How the data was made, as the caller knows it: dataset name or CSV file name,
        n_samples, noise, seed. Stored as given.
    y_true : array-like of shape (n_samples,), optional
        True labels; when given, every epoch and the final entry gain "ari" and "nmi".
    epochs : list of dict, optional
        The per-epoch rows, already made (``Frame.metrics()`` plus "ari"/"nmi"), by a viewer
        that keeps metrics but not every frame; ``frames`` then needs only the last frame.

    Returns
    -------
    dict
        Keys "gankmeans_version", "config", "data", "epochs" (``Frame.metrics()`` per frame)
        and "final" (the last epoch's summary). NaN and infinities (the losses after handover)
        are None, so ``json.dumps(..., allow_nan=False)`` accepts it.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("no frames to record; a run yields at least one frame")
    if y_true is not None and len(y_true) != len(frames[-1].labels):
        raise ValueError(f"y_true has {len(y_true)} labels but the run has {len(frames[-1].labels)} "
                         "points; pass the true labels of the training data")
    if epochs is None:
        epochs = [{**frame.metrics(), **external_scores(y_true, frame.labels)} for frame in frames]
    final = {key: epochs[-1][key] for key in FINAL_KEYS}
    final.update(external_scores(y_true, frames[-1].labels))
    record = {
        "gankmeans_version": __version__,
        "config": config.to_dict(),
        "data": data,
        "epochs": epochs,
        "final": final,
    }
    return _json_ready(record)


def run_json(config: TrainConfig, frames: Iterable[Frame], data: dict | None = None,
             y_true=None, epochs: list[dict] | None = None) -> str:
    """:func:`run_record` as strict JSON text (indented; NaN written as null)."""
    return json.dumps(run_record(config, frames, data, y_true, epochs), indent=2, allow_nan=False)


def _json_ready(value):
    """Plain Python values only: numpy scalars and arrays unwrapped, non-finite floats as None."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_ready(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def replay_html(X, frames: Sequence[Frame], columns=None, random_state: int | None = 0, y_true=None,
                title: str = "GANKMeans replay", max_epochs: int | None = None) -> str:
    """The run's replay as one standalone HTML page, drawn by the app's own player, offline.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the run was trained on; more than 2 features are drawn through their 2-D PCA
        projection, labelled as such.
    frames : sequence of Frame
        Every frame of the run (at most ``player.REPLAY_FRAMES``, evenly spread, are kept).
    columns : list of str, optional
        Feature names, for the axis titles.
    random_state : int or None
        Seed of the projection and of the sample of points drawn.
    y_true : array-like, optional
        True labels: every epoch then shows its ARI and NMI.
    title : str
        The page's heading: name the data set and the settings.
    max_epochs : int, optional
        The run's limit, for its progress line.

    Returns
    -------
    str
        The page, with plotly.js and the player inlined: it requests nothing from any network.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("no frames to replay; train for at least one epoch")
    X = validate_data(X)
    X2, x_title, y_title = project_2d(X, random_state=random_state, names=columns)
    sample = plotting.display_sample(len(X), random_state=random_state)
    rows = [{**frame.metrics(), **external_scores(y_true, frame.labels)} for frame in frames]
    return page.run_page(X2, frames, sample, (x_title, y_title), rows=rows, title=title,
                         max_epochs=max_epochs, y_true_known=y_true is not None)


def figure_html(figure) -> str:
    """A Plotly figure (a sweep's plot) as one HTML page with plotly.js embedded: works offline."""
    return figure.to_html(include_plotlyjs=True, full_html=True)
