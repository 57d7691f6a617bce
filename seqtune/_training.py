"""Training with Keras: the one place seqtune calls ``Model.fit`` (callbacks, memory hygiene, divergence
check), and the seed and XLA choices every fit makes."""

from __future__ import annotations

import math
import warnings

import keras
import numpy as np
from sklearn.utils import check_random_state

from seqtune import _params as P
from seqtune._fused_rnn import fit_batch
from seqtune._memory import release_traced_gradients
from seqtune.batching import retracing_notes_hidden

# jit_compile="auto" compiles with XLA only when training will step through at least this
# many time steps (samples x mean length x epochs): XLA costs ~1.5 s to compile and then
# runs about twice as fast, so below this the compilation is not repaid (measured on
# 2 CPU cores; see bench/RESULTS.md).
JIT_MIN_WORK = 250_000
# ... and XLA compiles once per batch shape: ragged data padded to k length buckets needs at least
# k times this much work. Measured on 2 CPU cores (2026-11-26, bench/RESULTS.md): break-even near
# 120,000 a shape for BBC News text (16 buckets, embedding + GRU(32)) and 200,000 for 3,000 ragged
# 8-feature sequences (12 buckets, GRU(16)).
JIT_WORK_PER_SHAPE = 150_000
# ... and a stack of recurrent layers on TensorFlow is compiled only up to this many padded steps:
# the XLA-compiled gradient of an inner layer's loop (which returns every step's output) costs more
# at each step the longer the sequence (seqtune._pooled_rnn spares the last layer that). Measured on
# 2 CPU cores (bench/RESULTS.md, "Pooling inside the recurrence"; bench_pooled_rnn.py --layers 2): two
# GRU(64) layers train 1.19-1.43x faster with XLA up to 200 steps, 0.94x at 250 and 0.76x at 400.
JIT_MAX_STEPS_STACKED = 200


# Early stopping watches the validation loss only after this many gradient steps: on a few dozen
# samples (one or two batches an epoch) the loss sits flat for the first epochs, and patience
# counted in epochs stopped training there, restoring the untrained first epoch (measured on
# sktime's UnitTest, GunPoint and Tecator data: chance accuracy, R^2 0.12).
MIN_STEPS_BEFORE_STOPPING = 200
# ... and waits at least this many steps without improvement, whatever ``patience`` says in epochs:
# with one or two batches an epoch, 5 epochs are 5 to 10 noisy steps.
MIN_PATIENCE_STEPS = 100
# epochs="auto": at least AUTO_EPOCHS passes over the data and at least MIN_TRAINING_STEPS gradient
# steps. On a few dozen samples 50 epochs are 50 to 100 steps, too few for a recurrent network to
# learn (sktime's UnitTest, 20 samples: training accuracy 0.60 after 50 steps, 1.00 after 500).
AUTO_EPOCHS = 50
MIN_TRAINING_STEPS = 1_000


class StateAsBuilt(keras.callbacks.Callback):
    """Records a model's variables (weights and dropout seeds) and its optimizer's when its first training
    begins, after Keras has built them and before any step; :meth:`restore` puts them back.

    Training the same model again from there reuses its traced (or XLA-compiled) train step, which a new
    model of the same seed would trace again (the forecaster's refit).
    """

    def __init__(self):
        super().__init__()
        self.saved = None

    def on_train_begin(self, logs=None):
        if self.saved is None:
            from seqtune.persistence import NUMPY_COPY_WARNING

            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=NUMPY_COPY_WARNING, category=DeprecationWarning)
                self.saved = [(v, np.array(v.numpy())) for v in _state_variables(self.model)]

    def restore(self, seed: int | None) -> None:
        """Put the recorded values back and reseed Keras (``seed``) as a new model of that seed would be."""
        if seed is not None:
            keras.utils.set_random_seed(seed)
        for variable, value in self.saved:
            variable.assign(value)


def _state_variables(model) -> list:
    optimizer = getattr(model, "optimizer", None)
    return list(model.variables) + list(getattr(optimizer, "variables", []))


