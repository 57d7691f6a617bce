"""How tables and columns hold sequences: pandas and sktime layouts (a nested DataFrame, a Series of
sequences, a one-column table of text, a long table) read as what they hold, before :mod:`seqtune.inputs`
validates it. Plain NumPy and pandas: TensorFlow is not imported."""

from __future__ import annotations

import numpy as np


def refuse_long_table(X) -> None:
    """TypeError for a long table (several rows a sequence under a 2-level row index, sktime's
    'pd-multiindex'): read row by row it would be as many samples as rows."""
    index = getattr(X, "index", None)
    if getattr(X, "ndim", None) == 2 and getattr(index, "nlevels", 1) == 2 and \
            index.get_level_values(0).has_duplicates:
        raise TypeError(
            "X is a long table: a 2-level row index (sequence, time step) with several rows a sequence, "
            "like sktime's 'pd-multiindex'. Pass one (n_timesteps, n_features) array a sequence, e.g. "
            "[g.to_numpy() for _, g in X.groupby(level=0, sort=False)], in the order of y."
        )


def refuse_non_numeric_columns(X) -> None:
    """TypeError naming the columns of a DataFrame X (one sequence a row, one column a time step) that
    hold no numbers: time stamps or durations (any column), or text or categories beside numeric columns
    (an id or a label left in). A table of text alone is left to the caller, which reads it as text.
    Columns of sequences (a nested table) are not looked at."""
    if not hasattr(X, "dtypes") or getattr(X, "ndim", None) != 2:
        return
    import pandas as pd

    times, others = [], []
    for i, dtype in enumerate(X.dtypes):
        name = X.columns[i]
        if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            times.append(name)
        elif not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            cells = X.iloc[:, i].to_numpy(dtype=object)
            if any(_is_sequence_cell(cell) for cell in cells):
                continue
            try:  # numbers written as text ("1.5", from a CSV) are numbers
                pd.to_numeric(cells)
            except (TypeError, ValueError):
                others.append(name)
    if times:
        raise TypeError(
            f"X has column(s) of time stamps or durations {_listed(times)}; expected numbers, one column a time "
            "step. Drop them, or pass numbers of a unit that fits (elapsed seconds) or calendar features.")
    if others and len(others) < X.shape[1]:
        raise TypeError(
            f"X has non-numeric column(s) {_listed(others)} beside numeric ones; each column of a 2-D X is a "
            "time step of one sequence a row, so every column must hold numbers. Drop or encode them (an id, "
            "a category) before fitting.")


def _listed(names: list) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    return f"[{shown}{f', and {len(names) - 5} more' if len(names) > 5 else ''}]"


def frame_columns(X) -> list[str] | None:
    """The column names of a list of pandas DataFrames (one sequence each), as str; else None.

    Every DataFrame must have the same columns in the same order: a sequence whose columns
    are swapped would be read with its features swapped.
    """
    if not isinstance(X, (list, tuple)) or not X or not all(hasattr(x, "columns") for x in X):
        return None
    first = [str(c) for c in X[0].columns]
    for i, frame in enumerate(X):
        columns = [str(c) for c in frame.columns]
        if columns != first:
            raise ValueError(f"X[{i}]'s columns differ from X[0]'s: {column_difference(columns, first)}; every "
                             "sequence's DataFrame must have the same columns in the same order.")
    return first


def column_difference(columns: list, expected: list) -> str:
    """How ``columns`` differ from ``expected``, in words: the names missing or extra, else the first place
    where the order differs (lists cut to their first names hid both)."""
    missing = [c for c in expected if c not in columns]
    extra = [c for c in columns if c not in expected]
    if missing or extra:
        parts = ([f"{len(missing)} missing ({missing[:5]})"] if missing else []) + (
            [f"{len(extra)} not expected ({extra[:5]})"] if extra else [])
        return f"{len(columns)} columns against {len(expected)}, " + ", ".join(parts)
    at = next(i for i, (a, b) in enumerate(zip(columns, expected)) if a != b)
    return f"the same names in another order, from position {at} ({columns[at]!r} where {expected[at]!r} was)"


def unwrap_column(X):
    """X with a column layout read as its content: a Series (or 1-D object array) of sequences as
    a list of sequences, a one-column table of strings as its column of text; else X."""
    return _single_text_column(_column_of_sequences(nested_table(X)))


def nested_table(X):
    """A table whose every cell is a 1-D sequence (sktime's nested DataFrame: one column a channel,
    one row a sample) as a list of (n_timesteps, n_channels) arrays; else X."""
    if not _object_table(X):
        return X
    rows = np.asarray(X, dtype=object)
    if rows.size == 0 or not all(map(_is_sequence_cell, rows.flat)):
        return X
    sequences = []
    for i, row in enumerate(rows):
        lengths = {len(cell) for cell in row}
        if len(lengths) > 1:
            raise ValueError(f"X is a table of sequences (one column a channel), but row {i} holds channels of "
                             f"different lengths {sorted(lengths)}; every channel of a sample needs one value a step.")
        sequences.append(np.column_stack([np.asarray(cell) for cell in row]))
    return sequences


def nested_table_columns(X) -> list[str] | None:
    """The column names (channels) of a DataFrame whose first row holds 1-D sequences (sktime's nested
    DataFrame), as str; else None. Cheap: :func:`nested_table` reads every cell."""
    if not (hasattr(X, "columns") and _object_table(X) and len(X)):
        return None
    if not all(map(_is_sequence_cell, X.iloc[0])):
        return None
    return [str(c) for c in X.columns]


def _is_sequence_cell(cell) -> bool:
    """Whether a table's cell holds a 1-D sequence (not text, not a single value)."""
    return not isinstance(cell, str) and np.ndim(cell) == 1


def _object_table(X) -> bool:
    """Whether X is 2-D with object columns only: only those can hold sequences (so a numeric table is
    never copied into Python objects)."""
    if getattr(X, "ndim", None) != 2:
        return False
    dtypes = list(X.dtypes) if hasattr(X, "dtypes") else [getattr(X, "dtype", np.dtype(float))]
    return all(getattr(dtype, "kind", "O") == "O" for dtype in dtypes)  # pandas' own dtypes have a kind too


def _column_of_sequences(X):
    """A pandas Series or 1-D object array whose cells are sequences, as a list; else X."""
    is_series = hasattr(X, "iloc") and getattr(X, "ndim", None) == 1
    if not (is_series or (isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.kind == "O")) or len(X) == 0:
        return X
    first = X.iloc[0] if is_series else X[0]
    if isinstance(first, str) or np.ndim(first) == 0:  # text or numbers: no copy of a long column
        return X
    cells = list(X)
    # missing cells (NaN after a merge) stay in, for the ragged reader to name them
    return cells if all((not isinstance(c, str) and np.ndim(c) > 0) or is_missing(c) for c in cells) else X


def _single_text_column(X):
    """A one-column table of strings (``df[["text"]]``, an (n, 1) str array) as its column; else X."""
    if getattr(X, "ndim", None) != 2 or getattr(X, "shape", (0, 0))[1] != 1:
        return X
    column = np.asarray(X, dtype=object)[:, 0]
    return column if any(isinstance(x, str) for x in column) else X


def is_missing(x) -> bool:
    """None, a float NaN, or pandas' NA / NaT."""
    if x is None or isinstance(x, (str, list, tuple, np.ndarray)) or np.ndim(x) > 0:
        return x is None
    import pandas as pd

    return bool(pd.isna(x))
