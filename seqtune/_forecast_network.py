"""The forecaster's Keras network: build, loss, ensemble outputs and quantile calibration.

``SequenceForecaster`` prepares windows and statistics; everything here works on
scaled windows (``_windows.window_inputs``) and scaled targets, in NumPy and Keras.
"""

from __future__ import annotations

import numpy as np

from seqtune._series import point_forecast

# Point-forecast losses by name, as Keras calls them.
POINT_LOSSES = {"mae": "mean_absolute_error", "mse": "mean_squared_error", "huber": "huber"}


def build_forecast_network(n_channels: int, *, horizon: int, n_targets: int, n_quantiles: int, n_models: int,
                           lookback: int, linear_skip: bool, **network):
    """The (uncompiled) ensemble: ``n_models`` RNNs with ``horizon * n_targets * n_quantiles`` outputs each.

    ``network`` holds ``build_network``'s options (cell, units, layers, bidirectional,
    dropout). With ``linear_skip``, a linear map from the window's target channels is
    added to every member's output.
    """
    import keras

    from seqtune._layers import WindowValues
    from seqtune.architectures import Head, InputLayout, build_ensemble

    # Python ints: Keras refuses NumPy integers as layer sizes (horizon=np.int64(3) from a grid, say)
    horizon, n_targets, n_quantiles, n_models, lookback = (
        int(v) for v in (horizon, n_targets, n_quantiles, n_models, lookback))
    layout = InputLayout(kind="numeric", n_features=int(n_channels), mean=None, variance=None)
    head = Head(units=horizon * n_targets * n_quantiles, activation=None)
    model = build_ensemble(layout, head, n_models, name="SequenceForecaster", **network)
    if linear_skip:
        # A linear map from the window (relative to its reference) to every member's output,
        # starting at zero: the forecast starts as the anchor and the recurrent layers learn
        # what a linear autoregression cannot.
        window = WindowValues(lookback, n_targets, name="window_values")(model.inputs[0])
        linear = keras.layers.Dense(head.units * n_models, kernel_initializer="zeros", name="linear_skip")(window)
        # One input tensor, not a list of one: called with a tensor, Keras (torch) warned that the
        # structures differ on every new batch shape.
        model = keras.Model(model.inputs[0], keras.layers.Add(name="forecast")([model.outputs[0], linear]),
                            name="SequenceForecaster")
    return model


def forecast_loss(quantiles, loss: str):
    """The pinball loss over ``quantiles``, or the named point loss."""
    if quantiles is not None:
        from seqtune._losses import PinballLoss

        return PinballLoss(quantiles)
    return POINT_LOSSES[loss.lower()]


def ensemble_outputs(model, x, *, n_models: int, horizon: int, n_targets: int, n_quantiles: int) -> np.ndarray:
    """The members' mean forecast of scaled windows ``x``: ``(n, horizon, n_targets, n_quantiles)``.

    Each member's quantiles are sorted before averaging, so the mean never crosses.
    """
    from seqtune._inference import predict

    raw = predict(model, x, kind="numeric", n_features=x.shape[2])
    raw = raw.astype(np.float64).reshape(len(x), n_models, horizon, n_targets, n_quantiles)
    return np.sort(raw, axis=-1).mean(axis=1)


# The shares of the network's correction to the anchor that correction_weight="auto" chooses from,
# and how much less a smaller share must err on validation to be chosen over the whole correction:
# a few validation windows tell a clear harm from noise, not a 1% difference.
CORRECTION_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
CLEARLY_BETTER = 0.05


def best_correction_weight(predicted: np.ndarray, actual: np.ndarray, quantiles) -> float:
    """The weight of :data:`CORRECTION_WEIGHTS` whose share of the correction errs least on validation,
    if that error is at least :data:`CLEARLY_BETTER` below the whole correction's; else 1.

    ``predicted`` ``(n, horizon, k, n_q)`` and ``actual`` ``(n, horizon, k)`` are scaled
    corrections (0: the anchor); the point forecast (:func:`point_forecast`) is scored
    by its mean absolute error.
    """
    point = point_forecast(predicted, quantiles)
    errors = [float(np.mean(np.abs(weight * point - actual))) for weight in CORRECTION_WEIGHTS]
    best = int(np.argmin(errors))
    return CORRECTION_WEIGHTS[best] if errors[best] < (1 - CLEARLY_BETTER) * errors[-1] else 1.0


def weigh_correction(outputs: np.ndarray, weight: float, quantiles) -> np.ndarray:
    """Scaled corrections ``(..., n_q)`` with ``weight`` of the point forecast's correction kept.

    Every quantile moves with the point forecast, so a band keeps its width: scaling all of them
    by the weight collapsed the band to the anchor (zero width) when the weight was 0.
    """
    return outputs - (1.0 - weight) * point_forecast(outputs, quantiles)[..., None]


def widening_shifts(predicted: np.ndarray, actual: np.ndarray, quantiles) -> np.ndarray:
    """Per step, target and quantile ``(horizon, k, n_q)``: how far to move each quantile out so that
    the share of ``actual`` below it is its level.

    ``predicted`` is ``(n, horizon, k, n_q)`` and ``actual`` ``(n, horizon, k)``, both scaled.
    Quantiles only move away from the median (a band is widened, never narrowed) and the
    median stays: shifting the centre by the validation tail's bias made the point forecasts
    worse on Seattle (bench/RESULTS.md).
    """
    residual = actual[..., None] - predicted
    shifts = []
    for j, q in enumerate(quantiles):
        shift = np.quantile(residual[..., j], q, axis=0)
        shifts.append(np.minimum(shift, 0.0) if q < 0.5 else np.maximum(shift, 0.0) if q > 0.5
                      else np.zeros_like(shift))
    return np.stack(shifts, axis=-1)
