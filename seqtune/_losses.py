"""Keras losses the forecaster trains with, registered so saved models load in safe mode."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtune")
class PinballLoss(keras.losses.Loss):
    """Mean pinball (quantile) loss over outputs laid out as ``(..., n_quantiles)``.

    ``y_pred`` has ``n_quantiles`` times as many columns as ``y_true``, the
    quantiles varying fastest. The predicted quantiles are sorted before the loss,
    so the network learns a non-crossing set: at prediction time the outputs are
    sorted the same way.

    Parameters
    ----------
    quantiles : sequence of float
        Quantile levels in (0, 1), increasing.
    """

    def __init__(self, quantiles=(0.1, 0.5, 0.9), name="pinball", reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true, y_pred):
        n_q = len(self.quantiles)
        y_pred = ops.sort(ops.reshape(y_pred, (-1, ops.shape(y_true)[-1], n_q)), axis=-1)
        error = ops.expand_dims(ops.cast(y_true, y_pred.dtype), -1) - y_pred
        q = ops.convert_to_tensor(self.quantiles, dtype=y_pred.dtype)
        loss = ops.maximum(q * error, (q - 1.0) * error)
        return ops.mean(ops.reshape(loss, (ops.shape(loss)[0], -1)), axis=-1)

    def get_config(self):
        return {**super().get_config(), "quantiles": self.quantiles}
