"""How much a CSV file's row index leaks into a clustering, and what datasets.read_csv leaves out:
plain K-Means ARI on real data sets written by pandas, with and without their index column.

Run: python benchmarks/bench_index_leak.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, uninstalled
from gankmeans import datasets  # noqa: E402

SETS = {"iris": skd.load_iris, "wine": skd.load_wine, "digits": skd.load_digits,
        "breast_cancer": skd.load_breast_cancer}
# How the files are written: as they come (sorted by class for iris and wine), or shuffled first,
# numbered before (the row numbers still tell the order by class) or after the shuffle.
WRITERS = {
    "df.to_csv()": lambda df: df.to_csv(),
    "shuffled, then df.to_csv()": lambda df: df.sample(frac=1, random_state=0).to_csv(),
    "shuffled, reset_index, to_csv": lambda df: df.sample(frac=1, random_state=0).reset_index(drop=True)
    .to_csv(),
}


SEEDS = range(10)


def kmeans_ari(X, y, seed=0) -> float:
    """Plain K-Means on standardised features, as the app's comparison panel and the CLI run it."""
    model = KMeans(len(np.unique(y)), n_init="auto", random_state=seed)
    labels = model.fit_predict(StandardScaler().fit_transform(X))
    return adjusted_rand_score(y, labels)


def aris(X, y) -> str:
    """ARI at seed 0 (as the app and the CLI run it by default) and its mean over SEEDS: K-Means with
    one k-means++ start lands in different optima with the seed, and with the order of the rows."""
    return f"{kmeans_ari(X, y):.3f} | {np.mean([kmeans_ari(X, y, seed) for seed in SEEDS]):.3f}"


def leak_rows() -> list[str]:
    rows = []
    for name, loader in SETS.items():
        bunch = loader(as_frame=True)
        for writer, write in WRITERS.items():
            text = write(bunch.frame).encode()
            found = datasets.csv_columns(text)
            default = datasets.read_csv(text, label_column="target")
            kept = datasets.read_csv(text, label_column="target", keep_columns=list(found.identifiers))
            rows.append(f"| {name} | {writer} | {', '.join(default.left_out) or '-'} | "
                        f"{default.X.shape[1]} of {bunch.data.shape[1]} | {aris(kept.X, kept.y)} | "
                        f"{aris(default.X, default.y)} |")
    return rows


def integer_column_rows() -> list[str]:
    """Which real features the value rules could touch: whole-number columns, their distinct counts."""
    frames = {name: loader(as_frame=True).data for name, loader in SETS.items()}
    frames["diabetes (raw)"] = skd.load_diabetes(scaled=False, as_frame=True).data
    linnerud = skd.load_linnerud(as_frame=True)
    frames["linnerud"] = pd.concat([linnerud.data, linnerud.target], axis=1)
    rows = []
    for name, frame in frames.items():
        whole = [c for c in frame if (frame[c] == frame[c].round()).all()]
        distinct = [c for c in whole if frame[c].nunique() == len(frame)]
        left_out = datasets.csv_columns(frame.to_csv(index=False).encode()).identifiers
        rows.append(f"| {name} | {len(frame)} | {frame.shape[1]} | {len(whole)} | {len(distinct)} | "
                    f"{len(left_out)} |")
    return rows


def distinct_feature_rows(n_rows=150, trials=2_000) -> list[str]:
    """How often a genuine whole-number feature has a different value in every row (simulated)."""
    rng = np.random.default_rng(0)
    rows = []
    for what, low, high in (("age in years", 18, 90), ("size in m² (house)", 40, 400),
                            ("income in dollars", 20_000, 200_000), ("price in cents", 100, 10_000_000)):
        share = np.mean([len(np.unique(rng.integers(low, high, n_rows))) == n_rows for _ in range(trials)])
        rows.append(f"| {what} | {low:,}..{high:,} | {share:.1%} |")
    return rows


def main() -> None:
    print(f"K-Means ARI (standardised features; seed 0, and the mean over seeds 0-{SEEDS[-1]}) with the "
          "index columns kept, and as read_csv reads the file by default:\n")
    print("| data set | written as | left out | features kept | ARI, index kept, seed 0 | mean | "
          "ARI, default, seed 0 | mean |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(leak_rows()))
    print("\nReal features that a values rule could touch (whole numbers in every row):\n")
    print("| data set | rows | features | whole-number features | of them distinct in every row | "
          "left out by read_csv |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(integer_column_rows()))
    print("\nA genuine whole-number feature with a different value in each of 150 rows (uniform draws, "
          "2,000 trials): what a rule 'every value distinct' would wrongly leave out\n")
    print("| feature | range | share of files with every value distinct |")
    print("|---|---|---:|")
    print("\n".join(distinct_feature_rows()))


if __name__ == "__main__":
    main()
