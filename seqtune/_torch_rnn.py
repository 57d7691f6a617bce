"""PyTorch's fused LSTM and GRU kernels (``torch.lstm``, ``torch.gru``) in Keras' conventions, for
:mod:`seqtune._fused_rnn` on the torch backend."""

from __future__ import annotations

import warnings

from keras import ops


def shapes_only(sequences, units: int, n_states: int):
    """Empty (meta) tensors shaped like :func:`run`'s results."""
    import torch

    batch, steps = sequences.shape[0], sequences.shape[1]
    state = torch.empty((batch, units), dtype=sequences.dtype, device="meta")
    return state, torch.empty((batch, steps, units), dtype=sequences.dtype, device="meta"), [state] * n_states


def prefix_lengths(mask):
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


def run(layer, x, states, lengths, *, training: bool):
    """(last output, outputs, states) in the Keras layer's conventions: [h, c] for LSTM, [h] for GRU."""
    import torch

    # cuDNN reads the weights through views: transposes must be laid out anew (it failed on an H200 otherwise).
    weights = [w.contiguous() for w in layer._torch_weights()]
    x = x.to(weights[0].dtype)
    fused = getattr(torch, layer.kernel_name)  # torch.lstm or torch.gru
    with warnings.catch_warnings():
        # On CUDA PyTorch copies the weights into one buffer at every call and warns: here that copy is
        # intended (the Keras variables stay the weights).
        warnings.filterwarnings("ignore", message="RNN module weights are not part of single contiguous chunk")
        return _run_kernel(fused, layer, x, weights, states, lengths, training=training)


def _run_kernel(fused, layer, x, weights, states, lengths, *, training: bool):
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

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
