"""The one place seqtune calls Keras' ``Model.fit``: its callbacks, memory hygiene and divergence check."""

from __future__ import annotations

import math

import keras
import numpy as np

from seqtune._memory import release_traced_gradients


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
              initial_epoch: int = 0, verbose: int = 0, **fit_args):
    """``model.fit(**fit_args)`` with seqtune's callbacks; the Keras History.

    Adds :class:`StopOnNonFiniteLoss` and, with ``early_stopping``, Keras'
    ``EarlyStopping`` on ``val_loss`` (``loss`` without validation data) restoring the
    best weights, before ``callbacks``. Raises ``FloatingPointError`` (ending with
    ``advice``) when the last epoch's loss is not finite.
    """
    stops = [StopOnNonFiniteLoss()]
    if early_stopping:
        monitor = "val_loss" if fit_args.get("validation_data") is not None else "loss"
        stops.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True))
    with release_traced_gradients():
        history = model.fit(epochs=epochs, initial_epoch=initial_epoch, callbacks=stops + list(callbacks),
                            verbose={0: 0, 1: 2}.get(verbose, 1), **fit_args)
    losses = history.history.get("loss", [])
    if losses and not np.isfinite(losses[-1]):
        raise FloatingPointError(
            f"Training diverged: the loss became {losses[-1]} at epoch {initial_epoch + len(losses)}. {advice}"
        )
    return history
