"""Large predictions of a network with TensorFlow's fused LSTM op run an XLA-compiled pass of Keras'
loop instead where the op, timed, would take long enough (``seqtune._inference``): the same outputs,
and only where it applies."""

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
    """Any input counts as large and any time as long enough: the compiled pass runs on tiny data."""
    monkeypatch.setattr(_inference, "XLA_PREDICT_MIN_WORK", 0)
    monkeypatch.setattr(_inference, "COMPILE_PAYS_OFF_SECONDS", 0.0)


@pytest.fixture
def batches_of_8(monkeypatch):
    monkeypatch.setattr(_inference, "MAX_CHUNK_ROWS", 8)
    monkeypatch.setattr(_inference, "MIN_CHUNK_ROWS", 8)


def _as_if_timed_slow(model):
    """The op's speed on record as very slow: the compiled pass from a prediction's first batch."""
    _inference._op_records[model] = _inference._OpRecord(seconds_per_step=1.0)


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
    _as_if_timed_slow(model)
    predictor = _inference.batch_predictor(model, X)
    assert predictor.pad_batches and predictor.call != model.predict_on_batch
    compiled = predictor.call(X)
    assert lstm_op_calls == []  # traced with Keras' loop: XLA cannot compile the op
    np.testing.assert_allclose(compiled, model.predict_on_batch(X), atol=1e-5)
    assert lstm_op_calls  # predict_on_batch still runs the op
    again = _inference.batch_predictor(model, X).call
    again(X)
    assert again.compiled is predictor.call.compiled is _inference._compiled_forwards[model]  # once a network


@pytest.mark.parametrize("pays_off", [True, False])
def test_the_op_runs_two_batches_timed_before_deciding(pays_off, every_size_compiled, batches_of_8, monkeypatch):
    if not pays_off:
        monkeypatch.setattr(_inference, "COMPILE_PAYS_OFF_SECONDS", 1e9)
    model, X = _network(), _right_padded(40)
    call = _inference.batch_predictor(model, X).call
    outputs, compiled_from = [], None
    for start in range(0, 40, 8):
        outputs.append(call(X[start:start + 8]))
        if compiled_from is None and model in _inference._compiled_forwards:
            compiled_from = start // 8 + 1
    record = _inference._op_records[model]
    assert 0 < record.seconds_per_step < 1 and record.seconds_spent > 0  # the op's speed, on record
    assert compiled_from == (3 if pays_off else None)  # the first may trace the op: the second is timed too
    np.testing.assert_allclose(np.concatenate(outputs), model.predict_on_batch(X), atol=1e-5)
    later = _inference.batch_predictor(model, X).call
    later(X[:8])
    assert (later.compiled is not None) == pays_off  # the next prediction decides before its first batch


def test_a_network_that_keeps_predicting_is_compiled(every_size_compiled, batches_of_8, monkeypatch):
    monkeypatch.setattr(_inference, "COMPILE_PAYS_OFF_SECONDS", 1.0)
    model, X = _network(), _right_padded(16)
    # a fast op, and just under a second of it spent on earlier predictions
    _inference._op_records[model] = _inference._OpRecord(seconds_per_step=1e-12, seconds_spent=1.0 - 1e-9)
    call = _inference.batch_predictor(model, X).call
    call(X[:8])
    assert call.compiled is None  # the op still
    call(X[8:])
    assert call.compiled is not None  # its time on this network has reached the second


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
    _as_if_timed_slow(model)
    _inference.batch_predictor(model, X).call(X)
    assert model in _inference._compiled_forwards
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
    _as_if_timed_slow(clf.model_)
    _as_if_timed_slow(forecaster.model_)
    compiled = clf.predict_proba(X), forecaster.predict()
    assert clf.model_ in _inference._compiled_forwards and forecaster.model_ in _inference._compiled_forwards
    np.testing.assert_allclose(compiled[0], by_op[0], atol=1e-5)
    np.testing.assert_allclose(compiled[1], by_op[1], rtol=1e-5)


def test_single_sequences_for_a_masked_network_are_padded_to_few_lengths():
    """A network fitted on ragged sequences compiled its predict call again for every new length that single
    sequences brought (0.3-0.6 s each): they are padded to a length bucket, as ragged batches are."""
    from seqtune.batching import predict_chunks
    from seqtune.inputs import length_bucket

    shapes = []

    def call(x):
        shapes.append(x.shape)
        return np.nan_to_num(x).sum(axis=(1, 2))[:, None]

    options = {"kind": "numeric", "n_features": 3, "max_length": None, "chunk_size": 8, "ragged": False}
    for steps in (91, 92, 95):
        one = np.ones((1, steps, 3), dtype=np.float32)
        out = predict_chunks(call, one, masked=True, pad_batches=True, **options)
        assert out[0, 0] == 3 * steps  # the padding is NaN, which the network masks
    assert {shape[1] for shape in shapes} == {length_bucket(91)} == {length_bucket(95)}
    shapes.clear()
    predict_chunks(call, np.ones((1, 91, 3), np.float32), masked=False, pad_batches=True, **options)
    assert shapes == [(1, 91, 3)]  # a network without a mask would read padding as data
    shapes.clear()
    predict_chunks(call, np.ones((9, 91, 3), np.float32), masked=True, pad_batches=True, **options)
    assert {shape[1] for shape in shapes} == {91}  # more than a chunk: one compilation serves it, unpadded
