"""Measuring what a trained candidate costs: parameters, training time, latency, memory.

Every figure is measured on the running machine, not estimated:

* ``params``: trainable and non-trainable weights of the network;
* ``fit_seconds_per_epoch``: wall time of a training epoch per 1,000 samples
  (median over epochs; the first epoch, which includes tracing and compilation,
  is left out when there are others);
* ``latency_ms``: median wall time of predicting one sequence through the
  estimator's compiled predict path; ``batch_latency_ms``: the same for a batch of
  256 (a throughput figure);
* ``memory_mb``: training memory. On a GPU, the device's measured peak allocation.
  On a CPU no allocator reports a per-model peak (TensorFlow's CPU memory stats
  read 0, and the process' resident memory mostly reuses what earlier trials
  freed), so it is computed from the model: weights, gradients and Adam's two
  slots (4 copies of every parameter) plus the activations one batch keeps for
  backpropagation through time — the same formula for every trial, so trials
  compare fairly.
"""

from __future__ import annotations

import statistics
import time

import keras
import numpy as np


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every training epoch."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def seconds_per_epoch(timer: EpochTimer, n_samples: int) -> float:
    """Median epoch time per 1,000 samples, leaving out the compiling first epoch."""
    times = timer.seconds[1:] if len(timer.seconds) > 1 else timer.seconds
    if not times or n_samples <= 0:
        return float("nan")
    return statistics.median(times) / n_samples * 1000.0


def training_memory_mb(model, batch_size: int, timesteps: float) -> float:
    """Training memory from the model's shape (see the module docstring), in MB."""
    floats = 4.0 * model.count_params()
    for layer in _leaf_layers(model):
        directions = 1
        if isinstance(layer, keras.layers.Bidirectional):
            layer, directions = layer.forward_layer, 2
        cell = getattr(layer, "cell", None)
        cell = getattr(cell, "cell", cell)  # seqtune._pooled_rnn's PoolingCell wraps the LSTM/GRU cell
        if isinstance(cell, (keras.layers.LSTMCell, keras.layers.GRUCell)):
            gates = 4 if isinstance(cell, keras.layers.LSTMCell) else 3
            # per step: gate pre-activations and the new state, for every sequence of the batch
            floats += directions * batch_size * timesteps * cell.units * (gates + 1)
        elif isinstance(layer, keras.layers.Embedding):
            floats += batch_size * timesteps * layer.output_dim
    return floats * 4 / 2**20


def _leaf_layers(model):
    """Layers of ``model``, looking inside nested models (a forecaster's ensemble members)."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


class PeakMemory:
    """Context manager: the GPU's peak allocation (MB) inside the block; NaN on CPU."""

    def __init__(self):
        self.peak_mb = float("nan")
        self._gpu = None

    @property
    def on_gpu(self) -> bool:
        return self._gpu is not None

    def __enter__(self):
        self._gpu = _gpu_device()
        if self._gpu is not None:
            import tensorflow as tf

            tf.config.experimental.reset_memory_stats(self._gpu)
        return self

    def __exit__(self, *exc):
        if self._gpu is not None:
            import tensorflow as tf

            self.peak_mb = tf.config.experimental.get_memory_info(self._gpu)["peak"] / 2**20
        return False


def _gpu_device():
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    return "GPU:0" if tf.config.list_physical_devices("GPU") else None


def prediction_latency(estimator, X_sample, *, repeats: int = 15) -> tuple[float, float]:
    """Median milliseconds to predict one sequence, and a batch of up to 256."""
    one, batch = _take(X_sample, 1), _take(X_sample, 256)
    return median_latency(lambda: estimator.predict(one), lambda: estimator.predict(batch), repeats=repeats)


def median_latency(predict_one, predict_batch, *, repeats: int = 15) -> tuple[float, float]:
    """Median milliseconds of the calls ``predict_one()`` and ``predict_batch()``, after a warm-up call of each."""
    predict_one(), predict_batch()  # warm-up: traces and compiles
    timings = []
    for call in (predict_one, predict_batch):
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            call()
            runs.append(time.perf_counter() - start)
        timings.append(statistics.median(runs) * 1000.0)
    return timings[0], timings[1]


def _take(X, n: int):
    """``n`` samples of ``X`` (repeated when it has fewer), in the form ``X`` came in."""
    rows = np.arange(n) % len(X)
    if isinstance(X, np.ndarray):
        return X[rows]
    if hasattr(X, "iloc"):  # a DataFrame or Series: rows, not its column labels
        return X.iloc[rows]
    items = list(X)
    return [items[i] for i in rows]


def count_params(model) -> int:
    return int(model.count_params())
