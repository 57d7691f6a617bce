"""Small and long series: seqtune's defaults against former defaults and simple baselines, in one run.

On a few dozen sequences an epoch is one or two gradient steps, so a budget counted in
epochs trains too little, and Keras' fixed cost per epoch (a new data iterator for the
training and the validation data) is most of the time; on series of hundreds of steps a
recurrent layer reading one value a step learns little. Prints, on sktime's bundled
datasets (``pip install -e ".[cpu,recipes]"``; official train/test splits):

* the test score (accuracy; R^2 for the regression dataset ``tecator``) of
  ``SequenceClassifier(random_state=0)`` / ``SequenceRegressor(random_state=0)`` with
  the defaults (``epochs="auto"``: at least 1,000 gradient steps; ``frame_length="auto"``:
  series over 64 steps read in about 32 frames), against the same with ``frame_length=1``
  (every step, the default before), with ``epochs=50`` (the default before that) and with
  ``pooling="max"`` (the head reads the maximum over the steps only; the default reads the final
  state, the maximum and the mean side by side: ``bench/bench_pooling.py`` compares them), beside
  1-nearest-neighbour and logistic (ridge) regression on the flattened series;
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

DATASETS = ("unit_test", "gunpoint", "arrow_head", "italy_power_demand", "basic_motions", "osuleaf", "acsf1",
            "tecator")
REGRESSION = ("tecator",)


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
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from seqtune import SequenceClassifier, SequenceRegressor

    X, y, X_test, y_test = load(name)
    regression = name in REGRESSION
    if regression:
        y, y_test = y.astype(float), y_test.astype(float)
    estimator = SequenceRegressor if regression else SequenceClassifier
    row = {"dataset": name, "train": len(X), "steps": X.shape[1], "channels": X.shape[2]}
    fits = (("auto", {}), ("no frames", {"frame_length": 1}), ("50 epochs", {"epochs": 50}),
            ("max pool", {"pooling": "max"}))
    for label, params in fits:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the fixed budget warns, as it should
            model = estimator(**{**params, **({"epochs": 2} if quick else {})}, random_state=0).fit(X, y)
        row[label] = model.score(X_test, y_test)
        row[f"{label} epochs"] = model.n_iter_
        row[f"{label} s"] = time.perf_counter() - start
        row.setdefault("frames", model.frame_length_)
    flat, flat_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
    neighbour = KNeighborsRegressor(1) if regression else KNeighborsClassifier(1)
    linear = Ridge() if regression else LogisticRegression(max_iter=5000)
    row["1-NN"] = neighbour.fit(flat, y).score(flat_test, y_test)
    row["linear"] = make_pipeline(StandardScaler(), linear).fit(flat, y).score(flat_test, y_test)
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
    columns = ("dataset", "train", "steps", "channels", "frames", "auto", "auto epochs", "auto s", "no frames",
               "no frames s", "50 epochs", "max pool", "1-NN", "linear")
    print("\ntest accuracy (R^2 for tecator), official splits; 'auto' = seqtune's defaults, 'frames' = the "
          "frame_length they chose, 'no frames' = frame_length=1, '50 epochs' = epochs=50, 'max pool' = "
          "pooling='max', 'linear' = logistic (ridge) regression")
    for name in names:
        row = accuracy_row(name, args.quick)
        print("  ".join(f"{row[c]:>11.4f}" if isinstance(row[c], float) and not c.endswith(" s")
                        else f"{row[c]:>11.1f}" if isinstance(row[c], float) else f"{row[c]:>11}"
                        for c in columns), flush=True)


if __name__ == "__main__":
    main()
