"""TensorFlow's fused LSTM kernel (``BlockLSTM``) in Keras' conventions, for :mod:`seqtune._fused_rnn`
on CPU.

Keras' TensorFlow backend runs an LSTM on CPU as a ``while_loop`` of small ops a time step
(or XLA's compilation of that loop). TensorFlow also has one op that runs the whole sequence
in C++, forward and backward (the kernel behind TF 1's ``LSTMBlockFusedCell``). Its weight
matrix is Keras' kernel stacked on the recurrent kernel, with the gate blocks in the order
(input, cell, forget, output) where Keras has (input, forget, cell, output): the layer keeps
Keras' weights and reorders the blocks on the way in (a copy of the weights, autodiff
reorders their gradients back). ``BlockLSTMV2`` takes Keras' order, but TensorFlow 2.21
differentiates it with the first op's gradient, in the other order: its weight gradients are
wrong (found by ``tests/test_fused_rnn.py``, whose gradient comparison fails with it). Measured on 2 CPU cores
(``bench/RESULTS.md``): it trains faster than the loop, with or without XLA, and traces
in a fraction of the time. XLA cannot compile it.

The op takes no mask, only one length for the batch. A mask that keeps a prefix of every
sequence (padding at the end: what seqtune's padding produces) is handled around it: each
sequence's final state is read at its last real step, and the outputs over its padding are what
Keras' loop returns there. Any other mask stops the step with an error (a check in the graph).
"""

from __future__ import annotations


def block_lstm(sequences, h0, c0, kernel, recurrent_kernel, bias, *, mask=None, go_backwards=False,
               zero_output_for_mask=False):
    """``(last output, outputs, [h, c])`` of an LSTM over ``sequences`` (batch, steps, features), as
    ``keras.layers.LSTM``'s inner loop returns them (outputs in processing order)."""
    import tensorflow as tf

    x = tf.transpose(sequences, [1, 0, 2])  # the op is time major
    steps = tf.shape(x)[0]
    lengths = None
    if mask is not None:
        lengths = _prefix_lengths(mask, steps)
        if go_backwards:  # each sequence's real steps reversed; its padding stays at the end
            x = tf.reverse_sequence(x, lengths, seq_axis=0, batch_axis=1)
    elif go_backwards:
        x = tf.reverse(x, [0])
    dtype = x.dtype
    no_peephole = tf.zeros(tf.shape(bias)[:1] // 4, dtype)
    _, cs, _, _, _, _, h = tf.raw_ops.BlockLSTM(
        seq_len_max=tf.cast(steps, tf.int64), x=x, cs_prev=tf.cast(c0, dtype), h_prev=tf.cast(h0, dtype),
        w=_icfo(tf.cast(tf.concat([kernel, recurrent_kernel], axis=0), dtype)), wci=no_peephole,
        wcf=no_peephole, wco=no_peephole, b=_icfo(tf.cast(bias, dtype)),
        forget_bias=0.0, cell_clip=0.0, use_peephole=False)  # Keras adds no forget bias; cell_clip 0: no clipping
    if lengths is None:
        return h[-1], tf.transpose(h, [1, 0, 2]), [h[-1], cs[-1]]

    batch = tf.range(tf.shape(x)[1])
    last = tf.maximum(lengths - 1, 0)
    has_steps = (lengths > 0)[:, None]  # an all-padding sequence keeps its initial state
    h_last = tf.where(has_steps, tf.gather_nd(h, tf.stack([last, batch], axis=1)), tf.cast(h0, dtype))
    c_last = tf.where(has_steps, tf.gather_nd(cs, tf.stack([last, batch], axis=1)), tf.cast(c0, dtype))
    # Keras' output at each processing step: a padded step repeats the previous output (zeros before
    # the first real one), or is zeros with zero_output_for_mask. Backwards, Keras processes the
    # padding first, then the real steps from last to first.
    t = tf.range(steps)[:, None]
    if go_backwards:
        source = t - (steps - lengths)[None, :]
        real = source >= 0
    else:
        source = tf.minimum(t, last[None, :])
        real = (t < lengths[None, :]) if zero_output_for_mask else tf.broadcast_to((lengths > 0)[None, :],
                                                                                   tf.shape(source))
    index = tf.stack([tf.maximum(source, 0), tf.broadcast_to(batch[None, :], tf.shape(source))], axis=-1)
    gathered = tf.gather_nd(h, index)
    outputs = tf.where(real[..., None], gathered, tf.zeros_like(gathered))
    return h_last, tf.transpose(outputs, [1, 0, 2]), [h_last, c_last]


def _icfo(blocks):
    """Keras' gate blocks (i, f, c, o) along the last axis, in the op's order (i, c, f, o)."""
    import tensorflow as tf

    i, f, c, o = tf.split(blocks, 4, axis=-1)
    return tf.concat([i, c, f, o], axis=-1)


def _prefix_lengths(mask, steps):
    """Each row's count of kept steps; the step fails unless every row keeps a prefix."""
    import tensorflow as tf

    mask = tf.cast(mask, tf.bool)
    lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)
    prefix = tf.reduce_all(tf.equal(mask, tf.sequence_mask(lengths, steps)))
    message = ("seqtune's fused LSTM takes masks that keep a prefix of each sequence (padding at the end "
               "only); this mask has gaps.")
    check = tf.debugging.Assert(prefix, [message])
    with tf.control_dependencies([check]):
        return tf.identity(lengths)
