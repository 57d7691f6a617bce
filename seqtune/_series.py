"""Validation and conversion of time series for the forecasters (plain NumPy and pandas).

A forecaster's ``y`` may be a NumPy array (1-D or 2-D), a pandas Series or
DataFrame (one or several target columns), a list of those (several series, one
global model), or a long DataFrame with an id column. :func:`read_target` turns
any of them into a :class:`Panel`: float arrays of shape ``(t_i, n_targets)``,
one a series, plus what is needed to write forecasts back in the same form with
the right future index (:class:`IndexInfo`, :func:`format_forecast`).

Every check here runs before TensorFlow sees the data, and every error names the
argument, what was found and what was expected.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from seqtune import _params as P
from seqtune._time_index import (
    IndexInfo,
    index_info,
    nearest_labels,
    with_missing_steps,
)
from seqtune.inputs import InputWarning, object_as_float

FILL_METHODS = ("ffill", "interpolate")


# --------------------------------------------------------------------------- index
# -------------------------------------------------------------------------- values
def _reads_as_numbers(column: np.ndarray) -> bool:
    try:
        object_as_float(column)
    except (TypeError, ValueError):
        return False
    return True


def _as_float(values, what: str, columns=None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "O":
        # Several nullable (Float64, Int64) columns come out as objects with pd.NA for missing.
        try:
            arr = object_as_float(arr)
        except (TypeError, ValueError):
            bad = ""
            if columns is not None and arr.ndim == 2:
                bad = f" (column(s) {[c for j, c in enumerate(columns) if not _reads_as_numbers(arr[:, j])]})"
            raise TypeError(f"{what} holds values that are not numbers{bad}; expected numeric values. Encode "
                            "categories as numbers (e.g. pd.get_dummies) or drop those columns.") from None
    if arr.dtype.kind not in "biuf":
        bad = ""
        if columns is not None:
            bad = f" (column {columns[0]!r})"
        raise TypeError(f"{what} has dtype {arr.dtype}{bad}; expected numbers.")
    return arr.astype(np.float64)


# Beyond this magnitude a series' variance overflows float64 (and its forecasts come out NaN).
LARGEST_VALUE = 1e150


def fill_missing(values: np.ndarray, fill, what: str, index=None) -> np.ndarray:
    """Fill NaN by ``fill`` ("ffill" or "interpolate"), or raise a ValueError that says how."""
    nan = np.isnan(values)
    if np.any(np.isinf(values)):
        raise ValueError(f"{what} contains infinite values; expected finite numbers.")
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) > LARGEST_VALUE
    if huge.any():
        raise ValueError(f"{what} holds values beyond +-{LARGEST_VALUE:.0e} (largest {np.nanmax(np.abs(values)):.3g}), "
                         "whose squares overflow: their spread, which scales the series, would be infinite and "
                         "every forecast NaN. Rescale them, e.g. divide by a power of 10.")
    if not nan.any():
        return values
    if fill is None:
        row = int(np.flatnonzero(nan.any(axis=1))[0])
        where = f"at {index[row]}" if index is not None else f"at position {row}"
        raise ValueError(
            f"{what} contains {int(nan.sum())} NaN value(s) (first {where}); expected no missing "
            f"values. Fill them first, or pass fill='ffill' or fill='interpolate' to the forecaster."
        )
    out = values.copy()
    positions = np.arange(len(out))
    for j in range(out.shape[1]):
        col, ok = out[:, j], ~nan[:, j]
        if not ok.any():
            raise ValueError(f"{what}: column {j} is entirely NaN; there is nothing to fill it from.")
        if fill == "interpolate":
            col[:] = np.interp(positions, positions[ok], col[ok])  # edges held constant
        else:
            last = np.maximum.accumulate(np.where(ok, positions, -1))
            first_ok = int(np.argmax(ok))
            col[:] = col[np.where(last < 0, first_ok, last)]
    return out


def _to_2d(values, what: str) -> np.ndarray:
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    if values.ndim != 2:
        raise ValueError(f"{what} has {values.ndim} dimensions; expected a 1-D series or a 2-D (time, columns) array.")
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"{what} is empty (shape {values.shape}); expected at least one time step and one column.")
    return values


def point_forecast(outputs: np.ndarray, quantiles) -> np.ndarray:
    """The point forecast in forecast outputs ``(..., n_q)``: the only output without quantiles, else the
    median: the 0.5 quantile, or interpolated between the quantiles either side of it (the mean of 0.1 and
    0.9: taking the nearer of two tied ones skewed the band and the scores), or the nearest where all lie
    on one side."""
    if quantiles is None:
        return outputs[..., 0]
    q = np.asarray(quantiles, dtype=np.float64)
    below, above = np.flatnonzero(q <= 0.5), np.flatnonzero(q >= 0.5)
    if not (len(below) and len(above)):
        return outputs[..., int(np.argmin(np.abs(q - 0.5)))]
    low, high = below[-1], above[0]
    if low == high:
        return outputs[..., low]
    share = (0.5 - q[low]) / (q[high] - q[low])
    return (1 - share) * outputs[..., low] + share * outputs[..., high]


def spread(values: np.ndarray) -> np.ndarray:
    """Per-column standard deviation, with 1 where a column is constant."""
    values = np.asarray(values, dtype=np.float64)
    return _or_fill_where_rounding(values.std(axis=0), values)


def naive_error(values: np.ndarray, season: int) -> np.ndarray:
    """Per-column in-sample MAE of the seasonal-naive forecast (the MASE scale).

    Where a column repeats exactly at the seasonal lag (the seasonal-naive forecast makes no error,
    so every MASE would be infinite or NaN), the naive forecast's (lag 1) instead, with a warning;
    NaN where that is undefined too (a constant column, or a single step).
    """
    if len(values) < 2:
        return np.full(values.shape[1], np.nan)
    values = np.asarray(values, dtype=np.float64)
    scale = _lag_error(values, season if len(values) > season else 1)
    exact = np.isnan(scale)
    if season > 1 and exact.any():
        scale = np.where(exact, _lag_error(values, 1), scale)
        if not np.isnan(scale[exact]).all():
            warnings.warn(
                f"y repeats exactly every {season} steps, so the seasonal-naive forecast makes no error on it and "
                "cannot scale the MASE: scores scale errors by the naive (previous step) forecast's instead.",
                InputWarning, stacklevel=P.user_stacklevel())
    return scale


def _lag_error(values: np.ndarray, lag: int) -> np.ndarray:
    """Per column, the mean absolute change at ``lag``; NaN where it is no more than rounding."""
    return _or_fill_where_rounding(np.abs(values[lag:] - values[:-lag]).mean(axis=0), values, fill=np.nan)


def scaled_error(mae: np.ndarray, scale: np.ndarray) -> float:
    """MASE: the mean over targets of ``mae / scale`` (:func:`naive_error`), NaN with a warning where
    the training series never changes (its scale is undefined there)."""
    if np.any(np.isnan(scale)):
        warnings.warn("The training series does not change, so the naive forecasts are exact on it and the MASE "
                      "scale is undefined: the score is NaN. Compare mean absolute errors (seqtune.metrics.backtest "
                      "reports them) instead.", UserWarning,
                      stacklevel=P.user_stacklevel())
        return float("nan")
    return float(np.mean(mae / scale))


def _or_fill_where_rounding(scale: np.ndarray, values: np.ndarray, fill: float = 1.0) -> np.ndarray:
    """``scale``, with ``fill`` where a column's scale is no more than float64 rounding of its values.

    Relative to the column's magnitude, not absolute: a series in units of 1e-15 has a real
    spread of 1e-15 (taking it for a constant added the network's output in absolute units).
    """
    magnitude = np.abs(values).max(axis=0) if len(values) else np.zeros(values.shape[1:])
    return np.where(scale > np.maximum(1e-12 * magnitude, np.finfo(np.float64).tiny), scale, fill)


# --------------------------------------------------------------------------- panel
@dataclass
class Panel:
    """One or several validated series.

    Attributes
    ----------
    values : list of ndarray
        ``(t_i, n_columns)`` float64 arrays, one a series.
    index : list of IndexInfo
    pandas_index : list of pandas Index or None
        The original indexes (to align exogenous data by label).
    layout : {"array1d", "array2d", "series", "frame", "list", "long"}
    columns : list
        Column names (``[name]`` for a Series, positions for arrays).
    item_layout : str
        Layout of each element for "list" (and of each group for "long").
    ids : list
        Series ids ("long": the id values; otherwise positions).
    id_column : str or None
    name : object
        The Series name (of the first series of a list).
    names : list
        Each series' name (a list of Series: each forecast keeps its own).
    """

    values: list
    index: list
    pandas_index: list
    layout: str
    columns: list
    item_layout: str
    ids: list = field(default_factory=list)
    id_column: object = None
    name: object = None
    names: list = field(default_factory=list)

    @property
    def n_columns(self) -> int:
        return self.values[0].shape[1]

    @classmethod
    def from_meta(cls, meta: dict) -> "Panel":
        """The panel of series described by ``meta``, without their history (for forecasting on)."""
        infos = [IndexInfo(**d) for d in meta["index"]]
        width = len(meta["columns"])
        return cls(values=[np.empty((0, width))] * len(infos), index=infos, pandas_index=[None] * len(infos),
                   layout=meta["layout"], columns=meta["columns"], item_layout=meta["item_layout"],
                   ids=meta["ids"], id_column=meta["id_column"], name=meta["name"], names=meta.get("names", []))

    def head(self, lengths: list) -> "Panel":
        """The first ``lengths[i]`` observations of every series (index descriptions shortened to match)."""
        index = [info.advanced(n - info.length) for info, n in zip(self.index, lengths)]
        pandas_index = [None if p is None else p[:n] for p, n in zip(self.pandas_index, lengths)]
        return replace(self, values=[v[:n] for v, n in zip(self.values, lengths)], index=index,
                       pandas_index=pandas_index)

    def meta(self) -> dict:
        """JSON-safe description used to write forecasts back (see :func:`format_forecast`)."""
        return {"layout": self.layout, "columns": _plain_labels(self.columns), "item_layout": self.item_layout,
                "ids": _plain_labels(self.ids), "id_column": self.id_column, "name": plain_label(self.name),
                "names": _plain_labels(self.names),
                "index": [info.to_json() for info in self.index]}


def plain_label(value):
    """A label (of a column, series or id) with NumPy scalars as Python ones, for saving and for lookups."""
    return value.item() if isinstance(value, np.generic) else value


def _plain_labels(values) -> list:
    return [plain_label(v) for v in values]


def _warn_time_like_columns(frame: pd.DataFrame, what: str) -> None:
    """Warn about a target column that counts up by one every row (a year or step column left in
    the frame, e.g. statsmodels' Nile data): it would be forecast as a second target."""
    if frame.shape[1] < 2 or len(frame) < 3 or not isinstance(frame.index, pd.RangeIndex):
        return
    for column in frame.columns:
        values = frame[column].to_numpy()
        # Integer years, or float ones as in statsmodels' Nile data.
        if values.dtype.kind in "iuf" and np.all(np.diff(values) == 1):
            warnings.warn(
                f"{what} column {column!r} counts up by 1 every row, like a time column (years, step numbers), "
                f"and is forecast as a target. If it is the time, make it the index: {what}.set_index({column!r}).",
                UserWarning, stacklevel=P.user_stacklevel(),
            )


def _read_one(y, what: str, fill, known_freq=None) -> tuple[np.ndarray, IndexInfo, object, str, list, object]:
    """(values, index info, pandas index, layout, columns, name) of one series (``known_freq``: see
    :func:`index_info`)."""
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = with_missing_steps(y, fill, known_freq)
    if isinstance(y, pd.Series):
        values = _to_2d(_as_float(y.to_numpy(), what), what)
        info = index_info(y.index, len(y), what, known_freq)
        return fill_missing(values, fill, what, y.index), info, y.index, "series", [y.name], y.name
    if isinstance(y, pd.DataFrame):
        if y.shape[1] == 0:
            raise ValueError(f"{what} is a DataFrame without columns; expected at least one numeric column.")
        _refuse_repeated_columns(y, what, "target")
        # bool columns are read as 0/1, as a bool Series is
        non_numeric = [c for c in y.columns if not pd.api.types.is_numeric_dtype(y[c].dtype)]
        if non_numeric:
            time_like = [c for c in non_numeric if pd.api.types.is_datetime64_any_dtype(y[c].dtype)
                         or isinstance(y[c].dtype, pd.PeriodDtype)]
            hint = (f"make the time column the index: .set_index({time_like[0]!r})" if time_like
                    else "a column of series ids goes to id_column=")
            raise TypeError(f"{what} has non-numeric column(s) {non_numeric[:5]}; expected numeric columns ({hint}).")
        _warn_time_like_columns(y, what)
        values = _to_2d(_as_float(y.to_numpy(), what), what)
        info = index_info(y.index, len(y), what, known_freq)
        return fill_missing(values, fill, what, y.index), info, y.index, "frame", list(y.columns), None
    if isinstance(y, (str, bytes, dict)) or np.ndim(y) == 0:
        raise TypeError(f"{what} is a {type(y).__name__}; expected a pandas Series/DataFrame or a numeric array.")
    arr = np.asarray(y)
    layout = "array1d" if arr.ndim == 1 else "array2d"
    values = _to_2d(_as_float(arr, what), what)
    return (fill_missing(values, fill, what), IndexInfo("none", len(values)), None, layout,
            list(range(values.shape[1])), None)


def _refuse_repeated_columns(frame: pd.DataFrame, what: str, kind: str) -> None:
    """ValueError for a table whose columns repeat a name (``pd.concat(axis=1)`` of two series of one name):
    columns are matched, and forecasts returned, by name."""
    if not frame.columns.is_unique:
        repeated = _plain_labels(frame.columns[frame.columns.duplicated()].unique())
        raise ValueError(f"{what} has more than one column named {repeated[:5]}; expected a name of its own for "
                         f"each {kind} column (rename them, e.g. {what}.columns = [...]).")


def _refuse_missing_ids(frame: pd.DataFrame, id_column, what: str) -> None:
    """ValueError for rows without a series id: grouping by the id column would drop them silently."""
    missing = frame[id_column].isna().to_numpy()
    if missing.any():
        raise ValueError(f"{what}'s id_column {id_column!r} is missing in {int(missing.sum())} row(s) (first at "
                         f"index {frame.index[np.flatnonzero(missing)[0]]}); every row needs the id of its series.")


def _warn_if_rows_of_a_table(y, what: str) -> None:
    """A list of plain lists, all as long and more of them than their length, is more likely the rows of one
    table (time steps x targets, as ``array.tolist()`` gives) than that many short series."""
    lengths = {len(item) if isinstance(item, (list, tuple)) else None for item in y}
    if None in lengths or len(lengths) != 1 or len(y) <= next(iter(lengths)):
        return
    length = next(iter(lengths))
    warnings.warn(
        f"{what} is a list of {len(y)} lists of {length} values each, read as {len(y)} series of {length} steps. "
        f"If it is one table (a row a time step, a column a target), pass np.asarray({what}).",
        UserWarning, stacklevel=P.user_stacklevel())


def read_target(y, *, fill=None, id_column=None, what: str = "y", known_freq=None) -> Panel:
    """Validate ``y`` (any accepted form) into a :class:`Panel`.

    ``known_freq``: a fitted model's frequency (a pandas offset), for new data whose DatetimeIndex carries
    none and is too short for pandas to infer it (see :func:`index_info`)."""
    if fill is not None and fill not in FILL_METHODS:
        raise ValueError(f"fill={fill!r} is not one of {FILL_METHODS} or None.")
    if y is None:
        raise ValueError(f"{what} is None; expected a time series (pandas Series/DataFrame or numeric array).")
    if id_column is not None:
        if not isinstance(y, pd.DataFrame):
            raise TypeError(f"id_column={id_column!r} needs {what} to be a long DataFrame; got {type(y).__name__}.")
        if id_column not in y.columns:
            raise ValueError(f"id_column={id_column!r} is not a column of {what} (columns: {list(y.columns)[:10]}).")
        _refuse_missing_ids(y, id_column, what)
        groups = [(key, part.drop(columns=[id_column])) for key, part in y.groupby(id_column, sort=False)]
        items = [_read_one(part, f"{what}[{id_column}={key!r}]", fill, known_freq) for key, part in groups]
        ids = [key for key, _ in groups]
        layout, item_layout = "long", "frame"
    elif isinstance(y, (list, tuple)) and len(y) and not np.isscalar(y[0]) and np.ndim(y[0]) >= 1:
        _warn_if_rows_of_a_table(y, what)
        items = [_read_one(part, f"{what}[{i}]", fill, known_freq) for i, part in enumerate(y)]
        ids = list(range(len(items)))
        layout, item_layouts = "list", {item[3] for item in items}
        if len(item_layouts) > 1:
            raise TypeError(f"{what} is a list mixing {sorted(item_layouts)}; expected series of one kind.")
        item_layout = item_layouts.pop()
    else:
        items = [_read_one(y, what, fill, known_freq)]
        ids, layout, item_layout = [0], None, None
    widths = {item[0].shape[1] for item in items}
    if len(widths) > 1:
        raise ValueError(f"{what} holds series with different numbers of columns ({sorted(widths)}); "
                         "expected the same target columns in every series.")
    if layout == "list" and item_layout in ("series", "frame"):
        names = {tuple(item[4]) for item in items} if item_layout == "frame" else {("__series__",)}
        if len(names) > 1:
            raise ValueError(f"{what} holds DataFrames with different columns; expected the same target columns.")
    first = items[0]
    return Panel(values=[item[0] for item in items], index=[item[1] for item in items],
                 pandas_index=[item[2] for item in items], layout=layout or first[3], columns=first[4],
                 item_layout=item_layout or first[3], ids=ids, id_column=id_column, name=first[5],
                 names=[item[5] for item in items])


def exog_columns(X, panel: Panel) -> list | None:
    """The feature names of ``X`` (a DataFrame, a list of them or a long frame); None for arrays
    or names that do not survive JSON (a MultiIndex)."""
    first = X[0] if panel.layout == "list" and isinstance(X, (list, tuple)) and len(X) else X
    if not isinstance(first, pd.DataFrame):
        return None
    names = _plain_labels(c for c in first.columns if panel.layout != "long" or c != panel.id_column)
    return names if all(isinstance(n, (str, int)) for n in names) else None


def read_exog(X, panel: Panel, *, fill=None, what: str = "X", future: int = 0,
              columns: list | None = None) -> list[np.ndarray]:
    """Exogenous features aligned with ``panel``: per series ``(t_i + future, n_features)``.

    A pandas X is aligned by index (it may hold more rows than needed); an array
    must have exactly ``t_i + future`` rows. A panel from :meth:`Panel.from_meta`
    has no history (``t_i = 0``): then only the ``future`` rows are read. With
    ``columns`` (the names seen in fit), a DataFrame's features are taken by name.
    """
    n_series = len(panel.values)
    if panel.layout == "long":
        if not isinstance(X, pd.DataFrame) or panel.id_column not in X.columns:
            raise TypeError(f"{what} must be a long DataFrame with the id column {panel.id_column!r}, like y; "
                            f"got {type(X).__name__}.")
        _refuse_missing_ids(X, panel.id_column, what)
        by_id = dict(list(X.groupby(panel.id_column, sort=False)))
        missing = [i for i in panel.ids if i not in by_id]
        if missing:
            raise ValueError(f"{what} has no rows for series {missing[:5]} ({panel.id_column}); expected rows "
                             "for every series in y.")
        parts = [by_id[i].drop(columns=[panel.id_column]) for i in panel.ids]
    elif panel.layout == "list":
        if not isinstance(X, (list, tuple)) or len(X) != n_series:
            found = f"a list of {len(X)}" if isinstance(X, (list, tuple)) else f"a {type(X).__name__}"
            raise TypeError(f"{what} must be a list of {n_series} exogenous tables, one per series in y; got {found}.")
        parts = list(X)
    else:
        parts = [X]
    out = []
    for i, part in enumerate(parts):
        name = what if n_series == 1 and panel.layout != "long" else f"{what}[{panel.ids[i]!r}]"
        if isinstance(part, pd.DataFrame):
            _refuse_repeated_columns(part, name, "feature")
        if isinstance(part, pd.DataFrame) and columns is not None:
            part = _by_name(part, columns, name)
        out.append(_align_exog(part, panel, i, name, fill, future))
    widths = {o.shape[1] for o in out}
    if len(widths) > 1:
        raise ValueError(f"{what} holds tables with different numbers of columns ({sorted(widths)}).")
    return out


def _by_name(table: pd.DataFrame, columns: list, what: str) -> pd.DataFrame:
    """``table``'s feature columns in fit's order; an error naming any that are missing."""
    if list(table.columns) == columns:
        return table
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} has no column(s) {missing}; this model was fitted with the exogenous "
                         f"features {columns} (matched by name).")
    return table[columns]


