"""Large-batch prediction: seqtune's compiled inference pass and rows a call, measured in one run.

For LSTM classifiers of four sizes (steps x units: 100 x 64, 30 x 32 and 200 x 128 on 8,192 new
sequences, and a tiny 50 x 8 on 20,000; 8 features, ``frame_length=1``, trained one epoch on 300
sequences: the weights do not matter here), times ``predict_proba`` four ways, each on a fresh copy
of the fitted estimator (nothing traced or compiled yet):

* ``op, 256 a call``: TensorFlow's fused LSTM op, 256 rows a call (seqtune before the compiled pass);
* ``op``: the fused op, with seqtune's rows a call (``seqtune._inference.batch_predictor``);
* ``compiled``: the XLA-compiled pass of Keras' loop over the same weights from the first batch;
* ``seqtune``: seqtune's own choice (the op's time on the network's large predictions decides), and
  whether it had compiled by the last call;

and a GRU classifier (100 x 64, XLA-compiled, as seqtune fits a GRU on more data) at 256 rows a call
and at seqtune's. For each it prints the first call (tracing or compiling included) and the best of
three later calls, the speed-ups, where the compiled pass's first call breaks even with the op's
(rows x steps), and seqtune's first call against the op's: the figures behind the rule in
``seqtune/_inference.py``. Needs TensorFlow's backend (the default).

Run: ``python bench/bench_predict.py`` (``--quick``: one tiny size, for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from functools import partial

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def first_and_best(call, repeat: int):
    """Seconds of the first call and the best of ``repeat`` later ones."""
    first = timed(call)
    return first, min(timed(call) for _ in range(repeat))


def fitted(cell: str, steps: int, units: int, rng, jit_compile="auto"):
    from seqtune import SequenceClassifier

    X = rng.normal(size=(300, steps, 8)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    return SequenceClassifier(cell=cell, units=units, epochs=1, frame_length=1, pooling="last", jit_compile=jit_compile,
                              random_state=0).fit(X, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one tiny size, for a smoke run")
    args = parser.parse_args()

    import warnings

    import keras

    from seqtune import _inference

    if keras.backend.backend() != "tensorflow":
        raise SystemExit("bench_predict.py measures TensorFlow's fused LSTM op: run it on the TensorFlow backend")
    warnings.filterwarnings("ignore", message=".*undertrained")
    rng = np.random.default_rng(0)
    # (steps, units, rows): a tiny network last, on enough rows to reach seqtune's threshold
    sizes = [(10, 4, 512)] if args.quick else [(100, 64, 8192), (30, 32, 8192), (200, 128, 8192), (50, 8, 20000)]
    repeat = 1 if args.quick else 3
    defaults = _inference.XLA_PREDICT_MIN_WORK, _inference.MAX_CHUNK_ROWS, _inference.MIN_CHUNK_ROWS

    def configure(compiled: bool, max_rows: int):
        _inference.XLA_PREDICT_MIN_WORK = 0 if compiled else float("inf")
        _inference.MAX_CHUNK_ROWS = max_rows
        _inference.MIN_CHUNK_ROWS = min(defaults[2], max_rows)

    def fresh(clf, compiled: bool = False):
        """A copy of the fitted estimator with nothing traced, compiled or timed yet (its network new)."""
        copy = pickle.loads(pickle.dumps(clf))
        if compiled:  # as if the op had been timed very slow: the compiled pass from the first batch
            _inference._op_records[copy.model_] = _inference._OpRecord(seconds_per_step=1.0)
        return copy

    print(f"predict_proba on sequences of 8 features; first call (tracing/compiling included) | best of {repeat} "
          "later; each way on a fresh copy of the fitted estimator")
    for steps, units, rows in sizes:
        clf, X = fitted("lstm", steps, units, rng), rng.normal(size=(rows, steps, 8)).astype("float32")
        times = {}
        for name, compiled, max_rows in (("op, 256 a call", False, 256), ("op", False, defaults[1]),
                                         ("compiled", True, defaults[1]), ("seqtune", None, defaults[1])):
            if compiled is None:  # seqtune's own choice
                _inference.XLA_PREDICT_MIN_WORK, _inference.MAX_CHUNK_ROWS, _inference.MIN_CHUNK_ROWS = defaults
            else:
                configure(compiled, max_rows)
            copy = fresh(clf, bool(compiled))
            times[name] = first_and_best(partial(copy.predict_proba, X), repeat)
            first, best = times[name]
            chose = f" ({'compiled by the last call' if copy.model_ in _inference._compiled_forwards else 'op throughout'})"
            print(f"LSTM({units}) x {steps} steps, {rows} rows  {name:15s} first {first:6.2f} s | {rows / best:9,.0f} "
                  f"rows/s{chose if compiled is None else ''}")
        (op_first, op_best), (xla_first, xla_best) = times["op"], times["compiled"]
        gain = (op_best - xla_best) / rows  # seconds a row the compiled pass saves
        extra = (xla_first - xla_best) - (op_first - op_best)  # compiling, beyond tracing the op
        # rows where the first calls take the same time (0: compiling costs no more than tracing the op)
        even = max(0.0, extra / gain) if gain > 0 else float("inf")
        print(f"     rows a call: op {times['op, 256 a call'][1] / op_best:.2f}x faster than 256 | compiled / op = "
              f"{op_best / xla_best:.2f}x | compiling costs {extra:.2f} s more than tracing the op | "
              f"compiled first call breaks even at {even * steps:,.0f} rows x steps "
              f"(the op's time there {even * op_best / rows:.2f} s) | "
              f"seqtune's first call / op's = {times['seqtune'][0] / op_first:.2f}x")

    steps, units, rows = sizes[0]
    # XLA-compiled, as seqtune compiles a GRU fit of more data than this one
    clf, X = fitted("gru", steps, units, rng, jit_compile=True), rng.normal(size=(rows, steps, 8)).astype("float32")
    gru = {}
    for name, max_rows in (("256 a call", 256), ("seqtune", defaults[1])):
        configure(False, max_rows)
        gru[name] = first_and_best(partial(clf.predict_proba, X), repeat)[1]
        print(f"GRU({units}) x {steps} steps (XLA: {bool(clf.model_.jit_compile)})  {name:10s} "
              f"{rows / gru[name]:9,.0f} rows/s")
    print(f"     rows a call: {gru['256 a call'] / gru['seqtune']:.2f}x faster than 256")
    _inference.XLA_PREDICT_MIN_WORK, _inference.MAX_CHUNK_ROWS, _inference.MIN_CHUNK_ROWS = defaults


if __name__ == "__main__":
    main()
