"""What an estimator learns about its input in ``fit``, and how it checks ``X`` afterwards.

The input kind and layout, text vocabulary, token vocabulary size, truncation
length, frame length and standardisation statistics: the state that turns a
user's ``X`` into the network's input, the same way in ``fit`` and in every later call.
"""

from __future__ import annotations

import warnings

import numpy as np

from seqtune import _params as P
from seqtune._input_tables import column_difference, frame_columns, nested_table_columns, unwrap_column
from seqtune.inputs import (
    InputWarning,
    Sequences,
    is_text,
    length_bucket,
    refuse_unreadable_text,
    to_sequences,
)

DEFAULT_TEXT_VOCABULARY = 20_000
# max_length="auto" for tokens and text: at most this many times the median length.
AUTO_LENGTH_PER_MEDIAN = 10
# standardize=True warns when the 90th percentile of the sequences' spreads is this many times the 10th.
SCALE_SPREAD_WARNING = 100.0
# Warn when a feature's standard deviation is below this fraction of its mean's magnitude: in
# float32 about 170 distinct values a standard deviation are left (2**24 * 1e-5).
LEVEL_SPREAD_WARNING = 1e-5
# frame_length="auto": numeric sequences longer than FRAME_FROM_STEPS (median length) are
# read in frames, about FRAME_TARGET_STEPS of them. On long univariate series this raised
# test accuracy from 0.41-0.59 to 0.57-0.97 and fitted faster (bench/RESULTS.md).
FRAME_FROM_STEPS = 64
FRAME_TARGET_STEPS = 32
# Token ids up to this size are embedded without a look at how many distinct ids occur.
SPARSE_IDS_FROM = 100_000
# ... and refuse when such a mostly unused embedding would hold more weights than this (64 MB in
# float32, four times that with gradients and Adam's state): ids up to 3e7 were killed for memory.
SPARSE_EMBEDDING_LIMIT = 16_000_000
# Characters of text vectorized at once, the batch padded to its longest text (see _text_batches).
TEXT_BATCH_CHARACTERS = 4_000_000