def _refuse_unlike_index(index: pd.Index, want: pd.Index, what: str) -> None:
    """ValueError when ``what``'s index cannot hold ``want``'s time stamps at all (another kind of index, or
    time-zone-aware against naive): every row would be reported missing, without the reason."""
    kinds = [type(i).__name__ for i in (index, want)]
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) != isinstance(want, (pd.DatetimeIndex, pd.PeriodIndex)) \
            or (kinds[0] != kinds[1] and {*kinds} <= {"DatetimeIndex", "PeriodIndex"}):
        raise ValueError(f"{what} is indexed by a {kinds[0]} but y by a {kinds[1]}; index them the same way "
                         "(e.g. X.to_period() or X.to_timestamp()) so their rows can be matched by time.")
    zones = [getattr(i, "tz", None) for i in (index, want)]
    if isinstance(want, pd.DatetimeIndex) and (zones[0] is None) != (zones[1] is None):
        raise ValueError(f"{what}'s time stamps are {'naive' if zones[0] is None else f'in time zone {zones[0]}'} "
                         f"but y's are {'naive' if zones[1] is None else f'in time zone {zones[1]}'}; localize or "
                         "convert one of them (tz_localize / tz_convert) so their rows can be matched by time.")


def _align_exog(part, panel: Panel, i: int, what: str, fill, future: int) -> np.ndarray:
    n_hist = panel.values[i].shape[0]
    info, pidx = panel.index[i], panel.pandas_index[i]
    if isinstance(part, pd.DataFrame) and part.shape[1] == 0:
        raise ValueError(f"{what} has no columns; expected at least one exogenous feature.")
    if isinstance(part, (pd.Series, pd.DataFrame)) and info.kind != "none":
        want = pidx if pidx is not None and n_hist else None
        if future:
            want = info.future(future) if want is None else want.append(info.future(future))
        table = part.to_frame() if isinstance(part, pd.Series) else part
        if want.dtype.kind == "f" and table.index.dtype.kind == "f":
            want = nearest_labels(want, table.index, float(info.step))
        _refuse_unlike_index(table.index, want, what)
        missing = want.difference(table.index)
        if len(missing) and fill is not None and table.index.is_monotonic_increasing \
                and missing.min() > table.index.min() and missing.max() < table.index.max():
            table, missing = table.reindex(table.index.union(missing)), missing[:0]  # gaps: filled below
        if len(missing):
            part_of = "the history of y" if pidx is not None and missing[0] in pidx else "the forecast horizon"
            raise ValueError(
                f"{what} does not cover {part_of}: {len(missing)} of the {len(want)} time steps needed are "
                f"missing (first {missing[0]}). Expected rows for {want[0]} to {want[-1]}"
                + (f" ({future} future step(s): known future covariates are required to forecast)." if future else ".")
            )
        values = _as_float(table.loc[want].to_numpy(), what, list(table.columns))
        return fill_missing(_to_2d(values, what), fill, what, want)
    else:
        if isinstance(part, (str, bytes, dict)) or part is None or np.ndim(part) == 0:
            raise TypeError(f"{what} is a {type(part).__name__}; expected an array or DataFrame of features.")
        values = np.asarray(part.to_numpy() if hasattr(part, "to_numpy") else part)
        values = _as_float(values, what)
        expected = n_hist + future
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        if values.ndim != 2 or values.shape[0] != expected:
            detail = (f"{n_hist} rows aligned with y" if n_hist else "") + (
                f"{' + ' if n_hist else ''}{future} future row(s) for the forecast horizon" if future else "")
            raise ValueError(
                f"{what} has {values.shape[0] if values.ndim else 0} rows; expected {expected} ({detail})."
                + (" Known future covariates are required to forecast." if future else "")
            )
    values = _to_2d(values, what)
    return fill_missing(values, fill, what)


