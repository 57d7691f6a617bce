"""How a fitted :class:`seqtune.forecasting.SequenceForecaster` is saved and pickled: its fitted
attributes (NumPy ones in ``arrays.npz``) and its Keras model."""

from __future__ import annotations

import numpy as np

from seqtune.persistence import BundledEstimatorMixin, load_model_safely, model_to_bytes

# Fitted NumPy attributes stored in arrays.npz by ``save`` and pickling.
_ARRAYS = ("level_", "scale_", "mase_scale_", "tails_", "exog_tails_", "exog_mean_", "exog_scale_",
           "quantile_shift_")


class ForecastBundleMixin(BundledEstimatorMixin):
    """Part of :class:`seqtune.forecasting.SequenceForecaster` (its ``model_``, ``jit_compiled_`` and
    ``_compile``)."""

    def _bundle_state(self):
        state = {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_")}
        state.pop("model_")
        arrays = {k: state.pop(k) for k in _ARRAYS if k in state}
        return state, arrays, model_to_bytes(self.model_)

    def _restore_bundle_state(self, state, arrays, model_bytes, *, unsafe: bool) -> None:
        import seqtune._losses  # noqa: F401  (registers the pinball loss)
        from seqtune._training import jit_on_this_backend  # imports Keras: not at module import

        vars(self).update(state)
        vars(self).update({k: np.asarray(v) for k, v in arrays.items()})
        model = load_model_safely(model_bytes, unsafe=unsafe, compile=False)
        self.jit_compiled_ = jit_on_this_backend(self.jit_compiled_)  # see the estimators' restore
        self._compile(model)
        self.model_ = model
