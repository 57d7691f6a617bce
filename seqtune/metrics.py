"""Forecast metrics and a rolling-origin backtest (NumPy, pandas and scikit-learn only).

Point metrics take ``y_true`` and ``y_pred`` of the same shape (1-D, or 2-D with
one column a target) as arrays, lists or pandas objects. :func:`backtest` refits
a forecaster on growing windows of a series and scores each fold, so a network
and the baselines of :mod:`seqtune.baselines` can be compared on the same splits.
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral

import numpy as np
import pandas as pd

from seqtune import _params as P
from seqtune._seasonality import MAX_AUTO_SEASON, dominant_period
from seqtune._series import fill_missing, naive_error, point_forecast, take_steps
from seqtune._time_index import with_missing_steps_xy


def _pair(y_true, y_pred, names=("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y_true, dtype=np.float64)
    b = np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        if a.size == b.size and a.ndim <= 2 and b.ndim <= 2 and a.squeeze().shape == b.squeeze().shape:
            b = b.reshape(a.shape)  # (n,) against (n, 1)
        else:
            raise ValueError(f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}; expected the same.")
    if a.size == 0:
        raise ValueError(f"{names[0]} is empty; expected at least one value.")
    for name, arr in zip(names, (a, b)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values; expected finite numbers.")
    return a, b


def mae(y_true, y_pred) -> float:
    """Mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape

    Returns
    -------
    float
    """
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape

    Returns
    -------
    float
    """
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def smape(y_true, y_pred) -> float:
    """Symmetric mean absolute percentage error, in percent (0 to 200).

    ``mean(2 |y - ŷ| / (|y| + |ŷ|))``; a step where both are 0 counts as 0 error.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape

    Returns
    -------
    float
    """
    a, b = _pair(y_true, y_pred)
    denom = np.abs(a) + np.abs(b)
    ratio = np.divide(2 * np.abs(a - b), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(100 * np.mean(ratio))


def mase(y_true, y_pred, y_train, season: int = 1) -> float:
    """Mean absolute scaled error: the MAE divided by the in-sample seasonal-naive MAE.

    The scale is the mean absolute difference ``|y_train[t] - y_train[t - season]|``
    of the training series, so 1.0 is as good as the seasonal-naive forecast was
    in-sample. With several columns, every column is scaled by its own training
    error and the results are averaged. A column that repeats exactly every ``season``
    steps (its seasonal-naive error is 0, or only float rounding) is scaled by the
    naive forecast's error (lag 1) instead, with a warning; a column that never
    changes has no scale (ValueError).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, n_targets)
    y_train : array-like of shape (n_train,) or (n_train, n_targets)
        The series the forecast was made from.
    season : int, default=1
        Seasonal period of the naive forecast in the scale (1: the naive forecast).

    Returns
    -------
    float
    """
    error, scale = _mase_terms(y_true, y_pred, y_train, season)
    if np.any(np.isnan(scale)):
        raise ValueError("y_train does not change: the MASE scale is 0 (undefined).")
    return float(np.mean(error / scale))


def _mase_terms(y_true, y_pred, y_train, season) -> tuple[np.ndarray, np.ndarray]:
    """MASE's validated parts, one value a column: the mean absolute error and the scale (the mean
    absolute change of ``y_train`` at lag ``season``, or at lag 1 where it repeats exactly at the
    season; NaN where it never changes: :func:`seqtune._series.naive_error`)."""
    a, b = _pair(y_true, y_pred)
    if not isinstance(season, Integral) or isinstance(season, bool) or season < 1:
        raise ValueError(f"season must be an int >= 1; got {season!r}.")
    train = np.asarray(y_train, dtype=np.float64)
    if train.ndim != a.ndim and not (train.ndim == 1 and a.ndim == 2 and a.shape[1] == 1):
        raise ValueError(f"y_train has shape {train.shape}; expected columns like y_true {a.shape}.")
    train = train.reshape(len(train), -1)
    if len(train) <= season:
        raise ValueError(f"y_train has {len(train)} values; expected more than season={season} to compute the scale.")
    if not np.all(np.isfinite(train)):
        raise ValueError("y_train contains NaN or infinite values; expected finite numbers.")
    return np.mean(np.abs(a - b).reshape(len(a), -1), axis=0), naive_error(train, season)


def _fold_mase(actual, forecast, train, season: int) -> float:
    """MASE of one backtest fold, NaN with a warning where its training part never changes at the
    lag (a constant stretch): the scale is 0 there, and the fold's other metrics still count."""
    error, scale = _mase_terms(actual, forecast, train, season)
    if np.any(np.isnan(scale)):
        warnings.warn(f"A backtest fold's training part ({len(train)} steps) does not change: its MASE is "
                      "undefined and reported as NaN.", UserWarning,
                      stacklevel=P.user_stacklevel())
        return float("nan")
    return float(np.mean(error / scale))


def pinball_loss(y_true, q_pred, quantiles) -> float:
    """Mean pinball (quantile) loss of quantile forecasts.

    Parameters
    ----------
    y_true : array-like of shape (n,) or (n, n_targets)
    q_pred : array-like of shape y_true.shape + (n_quantiles,)
        Quantile forecasts, the last axis following ``quantiles``. A 2-D table of
        ``n_targets * n_quantiles`` columns (as ``SequenceForecaster.predict`` returns
        for several targets) is also accepted.
    quantiles : sequence of float
        Quantile levels in (0, 1).

    Returns
    -------
    float
        Averaged over steps, targets and quantiles.
    """
    q = np.asarray(quantiles, dtype=np.float64).ravel()
    if q.size == 0 or np.any((q <= 0) | (q >= 1)):
        raise ValueError(f"quantiles must be values strictly between 0 and 1; got {list(q)}.")
    a = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(q_pred, dtype=np.float64)
    if p.shape != a.shape + (len(q),):
        if p.size == a.size * len(q) and len(p) == len(a):
            p = p.reshape(a.shape + (len(q),))
        else:
            raise ValueError(
                f"q_pred has shape {p.shape}; expected {a.shape + (len(q),)} (y_true's shape plus one "
                f"column per quantile)."
            )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(p))):
        raise ValueError("y_true or q_pred contains NaN or infinite values; expected finite numbers.")
    error = a[..., None] - p
    return float(np.mean(np.maximum(q * error, (q - 1) * error)))


