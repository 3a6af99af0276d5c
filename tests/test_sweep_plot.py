"""sweep_summary and sweep_figure: the mean and spread over seeds, drawn against the swept value."""

import math

import pandas as pd
import pytest

from gankmeans.sweep_plot import sweep_figure, sweep_summary
from gankmeans.sweeps import sweep_table


def _table(parameter, values, seeds=(0, 1), labels=True):
    """A sweep table with made-up metrics: run i has inertia 100 - i and silhouette i / 10."""
    rows = []
    for i, (value, seed) in enumerate((v, s) for v in values for s in seeds):
        row = {"parameter": parameter, "value": value, "seed": seed, "epochs": 10 + i, "ended": "converged",
               "inertia": 100.0 - i, "silhouette": i / 10, "agreement": 0.9, "student_share": 0.1,
               "wall_time_s": 0.5}
        rows.append({**row, "ari": i / 20, "nmi": i / 30} if labels else row)
    return sweep_table(rows)


def test_summary_has_mean_min_max_per_value_in_the_sweeps_order():
    summary = sweep_summary(_table("handover", ["never", 20, "auto", "20"]))
    assert list(summary.index) == ["never", 20, "auto", "20"]  # 20 and "20" stay apart, unsorted
    assert summary.loc[20, ("silhouette", "mean")] == pytest.approx(0.25)
    assert summary.loc[20, ("silhouette", "min")] == pytest.approx(0.2)
    assert summary.loc[20, ("silhouette", "max")] == pytest.approx(0.3)
    assert list(summary[("runs", "count")]) == [2, 2, 2, 2]


def test_summary_keeps_a_none_value_and_skips_missing_metrics_of_a_diverged_run():
    table = _table("embedding_dim", [None, 2])
    assert table["value"].tolist() == [None, None, 2, 2]
    table.loc[1, "inertia"] = math.nan  # the second seed of None diverged in its first epoch
    summary = sweep_summary(table)
    assert list(summary.index) == [None, 2]
    assert summary.loc[None, ("inertia", "mean")] == 100.0


def _panels(figure):
    return [a.text for a in figure.layout.annotations]


def test_a_k_sweep_draws_the_elbow_and_the_silhouette_first():
    figure = sweep_figure(_table("n_clusters", [2, 3, 4, 5]))
    assert _panels(figure)[:2] == ["Inertia (the elbow: where it stops falling fast)",
                                   "Silhouette (higher: tighter, better separated)"]
    assert len(figure.data) == 8  # every metric, ARI and NMI included
    elbow = figure.data[0]
    assert list(elbow.x) == [2, 3, 4, 5] and list(elbow.y) == [99.5, 97.5, 95.5, 93.5]
    assert list(elbow.error_y.array) == [0.5] * 4 and list(elbow.error_y.arrayminus) == [0.5] * 4
    assert figure.layout.xaxis.tickvals == (2, 3, 4, 5) and figure.layout.xaxis.type == "linear"


def test_other_sweeps_lead_with_the_truth_and_learning_rates_go_on_a_log_axis():
    figure = sweep_figure(_table("lr_student", [1e-4, 1e-3, 1e-2]))
    assert _panels(figure)[0] == "ARI against the true labels"
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.xaxis.ticktext == ("0.0001", "0.001", "0.01")
    assert "over 2 seeds" in figure.layout.title.text


def test_without_labels_there_is_no_ari_panel():
    figure = sweep_figure(_table("tie_margin", [0.0, 0.5], seeds=(0,), labels=False))
    assert not any("ARI" in text or "NMI" in text for text in _panels(figure))
    assert "(bars" not in figure.layout.title.text  # one seed: no spread to draw


def test_choices_are_unjoined_categories_in_the_sweeps_order():
    figure = sweep_figure(_table("handover", ["never", 20, "auto"]), metrics=["agreement"])
    assert figure.layout.xaxis.type == "category"
    assert figure.layout.xaxis.categoryarray == ("never", "20", "auto")
    assert figure.data[0].mode == "markers"


def test_an_empty_table_or_an_unknown_metric_is_a_clear_error():
    with pytest.raises(ValueError, match="no rows"):
        sweep_figure(pd.DataFrame(columns=["parameter", "value", "seed"]))
    with pytest.raises(ValueError, match="no column 'speed'"):
        sweep_figure(_table("hidden", [8, 16]), metrics=["speed"])


def test_the_lesson_sweep_k_2_to_10_over_3_seeds_has_a_point_per_k_in_every_panel():
    figure = sweep_figure(_table("n_clusters", list(range(2, 11)), seeds=(0, 1, 2)))
    assert [len(trace.x) for trace in figure.data] == [9] * 8
    assert "over 3 seeds" in figure.layout.title.text
    assert figure.layout.height >= 4 * 250  # four rows of two panels, none squeezed
