"""keras-tuner integration: the HyperModel that trains and prices a trial, and the tuner factory.

The search runs on keras-tuner's own tuners and oracles. Each trial's
``HyperModel.fit`` trains the candidate through a plain seqtune estimator (same
builder, batching and early stopping as a user's own fit), scores it on held-out
data, measures its cost (:mod:`seqtune.cost`) and returns all of it as the trial's
metrics, which keras-tuner stores with the trial on disk.
"""

from __future__ import annotations

import math
import sys
import time

import keras_tuner as kt
import numpy as np

from seqtune import cost as C
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


class SequenceHyperModel(kt.HyperModel):
    """Builds, trains, scores and prices one candidate per trial.

    Parameters
    ----------
    make_estimator : callable
        ``params -> estimator``: a plain seqtune estimator for a trial's parameters.
    space : dict
        The resolved search space (:func:`seqtune.space.resolve_space`).
    X, y : data
        The whole training data.
    splits : list of (train_index, validation_index)
        One split (holdout) or several (cross-validation).
    max_epochs : int
        Epochs a trial trains when the tuner does not set them (Hyperband does).
    """

    def __init__(self, make_estimator, space, X, y, splits, max_epochs, on_trial_done=None):
        super().__init__(name="seqtune", tunable=True)
        self.make_estimator = make_estimator
        self.space = space
        self.X = X
        self.y = y
        self.splits = splits
        self.max_epochs = max_epochs
        self._current = None

    def _prepared(self, params, split):
        train, _ = split
        est = self.make_estimator(params)
        data = est._prepare(take(self.X, train), take(self.y, train))
        return est, data

    def build(self, hp):
        params = declare(hp, self.space)
        est, data = self._prepared(params, self.splits[-1])
        model = est._build_model(data.head)
        self._current = (est, data, params)
        return model

    def _train_and_score(self, est, data, model, split, *, epochs, initial_epoch, callbacks):
        _, val = split
        X_val, y_val = take(self.X, val), take(self.y, val)
        timer = C.EpochTimer()
        with C.PeakMemory() as memory:
            history = est._train(model, data, est._validation_data(X_val, y_val), epochs=epochs,
                                 initial_epoch=initial_epoch, seed=data.seed,
                                 extra_callbacks=[timer, *callbacks])
        est.model_ = model
        est.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        est.n_iter_ = initial_epoch + len(history.history.get("loss", []))
        score = float(est.score(X_val, y_val))
        if not math.isfinite(score):
            raise FloatingPointError(f"the validation score is {score}")
        self._epochs_run += len(timer.seconds)
        peak = memory.peak_mb
        if not memory.on_gpu:
            lengths = [len(v) for v in data.values]
            peak = C.training_memory_mb(model, est.batch_size, float(np.mean(lengths)))
        return score, C.seconds_per_epoch(timer, data.n), peak, X_val

    def fit(self, hp, model, *args, epochs=None, initial_epoch=0, callbacks=(), **kwargs):
        est, data, params = self._current
        epochs = int(epochs or self.max_epochs)
        self._epochs_run = 0
        scores, per_epoch, memory = [], [], []
        for split in self.splits[:-1]:  # cross-validation folds other than the last
            fold_est, fold_data = self._prepared(params, split)
            fold_model = fold_est._build_model(fold_data.head)
            s, t, m, _ = self._train_and_score(fold_est, fold_data, fold_model, split, epochs=epochs,
                                               initial_epoch=0, callbacks=[])
            scores.append(s), per_epoch.append(t), memory.append(m)
        # The last split trains the tuner's model, so its checkpoints (Hyperband) are this model's.
        s, t, m, X_val = self._train_and_score(est, data, model, self.splits[-1], epochs=epochs,
                                               initial_epoch=initial_epoch, callbacks=list(callbacks))
        scores.append(s), per_epoch.append(t), memory.append(m)
        latency, batch_latency = C.prediction_latency(est, X_val)
        return {
            OBJECTIVE: float(np.mean(scores)),
            "score_std": float(np.std(scores)),
            "params": float(C.count_params(model)),
            "fit_seconds_per_epoch": float(np.nanmedian(per_epoch)),
            "latency_ms": float(latency),
            "batch_latency_ms": float(batch_latency),
            "memory_mb": float(np.nanmax(memory)),
            "epochs_trained": float(est.n_iter_),
            # epochs this trial actually ran (all folds): Hyperband resumes from checkpoints
            "epochs_run": float(self._epochs_run),
            "train_samples": float(data.n),
        }


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

    def __init__(self, total: int | None, cost_column: str, verbose: int, stream=None):
        self.total = total
        self.cost_column = cost_column
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self.done = 0
        self.best = -math.inf
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
            eta = f"  ETA {_duration(elapsed / self.done * (self.total - self.done))}"
        print(f"[{counter}] {shape:<32} {result}  ({_duration(elapsed)}{eta})", file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _with_progress(tuner_class):
    class ProgressTuner(tuner_class):
        progress: _Progress | None = None

        def on_trial_end(self, trial):
            super().on_trial_end(trial)
            if self.progress is not None:
                self.progress.trial_done(self.oracle.get_trial(trial.trial_id))

    ProgressTuner.__name__ = f"Seqtune{tuner_class.__name__}"
    return ProgressTuner


def make_tuner(name: str, hypermodel, *, max_trials: int, max_epochs: int, seed, directory,
               project_name, overwrite: bool, max_consecutive_failed_trials: int = 5):
    """One of keras-tuner's tuners, maximising the held-out ``score``."""
    objective = kt.Objective(OBJECTIVE, direction="max")
    common = dict(objective=objective, seed=seed, directory=str(directory), project_name=project_name,
                  overwrite=overwrite, max_consecutive_failed_trials=max_consecutive_failed_trials)
    if name == "hyperband":
        return _with_progress(kt.Hyperband)(hypermodel, max_epochs=max_epochs, factor=3, **common)
    classes = {"bayesian": kt.BayesianOptimization, "random": kt.RandomSearch, "grid": kt.GridSearch}
    return _with_progress(classes[name])(hypermodel, max_trials=max_trials, **common)
