"""SequenceForecaster: direct multi-step forecasting with a stack of LSTM/GRU layers.

How a forecast is made (the defaults are what made the network beat simple
baselines on short real series; see bench/RESULTS.md):

* the series is cut into windows of ``lookback`` steps, each followed by the
  ``horizon`` steps to predict; a window is expressed relative to its own last
  value and divided by the series' spread, so the network learns shapes, not
  levels (the level itself, standardised, is a second input channel);
* the network predicts corrections to the seasonal-naive forecast of each window
  (``normalize="seasonal"``): a zero correction repeats the last season, and on
  short series there is little to learn beyond that; on trending series, to that
  forecast plus the window's trend (``"drift"``), which ``"auto"`` picks where it
  errs less on the training windows;
* after early stopping on the tail has chosen the number of epochs, the networks
  are trained again on every window (``refit=True``);
* one output layer predicts all ``horizon`` steps at once (direct strategy: no
  errors fed back); with enough training windows, a linear map from the window is
  added to it (``linear_skip``), which carries what a small recurrent layer loses;
* known future covariates are appended to the window as extra time steps;
* the last part of every series validates early stopping;
* ``n_models`` networks from different seeds are trained side by side in one
  Keras model and averaged: on short series, a seed ensemble is the cheapest
  large gain in accuracy.

Keras is imported inside methods, so importing this module stays cheap.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from seqtune import _params as P
from seqtune._fit_state import restored_on_error
from seqtune._forecast_bundle import ForecastBundleMixin
from seqtune._forecast_data import ForecastDataMixin
from seqtune._forecast_history import ForecastHistoryMixin
from seqtune._forecast_network import (
    POINT_LOSSES,
    best_correction_weight,
    weigh_correction,
    widening_shifts,
)
from seqtune._series import (
    FILL_METHODS,
    Panel,
    format_forecast,
    point_forecast,
    read_exog,
    read_target,
    scaled_error,
)
from seqtune._windows import (
    NORMALIZATIONS,
    SCORE_ONE_SERIES,
    score_origins,
    stitched_mae,
)

LOSSES = tuple(POINT_LOSSES)

# Fewer validation windows than this give too noisy a quantile shift to apply.
MIN_CALIBRATION_WINDOWS = 20


class SequenceForecaster(ForecastHistoryMixin, ForecastDataMixin, ForecastBundleMixin, BaseEstimator):
    """Forecast one or several time series with a stack of LSTM or GRU layers.

    A scikit-learn estimator: it works with ``clone``, ``GridSearchCV`` (with
    ``TimeSeriesSplit``), ``pickle`` and ``joblib``. ``fit(y)`` learns from the
    history; ``predict()`` forecasts the ``horizon`` steps after it, as pandas
    with the future index when ``y`` was pandas.

    Parameters
    ----------
    lookback : int or "auto", default="auto"
        Steps of history the network reads. ``"auto"``: two seasons of the dominant
        period found in the autocorrelation of the training data (``season_``), at
        least twice ``horizon`` and 8 steps, at most 256, and no more than half of the shortest series
        (minus ``horizon``), so that enough training windows remain.
    horizon : int, default=1
        Steps forecast at once (direct multi-step output).
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell type.
    units : int or list of int, default=16
        Width of every recurrent layer, or one width a layer. Small by default: the
        series forecasters meet are often short, and ``n_models`` members add capacity.
    layers : int or None, default=None
        Number of stacked recurrent layers; None means 1 (or ``len(units)``).
    bidirectional : bool, default=False
        Read every window in both directions.
    dropout : float, default=0.1
        Dropout on the inputs of each recurrent layer and before the output layer.
    normalize : {"auto", "seasonal", "drift", "trend", "last", "mean", "none"}, default="auto"
        What the network's forecast is relative to. ``"seasonal"``: the seasonal-naive
        forecast (the last season repeated), so the network learns corrections to it;
        without a season (``season_ == 1``) or with a lookback shorter than one season,
        the last value. ``"drift"``: that plus the window's trend (its last season's
        mean minus the season before, a step; without a season, last minus first
        value), carried as far as the repeated value is old. ``"auto"``: ``"drift"``
        where its zero-correction forecasts err less than ``"seasonal"``'s over the
        training windows (trending series), else ``"seasonal"`` (``normalize_`` says
        which). ``"trend"``: the window's least-squares trend line (fitted to its
        season means) plus its mean seasonal profile, carried forward: steadier than
        one season and two season means where the series is noisy (a window under two
        seasons: as ``"drift"``); not chosen by ``"auto"``. ``"last"``: the window's last
        value; ``"mean"``: its mean;
        ``"none"``: the series mean (plain standardisation). Always divided by the
        series' standard deviation; forecasts are mapped back.
    linear_skip : {"auto", True, False}, default="auto"
        Add a linear map from the window to the forecast (LSTNet's autoregressive
        "highway"), initialised at zero: a recurrent layer of a few units is poor at
        carrying exact values across a long window; the linear part does that and the
        recurrent layers learn the rest. ``"auto"``: only when the training windows
        outnumber the map's weights (``lookback * horizon * n_targets**2`` per
        quantile); with fewer, it overfits. Measured (bench/RESULTS.md): on hourly
        Seattle temperatures (about 6,700 windows) it cut MASE from 0.79 to 0.43; on
        yearly sunspots (under 200 windows) it raised it from 0.77 to 1.02.
    loss : {"mae", "mse", "huber"}, default="mae"
        Training loss of point forecasts (ignored with ``quantiles``).
    epochs : int, default=100
        Maximum passes over the training windows.
    batch_size : int, default=32
        Windows per gradient step.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    early_stopping : bool, default=True
        Stop when the validation loss (the training loss without validation) has
        not improved for ``patience`` epochs and restore the best weights.
    patience : int, default=10
        Epochs without improvement before early stopping; at least 100 gradient
        steps (early stopping also watches only after the first 200 steps).
    validation_fraction : float or None, default=0.2
        Fraction of each series' windows, taken from its end, that validates early
        stopping. Training windows whose targets overlap them are left out. 0 or
        None, or ``early_stopping=False``: no validation, every window trains.
    refit : bool, default=True
        After early stopping on the validation tail has chosen the number of epochs,
        train again from the same seed on every window, the tail included, for that
        many epochs. The newest windows are the most informative about the future;
        without the refit they would only validate. Doubles the training time.
    correction_weight : "auto" or float in [0, 1], default="auto"
        How much of the network's correction to the anchor the forecast keeps: 1 the
        whole, 0 none (the anchor alone). ``"auto"``: the weight among 0, 0.25, 0.5,
        0.75 and 1 that errs least on the validation windows, where it errs at least
        5% less there than the whole correction (else, and without validation, 1), so a
        network whose corrections clearly worsen the anchor on the newest data is held
        back (bench/RESULTS.md). ``correction_weight_`` holds the weight used.
    quantiles : sequence of float or None, default=None
        Forecast these quantiles (in (0, 1), increasing) instead of a point forecast:
        trained with the pinball loss, one output column per quantile, never crossing.
        Where a point forecast is needed (``score``, ``correction_weight``, backtests)
        it is the median: the 0.5 quantile, or interpolated between the quantiles
        either side of it (the mean of 0.1 and 0.9).
    calibrate_quantiles : bool, default=True
        With ``quantiles``, early stopping and at least 20 validation windows: move
        each quantile below 0.5 down and each above 0.5 up (per forecast step) until,
        on the validation windows, the share of outcomes below it is its level
        (split-conformal style); quantiles already wide enough, and 0.5, stay.
        Networks trained with the pinball loss tend to give too narrow bands out of
        sample; the validation windows, which the network did not train on, measure
        by how much. The shifts are in ``quantile_shift_``.
    n_models : int, default=5
        Networks trained from different seeds and averaged (trained together, in one
        Keras model).
    fill : {"ffill", "interpolate"} or None, default=None
        How to fill NaN in ``y`` and ``X``. None: NaN is an error.
    id_column : str or None, default=None
        For a long DataFrame holding several series: the column with the series id.
    season : int or "auto", default="auto"
        Seasonal period (in steps) used for ``lookback="auto"`` and to scale the error
        in ``score`` (MASE). ``"auto"``: detected from the autocorrelation (1 if none),
        no longer than the lookback can hold, so that a window can repeat it.
    jit_compile : {"auto", True, False}, default="auto"
        XLA compilation; ``"auto"`` compiles on JAX always, and on TensorFlow (CPU) when
        training is long enough to repay it (training windows x lookback x ``epochs`` of at
        least 600,000 steps, whatever ``n_models``); never on the torch backend, nor an LSTM on
        TensorFlow's CPU (it runs TensorFlow's fused LSTM op, which trains faster and which
        XLA cannot compile; True is then ignored with a warning).
    random_state : int, RandomState or None, default=None
        Seed for weights and shuffling; with an int, two fits give identical forecasts.
    verbose : int, default=0
        0: silent; 1: one line per epoch; 2: Keras progress bars.

    Attributes
    ----------
    model_ : keras.Model
        The ensemble: ``n_models`` networks from ``architectures.build_network`` side by
        side (plus the linear skip when ``linear_skip_``).
    lookback_ : int
        Steps of history in use.
    season_ : int
        Seasonal period in use (1: none).
    normalize_ : str
        The ``normalize`` in use ("auto" resolved).
    n_targets_ : int
        Target columns per series.
    n_exog_ : int
        Exogenous feature columns (0 without ``X``).
    exog_columns_ : list or None
        Their names when ``X`` was a DataFrame: later ``X`` frames are read by these
        names (in any column order); None for arrays.
    n_series_ : int
        Number of training series.
    level_, scale_ : ndarray of shape (n_series, n_targets)
        Mean and standard deviation of every training series.
    mase_scale_ : ndarray of shape (n_series, n_targets)
        In-sample mean absolute error of the seasonal-naive forecast (``score``); NaN
        where the series never changes at the seasonal lag (``score`` is then NaN).
    tails_ : ndarray of shape (n_series, lookback, n_targets)
        The last ``lookback`` observations, the start of ``predict()``.
    history_ : dict of list
        Per-epoch ``loss`` (and ``val_loss``).
    n_iter_ : int
        Epochs run while validating.
    linear_skip_ : bool
        Whether the network has the linear skip.
    fitted_shape_ : dict
        ``horizon`` and ``n_models`` as fitted: ``predict`` and ``score`` refuse to run
        after ``set_params`` changed them, until the next ``fit``.
    best_epoch_ : int
        Epochs of the final training (the best validation epoch when early stopping
        used a validation tail).
    correction_weight_ : float
        The share of the network's correction to the anchor that forecasts keep
        (``correction_weight``, "auto" resolved).
    quantile_shift_ : ndarray of shape (horizon, n_targets, n_quantiles)
        Only with ``calibrate_quantiles`` in effect: what is added to each quantile
        (in units of the series' standard deviation) after the network.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from seqtune.forecasting import SequenceForecaster
    >>> t = np.arange(200)
    >>> y = pd.Series(np.sin(2 * np.pi * t / 12), index=pd.date_range("2000-01", periods=200, freq="MS"))
    >>> fc = SequenceForecaster(horizon=6, units=8, epochs=3, n_models=2, random_state=0).fit(y)
    >>> fc.predict().index[0]
    Timestamp('2016-09-01 00:00:00')
    """

    # What an "auto" default resolves to, recorded by a search (see seqtune._base.BaseSequenceEstimator):
    # normalize="auto" judged the anchors on every training window before it judged them on the later half.
    _auto_meanings = {"normalize": "drift or seasonal, by their errors on the later half of the training windows"}

    def __init__(
        self,
        lookback="auto",
        horizon=1,
        cell="gru",
        units=16,
        layers=None,
        bidirectional=False,
        dropout=0.1,
        normalize="auto",
        linear_skip="auto",
        loss="mae",
        epochs=100,
        batch_size=32,
        learning_rate=1e-3,
        early_stopping=True,
        patience=10,
        validation_fraction=0.2,
        refit=True,
        correction_weight="auto",
        quantiles=None,
        calibrate_quantiles=True,
        n_models=5,
        fill=None,
        id_column=None,
        season="auto",
        jit_compile="auto",
        random_state=None,
        verbose=0,
    ):
        self.lookback = lookback
        self.horizon = horizon
        self.cell = cell
        self.units = units
        self.layers = layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.normalize = normalize
        self.linear_skip = linear_skip
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.refit = refit
        self.correction_weight = correction_weight
        self.quantiles = quantiles
        self.calibrate_quantiles = calibrate_quantiles
        self.n_models = n_models
        self.fill = fill
        self.id_column = id_column
        self.season = season
        self.jit_compile = jit_compile
        self.random_state = random_state
        self.verbose = verbose

    # ---------------------------------------------------------------- parameters
    def _check_params(self) -> None:
        if self.lookback != "auto":
            P.check_int("lookback", self.lookback)
        P.check_int("horizon", self.horizon)
        P.check_choice("cell", self.cell, ("lstm", "gru"))
        P.check_units(self.units, self.layers)
        if self.linear_skip != "auto" and not isinstance(self.linear_skip, (bool, np.bool_)):
            raise TypeError(f"linear_skip must be 'auto', True or False; got {self.linear_skip!r}.")
        for name in ("bidirectional", "early_stopping", "refit", "calibrate_quantiles"):
            P.check_bool(name, getattr(self, name))
        P.check_fraction("dropout", self.dropout)
        P.check_choice("normalize", self.normalize, NORMALIZATIONS)
        P.check_choice("loss", self.loss, LOSSES)
        P.check_int("epochs", self.epochs)
        P.check_int("batch_size", self.batch_size)
        P.check_positive("learning_rate", self.learning_rate)
        P.check_int("patience", self.patience, minimum=0)
        P.check_fraction("validation_fraction", self.validation_fraction, allow_none=True)
        if isinstance(self.correction_weight, str) and self.correction_weight != "auto":
            raise ValueError(f"correction_weight must be 'auto' or a float in [0, 1]; got {self.correction_weight!r}.")
        if not isinstance(self.correction_weight, str):
            P.check_fraction("correction_weight", self.correction_weight, upper_inclusive=True)
        P.check_int("n_models", self.n_models)
        if self.fill is not None and self.fill not in FILL_METHODS:
            raise ValueError(f"fill={self.fill!r} is not one of {FILL_METHODS} or None.")
        if self.season != "auto":
            P.check_int("season", self.season)
        if self.jit_compile not in ("auto", True, False):
            raise ValueError(f"jit_compile must be 'auto', True or False; got {self.jit_compile!r}.")
        P.check_verbose(self.verbose)
        P.check_random_state(self.random_state)
        P.check_quantiles(self.quantiles)

    # ----------------------------------------------------------------- fitting
    def fit(self, y, X=None) -> "SequenceForecaster":
        """Learn to forecast ``y`` ``horizon`` steps ahead.

        Parameters
        ----------
        y : pandas Series or DataFrame, array-like of shape (n_steps,) or (n_steps, n_targets), or list
            The history: one series (a pandas index must be sorted, unique and
            regular: DatetimeIndex with a frequency, PeriodIndex, RangeIndex), a list of
            series (one global model), or a long DataFrame with ``id_column``.
        X : DataFrame or array-like of shape (n_steps, n_features), or list, default=None
            Exogenous features aligned with ``y`` (same index / length). A model fitted
            with ``X`` needs their future values to forecast.

        Returns
        -------
        self
        """
        with restored_on_error(self):  # a fit that raises leaves the fitted state as it was
            return self._validate_and_train(y, X)

    def _validate_and_train(self, y, X):
        from seqtune._training import StateAsBuilt, seed_from, warn_if_still_improving

        train, val, every = self._prepare(y, X)
        if not self.early_stopping:  # validation would only watch: every window trains
            train, val = every, None
        self.model_ = self._new_model(train[0].shape[2])
        as_built = StateAsBuilt()  # the refit starts again from here, reusing the traced train step
        history = self._train(train, val, self.epochs, self.early_stopping, extra_callbacks=[as_built])
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        self.n_iter_ = len(self.history_.get("loss", []))
        self.best_epoch_ = self.n_iter_
        if self.early_stopping:
            warn_if_still_improving(history.history, epochs=self.epochs)
        self.correction_weight_ = 1.0 if self.correction_weight == "auto" else float(self.correction_weight)
        if val is not None and self.early_stopping:
            self.best_epoch_ = int(np.argmin(self.history_["val_loss"])) + 1
            calibrate = (self.quantiles_ is not None and self.calibrate_quantiles
                         and len(val[0]) >= MIN_CALIBRATION_WINDOWS)
            if self.correction_weight == "auto" or calibrate:
                predicted, actual = self._validation_forecasts(val)
                if self.correction_weight == "auto":
                    self.correction_weight_ = best_correction_weight(predicted, actual, self.quantiles_)
                if calibrate:
                    self.quantile_shift_ = widening_shifts(
                        weigh_correction(predicted, self.correction_weight_, self.quantiles_), actual, self.quantiles_)
            if self.refit:
                # The newest windows say most about the future: train again on all of them,
                # for the number of epochs the validation tail chose.
                as_built.restore(seed_from(self.random_state))
                final = self._train(every, None, self.best_epoch_, stop_early=False)
                self.history_["refit_loss"] = [float(v) for v in final.history["loss"]]
        return self

    def _validation_forecasts(self, val) -> tuple[np.ndarray, np.ndarray]:
        """The network's scaled forecasts of the validation windows ``(n, horizon, k, n_q)`` and their
        scaled targets ``(n, horizon, k)``, before any weight or calibration."""
        x, y = val
        predicted = self._scaled_outputs(x)
        return predicted, y[:, : self.horizon * self.n_targets_].reshape(predicted.shape[:-1])  # member 0's copy

    def _new_model(self, n_channels: int):
        """The compiled ensemble, its weights drawn from ``random_state`` (which also seeds shuffling)."""
        import keras

        from seqtune._training import seed_from

        seed = seed_from(self.random_state)
        keras.backend.clear_session(free_memory=False)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        return self._build_model(n_channels)

    def _build_model(self, n_channels: int):
        from seqtune._forecast_network import build_forecast_network

        model = build_forecast_network(
            n_channels, horizon=self.horizon, n_targets=self.n_targets_, n_quantiles=len(self.quantiles_ or [None]),
            n_models=self.n_models, lookback=self.lookback_, linear_skip=self.linear_skip_, cell=self.cell.lower(),
            units=self.units, layers=self.layers, bidirectional=bool(self.bidirectional), dropout=float(self.dropout))
        self._compile(model)
        return model

    def _compile(self, model) -> None:
        import keras

        from seqtune._forecast_network import forecast_loss

        model.compile(optimizer=keras.optimizers.Adam(learning_rate=float(self.learning_rate)),
                      loss=forecast_loss(self.quantiles_, self.loss), jit_compile=self.jit_compiled_)

    def _train(self, train, val, epochs: int, stop_early: bool, *, initial_epoch: int = 0, extra_callbacks=()):
        from seqtune._training import fit_model

        return fit_model(
            self.model_, x=train[0], y=train[1], batch_size=self.batch_size, epochs=epochs,
            initial_epoch=initial_epoch, shuffle=True, validation_data=val, early_stopping=stop_early,
            patience=self.patience, batches_per_epoch=-(-len(train[0]) // self.batch_size),
            callbacks=extra_callbacks, verbose=self.verbose, batches_a_call=True,
            advice="Lower learning_rate, or check y and X for extreme values.",
        )

    # -------------------------------------------------------------- forecasting
    def predict(self, horizon: int | None = None, X=None, y=None):
        """Forecast the steps after the end of the training series (or of ``y``).

        Parameters
        ----------
        horizon : int or None, default=None
            Steps to return, at most the ``horizon`` the model was fitted for (None: all).
        X : DataFrame, array-like or list, default=None
            Known future covariates, required when ``fit`` had ``X``. They must cover
            the model's full ``horizon`` after the end of each series: an array has
            exactly ``horizon`` rows (``len(y) + horizon`` rows, history first, when
            ``y`` is given); a pandas X is aligned by its index and may hold more rows.
        y : series in any form ``fit`` accepts, default=None
            Forecast from the end of this history instead (at least ``lookback``
            steps). Series matching a training series (the only one; the same id in a
            long DataFrame; the same position in a list of as many) keep its scaling;
            other series are scaled by their own statistics.

        Returns
        -------
        Series, DataFrame, ndarray or list
            In the form of ``y``: pandas with the future index (continuing a
            DatetimeIndex at its frequency, a PeriodIndex or a RangeIndex), NumPy for
            NumPy. With ``quantiles``: one column per quantile ("q0.1", ...; prefixed
            "<target>_" with several targets), or a last axis of quantiles for NumPy.
        """
        self._check_fitted_shape()
        h = self.horizon if horizon is None else horizon
        P.check_int("horizon", h)
        if h > self.horizon:
            raise ValueError(
                f"horizon={h} is more than the {self.horizon} steps this model forecasts; "
                f"refit with SequenceForecaster(horizon={h})."
            )
        if y is None:
            panel = Panel.from_meta(self.target_meta_)
            past, which = self.tails_, list(range(self.n_series_))
            past_e = getattr(self, "exog_tails_", None)
        else:
            panel = self._check_columns(read_target(y, fill=self.fill, id_column=self.id_column, what="y",
                                                    known_freq=self._fitted_offset()))
            self._warn_if_other_frequency(panel)
            for i, v in enumerate(panel.values):
                if len(v) < self.lookback_:
                    raise ValueError(f"y{'' if len(panel.values) == 1 else f'[{panel.ids[i]!r}]'} has {len(v)} "
                                     f"time steps; expected at least lookback={self.lookback_} to forecast from.")
            past, which = np.stack([v[-self.lookback_:] for v in panel.values]), self._match_series(panel)
            for i, (w, v) in enumerate(zip(which, panel.values)):
                if w is not None:
                    self._warn_if_unlike(w, v, "y" if len(which) == 1 else f"y[{panel.ids[i]!r}]")
            past_e = None
        fut_e = None
        if self.n_exog_:
            if X is None:
                raise ValueError(
                    f"X is None, but this model was fitted with {self.n_exog_} exogenous feature(s): "
                    f"pass their known values for the {self.horizon} future steps."
                )
            exog = read_exog(X, panel, fill=self.fill, what="X", future=self.horizon, columns=self._exog_names())
            self._check_exog_width(exog)
            fut_e = np.stack([e[-self.horizon:] for e in exog])
            if past_e is None:
                past_e = np.stack([e[-self.horizon - self.lookback_: -self.horizon] for e in exog])
        elif X is not None:
            raise ValueError("X was given, but this model was fitted without exogenous features; pass X=None.")
        stats = [self._stats(w, v) for w, v in zip(which, panel.values)]
        out = self._forecast(past, past_e, fut_e, stats)
        return format_forecast(out[:, :h], panel.meta(), h, self.quantiles_)

    def _forecast(self, past, past_e, fut_e, stats) -> np.ndarray:
        """Forecasts ``(n, horizon, k[, n_quantiles])`` from windows ``past`` ``(n, lookback, k)``."""
        rows, anchors = [], []
        for j in range(len(past)):
            x, anchor = self._inputs(past[j : j + 1], None, None if past_e is None else past_e[j : j + 1],
                                     None if fut_e is None else fut_e[j : j + 1], *stats[j])
            rows.append(x)
            anchors.append(anchor)
        # (models saved before the weight existed keep their whole correction)
        out = weigh_correction(self._scaled_outputs(np.concatenate(rows).astype(np.float32)),
                               getattr(self, "correction_weight_", 1.0), self.quantiles_)
        shift = getattr(self, "quantile_shift_", None)
        if shift is not None:
            out = np.sort(out + shift, axis=-1)  # shifts may cross quantiles: keep them ordered
        scale = np.stack([s for _, s in stats])[:, None, :, None]
        out = out * scale + np.concatenate(anchors)[..., None]
        return out if self.quantiles_ is not None else out[..., 0]

    def _scaled_outputs(self, x) -> np.ndarray:
        """The ensemble's forecasts of network inputs ``x``, before scaling: ``(n, horizon, k, n_q)``."""
        from seqtune._forecast_network import ensemble_outputs

        return ensemble_outputs(self.model_, x, n_models=self.n_models, horizon=self.horizon,
                                n_targets=self.n_targets_, n_quantiles=len(self.quantiles_ or [None]))

    def score(self, y, X=None) -> float:
        """Negative MASE of forecasts over ``y``, the continuation of the training series.

        Forecasts start at the end of the training series and then every ``horizon``
        steps into ``y``, each from the true history up to its origin (the last one
        ends with ``y``); every step of ``y`` is forecast once. The mean absolute
        error is divided by the in-sample error of the seasonal-naive forecast
        (period ``season_``) of the training series, averaged over targets, and
        negated so that greater is better (scikit-learn's convention). With
        ``quantiles``, their median is scored (see ``quantiles``).

        Parameters
        ----------
        y : series (one, as in ``fit``)
            The observations that follow the training series.
        X : exogenous features, default=None
            Required if ``fit`` had X: aligned with ``y`` (an array needs ``len(y)`` rows,
            at least ``horizon``).

        Returns
        -------
        float
        """
        self._check_fitted_shape()
        if self.n_series_ != 1:
            raise ValueError(SCORE_ONE_SERIES)
        panel = self._check_columns(read_target(y, fill=self.fill, what="y", known_freq=self._fitted_offset()))
        self._check_continues(panel)
        actual = panel.values[0]
        n, H, L = len(actual), self.horizon, self.lookback_
        history = np.concatenate([self.tails_[0], actual])
        origins = score_origins(n, H)
        past = np.stack([history[o : o + L] for o in origins])
        past_e = fut_e = None
        if self.n_exog_:
            if X is None:
                raise ValueError(f"X is None, but this model was fitted with {self.n_exog_} exogenous feature(s).")
            exog = read_exog(X, panel, fill=self.fill, what="X", columns=self._exog_names())[0]
            self._check_exog_width([exog])
            if n < H:
                raise ValueError(f"X has {n} rows; score needs at least horizon={H} steps of covariates.")
            exog_history = np.concatenate([self.exog_tails_[0], exog])
            past_e = np.stack([exog_history[o : o + L] for o in origins])
            fut_e = np.stack([exog[o : o + H] for o in origins])
        out = self._forecast(past, past_e, fut_e, [self._stats(0, None)] * len(origins))
        if self.quantiles_ is not None:
            out = point_forecast(out, self.quantiles_)
        return -scaled_error(stitched_mae(out, origins, actual), self.mase_scale_[0])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        tags.target_tags.required = False
        return tags
