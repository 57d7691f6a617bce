"""LSTM and GRU layers that pool their outputs over the time steps inside the recurrence.

``pooling="max"``, ``"mean"`` and ``"concat"`` read every step's output. Read from a layer with
``return_sequences=True``, that costs little on most paths, but the gradient of such a loop compiled by
TensorFlow's XLA costs more at each step the longer the sequence (as a copy of the whole (steps, batch,
units) buffer a step would): measured on 2 CPU cores (``bench/RESULTS.md``, "Pooling inside the
recurrence"), a GRU(64) of 100 steps trained 1.05x faster with XLA than without instead of 2.03x, and
at 1,000 steps 3.5x slower. Here the layer's cell carries the running sum and maximum of its outputs and
the count of steps read as three more states, and the layer returns only them and its final state, which XLA
compiles without that cost (public Keras only: ``keras.layers.RNN`` over :class:`PoolingCell`).

The layers compute what :class:`~seqtune._layers.MaskedFinalStates`,
:class:`~seqtune._layers.MaskedGlobalMaxPooling` and :class:`~seqtune._layers.MaskedGlobalAveragePooling`
compute on a layer's sequence of outputs: padding steps excluded (Keras' loop keeps every state through
a masked step), zeros for a sequence that is all padding. They always run Keras' own loop (never cuDNN
or a fused kernel), so :func:`seqtune.architectures.build_network` uses them only where Keras' loop is
what trains anyway: TensorFlow without a GPU, for cells without a fused op there.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

POOLINGS = ("max", "mean", "concat")


def pools_in_loop(cell: str, recurrent_dropout: float = 0.0) -> bool:
    """Whether :func:`~seqtune.architectures.build_network` pools ``cell`` layers' outputs inside the loop here:
    on TensorFlow without a GPU, where Keras' loop (which XLA may compile) runs the cell."""
    from seqtune._fused_rnn import _tensorflow_on_cpu, runs_tensorflow_lstm_op

    return (keras.backend.backend() == "tensorflow" and _tensorflow_on_cpu()
            and not runs_tensorflow_lstm_op(cell, recurrent_dropout))


@keras.saving.register_keras_serializable(package="seqtune")
class PoolingCell(keras.layers.Layer):
    """An LSTM or GRU cell that also carries the running sum and maximum of its outputs and the number of steps
    it read. Keras' loop holds every state through a masked step, so padding counts in none of them."""

    def __init__(self, cell, **kwargs):
        super().__init__(**kwargs)
        self.cell = keras.saving.deserialize_keras_object(cell) if isinstance(cell, dict) else cell
        inner = self.cell.state_size
        inner = list(inner) if isinstance(inner, (list, tuple)) else [inner]  # LSTM: [h, c]; GRU: h
        self.inner_states = len(inner)
        self.state_size = [*inner, self.cell.units, self.cell.units, 1]
        self.output_size = self.cell.units

    def build(self, input_shape):
        self.cell.build(input_shape)

    def call(self, inputs, states, training=False):
        n = self.inner_states
        output, new_states = self.cell(inputs, list(states[:n]), training=training)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        total, maxima, steps = states[n:]
        return output, [*new_states, total + output, ops.maximum(maxima, output), steps + 1]

    def get_initial_state(self, batch_size=None):
        dtype = self.compute_dtype
        zeros = [ops.zeros((batch_size, size), dtype=dtype) for size in self.state_size]
        zeros[-2] = ops.full((batch_size, self.cell.units), float(np.finfo(np.float32).min), dtype=dtype)
        return zeros

    def get_config(self):
        return {**super().get_config(), "cell": keras.saving.serialize_keras_object(self.cell)}


class _PooledRNN(keras.layers.RNN):
    """A recurrent layer whose output is its outputs pooled over the steps (final state, maximum, mean)."""

    cell_class = None  # keras.layers.LSTMCell or GRUCell

    def __init__(self, units, pooling: str = "concat", dropout=0.0, recurrent_dropout=0.0, **kwargs):
        if pooling not in POOLINGS:
            raise ValueError(f"pooling={pooling!r} is not one of {POOLINGS}.")
        if kwargs.pop("return_state", False) or kwargs.pop("return_sequences", False):
            raise ValueError("A pooled recurrent layer returns its pooled outputs, not its states or sequences.")
        cell = self.cell_class(units, dropout=dropout, recurrent_dropout=recurrent_dropout,
                               dtype=kwargs.get("dtype"), name="cell")
        super().__init__(PoolingCell(cell, dtype=kwargs.get("dtype")), **kwargs)
        self.units, self.pooling = int(units), pooling
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        # RNN.call makes its own cell's dropout masks before the loop (one a sequence, the same at every step);
        # the wrapped cell's are made here, through the cell's public methods.
        cell = self.cell.cell
        cell.get_dropout_mask(sequences[:, 0, :])
        cell.get_recurrent_dropout_mask(ops.zeros((ops.shape(sequences)[0], self.units), dtype=sequences.dtype))
        try:
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        finally:
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()

    def inner_loop(self, sequences, initial_state, mask, training=False):
        _, _, final = super().inner_loop(sequences, initial_state, mask, training)
        n = self.cell.inner_states
        total, maxima, steps = final[n:]
        maxima = ops.where(steps > 0, maxima, ops.zeros_like(maxima))  # all padding: zeros
        mean = total / ops.maximum(steps, 1.0)
        pooled = {"max": maxima, "mean": mean, "concat": ops.concatenate([final[0], maxima, mean], axis=-1)}
        return pooled[self.pooling], pooled[self.pooling], list(final[:n])

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        return sequences_shape[0], self.units * (3 if self.pooling == "concat" else 1)

    def get_config(self):
        config = super().get_config()
        for key in ("cell", "return_sequences", "return_state"):
            config.pop(key, None)
        return {**config, "units": self.units, "pooling": self.pooling, "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="seqtune")
class PooledLSTM(_PooledRNN):
    """An LSTM layer whose output is its outputs pooled over the steps; see the module docstring."""

    cell_class = keras.layers.LSTMCell


@keras.saving.register_keras_serializable(package="seqtune")
class PooledGRU(_PooledRNN):
    """A GRU layer (Keras' defaults: ``reset_after=True``) whose output is its outputs pooled over the steps; see
    the module docstring."""

    cell_class = keras.layers.GRUCell
