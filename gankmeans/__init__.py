"""GANKMeans: K-Means as the teacher, an adversarially trained neural network as the student."""

from . import datasets, metrics
from .config import TrainConfig
from .estimator import GANKMeans
from .frame import Frame
from .model import CompositeModel
from .sweep import sweep
from .training import DivergenceError, train

__all__ = [
    "CompositeModel",
    "Frame",
    "GANKMeans",
    "TrainConfig",
    "DivergenceError",
    "datasets",
    "metrics",
    "sweep",
    "train",
]
__version__ = "0.1.0"
