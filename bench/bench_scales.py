"""Sequences whose scale varies by orders of magnitude: standardize=True against "sequence", in one run.

Prints, on sktime's bundled datasets (``pip install -e ".[cpu,recipes]"``; official
train/test splits; variable-length ones as lists of arrays), the test accuracy of
``SequenceClassifier(random_state=0)`` with the default ``standardize=True`` (one
training mean and variance a feature) and with ``standardize="sequence"`` (each sequence
by its own), whether the default warned that the sequences' spreads differ, and, beside
them, 1-nearest-neighbour on the zero-padded series and the majority class. PLAID's
currents differ in scale by orders of magnitude (the default's warning gives the ratio); the
others show what the option costs where scale is not the problem, or is the signal.

Run: ``python bench/bench_scales.py`` (``--quick``: PLAID's first 100 training series, 2 epochs).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

DATASETS = ("plaid", "japanese_vowels", "gunpoint", "italy_power_demand")


def load(name: str):
    """(X_train, y_train, X_test, y_test), X as lists of (steps, channels) arrays."""
    import sktime.datasets

    loader = getattr(sktime.datasets, f"load_{name}")
    out = []
    for split in ("train", "test"):
        X, y = loader(split=split, return_X_y=True, return_type="df-list")
        out += [[np.asarray(frame, dtype=float) for frame in X], np.asarray(y)]
    return out


def padded(X: list, steps: int) -> np.ndarray:
    return np.stack([np.pad(x, ((0, steps - len(x)), (0, 0))).ravel() for x in X])


def row(name: str, quick: bool) -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neighbors import KNeighborsClassifier

    from seqtune import SequenceClassifier

    X, y, X_test, y_test = load(name)
    if quick:
        X, y = X[:100], y[:100]
    result = {"dataset": name, "train": len(X), "steps": f"{min(map(len, X))}-{max(map(len, X))}"}
    for label, standardize in (("True", True), ("sequence", "sequence")):
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = SequenceClassifier(standardize=standardize, random_state=0,
                                       **({"epochs": 2} if quick else {})).fit(X, y)
        result[label] = model.score(X_test, y_test)
        result[f"{label} s"] = time.perf_counter() - start
        if standardize is True:
            result["warned"] = any("spreads differ" in str(w.message) for w in caught)
    steps = max(map(len, X + X_test))
    result["1-NN"] = KNeighborsClassifier(1).fit(padded(X, steps), y).score(padded(X_test, steps), y_test)
    labels, counts = np.unique(y, return_counts=True)
    result["majority"] = float(np.mean(y_test == labels[np.argmax(counts)]))
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="PLAID only, 100 series, 2 epochs: a smoke run")
    args = parser.parse_args(argv)
    names = DATASETS[:1] if args.quick else DATASETS
    print("test accuracy, official splits; standardize=True (default) against 'sequence'")
    header = (f"{'dataset':<20}{'train':>6}{'steps':>10}{'True':>8}{'sequence':>10}{'warned':>8}"
              f"{'1-NN':>8}{'majority':>10}{'True s':>8}{'seq s':>7}")
    print(header)
    for name in names:
        r = row(name, args.quick)
        print(f"{r['dataset']:<20}{r['train']:>6}{r['steps']:>10}{r['True']:>8.3f}{r['sequence']:>10.3f}"
              f"{'yes' if r['warned'] else 'no':>8}{r['1-NN']:>8.3f}{r['majority']:>10.3f}"
              f"{r['True s']:>8.0f}{r['sequence s']:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
