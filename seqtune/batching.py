"""Batches of sequences of similar length, for training and for prediction.

Padding every sequence to the longest one wastes most of an epoch on padding
when lengths vary (text: median 330 tokens, max 4,400). Here sequences are
grouped by length, each batch is padded only to a rounded length of its own
(:func:`seqtune.inputs.length_bucket`), and the rounding keeps the number of
distinct shapes — each one an XLA compilation — small.
"""

from __future__ import annotations

import contextlib
import logging

import keras
import numpy as np

from seqtune.inputs import length_bucket, pad


def length_sorted_batches(lengths: np.ndarray, batch_size: int, rng=None) -> list[np.ndarray]:
    """Indices grouped into batches of similar length.

    With ``rng``, sequences whose rounded lengths are equal are shuffled among
    themselves, so batch composition changes from epoch to epoch.
    """
    buckets = np.array([length_bucket(int(n)) for n in lengths])
    tie_break = rng.random(len(lengths)) if rng is not None else np.arange(len(lengths))
    order = np.lexsort((tie_break, buckets))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def equal_length_batches(lengths: np.ndarray, batch_size: int, rng=None) -> list[np.ndarray]:
    """Indices grouped into batches of sequences of one length: for a network without a padding mask,
    which would read padding as data. With ``rng``, each length's sequences are shuffled first."""
    batches = []
    for length in np.unique(lengths):
        index = np.flatnonzero(lengths == length)
        if rng is not None:
            index = rng.permutation(index)
        batches += [index[i : i + batch_size] for i in range(0, len(index), batch_size)]
    return batches


def pad_batch(seqs, index, *, kind: str, n_features, max_length, round_up: bool = True) -> np.ndarray:
    """Pad the sequences at ``index`` to their longest length, rounded up unless ``round_up`` is False
    (capped at ``max_length``)."""
    longest = max(len(seqs[i]) for i in index)
    length = length_bucket(longest) if round_up else longest
    if max_length is not None:
        length = min(length, max_length)
    return pad([seqs[i] for i in index], length, kind=kind, n_features=n_features)


class BucketedSequence(keras.utils.PyDataset):
    """A Keras ``PyDataset`` of length-bucketed, padded batches.

    Parameters
    ----------
    seqs : list of ndarray
        Variable-length sequences (numeric ``(t, f)`` or 1-D token ids).
    y : ndarray
        Targets, one row a sequence.
    sample_weight : ndarray or None
    batch_size : int
    kind : {"numeric", "tokens"}
    n_features : int or None
    max_length : int or None
        Truncate longer sequences to this many steps.
    shuffle : bool
        Shuffle batch order (and ties within a length bucket) every epoch.
    seed : int or None
    masked : bool, default=True
        Whether the network masks padding. Without a mask (a network built on sequences of one
        length) every batch holds sequences of one length, unpadded, as in prediction.
    """

    def __init__(self, seqs, y, sample_weight, *, batch_size, kind, n_features, max_length,
                 shuffle, seed=None, masked=True):
        super().__init__()
        self.masked = masked
        self.seqs = seqs
        self.y = y
        self.sample_weight = sample_weight
        self.batch_size = batch_size
        self.kind = kind
        self.n_features = n_features
        self.max_length = max_length
        self.shuffle = shuffle
        self.lengths = np.array([len(s) for s in seqs])
        self.rng = np.random.default_rng(seed)
        self._make_batches()

    def _make_batches(self):
        rng = self.rng if self.shuffle else None
        batches = length_sorted_batches if self.masked else equal_length_batches
        self.batches = batches(self.lengths, self.batch_size, rng)
        if self.shuffle:
            self.rng.shuffle(self.batches)

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        index = self.batches[i]
        x = pad_batch(self.seqs, index, kind=self.kind, n_features=self.n_features,
                      max_length=self.max_length, round_up=self.masked)
        if self.sample_weight is None:
            return x, self.y[index]
        return x, self.y[index], self.sample_weight[index]

    def on_epoch_end(self):
        if self.shuffle:
            self._make_batches()


def keras_data(sequence: BucketedSequence):
    """What to pass to ``Model.fit``: the PyDataset itself, or on TensorFlow a ``tf.data``
    pipeline with an explicit signature (Keras would otherwise fix the time dimension to
    the length of the first batch it peeks at) and prefetching."""
    if keras.backend.backend() != "tensorflow":
        return sequence
    import tensorflow as tf

    steps = (None,) if sequence.kind == "tokens" else (None, sequence.n_features)
    x_spec = tf.TensorSpec((None,) + steps, tf.int64 if sequence.kind == "tokens" else tf.float32)
    y_spec = tf.TensorSpec((None,) + sequence.y.shape[1:], tf.as_dtype(sequence.y.dtype))
    signature = (x_spec, y_spec)
    if sequence.sample_weight is not None:
        signature += (tf.TensorSpec((None,), tf.float32),)

    def generate():
        for i in range(len(sequence)):
            yield sequence[i]
        sequence.on_epoch_end()

    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(len(sequence))).prefetch(2)


