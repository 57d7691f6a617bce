"""How a fitted network predicts: in batches of a size bounded by the sequences' length, each through
Keras' ``predict_on_batch``, or for large fixed-length inputs to a network with TensorFlow's fused
LSTM op, through an XLA-compiled forward pass where that pays.

seqtune trains an LSTM on TensorFlow's CPU with the fused ``BlockLSTM`` op, which XLA cannot
compile (:mod:`seqtune._fused_rnn`). For prediction, XLA's compilation of Keras' loop over the
same weights runs 1.2-3.1x faster than the op once compiled, and compiling took 0.2-0.4 s more
than tracing the op (``bench/bench_predict.py``, ``bench/RESULTS.md``). Whether that pays depends
on the network's size as much as on the data's: a first compiled prediction broke even with the
op's at 0.4-0.9 million rows x steps for an LSTM(64) but 7-15 million for an LSTM(8) (five runs). So a
network's large predictions run through the op, timed batch by batch, until the op's time on
them (spent, and still to come in the prediction at hand) reaches :data:`COMPILE_PAYS_OFF_SECONDS`;
from there on they run the compiled pass: a one-off prediction that the op runs in under a
second keeps the op, and a network that predicts that much again and again is compiled. Ragged
sequences (one compilation per padded length) always keep the op. The two paths agree to float
rounding (1e-7).

Either way, a prediction runs up to 1,024 rows a call, fewer for long sequences (which bounds
the memory of a call's activations). Against 256 rows a call (same script): 1.2-1.6x faster for
the op on LSTM(64) x 100, LSTM(128) x 200 and LSTM(8) x 50 steps, 1.5-1.8x for an XLA-compiled
GRU, and 0.85-0.93x for an LSTM(32) over 30 steps.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

# A prediction of fewer rows x time steps than this never considers the compiled pass (nor times
# the op to decide).
XLA_PREDICT_MIN_WORK = 500_000
# The compiled pass runs once the op's time on a network's large predictions, spent and to come,
# reaches this many seconds. It saves a sixth (1.2x) to two thirds (3.1x) of the op's time; a first
# compiled prediction broke even where the op took 0 to 2.2 s, the longest for a tiny LSTM(8)
# (bench/bench_predict.py). From 1 s a first call loses at most about its compilation (0.2-0.4 s
# beyond tracing the op), and every later prediction of the network gains.
COMPILE_PAYS_OFF_SECONDS = 1.0

# Rows a predict call runs at once: at most MAX_CHUNK_ROWS, and no more than CHUNK_STEPS time
# steps in all unless that leaves fewer than MIN_CHUNK_ROWS.
MAX_CHUNK_ROWS = 1024
MIN_CHUNK_ROWS = 256
CHUNK_STEPS = 262_144

# Per network: its compiled pass, and what its large predictions through the op measured.
_compiled_forwards: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_op_records: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class BatchPredictor(NamedTuple):
    """How :func:`seqtune.batching.predict_chunks` runs a network over some sequences."""

    call: Callable  # one batch in, its outputs out
    chunk_rows: int  # rows a call
    pad_batches: bool  # pad batches to few sizes: an XLA-compiled call compiles once a shape


def predict(model, values, *, kind: str, n_features, max_length=None, masked: bool = False) -> np.ndarray:
    """``model``'s outputs for every sequence of ``values`` (an array of equal-length sequences or a
    list of ragged ones), in order, through :func:`seqtune.batching.predict_chunks` with the call, rows
    a call and batch padding :func:`batch_predictor` chooses."""
    from seqtune.batching import predict_chunks

    predictor = batch_predictor(model, values)
    return predict_chunks(predictor.call, values, kind=kind, n_features=n_features, max_length=max_length,
                          chunk_size=predictor.chunk_rows, ragged=not isinstance(values, np.ndarray),
                          masked=masked, pad_batches=predictor.pad_batches)


def batch_predictor(model, values) -> BatchPredictor:
    """How to predict ``values`` (an array of equal-length sequences, or a list of ragged ones) with ``model``."""
    fixed_length = hasattr(values, "shape")
    steps = values.shape[1] if fixed_length else max((len(v) for v in values), default=1)
    chunk_rows = int(min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, CHUNK_STEPS // max(1, steps))))
    if getattr(model, "jit_compile", False):
        return BatchPredictor(model.predict_on_batch, chunk_rows, True)
    work = values.shape[0] * steps if fixed_length else 0
    if not fixed_length or work < XLA_PREDICT_MIN_WORK:
        return BatchPredictor(model.predict_on_batch, chunk_rows, False)
    from seqtune._fused_rnn import model_runs_tensorflow_lstm_op

    if not model_runs_tensorflow_lstm_op(model):
        return BatchPredictor(model.predict_on_batch, chunk_rows, False)
    return BatchPredictor(_LargePrediction(model, steps, -(-values.shape[0] // chunk_rows)), chunk_rows,
                          True)  # batches padded to few sizes, for the compiled pass it may switch to


@dataclass
class _OpRecord:
    """What a network's large predictions through the op have measured."""

    seconds_per_step: float = math.inf  # a row x time step, the fastest batch (a shape's first traces the op)
    seconds_spent: float = 0.0


class _LargePrediction:
    """One large prediction's batches: through the op, each timed, until the op's time on this
    network's large predictions, spent and still to come in this one, reaches
    COMPILE_PAYS_OFF_SECONDS; the batches from there on run the compiled pass."""

    def __init__(self, model, steps: int, batches: int):
        self.model, self.steps, self.left, self.seen = model, steps, batches, 0
        self.record = _op_records.setdefault(model, _OpRecord())
        self.rate_known = math.isfinite(self.record.seconds_per_step)
        self.compiled = None

    def __call__(self, x):
        if self.compiled is None and (self.rate_known or self.seen >= 2) and self._pays_off(len(x)):
            self.compiled = _compiled_forward(self.model)
        self.left -= 1
        if self.compiled is not None:
            return self.compiled(x)
        start = time.perf_counter()
        outputs = self.model.predict_on_batch(x)
        seconds = time.perf_counter() - start
        self.seen += 1
        self.record.seconds_spent += seconds
        self.record.seconds_per_step = min(self.record.seconds_per_step, seconds / (len(x) * self.steps))
        return outputs

    def _pays_off(self, rows: int) -> bool:
        to_come = self.left * rows * self.steps * self.record.seconds_per_step
        return self.record.seconds_spent + to_come >= COMPILE_PAYS_OFF_SECONDS


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
