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
        other = next((mark for mark in ";|\t," if mark != sep and target in str(frame.columns[0]).split(mark)), None)
        hint = f" The header looks separated by {other!r}: a .csv is read by commas, a .tsv by tabs." if other else ""
        raise ValueError(f"--target {target!r} is not a column of {path} "
                         f"(columns: {', '.join(map(str, frame.columns[:10]))}).{hint}")
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


def load_series(args):
    """``(y, X)`` of ``--task forecast``: column ``--target`` of a .csv and the ``--features`` columns
    (None without them), indexed by ``--time-column``."""
    import pandas as pd

    path = args.data
    if not path or not path.endswith(".csv"):
        raise ValueError("--task forecast needs --data FILE.csv holding the series in its --target column "
                         "(and the time stamps in --time-column, if any).")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--data {path}: no such file")
    with _reading(path, "a header row naming --target, then one row a time step"):
        frame = pd.read_csv(path)
    features = [c.strip() for c in args.features.split(",") if c.strip()] if args.features else []
    named = [("--target", args.target), ("--time-column", args.time_column)] + [("--features", c) for c in features]
    for option, column in named:
        if column is not None and column not in frame.columns:
            raise ValueError(f"{option} {column!r} is not a column of {path} "
                             f"(columns: {', '.join(map(str, frame.columns[:10]))}).")
    if args.target in features or args.time_column in features:
        raise ValueError("--features must not repeat the --target or --time-column column.")
    time_column, dates = args.time_column, None
    if time_column is None:
        time_column, dates = date_column(frame.drop(columns=[args.target, *features]))
        if time_column is not None:
            print(f"Time stamps from column {time_column!r} (--time-column names another).", flush=True)
    if time_column is not None:
        column = frame[time_column]
        if pd.api.types.is_numeric_dtype(column.dtype):  # years, step numbers: an evenly spaced numeric index
            frame.index = pd.Index(column, name=time_column)
        else:
            stamps, day_first = dates or read_dates(column)
            if stamps is None:
                raise ValueError(f"--time-column {time_column!r} does not hold dates: {day_first}")
            if day_first:
                print(f"Dates in {time_column!r} read day first (dd/mm, not mm/dd): write them as yyyy-mm-dd "
                      "if they are month first.", flush=True)
            frame.index = pd.DatetimeIndex(stamps, name=time_column)
        if not frame.index.is_monotonic_increasing:
            # A file listing the newest rows first (or out of order): the series and its held-out
            # test steps run forward in time.
            frame = frame.sort_index(kind="stable")
            print(f"Rows sorted by {time_column!r}: the file does not list them oldest first.", flush=True)
    return frame[args.target].rename(args.target), (frame[features] if features else None)


def read_dates(column):
    """``(stamps, day_first)`` of a text column of dates, or ``(None, reason)``.

    pandas reads "01/02/2020" month first. Day first is taken where only it reads every row
    ("13/01/2023" after "01/01/2023"), or where both do and only it makes regularly spaced time stamps:
    monthly "01/mm/yyyy" rows read month first are the 1st to 12th of January. ``day_first`` also says
    where pandas itself read the day first (a first row of "13/01/2023" sets its format).
    """
    import warnings

    import pandas as pd

    readings, reason = {}, None
    for day_first in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pandas' "could not infer format" note
            try:
                readings[day_first] = pd.to_datetime(column, dayfirst=day_first)
            except (ValueError, TypeError, OverflowError) as exc:
                reason = reason or str(exc)
    if not readings:
        if reason and "utc=True" in reason:  # offsets that change: pandas' export of a zone with summer time
            try:
                return _read_changing_offsets(column), False
            except (ValueError, TypeError, OverflowError) as exc:
                reason = str(exc)
        return None, reason
    if len(readings) == 1:
        day_first = next(iter(readings))
        return readings[day_first], day_first
    if readings[False].equals(readings[True]):  # pandas took the day first itself where the first row needs it
        return readings[False], _day_before_month(column)
    day_first = _regular(readings[True]) and not _regular(readings[False])
    return readings[day_first], day_first


def _regular(stamps) -> bool:
    """Whether time stamps, in order, are distinct and regularly spaced (pandas infers a frequency)."""
    import pandas as pd

    ordered = pd.DatetimeIndex(stamps).sort_values()
    return len(ordered) >= 3 and ordered.is_unique and pd.infer_freq(ordered) is not None


def _read_changing_offsets(column):
    """Time stamps whose UTC offsets change between rows ("+01:00", then "+02:00" from the change to summer
    time): their local times where those are regularly spaced and the instants are not (a daily series at
    local midnight), else the instants in UTC (an hourly series, whose local times skip or repeat an hour)."""
    import pandas as pd

    instants = pd.to_datetime(column, utc=True)
    local = pd.to_datetime(column.astype(str).str.strip().str.replace(r"(Z|[+-]\d\d:?\d\d)$", "", regex=True))
    return local if _regular(local) and not _regular(instants) else instants


def _day_before_month(column) -> bool:
    """Whether pandas reads a column of dates in a format with the day before the month, guessed from
    its first value ("13/01/2023": dd/mm/yyyy), as it does when no other reading fits that row."""
    import warnings

    from pandas.tseries.api import guess_datetime_format

    values = column.dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the note that it parses day first: what is asked here
        fmt = guess_datetime_format(str(values.iloc[0]), dayfirst=False) if len(values) else None
    return bool(fmt) and "%d" in fmt and "%m" in fmt and fmt.index("%d") < fmt.index("%m")


def date_column(others):
    """``(name, read_dates(column))`` of the one column of ``others`` (the columns neither target nor feature)
    whose text reads as dates, nearly all distinct, else ``(None, None)``: without it the series would be indexed by
    step numbers, its frequency and season unread."""
    import pandas as pd

    found = []
    for name in others.columns:
        column = others[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or column.isna().any():
            continue
        dates = read_dates(column)
        # Stamps that repeat often (month names over several years) cannot index a series; a few repeats (a
        # row written twice) are the series' own, refused by the forecaster where they are.
        if dates[0] is not None and dates[0].nunique() >= 0.9 * len(dates[0]):
            found.append((name, dates))
    return found[0] if len(found) == 1 else (None, None)