def coverage(y_true, lower, upper) -> float:
    """Fraction of observations inside ``[lower, upper]``.

    Parameters
    ----------
    y_true, lower, upper : array-like of the same shape

    Returns
    -------
    float
        Between 0 and 1; a well-calibrated 10-90% band covers about 0.8.
    """
    a, lo = _pair(y_true, lower, ("y_true", "lower"))
    _, hi = _pair(y_true, upper, ("y_true", "upper"))
    if np.any(lo > hi):
        raise ValueError("lower is above upper at some steps; expected lower <= upper.")
    return float(np.mean((a >= lo) & (a <= hi)))


# ---------------------------------------------------------------------- backtest
def split_forecast(pred, horizon: int, n_targets: int, quantiles=None):
    """(point, lower, upper) arrays ``(horizon, n_targets)`` from a forecaster's output.

    With ``quantiles`` the point is their median (:func:`~seqtune._series.point_forecast`) and the band the
    outermost quantiles; without, lower and upper are None.
    """
    arr = np.asarray(pred, dtype=np.float64)
    if quantiles is None:
        return arr.reshape(horizon, n_targets), None, None
    arr = arr.reshape(horizon, n_targets, len(quantiles))
    return point_forecast(arr, quantiles), arr[..., 0], arr[..., -1]


def _setting(params: dict, name: str):
    """A forecaster's setting: its own parameter, else the one an Auto* search gives every trial
    (``estimator_params``); None where neither has it."""
    if name in params:
        return params[name]
    return (params.get("estimator_params") or {}).get(name)


