"""How series become the forecaster's network inputs and targets (NumPy only).

A window is ``lookback`` steps of history followed by the ``horizon`` steps to
predict. The network reads the history relative to a reference value (and its
standardised level) and predicts ``(future - anchor) / scale``, where the anchor
is the forecast a zero correction gives: the last value repeated, the
window mean, the series mean, the seasonal-naive forecast, that plus the
window's trend, or the window's least-squares trend plus its mean seasonal profile.
"""

from __future__ import annotations

import numpy as np

NORMALIZATIONS = ("auto", "seasonal", "drift", "trend", "last", "mean", "none")

# What ``score`` of a forecaster fitted on several series says.
SCORE_ONE_SERIES = ("score needs a model fitted on one series. For several, score each: "
                    "seqtune.metrics.backtest(forecaster, one_series) refits on it, or compare "
                    "predict(y=history) with what followed (seqtune.metrics.mase).")


def sliding(values: np.ndarray, width: int) -> np.ndarray:
    """Every window of ``width`` consecutive rows: ``(n_windows, width, n_columns)``."""
    return np.lib.stride_tricks.sliding_window_view(values, width, axis=0).transpose(0, 2, 1)


def seasonal_repeat(past: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The seasonal-naive forecast of windows ``past`` ``(n, length, k)``: ``(n, horizon, k)``.

    The last ``season`` steps of every window, repeated (``season=1``: the last value).
    """
    steps = past.shape[1] - season + np.arange(horizon) % season
    return past[:, steps, :]


def drift(past: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The trend the seasonal-naive forecast misses: ``(n, horizon, k)``.

    Per step, the window's trend: the mean of its last season minus that of the season
    before, over ``season`` (``season=1`` or a window shorter than two seasons: last minus
    first value over the steps between). A forecast ``h`` steps ahead repeats a value
    ``season * ceil(h / season)`` steps old (the last value: ``h`` steps), so it moves that
    many steps of trend.
    """
    length = past.shape[1]
    steps = np.arange(1, horizon + 1)
    if 1 < season <= length:  # the anchor repeats the last season (seasonal_repeat)
        steps = season * np.ceil(steps / season)
    if 1 < season and 2 * season <= length:
        slope = (past[:, -season:].mean(axis=1) - past[:, -2 * season:-season].mean(axis=1)) / season
    else:
        slope = (past[:, -1] - past[:, 0]) / max(length - 1, 1)
    return slope[:, None, :] * steps[None, :, None]


def trend_profile(past: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The window's trend line carried forward, plus its mean seasonal profile: ``(n, horizon, k)``.

    Fitted by least squares over the whole seasons at the window's end: the slope is that of
    the season means (one value a step without a season), so the season does not tilt the line,
    and the profile is the mean, at each phase, of the deviations from the line. Where the
    seasonal-naive forecast repeats one noisy season and :func:`drift` takes the trend from two
    season means, this averages the noise over the window, as a classical decomposition (or
    Holt-Winters on a steady series) does. The window must hold two whole seasons (two steps
    without a season): :func:`window_anchor` uses the drift anchor for shorter ones.
    """
    n, length, k = past.shape
    season = max(1, season)
    cycles = length // season
    whole = past[:, length - cycles * season:].reshape(n, cycles, season, k)
    cycle_means = whole.mean(axis=2)  # (n, cycles, k)
    centred = np.arange(cycles) - (cycles - 1) / 2
    slope = np.einsum("c,nck->nk", centred, cycle_means) / float(centred @ centred) / season
    mean = cycle_means.mean(axis=1)
    # times on a clock whose 0 is the middle of the whole seasons
    clock = (np.arange(cycles * season) - (cycles * season - 1) / 2).reshape(cycles, season)
    line = mean[:, None, None, :] + slope[:, None, None, :] * clock[None, :, :, None]
    profile = (whole - line).mean(axis=1)  # (n, season, k)
    ahead = (cycles * season - 1) / 2 + np.arange(1, horizon + 1)
    # step h follows the last step, whose phase is season - 1
    return mean[:, None, :] + slope[:, None, :] * ahead[None, :, None] + profile[:, np.arange(horizon) % season]


def score_origins(n_steps: int, horizon: int) -> list[int]:
    """Forecast origins covering ``n_steps`` held-out steps once: every ``horizon`` steps,
    the last one ending with the data (it may overlap the one before)."""
    origins = list(range(0, n_steps - horizon + 1, horizon))
    if not origins or origins[-1] + horizon < n_steps:
        origins.append(max(0, n_steps - horizon))
    return origins


def stitched_mae(forecasts: np.ndarray, origins: list, actual: np.ndarray) -> np.ndarray:
    """Mean absolute error per target of ``forecasts`` ``(len(origins), horizon, k)`` against
    ``actual`` ``(n_steps, k)``, each step scored once, from the first origin that covers it."""
    n = len(actual)
    error, done = np.zeros(actual.shape[1]), 0
    for forecast, origin in zip(forecasts, origins):
        stop = min(n, origin + forecast.shape[0])
        error += np.abs(forecast[done - origin : stop - origin] - actual[done:stop]).sum(axis=0)
        done = stop
    return error / n


def window_inputs(past: np.ndarray, level, scale, *, normalize: str, season: int, horizon: int,
                  exog=None) -> tuple[np.ndarray, np.ndarray]:
    """Network inputs ``(n, lookback [+ horizon], n_channels)`` and anchors ``(n, horizon, k)``.

    Parameters
    ----------
    past : ndarray of shape (n, lookback, k)
        Windows of the targets.
    level, scale : ndarray of shape (k,)
        Mean and spread of the series the windows come from.
    normalize : {"seasonal", "drift", "trend", "last", "mean", "none"}
        The anchor (see the module docstring); ``"seasonal"`` falls back to the last
        value without a season or when the window is shorter than one season,
        ``"drift"`` adds :func:`drift` to it, and ``"trend"`` is :func:`trend_profile`.
    season, horizon : int
    exog : tuple of two ndarrays or None
        Standardised exogenous features of the window ``(n, lookback, m)`` and of the
        forecast steps ``(n, horizon, m)``.
    """
    ref, anchor = window_anchor(past, level, normalize=normalize, season=season, horizon=horizon)
    # Shape relative to the reference, and the standardised level (where in its range the series is).
    channels = [(past - ref[:, None, :]) / scale, (past - level) / scale]
    if exog is None:
        return np.concatenate(channels, axis=-1), anchor
    past_e, fut_e = exog
    n, k = past.shape[0], past.shape[2]
    channels += [past_e, np.zeros(past.shape[:2] + (1,))]
    future = [np.zeros((n, horizon, 2 * k)), fut_e, np.ones((n, horizon, 1))]
    # Known future covariates ride along as extra steps after the window, flagged by a 1.
    return np.concatenate([np.concatenate(channels, -1), np.concatenate(future, -1)], axis=1), anchor


def window_anchor(past: np.ndarray, level, *, normalize: str, season: int,
                  horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference value ``(n, k)`` of windows ``past`` ``(n, lookback, k)`` and their anchor
    ``(n, horizon, k)``: the forecast a zero correction gives (see :func:`window_inputs`)."""
    if normalize == "trend" and past.shape[1] < 2 * max(1, season):
        normalize = "drift"  # under two seasons there is no line and season to fit apart
    if normalize in ("last", "seasonal", "drift", "trend"):
        ref = past[:, -1, :]
    elif normalize == "mean":
        ref = past.mean(axis=1)
    else:
        ref = np.broadcast_to(level, past[:, -1, :].shape)
    if normalize == "trend":
        anchor = trend_profile(past, horizon, season)
    elif normalize in ("seasonal", "drift") and 1 < season <= past.shape[1]:
        anchor = seasonal_repeat(past, horizon, season)
    else:
        anchor = np.repeat(ref[:, None, :], horizon, axis=1)
    if normalize == "drift":
        anchor = anchor + drift(past, horizon, season)
    return ref, anchor


def tail_split(n_windows: int, horizon: int, validation_fraction) -> tuple[np.ndarray, np.ndarray]:
    """Which windows validate (the last ``validation_fraction``) and which are kept at all.

    Training windows whose targets overlap the first validation window's targets
    (the ``horizon - 1`` before it) are dropped, so validation never scores steps the
    network was trained on. Returns boolean masks ``(is_val, keep)``.
    """
    n_val = int(round(n_windows * (validation_fraction or 0.0)))
    gap = horizon - 1
    is_val = np.zeros(n_windows, bool)
    keep = np.ones(n_windows, bool)
    if n_val >= 1 and n_windows - n_val - gap >= 1:
        is_val[n_windows - n_val:] = True
        keep[n_windows - n_val - gap: n_windows - n_val] = False
    return is_val, keep


def holdout_split(n_windows: int, lookback: int, horizon: int, n_steps: int, holdout: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Masks ``(is_val, keep)`` when the last ``holdout`` of ``n_steps`` steps are held out.

    Windows whose targets start inside the holdout validate; training windows are
    those whose targets end before it (the rest are dropped).
    """
    first_target = np.arange(n_windows) + lookback
    is_val = first_target >= n_steps - holdout
    return is_val, is_val | (first_target + horizon <= n_steps - holdout)
