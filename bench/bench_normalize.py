"""The forecaster's anchor on real series: normalize="seasonal", "drift" and "trend", and what "auto" picks.

On short real series that ship with statsmodels, sktime and vega_datasets (``pip install -e
".[cpu,recipes]"``), each with its last ``horizon`` steps held out, prints the mean
absolute error of ``SequenceForecaster(horizon=h, normalize=..., random_state=seed)``
(mean over ``--seeds``) with ``"seasonal"`` (corrections to the seasonal-naive
forecast), ``"drift"`` (to that plus the window's trend) and ``"trend"`` (to the window's
least-squares line plus its mean seasonal profile), which of them
``normalize="auto"`` (the default) picks for the series, and, beside them, naive and
seasonal naive. "auto" decides from the training windows before any training, and then
trains exactly as the setting it picked (same code, same seeds), so its error is that
setting's column; the script checks the decision with ``_prepare`` and does not refit.

Two classical forecasts with a trend stand beside them: the random walk with drift (the
last value plus the training series' mean step) and statsmodels' Holt-Winters
(``ExponentialSmoothing``, additive trend, and additive season where the series holds
two). The ``anchor`` column is the forecast a zero correction gives under the anchor "auto"
picks: what the network adds to it is the difference. ``--baselines-only`` prints only the baselines (seconds, no network).

Run: ``python bench/bench_normalize.py`` (``--seeds 0 1``; ``--only airline lynx``; ``--anchors trend``;
``--quick``: two series, 3 epochs, one seed).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


ANCHORS = ("seasonal", "drift", "trend")


def series() -> dict:
    """name -> (series, horizon, season of the seasonal-naive baseline)."""
    import pandas as pd
    import statsmodels.api as sm
    from sktime import datasets

    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().ffill()
    nile = sm.datasets.nile.load_pandas().data
    macro = sm.datasets.macrodata.load_pandas().data
    from vega_datasets import local_data  # US nonfarm employment, monthly 2006-2015 (in thousands)

    jobs = local_data.us_employment()
    nonfarm = jobs.set_index(pd.DatetimeIndex(jobs["month"], freq="MS"))["nonfarm"].astype(float)
    return {
        "airline": (datasets.load_airline(), 12, 12),
        "co2": (co2, 24, 12),
        "sunspots": (sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"], 12, 11),
        "lynx": (datasets.load_lynx(), 12, 10),
        "nile": (nile.set_index(nile["year"].astype(int))["volume"], 12, 1),
        "shampoo": (datasets.load_shampoo_sales(), 3, 1),
        "inflation": (macro["infl"], 4, 1),
        "real_gdp": (macro["realgdp"], 8, 1),
        "nonfarm": (nonfarm, 12, 12),
    }


def seasonal_naive(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    last = train[-season:]
    return np.array([last[h % season] for h in range(horizon)])


def random_walk_with_drift(train: np.ndarray, horizon: int) -> np.ndarray:
    step = (train[-1] - train[0]) / (len(train) - 1)
    return train[-1] + step * np.arange(1, horizon + 1)


def holt_winters(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = season > 1 and len(train) >= 2 * season
    model = ExponentialSmoothing(train, trend="add", seasonal="add" if seasonal else None,
                                 seasonal_periods=season if seasonal else None)
    return np.asarray(model.fit().forecast(horizon))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", nargs="+", default=None, help="series names (default: all)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: airline and nile, 3 epochs, seed 0")
    parser.add_argument("--baselines-only", action="store_true", help="only the classical forecasts (no network)")
    parser.add_argument("--anchors", nargs="+", default=list(ANCHORS), choices=ANCHORS,
                        help="the normalize settings to train (default: all)")
    args = parser.parse_args(argv)
    from seqtune import SequenceForecaster
    from seqtune._windows import window_anchor

    warnings.simplefilter("ignore")
    table = series()
    names = ["airline", "nile"] if args.quick else (args.only or list(table))
    seeds = [0] if args.quick else args.seeds
    extra = {"epochs": 3, "n_models": 1} if args.quick else {}
    print(f"MAE on the last h steps, mean over seeds {seeds}; seqtune SequenceForecaster(horizon=h{', ' + str(extra) if extra else ''})")
    print(f"{'series':<10} {'n':>4} {'h':>3} " + " ".join(f"{a:>10}" for a in ANCHORS) + f" {'auto picks':>11} "
          f"{'anchor':>10} {'naive':>10} {'snaive':>10} {'rw drift':>10} {'holt-win':>10} {'fit s':>6}")
    for name in names:
        y, horizon, season = table[name]
        y = y.astype(float)
        train, test = y.iloc[:-horizon], y.iloc[-horizon:].to_numpy()
        start = time.perf_counter()
        errors = {}
        for normalize in () if args.baselines_only else args.anchors:
            maes = []
            for seed in seeds:
                forecast = SequenceForecaster(horizon=horizon, normalize=normalize, random_state=seed,
                                              **extra).fit(train).predict()
                maes.append(float(np.mean(np.abs(np.asarray(forecast) - test))))
            errors[normalize] = float(np.mean(maes))
        auto = SequenceForecaster(horizon=horizon, **extra)
        auto._prepare(train)  # the decision, from the training windows
        values = train.to_numpy()
        naive = float(np.mean(np.abs(values[-1] - test)))
        snaive = float(np.mean(np.abs(seasonal_naive(values, horizon, season) - test)))
        past = values[-auto.lookback_:].reshape(1, -1, 1)  # the forecast a zero correction gives
        _, anchor = window_anchor(past, 0.0, normalize=auto.normalize_, season=auto.season_, horizon=horizon)
        anchored = float(np.mean(np.abs(anchor.ravel() - test)))
        drifting = float(np.mean(np.abs(random_walk_with_drift(values, horizon) - test)))
        holt = float(np.mean(np.abs(holt_winters(values, horizon, season) - test)))
        ours = [f"{errors[key]:>10.4g}" if key in errors else f"{'-':>10}" for key in ANCHORS]
        print(f"{name:<10} {len(y):>4} {horizon:>3} {' '.join(ours)} {auto.normalize_:>11} {anchored:>10.4g} {naive:>10.4g} "
              f"{snaive:>10.4g} {drifting:>10.4g} {holt:>10.4g} {time.perf_counter() - start:>6.0f}", flush=True)


if __name__ == "__main__":
    main()