def backtest(forecaster, y, X=None, *, cv=5, horizon: int | None = None, season: int | str = "auto") -> pd.DataFrame:
    """Rolling-origin evaluation: refit on growing history, forecast the next steps, score.

    Parameters
    ----------
    forecaster : estimator
        A forecaster with ``fit(y, X)`` and ``predict(horizon=, X=)`` (seqtune's or
        the baselines). It is cloned for every fold; its ``horizon`` parameter, if it
        has one, is set to ``horizon``.
    y : pandas Series or DataFrame, or array-like
        One series (one or several target columns).
    X : DataFrame or array-like, default=None
        Exogenous features aligned with ``y``; each fold's future rows are passed to
        ``predict`` as known covariates.
    cv : int or cross-validator, default=5
        Number of folds (a ``TimeSeriesSplit`` whose test folds are ``horizon`` long;
        1: the last ``horizon`` steps), or a splitter such as ``TimeSeriesSplit`` (its
        test folds must follow their training folds directly: ``gap=0``; each scores
        its first ``horizon`` steps).
    horizon : int or None, default=None
        Steps forecast at each origin. None: the forecaster's ``horizon`` parameter.
    season : int or "auto", default="auto"
        Seasonal period of the MASE scale (the in-sample error of the seasonal-naive
        forecast). "auto": the dominant period of the first fold's training part,
        detected as ``SequenceForecaster`` does, so every forecaster backtested on
        the same ``y`` and ``cv`` is scaled alike; it is in ``table.attrs["season"]``.

    Returns
    -------
    DataFrame
        One row per fold: ``fold``, ``train_size``, ``test_start``, ``horizon``,
        ``mae``, ``rmse``, ``smape``, ``mase``, ``fit_seconds``, and for quantile
        forecasters ``pinball`` and ``coverage`` (of the outermost quantiles).
        Missing values: with a forecaster's ``fill=``, folds count the time steps a
        DatetimeIndex skips, the MASE scale and season come from the filled history,
        and steps whose actual value is NaN are left out of the errors (NaN when a
        fold has none).

    Examples
    --------
    >>> import numpy as np
    >>> from seqtune.baselines import NaiveForecaster
    >>> from seqtune.metrics import backtest
    >>> y = np.arange(40.0)
    >>> backtest(NaiveForecaster(), y, cv=3, horizon=5)["mase"].round(1).tolist()
    [3.0, 3.0, 3.0]
    """
    from sklearn.base import clone
    from sklearn.model_selection import TimeSeriesSplit

    params = forecaster.get_params()
    h = horizon if horizon is not None else params.get("horizon")
    if h is None:
        raise ValueError("horizon is None and the forecaster has no horizon parameter; pass horizon=.")
    if not isinstance(h, Integral) or isinstance(h, bool) or h < 1:
        raise ValueError(f"horizon must be an int >= 1; got {h!r}.")
    if isinstance(y, (list, tuple)) and len(y) and np.ndim(y[0]) >= 1 and not np.isscalar(y[0]):
        if isinstance(y[0], (pd.Series, pd.DataFrame, np.ndarray)):
            raise TypeError("backtest takes one series; for several, backtest each (or pass a 2-D y).")
    if isinstance(y, pd.DataFrame):
        text = [c for c in y.columns if not pd.api.types.is_numeric_dtype(y[c].dtype)]
        if text or not y.index.is_unique:
            raise TypeError(
                "backtest takes one series, but y looks like a long frame of several "
                f"({f'non-numeric column(s) {text[:3]}' if text else 'its index repeats'}); backtest each "
                "series: for key, part in y.groupby(id_column): backtest(forecaster, part.drop(columns=id_column))."
            )
    fill = _setting(params, "fill")
    # With fill=, the forecaster inserts the time steps y skips: count folds in those steps too.
    y, X = with_missing_steps_xy(y, X, fill)
    n = len(y)
    if X is not None and len(X) != n:
        raise ValueError(f"X has {len(X)} rows but y has {n}; expected the same length.")
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        if cv < 1:
            raise ValueError(f"cv must be a number of folds >= 1 or a splitter such as TimeSeriesSplit; got {cv}.")
        if n - cv * h < 2:
            raise ValueError(f"cv={cv} folds of horizon={h} steps need more than {cv * h + 1} observations; y has {n}.")
        # TimeSeriesSplit needs two splits or more: one fold is the last h steps.
        splits = (list(TimeSeriesSplit(n_splits=cv, test_size=h).split(np.arange(n))) if cv > 1
                  else [(np.arange(n - h), np.arange(n - h, n))])
    else:
        splits = list(cv.split(np.arange(n)))
        longest = max((len(test) for _, test in splits), default=0)
        if longest > h:
            warnings.warn(f"cv's test folds hold up to {longest} steps, but each fold scores one forecast of its "
                          f"first horizon={h} steps; the rest go unscored. Pass cv=<number of folds> (test folds of "
                          "horizon steps) or a splitter with test_size=horizon.", UserWarning,
                          stacklevel=P.user_stacklevel())
    if season != "auto" and (not isinstance(season, Integral) or isinstance(season, bool) or season < 1):
        raise ValueError(f"season must be an int >= 1 or 'auto'; got {season!r}.")
    quantiles = _setting(params, "quantiles")
    y_arr = np.asarray(y, dtype=np.float64)
    n_targets = 1 if y_arr.ndim == 1 else y_arr.shape[1]
    y_arr = y_arr.reshape(n, n_targets)
    if np.isnan(y_arr).any() and fill is None:
        raise ValueError(f"y contains {int(np.isnan(y_arr).sum())} NaN value(s); give the forecaster "
                         "fill='interpolate' or fill='ffill' (seqtune's have it), or fill y first.")
    # The MASE scale and the season come from the history as the forecaster fills it;
    # missing actual values are left out of the errors.
    filled = fill_missing(y_arr, fill or "interpolate", "y")
    rows = []
    for fold, (train, test) in enumerate(splits):
        if test[0] != train[-1] + 1:
            raise ValueError("cv gives test folds that do not follow their training folds; use gap=0.")
        if season == "auto":
            season = dominant_period([filled[train]], MAX_AUTO_SEASON)
        steps = min(h, len(test))
        est = clone(forecaster)
        if "horizon" in params:
            est.set_params(horizon=h)
        start = time.perf_counter()
        est.fit(take_steps(y, train), take_steps(X, train))
        seconds = time.perf_counter() - start
        future_X = None if X is None else take_steps(X, test[:h])
        pred = est.predict(horizon=h, X=future_X) if X is not None else est.predict(horizon=h)
        point, lower, upper = split_forecast(pred, h, n_targets, quantiles)
        actual = y_arr[test[:steps]]
        known = ~np.isnan(actual).any(axis=1)
        row = {
            "fold": fold,
            "train_size": len(train),
            "test_start": y.index[test[0]] if isinstance(y, (pd.Series, pd.DataFrame)) else int(test[0]),
            "horizon": steps,
            "mae": np.nan, "rmse": np.nan, "smape": np.nan, "mase": np.nan,
            "fit_seconds": seconds,
        }
        if known.any():
            actual, forecast = actual[known], point[:steps][known]
            row.update(mae=mae(actual, forecast), rmse=rmse(actual, forecast), smape=smape(actual, forecast),
                       mase=_fold_mase(actual, forecast, filled[train], season))
        if quantiles is not None:
            row["pinball"] = row["coverage"] = np.nan
            if known.any():
                qs = np.asarray(pred, dtype=np.float64).reshape(h, n_targets, len(quantiles))[:steps][known]
                row["pinball"] = pinball_loss(actual, qs, quantiles)
                row["coverage"] = coverage(actual, lower[:steps][known], upper[:steps][known])
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["season"] = season
    return table
