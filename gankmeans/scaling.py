"""Scaling: the units the teacher measures in (the data's own, or standardised) and those the networks see."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rms_spread(X) -> float:
    """The data's RMS spread: sqrt of the mean, over features, of each feature's variance.

    scikit-learn's KMeans scales its ``tol`` by the same mean variance. 1.0 when every feature
    is constant (nothing to measure against).
    """
    spread = float(np.sqrt(np.mean(np.var(np.asarray(X, dtype=np.float64), axis=0))))
    return spread if spread > 0 else 1.0


def feature_spreads(X) -> np.ndarray:
    """Each feature's standard deviation; 1.0 for a constant one, which is left as it is."""
    std = np.asarray(X, dtype=np.float64).std(0)
    return np.where(std > 0, std, 1.0)


def spread_ratio(X) -> float:
    """How many times the widest feature's spread is the narrowest's (constant features ignored).

    A large ratio means mixed units (wine: proline in the hundreds, hue near 1), where plain
    K-Means sees little but the widest feature.
    """
    std = np.asarray(X, dtype=np.float64).std(0)
    std = std[std > 0]
    return float(std.max() / std.min()) if len(std) else 1.0


@dataclass(frozen=True, eq=False)
class Scaling:
    """``x -> (x - mean) / scale``, feature by feature, fitted once on the training data.

    Parameters
    ----------
    mean : ndarray (n_features,)
    scale : ndarray (n_features,)
        Input units per scaled unit, every entry > 0.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def teacher(cls, X, standardize: bool = False) -> Scaling:
        """The teacher's units: X centred and divided by its RMS spread (``rms_spread``), after
        dividing each feature by its standard deviation when ``standardize``.

        Dividing every feature by the same number changes no nearest centroid, so K-Means in these
        units is K-Means on X (or on standardised X); and a margin or a tolerance measured in them
        means the same whatever the units of X. Centring keeps float32's precision where the
        points are, whatever their offset.
        """
        X = np.asarray(X, dtype=np.float64)
        per_feature = feature_spreads(X) if standardize else np.ones(X.shape[1])
        mean = X.mean(0)
        return cls(mean=mean, scale=per_feature * rms_spread((X - mean) / per_feature))

    @classmethod
    def standard(cls, X) -> Scaling:
        """Zero mean and unit variance per feature: what the networks see, whatever the teacher's units."""
        X = np.asarray(X, dtype=np.float64)
        return cls(mean=X.mean(0), scale=feature_spreads(X))

    def transform(self, X) -> np.ndarray:
        """Rows of X (input units) in scaled units, as float64."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale

    def inverse_transform(self, Z) -> np.ndarray:
        """Rows in scaled units back in input units, as float64."""
        return np.asarray(Z, dtype=np.float64) * self.scale + self.mean
