"""Time indexes of the forecasters' series: checking one is regular, describing it so a forecast
can continue it (:class:`IndexInfo`), and putting skipped steps back on its grid."""

from __future__ import annotations

import datetime
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


@dataclass
class IndexInfo:
    """The index of one series, reduced to what is needed to continue it.

    ``kind`` is "datetime", "period", "numeric" (evenly spaced numbers, e.g. a
    RangeIndex) or "none" (NumPy input).
    """

    kind: str
    length: int
    freq: str | None = None
    last: object = None
    step: float | int | None = None
    unit: str | None = None
    tz: str | None = None
    name: object = None
    range: bool = False
    # A custom business frequency's days off ("C" alone would forecast its holidays and other weekdays)
    weekmask: str | None = None
    holidays: list | None = None
    # Business hours' opening times ("bh" alone would forecast 09:00-17:00), as "HH:MM" strings (pandas
    # takes no seconds there)
    opens: list | None = None
    closes: list | None = None
    # A pd.DateOffset of keywords (months=2), whose string pandas cannot read back: its keywords and n
    date_offset: dict | None = None

    def offset(self):
        """The frequency as a pandas offset, with a custom business frequency's weekmask and holidays
        and business hours' opening times."""
        if self.date_offset is not None:
            return pd.DateOffset(**self.date_offset)
        offset = pd.tseries.frequencies.to_offset(self.freq)
        details = {}
        if self.weekmask is not None:
            details.update(weekmask=self.weekmask, holidays=self.holidays)
        if self.opens is not None:
            details.update(start=self.opens, end=self.closes)
        return type(offset)(n=offset.n, **details) if details else offset

    def future(self, horizon: int, start: int = 1) -> pd.Index | None:
        """Index of the ``horizon`` steps after the end (``start=1``: the next step)."""
        offsets = np.arange(start, start + horizon)
        if self.kind == "datetime":
            last = pd.Timestamp(self.last)
            if self.tz is not None:
                last = last.tz_convert(self.tz)
            full = pd.date_range(last, periods=start + horizon, freq=self.offset(), unit=self.unit)
            return pd.DatetimeIndex(full[start:], freq=self.offset(), name=self.name)
        if self.kind == "period":
            last = pd.Period(ordinal=int(self.last), freq=self.freq)
            return pd.PeriodIndex([last + int(k) for k in offsets], freq=self.freq, name=self.name)
        if self.kind == "numeric":
            if self.range:
                first = self.last + self.step * start
                return pd.RangeIndex(first, first + self.step * horizon, self.step, name=self.name)
            labels = self.last + self.step * offsets
            if np.issubdtype(labels.dtype, np.floating) and self.step:
                # the step's own digits, not float error: 12.2, not 12.200000000000001
                labels = np.round(labels, max(0, 9 - int(np.floor(np.log10(abs(self.step))))))
            return pd.Index(labels, name=self.name)
        return None

    def advanced(self, steps: int) -> "IndexInfo":
        """The same index, ``steps`` observations longer (shorter when ``steps`` is negative)."""
        if self.kind == "none" or steps == 0:
            return IndexInfo(**{**asdict(self), "length": self.length + steps})
        end = self.future(steps)[-1] if steps > 0 else self._earlier(-steps)
        last = {"datetime": lambda: end.tz_convert("UTC").isoformat() if self.tz else end.isoformat(),
                "period": lambda: int(end.ordinal)}.get(self.kind, lambda: end)()
        return IndexInfo(**{**asdict(self), "length": self.length + steps, "last": last})

    def _earlier(self, steps: int):
        """The label ``steps`` observations before the last one."""
        if self.kind == "datetime":
            last = pd.Timestamp(self.last)
            if self.tz is not None:
                last = last.tz_convert(self.tz)
            return pd.date_range(end=last, periods=steps + 1, freq=self.offset(), unit=self.unit)[0]
        if self.kind == "period":
            return pd.Period(ordinal=int(self.last), freq=self.freq) - steps
        return self.last - self.step * steps

    def to_json(self) -> dict:
        d = asdict(self)
        if isinstance(d["last"], np.generic):
            d["last"] = d["last"].item()
        return d


def _infer_freq(index: pd.DatetimeIndex):
    if index.freq is not None:
        return index.freq
    if len(index) < 3:
        return None
    with warnings.catch_warnings():  # pandas 3 announces a change of return type
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(index)
    return None if freq is None else pd.tseries.frequencies.to_offset(freq)


