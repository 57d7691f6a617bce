"""LSTM and GRU layers that pool their outputs over the time steps inside the recurrence.

``pooling="max"``, ``"mean"`` and ``"concat"`` read every step's output. Read from a layer with
``return_sequences=True``, that costs little on most paths, but the gradient of such a loop compiled by
TensorFlow's XLA costs more at each step the longer the sequence (as a copy of the whole (steps, batch,
units) buffer a step would): measured on 2 CPU cores (``bench/RESULTS.md``, "Pooling inside the
recurrence"), a GRU(64) of 100 steps trained 1.05x faster with XLA than without instead of 2.03x, and
at 1,000 steps 3.5x slower. Here the layer carries the running sum and maximum of its outputs as two
more states and returns only them and its final state, which XLA compiles without that cost.

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


class _PooledLoop:
    """``inner_loop`` that returns the pooled outputs (final state, maximum, mean) instead of every step's."""

    def __init__(self, *args, pooling: str = "concat", **kwargs):
        if pooling not in POOLINGS:
            raise ValueError(f"pooling={pooling!r} is not one of {POOLINGS}.")
        if kwargs.get("return_state"):
            raise ValueError("A pooled recurrent layer returns its pooled outputs, not its states.")
        kwargs["return_sequences"] = False  # the pooled outputs are the layer's output
        super().__init__(*args, **kwargs)
        self.pooling = pooling

    def inner_loop(self, sequences, initial_state, mask, training=False):
        # Keras exposes no public loop that carries extra states; backend.rnn is what RNN.inner_loop runs.
        from keras.src import backend

        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        cell_kwargs = {"training": training} if self.cell._call_has_training_arg else {}
        initial_state = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        n_states, batch = len(initial_state), ops.shape(sequences)[0]
        dtype = self.cell.compute_dtype
        total = ops.zeros((batch, self.cell.units), dtype=dtype)
        lowest = ops.full((batch, self.cell.units), float(np.finfo(np.float32).min), dtype=dtype)

        def step(inputs, states):
            output, new_states = self.cell(inputs, list(states[:n_states]), **cell_kwargs)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            return output, new_states + [states[n_states] + output, ops.maximum(states[n_states + 1], output)]

        _, _, final = backend.rnn(step, sequences, initial_state + [total, lowest], go_backwards=self.go_backwards,
                                  mask=mask, unroll=self.unroll, input_length=sequences.shape[1],
                                  zero_output_for_mask=False, return_all_outputs=False)
        states, total, maxima = list(final[:n_states]), final[n_states], final[n_states + 1]
        if mask is None:
            kept = ops.cast(ops.shape(sequences)[1], dtype)
            maxima_or_zeros = maxima
        else:
            kept = ops.sum(ops.cast(mask, dtype), axis=1, keepdims=True)
            maxima_or_zeros = ops.where(kept > 0, maxima, ops.zeros_like(maxima))  # all padding: zeros
        mean = total / ops.maximum(kept, 1.0)
        pooled = {"max": maxima_or_zeros, "mean": mean,
                  "concat": ops.concatenate([states[0], maxima_or_zeros, mean], axis=-1)}[self.pooling]
        return pooled, pooled, states

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        return sequences_shape[0], self.cell.units * (3 if self.pooling == "concat" else 1)

    def get_config(self):
        config = super().get_config()
        config.pop("return_sequences", None)
        return {**config, "pooling": self.pooling}


@keras.saving.register_keras_serializable(package="seqtune")
class PooledLSTM(_PooledLoop, keras.layers.LSTM):
    """``keras.layers.LSTM`` whose output is its outputs pooled over the steps; see the module docstring."""


@keras.saving.register_keras_serializable(package="seqtune")
class PooledGRU(_PooledLoop, keras.layers.GRU):
    """``keras.layers.GRU`` whose output is its outputs pooled over the steps; see the module docstring."""
