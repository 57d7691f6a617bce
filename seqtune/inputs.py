"""Validation and conversion of every input kind the estimators accept.

Accepted ``X``:

* a 3-D numeric array ``(n_samples, n_timesteps, n_features)``;
* a 2-D numeric array ``(n_samples, n_timesteps)``: one univariate sequence a row;
* a list of 2-D numeric arrays ``(t_i, n_features)`` of different lengths (ragged);
* a table whose every cell is a 1-D sequence (sktime's nested DataFrame: one column a
  channel), read as the list of its rows' ``(t_i, n_channels)`` arrays;
* integer token ids: a 2-D integer array or a list of 1-D integer arrays;
* raw text: a 1-D array, list or pandas Series of ``str``.

Everything here is plain NumPy: TensorFlow is not imported. Numeric sequences of
different lengths are padded with NaN (our validation refuses NaN in real data,
so NaN marks padding without ambiguity); token sequences are padded with 0, the
id Keras reserves for padding.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from seqtune import _params as P
from seqtune._input_tables import is_missing, refuse_long_table, refuse_non_numeric_columns, unwrap_column

INPUT_TYPES = ("auto", "numeric", "tokens", "text")


@dataclass
class Sequences:
    """Sequences converted to arrays, ready for batching.

    Attributes
    ----------
    kind : {"numeric", "tokens", "text"}
    values : list of ndarray or ndarray
        ``numeric``: float32 array ``(n, t, f)`` or list of ``(t_i, f)`` arrays;
        ``tokens``: int array ``(n, t)`` or list of 1-D int arrays;
        ``text``: 1-D object array of str.
    ragged : bool
        Whether the sequences have different lengths.
    layout : {"3d", "2d", "list", "text"}
        The layout the user passed.
    """

    kind: str
    values: object
    ragged: bool
    layout: str

    def __len__(self) -> int:
        return len(self.values)

    @property
    def n_features(self) -> int | None:
        if self.kind != "numeric":
            return None
        first = self.values[0]
        return int(first.shape[-1])

    def subset(self, index) -> "Sequences":
        """The sequences at ``index``, in that order."""
        if isinstance(self.values, np.ndarray):
            return Sequences(self.kind, self.values[index], self.ragged, self.layout)
        values = [self.values[i] for i in index]
        ragged = len({len(v) for v in values}) > 1
        return Sequences(self.kind, values if ragged else np.stack(values), ragged, self.layout)

    def lengths(self) -> np.ndarray:
        """Length (number of time steps) of every sequence."""
        if self.kind == "text":
            raise TypeError("text has no length before it is vectorized")
        if isinstance(self.values, np.ndarray):
            return np.full(len(self.values), self.values.shape[1], dtype=np.int64)
        return np.array([len(s) for s in self.values], dtype=np.int64)


def is_text(X) -> bool:
    """Whether X is raw text (a 1-D sequence of str); TypeError for a lone or mixed str."""
    if isinstance(X, str) or (isinstance(X, np.ndarray) and X.ndim == 0 and isinstance(X.item(), str)):
        raise TypeError(
            "X is a single string; expected a list, array or Series of strings (one document a sample)."
        )
    if isinstance(X, (list, tuple)):
        # Strings beside sequences are refused later ("string inside a list"); strings beside
        # scalars (None, NaN, numbers) are a text column with gaps.
        if not any(isinstance(x, str) for x in X) or any(np.ndim(x) > 0 for x in X):
            return False
        values = np.empty(len(X), dtype=object)
        values[:] = list(X)
        return _all_strings(values)
    dtype = getattr(X, "dtype", None)
    ndim = getattr(X, "ndim", None)
    if ndim != 1 or dtype is None:
        return False
    if dtype.kind == "S":  # NumPy bytes: refused like a list of bytes, whatever they decode to
        raise TypeError(f"X is a NumPy array of bytes (dtype {dtype}); text must be str. Decode the documents "
                        "first, e.g. np.char.decode(X, 'utf-8').")
    if dtype.kind == "U":
        return True
    if dtype.kind == "O" or str(dtype) in ("string", "str"):
        values = np.asarray(X, dtype=object)
        return any(isinstance(x, str) for x in values) and _all_strings(values)
    return False


class InputWarning(UserWarning):
    """How X or y is read may not be what its owner meant (layout, token ids, truncation, a series that
    repeats exactly): shown once a fit, once a search."""


@contextlib.contextmanager
def input_notes_hidden():
    """No :class:`InputWarning` while the block runs: for fits and predictions on data whose notes were
    shown once already (a search's trials, its refit)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        yield


def _warn_read_as_tokens(where: str) -> None:
    warnings.warn(
        f"{where} holds non-negative integers, read as token ids (input_type='auto'): each value is a word "
        "of a vocabulary, embedded, and 0 is padding. If they are counts or measurements, pass "
        "input_type='numeric' (or X.astype(float)); pass input_type='tokens' to confirm token ids.",
        InputWarning,
        stacklevel=P.user_stacklevel(),
    )


def _refuse_bytes(X) -> None:
    """TypeError for documents given as bytes (e.g. files read in binary mode): decoding is the user's call.
    Called where X was found to be neither text nor sequences, so a valid X pays nothing for it."""
    if isinstance(X, (list, tuple)) or (isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.kind == "O"):
        position = next((i for i, x in enumerate(X) if isinstance(x, (bytes, bytearray))), None)
        if position is not None:
            raise TypeError(
                f"X holds bytes (first at position {position}); text must be str. Decode the documents "
                "first, e.g. [doc.decode('utf-8') for doc in X]."
            )


def refuse_unreadable_text(X) -> None:
    """The errors for what looks meant as text but is not: no documents, bytes, all missing."""
    if hasattr(X, "__len__") and len(X) == 0:
        raise ValueError("X is empty (0 samples); expected at least one document.")
    _refuse_bytes(X)
    values = X.to_numpy() if hasattr(X, "to_numpy") else X
    # Rows of a table and sequences of a list are never missing: np.ndim would fail on ragged lists.
    if isinstance(values, (list, tuple, np.ndarray)) and all(is_missing(x) for x in values):
        raise TypeError(f"X holds no text: all {len(values)} documents are missing (None/NaN/NA).")


# The advice for text that comes as words (pre-tokenized) or in several columns.
_ONE_STR_A_SAMPLE = ("Text is read as one str a sample: join pre-tokenized words (' '.join(words)) "
                     "or several text columns (df['title'] + ' ' + df['body']) into one document each.")


def _refuse_unencodable(texts) -> None:
    """A ValueError naming the first document UTF-8 cannot encode (lone surrogates, as left by
    ``bytes.decode(..., errors="surrogateescape")``), which TensorFlow would refuse unnamed."""
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        for i, doc in enumerate(texts):
            try:
                doc.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"X[{i}] is not valid Unicode text ({exc.reason} at character {exc.start}: "
                    f"{doc[max(0, exc.start - 10): exc.start + 10]!r}), as bytes decoded with "
                    "errors='surrogateescape' leave it. Decode the bytes with their real encoding "
                    "(e.g. .decode('latin-1')) or with errors='replace'."
                ) from None