def resolve_epochs(epochs, batches_per_epoch: int) -> int:
    """The number of epochs to train: ``epochs``, or for ``"auto"`` enough for the minimum steps."""
    if epochs != "auto":
        return int(epochs)
    return max(AUTO_EPOCHS, math.ceil(MIN_TRAINING_STEPS / max(1, batches_per_epoch)))


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop training at the end of an epoch whose loss is NaN or infinite.

    Keras' ``TerminateOnNaN`` checks after every batch, which forces a device sync
    and a Python call per step (measured: ~25% of an LSTM epoch on 2 CPU cores);
    checking once an epoch costs nothing and still ends a diverged fit early.
    """

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.model.stop_training = True


def fit_model(model, *, epochs: int, early_stopping: bool, patience: int, advice: str, callbacks=(),
              initial_epoch: int = 0, verbose: int = 0, batches_per_epoch: int | None = None,
              batch_rows: int | None = None, batches_a_call: bool = False, **fit_args):
    """``model.fit(**fit_args)`` with seqtune's callbacks; the Keras History.

    Adds :class:`StopOnNonFiniteLoss` and, with ``early_stopping``, Keras'
    ``EarlyStopping`` on ``val_loss`` (``loss`` without validation data) restoring the
    best weights, before ``callbacks``; with ``batches_per_epoch`` (gradient steps an
    epoch) it starts watching after ``MIN_STEPS_BEFORE_STOPPING`` steps and
    waits at least ``MIN_PATIENCE_STEPS`` steps. ``batch_rows``: the rows of a batch on each replica
    (default: ``fit_args``' ``batch_size``), for the layers to trace for (:func:`seqtune._fused_rnn.fit_batch`).
    With ``batches_a_call``, Keras runs several batches a call of its train step where that is exact
    (:func:`steps_per_execution`) and the fit is long enough to repay it (``MIN_BATCHES_FOR_SEVERAL_A_CALL``);
    pass it only when no callback of the caller's acts on every batch.
    Raises ``FloatingPointError`` (ending with ``advice``) when the last epoch's loss is
    not finite.
    """
    stops = [StopOnNonFiniteLoss()]
    if early_stopping:
        monitor = "val_loss" if fit_args.get("validation_data") is not None else "loss"
        warm_up = math.ceil(MIN_STEPS_BEFORE_STOPPING / batches_per_epoch) - 1 if batches_per_epoch else 0
        if batches_per_epoch:
            patience = max(patience, math.ceil(MIN_PATIENCE_STEPS / batches_per_epoch))
        stops.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True,
                                                   start_from_epoch=max(0, warm_up)))
    build_before_tracing(model, fit_args)
    if batches_a_call and long_enough_for_several_a_call(epochs - initial_epoch, batches_per_epoch or 0):
        set_steps_per_execution(model, steps_per_execution(model, fit_args))
    try:
        with release_traced_gradients(), retracing_notes_hidden(), fit_batch(batch_rows or fit_args.get("batch_size")):
            history = model.fit(epochs=epochs, initial_epoch=initial_epoch, callbacks=stops + list(callbacks),
                                verbose={0: 0, 1: 2}.get(verbose, 1), **fit_args)
    finally:
        # The caller's callbacks keep what they recorded, not the network: an estimator's clone
        # (scikit-learn deep-copies its parameters) would otherwise copy the trained model too.
        for callback in callbacks:
            if getattr(callback, "_model", None) is model:
                callback.set_model(None)
    losses = history.history.get("loss", [])
    if losses and not np.isfinite(losses[-1]):
        raise FloatingPointError(
            f"Training diverged: the loss became {losses[-1]} at epoch {initial_epoch + len(losses)}. {advice}"
        )
    return history


# Keras' TensorFlow trainer runs up to this many batches in one call of its compiled train step: a call costs
# Python and the executor's start on top of the step. Measured on 2 CPU cores (bench/bench_steps.py,
# bench/RESULTS.md): epochs of 64 batches 1.54x faster at 8 batches a call than at 1 for an LSTM(16), 1.22x for
# an LSTM(64), 1.57x and 1.13x for a GRU(16) and GRU(64) with XLA; the first epoch (tracing) 0.04-0.10 s slower.
MAX_STEPS_PER_EXECUTION = 8
# ... in a fit of at least this many batches: 8 a call saved 0.72-0.98 ms a batch there, and tracing the step took
# 0.04-0.10 s longer, repaid after 48 to 139 batches.
MIN_BATCHES_FOR_SEVERAL_A_CALL = 128


def long_enough_for_several_a_call(epochs: int, batches_per_epoch: int) -> bool:
    """Whether a fit of ``epochs`` epochs of ``batches_per_epoch`` batches repays tracing several batches a call."""
    return epochs * batches_per_epoch >= MIN_BATCHES_FOR_SEVERAL_A_CALL


def validation_batch_size(n_val: int, batch_size: int, train_batches: int) -> int:
    """A batch size, at most ``batch_size``, for ``n_val`` validation rows that keeps several batches a call.

    On seqtune's repeating pipelines the batches a call must divide both the training and the validation
    batches of an epoch (:func:`steps_per_execution`), and a validation set cut in ``batch_size`` rows often
    shares no divisor with the training batches (7 against 57): a slightly smaller validation batch gives a
    count that shares the largest divisor of ``train_batches`` up to ``MAX_STEPS_PER_EXECUTION`` it can
    (9 batches of 23 rows against 57). ``batch_size`` where none can.
    """
    fewest = -(-n_val // batch_size)
    divisors = [d for d in range(MAX_STEPS_PER_EXECUTION, 1, -1) if train_batches % d == 0]
    for d in divisors:
        if fewest % d == 0:
            return batch_size
        first = -(-fewest // d) * d
        for count in range(first, min(n_val, first + 8 * d) + 1, d):  # a count of batches is not always possible
            rows = -(-n_val // count)
            if -(-n_val // rows) == count:
                return rows
    return batch_size


def steps_per_execution(model, fit_args: dict) -> int:
    """The batches Keras runs a call of its train step for ``model.fit(**fit_args)``: the largest divisor, up to
    ``MAX_STEPS_PER_EXECUTION``, of every epoch's batches that the fit fixes (``steps_per_epoch``,
    ``validation_steps``: there, on seqtune's repeating pipelines, Keras' last call of an epoch would run past
    its end into the next). 1 off TensorFlow and under a distribution strategy."""
    if keras.backend.backend() != "tensorflow" or getattr(model, "_distribute_strategy", None) is not None:
        return 1
    fixed = [int(fit_args[k]) for k in ("steps_per_epoch", "validation_steps") if fit_args.get(k)]
    return max(d for d in range(1, MAX_STEPS_PER_EXECUTION + 1) if all(c % d == 0 for c in fixed))


def set_steps_per_execution(model, steps: int) -> None:
    """Set Keras' ``steps_per_execution`` on a compiled ``model``; its traced functions are dropped when it
    changes (they read it when traced)."""
    if model.steps_per_execution != steps:
        model.steps_per_execution = steps
        model.train_function = model.test_function = model.predict_function = None


def acts_on_every_batch(callback) -> bool:
    """Whether ``callback`` overrides one of Keras' per-batch hooks (with several batches a call, Keras
    calls them every few batches)."""
    hooks = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
             "on_test_batch_begin", "on_test_batch_end")
    return any(getattr(type(callback), hook, None) is not getattr(keras.callbacks.Callback, hook) for hook in hooks)


def build_before_tracing(model, fit_args: dict) -> None:
    """Create the optimizer's and the compiled loss' and metrics' variables before ``fit`` traces its
    train step, on TensorFlow.

    Keras' TensorFlow trainer otherwise creates them inside the first trace (when no distribution
    strategy is set), and a ``tf.function`` that creates variables is traced twice. Building them
    first halves the tracing of every new model (measured on 2 CPU cores: a 2-epoch fit of a tiny
    GRU, 1.5-2.1 s to 1.1 s). The data's shapes and dtypes come from the first rows of the arrays or
    the pipeline's element spec (the metrics are chosen by the targets' shape: sparse labels or not).
    Keras' private ``_symbolic_build`` does the work; where a Keras version lacks it, fit traces as before.
    """
    symbolic_build = getattr(model, "_symbolic_build", None)
    if (keras.backend.backend() != "tensorflow" or symbolic_build is None or model.optimizer is None
            or model.optimizer.built or getattr(model, "_distribute_strategy", None) is not None):
        return
    x = fit_args.get("x")
    if hasattr(x, "element_spec"):  # a tf.data pipeline of (x, y[, sample_weight]) batches
        batch = x.element_spec
    else:
        parts = [fit_args.get(k) for k in ("x", "y", "sample_weight")]
        batch = tuple(keras.tree.map_structure(lambda a: a[:1], part) for part in parts if part is not None)
    symbolic_build(data_batch=batch)


# A last epoch that lowers the best loss by less than this share of the first epoch's is convergence, not an
# undertrained network: a classifier at 99.97% accuracy lowered its val_loss from 9e-5 to 7.5e-5 an epoch.
CONVERGED_FALL = 1e-3


def warn_if_still_improving(history: dict, *, epochs: int) -> None:
    """scikit-learn's ``ConvergenceWarning`` when a fit with early stopping ran all ``epochs``
    and its watched loss (``val_loss``, else ``loss``) was still falling, to its best, in the last one."""
    from sklearn.exceptions import ConvergenceWarning

    watched = history.get("val_loss") or history.get("loss") or []
    if len(watched) < 2 or len(watched) < epochs or int(np.argmin(watched)) != len(watched) - 1:
        return
    if min(watched[:-1]) - watched[-1] <= CONVERGED_FALL * abs(watched[0]):
        return  # a loss near its floor still shrinks a little each epoch (cross-entropy on separable data)
    warnings.warn(
        f"Training ran all {epochs} epochs and the {'validation ' if history.get('val_loss') else ''}loss was "
        "still falling in the last one: the network may be undertrained. Raise epochs (early stopping "
        "ends training once it stops improving).", ConvergenceWarning, stacklevel=P.user_stacklevel())


def seed_from(random_state) -> int | None:
    """An int seed for Keras from ``random_state`` (None stays None)."""
    if random_state is None:
        return None
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))


def jit_on_this_backend(jit_compiled: bool) -> bool:
    """A fitted estimator's XLA choice for the backend that loaded it: kept on TensorFlow (so a
    loaded model predicts bit for bit as before), never on torch, always on JAX (see below)."""
    backend = keras.backend.backend()
    if backend == "torch":
        return False
    return True if backend == "jax" else bool(jit_compiled)


def resolve_jit(jit_compile, work: float, *, shapes: int = 1, distributed: bool = False,
                cell: str = "gru", recurrent_dropout: float = 0.0, layers: int = 1,
                longest: int | None = None, min_work: float = JIT_MIN_WORK) -> bool:
    """Whether to XLA-compile a fit of ``work`` time steps (``jit_compile`` "auto", True or False);
    "auto" compiles from ``min_work`` (the estimators': ``JIT_MIN_WORK``).

    XLA compiles once per batch shape, so on TensorFlow a fit over ``shapes`` padded
    lengths (ragged data in length buckets) needs work in proportion to repay it, and a stack of
    ``layers`` > 1 recurrent layers is compiled only if its ``longest`` padded length (recurrent steps)
    is at most ``JIT_MAX_STEPS_STACKED``. A network of ``cell`` layers that run a fused kernel (see
    :mod:`seqtune._fused_rnn`) is never compiled.
    """
    import keras

    from seqtune._fused_rnn import runs_tensorflow_lstm_op

    not_used = None
    if keras.backend.backend() == "torch":
        # Measured: inductor fails on PyTorch's fused (oneDNN) LSTM kernel, and with that kernel
        # kept out of the graph torch.compile recompiled batch after batch (3 to 30 s an epoch
        # against 0.55 s eager).
        not_used = ("on the torch backend: torch.compile fails on PyTorch's fused LSTM kernel and recompiles "
                    "on every batch; training runs eagerly, the fused kernels doing the work.")
    elif runs_tensorflow_lstm_op(cell, recurrent_dropout):
        # Measured on 2 CPU cores (bench/RESULTS.md): the fused op trains faster than XLA's
        # compilation of Keras' loop, and XLA cannot compile it.
        not_used = ("for an LSTM on TensorFlow without a GPU: seqtune runs TensorFlow's fused LSTM op, which "
                    "trains faster than XLA's compilation of Keras' loop and which XLA cannot compile.")
    if not_used:
        if jit_compile is True:
            warnings.warn(f"jit_compile=True is not used {not_used}", UserWarning, stacklevel=P.user_stacklevel())
        return False
    if distributed:
        if jit_compile is True:
            # Measured: a 2-replica MirroredStrategy failed inside XLA (a device error) on its first batch.
            warnings.warn("jit_compile=True is not used under a distribution_strategy: XLA is off there (with "
                          "several replicas its compilation fails).", UserWarning, stacklevel=P.user_stacklevel())
        return False
    if jit_compile != "auto":
        return bool(jit_compile)
    if keras.backend.backend() == "jax":
        # Uncompiled JAX runs op by op from Python: a small fit took 14 s against 1.7 s compiled,
        # and predicting one sequence 67 ms against 0.2 ms. Always worth compiling.
        return True
    if work < max(min_work, JIT_WORK_PER_SHAPE * shapes):
        return False
    if layers > 1 and longest is not None and longest > JIT_MAX_STEPS_STACKED:
        return False
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # XLA doubles LSTM/GRU throughput on CPU; on GPU, cuDNN kernels are faster
        # and are not XLA-compilable.
        return not tf.config.list_physical_devices("GPU")
    return False


def warn_if_trials_train_too_little(n_train: int, batch, max_epochs: int) -> None:
    """Warn when even the smallest batch a search tries (``batch``: its space entry) gives a trial too few
    gradient steps to learn."""
    smallest = min(batch) if isinstance(batch, list) else batch[0] if isinstance(batch, tuple) else batch
    batches = math.ceil(n_train / int(smallest))
    if batches * max_epochs < MIN_STEPS_BEFORE_STOPPING:
        enough = math.ceil(MIN_STEPS_BEFORE_STOPPING / batches)
        smaller = sorted({max(1, int(smallest) // 4), max(1, int(smallest) // 2)})
        batches_hint = (f", or search smaller batches (space={{'batch_size': {smaller}}}, or --batch-sizes "
                        f"{','.join(map(str, smaller))} on the command line)" if int(smallest) > 1 else "")
        warnings.warn(
            f"Each trial trains at most {batches * max_epochs} gradient steps ({n_train} training "
            f"samples a trial, batch size {smallest} or more, max_epochs={max_epochs}): too few for a "
            f"recurrent network to learn, so the search would compare undertrained models. Raise max_epochs "
            f"(to {enough} or more){batches_hint}.",
            UserWarning, stacklevel=P.user_stacklevel())
