"""Forecasting: sunspots (yearly) and Seattle temperatures (hourly), held-out tails, classical baselines.

Data, shipped inside their packages (no download):

* yearly sunspots, 1700-2008 (statsmodels): train on 1700-1978, forecast the last 30
  years at once (horizon 30). MASE is scaled by the in-sample seasonal-naive error
  with season 11 (the solar cycle).
* hourly Seattle temperatures of 2010 (vega_datasets ``local_data``): the one missing
  hour (daylight saving) is filled by interpolation; train on all but the last 14
  days, then forecast the next 24 hours at each of the 14 daily origins from the
  true history (the models are not refitted). MASE is scaled with season 24.

Every method sees the same split: seqtune's ``SequenceForecaster`` with its defaults
(point forecast, and a quantile forecast for the 10-90% band), an ``AutoSequenceForecaster``
search (trials scored on the last 20% of the training part; the chosen cell and its
explanation are printed, its front written to ``pareto_<series>.png``), seasonal naive, naive,
an ARIMA whose order is chosen by AIC, and Holt-Winters exponential smoothing. Printed
per method: MASE and sMAPE (mean over the origins), and for the quantile forecaster
the empirical coverage of its 10-90% band. A PNG shows each forecast against the truth.

    python recipes/forecasting.py [--quick] [--out DIR] [--seeds 0 1 2] [--only sunspots|seattle]
"""

from __future__ import annotations

import itertools
import sys
import warnings

import _common as C


def sunspots():
    import pandas as pd
    import statsmodels.api as sm

    data = sm.datasets.sunspots.load_pandas().data
    return pd.Series(data.SUNACTIVITY.to_numpy(), index=pd.period_range("1700", periods=len(data), freq="Y"),
                     name="sunspots")


def seattle():
    from vega_datasets import local_data

    return local_data.seattle_temps().set_index("date")["temp"].asfreq("h")


# --------------------------------------------------------------------- statsmodels
def arima_forecasts(train, histories, horizon: int, max_p: int = 6):
    """AIC-chosen ARIMA(p, d, q), p <= max_p, d <= 1, q <= 2, fitted on ``train``; forecasts from
    each history (parameters kept, state updated) and the chosen order."""
    import numpy as np
    from statsmodels.tsa.arima.model import ARIMA

    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p, d, q in itertools.product(range(max_p + 1), (0, 1), range(3)):
            try:
                fit = ARIMA(train, order=(p, d, q), trend="c" if d == 0 else "n").fit()
            except Exception:  # noqa: BLE001 (some orders do not converge; they are skipped)
                continue
            if best is None or fit.aic < best.aic:
                best = fit
        forecasts = [np.asarray(best.apply(h).forecast(horizon)) for h in histories]
    return forecasts, best.model.order


def ets_forecasts(histories, horizon: int, season: int):
    """Holt-Winters (additive damped trend, additive season when two fit), refitted at each origin."""
    import numpy as np
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for h in histories:
            seasonal = "add" if season > 1 and len(h) >= 2 * season + 2 else None
            fit = ExponentialSmoothing(h, trend="add", damped_trend=True, seasonal=seasonal,
                                       seasonal_periods=season if seasonal else None).fit()
            out.append(np.asarray(fit.forecast(horizon)))
    return out


# ------------------------------------------------------------------------- running
def auto_search(name, y_train, horizon, args):
    """An AutoSequenceForecaster search on the training part (trials scored on its last 20%)."""
    from seqtune import AutoSequenceForecaster

    if args.quick:
        settings = dict(max_trials=2, max_epochs=2, estimator_params={"fill": "interpolate", "n_models": 2},
                        space={"layers": 1, "units": [4, 8], "bidirectional": False, "dropout": 0.0,
                               "learning_rate": 3e-3, "batch_size": 32})
    else:
        settings = dict(max_trials=6, max_epochs=40, estimator_params={"fill": "interpolate"},
                        space={"layers": 1, "units": [8, 16, 32], "bidirectional": False, "dropout": [0.0, 0.1],
                               "learning_rate": [1e-3, 3e-3], "batch_size": 32})
    auto = AutoSequenceForecaster(horizon=horizon, tuner="random", cost="latency", tolerance=0.01, seed=args.seed,
                                  directory=str(args.out / "search"), project_name=name, overwrite=True,
                                  verbose=args.verbose, **settings)
    with C.timed() as t:
        auto.fit(y_train)
    return auto, t.seconds


