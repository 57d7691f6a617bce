"""Keeping memory flat across many fits in one process (cross-validation, searches)."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def release_traced_gradients():
    """Drop the gradient registrations TensorFlow leaks while tracing a training step.

    With the TensorFlow backend every trace of a Keras train step calls
    ``ReplicaContext.all_reduce``, which registers a fresh custom gradient in a
    process-wide registry that is never emptied; each entry keeps the whole
    traced graph alive (about 10 MB a model, measured). The registration is only
    needed while the step is being traced, so the entries added inside this block
    are removed when it ends. With another backend, or if TensorFlow's internals
    change shape, this does nothing.
    """
    registry = None
    try:
        import keras

        if keras.backend.backend() == "tensorflow":
            from tensorflow.python.framework import ops

            registry = ops._gradient_registry._registry
    except (ImportError, AttributeError):
        registry = None
    before = set(registry) if isinstance(registry, dict) else None
    try:
        yield
    finally:
        if before is not None:
            for name in set(registry) - before:
                if name.startswith("CustomGradient-"):
                    registry.pop(name, None)