# ------------------------------------------------------------------------ output
def quantile_labels(columns: list, quantiles, several: bool) -> list[str]:
    """Column labels of a quantile forecast: "q0.1" (one target) or "<target>_q0.1"."""
    qs = [f"q{float(q):g}" for q in quantiles]
    if not several:
        return qs
    return [f"{c}_{q}" for c in columns for q in qs]


def format_forecast(values: np.ndarray, meta: dict, horizon: int, quantiles=None, start: int = 1):
    """Write forecasts ``(n_series, horizon, n_columns[, n_quantiles])`` in the form of the input.

    ``meta`` is :meth:`Panel.meta`; ``start`` is the offset of the first forecast
    step after the end of each series (1: the next step).
    """
    infos = [IndexInfo(**d) for d in meta["index"]]
    columns, layout, item = meta["columns"], meta["layout"], meta["item_layout"]
    several = len(columns) > 1

    def one(k: int, lay: str):
        v = values[k]
        future = infos[k].future(horizon, start)
        if lay in ("array1d", "array2d"):
            if quantiles is None:
                return v[:, 0] if lay == "array1d" else v
            return v[:, 0, :] if lay == "array1d" else v
        if quantiles is None:
            if lay == "series":  # (a model saved before names were kept has the first one's)
                names = meta.get("names") or []
                return pd.Series(v[:, 0], index=future, name=names[k] if k < len(names) else meta["name"])
            return pd.DataFrame(v, index=future, columns=columns)
        flat = v.reshape(horizon, -1)
        labels = quantile_labels(columns, quantiles, several)
        return pd.DataFrame(flat, index=future, columns=labels)

    if layout == "list":
        return [one(k, item) for k in range(len(infos))]
    if layout == "long":
        parts = []
        for k, key in enumerate(meta["ids"]):
            frame = one(k, "frame")
            frame.insert(0, meta["id_column"], [key] * len(frame))  # a tuple id is one value, not a row's worth
            parts.append(frame)
        return pd.concat(parts)
    return one(0, layout)


# ----------------------------------------------------------------------- seasons
def take_steps(data, steps):
    """Rows ``steps`` (an index array or a slice) of one series: pandas by position, else NumPy; None stays None."""
    if data is None:
        return None
    if isinstance(data, (pd.Series, pd.DataFrame)):
        return data.iloc[steps]
    return np.asarray(data)[steps]
