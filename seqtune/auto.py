"""AutoSequenceClassifier / Regressor: a cost-aware keras-tuner search as an estimator.

The shared search machinery (``_AutoSequenceBase``, which runs the search through
:class:`seqtune._search_run.SearchRunMixin`) also serves
:class:`seqtune.auto_forecasting.AutoSequenceForecaster`.

``fit`` runs the search (resuming one found on disk), reads every trial back,
keeps the trials trained on the same budget, computes the Pareto front of score
against the chosen cost, applies the tolerance rule, explains the pick and refits
the chosen configuration on all the data as a plain seqtune estimator.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from seqtune import _params as P
from seqtune._fit_state import restored_on_error
from seqtune._search_folder import as_json, check_project_name, folder_name, search_root
from seqtune._search_run import SearchRunMixin
from seqtune._search_splits import describe_cv, search_splits
from seqtune.estimators import SequenceClassifier, SequenceRegressor
from seqtune.inputs import input_notes_hidden

COST_NAMES = ("latency", "fit_time", "params", "memory")
# Hyperband with max_epochs <= 2 runs fewer trials than this (1 or 2): warned, as a search it is not.
FEW_HYPERBAND_TRIALS = 3
SEARCHED = ("cell", "units", "layers", "bidirectional", "dropout", "learning_rate", "batch_size")
# Estimator parameters every trial gets from the search's own: {estimator parameter: search parameter}.
SET_BY_SEARCH = {"epochs": "max_epochs", "random_state": "seed", "verbose": "verbose"}


class _AutoSequenceBase(SearchRunMixin, BaseEstimator):
    """Shared implementation of the Auto* estimators (not for direct use)."""

    _estimator_class = None
    _score_name = "score"
    _keras_prefixes = P.PREFIXES  # estimator_params may pass Keras options with these prefixes

    def __init__(
        self,
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
        self.cells = cells
        self.space = space
        self.tuner = tuner
        self.max_trials = max_trials
        self.max_epochs = max_epochs
        self.cv = cv
        self.cost = cost
        self.tolerance = tolerance
        self.refit = refit
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.directory = directory
        self.project_name = project_name
        self.overwrite = overwrite
        self.estimator_params = estimator_params
        self.verbose = verbose

    # -------------------------------------------------------------- validation
    def _check_params(self):
        from seqtune.space import OPTIONAL, check_grid_space, grid_space, resolve_space
        from seqtune.tuning import TUNERS

        P.check_choice("tuner", self.tuner, TUNERS)
        P.check_int("max_trials", self.max_trials)
        P.check_int("max_epochs", self.max_epochs)
        P.check_verbose(self.verbose)
        for name in ("refit", "overwrite"):  # overwrite="False" would wipe the search it meant to keep
            P.check_bool(name, getattr(self, name))
        if not callable(self.cost):
            P.check_choice("cost", self.cost, COST_NAMES)
            if self.cost.lower() == "fit_time" and self.max_epochs == 1:
                warnings.warn("cost='fit_time' with max_epochs=1: a trial's only epoch includes Keras' tracing and "
                              "compilation, so the search would compare compile times. Use max_epochs >= 2 (the "
                              "first epoch is then left out of the timing).", UserWarning,
                              stacklevel=P.user_stacklevel())
        if self.tuner.lower() == "hyperband":
            from seqtune.tuning import hyperband_trials

            trials = hyperband_trials(self.max_epochs)
            if trials < FEW_HYPERBAND_TRIALS:
                warnings.warn(f"tuner='hyperband' with max_epochs={self.max_epochs} runs only "
                              f"{trials} trial(s): Hyperband sizes its brackets from "
                              "max_epochs (max_trials is not used). Raise max_epochs (3 gives 6 trials, 9 gives "
                              "23), or use tuner='random' with max_trials.", UserWarning,
                              stacklevel=P.user_stacklevel())
            elif self.max_trials != inspect.signature(type(self)).parameters["max_trials"].default:
                warnings.warn(f"tuner='hyperband' with max_epochs={self.max_epochs} runs {trials} trials: Hyperband "
                              f"sizes its brackets from max_epochs, and max_trials={self.max_trials} is not used. "
                              "Use tuner='random' or tuner='bayesian' to run max_trials trials.", UserWarning,
                              stacklevel=P.user_stacklevel())
        P.check_tolerance(self.tolerance)
        P.check_fraction("validation_fraction", self.validation_fraction)
        if self.cv is None and not self.validation_fraction:
            raise ValueError("validation_fraction must be > 0 when cv=None: trials are scored on held-out data.")
        P.check_seed("seed", self.seed)
        check_project_name(self.project_name)
        if self.estimator_params is not None and not isinstance(self.estimator_params, Mapping):
            raise TypeError("estimator_params must be a dict of fixed estimator parameters (e.g. "
                            f"{{'patience': 5}}) or None; got {type(self.estimator_params).__name__} "
                            f"{self.estimator_params!r}.")
        params = dict(self.estimator_params or {})
        valid = set(self._estimator_class()._get_param_names())
        for key in params:
            if key in SEARCHED:
                raise ValueError(f"estimator_params[{key!r}] is searched; fix it with space={{{key!r}: value}} "
                                 "instead.")
            if key in SET_BY_SEARCH:
                raise ValueError(f"estimator_params[{key!r}] is set by the search; use {type(self).__name__}"
                                 f"({SET_BY_SEARCH[key]}=...) instead.")
            if key not in valid and not (self._keras_prefixes and key.startswith(self._keras_prefixes)):
                raise ValueError(f"estimator_params has unknown parameter {key!r}.{P.did_you_mean(key, valid)}")
        searched_options = [k for k in (self.space or {}) if k in OPTIONAL]
        for key in searched_options:
            if key not in valid:
                raise ValueError(f"space[{key!r}]: {self._estimator_class.__name__} has no {key} parameter.")
            if key in params:
                raise ValueError(f"{key!r} is both searched (space) and fixed (estimator_params); give it once.")
        if self.space is not None and "cell" in self.space and tuple(self.cells) != ("lstm", "gru"):
            raise ValueError(f"cells={self.cells!r} and space['cell']={self.space['cell']!r} both choose the cells; "
                             "give one of them.")
        cells = self.cells if self.space is None or "cell" not in self.space else None
        space = resolve_space(self.space, cells=cells)
        if self.tuner.lower() == "grid":
            # Default ranges a grid cannot walk become a few values; a range the user gave is refused.
            given = set(self.space or {}) | ({"cell"} if cells is not None else set())
            walkable = grid_space(space)
            space = {name: spec if name in given else walkable[name] for name, spec in space.items()}
            check_grid_space(space)
        return space, params

    def _cost_column(self, trials):
        from seqtune.report import COSTS

        if callable(self.cost):
            # Priced on finished trials only: a failed one has no measured costs to pass.
            done = (trials["status"] == "COMPLETED").to_numpy()
            trials["custom_cost"] = np.nan
            trials.loc[done, "custom_cost"] = [self._custom_cost(row) for _, row in trials[done].iterrows()]
            return "custom_cost"
        return COSTS[self.cost.lower()]

    def _custom_cost(self, row) -> float:
        """The cost callable on one finished trial, with an error that names it and what it can read."""
        name = getattr(self.cost, "__name__", self.cost)
        kept = (" The finished trials are kept in the search folder: fix the callable and fit again to price "
                "them without rerunning them.")
        try:
            value = float(self.cost(row))
        except Exception as exc:
            raise ValueError(
                f"cost={name!r} failed on trial {row.get('trial_id')} ({type(exc).__name__}: {exc}). It receives "
                f"the trial's row, whose fields are: {', '.join(map(str, row.index))}.{kept}") from exc
        if not np.isfinite(value):
            raise ValueError(f"cost={name!r} returned {value} for trial {row.get('trial_id')}; expected a "
                             f"finite number.{kept}")
        return value

    # --------------------------------------------------------------------- fit
    def fit(self, X, y, sample_weight=None, groups=None):
        """Search, pick the model on the Pareto front, and (with ``refit``) train it on all data.

        Parameters
        ----------
        X : sequences (as for the plain estimators)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the training samples in every trial's training and in the refit.
            Trials are scored unweighted on their held-out samples, as scikit-learn's
            searches score by default.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter given as ``cv`` (``GroupKFold``, ...), as
            in scikit-learn's searches.

        Returns
        -------
        self
        """
        import joblib

        from seqtune._training import warn_if_trials_train_too_little
        from seqtune.tuning import SequenceHyperModel

        space, fixed = self._check_params()
        # Our own validation of X, y and the weights, before keras-tuner or TensorFlow see them.
        self._estimator_class(**fixed)._prepare(X, y, sample_weight)
        if y is None:
            raise ValueError("y is None")
        sample_weight = P.check_sample_weight(sample_weight, len(y))
        splits = search_splits(np.asarray(y), groups, cv=self.cv, validation_fraction=self.validation_fraction,
                               seed=self.seed, classifier=isinstance(self, ClassifierMixin))
        warn_if_trials_train_too_little(len(splits[-1][0]), space["batch_size"], self.max_epochs)
        make_estimator = self._estimator_factory(fixed)
        # The same samples in another container are the same data (the estimators read pandas by
        # position); an unweighted search's fingerprint stays what it was, so its folders resume.
        data = (_positional(X), _positional(np.asarray(y))) + (() if sample_weight is None else (sample_weight,))
        fingerprint = {**self._fingerprint(data, space, fixed), "splits": joblib.hash(splits)}
        self._search_and_refit(SequenceHyperModel(make_estimator, space, X, y, splits, self.max_epochs, sample_weight),
                               fingerprint, make_estimator, X, y, sample_weight)
        return self

    def _estimator_factory(self, fixed: dict):
        """``params -> estimator``: a trial's (and the refit's) plain seqtune estimator."""

        def make_estimator(params):
            return self._estimator_class(**{**fixed, **params, "epochs": self.max_epochs,
                                             "random_state": self.seed, "verbose": max(0, self.verbose - 1)})

        return make_estimator

    def _fingerprint(self, data, space: dict, fixed: dict) -> dict:
        """What a search's trials depend on: resuming one needs the same (``_search_folder``)."""
        import joblib
        import keras

        set_by_trials = set(space) | set(fixed) | {"epochs", "random_state", "verbose"}
        meanings = getattr(self._estimator_class, "_auto_meanings", {})
        defaults = {key: {"auto": meanings[key]} if value == "auto" and key in meanings else value
                    for key, value in self._estimator_class().get_params(deep=False).items()
                    if key not in set_by_trials}
        return {
            "estimator": type(self).__name__,
            "data": joblib.hash(data),
            "space": as_json(space),
            "estimator_params": as_json(fixed),
            # The estimator's defaults too: a seqtune whose defaults changed does not resume the
            # trials an earlier one ran with the old defaults (they would not compare).
            "estimator_defaults": as_json(defaults),
            "validation": describe_cv(self.cv) if self.cv is not None else f"holdout {self.validation_fraction}",
            "tuner": self.tuner.lower(),
            "max_epochs": int(self.max_epochs),  # NumPy integers (np.arange in a loop) are not JSON
            "seed": None if self.seed is None else int(self.seed),
            # Trials measure their training time and latency: those of one backend do not compare
            # with another's (a search resumed on torch reported TensorFlow's costs as its own).
            "backend": keras.backend.backend(),
        }

    def _search_and_refit(self, hypermodel, fingerprint: dict, make_estimator, *data) -> None:
        """The search (in the folder ``project_name`` names, or one named after ``fingerprint``), then the refit of
        its pick on ``data``. One that raises (or a Ctrl-C) leaves the estimator as it was, an earlier fit's model
        included; the trials that finished stay on disk. The folder is made only now, after the data's checks."""
        project_dir = search_root(self.directory) / (self.project_name or folder_name(type(self).__name__, fingerprint))
        with restored_on_error(self):
            self._search(hypermodel, project_dir, fingerprint)
            self._refit_chosen(make_estimator, *data)

    # ----------------------------------------------------------------- results
    def report(self):
        """The table of trials (a DataFrame), front members flagged in ``on_front``."""
        check_is_fitted(self, "trials_")
        table = self.trials_.copy()
        table["on_front"] = table["trial_id"].isin(self.pareto_front_["trial_id"])
        table["chosen"] = table["trial_id"] == self.best_trial_["trial_id"]
        return table

    def plot_pareto(self, path):
        """Write a plot of score against cost: LSTM and GRU in two colours, the front, the pick.

        The format follows the extension of ``path`` (``.png``, ``.pdf``, ``.svg``, ...).

        Returns
        -------
        pathlib.Path
        """
        from seqtune.pareto import comparable
        from seqtune.report import plot_pareto

        check_is_fitted(self, "trials_")
        pool = comparable(self.trials_)
        return plot_pareto(pool, self.pareto_front_, self.best_trial_, self.cost_column_, path,
                           score_name=self._score_name)

    def _refit_chosen(self, make_estimator, *data) -> None:
        """Train the chosen configuration on all of ``data`` as ``best_estimator_`` (with ``refit``)."""
        for name in ("best_estimator_", "n_features_in_", "feature_names_in_"):  # an earlier fit's, now stale
            vars(self).pop(name, None)
        if self.search_role_ == "worker" or not self.refit:
            return
        from seqtune._interrupts import interrupts_kept, raise_if_interrupted

        chosen = make_estimator(self.best_params_)
        with warnings.catch_warnings(), input_notes_hidden(), interrupts_kept():
            # The chosen model trains for the budget its trial was scored at (max_epochs).
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                chosen.fit(*data)
            except Exception:
                raise_if_interrupted()  # what a Ctrl-C broke on its way out: say it was the Ctrl-C
                raise
            raise_if_interrupted()  # a Ctrl-C that a garbage-collection callback swallowed
        self.best_estimator_ = chosen
        for name in ("n_features_in_", "feature_names_in_"):  # scikit-learn's convention for a fitted estimator
            if hasattr(self.best_estimator_, name):
                setattr(self, name, getattr(self.best_estimator_, name))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        searched = self._estimator_class().__sklearn_tags__()  # what the searched estimator takes
        tags.input_tags.three_d_array = searched.input_tags.three_d_array
        tags.target_tags.multi_output = searched.target_tags.multi_output
        tags.non_deterministic = self.seed is None
        return tags

    def _chosen_estimator(self):
        """``best_estimator_``, or an error that says why there is none."""
        if not hasattr(self, "best_estimator_") and hasattr(self, "best_params_"):
            raise NotFittedError(
                f"{type(self).__name__} was fitted with refit=False: the search chose best_params_ but trained "
                f"no model on all the data. Fit {self._estimator_class.__name__}(**best_params_, "
                f"epochs={self.max_epochs}) to predict, as refit=True would (with estimator_params too, if any)."
            )
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    def predict(self, X):
        """Predict with ``best_estimator_``."""
        return self._chosen_estimator().predict(X)

    def score(self, X, y, sample_weight=None):
        """Score ``best_estimator_`` (accuracy for classifiers, R^2 for regressors)."""
        return self._chosen_estimator().score(X, y, sample_weight=sample_weight)

    def save(self, path) -> None:
        """Save ``best_estimator_`` to one file: ``seqtune.load(path)`` reads back the chosen model (a
        SequenceClassifier, ...), not the search, whose trials stay in its folder."""
        self._chosen_estimator().save(path)


