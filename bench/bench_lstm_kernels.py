"""Where an LSTM training step's time goes on TensorFlow's CPU: the kernels alone, in one run.

Same sizes as ``bench_torch.py`` (one layer of 64 units, 100 steps, 8 features, batch 64). Timed,
each as the median of ``--repeat`` calls after two warm-up calls, alternating the sides:

* ``TF fused op``: TensorFlow's ``BlockLSTM`` forward and backward (what seqtune's LSTM runs on
  TensorFlow's CPU, ``seqtune/_tf_rnn.py``), in a ``tf.function``;
* ``Keras LSTM, XLA``: ``keras.layers.LSTM`` forward and backward, XLA-compiled (Keras' loop);
* ``PyTorch``: ``torch.nn.LSTM`` forward and backward (PyTorch's fused oneDNN kernel), what the
  PyTorch side of ``bench_torch.py`` runs;
* ``JAX scan, unroll k`` (with ``--jax-unroll k ...``): a hand-written LSTM cell in ``jax.lax.scan``,
  forward and backward, ``jax.jit``-compiled, each step's loop body unrolled ``k`` times (what Keras'
  LSTM on JAX runs is the scan with ``k = 1``);
* ``seqtune step``: a whole training step of the network ``SequenceClassifier`` builds
  (normalization, the LSTM, the softmax head, loss, Adam; Keras' compiled train function, as
  ``fit`` runs it a batch), for the share of the step that is not the kernel.

Each kernel's loss is the sum of the last step's output, so the backward pass runs through every
step. Prints milliseconds a batch and each side's speed as a ratio to PyTorch's (below 1: slower),
as ``bench_torch.py`` reports its ratios.

With ``--torch-variants``, PyTorch's kernel is also timed as a user could set it: without oneDNN
(ATen's own loop), on one thread, and in bfloat16 under ``torch.autocast`` (fast where the CPU has
AMX or AVX-512 BF16): how far the float32 kernel is from what PyTorch itself can do.

Run: ``python bench/bench_lstm_kernels.py`` (``--quick`` for a smoke run; ``--jax-unroll 1 4 10`` adds
the JAX sides). Needs the bench extra
(PyTorch) and TensorFlow's backend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def milliseconds(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1e3


def tensorflow_sides(x, units: int) -> dict:
    import keras
    import tensorflow as tf

    from seqtune._tf_rnn import block_lstm

    batch, features = x.shape[0], x.shape[2]
    rng = np.random.default_rng(0)
    kernel = tf.Variable(rng.normal(scale=0.3, size=(features, 4 * units)).astype("float32"))
    recurrent = tf.Variable(rng.normal(scale=0.3, size=(units, 4 * units)).astype("float32"))
    bias = tf.Variable(np.zeros(4 * units, "float32"))
    zeros = tf.zeros((batch, units))
    inputs = tf.constant(x)

    @tf.function
    def fused_op():
        with tf.GradientTape() as tape:
            last = block_lstm(inputs, zeros, zeros, kernel, recurrent, bias)[0]
            loss = tf.reduce_sum(last)
        return tape.gradient(loss, [kernel, recurrent, bias])

    layer = keras.layers.LSTM(units)
    layer.build(x.shape)

    @tf.function(jit_compile=True)
    def keras_xla():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(inputs))
        return tape.gradient(loss, layer.trainable_variables)

    return {"TF fused op": lambda: fused_op(), "Keras LSTM, XLA": lambda: keras_xla()}


def torch_side(x, units: int, variant: str = "default"):
    """PyTorch's kernel; ``variant`` runs it as a user could set it: "onednn off" (ATen's own loop),
    "1 thread", or "bfloat16" (``torch.autocast``: the kernel in bfloat16, the weights kept in float32)."""
    import contextlib

    import torch

    lstm = torch.nn.LSTM(x.shape[2], units, batch_first=True)
    inputs = torch.from_numpy(x)

    @contextlib.contextmanager
    def one_thread():
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(threads)

    @contextlib.contextmanager
    def without_onednn():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a note on Intel GPUs' TF32, which the flags set
            with torch.backends.mkldnn.flags(enabled=False):
                yield

    setting = {"default": contextlib.nullcontext, "onednn off": without_onednn, "1 thread": one_thread,
               "bfloat16": lambda: torch.autocast("cpu", dtype=torch.bfloat16)}[variant]

    def step():
        lstm.zero_grad()
        with setting():
            outputs, _ = lstm(inputs)
            loss = outputs[:, -1].float().sum()
        loss.backward()

    return step


def jax_sides(x, units: int, unrolls: list[int]) -> dict:
    """A plain LSTM cell in ``lax.scan``, one compiled function a loop-unrolling factor."""
    import jax
    import jax.numpy as jnp

    batch, features = x.shape[0], x.shape[2]
    rng = np.random.default_rng(0)
    weights = (jnp.asarray(rng.normal(scale=0.3, size=(features, 4 * units)), "float32"),
               jnp.asarray(rng.normal(scale=0.3, size=(units, 4 * units)), "float32"),
               jnp.zeros(4 * units, "float32"))
    steps_first = jnp.swapaxes(jnp.asarray(x), 0, 1)

    def loss(weights, unroll):
        kernel, recurrent, bias = weights

        def cell(state, inputs):
            h, c = state
            i, f, g, o = jnp.split(inputs @ kernel + h @ recurrent + bias, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None

        zeros = jnp.zeros((batch, units), "float32")
        (last, _), _ = jax.lax.scan(cell, (zeros, zeros), steps_first, unroll=unroll)
        return jnp.sum(last)

    def side(unroll: int):
        gradient = jax.jit(jax.grad(loss), static_argnums=1)
        return lambda: jax.block_until_ready(gradient(weights, unroll))

    return {f"JAX scan, unroll {unroll}": side(unroll) for unroll in unrolls}


def seqtune_step(x, units: int):
    """A training step of the network SequenceClassifier builds for ``x``."""
    from seqtune import SequenceClassifier

    y = np.arange(len(x)) % 3
    clf = SequenceClassifier(cell="lstm", units=units, epochs=1, frame_length=1, pooling="last", batch_size=len(x),
                             early_stopping=False, validation_fraction=0.0, random_state=0).fit(x, y)
    import tensorflow as tf

    model = clf.model_
    inputs = clf._network_input(clf._sequences(x, reset=False))
    # the step Keras' fit runs a batch (its compiled train function on a dataset iterator), without
    # train_on_batch's per-call data handling
    batches = iter(tf.data.Dataset.from_tensors((inputs, y)).repeat())
    train = model.make_train_function()
    return lambda: train(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--repeat", type=int, default=None, help="timed calls a side (default 50; 3 with --quick)")
    parser.add_argument("--jax-unroll", type=int, nargs="+", default=[], metavar="K",
                        help="also time a jax.lax.scan LSTM with each loop-unrolling factor K (needs JAX)")
    parser.add_argument("--torch-variants", action="store_true",
                        help="also time PyTorch's kernel without oneDNN, on 1 thread, and in bfloat16 (autocast)")
    args = parser.parse_args()

    # PyTorch's CUDA wheels bring Triton, which crashes the process when first imported after
    # TensorFlow (through torch._dynamo; bench_torch.py): import it before Keras imports TensorFlow.
    import torch._dynamo  # noqa: F401, I001
    import keras

    if keras.backend.backend() != "tensorflow":
        raise SystemExit("bench_lstm_kernels.py measures TensorFlow's kernels: run it on the TensorFlow backend")
    batch, steps, features, units = (8, 10, 3, 4) if args.quick else (64, 100, 8, 64)
    repeat = args.repeat or (3 if args.quick else 50)
    x = np.random.default_rng(0).normal(size=(batch, steps, features)).astype("float32")
    variants = ("onednn off", "1 thread", "bfloat16") if args.torch_variants else ()
    sides = {**tensorflow_sides(x, units), "PyTorch": torch_side(x, units),
             **{f"PyTorch, {v}": torch_side(x, units, v) for v in variants},
             **jax_sides(x, units, args.jax_unroll), "seqtune step": seqtune_step(x, units)}
    for call in sides.values():  # warm up: traces, compilation, first allocations
        call()
        call()
    times = {name: [] for name in sides}
    for _ in range(repeat):
        for name, call in sides.items():
            times[name].append(milliseconds(call))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"LSTM({units}), {steps} steps x {features} features, batch {batch}: forward and backward, "
          f"median of {repeat} calls")
    for name, value in median.items():
        print(f"{name:20s} {value:8.2f} ms a batch | speed / PyTorch's = {median['PyTorch'] / value:.2f}x")
    print(f"seqtune step outside the fused op: {median['seqtune step'] - median['TF fused op']:.2f} ms "
          f"({1 - median['TF fused op'] / median['seqtune step']:.0%} of the step)")


if __name__ == "__main__":
    main()
