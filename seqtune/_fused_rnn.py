"""LSTM and GRU layers that run a fused kernel (the whole sequence in one call) where Keras would
loop over the time steps.

- On Keras' torch backend, PyTorch's fused kernels (``torch.lstm``, ``torch.gru``; oneDNN on
  CPU) for both cells: Keras' torch backend calls PyTorch's fused LSTM only on CUDA and without a
  mask, and never its fused GRU; everywhere else it loops over the steps in Python, and inside
  Keras the fused LSTM trains 3.6x faster than that loop (``bench/RESULTS.md``). Right-padded
  sequences go through the kernel packed, so padding costs nothing (:mod:`seqtune._torch_rnn`).
- On TensorFlow without a GPU, TensorFlow's fused LSTM op (``BlockLSTM``) for the LSTM
  (:mod:`seqtune._tf_rnn`). TensorFlow has no fused GRU over a sequence, and XLA already makes
  Keras' GRU loop faster than plain PyTorch's; with a GPU, Keras' own layers run cuDNN.

Each layer is its Keras layer (``keras.layers.LSTM`` / ``keras.layers.GRU``) with the same
weights, configuration and results; it only replaces the inner loop, and only where the fused
kernel computes the same thing: no recurrent dropout, no unroll, Keras' default activations (and
``reset_after=True`` for GRU, PyTorch's formulation), and on torch a mask (if any) that keeps a
prefix of every sequence, which is what seqtune's padding produces (TensorFlow's op takes any
mask). Anything else runs Keras' own loop, as do the other backends. On CUDA, PyTorch's kernels
are cuDNN's: on an H200 every configuration of the default search space, ragged and token batches
included, trained on cuDNN (``bench/bench_gpu.py``, ``bench/RESULTS.md``).
"""

from __future__ import annotations

import contextlib
import contextvars

import keras
from keras import activations, ops

# Set while a function that XLA compiles is traced: the layers then run Keras' loop, which XLA
# can compile, instead of TensorFlow's fused op, which it cannot (see seqtune._inference).
_KERAS_LOOP = contextvars.ContextVar("seqtune_keras_loop", default=False)


# The rows of the batches a fit trains on (its last batch excepted), while Keras traces its train step: the
# step's batch is unknown to the graph, and TensorFlow's LSTM op splits a known one (seqtune._tf_rnn).
_FIT_BATCH = contextvars.ContextVar("seqtune_fit_batch", default=None)


@contextlib.contextmanager
def fit_batch(rows: int | None):
    """Within this block the fused layers trace for batches of ``rows`` (None: any batch)."""
    token = _FIT_BATCH.set(rows)
    try:
        yield
    finally:
        _FIT_BATCH.reset(token)


@contextlib.contextmanager
def keras_loop():
    """Within this block the fused layers trace Keras' own loop (same weights, same results)."""
    token = _KERAS_LOOP.set(True)
    try:
        yield
    finally:
        _KERAS_LOOP.reset(token)


def _tensorflow_on_cpu() -> bool:
    import tensorflow as tf

    return not tf.config.list_physical_devices("GPU")


def model_runs_tensorflow_lstm_op(model) -> bool:
    """Whether any layer of ``model`` runs TensorFlow's fused LSTM op."""
    return keras.backend.backend() == "tensorflow" and any(
        isinstance(layer, FusedLSTM) and layer._fusable() for layer in model._flatten_layers(include_self=False))


def runs_tensorflow_lstm_op(cell: str, recurrent_dropout: float = 0.0) -> bool:
    """Whether seqtune's layers of ``cell`` run TensorFlow's fused LSTM op here (which XLA cannot compile)."""
    return (keras.backend.backend() == "tensorflow" and cell == "lstm" and not recurrent_dropout
            and _tensorflow_on_cpu())


