"""GANKMeans: K-Means as the teacher, an adversarially trained neural network as the student."""

from . import datasets, metrics
from .config import TrainConfig
from .estimator import GANKMeans
from .frame import Frame
from .model import CompositeModel
from .training import DivergenceError, train

# In reading order: docs/make_api.py documents these, in this order, in docs/api.md.
__all__ = [
    "TrainConfig",
    "train",
    "Frame",
    "GANKMeans",
    "datasets",
    "metrics",
    "CompositeModel",
    "DivergenceError",
]
__version__ = "0.1.0"
