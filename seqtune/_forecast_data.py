"""The forecaster's data preparation: validated series, the statistics learned from them, and windows.

:class:`ForecastDataMixin` holds the part of :class:`seqtune.forecasting.SequenceForecaster`
that reads ``y`` and ``X``, resolves the season and the lookback, learns the
per-series level and scale and cuts the training and validation windows.
"""

from __future__ import annotations

import warnings

import numpy as np

from seqtune import _params as P
from seqtune._fit_state import forget_fitted_state
from seqtune._seasonality import dominant_period
from seqtune._series import (
    Panel,
    exog_columns,
    naive_error,
    read_exog,
    read_target,
    spread,
)
from seqtune._windows import (
    holdout_split,
    sliding,
    tail_split,
    window_anchor,
    window_inputs,
)

# "auto" never looks back further than this: a recurrent layer reading longer windows
# trains slowly and learns little more on the series seqtune targets.
MAX_LOOKBACK = 256
# Fewer training windows than this get a warning that the network has little to learn from.
FEW_WINDOWS = 20
# jit_compile="auto" compiles the ensemble with XLA when each member will step through at least this many time
# steps (training windows x lookback x epochs). The compilation grows with the members, as the time it saves a
# batch does, so the members do not count; a fit compiles twice (early stopping, then the refit). Measured on 2
# CPU cores (bench/bench_forecast_xla.py, bench/RESULTS.md), whole default fits: XLA 1.23x slower at 0.48 million
# steps a member (sunspots; the 5 members counted, it was compiled), 1.8x faster at 0.90 million (CO2's last 250
# weeks) and 1.7-1.9x faster from 2.2 million.
FORECAST_JIT_MIN_WORK = 600_000