class _FusedInnerLoop:
    """``inner_loop`` on a fused kernel wherever it computes what Keras' loop computes."""

    # the Keras backends this cell has a fused kernel on
    fused_backends: tuple = ("torch",)
    side_by_side: int = 1

    def __init__(self, *args, side_by_side: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        # How many recurrent layers run at once beside this one (2 in a bidirectional layer): TensorFlow's op
        # shares the cores among them (seqtune._tf_rnn.batch_parts).
        self.side_by_side = int(side_by_side)
        if keras.backend.backend() == "tensorflow" and self._fusable():
            self.supports_jit = False  # XLA cannot compile TensorFlow's fused op (Keras then compiles without it)

    def _fusable(self) -> bool:
        cell, backend = self.cell, keras.backend.backend()
        return (backend in self.fused_backends and not self.recurrent_dropout and not self.unroll
                and cell.use_bias and cell.activation is activations.tanh
                and cell.recurrent_activation is activations.sigmoid
                and (backend != "tensorflow" or _tensorflow_on_cpu()))

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not self._fusable() or _KERAS_LOOP.get():
            return super().inner_loop(sequences, initial_state, mask, training)
        if keras.backend.backend() == "tensorflow":
            from seqtune._tf_rnn import block_lstm

            cell = self.cell
            h0, c0 = initial_state
            return block_lstm(self._dropped(sequences, training), h0, c0, cell.kernel, cell.recurrent_kernel,
                              cell.bias, mask=mask, go_backwards=self.go_backwards,
                              zero_output_for_mask=self.zero_output_for_mask, side_by_side=self.side_by_side,
                              fit_batch=_FIT_BATCH.get(), return_sequences=self.return_sequences)
        return self._torch_loop(sequences, initial_state, mask, training)

    def get_config(self):
        return {**super().get_config(), "side_by_side": self.side_by_side}

    def _torch_loop(self, sequences, initial_state, mask, training):
        from seqtune import _torch_rnn

        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if sequences.device.type == "meta":
            # Keras' symbolic build: only shapes matter, and PyTorch would run the kernel's meta
            # version step by step in Python (0.15 s of every fit, measured on 2 CPU cores).
            return _torch_rnn.shapes_only(sequences, self.cell.units, len(states))
        lengths = None
        if mask is not None:
            lengths = _torch_rnn.prefix_lengths(mask)
            if lengths is None:  # not right padding, or an empty sequence: Keras' loop handles it
                return super().inner_loop(sequences, initial_state, mask, training)
        return _torch_rnn.run(self, self._dropped(sequences, training), states, lengths, training=bool(training))

    def _dropped(self, sequences, training):
        """The input dropout of Keras' fused (cuDNN) path: one mask a sequence, the same at every step."""
        if not (training and self.dropout):
            return sequences
        return sequences * ops.expand_dims(self.cell.get_dropout_mask(sequences[:, 0, :]), axis=1)


@keras.saving.register_keras_serializable(package="seqtune")
class FusedLSTM(_FusedInnerLoop, keras.layers.LSTM):
    """``keras.layers.LSTM`` on PyTorch's fused kernel (torch backend) or TensorFlow's (CPU); see the
    module docstring."""

    kernel_name = "lstm"
    fused_backends = ("torch", "tensorflow")

    def _torch_weights(self):
        import torch

        cell = self.cell
        bias = ops.convert_to_tensor(cell.bias)
        # PyTorch's gate order is Keras' (i, f, c, o); its matrices are the transposes.
        return [ops.convert_to_tensor(cell.kernel).T, ops.convert_to_tensor(cell.recurrent_kernel).T,
                bias, torch.zeros_like(bias)]


@keras.saving.register_keras_serializable(package="seqtune")
class FusedGRU(_FusedInnerLoop, keras.layers.GRU):
    """``keras.layers.GRU`` on PyTorch's fused kernel (torch backend); see the module docstring."""

    kernel_name = "gru"

    def _fusable(self) -> bool:
        return self.cell.reset_after and super()._fusable()  # PyTorch's GRU resets after the product

    def _torch_weights(self):
        import torch

        cell, units = self.cell, self.cell.units
        bias = ops.convert_to_tensor(cell.bias)  # (2, 3 units): input bias, recurrent bias
        # Keras' gate blocks are (update z, reset r, candidate h); PyTorch's are (r, z, n).
        order = torch.arange(3 * units, device=bias.device).view(3, units)[[1, 0, 2]].reshape(-1)
        kernel, recurrent = ops.convert_to_tensor(cell.kernel), ops.convert_to_tensor(cell.recurrent_kernel)
        return [kernel[:, order].T, recurrent[:, order].T, bias[0, order], bias[1, order]]