def evaluate(name, y, train_len, horizon, origins, season, seeds, args):
    """Score every method on one series; returns (rows, curves to plot, details)."""
    import numpy as np

    from seqtune import SequenceForecaster
    from seqtune.baselines import NaiveForecaster, SeasonalNaiveForecaster
    from seqtune.metrics import coverage, mase, smape

    filled = y.interpolate()
    values = filled.to_numpy()
    train = values[:train_len]
    histories = [y[:o] for o in origins]
    actuals = [values[o : o + horizon] for o in origins]

    def row(label, forecasts, seconds, **extra):
        return {"model": label, "mase": float(np.mean([mase(a, f, train, season=season)
                                                      for a, f in zip(actuals, forecasts)])),
                "smape": float(np.mean([smape(a, f) for a, f in zip(actuals, forecasts)])),
                "fit_s": float(seconds), **extra}

    rows, curves = [], {}
    for label, est in (("seasonal naive", SeasonalNaiveForecaster(season=season, fill="interpolate")),
                       ("naive", NaiveForecaster(fill="interpolate"))):
        with C.timed() as t:
            est.fit(y[:train_len])
        forecasts = [np.asarray(est.predict(horizon=horizon, y=h), dtype=float) for h in histories]
        rows.append(row(label, forecasts, t.seconds))
        curves[label] = forecasts[0]

    # ARIMA on long hourly series: the last 2,000 steps (the AIC search would take hours on all).
    with C.timed() as t:
        forecasts, order = arima_forecasts(train[-2000:], [values[max(0, o - 2000): o] for o in origins],
                                           horizon, max_p=2 if args.quick else 6)
    rows.append(row(f"ARIMA{order} (AIC)", forecasts, t.seconds))
    curves["ARIMA"] = forecasts[0]
    with C.timed() as t:
        forecasts = ets_forecasts([values[:o] for o in origins], horizon, season)
    rows.append(row("ETS (Holt-Winters)", forecasts, t.seconds))

    tiny = dict(epochs=3, n_models=2, units=8) if args.quick else {}
    details, ours = {}, []
    for label, extra in (("seqtune SequenceForecaster", {}),
                         ("seqtune, quantiles (0.1, 0.5, 0.9)", {"quantiles": (0.1, 0.5, 0.9)})):
        per_seed = []
        for seed in seeds:
            est = SequenceForecaster(horizon=horizon, fill="interpolate", random_state=seed, **extra, **tiny)
            with C.timed() as t:
                est.fit(y[:train_len])
            preds = [np.asarray(est.predict(y=h), dtype=float) for h in histories]
            cover = None
            if "quantiles" in extra:
                cover = float(np.mean([coverage(a, p[:, 0], p[:, 2]) for a, p in zip(actuals, preds)]))
                band = preds[0]
                preds = [p[:, 1] for p in preds]
            per_seed.append(row(label, preds, t.seconds, coverage_10_90=cover))
        mean = {k: float(np.mean([r[k] for r in per_seed])) for k in ("mase", "smape", "fit_s")}
        seeds_note = f" (mean of seeds {', '.join(map(str, seeds))})" if len(seeds) > 1 else ""
        ours.append({"model": label + seeds_note, **mean,
                                   "coverage_10_90": per_seed[0]["coverage_10_90"] if "quantiles" in extra
                                   else None,
                                   "mase_per_seed": [r["mase"] for r in per_seed]})
        if "quantiles" in extra:
            curves["seqtune 10-90%"] = band
        else:
            curves["seqtune"] = preds[0]
            details = {"lookback": est.lookback_, "season": est.season_, "epochs": est.best_epoch_,
                       "n_models": est.n_models, "linear_skip": est.linear_skip_}
    auto, seconds = auto_search(name, y[:train_len], horizon, args)
    preds = [np.asarray(auto.predict(y=h), dtype=float) for h in histories]
    searched = row(f"seqtune Auto ({auto.cell_choice_.upper()}, {auto.best_params_['units']} units)", preds, seconds)
    details["auto"] = C.search_summary(auto, searched["mase"], seconds)
    details["auto"]["pareto_png"] = str(auto.plot_pareto(args.out / f"pareto_{name}.png"))
    print(f"\n{name}: Auto search, Pareto front (validation -MASE vs {auto.cost_column_}):\n"
          f"{details['auto']['front']}\n{auto.explanation_}", flush=True)
    return ours + [searched] + rows, {"index": y.index[origins[0]: origins[0] + horizon], "truth": actuals[0],
                  "history": filled[max(0, origins[0] - 4 * horizon): origins[0]], **curves}, details