# On TensorFlow, Keras makes a new tf.data iterator for the training and for the validation data at
# every epoch (profiled: 30-70 ms an epoch on 2 CPU cores, most of an epoch of one or two batches).
# Arrays up to this size go in as one repeating pipeline whose iterators live through the whole fit.
REPEAT_MAX_BYTES = 64 * 2**20


def repeating_dataset(arrays: tuple, *, batch_size: int, shuffle: bool, seed=None):
    """``(dataset, batches an epoch)`` repeating ``arrays`` (x, y[, sample_weight]) in batches.

    Reshuffled every epoch with ``shuffle``. None (use the arrays as they are) off the
    TensorFlow backend or when the arrays are larger than ``REPEAT_MAX_BYTES`` (the
    pipeline holds a copy of them). Pass the dataset with ``steps_per_epoch`` (or
    ``validation_steps``) set to the batches an epoch.
    """
    if keras.backend.backend() != "tensorflow" or sum(a.nbytes for a in arrays) > REPEAT_MAX_BYTES:
        return None
    import tensorflow as tf

    # Keras would cast float64 to float32 batch by batch; do it once.
    arrays = tuple(a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays)
    dataset = tf.data.Dataset.from_tensor_slices(arrays)
    if shuffle:
        dataset = dataset.shuffle(len(arrays[0]), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size).repeat().prefetch(tf.data.AUTOTUNE)
    return dataset, -(-len(arrays[0]) // batch_size)


def _batch_bucket(n: int, limit: int) -> int:
    """Round a batch size up to a power of two (at most ``limit``) to bound compilations."""
    return min(limit, 1 << max(0, int(n - 1).bit_length()))


def predict_chunks(call, seqs, *, kind: str, n_features, max_length, chunk_size: int,
                   ragged: bool, masked: bool, pad_batches: bool) -> np.ndarray:
    """Run ``call`` (one batch in, one array out) over all sequences, in input order.

    Parameters
    ----------
    call : callable
        Maps one padded batch to its outputs (a compiled predict function).
    seqs : ndarray or list of ndarray
        A padded array (equal lengths) or a list of sequences.
    ragged : bool
        Whether ``seqs`` is a list of sequences of different lengths.
    masked : bool
        Whether the network masks padding; if not, ragged sequences are grouped
        by exact length and never padded.
    pad_batches : bool
        Pad every batch up to a power-of-two size (repeating its first row), so an
        XLA-compiled function sees few distinct shapes.
    """
    with retracing_notes_hidden():
        return _predict_groups(call, seqs, kind=kind, n_features=n_features, max_length=max_length,
                               chunk_size=chunk_size, ragged=ragged, masked=masked, pad_batches=pad_batches)


class _DropRetracingNote(logging.Filter):
    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def retracing_notes_hidden():
    """Hide TensorFlow's "triggered tf.function retracing" warning while the block runs.

    Every model seqtune builds traces its own train and predict functions, and batches
    of different padded lengths trace once a shape, by design; TensorFlow warns once
    five of its recent calls traced, so any search or a few fits in one process printed
    it, which reads as a fault.
    """
    note = _DropRetracingNote()
    logger = logging.getLogger("tensorflow")
    logger.addFilter(note)
    try:
        yield
    finally:
        logger.removeFilter(note)


def _predict_groups(call, seqs, *, kind, n_features, max_length, chunk_size, ragged, masked, pad_batches):
    n = len(seqs)
    out = None
    if ragged:
        lengths = np.array([len(s) for s in seqs])
        groups = (length_sorted_batches if masked else equal_length_batches)(lengths, chunk_size)
    else:
        groups = [np.arange(i, min(n, i + chunk_size)) for i in range(0, n, chunk_size)]
    for index in groups:
        # Without a mask, a group of one length is padded to that length, no further. With one, a call of a
        # chunk or less (sequences served one by one) is padded to a length bucket where calls are compiled:
        # a compilation a bucket, not one for every length they bring. A larger call keeps its length: one
        # compilation serves all its rows, which padded steps would slow by up to a third.
        if ragged or (masked and pad_batches and n <= chunk_size):
            x = pad_batch(seqs, index, kind=kind, n_features=n_features, max_length=max_length, round_up=masked)
        else:
            x = seqs[index]
        size = len(index)
        if pad_batches:
            target = _batch_bucket(size, chunk_size)
            if target > size:
                x = np.concatenate([x, np.repeat(x[:1], target - size, axis=0)])
        y = np.asarray(call(x))[:size]
        if out is None:
            out = np.empty((n,) + y.shape[1:], dtype=y.dtype)
        out[index] = y
    return out
