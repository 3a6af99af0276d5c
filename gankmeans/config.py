"""TrainConfig: every hyperparameter of a GANKMeans run, validated once when it is built."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from numbers import Integral, Real

DISCRIMINATORS = ("conditional", "label")
INITS = ("k-means++", "random")
DEVICES = ("auto", "cpu", "cuda")
TEACHER_SPACES = ("input", "learned")
MAX_CLUSTERS = 64


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run.

    Parameters
    ----------
    n_clusters : int
        K, the number of clusters (1 to 64).
    max_epochs : int
        Upper bound on epochs; a run may stop earlier (see ``tol``/``patience``).
    batch_size : int or "auto"
        Mini-batch size of the adversarial steps. ``"auto"`` uses 64, or ``n_samples / 16``
        when that is larger, so an epoch is at most 16 steps and costs O(N) with a small
        constant (a 100,000-point epoch would otherwise be 1,563 tiny steps).
    hidden : int
        Width of the student's first layer (the second is half of it) and of the
        discriminator's hidden layer.
    lr_student, lr_discriminator : float
        Adam learning rates, in (0, 10].
    discriminator : {"conditional", "label"}
        ``"conditional"`` judges (point, label) pairs; ``"label"`` judges the label alone, as in
        the seed, which can only teach the student the label histogram.
    tie_margin : float
        The teacher abstains where the two nearest centroids' distances differ by at most this
        many times the data's RMS spread, sqrt(mean over features of the variance), measured
        where the teacher measures. 0 means exact ties only (up to float rounding).
    teacher_weight : float
        Weight of an extra cross-entropy loss towards the teacher's labels; 0 is a pure GAN.
    handover : "never", "auto" or int
        When the student takes over alone: never, at that epoch, or once agreement has stayed
        at or above ``handover_agreement`` for ``patience`` epochs.
    handover_agreement : float
        Agreement (0 to 1) that ``handover="auto"`` waits for.
    tol, patience : float, int
        Stop once every centroid moved less than ``tol`` times the data's RMS spread (as for
        ``tie_margin``) for ``patience`` epochs in a row. ``tol=0`` never stops early.
    init : {"k-means++", "random"}
        Initial centroids. ``"k-means++"`` is scikit-learn's, seeded with ``random_state``: the
        teacher starts where ``KMeans(n_init=1, random_state=same)`` does. ``"random"`` picks K
        data points, as the seed does.
    standardize : bool
        False (the default): the teacher is K-Means on X as given, distances in the data's own
        units. True: each feature is first divided by its standard deviation, for columns in
        different units (wine: proline in the hundreds, hue near 1). The networks see
        standardised inputs either way; centroids and frames are in the input's units.
    teacher_space : {"input", "learned"}
        Where the teacher measures distance. ``"input"`` (the seed's behaviour): the input itself
        (standardised with ``standardize``). ``"learned"``: the space of an encoder trained so
        that nearest neighbours in the input land close together (a learned spectral
        embedding, after SpectralNet); the teacher's labels, abstentions and centroids then live
        in that space, and the student labels points from it. It separates shapes a distance
        cannot (moons, circles).
    n_neighbors : int
        Learned mode: neighbours per point in the graph the encoder learns from (1 to 1,000),
        found where the teacher measures in input mode (standardised with ``standardize``).
        A value of ``n_samples`` or more is clamped to ``n_samples - 1`` (all other points).
    embedding_dim : int or None
        Learned mode: dimension of the teacher's space (1 to 256). None means
        ``max(n_clusters - 1, 1)``: K well-separated groups span K - 1 directions once the
        constant one is removed, and each extra direction, whitened to unit variance like the
        others, only adds noise for K-Means.
    random_state : int or None
        Seed of every random choice; None draws fresh entropy.
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` uses CUDA when it is available.
    """

    n_clusters: int = 4
    max_epochs: int = 100
    batch_size: int | str = "auto"
    hidden: int = 32
    lr_student: float = 3e-3
    lr_discriminator: float = 3e-3
    discriminator: str = "conditional"
    tie_margin: float = 0.0
    teacher_weight: float = 0.0
    handover: str | int = "never"
    handover_agreement: float = 0.99
    tol: float = 1e-4
    patience: int = 10
    init: str = "k-means++"
    standardize: bool = False
    teacher_space: str = "input"
    n_neighbors: int = 10
    embedding_dim: int | None = None
    random_state: int | None = 0
    device: str = "auto"

    def __post_init__(self):
        _check_int("n_clusters", self.n_clusters, 1, MAX_CLUSTERS)
        _check_int("max_epochs", self.max_epochs, 1, 100_000)
        if self.batch_size != "auto":
            _check_int("batch_size", self.batch_size, 1, 1_000_000, extra='or "auto"')
        _check_int("hidden", self.hidden, 2, 4096)
        _check_real("lr_student", self.lr_student, 0, 10, low_open=True)
        _check_real("lr_discriminator", self.lr_discriminator, 0, 10, low_open=True)
        _check_choice("discriminator", self.discriminator, DISCRIMINATORS)
        _check_real("tie_margin", self.tie_margin, 0, 100)
        _check_real("teacher_weight", self.teacher_weight, 0, 1000)
        if self.handover not in ("never", "auto"):
            _check_int("handover", self.handover, 1, 100_000, extra='or "never" or "auto"')
        _check_real("handover_agreement", self.handover_agreement, 0, 1)
        _check_real("tol", self.tol, 0, 100)
        _check_int("patience", self.patience, 1, 100_000)
        _check_choice("init", self.init, INITS)
        if not isinstance(self.standardize, bool):
            raise ValueError(f"standardize={self.standardize!r} is not allowed: expected True or False.")
        _check_choice("teacher_space", self.teacher_space, TEACHER_SPACES)
        _check_int("n_neighbors", self.n_neighbors, 1, 1000)
        if self.embedding_dim is not None:
            _check_int("embedding_dim", self.embedding_dim, 1, 256, extra="or None")
        if self.random_state is not None:
            _check_int("random_state", self.random_state, 0, 2**32 - 1, extra="or None")
        _check_choice("device", self.device, DEVICES)

    @property
    def embedding_size(self) -> int:
        """The learned space's dimension: ``embedding_dim``, or its default."""
        return self.embedding_dim if self.embedding_dim is not None else max(self.n_clusters - 1, 1)

    def to_dict(self) -> dict:
        """Plain dict of every field, for JSON and URLs."""
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Every field's name, in order (the keyword arguments of ``TrainConfig`` and ``GANKMeans``)."""
        return tuple(f.name for f in fields(cls))


def is_integer(value) -> bool:
    """True for an integer of any kind (Python's, numpy's), False for a bool, which is an Integral too."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def _check_int(name, value, low, high, extra=""):
    if not is_integer(value) or not low <= value <= high:
        allowed = f"an integer from {low} to {high}" + (f" {extra}" if extra else "")
        raise ValueError(f"{name}={value!r} is not allowed: expected {allowed}.")


def _check_real(name, value, low, high, low_open=False):
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (low < value if low_open else low <= value) and value <= high
    if not ok:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name}={value!r} is not allowed: expected a number in {bracket}{low}, {high}].")


def _check_choice(name, value, choices):
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r} is not allowed: expected one of {options}.")
