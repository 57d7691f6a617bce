"""A Keras callback that times each epoch, for the bench scripts."""

from __future__ import annotations

import time


def epoch_timer():
    """A Keras callback recording each epoch's wall time in ``seconds`` and its loss in ``losses`` (the loss is
    read first: a device sync)."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []
            self.losses = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.losses.append(float((logs or {}).get("loss", float("nan"))))
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()
