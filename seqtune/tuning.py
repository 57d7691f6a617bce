"""keras-tuner integration: the HyperModel that trains and prices a trial, and the tuner factory.

The search runs on keras-tuner's own tuners and oracles. Each trial's
``HyperModel.fit`` trains the candidate through a plain seqtune estimator (same
builder, batching and early stopping as a user's own fit), scores it on held-out
data, measures its cost (:mod:`seqtune.cost`) and returns all of it as the trial's
metrics, which keras-tuner stores with the trial on disk.
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import keras
import keras_tuner as kt
import numpy as np

from seqtune import cost as C
from seqtune._interrupts import raise_if_interrupted
from seqtune.inputs import input_notes_hidden
from seqtune.space import declare

TUNERS = ("hyperband", "bayesian", "random", "grid")
OBJECTIVE = "score"


def take(X, index):
    """Rows ``index`` of X, whatever container X is (array, list, pandas)."""
    if hasattr(X, "iloc"):
        return X.iloc[index]
    if isinstance(X, np.ndarray):
        return X[index]
    return [X[i] for i in index]


class InterruptCheck(keras.callbacks.Callback):
    """Raises a Ctrl-C that something swallowed (see :mod:`seqtune._interrupts`) after the batch it arrived in."""

    def on_train_batch_end(self, batch, logs=None):
        raise_if_interrupted()


class _CandidateHyperModel(kt.HyperModel):
    """Builds, trains, scores and prices one candidate per trial (shared by the estimators' and the
    forecaster's hypermodels, which say how to prepare, train, score and time their estimator).

    Parameters
    ----------
    make_estimator : callable
        ``params -> estimator``: a plain seqtune estimator for a trial's parameters.
    space : dict
        The resolved search space (:func:`seqtune.space.resolve_space`).
    splits : list
        One split (holdout) or several (cross-validation); the last one trains the
        tuner's own model, so that Hyperband's checkpoints are this model's.
    max_epochs : int
        Epochs a trial trains when the tuner does not set them (Hyperband does).
    """

    def __init__(self, make_estimator, space, splits, max_epochs):
        super().__init__(name="seqtune", tunable=True)
        self.make_estimator = make_estimator
        self.space = space
        self.splits = splits
        self.max_epochs = max_epochs
        self._current = None

    # What a subclass provides ------------------------------------------------
    def _prepared(self, params, split):
        """``(estimator, training data)`` for ``params`` on ``split``."""
        raise NotImplementedError

    def _new_model(self, est, data):
        raise NotImplementedError

    def _train(self, est, data, model, split, *, epochs, initial_epoch, callbacks) -> tuple[int, float]:
        """Train ``model`` as ``est.model_``; returns (training samples, time steps a sample)."""
        raise NotImplementedError

    def _score(self, est, split) -> float:
        raise NotImplementedError

    def _latency(self, est, split) -> tuple[float, float]:
        raise NotImplementedError

    # The trial -------------------------------------------------------------
    # A trial's data notes (InputWarning) were shown once, before the search.
    def build(self, hp):
        params = declare(hp, self.space)
        with input_notes_hidden():
            est, data = self._prepared(params, self.splits[-1])
        model = self._new_model(est, data)
        self._current = (est, data, params)
        return model

    def _train_and_score(self, est, data, model, split, *, epochs, initial_epoch, callbacks):
        timer = C.EpochTimer()
        with C.PeakMemory() as memory:
            n_samples, timesteps = self._train(est, data, model, split, epochs=epochs,
                                               initial_epoch=initial_epoch,
                                               callbacks=[timer, InterruptCheck(), *callbacks])
        score = float(self._score(est, split))
        if not math.isfinite(score):
            raise FloatingPointError(f"the validation score is {score}")
        self._epochs_run += len(timer.seconds)
        peak = memory.peak_mb
        if not memory.on_gpu:
            # A batch is never larger than the training set: a searched batch_size above it costs the same.
            peak = C.training_memory_mb(model, min(int(est.batch_size), n_samples), timesteps)
        return score, C.seconds_per_epoch(timer, n_samples), peak, n_samples

    def fit(self, hp, model, *args, epochs=None, initial_epoch=0, callbacks=(), **kwargs):
        with input_notes_hidden():
            return self._fit(model, epochs=epochs, initial_epoch=initial_epoch, callbacks=callbacks)

    def _fit(self, model, *, epochs, initial_epoch, callbacks):
        est, data, params = self._current
        epochs = int(epochs or self.max_epochs)
        self._epochs_run = 0
        scores, per_epoch, memory = [], [], []
        for split in self.splits[:-1]:  # cross-validation folds other than the last
            fold_est, fold_data = self._prepared(params, split)
            s, t, m, _ = self._train_and_score(fold_est, fold_data, self._new_model(fold_est, fold_data), split,
                                               epochs=epochs, initial_epoch=0, callbacks=[])
            scores.append(s), per_epoch.append(t), memory.append(m)
        s, t, m, n_samples = self._train_and_score(est, data, model, self.splits[-1], epochs=epochs,
                                                   initial_epoch=initial_epoch, callbacks=list(callbacks))
        scores.append(s), per_epoch.append(t), memory.append(m)
        latency, batch_latency = self._latency(est, self.splits[-1])
        return {
            OBJECTIVE: float(np.mean(scores)),
            "score_std": float(np.std(scores)),
            "params": float(C.count_params(model)),
            "fit_seconds_per_epoch": float(np.nanmedian(per_epoch)),
            "latency_ms": float(latency),
            "batch_latency_ms": float(batch_latency),
            "memory_mb": float(np.nanmax(memory)),
            "epochs_budget": float(epochs),
            "epochs_trained": float(est.n_iter_),
            # epochs this trial actually ran (all folds): Hyperband resumes from checkpoints
            "epochs_run": float(self._epochs_run),
            "train_samples": float(n_samples),
        }


class SequenceHyperModel(_CandidateHyperModel):
    """The hypermodel of the Auto classifier and regressor.

    ``X`` and ``y`` are the whole training data; ``splits`` are
    ``(train_index, validation_index)`` pairs. Other parameters: see
    :class:`_CandidateHyperModel`.
    """

    def __init__(self, make_estimator, space, X, y, splits, max_epochs, sample_weight=None):
        super().__init__(make_estimator, space, splits, max_epochs)
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def _prepared(self, params, split):
        train, _ = split
        est = self.make_estimator(params)
        weight = None if self.sample_weight is None else take(self.sample_weight, train)
        return est, est._prepare(take(self.X, train), take(self.y, train), weight)

    def _new_model(self, est, data):
        return est._build_model(data.head)

    def _train(self, est, data, model, split, *, epochs, initial_epoch, callbacks):
        _, val = split
        if hasattr(est, "classes_") and not est._is_multilabel():
            # A label the training part lacks (a class of one sample) has no output to take a loss on:
            # early stopping watches the others; the trial's score still counts it, as a miss.
            val = val[np.isin(np.asarray(take(self.y, val)), est.classes_)]
        validation = est._validation_data(take(self.X, val), take(self.y, val)) if len(val) else None
        history = est._train(model, data, validation,
                             epochs=epochs, initial_epoch=initial_epoch, seed=data.seed, extra_callbacks=callbacks)
        est.model_ = model
        est.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        est.n_iter_ = initial_epoch + len(history.history.get("loss", []))
        # the recurrent layers' steps: a frame of frame_length_ steps is one
        return data.n, float(np.mean(np.ceil(np.array([len(v) for v in data.values]) / est.frame_length_)))

    def _score(self, est, split):
        _, val = split
        return est.score(take(self.X, val), take(self.y, val))

    def _latency(self, est, split):
        return C.prediction_latency(est, take(self.X, split[1]))


class ForecastFold(NamedTuple):
    """One forecasting split: the series up to the end of a held-out tail, and that tail."""

    y: object
    X: object
    holdout: int
    y_tail: object
    X_tail: object


class ForecastHyperModel(_CandidateHyperModel):
    """The hypermodel of :class:`~seqtune.auto_forecasting.AutoSequenceForecaster`.

    ``splits`` are :class:`ForecastFold`: a trial's forecaster learns from the series
    before the tail (early stopping on the windows whose targets start in the tail)
    and is scored by ``SequenceForecaster.score`` on the tail (negative MASE).
    """

    def _prepared(self, params, fold):
        est = self.make_estimator(params)
        return est, est._prepare(fold.y, fold.X, holdout=fold.holdout)

    def _new_model(self, est, windows):
        return est._new_model(windows[0][0].shape[2])

    def _train(self, est, windows, model, fold, *, epochs, initial_epoch, callbacks):
        train, val, _ = windows
        est.model_ = model
        history = est._train(train, val, epochs, est.early_stopping, initial_epoch=initial_epoch,
                             extra_callbacks=callbacks)
        est.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        est.n_iter_ = initial_epoch + len(history.history.get("loss", []))
        return len(train[0]), float(train[0].shape[1])

    def _score(self, est, fold):
        return est.score(fold.y_tail, fold.X_tail)

    def _latency(self, est, fold):
        """One forecast (one series), and 256 at once, from the end of the training part."""
        def forecaster(n):
            past = np.repeat(est.tails_[:1], n, axis=0)
            past_e = fut_e = None
            if est.n_exog_:
                past_e = np.repeat(est.exog_tails_[:1], n, axis=0)
                fut_e = np.zeros((n, est.horizon, est.n_exog_))
            stats = [est._stats(0, None)] * n
            return lambda: est._forecast(past, past_e, fut_e, stats)

        return C.median_latency(forecaster(1), forecaster(256))


def hyperband_trials(max_epochs: int, factor: int = 3, iterations: int = 1) -> int:
    """Number of trials keras-tuner's Hyperband runs (its own bracket arithmetic)."""
    brackets, epochs = 0, max_epochs
    while epochs >= 1:
        epochs /= factor
        brackets += 1
    end_size = math.ceil(1 + math.log(max_epochs, factor))
    total = 0
    for b in range(brackets):
        for r in range(b + 1):
            total += math.ceil(end_size / (b + 1) * factor ** (b - r))
    return total * iterations


class _Progress:
    """One line per finished trial: k/N, cell and size, score, cost, best so far, ETA."""

    def __init__(self, total: int | None, cost_column: str, verbose: int, stream=None, already_done: int = 0,
                 best: float = -math.inf):
        self.total = total
        self.cost_column = cost_column
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self.already_done = already_done  # trials kept from a resumed search
        self.done = already_done
        self.best = best  # the best score of the kept trials, when resuming
        from seqtune.distributed import role

        self.worker = role() == "worker"

    def trial_done(self, trial) -> None:
        self.done += 1
        if not self.verbose:
            return
        values = trial.hyperparameters.values
        depth = int(values.get("layers", 1))
        units = [values.get(f"units_{i}") for i in range(depth)]
        shape = f"{str(values.get('cell', '?')).upper()} {depth}x{units}"
        if values.get("bidirectional"):
            shape = "bi-" + shape
        if "tuner/epochs" in values:
            shape += f" ({values['tuner/epochs']} ep)"
        status = str(trial.status)
        if status == "COMPLETED":
            metrics = trial.metrics
            score = metrics.get_last_value(OBJECTIVE)
            cost = metrics.get_last_value(self.cost_column) if metrics.exists(self.cost_column) else float("nan")
            self.best = max(self.best, score)
            result = f"score {score:.4f}  {self.cost_column} {cost:.4g}  best {self.best:.4f}"
        else:
            first_line = (trial.message or "").strip().splitlines()[-1:] or ["?"]
            result = f"FAILED: {first_line[0][:100]}"
        elapsed = time.perf_counter() - self.start
        counter = f"{self.done}/{self.total}" if self.total else f"{self.done}"
        if self.worker:  # a worker sees only its own trials: name the trial instead
            counter = f"trial {trial.trial_id}"
        eta = ""
        if self.total and self.done < self.total and not self.worker:
            eta = f"  ETA {_duration(elapsed / (self.done - self.already_done) * (self.total - self.done))}"
        print(f"[{counter}] {shape:<32} {result}  ({_duration(elapsed)}{eta})", file=self.stream, flush=True)

    def finish(self, oracle) -> None:
        """Say why a search that ended normally ran fewer trials than announced.

        The trials are counted in the ``oracle``: a distributed search's chief runs none itself.
        """
        if not (self.verbose and self.total) or self.worker:
            return
        ended = sum(str(trial.status) not in ("RUNNING", "IDLE") for trial in oracle.trials.values())
        if ended < self.total:
            print(f"The search ended after {ended} of {self.total} trials: the tuner found no untried "
                  "combination left in the space.", file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _with_progress(tuner_class):
    class ProgressTuner(tuner_class):
        progress: _Progress | None = None
        # Called once, when the first trial begins (outside keras-tuner's per-trial error handling, so what it
        # raises ends the search): a distributed worker's check against its chief, which is up by then.
        before_first_trial: Callable[[], None] | None = None

        def on_trial_begin(self, trial):
            raise_if_interrupted()
            check, self.before_first_trial = self.before_first_trial, None
            if check is not None:
                check()
            super().on_trial_begin(trial)

        def on_trial_end(self, trial):
            super().on_trial_end(trial)
            if self.progress is not None:
                self.progress.trial_done(self.oracle.get_trial(trial.trial_id))
            raise_if_interrupted()

        def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
            # keras-tuner imports tensorboard in every trial on TensorFlow, to point TensorBoard
            # callbacks at the trial's folder; tensorflow-cpu does not install it, so without this
            # every trial failed. Only a user's own TensorBoard callback needs it.
            if any(type(callback).__name__ == "TensorBoard" for callback in callbacks):
                super()._configure_tensorboard_dir(callbacks, trial, execution)

    ProgressTuner.__name__ = f"Seqtune{tuner_class.__name__}"
    return ProgressTuner


def record_aborted_trial(tuner) -> None:
    """Save and report the trial that made keras-tuner stop on its consecutive-failure limit.

    keras-tuner raises from ``Oracle.end_trial`` before it saves that trial, so the search
    folder kept it as "RUNNING" (and a resumed search or ``seqtune report`` saw a trial still
    running), and no progress line was printed for it.
    """
    oracle = tuner.oracle
    if not getattr(oracle, "end_order", None):
        return
    last = oracle.trials[oracle.end_order[-1]]
    try:
        oracle._save_trial(last)
        oracle.save()
    except AttributeError:  # another keras-tuner layout: leave its folder as it wrote it
        return
    if getattr(tuner, "progress", None) is not None:
        tuner.progress.trial_done(last)


def best_kept_score(tuner) -> float:
    """The best score among the completed trials a tuner loaded from disk (-inf without any)."""
    scores = [trial.metrics.get_last_value(OBJECTIVE) for trial in tuner.oracle.trials.values()
              if str(trial.status) == "COMPLETED" and trial.metrics.exists(OBJECTIVE)]
    return max([s for s in scores if s is not None and math.isfinite(s)], default=-math.inf)


@contextlib.contextmanager
def tuner_tracebacks(shown: bool):
    """Whether keras-tuner prints the traceback of every failed trial while the block runs.

    keras-tuner prints them by default (its ``config.DEBUG``); seqtune's progress line
    names each failure and ``trials_`` keeps the error, so they show only at ``verbose >= 2``.
    """
    try:
        from keras_tuner.src import config
    except ImportError:  # another keras-tuner layout: leave its setting alone
        yield
        return
    before = config.DEBUG
    config.DEBUG = shown
    try:
        yield
    finally:
        config.DEBUG = before


def make_tuner(name: str, hypermodel, *, max_trials: int, max_epochs: int, seed, directory,
               project_name, overwrite: bool, max_consecutive_failed_trials: int = 5):
    """One of keras-tuner's tuners, maximising the held-out ``score``."""
    objective = kt.Objective(OBJECTIVE, direction="max")
    # keras-tuner replaces a seed of 0 by a random one ("seed or randint"): shift every seed by one so
    # that seed=0, seqtune's default, also repeats its trials.
    seed = None if seed is None else int(seed) + 1
    oracle_options = {"objective": objective, "seed": seed,
                      "max_consecutive_failed_trials": max_consecutive_failed_trials}
    folder = {"directory": str(directory), "project_name": project_name, "overwrite": overwrite}
    if name == "hyperband":
        tuner = _with_progress(kt.Hyperband)(hypermodel, max_epochs=max_epochs, factor=3, **oracle_options, **folder)
    else:  # every cell type first: the grid varies it fastest (space.py), the others are told to
        oracle_class = {"grid": _ResumableGridOracle, "bayesian": _CellsFirstBayesianOracle,
                        "random": _CellsFirstRandomOracle}[name]
        tuner = _with_progress(kt.Tuner)(oracle_class(max_trials=max_trials, **oracle_options), hypermodel, **folder)
    _reload_from_another_mode(tuner, Path(directory) / project_name, overwrite)
    return tuner


def _reload_from_another_mode(tuner, project_dir: Path, overwrite: bool) -> None:
    """Reload the oracle of a search begun in the other mode (one process, or a chief with workers).

    keras-tuner reloads a search only where its own tuner's file is there (``tuner0.json`` in one
    process, ``chief.json`` on a chief): resumed in the other mode, the search started over, trained
    its finished trials again and wrote over them.
    """
    from seqtune import distributed

    if overwrite or distributed.role() == "worker" or not (project_dir / "oracle.json").exists():
        return
    if not (project_dir / f"{tuner.tuner_id}.json").exists():
        tuner.oracle.reload()


class _ResumableGridOracle(kt.oracles.GridSearchOracle):
    """keras-tuner's grid oracle, resumable.

    It keeps the grid order of the tried combinations and the queue of trials whose next combination
    is due in memory only (keras-tuner #1055): resumed, a grid search found no combination left and
    ended early, or failed on a KeyError after an interrupted trial. Both are rebuilt from the trials.
    """

    def set_state(self, state):
        super().set_state(state)
        tried = [trial_id for trial_id in self.start_order if trial_id in self.trials]
        tried.sort(key=functools.cmp_to_key(lambda a, b: self._compare(self.trials[a].hyperparameters.values,
                                                                       self.trials[b].hyperparameters.values)))
        self._ordered_ids = type(self._ordered_ids)()  # keras-tuner's linked list, emptied
        for trial_id in tried:
            self._ordered_ids.insert(trial_id)
        self._populate_next = list(tried)  # each finds its next untried combination, if any


class _CellsFirst:
    """Oracle mixin: the first trials try every cell type of the space, one each, in order.

    Random draws need not: with seqtune's default seed, keras-tuner's first four random
    draws were all LSTM, so a small search compared no GRU at all. Only the cell is
    set; every other value keeps its draw (Bayesian optimization starts from random
    points too, so this changes its first points only).
    """

    def populate_space(self, trial_id):
        response = super().populate_space(trial_id)
        values = response.get("values")
        if not values or "cell" not in values:
            return response
        choices = next((list(hp.values) for hp in self.hyperparameters.space if hp.name == "cell"), [])
        tried = {trial.hyperparameters.values.get("cell") for trial in self.trials.values()
                 if trial.trial_id != trial_id}
        untried = [cell for cell in choices if cell not in tried]
        if untried and values["cell"] in tried:
            values["cell"] = untried[0]
        return response


class _CellsFirstRandomOracle(_CellsFirst, kt.oracles.RandomSearchOracle):
    pass


class _CellsFirstBayesianOracle(_CellsFirst, kt.oracles.BayesianOptimizationOracle):
    pass
