"""Large predictions of a network with TensorFlow's fused LSTM op run an XLA-compiled pass of Keras'
loop instead (``seqtune._inference``): the same outputs, and only where it applies."""

import gc
import weakref

import keras
import numpy as np
import pytest

from seqtune import SequenceClassifier, _inference
from seqtune._fused_rnn import FusedLSTM
from seqtune._layers import NaNPaddingMask
from seqtune.forecasting import SequenceForecaster

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's fused LSTM op")


@pytest.fixture
def every_size_compiled(monkeypatch):
    """Any input counts as large: the compiled pass runs on tiny data."""
    monkeypatch.setattr(_inference, "XLA_PREDICT_MIN_WORK", 0)


def _network(rnn=FusedLSTM):
    inputs = keras.Input((9, 3))
    x = NaNPaddingMask()(inputs)
    x = keras.layers.Bidirectional(rnn(5, return_sequences=True))(x)
    x = rnn(4)(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def _right_padded(rows=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 9, 3)).astype("float32") * 2
    for row, length in enumerate(rng.integers(1, 10, size=rows)):
        X[row, length:] = np.nan
    return X


def test_compiled_pass_runs_keras_loop_with_the_ops_outputs(every_size_compiled, lstm_op_calls):
    model, X = _network(), _right_padded()
    predictor = _inference.batch_predictor(model, X)
    assert predictor.pad_batches and predictor.call != model.predict_on_batch
    compiled = predictor.call(X)
    assert lstm_op_calls == []  # traced with Keras' loop: XLA cannot compile the op
    np.testing.assert_allclose(compiled, model.predict_on_batch(X), atol=1e-5)
    assert lstm_op_calls  # predict_on_batch still runs the op
    assert _inference.batch_predictor(model, X).call is predictor.call  # compiled once a network


@pytest.mark.parametrize("case", ["small", "ragged", "keras layers", "xla model"])
def test_other_predictions_keep_predict_on_batch(case, monkeypatch):
    model, X = _network(keras.layers.LSTM if case == "keras layers" else FusedLSTM), _right_padded()
    if case != "small":
        monkeypatch.setattr(_inference, "XLA_PREDICT_MIN_WORK", 0)
    if case == "ragged":
        X = [x[: 1 + i % 9] for i, x in enumerate(X)]
    if case == "xla model":
        model = _network(keras.layers.GRU)
        model.compile(jit_compile=True)
    predictor = _inference.batch_predictor(model, X)
    assert predictor.call == model.predict_on_batch
    assert predictor.pad_batches == (case == "xla model")  # Keras' own compiled predict pads to few shapes


@pytest.mark.parametrize(("steps", "rows"), [(9, 1024), (100, 1024), (512, 512), (1000, 262), (50_000, 256)])
def test_long_sequences_run_fewer_rows_a_call(steps, rows):
    assert _inference.batch_predictor(_network(), np.zeros((3, steps, 3), "float32")).chunk_rows == rows
    ragged = [np.zeros((1, 3)), np.zeros((steps, 3))]
    assert _inference.batch_predictor(_network(), ragged).chunk_rows == rows  # the longest sequence counts


def test_the_cache_does_not_keep_a_network_alive(every_size_compiled):
    model = _network()
    X = _right_padded(4)
    _inference.batch_predictor(model, X).call(X)
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None


def test_estimators_predict_the_same_either_way(monkeypatch, seq3d):
    X, y = seq3d
    clf = SequenceClassifier(cell="lstm", units=4, epochs=2, random_state=0).fit(X, y)
    forecaster = SequenceForecaster(cell="lstm", lookback=12, horizon=3, units=4, epochs=2, n_models=2,
                                    random_state=0).fit(np.sin(np.arange(120) / 3) + np.arange(120) / 50)
    by_op = clf.predict_proba(X), forecaster.predict()
    monkeypatch.setattr(_inference, "XLA_PREDICT_MIN_WORK", 0)
    compiled = clf.predict_proba(X), forecaster.predict()
    assert clf.model_ in _inference._compiled_forwards and forecaster.model_ in _inference._compiled_forwards
    np.testing.assert_allclose(compiled[0], by_op[0], atol=1e-5)
    np.testing.assert_allclose(compiled[1], by_op[1], rtol=1e-5)
