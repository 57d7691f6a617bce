"""SequenceForecaster settings against seasonal naive on the forecasting recipe's splits, in one run.

For each setting given (JSON dicts of ``SequenceForecaster`` parameters; ``{}`` is
the defaults) and each seed, fits on the training part and prints the mean MASE over
the held-out origins next to seasonal naive's, with the ratio, the lookback, the
epochs chosen, whether the linear skip is on, and the fit time; for a setting with
``quantiles``, the MASE of the quantile nearest 0.5 and the share of outcomes inside the
band of the outermost quantiles (with its nominal level). The splits are the
recipe's (``recipes/forecasting.py``): sunspots, last 30 years at once (season 11);
Seattle hourly temperatures, the next 24 hours at 14 daily origins (season 24).
The recipe adds the ARIMA / ETS baselines, quantiles and a search; this script
exists to compare settings of the defaults quickly.

Run: ``python bench/bench_forecaster.py --series seattle --settings '{}' '{"linear_skip": false}'``
or ``--settings '{"quantiles": [0.1, 0.5, 0.9]}' '{"quantiles": [0.1, 0.5, 0.9], "calibrate_quantiles": false}'``
(``--seeds 0 1 2``; ``--quick`` for a smoke run on a short piece of Seattle).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "recipes"))


def split(name: str, quick: bool):
    """(series, training length, origins, horizon, season) of the recipe."""
    from forecasting import seattle, sunspots

    if name == "sunspots":
        y = sunspots()
        return y, len(y) - 30, [len(y) - 30], 30, 11
    y = seattle()
    train_len = len(y) - 14 * 24
    days = 14
    if quick:  # the last 30 days of training, 2 origins
        y, train_len, days = y[train_len - 30 * 24: train_len + 2 * 24], 30 * 24, 2
    return y, train_len, [train_len + 24 * d for d in range(days)], 24, 24


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", choices=["sunspots", "seattle"], default="sunspots")
    parser.add_argument("--settings", nargs="+", default=["{}"], help="JSON dicts of SequenceForecaster parameters")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny networks, few epochs")
    args = parser.parse_args(argv)
    settings = [json.loads(s) for s in args.settings]

    from seqtune import SequenceForecaster
    from seqtune.baselines import SeasonalNaiveForecaster
    from seqtune.metrics import coverage, mase

    y, train_len, origins, horizon, season = split(args.series, args.quick)
    train = y[:train_len]
    scale = train.interpolate()
    histories = [y[:o] for o in origins]
    actuals = [y[o: o + horizon] for o in origins]

    def score(forecasts):
        return float(np.mean([mase(a, f, scale, season=season) for a, f in zip(actuals, forecasts)]))

    naive = SeasonalNaiveForecaster(season=season, fill="interpolate").fit(train)
    naive_mase = score([naive.predict(horizon=horizon, y=h) for h in histories])
    print(f"{args.series}: {train_len} training steps, {len(origins)} origin(s), horizon {horizon}; "
          f"seasonal naive MASE {naive_mase:.3f}")
    print(f"{'setting':<40} {'seed':>4} {'MASE':>7} {'/naive':>7} {'lookback':>8} {'epochs':>6} {'skip':>5} "
          f"{'fit s':>6} {'band cover':>10}")
    tiny = {"epochs": 3, "n_models": 2, "units": 8} if args.quick else {}
    for setting in settings:
        results = []
        for seed in args.seeds:
            est = SequenceForecaster(horizon=horizon, fill="interpolate", random_state=seed, **{**tiny, **setting})
            start = time.perf_counter()
            est.fit(train)
            seconds = time.perf_counter() - start
            forecasts = [np.asarray(est.predict(y=h), dtype=float) for h in histories]
            band = ""
            if est.quantiles_ is not None:  # columns: one a quantile
                levels = np.asarray(est.quantiles_)
                cover = np.mean([coverage(np.asarray(a, float), f[:, 0], f[:, -1])
                                 for a, f in zip(actuals, forecasts)])
                band = f"{cover:.2f} ({levels[-1] - levels[0]:.2f})"
                forecasts = [f[:, int(np.argmin(np.abs(levels - 0.5)))] for f in forecasts]
            ours = score(forecasts)
            results.append(ours)
            print(f"{json.dumps(setting):<40} {seed:>4} {ours:>7.3f} {ours / naive_mase:>7.3f} {est.lookback_:>8} "
                  f"{est.best_epoch_:>6} {str(est.linear_skip_):>5} {seconds:>6.0f} {band:>10}", flush=True)
        if len(results) > 1:
            print(f"{json.dumps(setting):<40} mean {np.mean(results):>7.3f} {np.mean(results) / naive_mase:>7.3f}")


if __name__ == "__main__":
    main()
