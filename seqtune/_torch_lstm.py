"""An LSTM layer that runs PyTorch's fused LSTM kernel on Keras' torch backend.

Keras' torch backend calls PyTorch's fused LSTM only on CUDA and without a mask;
everywhere else it loops over the time steps in Python, one small matrix product a
step. On CPU the fused kernel (oneDNN) is what makes plain PyTorch's LSTM train
faster than Keras' on TensorFlow or JAX, and inside Keras it trains 3.6x faster than
that loop (``bench/RESULTS.md``), so on the torch backend seqtune builds its LSTM
layers from :class:`FusedLSTM`. (Not measured on CUDA: no GPU was available.)

The layer is ``keras.layers.LSTM`` with the same weights, configuration and
results; it only replaces the inner loop, and only where the fused kernel computes
the same thing: torch backend, no recurrent dropout, Keras' default activations,
and a mask (if any) that keeps a non-empty prefix of every sequence, which is what
seqtune's padding produces. Right-padded sequences go through the kernel packed
(``torch.nn.utils.rnn.pack_padded_sequence``), so padding costs nothing and the
final state is the one after each sequence's last real step. Anything else falls
back to Keras' own loop. On the other backends it is ``keras.layers.LSTM``.
"""

from __future__ import annotations

import keras
from keras import activations, ops


@keras.saving.register_keras_serializable(package="seqtune")
class FusedLSTM(keras.layers.LSTM):
    """``keras.layers.LSTM`` on PyTorch's fused kernel (torch backend); see the module docstring."""

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        cell = self.cell
        if (keras.backend.backend() != "torch" or self.recurrent_dropout or self.unroll
                or not cell.use_bias or cell.activation is not activations.tanh
                or cell.recurrent_activation is not activations.sigmoid):
            return super().inner_loop(sequences, initial_state, mask, training)
        if sequences.device.type == "meta":
            # Keras' symbolic build: only shapes matter, and PyTorch would run the LSTM's meta
            # kernel step by step in Python (0.15 s of every fit, measured on 2 CPU cores).
            return _shapes_only(sequences, cell.units)
        lengths = None
        if mask is not None:
            lengths = _prefix_lengths(mask)
            if lengths is None:  # not right padding, or an empty sequence: Keras' loop handles it
                return super().inner_loop(sequences, initial_state, mask, training)
        if training and self.dropout:  # the same input dropout as Keras' fused path
            step_mask = ops.expand_dims(cell.get_dropout_mask(sequences[:, 0, :]), axis=1)
            sequences = sequences * step_mask
        return _run(sequences, initial_state, cell, lengths, go_backwards=self.go_backwards,
                    training=bool(training))


def _shapes_only(sequences, units: int):
    """Empty (meta) tensors shaped like ``_run``'s results."""
    import torch

    batch, steps = sequences.shape[0], sequences.shape[1]
    state = torch.empty((batch, units), dtype=sequences.dtype, device="meta")
    return state, torch.empty((batch, steps, units), dtype=sequences.dtype, device="meta"), [state, state]


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


def _run(x, initial_state, cell, lengths, *, go_backwards: bool, training: bool):
    """(last output, outputs, [h, c]) in keras.layers.LSTM's conventions."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    kernel = ops.convert_to_tensor(cell.kernel)
    x = x.to(kernel.dtype)
    # PyTorch's gate order is Keras' (i, f, c, o); its matrices are the transposes.
    weights = [kernel.T, ops.convert_to_tensor(cell.recurrent_kernel).T, ops.convert_to_tensor(cell.bias),
               torch.zeros(4 * cell.units, dtype=x.dtype, device=x.device)]
    hx = tuple(ops.convert_to_tensor(s).to(x.dtype).unsqueeze(0) for s in initial_state)
    if lengths is None:
        if go_backwards:
            x = torch.flip(x, dims=[1])  # Keras returns a backward layer's outputs in processing order
        outputs, h, c = torch.lstm(x, hx, weights, True, 1, 0.0, training, False, True)
        return h[0], outputs, [h[0], c[0]]
    if go_backwards:
        x = _reverse_within(x, lengths)
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    hx = tuple(s.index_select(1, packed.sorted_indices) for s in hx)
    data, h, c = torch.lstm(packed.data, packed.batch_sizes, hx, weights, True, 1, 0.0, training, False)
    outputs, _ = pad_packed_sequence(packed._replace(data=data), batch_first=True, total_length=x.shape[1])
    if go_backwards:
        # Keras' processing order for a backward pass over right padding: padding first, then
        # the real steps from last to first.
        outputs = torch.flip(_reverse_within(outputs, lengths), dims=[1])
    h, c = (s[0].index_select(0, packed.unsorted_indices) for s in (h, c))
    return h, outputs, [h, c]
