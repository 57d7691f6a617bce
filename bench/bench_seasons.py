"""Season detection (``season="auto"``): real series, the same with a level shift, and series without a season.

For each real series (statsmodels, sktime and vega_datasets data: ``pip install -e ".[cpu,recipes]"``) and for
the same series with a lasting shift of its level (``--shift`` times its mean seasonal range, from its middle on),
prints the season found from the detrended series alone (the rule before differences were read) and by
``seqtune._seasonality.dominant_period`` (which reads the differences of persistent series where the detrended
ones show no season). Then counts, over simulated series without any season (random walks, autoregressive,
heavy-tailed and white noise, 200 of each, lengths 60-500), how many get a season by each rule.

With ``--forecast``, also forecasts the last 12 months of the shifted airline passengers with
``SequenceForecaster(horizon=12)`` under the season of each rule (``season=`` set to it: the only difference), beside
seasonal naive and naive (mean absolute error).

Run: ``python bench/bench_seasons.py`` (a few seconds; ``--simulated 50`` for fewer; ``--forecast``: a minute more).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def real_series() -> dict:
    """name -> (values, the season the series is known to have, 1 for none)."""
    import statsmodels.api as sm
    from sktime import datasets
    from vega_datasets import local_data

    elnino = sm.datasets.elnino.load_pandas().data.iloc[:, 1:].to_numpy(float).ravel()
    macro = sm.datasets.macrodata.load_pandas().data
    return {
        "airline": (datasets.load_airline().to_numpy(float), 12),
        "co2": (sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().ffill().to_numpy(float), 12),
        "elnino": (elnino, 12),
        "seattle hourly": (local_data.seattle_temps()["temp"].to_numpy(float)[:2000], 24),
        "nile": (sm.datasets.nile.load_pandas().data["volume"].to_numpy(float), 1),
        "real gdp": (macro["realgdp"].to_numpy(float), 1),
        "t-bill rate": (macro["tbilrate"].to_numpy(float), 1),
    }


def detrended_only(values: np.ndarray) -> int:
    from seqtune._seasonality import FALSE_SEASON_RATE, _acf_period, _detrended

    column = values.reshape(len(values), -1)
    return _acf_period([_detrended(column)], min(128, len(values) // 2), FALSE_SEASON_RATE)


def current(values: np.ndarray) -> int:
    from seqtune._seasonality import dominant_period

    return dominant_period([values.reshape(len(values), -1)], min(128, len(values) // 2))


def shifted(values: np.ndarray, season: int, times: float) -> np.ndarray:
    """``values`` with ``times`` their mean seasonal range added from the middle on."""
    cycles = len(values) // season
    ranges = np.ptp(values[: cycles * season].reshape(cycles, season), axis=1)
    out = values.copy()
    out[len(values) // 2:] += times * ranges.mean()
    return out


def simulated(kind: str, n: int, rng) -> np.ndarray:
    from scipy.signal import lfilter

    noise = rng.normal(size=n)
    if kind == "random walk":
        return np.cumsum(noise)
    if kind == "heavy-tailed walk":
        return np.cumsum(rng.standard_t(3, size=n))
    if kind == "changing volatility":
        return np.cumsum(noise * np.exp(np.convolve(rng.normal(size=n), np.ones(10) / 3, "same")))
    if kind == "AR(1) 0.9":
        return lfilter([1], [1, -0.9], noise)
    if kind == "AR(1) 0.5":
        return lfilter([1], [1, -0.5], noise)
    return noise  # white noise


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shift", type=float, default=3.0, help="level shift, in mean seasonal ranges")
    parser.add_argument("--simulated", type=int, default=200, help="simulated series of each kind")
    parser.add_argument("--forecast", action="store_true", help="forecast the shifted airline passengers too")
    parser.add_argument("--seed", type=int, default=0, help="the forecaster's random_state")
    args = parser.parse_args(argv)
    print(f"{'series':<16} {'season':>6} {'shifted':>8} {'detrended only':>15} {'seqtune':>8}")
    for name, (values, season) in real_series().items():
        cases = [(values, "no")] + ([(shifted(values, season, args.shift), f"{args.shift:g}x")] if season > 1 else [])
        for series, shift in cases:
            print(f"{name:<16} {season:>6} {shift:>8} {detrended_only(series):>15} {current(series):>8}")
    rng = np.random.default_rng(1)
    print(f"\nseries without a season that get one ({args.simulated} of each kind, 60-500 steps)")
    print(f"{'kind':<22} {'detrended only':>15} {'seqtune':>8}")
    for kind in ("white noise", "AR(1) 0.5", "AR(1) 0.9", "random walk", "heavy-tailed walk", "changing volatility"):
        counts = [0, 0]
        for _ in range(args.simulated):
            series = simulated(kind, int(rng.integers(60, 500)), rng)
            counts[0] += detrended_only(series) != 1
            counts[1] += current(series) != 1
        print(f"{kind:<22} {counts[0]:>15} {counts[1]:>8}")
    if args.forecast:
        forecast_shifted_airline(args.shift, args.seed)


def forecast_shifted_airline(times: float, seed: int) -> None:
    import warnings

    from seqtune import SequenceForecaster

    values = shifted(real_series()["airline"][0], 12, times)
    train, test = values[:-12], values[-12:]
    print(f"\nairline passengers shifted by {times:g} seasonal ranges: MAE on the last 12 months")
    for rule, season in (("detrended only", detrended_only(train)), ("seqtune", current(train))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecast = SequenceForecaster(horizon=12, season=season, random_state=seed, verbose=0).fit(train).predict()
        print(f"{f'SequenceForecaster, season {season} ({rule})':<48} {np.mean(np.abs(forecast - test)):8.2f}")
    print(f"{'seasonal naive (12)':<48} {np.mean(np.abs(train[-12:] - test)):8.2f}")
    print(f"{'naive (last value)':<48} {np.mean(np.abs(train[-1] - test)):8.2f}")


if __name__ == "__main__":
    main()
