"""seqtune: scikit-learn estimators over Keras LSTM/GRU stacks, with cost-aware tuning.

Public names are loaded on first use (PEP 562), so ``import seqtune`` and the
``seqtune`` command stay fast and TensorFlow is imported only when a model is built.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "SequenceClassifier": "seqtune.estimators",
    "SequenceRegressor": "seqtune.estimators",
    "SequenceForecaster": "seqtune.forecasting",
    "AutoSequenceClassifier": "seqtune.auto",
    "AutoSequenceRegressor": "seqtune.auto",
    "AutoSequenceForecaster": "seqtune.auto_forecasting",
    "load": "seqtune.persistence",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'seqtune' has no attribute {name!r}")


def __dir__():
    return __all__
