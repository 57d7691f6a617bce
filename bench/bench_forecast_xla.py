"""Whole-fit time of the default ``SequenceForecaster`` with and without XLA, on real series of several sizes.

The default forecaster trains an ensemble (``n_models=5``) twice: with early stopping on the newest windows,
then again on all of them. XLA's compilation of the ensemble costs several seconds a training and then runs
every batch faster, so ``jit_compile="auto"`` compiles only where each member will step through enough time
steps (``seqtune._forecast_data.FORECAST_JIT_MIN_WORK``: windows x lookback x ``epochs``). For each series
this prints that planned work, the whole ``fit`` (building, compiling, both trainings) with
``jit_compile=True`` and ``False``, the epochs early stopping chose, the score (negative MASE) on the
held-out last ``horizon`` steps, the ratio of the two times (below 1: XLA faster) and what ``"auto"`` picks
(from the forecaster's own data preparation, before training).

Series (statsmodels' bundled data, horizon 12): yearly sunspots (309 points) and the weekly Mauna Loa CO2
record's last 250, 400 and 800 weeks (lookback 104: two years).

Run: ``python bench/bench_forecast_xla.py`` (``--quick``: the shortest series, a few epochs, a smoke run).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def series(quick: bool) -> list:
    import statsmodels.api as sm

    sunspots = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
    co2 = sm.datasets.co2.load_pandas().data["co2"].interpolate().to_numpy()
    if quick:
        return [("sunspots[-120:]", sunspots[-120:])]
    return [("sunspots", sunspots), ("co2[-250:]", co2[-250:]), ("co2[-400:]", co2[-400:]),
            ("co2[-800:]", co2[-800:])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="one short series, 3 epochs: a smoke run")
    args = parser.parse_args()

    from seqtune import SequenceForecaster
    from seqtune._forecast_data import FORECAST_JIT_MIN_WORK

    warnings.simplefilter("ignore")  # the ConvergenceWarning of a few epochs in --quick, the data's notes
    options = {"epochs": 3} if args.quick else {}
    h = args.horizon
    print(f"default SequenceForecaster(horizon={h}, random_state=0{', epochs=3' if args.quick else ''}); whole fit "
          f"(both trainings), one fit a side; 'auto' compiles from {FORECAST_JIT_MIN_WORK / 1e6:g} million steps "
          "a member")
    print(f"{'series':>15} {'points':>6} {'lookback':>8} {'work/member':>11} {'XLA s':>6} {'plain s':>7} "
          f"{'XLA/plain':>9} {'epochs':>6} {'score XLA':>9} {'plain':>7} {'auto':>5}")
    for name, y in series(args.quick):
        fits = {}
        for jit in (True, False):
            start = time.perf_counter()
            fc = SequenceForecaster(horizon=h, random_state=0, jit_compile=jit, **options).fit(y[:-h])
            fits[jit] = (time.perf_counter() - start, fc.n_iter_, fc.score(y[-h:]))
        auto = SequenceForecaster(horizon=h, random_state=0, **options)
        train_inputs = auto._prepare(y[:-h])[0][0]  # what "auto" decides from, before any training
        work = len(train_inputs) * train_inputs.shape[1] * auto.epochs
        (xla, epochs, score_xla), (plain, _, score_plain) = fits[True], fits[False]
        print(f"{name:>15} {len(y):>6} {auto.lookback_:>8} {work / 1e6:>10.2f}M {xla:>6.1f} {plain:>7.1f} "
              f"{xla / plain:>8.2f}x {epochs:>6} {score_xla:>9.3f} {score_plain:>7.3f} "
              f"{'XLA' if auto.jit_compiled_ else 'plain':>5}", flush=True)

if __name__ == "__main__":
    main()
