"""Reading the command line's data files: .npz, .csv and .tsv tables of sequences or of one series.

Kept apart from :mod:`seqtune.cli` (the commands and their options); heavy imports happen inside.
"""

from __future__ import annotations

import contextlib
import os


def load_data(args):
    """(X, y) from --dataset NAME or --data FILE (.npz with X, y; .csv with a target column)."""
    import numpy as np

    if args.data:
        path = args.data
        if not os.path.isfile(path):
            raise FileNotFoundError(f"--data {path}: no such file")
        if path.endswith(".npz"):
            with np.load(path, allow_pickle=False) as npz:
                missing = {"X", "y"} - set(npz.files)
                if missing:
                    raise ValueError(f"--data {path}: the .npz needs arrays 'X' and 'y' (missing {sorted(missing)}).")
                return _npz_array(npz, "X", path), _npz_array(npz, "y", path)
        if path.endswith((".csv", ".tsv")):
            with _reading(path, "one row a sequence"):
                frame, y = read_table(path, args.target)
            return csv_sequences(frame, path), y
        raise ValueError(f"--data {path}: expected a .npz (arrays X, y), or a .csv or .tsv (one row a sequence, "
                         "or one text column).")
    from seqtune.datasets import load

    return load(args.dataset)


def _npz_array(npz, name: str, path: str):
    """Array ``name`` of an .npz; one of Python objects (sequences of different lengths) is refused by name:
    loading it runs pickle, which can execute code from the file."""
    try:
        return npz[name]
    except ValueError as exc:
        if "allow_pickle" not in str(exc):
            raise
        raise ValueError(f"--data {path}: array {name!r} holds Python objects (sequences of different lengths?), "
                         "which only pickle loads, and pickle can run code from a file. Save such sequences as "
                         "a .csv, one row a sequence (rows may end early), or pad them to one length.") from None


@contextlib.contextmanager
def _reading(path: str, expected: str):
    """pandas' and Python's reading errors as one line naming ``--data`` and what was ``expected``."""
    import pandas as pd

    try:
        yield
    except pd.errors.EmptyDataError:
        raise ValueError(f"--data {path}: the file is empty; expected {expected}.") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"--data {path} is not UTF-8 text (byte {exc.object[exc.start]:#x} at position {exc.start}); "
                         f"convert it first, e.g. from Latin-1: iconv -f latin1 -t utf-8 {path} > utf8.csv") from None


def read_table(path: str, target: str):
    """``(frame, y)`` of a .csv or .tsv of one sample a row: the columns besides the target, and the target.

    A file whose first row is data (:func:`is_data_row`) has no header (the UCR archive's layout,
    label first): its columns are numbered from 0, and the label is column 0 unless ``--target``
    names another number. Rows may end early, with or without trailing separators.
    """
    import csv

    import numpy as np
    import pandas as pd

    sep = "\t" if path.endswith(".tsv") else ","
    with open(path, newline="") as handle:
        rows = csv.reader(handle, delimiter=sep)
        first = next(rows, [])
        width = max([len(first), *(len(row) for row in rows)])
    headerless = is_data_row(first, target)
    # Rows may end early without trailing separators (sequences of different lengths): read
    # every row as wide as the widest; a header names the columns it has.
    # Only empty cells are missing while reading: "NA", "None" or "null" may be a label (North America)
    # or a document. A column of numbers keeps pandas' missing-value markers as missing (R writes NA).
    literal = {"sep": sep, "keep_default_na": False, "na_values": [""]}
    if headerless:
        frame = pd.read_csv(path, header=None, names=range(width), **literal)
    else:
        names = list(pd.read_csv(path, nrows=0, **literal).columns)  # pandas' names: blanks, repeats
        frame = pd.read_csv(path, header=0, names=[*names, *(f"Unnamed: {i}" for i in range(len(names), width))],
                            **literal)
    frame = frame.apply(numbers_with_missing_markers)
    if frame.empty:
        raise ValueError(f"--data {path}: the file has no rows (columns: "
                         f"{', '.join(map(str, frame.columns[:10])) or 'none'}); expected one row a sequence.")
    if headerless:
        frame.columns = [str(i) for i in range(frame.shape[1])]
        if target == "target":  # the default: the UCR layout
            target = "0"
            print(f"{path} has no header row: labels from its first column (--target N takes column N, from 0).")
        elif target not in frame.columns:
            raise ValueError(f"--target {target!r}: {path} has no header row, so --target is a column number "
                             f"from 0 to {frame.shape[1] - 1}.")
    if target not in frame.columns:
        raise ValueError(f"--target {target!r} is not a column of {path} "
                         f"(columns: {', '.join(map(str, frame.columns[:10]))}).{separator_hint(frame, target, sep)}")
    # (the only column besides the target is the data: text whose header cell is blank, say)
    if not headerless and not first[0].strip() and frame.shape[1] > 2 and is_row_index(frame.iloc[:, 0]):
        print(f"{path}: the first column has no name and numbers the rows (a pandas index, which to_csv writes "
              "unless index=False): left out of the sequences.", flush=True)
        frame = frame.iloc[:, 1:]
    y = frame.pop(target)
    if y.isna().any():
        raise ValueError(f"--target {target!r}: {int(y.isna().sum())} row(s) of {path} have no value (first: data "
                         f"row {int(np.flatnonzero(y.isna())[0])}, from 0); drop those rows or fill them in.")
    return frame, y.to_numpy()


