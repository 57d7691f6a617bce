"""The one place a Keras LSTM/GRU stack is built from plain parameters.

Every estimator, the forecaster and the tuner's HyperModel call
:func:`build_network`, so a configuration found by a search is exactly the
model a plain estimator trains.

The recurrent layers keep Keras' defaults (tanh, sigmoid gates, no unroll,
``reset_after=True`` for GRU) so that on a GPU they can run on the fused cuDNN
kernels; ``recurrent_dropout > 0`` leaves that path (the estimators warn). Measured on an H200
(``bench/bench_gpu.py``): on the torch backend every configuration of the default search space
trains on cuDNN; on JAX only the LSTM on unmasked (equal-length) input does, since Keras' JAX backend
has no cuDNN GRU and masks leave it. On
Keras' torch backend the layers are :class:`seqtune._fused_rnn.FusedLSTM` and
:class:`seqtune._fused_rnn.FusedGRU`, which run PyTorch's fused kernels on CPU too,
and on TensorFlow the LSTM is ``FusedLSTM``, which runs TensorFlow's fused LSTM op on CPU. Where
Keras' loop runs on TensorFlow's CPU (the GRU), a pooling other than "last" is computed inside the
last layer's loop (:mod:`seqtune._pooled_rnn`): XLA's gradient of a layer that returns every step's
output costs more a step the longer the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from seqtune._layers import FeatureStandardize, NaNPaddingMask, SequenceStandardize, StepFrames
from seqtune._pooled_rnn import PooledGRU, PooledLSTM, pools_in_loop

CELLS = ("lstm", "gru")


@dataclass(frozen=True)
class InputLayout:
    """What the network receives.

    Attributes
    ----------
    kind : {"numeric", "tokens"}
        Float features per step, or integer token ids (0 = padding).
    n_features : int
        Features per step (numeric) — ignored for tokens.
    masked : bool
        Numeric input padded with NaN that must be masked.
    vocab_size : int
        Number of token ids, padding (0) and the out-of-vocabulary id included.
    mean, variance : ndarray or None
        Per-feature training statistics (float64) for :class:`seqtune._layers.FeatureStandardize`
        (numeric input).
    frame_length : int
        Consecutive time steps of numeric input joined into one recurrent step
        (:class:`seqtune._layers.StepFrames`); 1 keeps every step.
    per_sequence : bool
        Standardize each sequence by its own statistics
        (:class:`seqtune._layers.SequenceStandardize`) instead of ``mean``/``variance``.
    """

    kind: str
    n_features: int = 1
    masked: bool = False
    vocab_size: int = 0
    mean: np.ndarray | None = None
    variance: np.ndarray | None = None
    frame_length: int = 1
    per_sequence: bool = False

    @property
    def ignores_padding(self) -> bool:
        """Whether padded batches are safe: a mask on numeric input, or token id 0 (padding) on tokens."""
        return self.masked or self.kind == "tokens"


@dataclass(frozen=True)
class Head:
    """The output layer: ``units`` outputs with ``activation`` (None for linear)."""

    units: int
    activation: str | None = None


def layer_widths(units, layers) -> list[int]:
    """Widths of the recurrent layers from ``units`` (int or list) and ``layers``."""
    if isinstance(units, (list, tuple)):
        widths = [int(u) for u in units]
        if layers is not None and int(layers) != len(widths):
            raise ValueError(
                f"units has {len(widths)} widths but layers={layers}; give one width per layer "
                "or leave layers=None."
            )
        return widths
    return [int(units)] * int(1 if layers is None else layers)


def build_network(
    layout: InputLayout,
    head: Head,
    *,
    cell: str = "gru",
    units=64,
    layers=1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    embedding_dim: int = 64,
    pooling: str = "last",
    name: str = "seqtune",
) -> keras.Model:
    """Build (not compile) a functional Keras model: input -> RNN stack -> head.

    Parameters
    ----------
    layout : InputLayout
        What the input looks like.
    head : Head
        Output width and activation.
    cell : {"lstm", "gru"}
    units : int or list of int
        Width of every recurrent layer, or one width a layer.
    layers : int or None
        Number of recurrent layers (ignored when ``units`` is a list).
    bidirectional : bool
        Wrap every recurrent layer in ``keras.layers.Bidirectional``.
    dropout : float
        Dropout on the inputs of each recurrent layer and before the head.
    recurrent_dropout : float
        Dropout on the recurrent state (disables cuDNN on GPU).
    embedding_dim : int
        Embedding width for token input.
    pooling : {"last", "max", "mean", "concat"}
        What the head reads: the last layer's final state, the maximum / mean of
        its outputs over the (unpadded) time steps, or all three side by side.
    name : str
        Model name.

    Returns
    -------
    keras.Model
    """
    rnn_class = _rnn_class(cell)
    widths = layer_widths(units, layers)
    if layout.kind == "tokens":
        inputs = keras.Input(shape=(None,), dtype="int32", name="tokens")
        x = keras.layers.Embedding(
            int(layout.vocab_size), int(embedding_dim), mask_zero=True, name="embedding"
        )(inputs)
    else:
        inputs = keras.Input(shape=(None, layout.n_features), dtype="float32", name="sequences")
        x = inputs
        if layout.per_sequence:
            x = SequenceStandardize(name="standardize")(x)
        elif layout.mean is not None:
            x = FeatureStandardize(layout.mean, layout.variance, name="standardize")(x)
        if layout.frame_length > 1:  # before the mask: a frame is padding when all its values are
            x = StepFrames(layout.frame_length, name="frames")(x)
        if layout.masked:
            x = NaNPaddingMask(name="padding_mask")(x)
    # The last layer pools its outputs itself where XLA may compile Keras' loop (see seqtune._pooled_rnn).
    in_loop = pooling != "last" and pools_in_loop(cell, recurrent_dropout)
    for i, width in enumerate(widths):
        last = i == len(widths) - 1
        options = {"dropout": dropout, "recurrent_dropout": recurrent_dropout, "name": f"{cell}_{i}"}
        if last and in_loop:
            rnn = {"lstm": PooledLSTM, "gru": PooledGRU}[cell](width, pooling=pooling, **options)
        else:
            if bidirectional and hasattr(rnn_class, "side_by_side"):
                options["side_by_side"] = 2  # the two directions run at once
            rnn = rnn_class(width, return_sequences=not last or pooling != "last", **options)
        if bidirectional:
            rnn = keras.layers.Bidirectional(rnn, name=f"bi_{cell}_{i}")
        x = rnn(x)
    if pooling != "last" and not in_loop:
        from seqtune._layers import MaskedFinalStates, MaskedGlobalAveragePooling, MaskedGlobalMaxPooling

        def pooled(kind: str):
            layer = {"max": MaskedGlobalMaxPooling, "mean": MaskedGlobalAveragePooling}[kind]
            return layer(name=f"{kind}_pooling")(x)

        x = pooled(pooling) if pooling != "concat" else keras.layers.Concatenate(name="concat_pooling")(
            [MaskedFinalStates(bidirectional, name="final_states")(x), pooled("max"), pooled("mean")])
    if dropout:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    outputs = keras.layers.Dense(head.units, activation=head.activation, name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def _rnn_class(cell: str):
    """keras.layers.LSTM / GRU, or their fused-kernel twins (same weights and results) where a backend
    has the kernel: both cells on torch, the LSTM on TensorFlow."""
    from seqtune._fused_rnn import FusedGRU, FusedLSTM

    fused = {"lstm": FusedLSTM, "gru": FusedGRU}[cell]
    if keras.backend.backend() in fused.fused_backends:
        return fused
    return {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]


def build_ensemble(layout: InputLayout, head: Head, n_models: int, *, name: str = "ensemble",
                   **network) -> keras.Model:
    """``n_models`` networks of :func:`build_network` side by side in one model (not compiled).

    Every member reads the same input; their outputs are concatenated (member ``m``
    in columns ``m * head.units`` to ``(m + 1) * head.units``), so training them
    together costs one pass over the data. One member is returned as it is.
    """
    members = [build_network(layout, head, name=f"member_{m}", **network) for m in range(n_models)]
    if n_models == 1:
        return members[0]
    for layer in (layer for m in members for layer in m._flatten_layers(include_self=False)):
        if hasattr(layer, "side_by_side"):
            layer.side_by_side *= n_models  # every member's layers run at once
    inputs = keras.Input(shape=(None, layout.n_features), name="windows")
    outputs = keras.layers.Concatenate(name="members")([m(inputs) for m in members])
    return keras.Model(inputs, outputs, name=name)
