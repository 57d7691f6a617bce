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
wrong (found by ``tests/test_fused_rnn.py``, whose gradient comparison fails with it).
Measured on 2 CPU cores (``bench/RESULTS.md``): it trains faster than the loop, with or
without XLA, and traces in a fraction of the time. XLA cannot compile it.

The op takes no mask. Keras' masked LSTM skips the masked steps (the state carries over them),
which is the LSTM over the kept steps alone, in order: each sequence's kept steps are moved to
the front (a stable sort of its mask), the op runs over them, the final state is read at each
sequence's last kept step, and the outputs are placed back where Keras' loop puts them (a masked
step repeats the output before it, zeros before the first kept step, or zeros with
``zero_output_for_mask``). Right padding (seqtune's own), left padding and gaps give Keras' results.
"""

from __future__ import annotations


def block_lstm(sequences, h0, c0, kernel, recurrent_kernel, bias, *, mask=None, go_backwards=False,
               zero_output_for_mask=False):
    """``(last output, outputs, [h, c])`` of an LSTM over ``sequences`` (batch, steps, features), as
    ``keras.layers.LSTM``'s inner loop returns them (outputs in processing order)."""
    import tensorflow as tf

    if go_backwards:  # Keras reverses the steps and the mask, then runs forwards
        sequences = tf.reverse(sequences, [1])
        mask = None if mask is None else tf.reverse(mask, [1])
    if mask is None:
        h, cs = _run_op(sequences, h0, c0, kernel, recurrent_kernel, bias)
        return h[-1], tf.transpose(h, [1, 0, 2]), [h[-1], cs[-1]]

    kept = tf.cast(tf.cast(mask, tf.bool), tf.int32)
    # each sequence's kept steps first, in their order
    compacted = tf.gather(sequences, tf.argsort(1 - kept, axis=1, stable=True), axis=1, batch_dims=1)
    h, cs = _run_op(compacted, h0, c0, kernel, recurrent_kernel, bias)
    lengths = tf.reduce_sum(kept, axis=1)
    last = tf.stack([tf.maximum(lengths - 1, 0), tf.range(tf.shape(lengths)[0])], axis=1)  # (step, sequence)
    has_steps = (lengths > 0)[:, None]  # a sequence with every step masked keeps its initial state
    h_last = tf.where(has_steps, tf.gather_nd(h, last), tf.cast(h0, h.dtype))
    c_last = tf.where(has_steps, tf.gather_nd(cs, last), tf.cast(c0, h.dtype))
    # Keras' output at step t: the output after the kept steps up to t (zeros before the first), or
    # zeros at a masked step with zero_output_for_mask.
    rank = tf.cumsum(kept, axis=1) - 1
    outputs = tf.gather(tf.transpose(h, [1, 0, 2]), tf.maximum(rank, 0), axis=1, batch_dims=1)
    real = kept > 0 if zero_output_for_mask else rank >= 0
    outputs = tf.where(real[..., None], outputs, tf.zeros_like(outputs))
    return h_last, outputs, [h_last, c_last]


def _run_op(sequences, h0, c0, kernel, recurrent_kernel, bias):
    """Every step's hidden and cell state (steps, batch, units: time major) of the op over all of
    ``sequences`` (batch, steps, features)."""
    import tensorflow as tf

    x = tf.transpose(sequences, [1, 0, 2])  # the op is time major
    dtype = x.dtype
    weights = _icfo(tf.cast(tf.concat([kernel, recurrent_kernel], axis=0), dtype))
    no_peephole = tf.zeros(tf.shape(bias)[:1] // 4, dtype)

    def run(x, h0, c0):
        _, cs, _, _, _, _, h = tf.raw_ops.BlockLSTM(
            seq_len_max=tf.cast(tf.shape(x)[0], tf.int64), x=x, cs_prev=tf.cast(c0, dtype),
            h_prev=tf.cast(h0, dtype), w=weights, wci=no_peephole, wcf=no_peephole, wco=no_peephole,
            b=_icfo(tf.cast(bias, dtype)), forget_bias=0.0, cell_clip=0.0,
            use_peephole=False)  # Keras adds no forget bias; cell_clip 0: no clipping
        return h, cs

    def run_even(x, h0, c0):
        # The op runs a slower path, and logs a warning on every call, when the batch is odd and so is
        # the number of features or of units (a one-sample prediction of an LSTM(15)): one zero
        # sample, dropped from the results, makes the batch even.
        batch = tf.shape(x)[1]
        h, cs = run(tf.pad(x, [[0, 0], [0, 1], [0, 0]]), tf.pad(h0, [[0, 1], [0, 0]]), tf.pad(c0, [[0, 1], [0, 0]]))
        return h[:, :batch], cs[:, :batch]

    h0, c0 = tf.convert_to_tensor(h0), tf.convert_to_tensor(c0)
    if x.shape[1] is not None:  # eager calls and traces of a known batch: no branch in the graph
        return run_even(x, h0, c0) if x.shape[1] % 2 else run(x, h0, c0)
    return tf.cond(tf.shape(x)[1] % 2 == 1, lambda: run_even(x, h0, c0), lambda: run(x, h0, c0))


def _icfo(blocks):
    """Keras' gate blocks (i, f, c, o) along the last axis, in the op's order (i, c, f, o)."""
    import tensorflow as tf

    i, f, c, o = tf.split(blocks, 4, axis=-1)
    return tf.concat([i, c, f, o], axis=-1)