def _all_strings(values: np.ndarray) -> bool:
    """True when every value is a str; TypeError naming the others (missing ones first) if not."""
    if all(isinstance(x, str) for x in values):
        return True
    _refuse_bytes(values)
    kinds = {type(x).__name__ for x in values}
    missing = [i for i, x in enumerate(values) if is_missing(x)]
    hint = (f" {len(missing)} of them are missing (None/NaN/NA, first at position {missing[0]}): "
            "fill them, e.g. X.fillna(''), or drop those rows." if missing else "")
    raise TypeError(
        f"X is a 1-D array mixing strings with other types ({sorted(kinds)}); "
        f"expected text (all str) or numeric sequences.{hint}"
    )


def object_as_float(values: np.ndarray) -> np.ndarray:
    """An object array of numbers as float64, pandas' missing markers (``pd.NA`` of nullable dtypes,
    None) read as NaN so that the NaN check names their place. Raises TypeError/ValueError on non-numbers."""
    import pandas as pd

    return np.where(pd.isna(values), np.nan, values).astype(np.float64)


def _looks_ragged(X) -> bool:
    """A list/tuple whose elements are sequences of different lengths or shapes."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    shapes = set()
    for item in X:
        shape = np.shape(item) if not isinstance(item, str) else ()
        shapes.add(shape)
        if len(shapes) > 1:
            return True
    return False


def _is_integer_array(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "iub" and arr.dtype.kind != "b"


def _refuse_times(values: np.ndarray, what: str) -> None:
    """TypeError for datetime64/timedelta64 values: cast to float32 they lose their resolution (time stamps
    of distinct minutes become one number), and a time stamp is rarely the measurement meant."""
    if values.dtype.kind in "mM":
        kind = "time stamps" if values.dtype.kind == "M" else "durations"
        raise TypeError(
            f"{what} has dtype {values.dtype} ({kind}); expected numbers, which the network reads in float32, "
            "where time stamps lose their resolution. Pass numbers of a unit that fits: elapsed time, e.g. "
            "(X - X[:, :1]) / np.timedelta64(1, 's'), or calendar features (hour, weekday) as features."
        )


def _integer_cells(table: np.ndarray) -> bool:
    """An object table of integers only (pandas' nullable Int64 columns, ints in an object array): integers
    as int64 ones are, so that "auto" reads them alike."""
    return table.dtype.kind == "O" and table.size > 0 and all(
        isinstance(cell, Integral) and not isinstance(cell, (bool, np.bool_)) for cell in table.flat)


def _dtype_words(X) -> str:
    """``"dtype float64"``, or a DataFrame's ``"columns of dtype ['Float64', 'int64']"``."""
    if hasattr(X, "dtypes") and not hasattr(X, "dtype"):
        return f"columns of dtype {sorted({str(d) for d in X.dtypes})}"
    return f"dtype {np.asarray(X).dtype}"


def _check_tokens(arr: np.ndarray, what: str) -> np.ndarray:
    if arr.size and arr.min() < 0:
        raise ValueError(
            f"{what} contains negative token ids (min {int(arr.min())}); "
            "token ids must be non-negative integers (0 is padding)."
        )
    return arr.astype(np.int64, copy=False)


def _convert_ragged(X, input_type: str) -> Sequences:
    items = []
    for i, item in enumerate(X):
        if isinstance(item, str):
            raise TypeError(
                f"X[{i}] is a string inside a list of sequences; pass text as a flat list of str, "
                "or numeric sequences as arrays."
            )
        if is_missing(item):
            raise TypeError(f"X[{i}] is missing ({item!r}) where a sequence was expected; drop that sample "
                            "or fill it with a sequence.")
        arr = np.asarray(item)
        if arr.dtype.kind in "US":
            raise TypeError(f"X[{i}] is a sequence of strings. {_ONE_STR_A_SAMPLE}")
        if arr.dtype.kind == "O":
            try:
                arr = object_as_float(arr)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"X[{i}] holds values that are not numbers ({exc}); expected a numeric sequence."
                ) from None
        _refuse_times(arr, f"X[{i}]")
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"X[{i}] has dtype {arr.dtype}; expected a numeric sequence.")
        items.append(arr)
    ndims = {a.ndim for a in items}
    # An empty list is float64 to NumPy: it says nothing of the others' kind (refused below as empty)
    integers = all(_is_integer_array(a) or a.size == 0 for a in items)
    # As for a 2-D array: "auto" reads non-negative integers as token ids, others as numbers.
    if ndims == {1} and integers and (input_type == "tokens" or (
            input_type == "auto" and all(a.min(initial=0) >= 0 for a in items))):
        tokens = [_check_tokens(a, f"X[{i}]") for i, a in enumerate(items)]
        _check_nonempty(tokens)
        if input_type == "auto":
            _warn_read_as_tokens("X, a list of integer arrays,")
        return Sequences("tokens", tokens, ragged=True, layout="list")
    if input_type == "tokens":
        raise ValueError(
            "input_type='tokens' expects a list of 1-D integer arrays; "
            f"got arrays with ndim {sorted(ndims)} and dtypes {sorted({str(a.dtype) for a in items})}."
        )
    seqs = []
    for i, arr in enumerate(items):
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(
                f"X[{i}] has {arr.ndim} dimensions; each sequence in a list must be 2-D "
                "(n_timesteps, n_features) or 1-D (n_timesteps,)."
            )
        _refuse_unreadable(arr, f"X[{i}]", ("step", "feature"))
        arr = check_array(arr, dtype=np.float32, ensure_min_samples=0, input_name=f"X[{i}]")
        seqs.append(arr)
    feature_counts = sorted({a.shape[1] for a in seqs})
    if len(feature_counts) > 1:
        # every array with as many rows: channels first (features x steps), as sktime's nested data gives them
        rows = {a.shape[0] for a in seqs}
        hint = (f" Each sequence has {rows.pop()} rows: if those are its features (channels first), pass "
                "[x.T for x in X]." if len(rows) == 1 else "")
        raise ValueError(
            f"The sequences in X have different numbers of features {feature_counts[:10]}; "
            f"every sequence must have the same number of features per time step.{hint}"
        )
    _check_nonempty(seqs)
    return Sequences("numeric", seqs, ragged=True, layout="list")