def regular_grid(index: pd.DatetimeIndex) -> pd.DatetimeIndex | None:
    """The regular time grid ``index`` lies on with some steps missing, or None.

    The frequency is the one pandas infers on most runs of 5 consecutive
    timestamps, so a month or a day missing here and there does not hide it.
    """
    if len(index) < 5:
        return None
    votes: dict = {}
    starts = range(0, len(index) - 4, max(1, (len(index) - 4) // 50))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for start in starts:
            freq = pd.infer_freq(index[start : start + 5])
            if freq is not None:
                votes[freq] = votes.get(freq, 0) + 1
    if not votes:
        return None
    grid = pd.date_range(index[0], index[-1], freq=max(votes, key=votes.get))
    return grid if len(grid) and grid[0] == index[0] and index.isin(grid).all() else None


def _check_continued(info: IndexInfo, freq, what: str) -> None:
    """ValueError when ``info`` would continue the index on another frequency than its own (one pandas
    cannot describe in a string, such as Easter), found before the network is trained on it."""
    try:
        same = info.offset() == freq
    except ValueError:
        same = False
    if not same:
        raise ValueError(f"{what} has a DatetimeIndex at frequency {freq!r}, which seqtune cannot store to continue "
                         f"it; expected a pandas frequency string ('D', 'W-MON', '2MS', ...). Put {what} on one "
                         f"({what}.asfreq('MS')), or use a PeriodIndex ({what}.to_period('M')).")


def _on_grid(index: pd.DatetimeIndex, freq) -> bool:
    """Whether the timestamps are consecutive steps of ``freq`` (a pandas offset)."""
    if not len(index) or not freq.is_on_offset(index[0]):
        return False
    return bool(pd.date_range(index[0], periods=len(index), freq=freq).equals(index))


def index_info(index, length: int, what: str, known_freq=None) -> IndexInfo:
    """Check that ``index`` is sorted, unique and regular, and describe it.

    ``known_freq`` (a pandas offset: a fitted series') is the frequency of a DatetimeIndex that carries none
    and is too short for pandas to infer one (a continuation of one or two steps), if it lies on its grid.
    """
    if index is None:
        return IndexInfo("none", length)
    if not index.is_unique:
        dup = index[index.duplicated()][:3].tolist()
        raise ValueError(f"{what} has a duplicated index ({dup}); expected one row per time step.")
    if isinstance(index, pd.MultiIndex):
        raise TypeError(f"{what} has a MultiIndex; expected one time index (use id_column= for several series).")
    if (index.dtype == object or pd.api.types.is_string_dtype(index.dtype)) and len(index) \
            and all(isinstance(v, str) for v in index[:5]):
        # Before the order check: sorting date strings ("10/1/2020" < "9/1/2020") would scramble the series.
        raise TypeError(f"{what} has an index of strings (e.g. {index[0]!r}); expected a time index. If they "
                        f"are dates, convert them first: {what}.index = pd.to_datetime({what}.index) "
                        "(or read_csv(..., parse_dates=...)).")
    if index.hasnans:  # before the order check: NaT sorts last, and sorting would not mend it
        position = int(np.flatnonzero(index.isna())[0])
        raise ValueError(f"{what}'s index has a missing time stamp (NaT) at position {position}; expected a time "
                         "stamp on every row. Drop or date that row.")
    if not index.is_monotonic_increasing:
        raise ValueError(f"{what} has an unsorted index; expected increasing time. Sort it first: {what}.sort_index().")
    if isinstance(index, pd.DatetimeIndex):
        freq = _infer_freq(index)
        if freq is None and known_freq is not None and _on_grid(index, known_freq):
            freq = known_freq
        if freq is None:
            grid = regular_grid(index)
            if grid is not None:
                missing = grid.difference(index)
                raise ValueError(
                    f"{what} skips {len(missing)} time step(s) of its {grid.freqstr} grid (first missing: "
                    f"{missing[0]}); expected regular time steps. Pass fill='interpolate' or fill='ffill' to "
                    f"insert and fill them, or do it yourself: {what}.asfreq({grid.freqstr!r}) and fill the NaN."
                )
            if len(index) < 3:
                why = ("; a forecaster needs a longer series" if known_freq is None else
                       f", and they are not consecutive steps of the fitted series' frequency ({known_freq.freqstr})")
                raise ValueError(f"{what} has {len(index)} time stamp(s): too few to read their frequency from (that "
                                 f"takes 3){why}.")
            raise ValueError(
                f"{what} has a DatetimeIndex without a frequency, and none can be inferred: its timestamps lie on no "
                f"regular grid. Put them on one: {what}.to_period('M') for one value a month stamped on "
                f"any day (likewise 'W', 'Q', 'Y'), or {what}.resample('D').mean() (any frequency) and "
                "fill the gaps."
            )
        tz = None if index.tz is None else str(index.tz)
        last = index[-1].tz_convert("UTC").isoformat() if tz else index[-1].isoformat()
        if isinstance(freq, pd.offsets.Week) and freq.weekday is None:  # its string, "W", reads back as W-SUN
            freq = pd.offsets.Week(n=freq.n, weekday=index[-1].weekday())
        custom = {}
        if type(freq) is pd.DateOffset and all(type(v) is int for v in freq.kwds.values()):
            custom.update(date_offset={"n": freq.n, **freq.kwds})
        if getattr(freq, "weekmask", None) is not None:  # CustomBusinessDay, CustomBusinessHour, ...
            custom.update(weekmask=freq.weekmask, holidays=[str(day) for day in freq.holidays])
        if isinstance(freq, pd.offsets.BusinessHour | pd.offsets.CustomBusinessHour):
            custom.update(opens=[t.strftime("%H:%M") for t in freq.start],
                          closes=[t.strftime("%H:%M") for t in freq.end])
        info = IndexInfo("datetime", length, freq=freq.freqstr, last=last, unit=index.unit, tz=tz,
                         name=index.name, **custom)
        _check_continued(info, freq, what)
        return info
    if isinstance(index, pd.PeriodIndex):
        if len(index) > 1 and np.any(np.diff(index.asi8) != index.freq.n):  # 2M periods step by 2 months
            raise ValueError(f"{what} has a PeriodIndex with gaps; expected consecutive periods. Pass "
                             "fill='interpolate' or fill='ffill' to insert and fill them, or do it yourself: "
                             f"{what}.reindex(pd.period_range({what}.index[0], {what}.index[-1])) and fill the NaN.")
        return IndexInfo("period", length, freq=index.freqstr, last=int(index[-1].ordinal), name=index.name)
    if isinstance(index, pd.RangeIndex):
        return IndexInfo("numeric", length, last=int(index[-1]), step=int(index.step), name=index.name,
                         range=True)
    if pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index.dtype):
        values = np.asarray(index)
        step = values[1] - values[0] if len(values) > 1 else 1
        if len(values) > 1 and not np.allclose(np.diff(values), step):
            raise ValueError(f"{what} has a numeric index with uneven steps; expected evenly spaced values. "
                             "fill= inserts skipped steps only on a DatetimeIndex or PeriodIndex: reindex "
                             f"{what} on the full range of steps (e.g. {what}.reindex(range(first, last + 1))) "
                             "and fill the NaN.")
        is_int = values.dtype.kind in "iu"
        last = values[-1].item()
        return IndexInfo("numeric", length, last=last, step=int(step) if is_int else float(step),
                         name=index.name)
    dates = index.dtype == object and len(index) and all(isinstance(v, (datetime.date, np.datetime64))
                                                         for v in index[:5])
    raise TypeError(
        f"{what} has an index of type {type(index).__name__} ({index.dtype}); expected a DatetimeIndex, "
        "PeriodIndex, RangeIndex or evenly spaced numbers."
        + (f" It holds dates as objects (e.g. {index[0]!r}): {what}.index = pd.to_datetime({what}.index) "
           "makes it a DatetimeIndex." if dates else "")
    )


def with_missing_steps(y, fill, known_freq=None):
    """``y`` reindexed onto its regular time grid (the skipped steps NaN, to be filled) when
    ``fill`` is set and its DatetimeIndex or PeriodIndex skips steps; else ``y`` as it is.

    ``known_freq`` (a fitted series' offset) gives the grid of a DatetimeIndex too short to read it from.
    """
    index = y.index
    if fill is None or not index.is_unique or not index.is_monotonic_increasing:
        return y
    if isinstance(index, pd.PeriodIndex):  # periods know their grid: every period from the first to the last
        grid = pd.period_range(index[0], index[-1], freq=index.freq)
        return y if len(grid) == len(index) else y.reindex(grid)
    if not isinstance(index, pd.DatetimeIndex) or _infer_freq(index) is not None:
        return y
    grid = regular_grid(index)
    if grid is None and known_freq is not None and len(index) and known_freq.is_on_offset(index[0]):
        grid = pd.date_range(index[0], index[-1], freq=known_freq)
        grid = grid if index.isin(grid).all() else None
    return y if grid is None else y.reindex(grid)


def with_missing_steps_xy(y, X, fill):
    """``y`` on its regular time grid (:func:`with_missing_steps`) and ``X`` reindexed with it
    when it was indexed like ``y``: positions then count time steps in both."""
    if not isinstance(y, (pd.Series, pd.DataFrame)):
        return y, X
    regular = with_missing_steps(y, fill)
    if isinstance(X, (pd.Series, pd.DataFrame)) and X.index.equals(y.index):
        X = X.reindex(regular.index)
    return regular, X


def nearest_labels(want: pd.Index, have: pd.Index, step: float) -> pd.Index:
    """Float time labels replaced by ``have``'s within a millionth of a step (0.1 * 101 is not 10.1)."""
    if len(have) < 2 or not have.is_monotonic_increasing:
        return want
    labels, wanted = have.to_numpy(dtype=float), want.to_numpy(dtype=float)
    position = np.clip(np.searchsorted(labels, wanted), 1, len(labels) - 1)
    left, right = labels[position - 1], labels[position]
    nearest = np.where(wanted - left <= right - wanted, left, right)
    return pd.Index(np.where(np.abs(nearest - wanted) <= 1e-6 * abs(step), nearest, wanted), name=want.name)
