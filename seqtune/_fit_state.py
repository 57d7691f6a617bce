"""A fit that raises leaves its estimator as it was: the attributes, and with ``warm_start`` the
network's weights and optimizer state (:func:`restored_on_error`); one fit at a time a process."""

from __future__ import annotations

import contextlib
import threading
import warnings

import numpy as np


@contextlib.contextmanager
def restored_on_error(estimator):
    """Put ``estimator``'s attributes back as they were when the block raises.

    A fit that fails (bad y after X was validated, an empty vocabulary, divergence, an
    interruption) must not leave a half-updated estimator: the previous model with the
    new data's feature count, or a fitted text vectorizer without its network. With
    ``warm_start`` the network trains in place: its weights and optimizer state are put
    back too.

    The block also holds a process-wide lock: a fit resets Keras' global state and
    seeds, so two fits in threads of one process (joblib's threading backend) would
    disturb each other; they run one after the other (processes run in parallel).
    """
    before = dict(vars(estimator))
    model = before.get("model_") if getattr(estimator, "warm_start", False) else None
    saved = None if model is None else _network_state(model)
    with FIT_LOCK:
        try:
            yield
        except BaseException:
            vars(estimator).clear()
            vars(estimator).update(before)
            if saved is not None:
                _set_network_state(model, saved)
            raise


# One fit at a time in a process (see restored_on_error); re-entrant for a fit inside a fit.
FIT_LOCK = threading.RLock()


def _network_state(model) -> tuple[list, list]:
    """Copies of a model's weights and its optimizer's variables."""
    from seqtune.persistence import NUMPY_COPY_WARNING

    optimizer = getattr(model, "optimizer", None)
    with warnings.catch_warnings():
        # Keras' variables lack NumPy 2's copy keyword when read (on JAX and torch, and np.array() of
        # TensorFlow's): Keras' affair, which a user cannot act on. np.array() of v.numpy() is a copy.
        warnings.filterwarnings("ignore", message=NUMPY_COPY_WARNING, category=DeprecationWarning)
        return model.get_weights(), [np.array(v.numpy()) for v in getattr(optimizer, "variables", [])]


def _set_network_state(model, state) -> None:
    weights, optimizer_values = state
    model.set_weights(weights)
    variables = getattr(getattr(model, "optimizer", None), "variables", [])
    if len(variables) == len(optimizer_values):  # built before the fit: the same slots
        for variable, value in zip(variables, optimizer_values):
            variable.assign(value)


def forget_fitted_state(est, keep=()) -> None:
    """Delete ``est``'s fitted attributes (those ending in "_"), except ``keep``."""
    for key in [k for k in vars(est) if k.endswith("_") and not k.startswith("__") and k not in keep]:
        delattr(est, key)
