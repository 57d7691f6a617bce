"""Training throughput of a GRU whose outputs are pooled inside the recurrence, against the same network
pooling a sequence of outputs, with and without XLA, measured in one run (TensorFlow backend).

The network is seqtune's default for numeric sequences: GRU(64) read with ``pooling="concat"`` (final
state, maximum and mean of the outputs) and a softmax head. Two graphs of the same function:

* ``sequence``: ``keras.layers.GRU(return_sequences=True)`` followed by seqtune's masked pooling layers
  (the graph seqtune built before ``seqtune._pooled_rnn``);
* ``in loop``: ``seqtune._pooled_rnn.PooledGRU``, which carries the running sum and maximum as states.

With ``--layers N``, N-1 ``GRU(return_sequences=True)`` layers come first in both graphs, as in a stack
seqtune builds: the "in loop" XLA speed-up is what ``jit_compile="auto"`` decides on for stacks.

Each is trained by ``model.fit`` (Adam, batch 64) with ``jit_compile=True`` and ``False``; the figure is
the samples/s of the fastest epoch after the first (which compiles). Run:
``python bench/bench_pooled_rnn.py`` (``--steps 100 1000``, ``--samples``, ``--epochs``, ``--layers``;
``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def build(graph: str, steps: int, units: int, layers: int = 1):
    import keras

    from seqtune._layers import MaskedFinalStates, MaskedGlobalAveragePooling, MaskedGlobalMaxPooling
    from seqtune._pooled_rnn import PooledGRU

    inputs = keras.Input((steps, 8))
    x = inputs
    for _ in range(layers - 1):  # a stack's inner layers return every step, in both graphs
        x = keras.layers.GRU(units, return_sequences=True)(x)
    if graph == "in loop":
        pooled = PooledGRU(units, pooling="concat")(x)
    else:
        outputs = keras.layers.GRU(units, return_sequences=True)(x)
        pooled = keras.layers.Concatenate()([MaskedFinalStates()(outputs), MaskedGlobalMaxPooling()(outputs),
                                             MaskedGlobalAveragePooling()(outputs)])
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(pooled))


def samples_per_second(graph: str, jit: bool, X, y, *, units: int, epochs: int, layers: int) -> float:
    import keras

    from seqtune.cost import EpochTimer

    keras.utils.set_random_seed(0)
    model = build(graph, X.shape[1], units, layers)
    model.compile("adam", "sparse_categorical_crossentropy", jit_compile=jit)
    timer = EpochTimer()
    model.fit(X, y, batch_size=64, epochs=epochs, verbose=0, callbacks=[timer])
    return len(X) / min(timer.seconds[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--samples", type=int, default=None, help="samples a run (default: 200,000 steps' worth)")
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=1,
                        help="GRU layers; the inner ones return every step (jit_compile='auto' compiles a stack "
                             "only up to JIT_MAX_STEPS_STACKED steps)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.samples, args.units, args.epochs = [20], 128, 8, 3
    rng = np.random.default_rng(0)
    for steps in args.steps:
        n = args.samples or max(128, 200_000 // steps)
        X, y = rng.normal(size=(n, steps, 8)).astype("float32"), rng.integers(0, 3, n)
        speed = {(graph, jit): samples_per_second(graph, jit, X, y, units=args.units, epochs=args.epochs,
                                                  layers=args.layers)
                 for graph in ("sequence", "in loop") for jit in (True, False)}
        print(f"{args.layers} x GRU({args.units}), {steps} steps, {n} samples, concat pooling (samples/s):",
              flush=True)
        for graph in ("sequence", "in loop"):
            print(f"  {graph:9} XLA {speed[graph, True]:8,.0f} | no XLA {speed[graph, False]:8,.0f}"
                  f" | XLA speed-up {speed[graph, True] / speed[graph, False]:.2f}x", flush=True)
        best = {graph: max(speed[graph, True], speed[graph, False]) for graph in ("sequence", "in loop")}
        print(f"  in loop / sequence, with XLA: {speed['in loop', True] / speed['sequence', True]:.2f}x; "
              f"best in loop / best sequence: {best['in loop'] / best['sequence']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
