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

The op runs a sequence's steps on one thread. A batch runs in parts, one a core, as separate ops, which
TensorFlow's executor runs at once (:func:`batch_parts`): an LSTM(64)'s epochs 1.35-3.2x faster on 2 cores
(``bench/bench_lstm_parts.py``).
"""

from __future__ import annotations


def block_lstm(sequences, h0, c0, kernel, recurrent_kernel, bias, *, mask=None, go_backwards=False,
               zero_output_for_mask=False, side_by_side=1, fit_batch=None, return_sequences=True):
    """``(last output, outputs, [h, c])`` of an LSTM over ``sequences`` (batch, steps, features), as
    ``keras.layers.LSTM``'s inner loop returns them (outputs in processing order). Without
    ``return_sequences`` (and a mask), outputs are the last step's alone: Keras then reads ``last output``
    only, and the parts of a batch (:func:`batch_parts`) are not joined step by step for nothing."""
    import tensorflow as tf

    if go_backwards:  # Keras reverses the steps and the mask, then runs forwards
        sequences = tf.reverse(sequences, [1])
        mask = None if mask is None else tf.reverse(mask, [1])
    if mask is None:
        if not return_sequences:
            h_last, c_last = _run_op(sequences, h0, c0, kernel, recurrent_kernel, bias, side_by_side, fit_batch,
                                     keep="last")
            return h_last, h_last[:, None], [h_last, c_last]
        h, c_last = _run_op(sequences, h0, c0, kernel, recurrent_kernel, bias, side_by_side, fit_batch,
                            keep="outputs")
        return h[-1], tf.transpose(h, [1, 0, 2]), [h[-1], c_last]

    kept = tf.cast(tf.cast(mask, tf.bool), tf.int32)
    # each sequence's kept steps first, in their order
    compacted = tf.gather(sequences, tf.argsort(1 - kept, axis=1, stable=True), axis=1, batch_dims=1)
    h, cs = _run_op(compacted, h0, c0, kernel, recurrent_kernel, bias, side_by_side, fit_batch, keep="all")
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


def _run_op(sequences, h0, c0, kernel, recurrent_kernel, bias, side_by_side=1, fit_batch=None, keep="all"):
    """The op over all of ``sequences`` (batch, steps, features), the batch run in parts side by side
    (:func:`batch_parts`); ``fit_batch``: the rows of a fit's batches, where the graph's batch is unknown.

    Returns what ``keep`` asks for, each state of every step time major (steps, batch, units): ``"all"``,
    every step's hidden and cell state; ``"outputs"``, every step's hidden state and the last cell state;
    ``"last"``, the last step's hidden and cell state. (Joining the parts' every step and splitting the
    gradients back took about 1 ms of an 8 ms training step in a TensorFlow profile of a fit: LSTM(64),
    batch 64, 100 steps, 2 cores.)
    """
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

    def run_part(x, h0, c0):
        if not (x.shape[2] % 2 or units % 2):  # the op's fast path takes any batch
            return run(x, h0, c0)
        if x.shape[1] is not None:  # eager calls and traces of a known batch: no branch in the graph
            return run_even(x, h0, c0) if x.shape[1] % 2 else run(x, h0, c0)
        return tf.cond(tf.shape(x)[1] % 2 == 1, lambda: run_even(x, h0, c0), lambda: run(x, h0, c0))

    def kept(h, cs):
        return {"all": (h, cs), "outputs": (h, cs[-1]), "last": (h[-1], cs[-1])}[keep]

    def run_parts(sizes, n, x, h0, c0):
        # Independent ops: TensorFlow's executor runs them at once on its inter-op threads.
        parts = zip(*(tf.split(t, sizes, num=n, axis=axis) for t, axis in ((x, 1), (h0, 0), (c0, 0))))
        results = zip(*(kept(*run_part(*part)) for part in parts))  # a sequence's batch axis: 1; a state's: 0
        return tuple(tf.concat(list(r), axis=r[0].shape.rank - 2) for r in results)

    h0, c0 = tf.convert_to_tensor(h0), tf.convert_to_tensor(c0)
    batch, features, units = x.shape[1], kernel.shape[0], recurrent_kernel.shape[0]
    if batch is not None:
        n = batch_parts(batch, features, units, side_by_side)[0]
        return kept(*run_part(x, h0, c0)) if n == 1 else run_parts(part_sizes(batch, n), n, x, h0, c0)
    # A batch known only when the graph runs (Keras' train step on its batched pipeline): as many parts as a
    # fit's batches get (its last batch has fewer rows), else as the cores give.
    n, min_rows = batch_parts(None, features, units, side_by_side)
    if fit_batch is not None:
        n = batch_parts(fit_batch, features, units, side_by_side)[0]
    if n == 1:
        return kept(*run_part(x, h0, c0))
    rows = tf.shape(x)[1]
    sizes = runtime_part_sizes(rows, n, min_rows, fit_batch)
    padded = (tf.pad(x, [[0, 0], [0, n - 1], [0, 0]]), tf.pad(h0, [[0, n - 1], [0, 0]]),
              tf.pad(c0, [[0, n - 1], [0, 0]]))
    return tuple(r[:, :rows] if r.shape.rank == 3 else r[:rows] for r in run_parts(sizes, n, *padded))


# The op's own threads: each time step's product of the inputs and the weights is one Eigen contraction,
# which Eigen spreads over TensorFlow's intra-op threads once it is large enough, and on a few cores that
# makes every step slower. Measured on 2 cores (bench/bench_lstm_parts.py --op-rows, bench/RESULTS.md): an
# LSTM(64) on 8 features, forward and backward over 100 steps, takes 17.3 ms for 80 rows (1.47 million
# multiply-adds a step) and 42.1 ms for 96 rows (1.77 million), 19.6 ms on one intra-op thread. A part of
# the batch stays under this where the cores allow:
MAX_PART_PRODUCT = 1_400_000
# Below this a part's product is too small to pay for another op: splitting slowed such batches.
MIN_PART_PRODUCT = 150_000


def batch_parts(batch: int | None, features: int, units: int, side_by_side: int = 1) -> tuple[int, int]:
    """How many parts of the batch to run as separate ops, and the fewest rows a part should hold.

    TensorFlow's fused op runs a sequence's steps on one thread, while the executor runs independent ops
    at once: parts of the batch, run side by side, use the other cores. A batch gets as many parts as the
    cores each of the ``side_by_side`` recurrent layers that run at once (the two directions of a
    bidirectional layer) can have, each part worth its own op (``MIN_PART_PRODUCT``); more, up to one a
    core, where that brings every part under ``MAX_PART_PRODUCT``. (Parts beyond the cores, or parts still
    over it, were slower: ``bench/bench_lstm_parts.py``.) With the batch unknown (``None``), the count for
    the cores alone; the caller splits only a batch of ``min_rows`` a part.
    """
    row_product = (int(features) + int(units)) * 4 * int(units)
    min_rows = max(1, -(-MIN_PART_PRODUCT // row_product))
    cores = inter_op_threads()
    by_cores = max(1, cores // max(1, int(side_by_side)))
    if batch is None:
        return by_cores, min_rows
    n = max(1, min(by_cores, batch // min_rows))
    under_max = -(-batch * row_product // MAX_PART_PRODUCT)
    if under_max <= cores:
        n = max(n, under_max)
    return min(n, batch), min_rows


def part_sizes(batch: int, n: int) -> list[int]:
    """``n`` part sizes summing to ``batch``, as equal as can be (the first parts the larger)."""
    return [batch // n + (i < batch % n) for i in range(n)]


def runtime_part_sizes(rows, n: int, min_rows: int, fit_batch: int | None = None):
    """The sizes of ``n`` parts of a batch of ``rows`` (a tensor) and ``n - 1`` zero rows added at its end.

    The op's gradient for a part of no rows is uninitialized memory, so no part is empty: a batch of at least
    ``min_rows`` a part (or of ``fit_batch`` rows, which a fit splits in ``n``) runs in equal parts (the zero
    rows in the last), a smaller one whole in the first part and a zero row in each other. (A ``tf.cond``
    between split and whole instead cost more: its gradient fills every output a branch leaves unused.)
    """
    import tensorflow as tf

    total = rows + n - 1
    equal = total // n + tf.cast(tf.range(n) < total % n, rows.dtype)
    small = tf.concat([[rows], tf.ones([n - 1], rows.dtype)], axis=0)
    large = rows >= n * min_rows if fit_batch is None else (rows >= n * min_rows) | (rows >= fit_batch)
    return tf.where(large, equal, small)


def inter_op_threads() -> int:
    """The threads TensorFlow's executor runs independent ops on (its default: one a schedulable core)."""
    import os

    import tensorflow as tf

    configured = tf.config.threading.get_inter_op_parallelism_threads()
    if configured:
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _icfo(blocks):
    """Keras' gate blocks (i, f, c, o) along the last axis, in the op's order (i, c, f, o)."""
    import tensorflow as tf

    i, f, c, o = tf.split(blocks, 4, axis=-1)
    return tf.concat([i, c, f, o], axis=-1)
