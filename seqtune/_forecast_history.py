"""How a history given to ``SequenceForecaster.predict`` or ``score`` maps onto the training series:
its target columns (by name), which training series it continues, and the scaling it gets."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from seqtune import _params as P
from seqtune._series import IndexInfo, Panel, plain_label, spread

# predict(y=...) warns when a history's spread is over this many times its matched training series'
# (or under its inverse), or its mean this many training spreads away: likely another series.
UNLIKE_SPREAD = 10.0


class ForecastHistoryMixin:
    """Part of :class:`seqtune.forecasting.SequenceForecaster` (its fitted ``target_meta_``,
    ``n_targets_``, ``n_series_``, ``level_`` and ``scale_``)."""

    def _check_columns(self, panel: Panel) -> Panel:
        """``panel`` with its target columns in fit's order: matched by name when both are DataFrames."""
        if panel.n_columns != self.n_targets_:
            raise ValueError(f"y has {panel.n_columns} target column(s); this model was fitted on {self.n_targets_}.")
        meta = panel.meta()
        fitted, given = self.target_meta_["columns"], meta["columns"]
        if self.n_targets_ == 1 or given == fitted or not (_named(self.target_meta_) and _named(meta)):
            return panel
        names = [str(c) for c in given]
        if sorted(names) != sorted(map(str, fitted)) or len(set(names)) != len(names):
            raise ValueError(f"y has the target columns {given}; this model was fitted on {fitted} "
                             "(matched by name): pass the same columns.")
        order = [names.index(str(name)) for name in fitted]
        return replace(panel, values=[v[:, order] for v in panel.values], columns=list(fitted))

    def _check_continues(self, panel: Panel) -> None:
        check_continues(self.target_meta_, panel)

    def _fitted_offset(self):
        """The (first) training series' frequency as a pandas offset, or None (no DatetimeIndex): a new
        history or continuation whose index carries none, too short to infer it, is read on this one."""
        info = IndexInfo(**self.target_meta_["index"][0])
        return info.offset() if info.kind == "datetime" else None

    def _match_series(self, panel: Panel) -> list:
        """For every series in ``panel``, the training series whose scaling it keeps (or None)."""
        n = len(panel.values)
        meta = self.target_meta_
        if self.n_series_ == 1 and n == 1:
            return [0]
        if panel.layout == "long" and meta["layout"] == "long":
            known = {key: i for i, key in enumerate(meta["ids"])}
            return [known.get(plain_label(key)) for key in panel.ids]
        if panel.layout == meta["layout"] == "list" and n == self.n_series_:
            return list(range(n))
        return [None] * n

    def _warn_if_unlike(self, which: int, values: np.ndarray, label: str) -> None:
        """Warn when a history given to predict looks like another series than the training one it is
        matched to: it is scaled by that series' statistics, which would distort its forecast."""
        level, scale = np.asarray(self.level_[which]), np.asarray(self.scale_[which])
        own_level, own_scale = values.mean(axis=0), spread(values)
        ratio = own_scale / scale
        if np.all((ratio <= UNLIKE_SPREAD) & (ratio >= 1 / UNLIKE_SPREAD)
                  & (np.abs(own_level - level) <= UNLIKE_SPREAD * scale)):
            return
        warnings.warn(
            f"{label} looks unlike the training series it is matched to (mean {_fmt(own_level)} against "
            f"{_fmt(level)}, spread {_fmt(own_scale)} against {_fmt(scale)}), yet it is forecast with that "
            "series' scaling, learned in fit. To forecast another series, fit on it, or on several series (a "
            "series predict cannot match to one of them is scaled by its own statistics).",
            UserWarning, stacklevel=P.user_stacklevel())

    def _warn_if_other_frequency(self, panel: Panel) -> None:
        """Warn when a history given to predict is sampled at another frequency than the training series:
        the network forecasts its steps with what it learned from steps of another length."""
        fitted = {info["freq"]: _step_days(info["kind"], info["freq"])
                  for info in self.target_meta_["index"] if info.get("freq")}
        given = {info.freq: _step_days(info.kind, info.freq) for info in panel.index if info.freq}
        # by the length of a step: a monthly PeriodIndex ("M") continues a month-start DatetimeIndex ("MS")
        other = sorted(freq for freq, days in given.items()
                       if days and not any(d and abs(days / d - 1) < 0.1 for d in fitted.values()))
        if fitted and other:
            warnings.warn(
                f"y is sampled at frequency {', '.join(other)}, but this model was fitted on series at "
                f"{', '.join(sorted(fitted))}: it forecasts those steps with the patterns (season, lookback) of "
                "the training frequency. Resample y to it, or fit on data at this frequency.",
                UserWarning, stacklevel=P.user_stacklevel())

    def _check_fitted_shape(self) -> None:
        """Fitted, with the parameters that shape the network as they were in fit."""
        check_is_fitted(self, "model_")
        changed = [f"{name}={getattr(self, name)!r} (fitted with {value!r})"
                   for name, value in getattr(self, "fitted_shape_", {}).items() if getattr(self, name) != value]
        if changed:
            raise ValueError(f"{' and '.join(changed)} was set after fit; the fitted network forecasts with the "
                             "value of fit: call fit again, or set it back.")

    def _exog_names(self) -> list | None:
        return getattr(self, "exog_columns_", None)  # None in models saved before names were kept

    def _check_exog_width(self, exog) -> None:
        if exog[0].shape[1] != self.n_exog_:
            raise ValueError(f"X has {exog[0].shape[1]} feature(s); this model was fitted with {self.n_exog_}.")

    def _stats(self, which, values):
        if which is not None:
            return self.level_[which], self.scale_[which]
        return values.mean(axis=0), spread(values)


def _step_days(kind: str, freq: str) -> float | None:
    """The mean length in days of a step at ``freq`` (None where pandas cannot say)."""
    try:
        if kind == "period":
            steps = pd.period_range("2001-01-01", periods=13, freq=freq).to_timestamp()
        else:
            steps = pd.date_range("2001-01-01", periods=13, freq=freq)
    except (ValueError, TypeError):
        return None
    return float((steps[-1] - steps[0]) / pd.Timedelta(days=1)) / 12


def check_continues(target_meta: dict, panel: Panel) -> None:
    """``score``'s y must start right after the training series (when both have an index)."""
    info, pidx = IndexInfo(**target_meta["index"][0]), panel.pandas_index[0]
    if pidx is None or info.kind == "none" or len(pidx) == 0:
        return
    expected = info.future(1)[0]
    if pidx[0] != expected:
        raise ValueError(
            f"y starts at {pidx[0]}, but score compares forecasts with the continuation of the "
            f"training series, which starts at {expected}. Pass the observations that follow it."
        )


def _named(meta: dict) -> bool:
    """Whether a panel's target columns carry names (DataFrames), not positions."""
    return "frame" in (meta["layout"], meta["item_layout"]) or meta["layout"] == "long"


def _fmt(values: np.ndarray) -> str:
    return ", ".join(f"{v:.4g}" for v in np.atleast_1d(values))
