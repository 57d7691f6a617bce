"""The function that predicts one batch with a fitted network: Keras' ``predict_on_batch``, or for
large fixed-length inputs to a network with TensorFlow's fused LSTM op, an XLA-compiled forward pass.

seqtune trains an LSTM on TensorFlow's CPU with the fused ``BlockLSTM`` op, which XLA cannot
compile (:mod:`seqtune._fused_rnn`). For prediction, XLA's compilation of Keras' loop over the
same weights runs 1.3-2.7x faster than the op once compiled, and compiling costs about 0.3-1 s
more than tracing the op (``bench/bench_predict.py``, ``bench/RESULTS.md``). So large
predictions run the compiled pass; small ones, and ragged sequences (one compilation per padded
length), keep the op. The compiled pass is kept per network, so later predictions skip compiling.
The two paths agree to float rounding (about 1e-7).

Either way, a prediction runs up to 1,024 rows a call, fewer for long sequences (which bounds
the memory of a call's activations). Against 256 rows a call on 8,192 rows (same script): 1.2-1.5x
faster for LSTMs over 100 and 200 steps (op) and 1.7x for a GRU (XLA), 0.9x for a small LSTM(32)
over 30 steps.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import NamedTuple

# Rows x time steps from which a prediction runs the XLA-compiled pass. A new network's first
# compiled prediction broke even with the op's between 560,000 and 1,070,000 (three sizes, two
# runs of bench/bench_predict.py); below that the first call loses a fraction of a second (its
# compilation) and every later prediction of the network gains.
XLA_PREDICT_MIN_WORK = 500_000

# Rows a predict call runs at once: at most MAX_CHUNK_ROWS, and no more than CHUNK_STEPS time
# steps in all unless that leaves fewer than MIN_CHUNK_ROWS.
MAX_CHUNK_ROWS = 1024
MIN_CHUNK_ROWS = 256
CHUNK_STEPS = 262_144

_compiled_forwards: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class BatchPredictor(NamedTuple):
    """How :func:`seqtune.batching.predict_chunks` runs a network over some sequences."""

    call: Callable  # one batch in, its outputs out
    chunk_rows: int  # rows a call
    pad_batches: bool  # pad batches to few sizes: an XLA-compiled call compiles once a shape


def batch_predictor(model, values) -> BatchPredictor:
    """How to predict ``values`` (an array of equal-length sequences, or a list of ragged ones) with ``model``."""
    fixed_length = hasattr(values, "shape")
    steps = values.shape[1] if fixed_length else max((len(v) for v in values), default=1)
    chunk_rows = int(min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, CHUNK_STEPS // max(1, steps))))
    if getattr(model, "jit_compile", False):
        return BatchPredictor(model.predict_on_batch, chunk_rows, True)
    if not fixed_length or values.shape[0] * steps < XLA_PREDICT_MIN_WORK:
        return BatchPredictor(model.predict_on_batch, chunk_rows, False)
    from seqtune._fused_rnn import model_runs_tensorflow_lstm_op

    if not model_runs_tensorflow_lstm_op(model):
        return BatchPredictor(model.predict_on_batch, chunk_rows, False)
    return BatchPredictor(_compiled_forward(model), chunk_rows, True)


def _compiled_forward(model):
    """An XLA-compiled ``model(x, training=False)`` that runs Keras' loop in the fused layers."""
    forward = _compiled_forwards.get(model)
    if forward is not None:
        return forward
    import tensorflow as tf

    from seqtune._fused_rnn import keras_loop

    network = weakref.ref(model)  # the cache must not keep the network alive
    compiled = tf.function(lambda x: network()(x, training=False), jit_compile=True)

    def forward(x):
        with keras_loop():  # a new batch shape traces again: inside the block
            return compiled(x).numpy()

    _compiled_forwards[model] = forward
    return forward