def plot(curves_by_series: dict, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(curves_by_series), 1, figsize=(10, 3.6 * len(curves_by_series)), squeeze=False)
    for ax, (title, c) in zip(axes[:, 0], curves_by_series.items()):
        to_x = (lambda idx: idx.to_timestamp()) if hasattr(c["index"], "to_timestamp") else (lambda idx: idx)
        ax.plot(to_x(c["history"].index), c["history"].to_numpy(), color="0.6", label="history")
        x = to_x(c["index"])
        ax.plot(x, c["truth"], color="black", label="truth")
        band = c.get("seqtune 10-90%")
        if band is not None:
            ax.fill_between(x, band[:, 0], band[:, 2], color="tab:blue", alpha=0.2, label="seqtune 10-90%")
        for label, colour in (("seqtune", "tab:blue"), ("ARIMA", "tab:orange"), ("seasonal naive", "tab:green")):
            ax.plot(x, c[label], color=colour, label=label)
        ax.set_title(f"{title}: first held-out origin")
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _options(parser) -> None:
    """This recipe's own options, beside every recipe's."""
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="seeds of the networks, whose mean and spread are reported (default: --seed alone)")
    parser.add_argument("--only", choices=["sunspots", "seattle"], help="run one of the two series")


def main(argv=None) -> int:
    args = C.parse_args("forecasting", __doc__.splitlines()[0], argv, options=_options)
    C.require("statsmodels", "it ships the sunspots data and the ARIMA/ETS baselines")
    C.require("vega_datasets", "it ships the Seattle temperatures")
    seeds = args.seeds or [args.seed]

    results, curves = {}, {}
    if args.only in (None, "sunspots"):
        y = sunspots()
        rows, curves["Sunspots (yearly), last 30 years"], details = evaluate(
            "sunspots", y, len(y) - 30, 30, [len(y) - 30], 11, seeds, args)
        table = C.print_table(rows, ["model", "mase", "smape", "coverage_10_90", "fit_s"],
                              "Sunspots: last 30 years held out, horizon 30, MASE (season 11)")
        results["sunspots"] = {"rows": rows, "seqtune": details, "table": table, "horizon": 30, "origins": 1}
    if args.only in (None, "seattle"):
        y = seattle()
        train_len = len(y) - 14 * 24
        if args.quick:  # a smoke run: the last 60 days of training, 2 origins
            y = y[train_len - 60 * 24:]
            train_len = 60 * 24
        origins = [train_len + 24 * d for d in range(2 if args.quick else 14)]
        rows, curves["Seattle temperature (hourly)"], details = evaluate(
            "seattle", y, train_len, 24, origins, 24, seeds, args)
        table = C.print_table(rows, ["model", "mase", "smape", "coverage_10_90", "fit_s"],
                              f"Seattle hourly temperature: next 24 h at {len(origins)} daily origins, "
                              "MASE (season 24)")
        results["seattle"] = {"rows": rows, "seqtune": details, "table": table, "horizon": 24,
                              "origins": len(origins)}

    png = plot(curves, args.out / "forecasts.png")
    for name, res in results.items():
        ours = res["rows"][0]["mase"]
        best = min((r for r in res["rows"] if not r["model"].startswith("seqtune")), key=lambda r: r["mase"])
        res["best_baseline"], res["margin_vs_best_baseline"] = best["model"], best["mase"] - ours
        print(f"{name}: seqtune MASE {ours:.3f}; best baseline {best['model']} {best['mase']:.3f} "
              f"({'ahead' if ours < best['mase'] else 'behind'} by {abs(best['mase'] - ours):.3f})")
    payload = {"recipe": args.name, "mode": "quick" if args.quick else "full", "seeds": seeds,
               "metric": "mase", "series": results, "forecasts_png": str(png)}
    path = C.write_json(args.out / "results.json", payload)
    print(f"\nresults: {path}\nforecast plot: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
