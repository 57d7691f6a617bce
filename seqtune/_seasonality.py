"""Season detection: the dominant period of one or several series, from their autocorrelation (NumPy only)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Autocorrelation of a 1-D series at lags 0..max_lag (FFT, biased estimator)."""
    x = np.asarray(x, dtype=np.float64) - np.mean(x)
    n = len(x)
    size = 1 << int(2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 1]
    return acov / acov[0] if acov[0] > 0 else np.zeros(max_lag + 1)


# A peak of the autocorrelation at a divisor of the highest one's lag is the season when it is at
# least this share of the highest (the longer lag repeats it, at the cost of a longer lookback).
SUBPERIOD_SHARE = 0.9
# The longest seasonal period season="auto" looks for (baselines and backtest).
MAX_AUTO_SEASON = 128
# The chance that white noise shows a season: the significance level of the test over all lags.
FALSE_SEASON_RATE = 0.05
# Differences are read (see dominant_period) only where the detrended series is this persistent (its lag-1
# autocorrelation; white noise: 0, a level shift: near 1), at this stricter level: over 1,200 simulated walks,
# autoregressive and heavy-tailed series without a season, none more showed one than from the detrended series
# alone, while a shift of 3 seasonal ranges in the airline passengers no longer hid its season of 12
# (bench/bench_seasons.py, bench/RESULTS.md).
PERSISTENT = 0.8
FALSE_SEASON_RATE_OF_DIFFERENCES = 0.001
# A difference this many median absolute deviations from the median is a level shift, not the season's.
SHIFT_MADS = 8
# Fewer steps than this show no season: two periods of 2.
MIN_SEASON_STEPS = 4


def dominant_period(series: list, max_period: int) -> int:
    """The strongest seasonal period (a lag) shared by ``series``, or 1 if there is none.

    Read from the series detrended (:func:`_acf_period`), and where they show none but are
    persistent, from their step-to-step differences with level shifts taken out: a shift
    (sales that fall for good one month) leaves the detrended autocorrelation decaying slowly,
    with no seasonal peak standing out, while the differences keep the season.
    """
    columns = [np.asarray(values, dtype=np.float64).reshape(len(values), -1) for values in series]
    shortest = min(len(c) for c in columns)
    if shortest < MIN_SEASON_STEPS or max_period < 2:
        return 1  # too short to show a season (a line through one point has no fit)
    period = _acf_period([_detrended(c) for c in columns], max_period, FALSE_SEASON_RATE)
    if period > 1 or shortest < 8:
        return period
    lag_one = np.mean([autocorrelation(col, 1)[1] for c in columns for col in _detrended(c).T])
    if lag_one < PERSISTENT:
        return 1
    return _acf_period([_without_shifts(np.diff(c, axis=0)) for c in columns], max_period,
                       FALSE_SEASON_RATE_OF_DIFFERENCES)


def _detrended(columns: np.ndarray) -> np.ndarray:
    """Each column minus its least-squares line."""
    tt = np.arange(len(columns), dtype=np.float64)
    return np.column_stack([col - np.polyval(np.polyfit(tt, col, 1), tt) for col in columns.T])


def _without_shifts(steps: np.ndarray) -> np.ndarray:
    """Differences with the outlying ones (level shifts: ``SHIFT_MADS`` deviations out) set to the median."""
    median = np.median(steps, axis=0)
    spread = np.median(np.abs(steps - median), axis=0) * 1.4826
    return np.where((spread > 0) & (np.abs(steps - median) > SHIFT_MADS * spread), median, steps)


def _acf_period(series: list, max_period: int, false_season_rate: float) -> int:
    """The period of :func:`dominant_period` in ``series`` (arrays of columns, detrended or differenced).

    The autocorrelation of each column is averaged (weighted by
    length); the period is the lag of its highest local maximum that stands clearly
    above noise, or a shorter peak it is a multiple of (give or take a step) if that
    is nearly as high (``SUBPERIOD_SHARE`` of it): monthly data with a multi-year
    cycle on top of the annual one keeps the season of 12.

    "Clearly above noise": the peak, and its rise above the lowest autocorrelation at
    a shorter lag, both exceed the white-noise band z / sqrt(n), with z corrected for
    testing every lag (Bonferroni, ``false_season_rate`` in all). Without the
    correction white noise of 200 steps showed a "season" of 98 and 35 months of
    trending sales one of 2; without the rise, a wiggle on the slowly falling
    autocorrelation of daily temperatures one of 10 days.
    """
    total, weight, n_min = None, 0.0, min(len(v) for v in series)
    max_lag = min(int(max_period), n_min // 2)
    if max_lag < 3:
        return 1
    lag_range = np.arange(max_lag + 1)
    unbiased = np.zeros(max_lag + 1)
    for values in series:
        for col in values.T:
            acf = autocorrelation(col, max_lag)
            total = acf * len(col) if total is None else total + acf * len(col)
            unbiased += acf * len(col) * len(col) / (len(col) - lag_range)
            weight += len(col)
    acf, unbiased = total / weight, unbiased / weight

    def peak_of(lag: int) -> int:
        # The biased estimate tapers with the lag (by 1 - lag / n), which moves a broad peak a
        # step short (47 for a noisy daily cycle of 48 half-hours): place it on the unbiased one.
        near = np.arange(max(lag - 1, 2), min(lag + 1, max_lag) + 1)
        return int(near[np.argmax(unbiased[near])])

    lags = np.arange(2, max_lag)
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1])]
    band = NormalDist().inv_cdf(1 - false_season_rate / 2 / (max_lag - 2)) / np.sqrt(n_min)
    lowest_before = np.minimum.accumulate(acf)[peaks - 1]
    peaks = peaks[(acf[peaks] > band) & (acf[peaks] - lowest_before > band)]
    if len(peaks) == 0:
        return 1
    best = int(peaks[np.argmax(acf[peaks])])
    for lag in peaks[peaks < best]:  # ascending: the shortest qualifying divisor wins
        multiple = best / lag
        if acf[lag] >= SUBPERIOD_SHARE * acf[best] and abs(multiple - round(multiple)) * lag <= 1:
            return peak_of(int(lag))
    return peak_of(best)
