"""Baseline forecasters to print beside every result: naive and seasonal naive.

They take the same input as :class:`seqtune.forecasting.SequenceForecaster`
(arrays, pandas, lists of series, long frames with ``id_column``) and return
forecasts in the same form, with the same future index, so any forecast can be
compared with them on the same split. NumPy and pandas only.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from seqtune import _params as P
from seqtune._forecast_history import check_continues
from seqtune._seasonality import MAX_AUTO_SEASON, dominant_period
from seqtune._series import (
    FILL_METHODS,
    format_forecast,
    naive_error,
    read_target,
    scaled_error,
)
from seqtune._windows import (
    SCORE_ONE_SERIES,
    score_origins,
    seasonal_repeat,
    stitched_mae,
)


class SeasonalNaiveForecaster(BaseEstimator):
    """Forecast every step as the value one season earlier.

    ``y[t + h]`` is predicted by the last observed value at the same position in
    the season: the last ``season`` observations repeated. With ``season=1`` this
    is the naive forecast (the last value, repeated).

    Parameters
    ----------
    season : int or "auto", default="auto"
        Seasonal period in steps. ``"auto"``: the dominant period of the
        autocorrelation of the training data (1 if there is none).
    fill : {"ffill", "interpolate"} or None, default=None
        How to fill NaN in ``y``. None: NaN is an error.
    id_column : str or None, default=None
        For a long DataFrame holding several series: the column with the series id.

    Attributes
    ----------
    season_ : int
        Period in use.
    tails_ : list of ndarray
        The last ``season_`` observations of every training series.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqtune.baselines import SeasonalNaiveForecaster
    >>> y = pd.Series([1.0, 2, 3, 1, 2, 3, 1, 2], index=pd.RangeIndex(8))
    >>> SeasonalNaiveForecaster(season=3).fit(y).predict(horizon=4).tolist()
    [3.0, 1.0, 2.0, 3.0]
    """

    def __init__(self, season="auto", fill=None, id_column=None):
        self.season = season
        self.fill = fill
        self.id_column = id_column

    def _season_param(self):
        return self.season

    def _check_params(self) -> None:
        if self._season_param() != "auto":
            P.check_int("season", self._season_param())
        if self.fill is not None and self.fill not in FILL_METHODS:
            raise ValueError(f"fill={self.fill!r} is not one of {FILL_METHODS} or None.")

    def fit(self, y, X=None) -> "SeasonalNaiveForecaster":
        """Remember the end of the series.

        Parameters
        ----------
        y : series in any form SequenceForecaster accepts
        X : ignored
            Accepted for API compatibility.

        Returns
        -------
        self
        """
        self._check_params()
        panel = read_target(y, fill=self.fill, id_column=self.id_column, what="y")
        season = self._season_param()
        season = dominant_period(panel.values, MAX_AUTO_SEASON) if season == "auto" else int(season)
        shortest = min(len(v) for v in panel.values)
        if shortest < season:
            raise ValueError(f"y has a series of {shortest} time steps; expected at least season={season}.")
        self.season_ = season
        self.n_targets_ = panel.n_columns
        self.target_meta_ = panel.meta()
        self.tails_ = [v[-season:] for v in panel.values]
        self.mase_scale_ = [naive_error(v, season) for v in panel.values]
        return self

    def predict(self, horizon: int = 1, X=None, y=None):
        """Forecast ``horizon`` steps after the training series (or after ``y``).

        Parameters
        ----------
        horizon : int, default=1
        X : ignored
        y : series, default=None
            Forecast from the end of this history instead (at least ``season_`` steps).

        Returns
        -------
        Series, DataFrame, ndarray or list
            In the form of ``y``, with the future index.
        """
        check_is_fitted(self, "tails_")
        P.check_int("horizon", horizon)
        if y is None:
            tails, meta = self.tails_, self.target_meta_
        else:
            panel = read_target(y, fill=self.fill, id_column=self.id_column, what="y")
            if panel.n_columns != self.n_targets_:
                raise ValueError(f"y has {panel.n_columns} column(s); expected {self.n_targets_} as in fit.")
            if min(len(v) for v in panel.values) < self.season_:
                raise ValueError(f"y has a series shorter than season={self.season_} steps.")
            tails, meta = [v[-self.season_:] for v in panel.values], panel.meta()
        out = seasonal_repeat(np.stack(tails), horizon, self.season_)
        return format_forecast(out, meta, horizon)

    def score(self, y, X=None, horizon: int | None = None) -> float:
        """Negative MASE of forecasts of ``y`` (the continuation of the training series).

        Parameters
        ----------
        y : one series
        X : ignored
        horizon : int or None, default=None
            None: one forecast of all of ``y``. An int: the protocol of
            :meth:`SequenceForecaster.score <seqtune.SequenceForecaster.score>` with that
            horizon -- forecasts from the end of the training series and then every
            ``horizon`` steps into ``y``, each from the true history up to its origin -- so
            the two scores compare directly.

        Returns
        -------
        float
        """
        check_is_fitted(self, "tails_")
        if len(self.tails_) != 1:
            raise ValueError(SCORE_ONE_SERIES)
        panel = read_target(y, fill=self.fill, what="y")
        check_continues(self.target_meta_, panel)
        actual = panel.values[0]
        if actual.shape[1] != self.n_targets_:
            raise ValueError(f"y has {actual.shape[1]} column(s); expected {self.n_targets_} as in fit.")
        P.check_int("horizon", horizon, allow_none=True)
        n, season = len(actual), self.season_
        steps = n if horizon is None else min(int(horizon), n)
        history = np.concatenate([self.tails_[0], actual])
        origins = score_origins(n, steps)
        past = np.stack([history[o : o + season] for o in origins])  # the season before each origin
        forecasts = seasonal_repeat(past, steps, season)
        return -scaled_error(stitched_mae(forecasts, origins, actual), self.mase_scale_[0])


class NaiveForecaster(SeasonalNaiveForecaster):
    """Forecast every step as the last observed value.

    Parameters
    ----------
    fill : {"ffill", "interpolate"} or None, default=None
        How to fill NaN in ``y``. None: NaN is an error.
    id_column : str or None, default=None
        For a long DataFrame holding several series: the column with the series id.

    Attributes
    ----------
    season_ : int
        Always 1.

    Examples
    --------
    >>> import numpy as np
    >>> from seqtune.baselines import NaiveForecaster
    >>> NaiveForecaster().fit(np.array([1.0, 2.0, 5.0])).predict(horizon=2)
    array([5., 5.])
    """

    def __init__(self, fill=None, id_column=None):
        self.fill = fill
        self.id_column = id_column

    def _season_param(self):
        return 1
