"""seqtune's estimator overhead against a hand-written Keras model, measured in one run.

Prints, for the same architecture, data and number of epochs (seqtune with
``frame_length=1`` and ``pooling="last"``, so that its recurrent layer reads every step and
its head the final state, as the hand-written model does):

* fit time of ``SequenceClassifier`` vs a hand-written Keras model compiled with
  Keras' defaults (what a user writes) and vs the same model with ``jit_compile=True``
  (to separate seqtune's wrapper overhead from its compile choice);
* the same for a tiny fit (96 sequences x 6 steps, 2 epochs: the size of a test or of an
  early search trial, where tracing the train step is most of the time), and seqtune
  without building the optimizer's and metrics' variables before ``fit`` (Keras then
  creates them inside the first trace, and TensorFlow traces the train step twice);
* one-sample prediction latency of ``predict`` vs Keras ``model.predict``;
* large-batch prediction throughput vs ``model.predict`` and an XLA-compiled Keras model, and
  seqtune's with its XLA-compiled inference pass turned off (for an LSTM on TensorFlow: the
  fused op, ``seqtune/_inference.py``).

Run: ``python bench/bench_core.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def hand_written(cell: str, units: int, n_features: int, n_classes: int, jit: bool):
    import keras

    rnn = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    inputs = keras.Input((None, n_features))
    x = keras.layers.Normalization(axis=-1)(inputs)
    x = rnn(units)(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  jit_compile=jit)
    return model


def tiny_fits(cell: str, repeat: int) -> dict:
    """Median seconds of a tiny fit: seqtune, seqtune without pre-built training state, hand-written Keras."""
    import seqtune._training as training
    from seqtune import SequenceClassifier

    rng = np.random.default_rng(1)
    X = rng.normal(size=(96, 6, 2)).astype("float32")
    y = rng.integers(0, 3, size=96)

    def seqtune_fit():
        SequenceClassifier(cell=cell, units=4, epochs=2, batch_size=16, early_stopping=False,
                           validation_fraction=0.0, frame_length=1, pooling="last", random_state=0).fit(X, y)

    def seqtune_unbuilt():
        prebuild = training.build_before_tracing
        training.build_before_tracing = lambda model, fit_args: None
        try:
            seqtune_fit()
        finally:
            training.build_before_tracing = prebuild

    def keras_fit():
        model = hand_written(cell, 4, 2, 3, False)
        model.layers[1].adapt(X)
        model.fit(X, y, batch_size=16, epochs=2, verbose=0)

    sides = {"seqtune": seqtune_fit, "seqtune, not pre-built": seqtune_unbuilt, "Keras default": keras_fit}
    times = {name: [] for name in sides}
    for _ in range(repeat):  # the sides alternate, so the machine's drift falls on all three
        for name, fit in sides.items():
            times[name].append(median_seconds(fit, 1))
    return {name: statistics.median(t) for name, t in times.items()}


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    parser.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    args = parser.parse_args(argv)
    n, t, f, units, epochs = (256, 20, 4, 16, 1) if args.quick else (4096, 100, 8, 64, 3)
    n_classes, batch = 3, 64
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, t, f)).astype("float32")
    y = rng.integers(0, n_classes, size=n)

    from seqtune import SequenceClassifier

    def seqtune_fit(jit="auto", data=(X, y)):
        return SequenceClassifier(cell=args.cell, units=units, epochs=epochs, batch_size=batch,
                                  early_stopping=False, validation_fraction=0.0, jit_compile=jit,
                                  frame_length=1,  # the hand-written model's every step, not frames
                                  pooling="last",  # and its head on the final state
                                  random_state=0).fit(*data)

    def keras_fit(jit):
        def run():
            model = hand_written(args.cell, units, f, n_classes, jit)
            model.layers[1].adapt(X)
            model.fit(X, y, batch_size=batch, epochs=epochs, verbose=0)
            return model
        return run

    repeat = 1 if args.quick else 3
    seqtune_fit()  # warm-up: imports, first traces
    t_seqtune = median_seconds(seqtune_fit, repeat)
    t_keras = median_seconds(keras_fit(False), repeat)
    t_keras_xla = median_seconds(keras_fit(True), repeat)

    # What jit_compile="auto" decides between: XLA on a large fit and on a small one. Not for an LSTM
    # that runs TensorFlow's fused op, which XLA cannot compile (seqtune never compiles it).
    from seqtune._fused_rnn import runs_tensorflow_lstm_op

    small = (X[: max(64, n // 16), : max(10, t // 10)], y[: max(64, n // 16)])
    sizes = () if runs_tensorflow_lstm_op(args.cell) else (("large", (X, y)), ("small", small))
    jit_times = {(size, jit): median_seconds(lambda: seqtune_fit(jit, data), repeat)
                 for size, data in sizes for jit in (False, True)}

    tiny = tiny_fits(args.cell, 3 if args.quick else 7)

    clf = seqtune_fit()
    model = keras_fit(False)()
    one = X[:1]
    clf.predict_proba(one)
    model.predict(one, verbose=0)
    reps = 10 if args.quick else 50
    lat_seqtune = median_seconds(lambda: clf.predict_proba(one), reps)
    lat_keras = median_seconds(lambda: model.predict(one, verbose=0), reps)
    big = X if args.quick else np.concatenate([X] * 2)
    first_big = median_seconds(lambda: clf.predict_proba(big), 1)  # the network's first large prediction
    model.predict(big, verbose=0, batch_size=256)
    thr_seqtune = len(big) / median_seconds(lambda: clf.predict_proba(big), repeat)
    # the same estimator with its compiled inference pass turned off (an LSTM: TensorFlow's fused op)
    from seqtune import _inference

    threshold, _inference.XLA_PREDICT_MIN_WORK = _inference.XLA_PREDICT_MIN_WORK, float("inf")
    thr_uncompiled = len(big) / median_seconds(lambda: clf.predict_proba(big), repeat)
    _inference.XLA_PREDICT_MIN_WORK = threshold
    thr_keras = len(big) / median_seconds(lambda: model.predict(big, verbose=0, batch_size=256), repeat)
    # Keras' fastest inference on CPU for comparison: the XLA-compiled model, 512 rows a call.
    xla_model = keras_fit(True)()

    def xla_predict():
        return [xla_model.predict_on_batch(big[i:i + 512]) for i in range(0, len(big), 512)]

    xla_predict()
    thr_xla = len(big) / median_seconds(xla_predict, repeat)

    print(f"data: {n} sequences x {t} steps x {f} features, {args.cell.upper()}({units}), "
          f"{epochs} epochs, batch {batch}")
    print(f"fit  seqtune {t_seqtune:7.2f} s | Keras default compile {t_keras:7.2f} s | "
          f"Keras jit_compile=True {t_keras_xla:7.2f} s")
    print(f"     ratio seqtune / Keras default = {t_seqtune / t_keras:.2f}x (target <= 1.05)")
    print(f"     ratio seqtune / Keras XLA     = {t_seqtune / t_keras_xla:.2f}x")
    if not sizes:
        print("XLA on a large and a small fit: not timed, this LSTM runs TensorFlow's fused op, which XLA "
              "cannot compile (--cell gru times it)")
    for size, data in sizes:
        off, on = jit_times[(size, False)], jit_times[(size, True)]
        print(f"{size} fit ({data[0].shape[0]} x {data[0].shape[1]} steps): jit_compile=False {off:.2f} s, "
              f"True {on:.2f} s -> XLA {off / on:.2f}x")
    print("tiny fit (96 x 6 steps, 2 epochs, batch 16; median of the alternating sides): "
          + " | ".join(f"{name} {seconds:.2f} s" for name, seconds in tiny.items()))
    print(f"     ratio seqtune / Keras default = {tiny['seqtune'] / tiny['Keras default']:.2f}x, "
          f"seqtune / not pre-built = {tiny['seqtune'] / tiny['seqtune, not pre-built']:.2f}x")
    print(f"predict 1 sample: seqtune {lat_seqtune * 1e3:.2f} ms | model.predict {lat_keras * 1e3:.2f} ms"
          f" -> {lat_keras / lat_seqtune:.1f}x faster (target >= 10)")
    print(f"predict {len(big)} samples: seqtune {thr_seqtune:,.0f}/s | model.predict {thr_keras:,.0f}/s"
          f" -> {thr_seqtune / thr_keras:.2f}x (target >= 1)")
    print(f"     Keras XLA predict_on_batch (512 a call) {thr_xla:,.0f}/s -> seqtune / XLA = {thr_seqtune / thr_xla:.2f}x")
    print(f"     seqtune's first call {first_big:.2f} s | without its compiled pass "
          f"{thr_uncompiled:,.0f}/s -> {thr_seqtune / thr_uncompiled:.2f}x")


if __name__ == "__main__":
    main()