class ForecastDataMixin:
    """Data preparation of :class:`~seqtune.forecasting.SequenceForecaster` (see the module docstring)."""

    def _prepare(self, y, X=None, *, holdout: int = 0):
        """Validate, learn the statistics and cut the windows: ``(train, val, every)``.

        ``train``, ``val`` and ``every`` are ``(inputs, targets)`` (``val`` may be None).
        With ``holdout > 0`` (the tuner's trials) the last ``holdout`` steps of every
        series are held out: the statistics, ``tails_`` and the training windows come
        from the steps before them, and the windows whose targets start inside them
        validate, so that ``score`` on those steps is a forecast from ``tails_``.
        """
        self._check_params()
        panel = read_target(y, fill=self.fill, id_column=self.id_column, what="y")
        exog = None if X is None else read_exog(X, panel, fill=self.fill, what="X")
        forget_fitted_state(self)
        seen = [v[: len(v) - holdout] for v in panel.values]
        lengths = [len(v) for v in seen]
        self.season_ = self._resolve_season(seen, min(lengths))
        self.lookback_ = self._resolve_lookback(min(lengths))
        self._warn_if_shortest_limits(lengths, panel.ids)
        if self.normalize in ("auto", "seasonal", "drift", "trend") and self.season_ > self.lookback_:
            warnings.warn(
                f"season={self.season_} is longer than lookback={self.lookback_}: windows cannot repeat "
                "the last season, so forecasts correct the last value instead (normalize='last'). "
                f"Use lookback >= {self.season_} (series long enough) or a shorter season.",
                UserWarning, stacklevel=P.user_stacklevel(),
            )
        for i, n in enumerate(lengths):
            if n < self.lookback_ + self.horizon:
                which = "y" if len(lengths) == 1 else f"y series {panel.ids[i]!r}"
                held = f" (after holding out its last {holdout})" if holdout else ""
                lookback = (f"lookback={self.lookback_}" if self.lookback != "auto" else
                            f"the automatic lookback, {self.lookback_} here (half of what the shortest "
                            "series has beyond one horizon)")
                raise ValueError(
                    f"{which} has {n} time steps{held}; expected at least lookback + horizon = "
                    f"{self.lookback_} + {self.horizon} = {self.lookback_ + self.horizon} to make one "
                    f"training window, with {lookback}. Use a shorter "
                    f"{'horizon' if self.lookback == 'auto' else 'lookback or horizon'}, or a longer series."
                )
        self.normalize_ = self._resolve_normalize(seen)
        k = panel.n_columns
        self.n_series_, self.n_targets_ = len(lengths), k
        self.n_exog_ = 0 if exog is None else exog[0].shape[1]
        self.exog_columns_ = None if exog is None else exog_columns(X, panel)
        self.target_meta_ = panel.meta()
        self.quantiles_ = None if self.quantiles is None else [float(q) for q in self.quantiles]
        self.fitted_shape_ = {"horizon": int(self.horizon), "n_models": int(self.n_models)}  # the network's
        self.level_ = np.stack([v.mean(axis=0) for v in seen])
        self.scale_ = np.stack([spread(v) for v in seen])
        self.mase_scale_ = np.stack([naive_error(v, self.season_) for v in seen])
        if exog is not None:
            seen_exog = [e[: len(e) - holdout] for e in exog]
            stacked = np.concatenate(seen_exog)
            self.exog_mean_, self.exog_scale_ = stacked.mean(axis=0), spread(stacked)
            self.exog_tails_ = np.stack([e[-self.lookback_:] for e in seen_exog])
        self.tails_ = np.stack([v[-self.lookback_:] for v in seen])
        if holdout:
            # score() checks that its y continues the training index: the index ends before the holdout.
            self.target_meta_ = panel.head(lengths).meta()
        windows = self._training_windows(panel, exog, holdout=holdout)
        n_windows = len(windows[2][0])
        if n_windows < FEW_WINDOWS and not holdout:  # (a search's trials hold out data: no warning each)
            warnings.warn(
                f"y gives only {n_windows} training window(s) of lookback {self.lookback_} + horizon "
                f"{self.horizon} steps: too few for the network to learn much beyond the seasonal-naive "
                "anchor. A longer series or a shorter horizon helps; compare with "
                "seqtune.baselines.SeasonalNaiveForecaster.",
                UserWarning, stacklevel=P.user_stacklevel(),
            )
        skip_weights = self.lookback_ * self.horizon * k * k * len(self.quantiles_ or [None])
        self.linear_skip_ = (len(windows[0][0]) > skip_weights if self.linear_skip == "auto"
                             else bool(self.linear_skip))
        steps = windows[0][0].shape[1]
        from seqtune._training import resolve_jit
        from seqtune.architectures import layer_widths

        self.jit_compiled_ = resolve_jit(self.jit_compile, len(windows[0][0]) * steps * self.epochs,
                                         cell=self.cell, layers=len(layer_widths(self.units, self.layers)),
                                         longest=steps, min_work=FORECAST_JIT_MIN_WORK)
        return windows

    def _resolve_season(self, values: list, shortest: int) -> int:
        if self.season != "auto":
            return int(self.season)
        # Only a season the windows can hold anchors a forecast: on 84 years of lynx furs a
        # "season" of 38 beat the true cycle of about 10, and no window could repeat it.
        longest = self.lookback if self.lookback != "auto" else self._lookback_room(shortest)
        return dominant_period(values, min(MAX_LOOKBACK // 2, longest))

    def _resolve_normalize(self, values: list) -> str:
        """``normalize``, with "auto" resolved: "drift" where the seasonal-naive forecast with the
        window's trend added errs less than without it over the later half of the training windows,
        else "seasonal".

        Measured on the forecasts a zero correction gives (no network): trending series (airline
        passengers, CO2) take the trend, cycles without one (lynx, sunspots) and random walks do not.
        The later half, nearest the future it forecasts: over all windows, US nonfarm employment's
        2008-09 downturn outweighed the steady growth since, and it lost the trend (bench/RESULTS.md).
        """
        if self.normalize != "auto":
            return self.normalize
        errors = {"seasonal": 0.0, "drift": 0.0}
        for series in values:
            past = sliding(series[: len(series) - self.horizon], self.lookback_)
            future = sliding(series[self.lookback_:], self.horizon)
            later = slice(len(past) // 2, None)
            scale = spread(series)
            for normalize in errors:
                _, anchor = window_anchor(past[later], 0.0, normalize=normalize, season=self.season_,
                                          horizon=self.horizon)
                errors[normalize] += float(np.mean(np.abs(anchor - future[later]) / scale))
        return "drift" if errors["drift"] < errors["seasonal"] else "seasonal"

    def _lookback_room(self, shortest: int) -> int:
        """The longest automatic lookback: half of what the shortest series has beyond one horizon."""
        return (shortest - self.horizon) // 2

    def _resolve_lookback(self, shortest: int) -> int:
        if self.lookback != "auto":
            return int(self.lookback)
        # Two seasons show a full cycle and its repetition, and looking back twice as far as
        # the forecast reaches beat shorter windows on sunspots (bench/RESULTS.md).
        wanted = max(2 * self.season_, 2 * self.horizon, 8)
        return int(max(1, min(wanted, MAX_LOOKBACK, self._lookback_room(shortest))))

    def _warn_if_shortest_limits(self, lengths: list, ids: list) -> None:
        """Warn when one short series cuts the automatic lookback (and season search) of all the others."""
        if self.lookback != "auto" or len(lengths) < 2:
            return
        shortest = int(np.argmin(lengths))
        typical = min(self._lookback_room(int(np.median(lengths))), MAX_LOOKBACK)
        if self.lookback_ == self._lookback_room(lengths[shortest]) and typical > self.lookback_:
            warnings.warn(
                f"y series {ids[shortest]!r} has only {lengths[shortest]} time steps: as the shortest, it limits "
                f"the lookback of every series to {self.lookback_} steps (the median series allows "
                f"{typical}) and the season search to lags up to {self.lookback_}. Fit it "
                "apart from the others, or pass lookback= (each series needs lookback + horizon steps).",
                UserWarning, stacklevel=P.user_stacklevel(),
            )

    def _training_windows(self, panel: Panel, exog, holdout: int = 0):
        """(inputs, targets) for training, for validation (None when there is none) and of every window.

        Validation windows: the last ``validation_fraction`` of each series' windows, or
        with ``holdout`` those whose targets start in the last ``holdout`` steps.
        """
        L, H = self.lookback_, self.horizon
        xs, ys, is_val, kept = [], [], [], []
        for i, values in enumerate(panel.values):
            past = sliding(values[: len(values) - H], L)
            future = sliding(values[L:], H)
            past_e = fut_e = None
            if exog is not None:
                past_e = sliding(exog[i][: len(values) - H], L)
                fut_e = sliding(exog[i][L:], H)
            x, anchor = self._inputs(past, i, past_e, fut_e)
            xs.append(x)
            ys.append(((future - anchor) / self.scale_[i]).reshape(len(x), -1))
            if holdout:
                val_rows, keep = holdout_split(len(x), L, H, len(values), holdout)
            else:
                val_rows, keep = tail_split(len(x), H, self.validation_fraction)
            is_val.append(val_rows)
            kept.append(keep)
        x, y = np.concatenate(xs).astype(np.float32), np.concatenate(ys)
        is_val, keep = np.concatenate(is_val), np.concatenate(kept)
        y = np.tile(y, (1, self.n_models)).astype(np.float32)  # one copy of the targets a member
        if not is_val.any():
            return (x, y), None, (x, y)
        fit_rows = keep & ~is_val
        return (x[fit_rows], y[fit_rows]), (x[is_val], y[is_val]), (x, y)

    def _inputs(self, past, i, past_e=None, fut_e=None, level=None, scale=None):
        """Network inputs and anchors of windows ``past`` (see ``_windows.window_inputs``).

        ``i`` is the series whose statistics apply (or ``level`` and ``scale`` are given).
        """
        exog = None
        if past_e is not None:
            exog = ((past_e - self.exog_mean_) / self.exog_scale_, (fut_e - self.exog_mean_) / self.exog_scale_)
        return window_inputs(past, self.level_[i] if level is None else level,
                             self.scale_[i] if scale is None else scale,
                             # saved before normalize="auto" existed: no normalize_, the parameter applies
                             normalize=getattr(self, "normalize_", self.normalize),
                             season=self.season_, horizon=self.horizon, exog=exog)