def _check_nonempty(seqs) -> None:
    empty = [i for i, s in enumerate(seqs) if len(s) == 0]
    if empty:
        raise ValueError(
            f"X has {len(empty)} zero-length sequence(s) (first at index {empty[0]}); "
            "every sequence needs at least one time step."
        )


def _refuse_unreadable(values, what: str, axes: tuple) -> None:
    """ValueError naming where numeric ``values`` (``what``, indexed by ``axes``) hold NaN, infinity or
    values beyond float32's range (the network computes in float32), or that they are complex:
    scikit-learn's "Input contains NaN" or "infinity or a value too large" names no place, and
    casting first warns of overflow.

    A table of sequences a row that only end early in NaN (sequences of different lengths exported as a
    table, as variable-length UCR datasets are) gets the one-line conversion to a list of sequences.
    """
    values = np.asarray(values)
    if values.dtype.kind == "c":
        raise ValueError(  # scikit-learn's wording leads, as its estimator checks expect it
            f"Complex data not supported: {what} holds complex numbers (dtype {values.dtype}); expected real "
            "numbers. Pass the real and imaginary parts as features of their own, e.g. "
            "np.concatenate([X.real, X.imag], axis=-1), or the magnitude, np.abs(X)."
        )
    if values.dtype.kind != "f":
        return
    with np.errstate(invalid="ignore"):
        unreadable = ~(np.abs(values) <= np.finfo(np.float32).max)  # NaN, infinity, or too large for float32
    if not unreadable.any():  # the common case: one pass over the data
        return
    missing = np.isnan(values)
    if not missing.any():
        first = tuple(np.argwhere(unreadable)[0])
        raise ValueError(
            f"{what} contains {int(unreadable.sum())} infinite value(s) or value(s) beyond float32's range "
            f"(+-3.4e38; first at {_place(axes, first)}: {float(values[first]):.4g}); the network computes "
            "in float32. Replace infinities, and rescale huge values (divide by a constant, or take logs)."
        )
    if axes == ("sample", "step") and not missing[:, 0].any() and \
            np.all(np.diff(missing.astype(np.int8), axis=1) >= 0):
        rows = np.flatnonzero(missing[:, -1])
        raise ValueError(
            f"{what} has NaN at the end of {len(rows)} row(s) (first: row {rows[0]}): sequences of different "
            "lengths? Pass them as a list, [row[~np.isnan(row)] for row in X]; seqtune pads and masks them."
        )
    raise ValueError(
        f"{what} contains {int(missing.sum())} NaN value(s) (first at {_place(axes, np.argwhere(missing)[0])}); "
        "a recurrent network cannot read missing values. Fill them (e.g. carry the last value forward along "
        "time) or drop those samples."
    )


