"""The forecaster's refit on the early-stopped network, restarted from its first state, against a new network.

``SequenceForecaster`` trains twice by default: with early stopping on the newest windows, then (``refit``)
on every window for the epochs the first training chose. The refit used to build a new network of the same
seed, whose train step Keras traced (and XLA compiled) again; it now puts the first network's weights, dropout
seeds and optimizer state back as they were built and trains it again (``seqtune._training.StateAsBuilt``).
For each case this times the whole ``fit`` both ways in one run (the old way: a subclass that builds a new
network before the refit), alternating, and prints the ratio (old / new: above 1, the new way is faster) and
the largest difference between the two forecasts (0: the same training).

Cases (yearly sunspots, horizon 12): the defaults (XLA off for this series), ``jit_compile=True`` and
``quantiles=[0.1, 0.5, 0.9]``.

Run: ``python bench/bench_forecast_refit.py`` (``--quick``: a short series, a few epochs; ``--repeat``).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def forecaster_classes():
    from seqtune import SequenceForecaster

    class NewNetworkRefit(SequenceForecaster):
        """The refit as before: a new network of the same seed (traced, or compiled, again)."""

        def _train(self, train, val, epochs, stop_early, **kwargs):
            if val is None and not stop_early and getattr(self, "history_", None):  # the refit
                self.model_ = self._new_model(train[0].shape[2])
            return super()._train(train, val, epochs, stop_early, **kwargs)

    return SequenceForecaster, NewNetworkRefit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="fits a side and case (the fastest is printed)")
    parser.add_argument("--quick", action="store_true", help="a short series, 4 epochs: a smoke run")
    args = parser.parse_args()
    import statsmodels.api as sm

    warnings.simplefilter("ignore")  # the ConvergenceWarning of a few epochs, the data's notes
    y = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
    cases = {"defaults": {}, "jit_compile=True": {"jit_compile": True},
             "quantiles": {"quantiles": [0.1, 0.5, 0.9]}}
    if args.quick:
        y, cases = y[-120:], {name: {**options, "epochs": 4} for name, options in cases.items()}
    restarted, new_network = forecaster_classes()
    print(f"sunspots ({len(y)} points, the last 12 held out), SequenceForecaster(horizon=12, random_state=0); "
          f"whole fit, fastest of {args.repeat} a side")
    print(f"{'case':>17} {'new network s':>13} {'restarted s':>11} {'new/restarted':>13} {'forecast diff':>13}")
    for name, options in cases.items():
        times, forecasts = {restarted: [], new_network: []}, {}
        for _ in range(args.repeat):
            for cls in (new_network, restarted):
                start = time.perf_counter()
                fc = cls(horizon=12, random_state=0, **options).fit(y[:-12])
                times[cls].append(time.perf_counter() - start)
                forecasts[cls] = np.asarray(fc.predict(), dtype=float)
        old, new = min(times[new_network]), min(times[restarted])
        diff = np.abs(forecasts[new_network] - forecasts[restarted]).max()
        print(f"{name:>17} {old:>13.1f} {new:>11.1f} {old / new:>12.2f}x {diff:>13.3g}", flush=True)


if __name__ == "__main__":
    main()
