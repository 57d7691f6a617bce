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


@pytest.fixture
def op_batches(monkeypatch):
    """The batch (rows) of every BlockLSTM op a call traces or runs."""
    import tensorflow as tf

    batches = []
    op = tf.raw_ops.BlockLSTM
    monkeypatch.setattr(tf.raw_ops, "BlockLSTM", lambda **kw: batches.append(kw["x"].shape[1]) or op(**kw))
    return batches


@pytest.mark.parametrize("options", [dict(), dict(masked=True, sequences=True), dict(bidirectional=True),
                                     dict(masked=True, backwards=True)], ids=str)
@pytest.mark.parametrize("features", [3, 4])
def test_a_batch_run_in_parts_side_by_side_gives_keras_results(options, features, monkeypatch, op_batches):
    """The op runs a large enough batch in parts, one a core, which TensorFlow runs at once; here every batch
    is large enough and there are 4 cores: 6 rows in 4 parts (of 2, 2, 1 and 1)."""
    from seqtune import _tf_rnn

    monkeypatch.setattr(_tf_rnn, "MIN_PART_PRODUCT", 1)
    monkeypatch.setattr(_tf_rnn, "inter_op_threads", lambda: 4)
    X, padded = _padded()
    X, padded = (np.concatenate([a, a[:, :, :1]], axis=2)[:, :, :features] for a in (X, padded))
    options = {"bidirectional": False, "sequences": False, "masked": False, "backwards": False, **options}
    _compare(padded if options["masked"] else X, options)
    # the candidate's ops (the reference runs Keras' loop): 4 a direction, each of 2 rows (a part of one row
    # and an odd number of units gets a zero row, as a whole odd batch does)
    assert op_batches == [2] * (8 if options["bidirectional"] else 4)


def test_a_batch_known_only_when_the_graph_runs_is_split_when_large_enough(monkeypatch, op_batches):
    """In a graph of unknown batch (Keras' train step on its batched pipeline) a batch of at least
    ``min_rows`` a part runs in parts and a smaller one whole; never in a part of no rows, whose gradient
    TensorFlow's op leaves uninitialized (weight gradients of 1e33 were seen): zero rows fill the others."""
    import tensorflow as tf

    from seqtune import _tf_rnn

    sizes = lambda rows, n, fit_batch=None: _tf_rnn.runtime_part_sizes(  # noqa: E731
        tf.constant(rows), n, 3, fit_batch).numpy().tolist()
    assert [sizes(7, 2), sizes(6, 2), sizes(5, 2), sizes(1, 2)] == [[4, 4], [4, 3], [5, 1], [1, 1]]
    assert sizes(8, 3, fit_batch=8) == [4, 3, 3] and sizes(4, 3, fit_batch=8) == [4, 1, 1]
    monkeypatch.setattr(_tf_rnn, "inter_op_threads", lambda: 2)
    units, features = 8, 4
    monkeypatch.setattr(_tf_rnn, "MIN_PART_PRODUCT", 3 * (features + units) * 4 * units)  # 3 rows a part
    model = keras.Sequential([keras.Input((None, features)), FusedLSTM(units, return_sequences=True)])
    reference = keras.Sequential([keras.Input((None, features)), keras.layers.LSTM(units, return_sequences=True)])
    reference.set_weights(model.get_weights())

    @tf.function(input_signature=[tf.TensorSpec((None, None, features))])
    def outputs_and_gradients(x):
        with tf.GradientTape() as tape:
            out = model(x)
            loss = tf.reduce_sum(out ** 2)
        return [out, *tape.gradient(loss, model.trainable_weights)]

    X = np.random.default_rng(2).normal(size=(7, 5, features)).astype("float32")
    for rows in (7, 6, 5, 1):  # parts of 4 and 3 rows (and a zero row), of 3 and 3; whole (and a zero row)
        with tf.GradientTape() as tape:
            out = reference(X[:rows])
            loss = tf.reduce_sum(out ** 2)
        expected = [out, *tape.gradient(loss, reference.trainable_weights)]
        for got, want in zip(outputs_and_gradients(X[:rows]), expected):
            np.testing.assert_allclose(got.numpy(), want.numpy(), atol=2e-5, rtol=1e-5)
    assert op_batches == [None, None]  # traced once, two parts


