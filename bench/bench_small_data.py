"""Small data: seqtune's defaults against a fixed 50 epochs, and the cost of an epoch, in one run.

On a few dozen sequences an epoch is one or two gradient steps, so a budget counted in
epochs trains too little, and Keras' fixed cost per epoch (a new data iterator for the
training and the validation data) is most of the time. Prints, on sktime's bundled
classification datasets (``pip install -e ".[cpu,recipes]"``; official train/test splits):

* test accuracy of ``SequenceClassifier(random_state=0)`` (``epochs="auto"``: at least
  1,000 gradient steps) against the same with ``epochs=50`` (the default before) and with
  ``pooling="max"`` (the head reads the maximum over the steps, not the last state), beside
  1-nearest-neighbour and logistic regression on the flattened series;
* seconds an epoch of the same fit with seqtune's repeating ``tf.data`` pipeline against
  plain arrays handed to Keras (``batching.REPEAT_MAX_BYTES = 0``), TensorFlow backend.

Run: ``python bench/bench_small_data.py`` (``--quick``: one dataset, fewer epochs).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

DATASETS = ("unit_test", "gunpoint", "arrow_head", "italy_power_demand", "basic_motions")


def load(name: str):
    """(X_train, y_train, X_test, y_test), X as (n, steps, channels) floats."""
    import sktime.datasets

    loader = getattr(sktime.datasets, f"load_{name}")
    out = []
    for split in ("train", "test"):
        X, y = loader(split=split, return_X_y=True, return_type="numpy3D")
        out += [np.transpose(X, (0, 2, 1)).astype(float), np.asarray(y)]
    return out


def accuracy_row(name: str, quick: bool) -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from seqtune import SequenceClassifier

    X, y, X_test, y_test = load(name)
    row = {"dataset": name, "train": len(X), "steps": X.shape[1], "channels": X.shape[2]}
    fits = (("auto", {}), ("50 epochs", {"epochs": 50}), ("max pool", {"pooling": "max"}))
    for label, params in fits:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the fixed budget warns, as it should
            clf = SequenceClassifier(**{**params, **({"epochs": 2} if quick else {})}, random_state=0).fit(X, y)
        row[label] = clf.score(X_test, y_test)
        row[f"{label} epochs"] = clf.n_iter_
        row[f"{label} s"] = time.perf_counter() - start
    flat, flat_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
    row["1-NN"] = KNeighborsClassifier(1).fit(flat, y).score(flat_test, y_test)
    row["logreg"] = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(flat, y).score(
        flat_test, y_test)
    return row


def seconds_an_epoch(name: str, epochs: int) -> tuple[float, float]:
    """Seconds an epoch with the repeating pipeline and with plain arrays (same fit otherwise)."""
    from seqtune import SequenceClassifier, batching

    X, y, _, _ = load(name)
    limit = batching.REPEAT_MAX_BYTES
    timings = []
    for repeat_max in (limit, 0):
        batching.REPEAT_MAX_BYTES = repeat_max
        try:
            clf = SequenceClassifier(epochs=1, early_stopping=False, jit_compile=False, random_state=0).fit(X, y)
            clf.set_params(epochs=epochs, warm_start=True)  # the first fit paid for tracing
            start = time.perf_counter()
            clf.fit(X, y)
            timings.append((time.perf_counter() - start) / epochs)
        finally:
            batching.REPEAT_MAX_BYTES = limit
    return timings[0], timings[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one dataset, 2 epochs: a smoke run")
    args = parser.parse_args(argv)
    import keras

    names = DATASETS[:1] if args.quick else DATASETS
    print(f"Keras backend: {keras.backend.backend()}")
    if keras.backend.backend() == "tensorflow":
        repeating, arrays = seconds_an_epoch(names[0], 5 if args.quick else 200)
        print(f"{names[0]}: seconds an epoch, repeating pipeline {repeating:.4f} | arrays to Keras {arrays:.4f}"
              f" -> {arrays / repeating:.2f}x faster")
    columns = ("dataset", "train", "steps", "channels", "auto", "auto epochs", "auto s", "50 epochs",
               "50 epochs s", "max pool", "1-NN", "logreg")
    print("\ntest accuracy (official splits); 'auto' = seqtune's defaults, '50 epochs' = epochs=50, "
          "'max pool' = pooling='max'")
    print("  ".join(f"{c:>11}" for c in columns))
    for name in names:
        row = accuracy_row(name, args.quick)
        print("  ".join(f"{row[c]:>11.4f}" if isinstance(row[c], float) and not c.endswith(" s")
                        else f"{row[c]:>11.1f}" if isinstance(row[c], float) else f"{row[c]:>11}"
                        for c in columns), flush=True)


if __name__ == "__main__":
    main()
