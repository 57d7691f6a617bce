"""Datasets that ship inside installed packages (no download at run time)."""

from __future__ import annotations

import numpy as np

DATASETS = {
    "digits": "8x8 handwritten digits read row by row: 1,797 sequences of 8 steps x 8 features, "
    "10 classes (ships with scikit-learn)",
}


def load_digits_sequences() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits as sequences: each image read top to bottom.

    Returns
    -------
    X : ndarray of shape (1797, 8, 8)
        Pixel intensities 0-16; step t is image row t.
    y : ndarray of shape (1797,)
        Digit 0-9.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data.reshape(-1, 8, 8).astype(np.float32), digits.target


def load(name: str):
    """Load a bundled dataset by name (see :data:`DATASETS`)."""
    loaders = {"digits": load_digits_sequences}
    if name not in loaders:
        raise ValueError(f"Unknown dataset {name!r}; available: {', '.join(sorted(loaders))}.")
    return loaders[name]()