def _place(axes: tuple, index) -> str:
    """``"sample 1, step 2"``: where ``index`` is along ``axes``."""
    return ", ".join(f"{axis} {int(i)}" for axis, i in zip(axes, index))


def to_sequences(X, *, input_type: str = "auto", estimator=None, reset: bool = True) -> Sequences:
    """Validate ``X`` and convert it to :class:`Sequences`.

    Parameters
    ----------
    X : array-like, list of arrays, or sequence of str
        See the module docstring for the accepted layouts.
    input_type : {"auto", "numeric", "tokens", "text"}
        ``"auto"`` treats strings as text, non-negative integer arrays as token ids
        and everything else as numeric.
    estimator : estimator, optional
        For 2-D numeric input (not token ids), passed to scikit-learn's ``validate_data`` so that
        ``n_features_in_`` and ``feature_names_in_`` follow scikit-learn's rules.
    reset : bool
        Whether this call is a ``fit`` (True) or a later call (False).
    """
    if input_type not in INPUT_TYPES:
        raise ValueError(f"input_type={input_type!r} is not one of {INPUT_TYPES}.")
    if X is None:
        raise ValueError("X is None; expected sequences (array, list of arrays or text).")
    if hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            "Sparse input is not supported: X is a sparse matrix, but sequences must be dense; "
            "convert with X.toarray()."
        )
    if isinstance(X, (list, tuple)) and len(X) == 0:
        raise ValueError("X is empty (0 samples); expected at least one sequence.")
    X = unwrap_column(X)
    refuse_long_table(X)
    if is_text(X):
        if input_type not in ("auto", "text"):
            raise ValueError(f"X holds strings but input_type={input_type!r}; use input_type='text'.")
        values = np.asarray(list(X), dtype=object)
        if len(values) == 0:
            raise ValueError("X is empty (0 samples); expected at least one document.")
        _refuse_unencodable(values)
        return Sequences("text", values, ragged=True, layout="text")
    if input_type == "text":
        refuse_unreadable_text(X)
        raise TypeError(
            f"input_type='text' expects a 1-D sequence of str; got {type(X).__name__}."
        )
    if _looks_ragged(X):
        if len(X) == 0:
            raise ValueError("X is empty (0 samples).")
        return _convert_ragged(X, input_type)
    if hasattr(X, "__array__") or isinstance(X, (list, tuple)):
        probe = X if hasattr(X, "iloc") else np.asarray(X)
    else:
        raise TypeError(
            f"X of type {type(X).__name__} is not supported; expected a numeric array, "
            "a list of arrays, or a list of str."
        )
    ndim = np.ndim(probe)
    if ndim == 3:
        arr = np.asarray(probe)
        _refuse_times(arr, "X")
        if arr.dtype.kind == "O":
            try:
                arr = object_as_float(arr)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"X holds values that are not numbers ({exc}).") from None
        if input_type == "tokens":
            raise ValueError("input_type='tokens' expects a 2-D integer array or a list of 1-D ones; got 3-D X.")
        _refuse_unreadable(arr, "X", ("sample", "step", "feature"))
        arr = check_array(arr, dtype=np.float32, allow_nd=True, ensure_min_features=1)
        if arr.shape[1] == 0 and isinstance(X, (list, tuple)):
            _check_nonempty(arr)  # a list of empty (0, n_features) arrays: named by index, as ragged lists are
        if arr.shape[1] == 0 or arr.shape[2] == 0:
            raise ValueError(f"X has shape {arr.shape}; sequences need at least one time step and one feature.")
        steps, features = arr.shape[1], arr.shape[2]
        if reset and (steps == 1 < features or (steps <= 16 and features >= 4 * steps)):
            # Few steps of many features: more likely sktime's channels-first layout (BasicMotions
            # comes as (40, 6, 100): 6 channels of 100 steps, not 6 steps of 100 features).
            seen = "a single step" if steps == 1 else f"only {steps} steps"
            warnings.warn(
                f"X has shape {arr.shape}: {steps} time step{'s' * (steps > 1)} of {features} features, read "
                f"as (n_samples, n_timesteps, n_features), so the recurrent layer sees {seen}. If X is "
                "(n_samples, n_channels, n_timesteps), as in sktime, pass X.transpose(0, 2, 1).",
                InputWarning,
                stacklevel=P.user_stacklevel(),
            )
        return Sequences("numeric", arr, ragged=False, layout="3d")
    if ndim == 2:
        refuse_non_numeric_columns(probe)
        raw = np.asarray(probe)
        _refuse_times(raw, "X")
        if raw.shape[1] == 0 and len(raw):  # also a list of empty sequences ([[]]); scikit-learn's words kept
            raise ValueError(f"X holds {len(raw)} sequence(s), all of zero length: every sequence needs at least one "
                             f"time step (found array with 0 feature(s) (shape={raw.shape}) while a minimum of 1 "
                             "is required).")
        if raw.dtype.kind in "US" or (raw.dtype.kind == "O" and any(isinstance(cell, str) for cell in raw.flat)):
            try:  # numbers written as strings ("1.5", from a CSV) are read as numbers, as before
                raw.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"X is a 2-D table of strings (shape {raw.shape}). {_ONE_STR_A_SAMPLE}") from None
        if raw.dtype.kind == "O" and any(np.ndim(cell) > 0 for cell in raw.flat if not isinstance(cell, str)):
            raise TypeError(
                "X is a table whose cells mix sequences and single values; a table of sequences (like "
                "sktime's nested DataFrame) needs a sequence in every cell. Else pass a 3-D array "
                "(n_samples, n_timesteps, n_features) or a list of (n_timesteps, n_features) arrays."
            )
        values = raw
        if raw.dtype.kind == "O":  # a table of nullable pandas dtypes: its pd.NA are missing values too
            try:
                values = object_as_float(raw)
            except (TypeError, ValueError):
                pass  # not numbers: scikit-learn's conversion below says so
        _refuse_unreadable(values, "X", ("sample", "step"))
        integer = _is_integer_array(raw) or _integer_cells(raw)
        tokens = input_type == "tokens" or (input_type == "auto" and integer and raw.min(initial=0) >= 0)
        if input_type == "tokens" and not integer:
            raise ValueError(f"input_type='tokens' expects integer token ids; got {_dtype_words(probe)}.")
        dtype = None if tokens else np.float32
        if estimator is not None and not tokens:
            # Columns of token ids are time steps, free in number like a list's lengths.
            arr = validate_data(estimator, X, reset=reset, dtype=dtype)
        else:
            arr = check_array(raw.astype(np.int64) if tokens and raw.dtype.kind == "O" else X, dtype=dtype)
        if tokens:
            if input_type == "auto":
                _warn_read_as_tokens("X, an integer array,")
            return Sequences("tokens", _check_tokens(np.asarray(arr), "X"), ragged=False, layout="2d")
        return Sequences("numeric", np.asarray(arr, dtype=np.float32)[:, :, None], ragged=False, layout="2d")
    if ndim == 1:
        _refuse_bytes(X)
        raise ValueError(
            "Expected 2D array, got 1D array instead: X should be 2-D (n_samples, n_timesteps), "
            "3-D (n_samples, n_timesteps, n_features), a list of sequences, or a list of str. "
            "Reshape your data either using array.reshape(-1, 1) if your data has a single feature "
            "or array.reshape(1, -1) if it contains a single sample."
        )
    raise ValueError(
        f"X has {ndim} dimensions; expected 2-D (n_samples, n_timesteps), "
        "3-D (n_samples, n_timesteps, n_features), a list of sequences, or a list of str."
    )


def length_bucket(n: int) -> int:
    """Round a sequence length up to a small set of sizes (1, 2, 3, 4, 6, 8, 12, 16, ...).

    Padding to these sizes wastes at most a third of the steps while keeping the
    number of distinct shapes (each one a compilation) logarithmic in the length.
    """
    if n <= 4:
        return max(int(n), 1)
    power = 1 << (int(n - 1).bit_length() - 1)  # largest power of two < n
    return power + power // 2 if n <= power + power // 2 else 2 * power


def pad(seqs, length: int, *, kind: str, n_features: int | None = None) -> np.ndarray:
    """Pad (or truncate, keeping the first ``length`` steps) sequences to one array."""
    n = len(seqs)
    if kind == "tokens":
        out = np.zeros((n, length), dtype=np.int64)
    else:
        out = np.full((n, length, n_features), np.nan, dtype=np.float32)
    for i, s in enumerate(seqs):
        m = min(len(s), length)
        out[i, :m] = s[:m]
    return out


def is_integral(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)
