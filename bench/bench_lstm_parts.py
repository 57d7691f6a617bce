"""TensorFlow's LSTM op with the batch in parts side by side, against the whole batch in one op, in one run.

TensorFlow's fused LSTM op (``BlockLSTM``, what seqtune's LSTM runs on TensorFlow's CPU) runs a sequence's
steps on one thread; seqtune splits a batch into parts that TensorFlow's executor runs at once
(``seqtune/_tf_rnn.py``, ``batch_parts``). For each size this fits ``SequenceClassifier`` twice on the same
data, the sides alternating: as seqtune runs it, and with every batch in one op (what seqtune ran before),
and prints the steady-state epoch time of each and their ratio (whole / parts: above 1, the parts are
faster), with the parts a batch of the fit used and the training losses of both sides.

Data: random normal sequences (``--steps`` x 8 features), 3 classes; ``frame_length=1``, ``pooling="last"``,
no validation, so that the model is the LSTM and a softmax head. Sizes: every combination of ``--units``,
``--batch`` and ``--bidirectional``.

With ``--op-rows R ...`` it times the op alone instead (one op, forward and backward over ``--steps``
steps, LSTM(``--units``) on 8 features, median of 20 calls) for each number of rows ``R``: where Eigen
starts to spread each step's product over TensorFlow's intra-op threads, which ``--intra-op-threads 1``
(a separate run) turns off.

Run: ``python bench/bench_lstm_parts.py`` (``--quick``: tiny sizes, a smoke run).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _timing import epoch_timer  # the script's own folder is on sys.path


def fit(X, y, *, units: int, batch: int, bidirectional: bool, epochs: int, whole: bool) -> tuple[float, float]:
    """(median seconds of the epochs after the first, final training loss) of one fit."""

    from seqtune import SequenceClassifier, _tf_rnn

    timer = epoch_timer()
    rule = _tf_rnn.batch_parts
    if whole:  # every batch in one op
        _tf_rnn.batch_parts = lambda batch, features, units, side_by_side=1: (1, rule(batch, features, units)[1])
    try:
        clf = SequenceClassifier(cell="lstm", units=units, bidirectional=bidirectional, batch_size=batch,
                                 epochs=epochs, frame_length=1, pooling="last", early_stopping=False,
                                 callbacks=[timer], random_state=0).fit(X, y)
    finally:
        _tf_rnn.batch_parts = rule
    return statistics.median(timer.seconds[1:]), clf.history_["loss"][-1]


def op_times(rows: list[int], *, units: int, steps: int) -> None:
    """Print the op's forward and backward time for each number of rows, in one op."""
    import tensorflow as tf

    from seqtune import _tf_rnn

    rng = np.random.default_rng(0)
    weights = [tf.Variable(rng.normal(scale=0.3, size=shape).astype("float32"))
               for shape in ((8, 4 * units), (units, 4 * units), (4 * units,))]
    rule = _tf_rnn.batch_parts
    _tf_rnn.batch_parts = lambda batch, features, units, side_by_side=1: (1, 1)  # one op
    try:
        for n in rows:
            x = tf.constant(rng.normal(size=(n, steps, 8)).astype("float32"))
            zeros = tf.zeros((n, units))

            @tf.function
            def step():
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum(_tf_rnn.block_lstm(x, zeros, zeros, *weights)[0])
                return tape.gradient(loss, weights)

            for _ in range(3):
                step()
            times = []
            for _ in range(20):
                start = time.perf_counter()
                step()
                times.append(time.perf_counter() - start)
            product = n * (8 + units) * 4 * units
            print(f"{n:>5} rows | {product / 1e6:5.2f} million multiply-adds a step | "
                  f"{statistics.median(times) * 1e3:7.2f} ms", flush=True)
    finally:
        _tf_rnn.batch_parts = rule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--batch", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--bidirectional", choices=["no", "yes", "both"], default="both")
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="fits a side and size (their medians are printed)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--op-rows", type=int, nargs="+", metavar="R", help="time the op alone for R rows")
    parser.add_argument("--intra-op-threads", type=int, default=0,
                        help="TensorFlow's intra-op threads (0: its default)")
    args = parser.parse_args()
    if args.intra_op_threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.intra_op_threads)
    if args.op_rows:
        print(f"LSTM({args.units[0]}) on 8 features, {args.steps} steps, forward and backward in one op; "
              f"intra-op threads: {args.intra_op_threads or 'default'}")
        return op_times(args.op_rows, units=args.units[0], steps=args.steps)
    if args.quick:
        args.units, args.batch, args.samples, args.steps, args.epochs = [8], [16], 64, 10, 2

    import keras

    from seqtune import _tf_rnn

    if keras.backend.backend() != "tensorflow":
        raise SystemExit("bench_lstm_parts.py measures TensorFlow's LSTM op: run it on the TensorFlow backend")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.samples, args.steps, 8)).astype("float32")
    y = np.arange(args.samples) % 3
    directions = {"no": [False], "yes": [True], "both": [False, True]}[args.bidirectional]
    print(f"data: {args.samples} sequences x {args.steps} steps x 8 features, 3 classes; {args.epochs} epochs, "
          f"median of epochs 2..{args.epochs}; {args.repeat} fit(s) a side; TensorFlow's inter-op threads: "
          f"{_tf_rnn.inter_op_threads()}")
    print(f"{'units':>5} {'batch':>5} {'bi':>3} {'parts':>5} {'whole s':>8} {'parts s':>8} {'whole/parts':>11}"
          f" {'loss whole':>10} {'loss parts':>10}")
    for units, batch, bidirectional in itertools.product(args.units, args.batch, directions):
        runs = {"whole": [], "parts": []}
        for _ in range(args.repeat):
            for side in runs:
                runs[side].append(fit(X, y, units=units, batch=batch, bidirectional=bidirectional,
                                      epochs=args.epochs, whole=side == "whole"))
        (whole, loss_whole), (parts, loss_parts) = (
            (statistics.median(s for s, _ in r), r[-1][1]) for r in runs.values())
        n = _tf_rnn.batch_parts(batch, 8, units, 2 if bidirectional else 1)[0]
        print(f"{units:>5} {batch:>5} {'yes' if bidirectional else 'no':>3} {n:>5} {whole:>8.3f} {parts:>8.3f}"
              f" {whole / parts:>10.2f}x {loss_whole:>10.4f} {loss_parts:>10.4f}", flush=True)


if __name__ == "__main__":
    main()
