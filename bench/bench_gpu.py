"""GPU checks: the kernel every configuration of the default search space trains on, and training throughput
against plain PyTorch's cuDNN LSTM/GRU on the same model, measured in one run.

Runs under the Keras backend that ``KERAS_BACKEND`` selects (torch, jax or tensorflow), one a process::

    KERAS_BACKEND=torch python bench/bench_gpu.py
    KERAS_BACKEND=jax python bench/bench_gpu.py

``--part kernels``. Every combination that the default search space (``seqtune.space.DEFAULT_SPACE``) can
draw and that decides the kernel: cell (LSTM, GRU), depth (1 layer, or 2, whose inner layer returns every
step), bidirectional or not, dropout 0 or 0.2 (the space never sets recurrent dropout, which would leave
cuDNN); each on every kind of input: equal-length arrays, ragged lists (padded and masked), token ids
(masked by the embedding; raw text becomes the same ids). A ``SequenceClassifier`` (otherwise its defaults:
``pooling="auto"``, ``frame_length="auto"``) is fitted for one epoch on a few sequences, and the program it
trains is searched for cuDNN's recurrent kernel, forward and backward:

- torch: the operators that ``torch.profiler`` records during the fit (``aten::_cudnn_rnn``,
  ``aten::_cudnn_rnn_backward``);
- jax: the gradient of the fitted model's output, lowered by ``jax.jit`` (custom calls ``cudnn_rnn``,
  ``cudnn_rnn_bwd``);
- tensorflow: the operations of a ``tf.function`` computing that gradient (``CudnnRNN*``,
  ``CudnnRNNBackprop*``).

"no cuDNN" is a loop over the steps on a GPU (without one, whatever runs on the CPU).

``--part throughput``. One recurrent layer of 64 units, 100 steps of 8 features, 3 classes, 8,192 random
sequences, Adam(1e-3), batches of 64 and 256, no validation. Plain PyTorch (``bench_torch.py``'s model and
loop: ``nn.LSTM``/``nn.GRU`` and the data on the GPU, so cuDNN) against seqtune's fit of the same model
(``frame_length=1, pooling="last"``) and seqtune's defaults; samples/s over the epochs after the first
(median of per-epoch rates), and the ratios to PyTorch. Without a GPU both sides run on the CPU.

``--quick``: a few configurations and tiny sizes (a smoke run). ``--json FILE`` appends every result as a
line of JSON as it comes (a run cut short keeps what it measured).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # JAX and PyTorch share the GPU here

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch import TORCH_HINT, epoch_timer, seqtune_fit, torch_fit  # noqa: E402

INPUTS = ("arrays", "ragged", "tokens")


# ----------------------------------------------------------------------------- data
def example_data(kind: str, n: int, steps: int, rng):
    """(X as the estimator takes it, the same batch as the network's input array, y)."""
    y = np.arange(n) % 2
    if kind == "tokens":
        lengths = rng.integers(steps // 2, steps + 1, size=n)
        X = [rng.integers(1, 50, size=k) for k in lengths]
        padded = np.zeros((n, steps), dtype="int32")
        for i, ids in enumerate(X):
            padded[i, : len(ids)] = ids
        return X, padded, y
    if kind == "ragged":
        lengths = rng.integers(steps // 2, steps + 1, size=n)
        X = [rng.normal(size=(k, 3)).astype("float32") for k in lengths]
        padded = np.full((n, steps, 3), np.nan, dtype="float32")
        for i, seq in enumerate(X):
            padded[i, : len(seq)] = seq
        return X, padded, y
    X = rng.normal(size=(n, steps, 3)).astype("float32")
    return X, X, y


# -------------------------------------------------------------------------- kernels
def gpu_name() -> str | None:
    """The GPU the Keras backend computes on, else None."""
    import keras

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    if backend == "jax":
        import jax

        return str(jax.devices()[0].device_kind) if jax.default_backend() == "gpu" else None
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return gpus[0].name if gpus else None


def names_in_fit(fit) -> str:
    """torch: the operator names that run during ``fit()``, joined."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fit()
    return " ".join({event.name for event in prof.events()})


def names_in_gradient(model, x) -> str:
    """jax, tensorflow: the text of the program computing the gradient of ``model``'s output."""
    import keras

    if keras.backend.backend() == "jax":
        import jax
        import jax.numpy as jnp

        frozen = [v.value for v in model.non_trainable_variables]

        def total(trainable, x):
            return jnp.sum(model.stateless_call(trainable, frozen, x, training=True)[0])

        return jax.jit(jax.grad(total)).lower([v.value for v in model.trainable_variables], x).as_text()
    import tensorflow as tf

    @tf.function
    def gradient(x):
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(model(x, training=True))
        return tape.gradient(total, model.trainable_variables)

    graph = gradient.get_concrete_function(tf.constant(x)).graph.as_graph_def()
    return " ".join({node.op for node in graph.node}
                    | {node.op for function in graph.library.function for node in function.node_def})


# What marks cuDNN's recurrent kernel, forward and backward, in each backend's text.
CUDNN_MARKS = {"torch": ("_cudnn_rnn", "_cudnn_rnn_backward"), "jax": ("cudnn_rnn", "cudnn_rnn_bwd"),
               "tensorflow": ("CudnnRNN", "CudnnRNNBackprop")}


def cudnn_in(text: str, backend: str) -> tuple[bool, bool]:
    """(forward, backward) on cuDNN's kernel, read from ``text``."""
    forward, backward = CUDNN_MARKS[backend]
    return text.count(forward) > text.count(backward), backward in text


def check_kernels(quick: bool, record) -> list[dict]:
    import keras

    from seqtune import SequenceClassifier

    backend = keras.backend.backend()
    rng = np.random.default_rng(0)
    grid = (itertools.product(("lstm", "gru"), (1,), (False, True), (0.0,), ("arrays", "ragged")) if quick
            else itertools.product(("lstm", "gru"), (1, 2), (False, True), (0.0, 0.2), INPUTS))
    rows = []
    for cell, layers, bidirectional, dropout, kind in grid:
        X, x, y = example_data(kind, 32, 12, rng)
        est = SequenceClassifier(cell=cell, layers=layers, units=8, bidirectional=bidirectional, dropout=dropout,
                                 epochs=1, batch_size=16, validation_fraction=0.0, early_stopping=False,
                                 input_type="tokens" if kind == "tokens" else "auto", random_state=0, verbose=0)
        start = time.perf_counter()
        if backend == "torch":
            text = names_in_fit(lambda: est.fit(X, y))
        else:
            est.fit(X, y)
            text = names_in_gradient(est.model_, x)
        forward, backward = cudnn_in(text, backend)
        row = {"part": "kernels", "backend": backend, "cell": cell, "layers": layers, "bidirectional": bidirectional,
               "dropout": dropout, "input": kind, "cudnn_forward": forward, "cudnn_backward": backward,
               "seconds": round(time.perf_counter() - start, 2)}
        record(row)
        rows.append(row)
    return rows


def print_kernels(rows: list[dict]) -> None:
    print("\nkernels: cuDNN forward/backward per configuration (cell, layers, bidirectional, dropout, input)")
    for r in rows:
        where = {(True, True): "cuDNN", (False, False): "no cuDNN", (True, False): "cuDNN forward only",
                 (False, True): "cuDNN backward only"}[(r["cudnn_forward"], r["cudnn_backward"])]
        print(f"  {r['cell']:<4} {r['layers']} {'bi ' if r['bidirectional'] else 'uni'} dropout {r['dropout']:.1f} "
              f"{r['input']:<6}  {where}")
    on = sum(r["cudnn_forward"] and r["cudnn_backward"] for r in rows)
    print(f"kernels: {on} of {len(rows)} configurations train on cuDNN")


# ----------------------------------------------------------------------- throughput
def steady_rate(record: dict, n: int) -> float:
    """Median samples/s of the epochs after the first (which builds and compiles)."""
    epochs = record["epochs"][1:] or record["epochs"]
    return statistics.median(n / s for s in epochs)


def sizes(quick: bool, steps: int | None, units: int | None) -> tuple:
    """(sequences, steps, features, units, epochs) of the throughput parts."""
    n, default_steps, features, default_units, epochs = (256, 20, 8, 16, 2) if quick else (8192, 100, 8, 64, 3)
    return n, steps or default_steps, features, units or default_units, epochs


def check_throughput(quick: bool, record, steps=None, units=None) -> list[dict]:
    import keras
    import torch

    n, steps, features, units, epochs = sizes(quick, steps, units)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, steps, features)).astype("float32")
    y = rng.integers(0, 3, size=n)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rows = []
    for cell, batch in itertools.product(("lstm", "gru"), (64, 256)):
        common = dict(task="classify", units=units, epochs=epochs, batch=batch, seed=0)
        rates = {}
        for side in ("PyTorch", "seqtune", "seqtune defaults"):
            gc.collect()
            if side == "PyTorch":
                run = torch_fit(cell, X, y, device=device, **common)
            else:
                defaults = {"frame_length": "auto", "pooling": "auto"} if side == "seqtune defaults" else {}
                run, _ = seqtune_fit(cell, X, y, **common, **defaults)
            rates[side] = steady_rate(run, n)
        row = {"part": "throughput", "backend": keras.backend.backend(), "cell": cell, "batch": batch,
               "device": device, "samples_per_s": {k: round(v, 1) for k, v in rates.items()},
               "steps": steps, "features": features, "units": units, "samples": n, "epochs": epochs}
        record(row)
        rows.append(row)
    return rows


def check_lstm_paths(quick: bool, record, steps=None, units=None) -> list[dict]:
    """Keras' own LSTM with ``use_cudnn="auto"`` (cuDNN where the backend has it) against ``use_cudnn=False``
    (its loop over the steps): the same hand-written model, data and compilation."""
    import keras

    n, steps, features, units, epochs = sizes(quick, steps, units)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, steps, features)).astype("float32")
    y = rng.integers(0, 3, size=n)
    rows = []
    for batch in (64, 256):
        rates = {}
        for path, use_cudnn in (("cuDNN if available", "auto"), ("loop", False)):
            gc.collect()
            keras.utils.set_random_seed(0)
            inputs = keras.Input((steps, features))
            outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.LSTM(units, use_cudnn=use_cudnn)(inputs))
            model = keras.Model(inputs, outputs)
            model.compile("adam", "sparse_categorical_crossentropy")
            timer = epoch_timer()
            model.fit(X, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
            rates[path] = steady_rate({"epochs": timer.seconds}, n)
        row = {"part": "lstm-paths", "backend": keras.backend.backend(), "batch": batch,
               "samples_per_s": {k: round(v, 1) for k, v in rates.items()}, "steps": steps, "units": units}
        record(row)
        rows.append(row)
    return rows


def print_throughput(rows: list[dict]) -> None:
    if not rows:
        return
    r0 = rows[0]
    print(f"\nthroughput: {r0['samples']} sequences x {r0['steps']} steps x {r0['features']} features, 1 layer of "
          f"{r0['units']} units, {r0['epochs']} epochs (median of epochs 2..), device {r0['device']}")
    print("cell batch      PyTorch      seqtune  seqtune defaults   seqtune/PyTorch  defaults/PyTorch")
    for r in rows:
        s = r["samples_per_s"]
        print(f"{r['cell'].upper():<4} {r['batch']:>5} {s['PyTorch']:>12,.0f} {s['seqtune']:>12,.0f} "
              f"{s['seqtune defaults']:>17,.0f} {s['seqtune'] / s['PyTorch']:>16.2f}x "
              f"{s['seqtune defaults'] / s['PyTorch']:>16.2f}x")


def versions() -> str:
    import keras
    import torch

    return (f"Keras {keras.__version__}, backend {keras.backend.backend()}, PyTorch {torch.__version__}, "
            f"GPU: {gpu_name() or 'none'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["kernels", "throughput", "lstm-paths", "both"], default="both",
                        help="both: kernels and throughput")
    parser.add_argument("--quick", action="store_true", help="a few configurations, tiny sizes (smoke run)")
    parser.add_argument("--steps", type=int, help="time steps of the throughput parts (default 100)")
    parser.add_argument("--units", type=int, help="units of the throughput parts (default 64)")
    parser.add_argument("--json", help="append each result to this file as a line of JSON")
    args = parser.parse_args(argv)
    try:
        import torch._dynamo  # noqa: F401  (before JAX or TensorFlow: see bench_torch.py)
    except ImportError:
        sys.exit(TORCH_HINT)

    def record(row: dict) -> None:
        print(json.dumps(row), flush=True)
        if args.json:
            with open(args.json, "a") as out:
                out.write(json.dumps(row) + "\n")

    print(versions(), flush=True)
    kernels = check_kernels(args.quick, record) if args.part in ("kernels", "both") else []
    throughput = check_throughput(args.quick, record, args.steps, args.units) if args.part in ("throughput", "both") else []
    paths = check_lstm_paths(args.quick, record, args.steps, args.units) if args.part == "lstm-paths" else []
    print(versions())
    if kernels:
        print_kernels(kernels)
    print_throughput(throughput)
    for r in paths:
        rates = r["samples_per_s"]
        print(f"lstm paths, batch {r['batch']}: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in rates.items())
              + f"; loop / auto = {rates['loop'] / rates['cuDNN if available']:.2f}x")


if __name__ == "__main__":
    main()
