"""LSTM and GRU layers that run PyTorch's fused kernels on Keras' torch backend.

Keras' torch backend calls PyTorch's fused LSTM only on CUDA and without a mask, and
never its fused GRU; everywhere else it loops over the time steps in Python, one
small matrix product a step. On CPU the fused kernels (oneDNN) are what make plain
PyTorch's LSTM train faster than Keras' on TensorFlow or JAX, and inside Keras the
LSTM trains 3.6x faster than that loop (``bench/RESULTS.md``), so on the torch
backend seqtune builds its recurrent layers from :class:`FusedLSTM` and
:class:`FusedGRU`. (Not measured on CUDA: no GPU was available.)

Each layer is its Keras layer (``keras.layers.LSTM`` / ``keras.layers.GRU``) with the
same weights, configuration and results; it only replaces the inner loop, and only
where the fused kernel computes the same thing: torch backend, no recurrent dropout,
Keras' default activations (and ``reset_after=True`` for GRU, PyTorch's formulation),
and a mask (if any) that keeps a non-empty prefix of every sequence, which is what
seqtune's padding produces. Right-padded sequences go through the kernel packed
(``torch.nn.utils.rnn.pack_padded_sequence``), so padding costs nothing and the
final state is the one after each sequence's last real step. Anything else falls
back to Keras' own loop. On the other backends they are Keras' layers.
"""

from __future__ import annotations

import keras
from keras import activations, ops


class _FusedInnerLoop:
    """``inner_loop`` on PyTorch's fused kernel wherever it computes what Keras' loop computes."""

    def _fusable(self) -> bool:
        cell = self.cell
        return (keras.backend.backend() == "torch" and not self.recurrent_dropout and not self.unroll
                and cell.use_bias and cell.activation is activations.tanh
                and cell.recurrent_activation is activations.sigmoid)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not self._fusable():
            return super().inner_loop(sequences, initial_state, mask, training)
        if sequences.device.type == "meta":
            # Keras' symbolic build: only shapes matter, and PyTorch would run the kernel's meta
            # version step by step in Python (0.15 s of every fit, measured on 2 CPU cores).
            return _shapes_only(sequences, self.cell.units, len(self._states(initial_state)))
        lengths = None
        if mask is not None:
            lengths = _prefix_lengths(mask)
            if lengths is None:  # not right padding, or an empty sequence: Keras' loop handles it
                return super().inner_loop(sequences, initial_state, mask, training)
        if training and self.dropout:  # the same input dropout as Keras' fused path
            step_mask = ops.expand_dims(self.cell.get_dropout_mask(sequences[:, 0, :]), axis=1)
            sequences = sequences * step_mask
        return _run(self, sequences, self._states(initial_state), lengths, training=bool(training))

    @staticmethod
    def _states(initial_state) -> list:
        return list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]


@keras.saving.register_keras_serializable(package="seqtune")
class FusedLSTM(_FusedInnerLoop, keras.layers.LSTM):
    """``keras.layers.LSTM`` on PyTorch's fused kernel (torch backend); see the module docstring."""

    kernel_name = "lstm"

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
        return [ops.convert_to_tensor(cell.kernel)[:, order].T, ops.convert_to_tensor(cell.recurrent_kernel)[:, order].T,
                bias[0, order], bias[1, order]]


def _shapes_only(sequences, units: int, n_states: int):
    """Empty (meta) tensors shaped like ``_run``'s results."""
    import torch

    batch, steps = sequences.shape[0], sequences.shape[1]
    state = torch.empty((batch, units), dtype=sequences.dtype, device="meta")
    return state, torch.empty((batch, steps, units), dtype=sequences.dtype, device="meta"), [state] * n_states


def _prefix_lengths(mask):
    """Lengths of a mask that keeps a non-empty prefix of every row, else None."""
    import torch

    mask = mask.to(torch.bool)
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    if int(lengths.min()) == 0 or not torch.equal(mask, steps.unsqueeze(0) < lengths.unsqueeze(1)):
        return None
    return lengths


def _reverse_within(x, lengths):
    """Each row's first ``lengths[b]`` steps in reverse order; the steps after stay put."""
    import torch

    steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
    last = (lengths - 1).unsqueeze(1)
    index = torch.where(steps <= last, last - steps, steps)
    return torch.gather(x, 1, index.unsqueeze(-1).expand_as(x))


def _run(layer, x, states, lengths, *, training: bool):
    """(last output, outputs, states) in the Keras layer's conventions: [h, c] for LSTM, [h] for GRU."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    weights = layer._torch_weights()
    x = x.to(weights[0].dtype)
    fused = getattr(torch, layer.kernel_name)  # torch.lstm or torch.gru
    hx = [ops.convert_to_tensor(s).to(x.dtype).unsqueeze(0) for s in states]

    def kernel_state(hx):  # the LSTM kernel takes (h, c), the GRU kernel h
        return tuple(hx) if len(hx) > 1 else hx[0]

    if lengths is None:
        if layer.go_backwards:
            x = torch.flip(x, dims=[1])  # Keras returns a backward layer's outputs in processing order
        outputs, *final = fused(x, kernel_state(hx), weights, True, 1, 0.0, training, False, True)
        final = [s[0] for s in final]
        return final[0], outputs, final
    if layer.go_backwards:
        x = _reverse_within(x, lengths)
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    hx = [s.index_select(1, packed.sorted_indices) for s in hx]
    data, *final = fused(packed.data, packed.batch_sizes, kernel_state(hx), weights, True, 1, 0.0, training, False)
    outputs, _ = pad_packed_sequence(packed._replace(data=data), batch_first=True, total_length=x.shape[1])
    if layer.go_backwards:
        # Keras' processing order for a backward pass over right padding: padding first, then
        # the real steps from last to first.
        outputs = torch.flip(_reverse_within(outputs, lengths), dims=[1])
    final = [s[0].index_select(0, packed.unsorted_indices) for s in final]
    return final[0], outputs, final
