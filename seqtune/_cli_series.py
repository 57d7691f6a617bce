"""Reading the series of ``seqtune tune --task forecast`` from a .csv: its target, covariates and time stamps.

Kept apart from :mod:`seqtune._cli_data` (tables of sequences); heavy imports happen inside. Rows are named
by their line in the file (the header is line 1), where a spreadsheet or an editor shows them.
"""

from __future__ import annotations

import os

from seqtune._cli_data import _reading, numbers_with_missing_markers, separator_hint

# A text column holds dates where at least this share of its cells read as dates: the others are errors to name.
MOSTLY_DATES = 0.9
# Time stamps at least this share distinct index one series (a row written twice is the series' own, refused by
# the forecaster where it is); fewer are month names over several years, or several series stacked.
DISTINCT_STAMPS = 0.9


def load_series(args):
    """``(y, X)`` of ``--task forecast``: column ``--target`` of a .csv and the ``--features`` columns
    (None without them), indexed by ``--time-column`` (else by the one column of dates, if any)."""
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
                             f"(columns: {', '.join(map(str, frame.columns[:10]))}).{separator_hint(frame, column)}")
    if args.target in features or args.time_column in features:
        raise ValueError("--features must not repeat the --target or --time-column column.")
    for option, column in [("--target", args.target)] + [("--features", c) for c in features]:
        frame[column] = _numbers(frame[column], f"{option} {column!r}")
    others = frame.drop(columns=[args.target, *features])
    time_column, dates = args.time_column, None
    if time_column is None:
        time_column, dates = date_column(others)
        if time_column is not None:
            print(f"Time stamps from column {time_column!r} (--time-column names another).", flush=True)
    if time_column is not None:
        frame.index = _time_index(frame[time_column], dates)
        _refuse_stacked(others.drop(columns=[time_column]), frame.index)
        if not frame.index.is_monotonic_increasing:
            # A file listing the newest rows first (or out of order): the series and its held-out
            # test steps run forward in time.
            frame = frame.sort_index(kind="stable")
            print(f"Rows sorted by {time_column!r}: the file does not list them oldest first.", flush=True)
    return frame[args.target].rename(args.target), (frame[features] if features else None)


def _line(position: int) -> int:
    """The file's line of a data row (the header is line 1)."""
    return int(position) + 2


def _numbers(column, what: str):
    """A column of numbers (pandas' missing-value markers as NaN), or a ValueError naming the first other cell."""
    import numpy as np
    import pandas as pd

    column = numbers_with_missing_markers(column)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column
    text = column.notna() & pd.to_numeric(column, errors="coerce").isna()
    position = int(np.flatnonzero(text)[0])
    value = str(column.iloc[position])
    hint = " Numbers are read with a point for decimals and no thousands separators." if "," in value else ""
    raise ValueError(f"{what} holds {value!r} on line {_line(position)}, which is not a number; expected numbers "
                     f"(an empty cell is a missing value).{hint}")


def _time_index(column, dates=None):
    """The time index a column makes: numbers (years, step numbers) as they are, text read as dates
    (``dates``: :func:`read_dates`' reading, if made); a ValueError naming the first row without one."""
    import numpy as np
    import pandas as pd

    what = f"--time-column {column.name!r}"
    if pd.api.types.is_numeric_dtype(column.dtype):
        if column.isna().any():
            raise ValueError(f"{what} is empty on line {_line(np.flatnonzero(column.isna())[0])}; expected a time "
                             "step on every row.")
        return pd.Index(column, name=column.name)
    if dates is None:
        readable = _date_cells(column)
        if not readable.any():
            raise ValueError(f"{what} does not hold dates (its first value: {column.iloc[0]!r}).")
        if not readable.all():
            raise ValueError(_unreadable(what, column, readable) + " Fix or drop that row.")
        dates = read_dates(column)
    stamps, day_first = dates
    if stamps is None:  # each cell reads, but not all in one format
        raise ValueError(f"{what} does not hold dates in one format: {str(day_first).splitlines()[0]}")
    if day_first:
        print(f"Dates in {column.name!r} read day first (dd/mm, not mm/dd): write them as yyyy-mm-dd "
              "if they are month first.", flush=True)
    return pd.DatetimeIndex(stamps, name=column.name)


def _date_cells(column):
    """Which cells of a text column read as dates (a boolean Series), by the reading that reads the most:
    month first, day first, or as instants in UTC (offsets that change with summer time)."""
    import warnings

    import pandas as pd

    best = pd.Series(False, index=column.index)
    for options in ({"dayfirst": False}, {"dayfirst": True}, {"utc": True}):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # pandas' "could not infer format" note
                read = pd.to_datetime(column, errors="coerce", **options).notna()
        except (ValueError, TypeError, OverflowError):
            continue
        if read.sum() > best.sum():
            best = read
    return best


def _unreadable(what: str, column, readable) -> str:
    """Where a column of dates has a cell that is empty or no date, in words."""
    import numpy as np
    import pandas as pd

    position = int(np.flatnonzero(~readable.to_numpy())[0])
    value = column.iloc[position]
    cell = "is empty" if pd.isna(value) or not str(value).strip() else f"holds {value!r}, which reads as no date,"
    return (f"{what} {cell} on line {_line(position)}; its other rows read as dates (e.g. "
            f"{column[readable].iloc[0]!r}).")


def _refuse_stacked(others, stamps) -> None:
    """Raise where time stamps repeat and a column of ``others`` tells the rows of each time apart: the
    file holds several series, one under another (a "long" table, one row a series and time)."""
    import pandas as pd

    stamps = pd.Index(stamps)
    if stamps.nunique() >= DISTINCT_STAMPS * len(stamps):
        return
    for name in others.columns:
        ids = others[name]
        n_ids = ids.nunique()
        if pd.api.types.is_float_dtype(ids.dtype) or not 2 <= n_ids <= len(ids) // 2:
            continue
        if not pd.DataFrame({"time": stamps, "id": ids.to_numpy()}).duplicated().any():
            examples = ", ".join(map(repr, ids.drop_duplicates().iloc[:3].tolist()))
            raise ValueError(
                f"the time stamps repeat ({len(stamps)} rows, {stamps.nunique()} distinct times) and column "
                f"{name!r} tells {n_ids} series apart ({examples}, ...): the file holds several series, one "
                f"under another. seqtune tune forecasts one: keep the rows of one {name!r} (or fit them together "
                f"in Python: SequenceForecaster(id_column={name!r})).")


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
    step numbers, its frequency and season unread.

    A column of dates with a cell that is no date (or empty), or two such columns, is a ValueError: either would
    otherwise drop the dates without a word. So are dates that repeat for several series in one file.
    """
    import pandas as pd

    found, repeated = [], []
    for name in others.columns:
        column = others[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            continue
        readable = _date_cells(column)
        if readable.mean() < MOSTLY_DATES:
            continue
        if not readable.all():
            raise ValueError(_unreadable(f"column {name!r}", column, readable) + " Fix or drop that row, or name "
                             "the column of time stamps with --time-column.")
        dates = read_dates(column)
        if dates[0] is None:
            continue
        (found if dates[0].nunique() >= DISTINCT_STAMPS * len(dates[0]) else repeated).append((name, dates))
    if len(found) > 1:
        raise ValueError(f"columns {', '.join(repr(name) for name, _ in found)} hold dates: name the one that "
                         "indexes the series with --time-column.")
    for name, dates in repeated if not found else ():
        _refuse_stacked(others.drop(columns=[name]), dates[0])
    return found[0] if found else (None, None)
