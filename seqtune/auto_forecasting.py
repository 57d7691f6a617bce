"""AutoSequenceForecaster: the cost-aware search of :mod:`seqtune.auto` over SequenceForecaster."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd

from seqtune import _params as P
from seqtune.auto import _AutoSequenceBase
from seqtune.forecasting import SequenceForecaster


class AutoSequenceForecaster(_AutoSequenceBase):
    """Search LSTM/GRU forecasters with keras-tuner and pick one on the MASE/cost front.

    Every trial is a :class:`~seqtune.SequenceForecaster` that learns from the
    series before a held-out tail (early stopping on the windows whose targets
    start in the tail) and is scored on the tail by ``SequenceForecaster.score``:
    forecasts every ``horizon`` steps from the true history, negative MASE (greater
    is better). The chosen configuration is then refit on the whole series.

    Parameters
    ----------
    horizon : int, default=1
        Steps forecast at once.
    cells, space, tuner, max_trials, max_epochs, cost, tolerance, refit, seed, \
directory, project_name, overwrite, verbose
        As in :class:`AutoSequenceClassifier`; ``tolerance`` is in MASE units.
    cv : None, int or splitter, default=None
        None: score on the last ``validation_fraction`` of the series (at least
        ``horizon`` steps). An int ``k``: ``TimeSeriesSplit(k)`` with test folds of at
        least ``horizon`` steps, the mean over ``k`` successive tails. A splitter whose
        test folds directly follow their training folds (such as ``TimeSeriesSplit``;
        test folds shorter than ``horizon`` warn).
    validation_fraction : float, default=0.2
        Held-out tail when ``cv=None``.
    estimator_params : dict or None, default=None
        Fixed parameters of every trial's forecaster (e.g. ``{"n_models": 3,
        "quantiles": (0.1, 0.5, 0.9)}``); ``horizon`` is set above.

    Attributes
    ----------
    trials_, pareto_front_, best_trial_, best_params_, cell_choice_, explanation_, search_dir_
        As in :class:`AutoSequenceClassifier`.
    best_estimator_ : SequenceForecaster
        The chosen configuration refit on the whole series.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from seqtune import AutoSequenceForecaster
    >>> months = pd.period_range("2010-01", periods=120, freq="M")
    >>> y = pd.Series(np.sin(2 * np.pi * np.arange(120) / 12), index=months)
    >>> auto = AutoSequenceForecaster(horizon=12, tuner="random", max_trials=4, max_epochs=10)
    >>> auto.fit(y)  # doctest: +SKIP
    >>> auto.predict().index[0]  # doctest: +SKIP
    Period('2020-01', 'M')
    """

    _estimator_class = SequenceForecaster
    _score_name = "-MASE"
    _keras_prefixes = ()

    def __init__(
        self,
        horizon=1,
        cells=("lstm", "gru"),
        space=None,
        tuner="hyperband",
        max_trials=20,
        max_epochs=20,
        cv=None,
        cost="latency",
        tolerance=0.01,
        refit=True,
        validation_fraction=0.2,
        seed=0,
        directory="seqtune_runs",
        project_name=None,
        overwrite=False,
        estimator_params=None,
        verbose=1,
    ):
        super().__init__(cells=cells, space=space, tuner=tuner, max_trials=max_trials, max_epochs=max_epochs,
                         cv=cv, cost=cost, tolerance=tolerance, refit=refit,
                         validation_fraction=validation_fraction, seed=seed, directory=directory,
                         project_name=project_name, overwrite=overwrite, estimator_params=estimator_params,
                         verbose=verbose)
        self.horizon = horizon

    def fit(self, y, X=None):
        """Search, pick the forecaster on the Pareto front, and (with ``refit``) train it on all of ``y``.

        Parameters
        ----------
        y : one series (pandas Series or DataFrame, or array-like), as for ``SequenceForecaster.fit``
        X : exogenous features aligned with ``y``, default=None

        Returns
        -------
        self
        """
        from seqtune._series import read_exog, read_target
        from seqtune.tuning import ForecastHyperModel

        space, fixed = self._check_params()
        P.check_int("horizon", self.horizon)
        if "horizon" in fixed:
            raise ValueError("estimator_params['horizon'] is set by AutoSequenceForecaster(horizon=...); remove it.")
        fixed = {**fixed, "horizon": self.horizon}
        probe = SequenceForecaster(**fixed)
        probe._check_params()
        # Our own validation of y and X, before keras-tuner or TensorFlow see them.
        panel = read_target(y, fill=probe.fill, id_column=probe.id_column, what="y")
        if len(panel.values) != 1:
            raise ValueError(
                f"y holds {len(panel.values)} series; AutoSequenceForecaster searches on one series "
                "(scored by MASE on its tail). Search on a representative series, then fit a "
                "SequenceForecaster with best_params_ on all of them."
            )
        if X is not None:
            read_exog(X, panel, fill=probe.fill, what="X")
        folds = self._folds(y, X, panel)
        for fold in folds:  # every fold leaves enough history to train on (NumPy only, no Keras)
            probe._prepare(fold.y, fold.X, holdout=fold.holdout)
        make_estimator = self._estimator_factory(fixed)
        fingerprint = self._fingerprint((y, X), space, fixed)  # the folds follow from y, X and cv
        self._search_and_refit(ForecastHyperModel(make_estimator, space, folds, self.max_epochs), fingerprint,
                               make_estimator, y, X)
        return self

    def _folds(self, y, X, panel) -> list:
        """The held-out tails the trials are scored on (:class:`seqtune.tuning.ForecastFold`).

        Fold boundaries count the steps of ``panel`` (the validated series, skipped steps
        inserted when ``fill`` is set): pandas data are cut at those steps' labels, and a
        pandas ``X`` is passed whole, as the forecaster aligns it with ``y`` by index.
        """
        from sklearn.model_selection import TimeSeriesSplit

        from seqtune._series import take_steps
        from seqtune.tuning import ForecastFold

        n, labels = len(panel.values[0]), panel.pandas_index[0]
        by_label = isinstance(y, (pd.Series, pd.DataFrame)) and labels is not None
        exog_by_label = isinstance(X, (pd.Series, pd.DataFrame)) and by_label

        def steps(data, start: int, stop: int, aligned_by_label: bool):
            if data is None or not aligned_by_label:
                return take_steps(data, slice(start, stop))
            return data.loc[labels[start] : labels[stop - 1]]

        # With fill=, some grid steps are not in y: a training part cut there would end before its
        # last grid step and its tail would not continue it. Move such a boundary to the next pair
        # of observed steps.
        observed = labels.isin(y.index) if by_label else np.ones(n, dtype=bool)

        def fold(stop: int, holdout: int):
            if holdout >= stop:
                raise ValueError(f"y has {n} time steps: a held-out tail of {holdout} to score the trials on (at "
                                 f"least horizon={self.horizon}) leaves nothing to train on. Use a shorter horizon "
                                 "or a longer series.")
            start = stop - holdout
            while start < stop and not (observed[start - 1] and observed[start]):
                start += 1
            if start == stop:
                raise ValueError(f"The held-out part ending at step {stop} has no two observed steps in a row "
                                 "to start from; use fewer folds (cv) or a series with fewer skipped steps.")
            holdout = stop - start
            part_X = X if exog_by_label else take_steps(X, slice(0, stop))
            tail_X = X if exog_by_label else take_steps(X, slice(stop - holdout, stop))
            return ForecastFold(steps(y, 0, stop, by_label), part_X, holdout,
                                steps(y, stop - holdout, stop, by_label), tail_X)

        n_folds = self.cv if isinstance(self.cv, Integral) and not isinstance(self.cv, bool) else None
        if n_folds is not None and n_folds < 1:
            raise ValueError(f"cv={self.cv}: expected at least 1 fold.")
        if self.cv is None or n_folds == 1:
            return [fold(n, max(self.horizon, int(round(n * self.validation_fraction))))]
        if n_folds is not None:
            # every test fold at least a horizon long: a shorter one scores only the forecasts' first steps
            test_size = max(self.horizon, n // (n_folds + 1))
            if n_folds * test_size >= n:
                raise ValueError(f"cv={n_folds} folds of at least horizon={self.horizon} steps need more than "
                                 f"{n_folds * test_size} time steps; y has {n}. Use fewer folds.")
            splitter = TimeSeriesSplit(n_splits=n_folds, test_size=test_size)
        elif hasattr(self.cv, "split") and not isinstance(self.cv, str):
            splitter = self.cv
        else:
            raise TypeError(f"cv must be None, an int or a splitter with a split() method; got "
                            f"{type(self.cv).__name__} {str(self.cv)[:60]}.")
        folds = []
        for train, test in splitter.split(np.zeros(n)):
            train, test = np.asarray(train), np.asarray(test)
            if (len(train) == 0 or train[0] != 0 or np.any(np.diff(train) != 1) or np.any(np.diff(test) != 1)
                    or test[0] != train[-1] + 1):
                raise ValueError(
                    "cv must give training folds that start at the beginning of the series and test folds "
                    "that directly follow them (contiguous, no gap), such as TimeSeriesSplit(gap=0)."
                )
            folds.append(fold(int(test[-1]) + 1, len(test)))
        shortest = min(f.holdout for f in folds)
        if shortest < self.horizon:
            warnings.warn(f"cv gives test folds of only {shortest} step(s), fewer than horizon={self.horizon}: "
                          f"trials are scored on the first {shortest} step(s) of their forecasts only. Use test "
                          f"folds of at least {self.horizon} steps (TimeSeriesSplit(test_size=...)).",
                          UserWarning, stacklevel=P.user_stacklevel())
        return folds

    def predict(self, horizon=None, X=None, y=None):
        """Forecast with ``best_estimator_`` (see ``SequenceForecaster.predict``)."""
        return self._chosen_estimator().predict(horizon=horizon, X=X, y=y)

    def score(self, y, X=None):
        """Negative MASE of ``best_estimator_`` on ``y``, the continuation of the series."""
        return self._chosen_estimator().score(y, X)