class InputStateMixin:
    """Input handling of :class:`seqtune._base.BaseSequenceEstimator` (its parameters
    ``input_type``, ``max_tokens``, ``max_length``, ``frame_length`` and ``standardize``)."""

    def _sequences(self, X, *, reset: bool) -> Sequences:
        """Validate X; at predict time also check it matches what ``fit`` saw."""
        if reset:
            # to_sequences checks X (None, sparse) before it unwraps a column layout itself
            seqs = to_sequences(X, input_type=str(self.input_type).lower(), estimator=self, reset=True)
            columns = nested_table_columns(X) or frame_columns(unwrap_column(X))
            if columns is not None:
                self.sequence_columns_ = columns
            elif hasattr(self, "sequence_columns_"):  # from an earlier fit on DataFrames
                del self.sequence_columns_
            return seqs
        nested_columns = nested_table_columns(X)
        X = unwrap_column(X)  # as to_sequences reads it in fit
        columns = nested_columns or frame_columns(X)
        fitted = getattr(self, "sequence_columns_", None)
        if columns is not None and fitted is not None and columns != fitted:
            raise ValueError(f"X's sequences have other columns than {type(self).__name__} was fitted on: "
                             f"{column_difference(columns, fitted)}; pass the same columns in the same order as in "
                             "fit.")
        if is_text(X) != (self.input_kind_ == "text"):
            if self.input_kind_ == "text":
                refuse_unreadable_text(X)
            raise ValueError(
                f"X holds {'text' if is_text(X) else 'sequences'}, but {type(self).__name__} was fitted "
                f"on {self.input_kind_} input; pass the same kind of input as in fit."
            )
        # scikit-learn's column checks apply to 2-D (tabular) arrays only: a list holds sequences,
        # whose lengths are free even when they happen to be equal.
        checker = self if self._layout_ == "2d" and not isinstance(X, (list, tuple)) else None
        read_as_tokens = self.input_kind_ == "tokens" and str(self.input_type).lower() == "auto"
        hint = (" This model read the non-negative integers it was fitted on as token ids (input_type='auto'); "
                "if they are counts or measurements, fit with input_type='numeric' (or on X.astype(float)).")
        try:
            seqs = to_sequences(X, input_type=self.input_kind_, estimator=checker, reset=False)
        except ValueError as exc:
            if checker is not None and "is expecting" in str(exc):  # scikit-learn's column count check
                raise ValueError(f"{exc} It was fitted on a 2-D array, one univariate sequence a row: to predict "
                                 "sequences of another length, pass a list of 1-D arrays or a 3-D array "
                                 "(n_samples, n_timesteps, 1).") from None
            if not read_as_tokens:
                raise
            raise ValueError(f"{exc}{hint}") from None
        if seqs.kind != self.input_kind_:
            raise ValueError(
                f"X holds {seqs.kind} input, but {type(self).__name__} was fitted on "
                f"{self.input_kind_} input; pass the same kind of input as in fit.{hint if read_as_tokens else ''}"
            )
        if (seqs.layout == "2d") != (self._layout_ == "2d") and seqs.kind == "numeric":
            # A 2-D row and a one-feature sequence are the same thing: univariate input may
            # switch between the two (e.g. fit on ragged lists, predict on equal-length ones).
            if self._input_layout_.n_features == 1 and seqs.n_features == 1:
                return seqs
            fitted = self._input_layout_.n_features
            if seqs.layout == "2d":
                raise ValueError(
                    f"X holds one-feature sequences (a 2-D array or a list of 1-D arrays: one univariate "
                    f"sequence a row), but {type(self).__name__} was "
                    f"fitted on sequences with {fitted} features a step; pass 3-D X (n_samples, "
                    f"n_timesteps, {fitted}) or a list of (n_timesteps, {fitted}) arrays."
                )
            raise ValueError(
                f"X holds sequences with {seqs.n_features} features a step, but {type(self).__name__} was "
                "fitted on a 2-D array (one univariate sequence a row); pass X in the same layout as in fit."
            )
        if seqs.kind == "numeric" and seqs.layout != "2d" and seqs.n_features != self.n_features_in_:
            raise ValueError(
                f"X has {seqs.n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return seqs

    def _resolve_max_length(self, seqs: Sequences) -> int | None:
        if self.max_length != "auto":
            return self.max_length
        if seqs.kind == "numeric":
            return None
        lengths = seqs.lengths()
        # At most AUTO_LENGTH_PER_MEDIAN times the median: on a few dozen texts the 99th
        # percentile is the longest one (15 short texts and one of 20,000 words gave 24,576
        # steps a batch without the cap: test_long_text_truncation_is_announced).
        typical = min(np.percentile(lengths, 99), AUTO_LENGTH_PER_MEDIAN * np.median(lengths))
        return max(64, length_bucket(int(typical)))

    def _network_input(self, seqs: Sequences, *, announce_cuts: bool = False):
        """Turn validated sequences into what the network eats: an array or a list; ``announce_cuts`` (at
        predict: fit announces its own) warns when sequences are cut to ``max_length_``."""
        values = seqs.values
        if seqs.kind == "text":
            values = self._vectorize(values)
        if seqs.kind in ("text", "tokens"):
            if isinstance(values, np.ndarray):
                values = np.minimum(values, self.vocab_size_ - 1)
            else:
                values = [np.minimum(v, self.vocab_size_ - 1) for v in values]
        if self.max_length_ is None:
            return values
        if announce_cuts:
            longest = values.shape[1] if isinstance(values, np.ndarray) else max(len(v) for v in values)
            if longest > self.max_length_:
                warnings.warn(
                    f"X holds sequences longer than max_length={self.max_length_} (up to {longest} steps); the "
                    f"model reads their first {self.max_length_}, as in fit. Fit with max_length=None (or a larger "
                    "one) to read every step.", InputWarning, stacklevel=P.user_stacklevel())
        if isinstance(values, np.ndarray):
            return values[:, : self.max_length_]
        return [v[: self.max_length_] for v in values]

    def _vectorize(self, texts) -> list:
        """Token ids of each text (no padding); an empty text becomes one unknown token."""
        ids = [None] * len(texts)
        for index in _text_batches(texts):
            # A str array (padded to the batch's longest text, which _text_batches bounds): off
            # TensorFlow, Keras encodes an object array of str as ASCII before standardizing.
            batch = np.asarray(self.vectorizer_(np.array([texts[i] for i in index], dtype=str)))
            for i, row in zip(index, batch):
                nonzero = np.flatnonzero(row)
                ids[i] = row[: nonzero[-1] + 1].copy() if len(nonzero) else np.array([1])
        return ids

    def _fit_input_state(self, seqs: Sequences, original=None) -> None:
        """Learn what the network's input layer needs: vocabulary, scaling, lengths (``original``: X as
        the caller passed it, for the float32 precision warning)."""
        from seqtune.architectures import InputLayout

        self.input_kind_ = seqs.kind
        self._layout_ = seqs.layout
        if seqs.kind == "numeric" and seqs.layout != "2d":
            self.n_features_in_ = seqs.n_features
        if seqs.kind == "text":
            import keras

            if self.max_tokens is not None and self.max_tokens < 3:
                raise ValueError(f"max_tokens={self.max_tokens} leaves no room for words: a text vocabulary "
                                 "also holds padding and out-of-vocabulary entries. Expected max_tokens >= 3.")
            check_text_support()
            from seqtune._layers import standardize_text

            self.vectorizer_ = keras.layers.TextVectorization(
                max_tokens=self.max_tokens or DEFAULT_TEXT_VOCABULARY, standardize=standardize_text, output_mode="int"
            )
            # An object array: a str array would pad every text to the longest one.
            self.vectorizer_.adapt(np.asarray(seqs.values, dtype=object), batch_size=1024)
            self.vocab_size_ = int(self.vectorizer_.vocabulary_size())
            if self.vocab_size_ <= 2:  # only the padding and out-of-vocabulary entries
                raise ValueError("X holds text without a single word once lower-cased and stripped of "
                                 "punctuation; expected texts with words to learn from.")
        elif seqs.kind == "tokens":
            top = max(int(np.max(s)) if len(s) else 0 for s in seqs.values) if not isinstance(
                seqs.values, np.ndarray) else int(seqs.values.max())
            self.vocab_size_ = (self.max_tokens or top + 1) + 1  # + an out-of-vocabulary id
            if self.max_tokens is None and top >= SPARSE_IDS_FROM:
                _warn_sparse_ids(seqs.values, top, self.embedding_dim)
        self.max_length_ = None
        if seqs.kind == "text":
            lengths = np.array([len(v) for v in self._vectorize(seqs.values)])
            self.max_length_ = self._resolve_max_length(
                Sequences("tokens", [np.empty(n) for n in lengths], True, "list"))
        else:
            self.max_length_ = self._resolve_max_length(seqs)
        if self.max_length_ is not None:
            lengths = seqs.lengths() if seqs.kind != "text" else lengths
            cut = int(np.sum(lengths > self.max_length_))
            if cut:
                why = (f"max_length=auto: the 99th percentile, at most {AUTO_LENGTH_PER_MEDIAN}x the median, "
                       "rounded up to a length bucket" if self.max_length == "auto" else "max_length")
                warnings.warn(
                    f"{cut} of {len(lengths)} training sequences are longer than max_length="
                    f"{self.max_length_} ({why}) and are truncated to their first steps; set max_length=None "
                    "to keep every step.",
                    InputWarning,
                    stacklevel=P.user_stacklevel(),
                )
        self.frame_length_ = self._resolve_frame_length(seqs)
        mean = variance = None
        per_sequence = seqs.kind == "numeric" and self.standardize == "sequence"
        if seqs.kind == "numeric" and self.standardize and not per_sequence:
            flat = (np.concatenate(seqs.values) if seqs.ragged
                    else seqs.values.reshape(-1, seqs.values.shape[-1]))
            # float64: float32 sums overflow past about 1e19 and lose tiny spreads to rounding
            mean, variance = flat.mean(axis=0, dtype=np.float64), flat.var(axis=0, dtype=np.float64)
            _warn_if_scales_differ(seqs)
            _warn_if_level_hides_spread(mean, variance, original)
        self._input_layout_ = InputLayout(
            kind="numeric" if seqs.kind == "numeric" else "tokens",
            n_features=seqs.n_features or 1,
            masked=seqs.kind == "numeric" and seqs.ragged,
            vocab_size=getattr(self, "vocab_size_", 0),
            mean=mean,
            variance=variance,
            frame_length=self.frame_length_,
            per_sequence=per_sequence,
        )

    def _resolve_frame_length(self, seqs: Sequences) -> int:
        """``frame_length``, with "auto" resolved from the training lengths after the ``max_length`` cut
        (numeric input only)."""
        if seqs.kind != "numeric":
            if self.frame_length not in ("auto", 1):
                hint = (" If they are counts or measurements, pass input_type='numeric' (or X.astype(float))."
                        if seqs.kind == "tokens" and str(self.input_type).lower() == "auto" else "")
                raise ValueError(
                    f"frame_length={self.frame_length} joins time steps of numeric sequences, but X holds "
                    f"{'text' if seqs.kind == 'text' else 'token ids'}, read one token a step; "
                    f"leave frame_length='auto' (or 1).{hint}"
                )
            return 1
        lengths = seqs.lengths()
        if self.max_length_ is not None:
            lengths = np.minimum(lengths, self.max_length_)
        median = float(np.median(lengths))
        if self.frame_length != "auto":
            if self.frame_length >= 2 * median:
                warnings.warn(
                    f"frame_length={self.frame_length} is longer than most sequences (median length {median:g} "
                    "steps): the network reads each one as a single frame, padded with zeros, with nothing "
                    "left to recur over. Use a frame_length of a fraction of the length, or 'auto'.",
                    InputWarning, stacklevel=P.user_stacklevel())
            return int(self.frame_length)
        if median <= FRAME_FROM_STEPS:
            return 1
        return int(np.ceil(median / FRAME_TARGET_STEPS))


def _text_batches(texts, max_characters: int = TEXT_BATCH_CHARACTERS, max_texts: int = 1024):
    """Positions of ``texts`` in batches of similar length, each padded to at most ``max_characters``.

    The vectorizer pads a batch to its longest text (and a str array pads every text to
    it too), so one book-length document among a thousand short ones would make every
    row of its batch book-length. A token takes at least one character, so characters
    bound the ids.
    """
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    order = np.argsort(lengths, kind="stable")
    start = 0
    while start < len(order):
        stop = start + 1
        while (stop < len(order) and stop - start < max_texts
               and (stop - start + 1) * lengths[order[stop]] <= max_characters):
            stop += 1
        yield order[start:stop]
        start = stop


def _warn_sparse_ids(values, top: int, embedding_dim: int) -> None:
    """Warn when a few large token ids (hashes, raw codes) would size the embedding."""
    ids = values if isinstance(values, np.ndarray) else np.concatenate([np.ravel(v) for v in values])
    distinct = len(np.unique(ids))
    if top + 1 > 10 * distinct:
        weights = (top + 2) * embedding_dim
        message = (f"Token ids go up to {top} but only {distinct} distinct ids occur: the embedding gets {top + 2} "
                   f"rows ({weights:,} weights), nearly all never trained. Re-number the ids "
                   "(e.g. np.unique(ids, return_inverse=True)) or set max_tokens.")
        if weights > SPARSE_EMBEDDING_LIMIT:  # the optimizer's state triples it: a fit could exhaust memory
            raise ValueError(message)
        warnings.warn(message, InputWarning, stacklevel=P.user_stacklevel())


def _warn_if_level_hides_spread(mean, variance, original=None) -> None:
    """Warn when a feature varies so little against its level that float32, in which seqtune
    reads X (about 7 significant digits), keeps few distinct values of it: a sensor's small
    swings on a large baseline, say. ``mean`` and ``variance`` are of X in float32; ``original``
    (X as the caller passed it) tells a feature that float32 made constant from one that was."""
    std = np.sqrt(variance)
    level = np.abs(mean)
    ratio = np.where(level > 0, std / np.where(level > 0, level, 1.0), np.inf)
    # A constant feature says nothing, unless its level is past 2**24, where float32 steps by
    # at least 1 and may have rounded its variation away, or it varied before the cast.
    flagged = (ratio < LEVEL_SPREAD_WARNING) & ((std > 0) | (level >= 2.0**24))
    for feature in np.flatnonzero((std == 0) & (level > 0) & ~flagged):
        flagged[feature] = _varied_before_float32(original, int(feature))
    if not flagged.any():
        return
    worst = int(np.flatnonzero(flagged)[np.argmin(ratio[flagged])])
    step = level[worst] * 2.0**-24  # about float32's spacing near the level
    what = (f"varies by a standard deviation of {std[worst]:.3g} around a level of {mean[worst]:.6g}; "
            f"float32 keeps only about {int(std[worst] / step):,} distinct values a standard deviation"
            if std[worst] > 0 else
            f"is constant at {mean[worst]:.6g} in float32, which loses any variation under about {step:.3g}")
    warnings.warn(
        f"Feature {worst} of X {what} (seqtune reads X as float32, about 7 significant digits). "
        "Subtract the level before fit (X - X.mean(axis=(0, 1)) for a 3-D array; the same offset at predict).",
        InputWarning, stacklevel=P.user_stacklevel())


def _varied_before_float32(original, feature: int) -> bool:
    """Whether ``feature`` takes more than one value in ``original``, a float array wider than float32
    (2-D: one feature) or a list of them; False for anything else, which is not looked into."""
    arrays = [original] if isinstance(original, np.ndarray) else (
        list(original) if isinstance(original, (list, tuple)) else [])
    if not arrays or not all(isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.dtype.itemsize > 4
                             and a.ndim in (1, 2, 3) for a in arrays):
        return False
    single = isinstance(original, np.ndarray)
    columns = [a if (a.ndim == 2 and single) or a.ndim == 1 else a[..., feature] for a in arrays]
    values = np.concatenate([np.ravel(c) for c in columns])
    values = values[~np.isnan(values)]
    return values.size > 0 and values.min() != values.max()


def _warn_if_scales_differ(seqs: Sequences) -> None:
    """Warn when the sequences' own spreads differ by orders of magnitude: one training mean and
    variance then leave most of them near a constant (PLAID in ``bench/bench_scales.py``)."""
    if len(seqs.values) < 10:
        return
    # (n_sequences, n_features)
    spreads = (np.array([v.std(axis=0, dtype=np.float64) for v in seqs.values]) if seqs.ragged
               else seqs.values.std(axis=1, dtype=np.float64))
    low, high = np.percentile(spreads, 10, axis=0), np.percentile(spreads, 90, axis=0)
    # constant sequences (spread 0) say nothing of scale
    ratio = np.where(low > 0, high / np.where(low > 0, low, 1.0), 1.0)
    if np.max(ratio) >= SCALE_SPREAD_WARNING:
        warnings.warn(
            f"The sequences' own spreads differ by up to {np.max(ratio):,.0f}x (90th against 10th percentile"
            f"{'' if ratio.size == 1 else ', feature ' + str(int(np.argmax(ratio)))}): one training mean and "
            "variance leave the quieter sequences near a constant. If their shape, not their scale, tells "
            "them apart, pass standardize='sequence' (each sequence standardized by its own statistics).",
            InputWarning, stacklevel=P.user_stacklevel())


def check_text_support() -> None:
    """Raw text is vectorized by Keras' ``TextVectorization``, which needs TensorFlow on every Keras backend."""
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        raise ImportError(
            "X holds raw text, which seqtune turns into token ids with Keras' TextVectorization: that needs "
            "TensorFlow, on every Keras backend, and it is not installed. Install it (pip install tensorflow-cpu, "
            "or seqtune's [cpu] extra), or pass token ids instead (integer sequences, input_type='tokens').")
