"""Measuring what a trained candidate costs: parameters, training time, latency, memory.

Every figure is measured on the running machine, not estimated:

* ``params``: trainable and non-trainable weights of the network;
* ``fit_seconds_per_epoch``: wall time of a training epoch per 1,000 samples
  (median over epochs; the first epoch, which includes tracing and compilation,
  is left out when there are others);
* ``latency_ms``: median wall time of predicting one sequence through the
  estimator's compiled predict path; ``batch_latency_ms``: the same for a batch of
  256 (a throughput figure);
* ``memory_mb``: peak memory while training — the device's peak allocation on a
  GPU, else the peak growth of the process' resident memory (sampled every 10 ms).
"""

from __future__ import annotations

import os
import statistics
import threading
import time

import keras
import numpy as np

COSTS = {
    "latency": "latency_ms",
    "fit_time": "fit_seconds_per_epoch",
    "params": "params",
    "memory": "memory_mb",
}
COST_LABELS = {
    "latency_ms": "latency (ms, 1 sequence)",
    "fit_seconds_per_epoch": "training s / epoch / 1k samples",
    "params": "parameters",
    "memory_mb": "peak training memory (MB)",
}


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


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: fall back on the lifetime peak
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class PeakMemory:
    """Context manager measuring peak memory (MB) used inside the block."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.peak_mb = float("nan")
        self._gpu = None

    def __enter__(self):
        self._gpu = _gpu_device()
        if self._gpu is not None:
            import tensorflow as tf

            tf.config.experimental.reset_memory_stats(self._gpu)
            return self
        self._base = _rss_mb()
        self._peak = self._base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(self.interval):
            self._peak = max(self._peak, _rss_mb())

    def __exit__(self, *exc):
        if self._gpu is not None:
            import tensorflow as tf

            self.peak_mb = tf.config.experimental.get_memory_info(self._gpu)["peak"] / 2**20
            return False
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, _rss_mb())
        self.peak_mb = max(0.0, self._peak - self._base)
        return False


def _gpu_device():
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    return "GPU:0" if tf.config.list_physical_devices("GPU") else None


def prediction_latency(estimator, X_sample, *, repeats: int = 15) -> tuple[float, float]:
    """Median milliseconds to predict one sequence, and a batch of up to 256."""
    one = _take(X_sample, 1)
    batch = _take(X_sample, 256)
    predict = estimator.predict
    predict(one), predict(batch)  # warm-up: traces and compiles
    timings = []
    for sample in (one, batch):
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            predict(sample)
            runs.append(time.perf_counter() - start)
        timings.append(statistics.median(runs) * 1000.0)
    return timings[0], timings[1]


def _take(X, n: int):
    if isinstance(X, np.ndarray):
        reps = int(np.ceil(n / len(X)))
        return np.concatenate([X] * reps)[:n] if reps > 1 else X[:n]
    items = list(X)
    return (items * int(np.ceil(n / len(items))))[:n]


def count_params(model) -> int:
    return int(model.count_params())
