"""Recurrent layers that pool their outputs inside the loop: what the pooling layers compute on a layer's
sequence of outputs, and the network that uses them on TensorFlow's CPU."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqtune import SequenceClassifier
from seqtune._layers import MaskedFinalStates, MaskedGlobalAveragePooling, MaskedGlobalMaxPooling, NaNPaddingMask
from seqtune._pooled_rnn import PooledGRU, PooledLSTM

UNITS = 5


def _padded():
    """Random sequences with NaN padding at the end of some rows, one row all padding (an empty sequence)."""
    X = np.random.default_rng(0).normal(size=(6, 9, 3)).astype("float32") * 2
    for row, length in enumerate([9, 4, 1, 7, 0, 2]):
        X[row, length:] = np.nan
    return X


def _reference(keras_class, pooling, bidirectional):
    """The layer with return_sequences=True followed by seqtune's masked pooling layers (the graph without
    in-loop pooling), and the pooled layer, as two models of one input."""
    inputs = keras.Input((None, 3))
    masked = NaNPaddingMask()(inputs)
    full = keras_class(UNITS, return_sequences=True)
    pooled = {keras.layers.GRU: PooledGRU, keras.layers.LSTM: PooledLSTM}[keras_class](UNITS, pooling=pooling)
    if bidirectional:
        full, pooled = keras.layers.Bidirectional(full), keras.layers.Bidirectional(pooled)
    outputs = full(masked)
    parts = {"max": [MaskedGlobalMaxPooling()(outputs)], "mean": [MaskedGlobalAveragePooling()(outputs)],
             "concat": [MaskedFinalStates(bidirectional)(outputs), MaskedGlobalMaxPooling()(outputs),
                        MaskedGlobalAveragePooling()(outputs)]}[pooling]
    reference = keras.Model(inputs, parts[0] if len(parts) == 1 else keras.layers.Concatenate()(parts))
    model = keras.Model(inputs, pooled(masked))
    pooled.set_weights(full.get_weights())
    return reference, model


def _in_reference_order(pooled, pooling, bidirectional):
    """The pooled layer's columns in the reference's order: a bidirectional pooled layer gives each direction's
    (final, max, mean) in turn, the reference each pooling's (forward, backward)."""
    if not (bidirectional and pooling == "concat"):
        return pooled
    blocks = np.split(pooled, 6, axis=1)  # forward final, max, mean, backward final, max, mean
    return np.concatenate([blocks[i] for i in (0, 3, 1, 4, 2, 5)], axis=1)


@pytest.mark.parametrize("keras_class, pooling, bidirectional", list(itertools.product(
    [keras.layers.GRU, keras.layers.LSTM], ["max", "mean", "concat"], [False, True])))
def test_pooling_inside_the_loop_computes_the_pooling_of_every_output(keras_class, pooling, bidirectional):
    X = _padded()
    reference, model = _reference(keras_class, pooling, bidirectional)
    expected = np.asarray(reference(X))
    np.testing.assert_allclose(_in_reference_order(np.asarray(model(X)), pooling, bidirectional), expected,
                               atol=1e-6)
    np.testing.assert_array_equal(np.asarray(model(X))[4], 0)  # all padding: zeros, as the pooling layers give
    # The same gradients for every weight (the head's loss weights the columns so that order matters).
    weights = np.random.default_rng(1).normal(size=expected.shape).astype("float32")
    grads = []
    for net, order in ((reference, lambda y: y), (model, lambda y: _reorder_tensor(y, pooling, bidirectional))):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(order(net(X)) * weights)
        grads.append([g.numpy() for g in tape.gradient(loss, net.trainable_weights)])
    for expected_grad, grad in zip(*grads):
        np.testing.assert_allclose(grad, expected_grad, atol=1e-5)


def _reorder_tensor(y, pooling, bidirectional):
    if not (bidirectional and pooling == "concat"):
        return y
    blocks = tf.split(y, 6, axis=1)
    return tf.concat([blocks[i] for i in (0, 3, 1, 4, 2, 5)], axis=1)


def test_pooled_layers_refuse_what_they_cannot_return():
    with pytest.raises(ValueError, match="pooling='last' is not one of"):
        PooledGRU(4, pooling="last")
    with pytest.raises(ValueError, match="not its states"):
        PooledGRU(4, return_state=True)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow" or bool(tf.config.list_physical_devices("GPU")),
                    reason="in-loop pooling is built on TensorFlow's CPU")
def test_the_gru_network_pools_in_its_last_layer_and_saves(tmp_path):
    """On TensorFlow's CPU the GRU's last layer pools (XLA copied every step's output of a layer returning
    sequences at each step); a stack's inner layers still return sequences; a saved model predicts the same."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)).astype("float32") for n in rng.integers(3, 12, 40)]
    y = np.arange(40) % 2
    clf = SequenceClassifier(cell="gru", units=[4, 3], epochs=1, jit_compile=True, random_state=0).fit(X, y)
    layers = {type(layer).__name__ for layer in clf.model_._flatten_layers(include_self=False)}
    assert "PooledGRU" in layers and "MaskedGlobalMaxPooling" not in layers
    assert clf.model_.get_layer("gru_1").output.shape == (None, 9)  # final state, maximum, mean of 3 units
    assert clf.model_.get_layer("gru_0").return_sequences
    path = tmp_path / "model.seqtune"
    clf.save(path)
    import seqtune

    np.testing.assert_allclose(seqtune.load(path).predict_proba(X), clf.predict_proba(X), atol=1e-6)
    lstm = SequenceClassifier(cell="lstm", units=4, epochs=1, random_state=0).fit(X, y)  # the fused op: outside
    assert "MaskedGlobalMaxPooling" in {type(layer).__name__ for layer in lstm.model_._flatten_layers()}