class AutoSequenceClassifier(ClassifierMixin, _AutoSequenceBase):
    """Search LSTM/GRU classifiers with keras-tuner and pick one on the accuracy/cost front.

    Parameters
    ----------
    cells : sequence of {"lstm", "gru"}, default=("lstm", "gru")
        Cell types searched (shorthand for ``space={"cell": [...]}``).
    space : dict or None, default=None
        Fixes, narrows or widens the default space (see :mod:`seqtune.space`);
        classifiers and regressors may also search ``pooling``
        (e.g. ``{"pooling": ["last", "mean"]}``) and ``frame_length`` (e.g.
        ``{"frame_length": [1, 4, 16]}``).
    tuner : {"hyperband", "bayesian", "random", "grid"}, default="hyperband"
        keras-tuner's tuner. ``"grid"`` walks a finite space and tries every cell type
        first; ``max_trials`` caps it. The default space's continuous and log-scale ranges
        become a few values (powers of two, three log-spaced learning rates); a range given
        in ``space`` must be walkable (a list, a range of ints, or a range with a step).
    max_trials : int, default=20
        Trials for the random, Bayesian and grid tuners (Hyperband sets its own
        number from ``max_epochs``).
    max_epochs : int, default=20
        Epochs of a fully trained candidate.
    cv : None, int, splitter or list of (train, validation) index pairs, default=None
        None: score on a held-out ``validation_fraction``; int, splitter (e.g.
        ``TimeSeriesSplit``) or pairs: mean score over folds.
    cost : {"latency", "fit_time", "params", "memory"} or callable, default="latency"
        The cost traded against the score; a callable maps a trial row to a number.
    tolerance : float, default=0.01
        The cheapest front model within ``tolerance`` of the best score is chosen.
        Measured timings (latency, fit time) within 10% of the cheapest count as
        a tie, which the fewest parameters settle, so run-to-run timing noise does
        not flip the pick (``seqtune.pareto.choose``).
    refit : bool, default=True
        Refit the chosen configuration on all the data as ``best_estimator_``.
    validation_fraction : float, default=0.2
        Held-out fraction when ``cv=None``.
    seed : int, default=0
        Seeds the tuner and every trial: the same seed gives the same trials.
    directory : str, default="seqtune_runs"
        Where search folders live (created if needed).
    project_name : str or None, default=None
        The search folder inside ``directory``. None names it after what the trials
        depend on (estimator, data, validation splits, space and settings, not the
        trial budget or the cost): fitting again with the same ones resumes the search
        (raise ``max_trials`` to add trials), and other data -- another fold of
        ``cross_val_score``, another dataset -- searches in a folder of its own. A
        given name resumes the search there, refused if it was run on other data or
        settings. The folder is ``search_dir_``.
    overwrite : bool, default=False
        Start over, deleting the search found there (never a folder or file that is
        not a search).
    estimator_params : dict or None, default=None
        Fixed parameters of every trial's estimator (e.g. ``{"max_length": 300}``);
        not the searched ones, nor ``epochs``, ``random_state`` and ``verbose``, which
        come from ``max_epochs``, ``seed`` and ``verbose``.
    verbose : int, default=1
        0: silent; 1: one line per trial; 2: also Keras' per-epoch lines.

    Attributes
    ----------
    trials_ : DataFrame
        One row a trial: configuration, status, score, costs, error.
    pareto_front_ : DataFrame
        Non-dominated trials of score against the cost (trials at the same budget).
    best_trial_ : Series
        The chosen trial.
    best_params_ : dict
        Its configuration.
    best_estimator_ : SequenceClassifier
        The chosen configuration refit on all data.
    cell_choice_ : str
        "lstm" or "gru".
    explanation_ : str
        Why that model was chosen.
    search_dir_ : str
        The search's folder: keras-tuner's trials, ``seqtune_trials.csv`` and ``seqtune_summary.json``.
    classes_ : ndarray
        Class labels.
    """

    _estimator_class = SequenceClassifier
    _score_name = "accuracy"

    @property
    def classes_(self):
        return self._chosen_estimator().classes_

    def predict_proba(self, X):
        """Class probabilities from ``best_estimator_``."""
        return self._chosen_estimator().predict_proba(X)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, from ``best_estimator_``."""
        return self._chosen_estimator().predict_log_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True  # as SequenceClassifier
        return tags


class AutoSequenceRegressor(RegressorMixin, _AutoSequenceBase):
    """Search LSTM/GRU regressors with keras-tuner and pick one on the R^2/cost front.

    Parameters and attributes are those of :class:`AutoSequenceClassifier`; the score
    is R^2 on held-out data and ``best_estimator_`` is a :class:`SequenceRegressor`.
    """

    _estimator_class = SequenceRegressor
    _score_name = "r2"


def _positional(X):
    """``X`` as the values it holds: no pandas index (the estimators read rows by position), arrays
    in C order (a hash sees the memory layout of a view or of a DataFrame's values)."""
    import pandas as pd

    from seqtune._input_tables import nested_table

    X = nested_table(X)  # sktime's nested DataFrame holds the same samples as their list
    if isinstance(X, (pd.Series, pd.DataFrame)):
        X = X.to_numpy()
    return np.ascontiguousarray(X) if isinstance(X, np.ndarray) else X