def separator_hint(frame, name: str, sep: str = ",") -> str:
    """A hint where the column ``name``, not found, is in a header split by another separator than ``sep``."""
    other = next((mark for mark in ";|\t," if mark != sep and name in str(frame.columns[0]).split(mark)), None)
    return f" The header looks separated by {other!r}: a .csv is read by commas, a .tsv by tabs." if other else ""


# pandas' markers of a missing value (read_csv's default na_values, less the empty cell)
MISSING_MARKERS = frozenset({"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                             "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})


def numbers_with_missing_markers(column):
    """A column of numbers and missing-value markers ("NA", "null", ...) as numbers with NaN; any other
    column as it is (text keeps "NA" as a word, labels as a label)."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column.dtype):
        return column
    marked = column.isin(MISSING_MARKERS)
    numbers = pd.to_numeric(column.mask(marked), errors="coerce")
    if marked.any() and numbers.notna().sum() == (column.notna() & ~marked).sum():
        return numbers
    return column


def is_row_index(column) -> bool:
    """Whether a table's column numbers or names its rows: increasing integers, or distinct text labels.
    Read as a time step, row numbers are data that follow the file's order (and leak the labels of a
    file sorted by them)."""
    import numpy as np
    import pandas as pd

    if column.isna().any():
        return False
    if pd.api.types.is_integer_dtype(column.dtype):
        return bool(np.all(np.diff(column.to_numpy()) > 0))
    text = pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)
    return text and column.is_unique and not pd.to_numeric(column, errors="coerce").notna().any()


def is_data_row(first: list, target: str) -> bool:
    """Whether a table's first row is data, not a header: numbers after the first cell (empty cells
    where the row ends early), and a first cell that is a number or a label (UCR's layout, "up,0.1,0.2").

    A first row naming --target, or numbering the steps ("label,0,1,2"), is a header.
    """
    values = [cell for cell in first[1:] if cell.strip()]
    if not first or not values or not all(_is_number(cell) for cell in values):
        return False
    if _is_number(first[0]):
        return True
    if target in first:
        return False
    steps = [float(cell) for cell in values]
    return steps != list(range(int(steps[0]), int(steps[0]) + len(steps)))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def csv_sequences(frame, path: str):
    """X from the non-target columns of a .csv: one text column (documents), or numeric columns
    holding one sequence a row (rows may end early: empty trailing cells make them shorter)."""
    import numpy as np
    import pandas as pd

    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    if text:
        if len(frame.columns) == 1:
            documents = frame[text[0]]
            if documents.isna().any():
                print(f"{path}: {int(documents.isna().sum())} empty cell(s) of column {text[0]!r} read as empty "
                      "documents.", flush=True)
            return documents.fillna("").astype(str).tolist()
        raise ValueError(f"--data {path}: column(s) {text[:5]} are not numeric. A .csv holds either one text "
                         "column (documents) or numeric columns (one row a sequence), besides --target.")
    values = frame.to_numpy(dtype=float)
    missing = np.isnan(values)
    if not missing.any():
        return values
    lengths = (~missing).sum(axis=1)
    if not all(np.all(~missing[i, :n]) for i, n in enumerate(lengths)) or lengths.min() == 0:
        row = int(np.flatnonzero(missing.any(axis=1))[0])
        raise ValueError(f"--data {path}: row {row} has an empty cell before its last value (or no values). "
                         "Rows may only end early; fill or drop the missing values.")
    return [row[:n] for row, n in zip(values, lengths)]