def test_the_parts_follow_the_cores_and_the_size_of_each_steps_product(monkeypatch):
    """Measured on 2 cores (bench/RESULTS.md): two parts where each is worth an op, one for a product too
    small to share; the two directions of a bidirectional layer share the cores, unless one part a core
    keeps Eigen from spreading each part's product over its threads."""
    from seqtune import _tf_rnn

    monkeypatch.setattr(_tf_rnn, "inter_op_threads", lambda: 2)
    parts = lambda batch, features, units, side_by_side=1: _tf_rnn.batch_parts(  # noqa: E731
        batch, features, units, side_by_side)[0]
    assert parts(64, 8, 64) == 2  # bench_torch.py's LSTM(64)
    assert parts(64, 8, 16) == 1 and parts(16, 8, 16) == 1  # too little work to share
    assert parts(64, 8, 128) == 2  # 4.5 million multiply-adds a step: never more parts than cores
    assert parts(64, 8, 64, side_by_side=2) == 1
    assert parts(128, 8, 64, side_by_side=2) == 2  # 2.4 million: under the limit in two parts
    assert parts(128, 8, 128, side_by_side=2) == 1  # 8.9 million: over it in two parts too
    assert parts(1, 8, 512) == 1
    assert _tf_rnn.part_sizes(7, 3) == [3, 2, 2]


def test_the_layers_of_a_bidirectional_network_or_an_ensemble_know_what_runs_beside_them():
    from seqtune.architectures import Head, InputLayout, build_ensemble, build_network

    layout = InputLayout(kind="numeric", n_features=3)
    head = Head(units=2, activation="softmax")
    fused = lambda model: [layer for layer in model._flatten_layers() if isinstance(layer, FusedLSTM)]  # noqa: E731
    assert [layer.side_by_side for layer in fused(build_network(layout, head, cell="lstm"))] == [1]
    model = build_network(layout, head, cell="lstm", bidirectional=True, layers=2)
    assert [layer.side_by_side for layer in fused(model)] == [2] * 4
    assert [layer.side_by_side for layer in fused(build_ensemble(layout, head, 3, cell="lstm"))] == [3] * 3
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))  # as saved
    assert [layer.side_by_side for layer in fused(restored)] == [2] * 4


def test_a_fit_splits_its_batches_as_batches_of_known_rows_and_trains_as_whole_batches(monkeypatch, op_batches):
    """Keras' train step does not know its batch's rows; seqtune's fit tells the layers its batch size, so
    that its batches are split as a known batch is (the MAX_PART_PRODUCT rule included): here 3 parts a
    direction of a bidirectional layer, where the cores alone would give each direction one."""
    from seqtune import SequenceClassifier, _tf_rnn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 6, 2)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    options = dict(cell="lstm", units=4, epochs=2, batch_size=8, frame_length=1, early_stopping=False,
                   bidirectional=True, random_state=0)
    monkeypatch.setattr(_tf_rnn, "inter_op_threads", lambda: 1)
    whole = SequenceClassifier(**options).fit(X, y).predict_proba(X)
    traced = op_batches.count(None)  # ops of an unknown batch: a direction's one (model build, train step)
    op_batches.clear()
    monkeypatch.setattr(_tf_rnn, "inter_op_threads", lambda: 3)
    monkeypatch.setattr(_tf_rnn, "MIN_PART_PRODUCT", 10**9)  # no part worth an op for the cores alone
    monkeypatch.setattr(_tf_rnn, "MAX_PART_PRODUCT", 3 * (2 + 4) * 4 * 4)  # parts of at most 3 rows
    split = SequenceClassifier(**options).fit(X, y).predict_proba(X)
    assert op_batches.count(None) == traced + 4  # the train step: 3 parts a direction instead of 1
    np.testing.assert_allclose(split, whole, atol=1e-5)
