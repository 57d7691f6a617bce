"""seqtune's fused LSTM on TensorFlow (the default backend, CPU): Keras' results, faster.

The torch backend's fused layers are checked in ``test_backends.py`` (slow: another process).
"""

import itertools

import keras
import numpy as np
import pytest

from seqtune._fused_rnn import FusedLSTM
from seqtune._layers import NaNPaddingMask

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's fused LSTM op")


def _padded(layout="right"):
    """Random sequences, and the same with steps masked (NaN): padding at the end (seqtune's), at the start,
    or gaps anywhere."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 9, 3)).astype("float32") * 3  # large inputs: saturated gates, cell states past 1
    padded = X.copy()
    for row, length in enumerate([9, 4, 1, 7, 0, 2]):  # 0: all padding (an empty text)
        if layout == "right":
            padded[row, length:] = np.nan
        elif layout == "left":
            padded[row, :9 - length] = np.nan
        else:
            padded[row, rng.permutation(9)[length:]] = np.nan
    return X, padded


def _model(rnn, *, bidirectional, sequences, masked, backwards, zero_output=False, features=3):
    inputs = keras.Input((None, features))
    x = NaNPaddingMask()(inputs) if masked else inputs
    layer = rnn(5, return_sequences=sequences, go_backwards=backwards, zero_output_for_mask=zero_output)
    x = (keras.layers.Bidirectional(layer) if bidirectional else layer)(x)
    return keras.Model(inputs, x)


CASES = [dict(bidirectional=bidirectional, sequences=sequences, masked=masked, backwards=backwards,
              zero_output=zero_output)
         for bidirectional, sequences, masked, backwards, zero_output in itertools.product(*[(False, True)] * 5)
         if not (bidirectional and backwards) and not (zero_output and not (masked and sequences))]


@pytest.mark.parametrize("options", CASES, ids=lambda o: "-".join(k for k, v in o.items() if v) or "plain")
def test_fused_lstm_gives_keras_outputs_and_gradients(options, lstm_op_calls):
    X, padded = _padded()
    _compare(padded if options["masked"] else X, options)
    assert len(lstm_op_calls) == (2 if options["bidirectional"] else 1)  # never Keras' loop


def _compare(data, options):
    """Outputs and every weight's gradient of the model with keras.layers.LSTM and with FusedLSTM."""
    import tensorflow as tf

    data = tf.constant(data)
    keras.utils.set_random_seed(0)
    reference = _model(keras.layers.LSTM, **options, features=data.shape[-1])
    candidate = _model(FusedLSTM, **options, features=data.shape[-1])
    candidate.set_weights(reference.get_weights())
    results = []
    for model in (reference, candidate):
        with tf.GradientTape() as tape:
            out = model(data)
            loss = tf.reduce_sum(out ** 2)
        results.append([out, *tape.gradient(loss, model.trainable_weights)])
    for expected, got in zip(*results):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("features", [3, 4])
def test_odd_batches_give_keras_results_without_the_ops_slow_path(features, monkeypatch):
    """The op takes a slower path, and logs a warning on every call, when the batch is odd and so are the
    features or the units (a one-sample prediction of an LSTM(15): 32 lines in a search's latency
    measurements): seqtune runs it on one zero sample more, eagerly and in a graph of unknown batch."""
    import tensorflow as tf

    batches = []
    op = tf.raw_ops.BlockLSTM
    monkeypatch.setattr(tf.raw_ops, "BlockLSTM", lambda **kw: batches.append(kw["x"].shape[1]) or op(**kw))
    X = np.random.default_rng(1).normal(size=(5, 7, features)).astype("float32")
    _compare(X, dict(bidirectional=False, sequences=True, masked=False, backwards=False))
    assert batches == [6]  # 5 sequences and a zero one, of the features as they are
    model = _model(FusedLSTM, bidirectional=False, sequences=True, masked=False, backwards=False, features=features)
    traced = tf.function(model, input_signature=[tf.TensorSpec((None, None, features))])
    for rows in (5, 4):
        np.testing.assert_allclose(traced(tf.constant(X[:rows])).numpy(), model(X[:rows]).numpy(), atol=1e-6)


@pytest.mark.parametrize("layout", ["left", "gaps"])
@pytest.mark.parametrize("options", [dict(bidirectional=True, sequences=True), dict(backwards=True, sequences=True),
                                     dict(sequences=True, zero_output=True), dict()], ids=str)
def test_masks_other_than_right_padding_give_keras_results_too(layout, options, lstm_op_calls):
    """Keras' pad_sequences pads at the start by default: token ids given that way have such masks."""
    _, padded = _padded(layout)
    options = {"bidirectional": False, "sequences": False, "backwards": False, **options, "masked": True}
    _compare(padded, options)
    assert len(lstm_op_calls) == (2 if options["bidirectional"] else 1)


def test_an_lstm_is_never_xla_compiled_and_a_request_for_it_is_answered():
    from seqtune import SequenceClassifier
    from seqtune._training import resolve_jit

    # "auto" on a fit large enough for XLA: the GRU (Keras' layer) is compiled, the fused LSTM is not
    assert resolve_jit("auto", 1e9, cell="gru") and not resolve_jit("auto", 1e9, cell="lstm")
    assert resolve_jit("auto", 1e9, cell="lstm", recurrent_dropout=0.2)  # Keras' loop: no fused op
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8, 2)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    with pytest.warns(UserWarning, match="jit_compile=True is not used for an LSTM on TensorFlow"):
        clf = SequenceClassifier(cell="lstm", units=8, epochs=1, jit_compile=True, random_state=0).fit(X, y)
    assert [type(layer).__name__ for layer in clf.model_.layers if "lstm" in layer.name] == ["FusedLSTM"]
    assert not clf.model_.jit_compile and not clf.jit_compiled_
