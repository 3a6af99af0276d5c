"""GANKMeans: K-Means as the teacher, an adversarially trained neural network as the student."""

import importlib

# Each public name and the module that defines it, imported on first use (PEP 562): the app's
# server reads frames and data sets, and must not wait for torch (1.3 s) on its first page.
_LAZY = {
    "CompositeModel": "model",
    "DivergenceError": "training",
    "Frame": "frame",
    "GANKMeans": "estimator",
    "TrainConfig": "config",
    "datasets": None,
    "metrics": None,
    "sweep": "sweeps",
    "train": "training",
}

# In reading order: docs/make_api.py documents these, in this order, in docs/api.md.
__all__ = [
    "TrainConfig",
    "train",
    "Frame",
    "GANKMeans",
    "datasets",
    "metrics",
    "sweep",
    "CompositeModel",
    "DivergenceError",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'gankmeans' has no attribute {name!r}")
    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    value = module if _LAZY[name] is None else getattr(module, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted([*globals(), *_LAZY])
