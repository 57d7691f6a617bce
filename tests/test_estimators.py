"""SequenceClassifier / SequenceRegressor: inputs, sklearn integration, determinism, bad input."""

import logging
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import seqtune
from seqtune import SequenceClassifier, SequenceRegressor
from tests.conftest import TINY


def test_fit_3d_predict_proba_rows_sum_to_one(seq3d):
    X, y = seq3d
    clf = SequenceClassifier(**TINY).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-12)  # cross_val_predict's method
    assert set(clf.predict(X)) <= {0, 1}
    assert clf.n_features_in_ == 3
    assert clf.input_kind_ == "numeric"
    assert set(clf.history_) >= {"loss", "val_loss", "accuracy"}
    assert len(clf.history_["loss"]) == clf.n_iter_ <= 2


def test_learns_a_simple_rule(seq3d, rng):
    X = rng.normal(size=(300, 8, 3)).astype("float32")
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    clf = SequenceClassifier(units=16, epochs=25, learning_rate=0.01, random_state=0).fit(X[:200], y[:200])
    assert clf.score(X[200:], y[200:]) > 0.8


def test_multiclass_string_labels_keep_sklearn_order(rng):
    X = rng.normal(size=(45, 5, 2))
    y = np.array(["zebra", "ant", "mole"] * 15)
    clf = SequenceClassifier(**TINY).fit(X, y)
    assert clf.classes_.tolist() == ["ant", "mole", "zebra"]
    assert clf.predict_proba(X).shape == (45, 3)
    assert clf.predict(X).dtype == clf.classes_.dtype


def test_multilabel_indicator_targets_train_one_sigmoid_a_label(rng, tmp_path):
    X = rng.normal(size=(300, 8, 3)).astype("float32")
    # three yes/no labels a sample, read from different features; several may hold at once
    Y = np.column_stack([X[:, :, 0].sum(axis=1) > 0, X[:, :, 1].sum(axis=1) > 0, X[:, :, 2].sum(axis=1) > 1])
    Y = Y.astype(int)
    clf = SequenceClassifier(units=16, epochs=25, learning_rate=0.01, random_state=0).fit(X[:200], Y[:200])
    assert clf.classes_.tolist() == [0, 1, 2]
    proba = clf.predict_proba(X[200:])
    assert proba.shape == (100, 3) and ((proba >= 0) & (proba <= 1)).all()
    assert not np.allclose(proba.sum(axis=1), 1.0)  # independent labels, not one distribution
    predicted = clf.predict(X[200:])
    assert predicted.shape == (100, 3) and set(np.unique(predicted)) <= {0, 1}
    assert (predicted == Y[200:]).mean(axis=0).min() > 0.8  # every label learned
    assert clf.score(X[200:], Y[200:]) == np.mean((predicted == Y[200:]).all(axis=1))  # subset accuracy
    clf.save(tmp_path / "multilabel")
    loaded = seqtune.load(tmp_path / "multilabel")
    np.testing.assert_allclose(loaded.predict_proba(X[200:]), proba, rtol=1e-5, atol=1e-6)
    # a later fit on one label a sample is an ordinary classifier again
    assert clf.set_params(epochs=1).fit(X, Y[:, 0]).predict(X[:5]).shape == (5,)


def test_2d_targets_other_than_a_label_indicator_are_refused(seq3d):
    X, _ = seq3d
    two_outputs = np.column_stack([np.arange(60) % 3, np.arange(60) % 2])
    with pytest.raises(ValueError, match=r"shape \(60, 2\).*0 or 1.*MultiOutputClassifier"):
        SequenceClassifier(**TINY).fit(X, two_outputs)
    indicator = np.column_stack([np.arange(60) % 2, np.arange(60) // 30])
    with pytest.raises(ValueError, match="class_weight.*multilabel"):
        SequenceClassifier(class_weight="balanced", **TINY).fit(X, indicator)
    warm = SequenceClassifier(warm_start=True, **TINY).fit(X, indicator)
    with pytest.raises(ValueError, match="warm_start: y has classes.*2 label columns"):
        warm.fit(X, indicator[:, 0])


def test_label_lists_are_refused_with_the_binarizer_named(seq3d):
    """A list of label lists (what MultiLabelBinarizer takes) raised NumPy's "inhomogeneous shape" error."""
    X, _ = seq3d
    for y in ([["sports"], ["sports", "politics"]] * 30, [{"a"}, {"b"}] * 30):
        with pytest.raises(ValueError, match=r"list of label sets.*MultiLabelBinarizer\(\)\.fit_transform\(y\)"):
            SequenceClassifier(**TINY).fit(X, y)


def test_numeric_labels_held_as_objects_are_numbers(seq3d):
    """A pandas object column of whole numbers gave scikit-learn's "Unknown label type: unknown"."""
    X, y = seq3d
    held = pd.Series(y + 1, dtype=object)
    clf = SequenceClassifier(**TINY).fit(X, held)
    assert clf.classes_.tolist() == [1, 2] and clf.classes_.dtype.kind == "i"
    assert set(clf.predict(X).tolist()) <= {1, 2}
    # score read them as scikit-learn's "unknown" targets (so did cross_val_score and a search's trials)
    assert clf.score(X, held) == clf.score(X, y + 1)
    assert np.isfinite(cross_val_score(SequenceClassifier(**TINY), X, held, cv=2, error_score="raise")).all()
    # bools held as objects (pd.Series([True, None]).fillna(False)) were refused as an "unknown" target
    bools = SequenceClassifier(**TINY).fit(X, pd.Series(y == 1, dtype=object))
    assert bools.classes_.tolist() == [False, True]
    assert bools.score(X, pd.Series(y == 1, dtype=object)) == bools.score(X, y == 1)


def test_2d_input_is_univariate_and_works_in_a_pipeline(rng):
    X = rng.normal(size=(60, 12)) * 50 + 10
    y = (X[:, :6].sum(axis=1) > X[:, 6:].sum(axis=1)).astype(int)
    pipe = make_pipeline(StandardScaler(), SequenceClassifier(**TINY)).fit(X, y)
    assert pipe.predict(X).shape == (60,)
    assert pipe[-1].n_features_in_ == 12


def test_dataframe_feature_names(rng):
    X = pd.DataFrame(rng.normal(size=(30, 4)), columns=list("abcd"))
    y = np.arange(30) % 2
    clf = SequenceClassifier(**TINY).fit(X, y)
    assert clf.feature_names_in_.tolist() == list("abcd")


def test_ragged_padding_never_changes_a_prediction(ragged):
    X, y = ragged
    clf = SequenceClassifier(**TINY).fit(X, y)
    together = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba([x]) for x in X[:10]])
    np.testing.assert_allclose(together[:10], alone, atol=1e-6)
    # a short sequence batched with a very long neighbour predicts the same
    long = np.random.default_rng(1).normal(size=(200, 2))
    with_long = clf.predict_proba([X[0], long])[0]
    np.testing.assert_allclose(with_long, alone[0], atol=1e-6)


@pytest.mark.parametrize("cell, pooling", [("gru", "max"), ("gru", "mean"), ("gru", "concat"), ("lstm", "concat")])
def test_pooled_outputs_ignore_padding(ragged, rng, cell, pooling, tmp_path):
    """On TensorFlow's CPU the GRU pools inside its loop, the LSTM (TensorFlow's fused op) after it."""
    import seqtune

    X, y = ragged
    clf = SequenceClassifier(**TINY, cell=cell, pooling=pooling).fit(X, y)
    assert _pooling_read(clf) == pooling
    alone = clf.predict_proba([X[0]])
    # batched with a much longer neighbour, the short sequence is padded: the padding must not count
    with_long = clf.predict_proba([X[0], 50 * rng.normal(size=(200, 2))])[0]
    np.testing.assert_allclose(with_long, alone[0], atol=1e-6)
    texts = ["the match ended in a late goal"] * 5 + ["shares fell as markets opened lower"] * 5
    tokens = SequenceClassifier(**TINY, cell=cell, pooling=pooling).fit(texts, [0] * 5 + [1] * 5)
    short = tokens.predict_proba(["late goal"])
    np.testing.assert_allclose(tokens.predict_proba(["late goal", " ".join(["markets"] * 60)])[0], short[0],
                               atol=1e-6)
    clf.save(tmp_path / "pooled.seqtune")
    np.testing.assert_allclose(seqtune.load(tmp_path / "pooled.seqtune").predict_proba(X), clf.predict_proba(X))


def _pooling_read(est) -> str:
    """What the fitted network's head reads: a pooling done inside the last recurrent layer (TensorFlow's CPU,
    seqtune._pooled_rnn) or by pooling layers after it."""
    names = {layer.name for layer in est.model_.layers}
    for layer in est.model_.layers:
        if getattr(layer, "pooling", None):
            return layer.pooling
    if {"final_states", "max_pooling", "mean_pooling", "concat_pooling"} <= names:
        return "concat"
    pooled = [name.removesuffix("_pooling") for name in names if name.endswith("_pooling")]
    return pooled[0] if pooled else "last"


def test_auto_pooling_is_max_for_text_and_tokens_and_concat_for_numbers(rng):
    texts = ["good match", "late goal", "markets fell", "bank rates"] * 5
    assert _pooling_read(SequenceClassifier(**TINY).fit(texts, [0, 0, 1, 1] * 5)) == "max"
    ids = [rng.integers(1, 9, size=n) for n in (3, 5, 4, 6) * 5]
    assert _pooling_read(SequenceClassifier(**TINY).fit(ids, [0, 1] * 10)) == "max"
    X = rng.normal(size=(20, 5, 2))
    for cell in ("gru", "lstm"):  # on TensorFlow's CPU, pooled inside the GRU, after the LSTM's fused op
        numeric = SequenceClassifier(**TINY, cell=cell).fit(X, [0, 1] * 10)
        assert _pooling_read(numeric) == "concat"
        assert numeric.pooling == "auto" and numeric.model_.get_layer("head").kernel.shape == (3 * 4, 1)
    last = SequenceClassifier(**TINY, pooling="last").fit(X, [0, 1] * 10)
    assert _pooling_read(last) == "last"


def test_masked_max_pooling_never_picks_a_padding_step():
    from seqtune._layers import MaskedGlobalMaxPooling

    values = np.array([[[1.0, -2.0], [3.0, -1.0], [9.0, 9.0]]], dtype="float32")  # last step is padding
    mask = np.array([[True, True, False]])
    pooled = np.asarray(MaskedGlobalMaxPooling()(values, mask=mask))
    np.testing.assert_array_equal(pooled, [[3.0, -1.0]])
    np.testing.assert_array_equal(np.asarray(MaskedGlobalMaxPooling()(values)), [[9.0, 9.0]])
    # a row that is all padding (token ids all 0) pools to zeros, not to float32's lowest value
    none_kept = np.asarray(MaskedGlobalMaxPooling()(values, mask=np.array([[False, False, False]])))
    np.testing.assert_array_equal(none_kept, [[0.0, 0.0]])
    ids = np.array([[3, 1, 2], [0, 0, 0]] * 10)  # every other row holds padding only
    reg = SequenceRegressor(units=4, epochs=2, learning_rate=0.01, random_state=0).fit(ids, np.arange(20.0))
    assert np.isfinite(reg.predict(ids)).all()


def test_masked_mean_pooling_averages_the_kept_steps_and_empty_sequences_pool_to_zeros():
    from seqtune._layers import MaskedGlobalAveragePooling

    values = np.array([[[1.0, -2.0], [3.0, -1.0], [9.0, 9.0]]], dtype="float32")  # last step is padding
    pooled = np.asarray(MaskedGlobalAveragePooling()(values, mask=np.array([[True, True, False]])))
    np.testing.assert_allclose(pooled, [[2.0, -1.5]])
    np.testing.assert_allclose(np.asarray(MaskedGlobalAveragePooling()(values)), [[13 / 3, 2.0]])
    # a row that is all padding (an empty document's token ids) has no step to average: zeros, not 0/0 = NaN
    none_kept = np.asarray(MaskedGlobalAveragePooling()(values, mask=np.array([[False, False, False]])))
    np.testing.assert_array_equal(none_kept, [[0.0, 0.0]])
    ids = np.array([[3, 1, 2], [0, 0, 0]] * 10)  # every other row holds padding only
    clf = SequenceClassifier(units=4, epochs=2, pooling="mean", input_type="tokens", random_state=0)
    clf.fit(ids, np.arange(20) % 2)  # the loss was NaN: "Training diverged"
    assert np.isfinite(clf.predict_proba(ids)).all()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_final_states_read_from_the_outputs_are_the_states_a_layer_returns(cell, bidirectional):
    import keras

    from seqtune._layers import MaskedFinalStates, NaNPaddingMask
    from seqtune.architectures import _rnn_class

    X = np.random.default_rng(0).normal(size=(5, 7, 3)).astype("float32")
    X[1, 4:] = X[2, :2] = X[3, 2:4] = X[4] = np.nan  # right and left padding, a gap, all padding
    inputs = keras.Input((None, 3))
    masked = NaNPaddingMask()(inputs)

    def recurrent(return_sequences):
        layer = _rnn_class(cell)(4, return_sequences=return_sequences)
        return keras.layers.Bidirectional(layer) if bidirectional else layer

    outputs = recurrent(True)(masked)
    from_outputs = keras.Model(inputs, MaskedFinalStates(bidirectional)(outputs))
    states = keras.Model(inputs, recurrent(False)(masked))
    states.set_weights(from_outputs.get_weights())
    np.testing.assert_allclose(from_outputs.predict(X, verbose=0), states.predict(X, verbose=0), atol=1e-6)
    np.testing.assert_array_equal(from_outputs.predict(X[4:], verbose=0), 0.0)


def test_long_numeric_series_are_read_in_frames(rng):
    from seqtune._layers import StepFrames

    # frames of k steps; a short last frame is completed with zeros, a frame of padding stays NaN
    x = np.arange(28, dtype="float32").reshape(2, 7, 2)
    x[1, 5:] = np.nan
    frames = np.asarray(StepFrames(3)(x))
    np.testing.assert_array_equal(frames[0], [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], [12, 13, 0, 0, 0, 0]])
    np.testing.assert_array_equal(frames[1, :2], [[14, 15, 16, 17, 18, 19], [20, 21, 22, 23, 0, 0]])
    assert np.isnan(frames[1, 2]).all()
    # "auto": a median length over 64 steps is read in about 32 frames; shorter series step by step
    X = rng.normal(size=(30, 150, 1))
    y = np.arange(30) % 2
    clf = SequenceClassifier(**TINY).fit(X, y)
    assert clf.frame_length_ == 5 and clf.model_.get_layer("frames").length == 5
    assert SequenceClassifier(**TINY).fit(X[:, :64], y).frame_length_ == 1
    assert SequenceClassifier(**{**TINY, "frame_length": 1}).fit(X, y).frame_length_ == 1
    with pytest.warns(UserWarning, match=r"frame_length=300 is longer than most sequences \(median length 150"):
        SequenceClassifier(**{**TINY, "frame_length": 300}).fit(X, y)
    # a sequence predicts the same alone as padded in a batch beside longer ones
    seqs = [rng.normal(size=(n, 2)) for n in (70, 71, 73, 130)]
    reg = SequenceRegressor(**{**TINY, "frame_length": 4}).fit(seqs * 5, rng.normal(size=20))
    np.testing.assert_allclose(reg.predict(seqs), [reg.predict([s])[0] for s in seqs], rtol=1e-5, atol=1e-6)
    # frames follow the length the network reads: after a max_length cut
    assert SequenceClassifier(**{**TINY, "max_length": 50}).fit(X, y).frame_length_ == 1
    # text and token ids are read a token a step
    with pytest.raises(ValueError, match="frame_length=3 joins time steps of numeric sequences, but X holds text"):
        SequenceClassifier(**{**TINY, "frame_length": 3}).fit(["a b", "c d"] * 5, [0, 1] * 5)
    with pytest.raises(ValueError, match="holds token ids.*pass input_type='numeric'"):
        SequenceClassifier(**{**TINY, "frame_length": 3}).fit(rng.integers(0, 9, size=(20, 100)), y[:20])
    assert SequenceClassifier(**TINY).fit(rng.integers(1, 9, size=(20, 100)), y[:20]).frame_length_ == 1


def test_zero_valued_steps_are_not_mistaken_for_padding(rng):
    X = [rng.normal(size=(n, 2)) for n in (4, 6, 8)] * 10
    y = np.arange(30) % 2
    clf = SequenceClassifier(**TINY).fit(X, y)
    seq = np.vstack([rng.normal(size=(3, 2)), np.zeros((3, 2))])
    short = seq[:3]
    assert not np.allclose(clf.predict_proba([seq]), clf.predict_proba([short]), atol=1e-7)


def test_token_ids_ragged_and_2d(rng):
    X = [rng.integers(1, 30, size=n) for n in rng.integers(2, 15, size=40)]
    y = rng.integers(0, 2, size=40)
    clf = SequenceClassifier(**TINY).fit(X, y)
    assert clf.input_kind_ == "tokens"
    # ids never seen in fit map to the unknown id instead of failing
    assert clf.predict([np.array([5, 999, 3])]).shape == (1,)
    X2 = rng.integers(0, 30, size=(40, 6))
    clf2 = SequenceClassifier(**TINY).fit(X2, y)
    assert clf2.input_kind_ == "tokens"
    # columns of token ids are time steps: their number is free at predict, as a list's lengths are
    assert not hasattr(clf2, "n_features_in_")
    wider = np.hstack([X2, np.zeros((40, 4), dtype=X2.dtype)])
    np.testing.assert_array_equal(clf2.predict(wider), clf2.predict(X2))
    with pytest.raises(ValueError, match="read the non-negative integers it was fitted on as token ids"):
        clf2.predict(X2.astype(float) + 0.5)
    numeric = SequenceClassifier(input_type="numeric", **TINY).fit(X2, y)
    assert numeric.input_kind_ == "numeric"


def test_raw_text_series_list_and_array(texts):
    X, y = texts
    clf = SequenceClassifier(units=8, epochs=30, learning_rate=0.02, random_state=0).fit(pd.Series(X), y)
    assert clf.input_kind_ == "text"
    assert clf.score(X, y) == 1.0
    assert clf.predict(np.array(["good fun", "awful bad", ""])).shape == (3,)


def test_numpy_integers_from_a_grid_are_taken_as_sizes(texts):
    X, y = texts
    sizes = np.array([3, 4, 50])  # a parameter grid built with NumPy gives np.int64 values
    clf = SequenceClassifier(**{**TINY, "embedding_dim": sizes[0], "units": sizes[1], "max_tokens": sizes[2]}).fit(X, y)
    assert clf.model_.get_layer("embedding").output_dim == 3


def test_text_in_any_script_is_lower_cased_stripped_of_punctuation_and_split():
    import keras

    from seqtune._layers import standardize_text

    # ASCII text: the same vocabulary as Keras' default standardization
    ascii_texts = ["Don't STOP! (ok) a-b c_d e@f $5 x+y <tag> ^`|~ \\ [x] {y} #1 50% \"q\" a/b;c:d=e?"]
    vocabularies = []
    for standardize in ("lower_and_strip_punctuation", standardize_text):
        vectorizer = keras.layers.TextVectorization(standardize=standardize)
        vectorizer.adapt(ascii_texts)
        vocabularies.append(sorted(vectorizer.get_vocabulary()))
    assert vocabularies[0] == vocabularies[1]
    # other scripts: every letter lower-cased, Unicode punctuation removed, Chinese/Japanese a character a token
    X = ["Über «\u00a0Bonjour\u00a0» ÉCOLE !", "über bonjour école fun😀", "你好世界。", "ありがとう"] * 3
    clf = SequenceClassifier(**TINY).fit(X, [0, 0, 1, 1] * 3)
    vocabulary = set(clf.vectorizer_.get_vocabulary())
    assert {"über", "bonjour", "école", "fun", "😀", "你", "好", "世", "界", "あ", "が"} <= vocabulary
    assert not {"Über", "«bonjour»", "bonjour\u00a0", "\u00a0", "ÉCOLE", "fun😀", "你好世界", "界。"} & vocabulary
    with pytest.raises(ValueError, match="without a single word"):
        SequenceClassifier(**TINY).fit(["", "!!", "\u00a0", "« »"], [0, 1, 0, 1])


def test_nul_characters_and_byte_order_marks_are_spaces_in_text():
    from seqtune._layers import standardize_text

    # A NUL ended the document (TensorFlow's lower() stops there); a byte-order mark (a file read as
    # utf-8, not utf-8-sig) stuck to the first word, a second, unknown spelling of it.
    texts = ["great\x00AWFUL bad", "\ufeffWorst day"]
    assert [t.split() for t in standardize_text(texts).numpy().astype(str)] == [["great", "awful", "bad"],
                                                                                ["worst", "day"]]


def test_regressor_1d_and_2d_targets(seq3d):
    X, _ = seq3d
    y1 = X[:, :, 0].mean(axis=1) * 100 + 7
    reg = SequenceRegressor(**TINY).fit(X, y1)
    assert reg.predict(X).shape == (60,)
    y2 = np.column_stack([y1, -y1])
    reg2 = SequenceRegressor(**TINY).fit(X, y2)
    assert reg2.predict(X).shape == (60, 2)
    # a constant target column is predicted as exactly that constant (the network's output aside)
    constant = SequenceRegressor(**TINY).fit(X, np.column_stack([y1, np.full(60, 2.5)])).predict(X)
    assert (constant[:, 1] == 2.5).all() and constant[:, 0].std() > 0


def test_regressor_fits_on_original_scale(rng):
    X = rng.normal(size=(200, 6, 1)).astype("float32")
    y = 1000 + 300 * X[:, :, 0].sum(axis=1)
    reg = SequenceRegressor(units=16, epochs=40, learning_rate=0.01, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.8


def test_same_random_state_gives_identical_predictions(seq3d):
    X, y = seq3d
    a = SequenceClassifier(**TINY).fit(X, y).predict_proba(X)
    b = SequenceClassifier(**TINY).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = SequenceClassifier(**{**TINY, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.array_equal(a, c)


def test_clone_grid_search_and_cross_val_score(seq3d):
    X, y = seq3d
    grid = GridSearchCV(SequenceClassifier(**TINY), {"cell": ["lstm", "gru"], "units": [4]}, cv=2)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"cell", "units"}
    scores = cross_val_score(SequenceClassifier(**TINY), X, y, cv=2)
    assert scores.shape == (2,)
    assert clone(grid.best_estimator_).get_params() == grid.best_estimator_.get_params()


def test_fit_forgets_earlier_fits_and_warm_start_continues(seq3d, rng):
    X, y = seq3d
    clf = SequenceClassifier(**TINY).fit(X, y)
    clf.fit(rng.normal(size=(20, 5, 1)), np.arange(20) % 3)
    assert clf.n_features_in_ == 1 and len(clf.classes_) == 3
    warm = SequenceClassifier(warm_start=True, early_stopping=False, **TINY).fit(X, y)
    model = warm.model_
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warm.fit(X, y)
    # copying the optimizer's variables (to restore them if the fit fails) warned of NumPy 2's copy keyword
    assert not [w for w in caught if "copy keyword" in str(w.message)]
    assert warm.model_ is model
    assert len(warm.history_["loss"]) == 4
    # the same widths written another way still continue; a new shape is refused, not silently ignored
    warm.set_params(units=[warm.units] * (warm.layers or 1), layers=None).fit(X, y)
    assert warm.model_ is model
    with pytest.raises(ValueError, match=r"changed since it was built \(cell 'gru' -> 'lstm'.*warm_start=False"):
        warm.set_params(cell="lstm").fit(X, y)
    assert warm.model_ is model
    # the input state stays too: a new vocabulary size or length cut is refused the same way
    texts = ["good day", "bad day"] * 10
    text = SequenceClassifier(warm_start=True, **TINY).fit(texts, [0, 1] * 10)
    with pytest.raises(ValueError, match=r"max_tokens None -> 3"):
        text.set_params(max_tokens=3).fit(texts, [0, 1] * 10)
    with pytest.raises(ValueError, match=r"max_length 'auto' -> 8"):
        text.set_params(max_tokens=None, max_length=8).fit(texts, [0, 1] * 10)
    with pytest.raises(ValueError, match=r"frame_length 'auto' -> 2"):
        warm.set_params(cell="gru", frame_length=2).fit(X, y)


def test_a_network_built_on_one_length_trains_and_validates_on_ragged_sequences(seq3d, rng):
    """Without a padding mask the network read NaN padding as data: a warm fit on ragged sequences
    'diverged', and Auto trials whose training split had one length watched a NaN val_loss."""
    from seqtune.batching import BucketedSequence

    X, y = seq3d
    ragged = [x[: rng.integers(2, 9)] for x in X]
    warm = SequenceClassifier(warm_start=True, early_stopping=False, **TINY).fit(X, y)
    assert not warm._input_layout_.masked
    warm.set_params(early_stopping=True, validation_fraction=0.25).fit(ragged, y)
    assert np.all(np.isfinite(warm.history_["loss"])) and np.all(np.isfinite(warm.history_["val_loss"]))
    batches = BucketedSequence(ragged, y, None, batch_size=8, kind="numeric", n_features=3, max_length=None,
                               shuffle=True, seed=0, masked=False)
    seen = []
    for i in range(len(batches)):
        x, _ = batches[i]
        assert not np.isnan(x).any()  # one length a batch, not padded
        seen += batches.batches[i].tolist()
    assert sorted(seen) == list(range(len(ragged)))


def test_class_weight_and_sample_weight(seq3d):
    X, y = seq3d
    SequenceClassifier(class_weight="balanced", **TINY).fit(X, y, sample_weight=np.ones(60))
    with pytest.raises(ValueError, match="sample_weight has shape"):
        SequenceClassifier(**TINY).fit(X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="non-negative"):
        SequenceClassifier(**TINY).fit(X, y, sample_weight=-np.ones(60))


def test_only_the_ratios_of_sample_weights_matter(seq3d):
    """Weights of 1e-6 each (summing to 1 over a large set) put the gradients under Adam's epsilon: the
    network stopped learning without a word. They are rescaled to a mean of 1."""
    X, y = seq3d
    for estimator, target in ((SequenceClassifier, y), (SequenceRegressor, X[:, 0, 0])):
        plain = estimator(**TINY).fit(X, target).predict(X)
        for scale in (1e-6, 1e3):
            tiny = estimator(**TINY).fit(X, target, sample_weight=np.full(len(X), scale)).predict(X)
            np.testing.assert_allclose(tiny, plain, atol=1e-5)


def test_a_sample_of_weight_zero_is_one_not_there(seq3d):
    """They shaped the input scaling (a 1,000x spread warned of) and filled the validation split, whose val_loss was
    0 when all its samples weighed 0: how Bagging draws its bags in scikit-learn 1.9."""
    X, y = seq3d
    weight = np.tile([1.0, 0.0], 30)
    kept = weight > 0
    far = X.copy()
    far[~kept] *= 1000
    params = {**TINY, "validation_fraction": 0.2}
    zeroed = SequenceClassifier(**params).fit(far, y, sample_weight=weight)
    alone = SequenceClassifier(**params).fit(X[kept], y[kept], sample_weight=np.ones(kept.sum()))
    np.testing.assert_allclose(zeroed._input_layout_.variance, alone._input_layout_.variance)
    np.testing.assert_allclose(zeroed.history_["val_loss"], alone.history_["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(zeroed.predict_proba(X), alone.predict_proba(X), atol=1e-6)
    # classes are read from every label, as scikit-learn's classifiers read them
    only_zero = np.where(kept, y, 2)
    assert list(SequenceClassifier(**TINY).fit(X, only_zero, sample_weight=weight).classes_) == [0, 1, 2]
    ragged = [x[: 3 + i % 2] for i, x in enumerate(X)]  # the kept ones all of one length: no padding mask
    regressor = SequenceRegressor(**TINY).fit(ragged, X[:, 0, 0], sample_weight=weight)
    assert not regressor._input_layout_.masked and np.isfinite(regressor.score(ragged, X[:, 0, 0]))


@pytest.mark.parametrize("class_weight, error, match", [
    # these trained silently (zero or negative loss) or diverged with advice about the learning rate
    ({0: 0.0, 1: 0.0}, ValueError, "class_weight is zero for every sample"),
    ({0: -1.0, 1: 1.0}, ValueError, r"finite, non-negative weight; got \{0: -1.0\}"),
    ({0: np.nan, 1: 1.0}, ValueError, "finite, non-negative weight; got"),
    ({0: np.inf, 1: 1.0}, ValueError, "finite, non-negative weight; got"),
    ({0: "1", 1: 1.0}, ValueError, "finite, non-negative weight; got"),
    ("balance", ValueError, "class_weight must be 'balanced', a dict"),  # scikit-learn named its own function
    ([1.0, 2.0], TypeError, "class_weight must be 'balanced', a dict .* got list"),
])
def test_class_weight_is_checked_as_sample_weight_is(seq3d, class_weight, error, match):
    X, y = seq3d
    with pytest.raises(error, match=match):
        SequenceClassifier(class_weight=class_weight, **TINY).fit(X, y)


def test_class_weight_times_sample_weight_zero_everywhere_is_refused(seq3d):
    X, y = seq3d
    with pytest.raises(ValueError, match="class_weight times sample_weight is zero for every sample"):
        SequenceClassifier(class_weight={0: 0.0, 1: 1.0}, **TINY).fit(X, y, sample_weight=(y == 0).astype(float))


def test_random_state_out_of_range_is_named_and_verbose_true_is_accepted(seq3d, capsys):
    X, y = seq3d
    for value, error in [(-1, ValueError), (2**40, ValueError), (1.5, TypeError)]:
        with pytest.raises(error, match="random_state must be None"):  # NumPy's "Seed must be between 0 and ..."
            SequenceClassifier(**{**TINY, "random_state": value}).fit(X, y)
    SequenceClassifier(**{**TINY, "random_state": np.random.RandomState(0)}).fit(X, y)
    SequenceClassifier(**{**TINY, "verbose": True}).fit(X, y)  # scikit-learn's estimators take it as 1
    assert "loss" in capsys.readouterr().out


def test_prefixed_keras_options_are_validated_with_suggestions(seq3d):
    X, y = seq3d
    clf = SequenceClassifier(compile__steps_per_execution=2, optimizer__clipnorm=1.0, **TINY)
    assert clf.get_params()["optimizer__clipnorm"] == 1.0
    clf.fit(X, y)
    assert clone(clf).get_params()["compile__steps_per_execution"] == 2
    with pytest.raises(ValueError, match="Did you mean 'steps_per_execution'"):
        SequenceClassifier(compile__step_per_execution=2, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="use the estimator's 'epochs'"):
        SequenceClassifier(fit__epochs=3, **TINY).fit(X, y)
    # options seqtune sets on its own batches (they raised TypeError inside fit, and were offered as valid)
    for option, instead in (("shuffle", "random_state"), ("steps_per_epoch", "epochs"),
                            ("initial_epoch", "warm_start"), ("validation_steps", "validation_fraction")):
        with pytest.raises(ValueError, match=f"fit__{option} is not allowed: use the estimator's '{instead}'"):
            SequenceClassifier(**{f"fit__{option}": 1}, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="Valid options: validation_batch_size, validation_freq.$") as error:
        SequenceClassifier(fit__shufle=False, **TINY).fit(X, y)
    assert "Did you mean" not in str(error.value)
    with pytest.raises(ValueError, match="units is 4, which has no parameters of its own; set units=... instead"):
        SequenceClassifier(**{**TINY, "units": 4}).set_params(units__foo=3)
    with pytest.raises(TypeError, match="Did you mean 'units'"):
        SequenceClassifier(unit=3, **TINY).fit(X, y)
    # set_params refuses an unknown name at once, as scikit-learn's does (a typo in a grid fails early)
    with pytest.raises(ValueError, match="Invalid parameter 'unit' .*Did you mean 'units'"):
        SequenceClassifier(**TINY).set_params(unit=3)
    # optimizer options: set_params stores them (not routed to a nested "optimizer" estimator), and the
    # names Keras' base optimizer takes through **kwargs are checked too
    tuned = SequenceClassifier(**TINY).set_params(optimizer__clipnorm=0.5).fit(X, y)
    assert tuned.model_.optimizer.clipnorm == 0.5
    with pytest.raises(ValueError, match="Did you mean 'clipnorm'") as error:
        SequenceClassifier(optimizer__clipnrom=1.0, **TINY).fit(X, y)
    assert "learning_rate" not in str(error.value)  # a reserved name is not offered as an option


def test_learning_rate_takes_schedules_and_an_optimizers_own_rate_is_not_replaced_silently(seq3d, tmp_path):
    X, y = seq3d
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=1, decay_rate=0.5)
    clf = SequenceClassifier(learning_rate=schedule, **TINY).fit(X, y)
    rate = clf.model_.optimizer.learning_rate
    steps = int(clf.model_.optimizer.iterations.numpy())
    assert steps > 0 and float(rate) == pytest.approx(0.01 * 0.5**steps)  # the schedule drove training
    cloned = clone(clf).get_params()["learning_rate"]
    assert isinstance(cloned, type(schedule)) and cloned.get_config() == schedule.get_config()
    clf.save(tmp_path / "scheduled")
    np.testing.assert_allclose(seqtune.load(tmp_path / "scheduled").predict_proba(X), clf.predict_proba(X), atol=1e-6)
    # An instance given its own rate: the estimator's learning_rate is used, and says so
    with pytest.warns(UserWarning, match=r"learning_rate=0.05 of its own.*Pass learning_rate=0.05"):
        clf = SequenceClassifier(optimizer=keras.optimizers.Adam(learning_rate=0.05), **TINY).fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(1e-3)
    with pytest.warns(UserWarning, match="a learning-rate schedule of its own"):
        SequenceClassifier(optimizer=keras.optimizers.SGD(learning_rate=schedule), **TINY).fit(X, y)
    # An instance at its class's default rate, or at the estimator's, passes quietly
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="optimizer=", category=UserWarning)
        SequenceClassifier(optimizer=keras.optimizers.Adam(beta_1=0.8), learning_rate=0.01, **TINY).fit(X, y)
        SequenceClassifier(optimizer=keras.optimizers.SGD(0.05), learning_rate=0.05, **TINY).fit(X, y)
    with pytest.raises(TypeError, match="learning_rate must be a positive number"):
        SequenceClassifier(learning_rate="fast", **TINY).fit(X, y)


def test_recurrent_dropout_warns_about_cudnn(seq3d):
    X, y = seq3d
    with pytest.warns(UserWarning, match="cuDNN"):
        SequenceClassifier(recurrent_dropout=0.1, **TINY).fit(X, y)


def test_stacked_bidirectional_lstm_and_unit_list(seq3d):
    X, y = seq3d
    clf = SequenceClassifier(cell="lstm", units=[6, 4], bidirectional=True, dropout=0.1, **{
        k: v for k, v in TINY.items() if k != "units"}).fit(X, y)
    names = [layer.name for layer in clf.model_.layers]
    assert "bi_lstm_0" in names and "bi_lstm_1" in names


def test_a_text_vocabulary_needs_room_for_words():
    with pytest.raises(ValueError, match="max_tokens=2 leaves no room for words"):
        SequenceClassifier(max_tokens=2, **TINY).fit(["a b", "c d"] * 10, [0, 1] * 10)


def test_long_text_truncation_is_announced():
    X = ["word " * n for n in range(1, 200)] + ["word " * 5000]
    y = np.arange(200) % 2
    with pytest.warns(UserWarning, match="truncated"):
        clf = SequenceClassifier(**TINY).fit(X, y)
    assert clf.max_length_ < 5000
    # on a few texts the 99th percentile is the longest; "auto" stays within 10x the median
    few = ["a short text of words"] * 15 + ["word " * 20_000]
    with pytest.warns(UserWarning, match="at most 10x the median"):
        assert SequenceClassifier(**TINY).fit(few, np.arange(16) % 2).max_length_ == 64


def test_predicting_on_sequences_longer_than_max_length_is_announced(rng):
    """fit announced its cut; predict read the first max_length steps of longer sequences without a word."""
    from seqtune.inputs import InputWarning

    X = [rng.normal(size=(n, 1)) for n in range(5, 41)]
    with pytest.warns(InputWarning, match="longer than max_length=20"):
        reg = SequenceRegressor(**{**TINY, "max_length": 20}).fit(X, rng.normal(size=36))
    long = rng.normal(size=(1, 200, 1))
    with pytest.warns(InputWarning, match=r"longer than max_length=20 \(up to 200 steps\); the model reads their "
                                          r"first 20"):
        cut = reg.predict(long)
    np.testing.assert_allclose(cut, reg.predict(long[:, :20]), atol=1e-6)  # what it reads, as said
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        reg.predict(X[:3])


def test_a_few_huge_token_ids_warn_about_the_embedding_size():
    X = np.array([[1, 2, 3], [3, 2, 1], [2, 200_000, 1]] * 4)
    with pytest.warns(UserWarning, match=r"Token ids go up to 200000 but only 4 distinct ids occur.*max_tokens"):
        SequenceClassifier(**{**TINY, "epochs": 1, "embedding_dim": 2}).fit(X, np.arange(12) % 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SequenceClassifier(**{**TINY, "max_tokens": 10}).fit(X, np.arange(12) % 2)
    assert not [w for w in caught if "Token ids" in str(w.message)]
    # hashes up to 3e7 gave an embedding of 1.9 billion weights: the process was killed for memory
    X[2, 1] = 30_000_000
    with pytest.raises(ValueError, match=r"Token ids go up to 30000000 but only 5 distinct .*1,920,000,128 weights"):
        SequenceClassifier(**TINY).fit(X, np.arange(12) % 2)


def test_texts_are_vectorized_in_batches_of_bounded_padded_size():
    from seqtune._input_state import _text_batches

    # one book-length document among short ones is not padded into every row of their batch
    texts = ["a few words here"] * 3000 + ["word " * 400_000] + ["two words"] * 50
    batches = list(_text_batches(texts, max_characters=100_000))
    assert sorted(np.concatenate(batches)) == list(range(len(texts)))
    assert all(len(b) <= 1024 and len(b) * max(len(texts[i]) for i in b) <= 100_000 or len(b) == 1
               for b in batches)
    # the ids keep each text's order and match a text vectorized alone
    X = ["good film", "a long bad film " * 50, "", "bad", "good good film"] * 4
    clf = SequenceClassifier(**TINY).fit(X, np.arange(20) % 2)
    for text, ids in zip(X, clf._vectorize(np.array(X, dtype=object))):
        np.testing.assert_array_equal(ids, clf._vectorize(np.array([text], dtype=object))[0])


def test_other_estimators_survive_a_new_fit(seq3d):
    X, y = seq3d
    first = SequenceClassifier(**TINY).fit(X, y)
    before = first.predict_proba(X)
    SequenceRegressor(**TINY).fit(X, y.astype(float))
    np.testing.assert_array_equal(first.predict_proba(X), before)


# --------------------------------------------------------------------- bad input
BAD_INPUTS = [
    ("nan", lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y), ValueError, "NaN"),
    ("inf", lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X), y), ValueError,
     r"1 infinite value\(s\) .*first at sample 0, step 1, feature 2: inf"),
    ("rank 4", lambda X, y: (X[..., None], y), ValueError, "4 dimensions"),
    ("rank 1", lambda X, y: (X[:, 0, 0], y), ValueError, "1D array"),
    ("empty", lambda X, y: (X[:0], y[:0]), ValueError, "0 sample"),
    ("empty list", lambda X, y: ([], []), ValueError, "X is empty \\(0 samples\\)"),
    ("length mismatch", lambda X, y: (X, y[:-3]), ValueError, "same length"),
    ("single class", lambda X, y: (X, np.zeros_like(y)), ValueError, r"1 class \(0\); a classifier"),
    ("y None", lambda X, y: (X, None), ValueError, "requires y"),
    ("zero-length sequence", lambda X, y: ([x for x in X[:-1]] + [np.zeros((0, 3))], y), ValueError, "zero-length"),
    ("mixed feature counts", lambda X, y: ([x for x in X[:-1]] + [np.zeros((4, 2))], y), ValueError, "different numbers of features"),
    ("mixed types in text", lambda X, y: (np.array(["a", 1.0] * 30, dtype=object), y), TypeError, "mixing strings"),
    ("dict in object array", lambda X, y: (np.array([[{"a": 1}] * 8] * 60, dtype=object), y), TypeError, "not numbers|number"),
    ("single string", lambda X, y: ("just one text", y), TypeError, "single string"),
    ("complex", lambda X, y: (X.astype(complex), y), ValueError, r"X holds complex numbers \(dtype complex128\).*X.real"),
    ("continuous labels", lambda X, y: (X, np.linspace(0, 1, len(y))), ValueError, "Unknown label type"),
    ("mixed label types", lambda X, y: (X, np.array([*y[:3], "three", *y[4:]], dtype=object)),
     ValueError, r"y mixes labels of different types \(0 \(int\), 'three' \(str\)\).*y.astype\(str\)"),
    ("missing labels", lambda X, y: (X, np.where(np.arange(len(y)) == 4, None, y.astype(str)).astype(object)),
     ValueError, "1 missing label.*position 4"),
    ("text without words", lambda X, y: (["", "!!", " ?"] * (len(y) // 3), y), ValueError, "without a single word"),
]


@pytest.mark.parametrize("name,corrupt,error,match", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_refused_by_our_validation(seq3d, name, corrupt, error, match):
    X, y = seq3d
    Xb, yb = corrupt(X.astype(float), y)
    with pytest.raises(error, match=match):
        SequenceClassifier(**TINY).fit(Xb, yb)


BAD_PARAMS = [
    ({"cell": "rnn"}, ValueError, "cell='rnn' is not one of"),
    ({"cell": "lstn"}, ValueError, "Did you mean 'lstm'"),
    ({"units": 0}, ValueError, "units must be an int >= 1"),
    ({"units": []}, ValueError, "empty list"),
    ({"units": np.array([4, 3])}, TypeError, r"units must be an int >= 1, or a list of them .*ndarray"),
    ({"units": [4, 4], "layers": 3}, ValueError, "2 widths but layers=3"),
    ({"layers": -1}, ValueError, "layers must be"),
    ({"dropout": 1.5}, ValueError, r"dropout must be in \[0, 1\)"),
    ({"epochs": 0}, ValueError, "epochs must be"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be an int"),
    ({"learning_rate": -1}, ValueError, "learning_rate must be a positive"),
    ({"validation_fraction": 1.0}, ValueError, "validation_fraction"),
    ({"optimizer": "adamm"}, ValueError, "Did you mean 'adam'"),
    ({"input_type": "image"}, ValueError, "input_type"),
    ({"max_length": 0}, ValueError, "max_length"),
    ({"frame_length": "long"}, ValueError, "frame_length must be 'auto' or an int >= 1; got 'long'"),
    ({"frame_length": 0}, ValueError, "frame_length must be an int >= 1"),
    ({"early_stopping": "no"}, TypeError, r"early_stopping must be True or False; got 'no' \(str\)"),
    ({"warm_start": "False"}, TypeError, "warm_start must be True or False"),
]


@pytest.mark.parametrize("params,error,match", BAD_PARAMS, ids=[str(p[0]) for p in BAD_PARAMS])
def test_bad_parameters_are_refused_at_fit(seq3d, params, error, match):
    X, y = seq3d
    clf = SequenceClassifier(**{**TINY, **params})  # __init__ only stores
    with pytest.raises(error, match=match):
        clf.fit(X, y)


def test_univariate_input_may_switch_between_rows_and_one_feature_sequences(rng):
    lists = [list(rng.normal(size=n)) for n in rng.integers(4, 12, size=40)]  # ragged univariate lists
    reg = SequenceRegressor(**TINY).fit(lists, [np.mean(v) for v in lists])
    rows = rng.normal(size=(3, 6))
    # equal-length lists become a 2-D array: the same sequences as (6, 1) arrays
    np.testing.assert_allclose(reg.predict(rows.tolist()), reg.predict(list(rows[:, :, None])), atol=1e-6)
    rows_reg = SequenceRegressor(**TINY).fit(rng.normal(size=(40, 6)), rng.normal(size=40))
    np.testing.assert_allclose(rows_reg.predict([rows[0, :4], rows[1]]),
                               [rows_reg.predict(rows[:1, :4, None])[0], rows_reg.predict(rows[1:2])[0]], atol=1e-6)
    with pytest.raises(ValueError, match="fitted on a 2-D array"):
        rows_reg.predict(rng.normal(size=(2, 6, 2)))


def test_channels_first_arrays_get_a_warning(rng):
    from seqtune.inputs import InputWarning

    X = rng.normal(size=(30, 1, 50))  # sktime's (n_samples, n_channels, n_timesteps)
    with pytest.warns(InputWarning, match=r"1 time step of 50.*X.transpose\(0, 2, 1\)"):
        SequenceClassifier(**TINY).fit(X, rng.integers(0, 2, size=30))
    # a few channels of many steps, e.g. BasicMotions' (40, 6, 100), read as 6 steps
    with pytest.warns(InputWarning, match=r"6 time steps of 100 features.*sees only 6 steps"):
        SequenceClassifier(**TINY).fit(rng.normal(size=(30, 6, 100)), rng.integers(0, 2, size=30))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        SequenceClassifier(**TINY).fit(rng.normal(size=(30, 100, 6)), rng.integers(0, 2, size=30))


def test_integers_read_as_token_ids_are_announced(rng):
    from seqtune.inputs import InputWarning

    counts = rng.integers(0, 50, size=(20, 12))  # e.g. monthly counts: "auto" reads them as token ids
    ragged = [row[:n] for row, n in zip(counts, rng.integers(4, 12, size=20))]
    for X in (counts, ragged):
        with pytest.warns(InputWarning, match=r"non-negative integers, read as token ids.*input_type='numeric'"):
            SequenceRegressor(**TINY).fit(X, rng.normal(size=20))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        SequenceRegressor(**{**TINY, "input_type": "tokens"}).fit(counts, rng.normal(size=20))
        assert SequenceRegressor(**{**TINY, "input_type": "numeric"}).fit(counts, rng.normal(size=20)).input_kind_ \
            == "numeric"
    # inside a scikit-learn meta-estimator the warning names the user's line, not scikit-learn's
    from sklearn.ensemble import VotingRegressor

    with pytest.warns(InputWarning, match="read as token ids") as caught:
        VotingRegressor([("a", SequenceRegressor(**TINY))]).fit(counts, rng.normal(size=20))
    assert {w.filename for w in caught if issubclass(w.category, InputWarning)} == {__file__}


def test_nested_dataframes_are_read_and_long_tables_refused_with_a_hint(rng):
    # sktime's default nested DataFrame: one column a channel, a pd.Series in every cell
    X = [rng.normal(size=(n, 2)) for n in [5, 4, 6, 5] * 5]
    nested = pd.DataFrame({f"dim_{c}": [pd.Series(x[:, c]) for x in X] for c in range(2)})
    y = [0, 1] * 10
    clf = SequenceClassifier(**TINY).fit(nested, y)
    assert clf.n_features_in_ == 2 and clf.sequence_columns_ == ["dim_0", "dim_1"]
    np.testing.assert_allclose(clf.predict_proba(nested), SequenceClassifier(**TINY).fit(X, y).predict_proba(X),
                               rtol=1e-5)
    # channels in another order would be read as each other: refused, with the names
    with pytest.raises(ValueError, match=r"other columns than SequenceClassifier was fitted on: the same names in "
                                         r"another order, from position 0 \('dim_1' where 'dim_0' was\)"):
        clf.predict(nested[["dim_1", "dim_0"]])
    same_length = nested.map(lambda cell: cell[:4])  # every sample as long: read as a 3-D array
    assert SequenceClassifier(**TINY).fit(same_length, y).predict(same_length.iloc[:3]).shape == (3,)
    uneven = nested.copy()
    uneven.iat[1, 1] = pd.Series(np.arange(3.0))
    with pytest.raises(ValueError, match=r"row 1 holds channels of different lengths \[3, 4\]"):
        SequenceClassifier(**TINY).fit(uneven, y)
    with pytest.raises(TypeError, match="mix sequences and single values"):
        SequenceClassifier(**TINY).fit(nested.assign(dim_1=1.0), y)
    # sktime's long 'pd-multiindex' table: several rows a sequence under a (sequence, step) index
    index = pd.MultiIndex.from_product([range(4), range(5)], names=["instance", "timepoint"])
    long = pd.DataFrame({"a": np.arange(20.0), "b": np.ones(20)}, index=index)
    with pytest.raises(TypeError, match=r"long table.*groupby\(level=0, sort=False\)"):
        SequenceClassifier(**TINY).fit(long, [0, 1, 0, 1])
    sequences = [g.to_numpy() for _, g in long.groupby(level=0, sort=False)]  # the hint works
    assert SequenceClassifier(**TINY).fit(sequences, [0, 1, 0, 1]).n_features_in_ == 2


def test_predict_refuses_other_kinds_and_shapes(seq3d, ragged, texts, rng):
    X, y = seq3d
    clf = SequenceClassifier(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but SequenceClassifier is expecting 3"):
        clf.predict(X[:, :, :2])
    with pytest.raises(ValueError, match="fitted on numeric input"):
        clf.predict(texts[0])
    with pytest.raises(ValueError, match=r"fitted on sequences with 3 features a step; pass 3-D X"):
        clf.predict(X[:, :, 0])
    with pytest.raises(ValueError, match=r"holds one-feature sequences \(a 2-D array or a list of 1-D arrays"):
        clf.predict([X[0, :, 0]])  # a list of one 1-D sequence was called "a 2-D array"
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(np.full((2, 8, 3), np.nan))
    # equal-length-trained model still predicts ragged lists correctly (grouped by length)
    Xr = [rng.normal(size=(n, 3)) for n in (3, 8, 5)]
    stacked = clf.predict_proba(Xr)
    np.testing.assert_allclose(stacked[1], clf.predict_proba(Xr[1][None])[0], atol=1e-6)
    text_clf = SequenceClassifier(**TINY).fit(*texts)
    with pytest.raises(ValueError, match="fitted on text input"):
        text_clf.predict(X)
    for one in ("great joy", np.str_("great joy"), np.array("great joy"), np.array("great joy", dtype=object)):
        with pytest.raises(TypeError, match="X is a single string"):  # np.asarray's 0-d array too
            text_clf.predict(one)


def test_predict_before_fit_raises_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SequenceClassifier().predict(np.zeros((2, 3, 1)))


def test_no_warning_storm_on_a_plain_fit(seq3d):
    X, y = seq3d
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        # (without early stopping: two epochs of a falling loss would rightly say it may be undertrained)
        SequenceClassifier(**TINY, early_stopping=False).fit(X, y)


def test_without_early_stopping_every_sample_trains(seq3d):
    """Found by an exploratory run: validation_fraction was held out (and never trained on) even when no
    early stopping watched it; scikit-learn's MLP holds data out only for early stopping."""
    import keras

    X, y = seq3d

    class CountSamples(keras.callbacks.Callback):
        seen = 0

        def on_train_batch_end(self, batch, logs=None):
            CountSamples.seen += 1

    params = {**TINY, "batch_size": 1, "epochs": 1, "validation_fraction": 0.25}
    clf = SequenceClassifier(**params, early_stopping=False, callbacks=[CountSamples()]).fit(X, y)
    assert CountSamples.seen == len(X) and "val_loss" not in clf.history_
    CountSamples.seen = 0
    SequenceClassifier(**params, early_stopping=True, callbacks=[CountSamples()]).fit(X, y)
    assert CountSamples.seen == len(X) - round(0.25 * len(X))


def test_callbacks_keep_what_they_recorded_but_not_the_network(seq3d):
    """Found by a review: a callback kept the trained network after fit, so every clone of the
    estimator (scikit-learn deep-copies its parameters: GridSearchCV, cross_val_score) copied the
    network too, and pickles carried it."""
    import pickle

    import keras
    from sklearn.base import clone

    X, y = seq3d
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)  # stops after 1 epoch
    clf = SequenceClassifier(**{**TINY, "epochs": 5}, callbacks=[stop]).fit(X, y)
    assert stop.stopped_epoch == 1 and stop.model is None
    assert clone(clf).callbacks[0].model is None
    assert b"Functional" not in pickle.dumps(clf.get_params()["callbacks"])
    with pytest.raises(TypeError, match="list of keras.callbacks.Callback; got a list holding str"):
        SequenceClassifier(**TINY, callbacks=["early_stopping"]).fit(X, y)


def test_early_stopping_waits_for_enough_gradient_steps(rng):
    import keras

    from seqtune._training import MIN_STEPS_BEFORE_STOPPING, fit_model

    X = rng.normal(size=(32, 4)).astype("float32")
    y = (X[:, 0] > 0).astype("float32")

    def epochs_run(steps_per_epoch):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
        # validation labels flipped: the better the model learns, the worse the validation loss
        history = fit_model(model, x=X, y=y, validation_data=(X, 1 - y), batch_size=32, epochs=10,
                            early_stopping=True, patience=1, advice="", batches_per_epoch=steps_per_epoch)
        return len(history.history["loss"])

    assert MIN_STEPS_BEFORE_STOPPING > 10
    assert epochs_run(None) < 10  # watched from the first epoch: stops at once
    assert epochs_run(1) == 10  # one batch an epoch: 10 steps are too few to stop on


def test_early_stopping_patience_is_at_least_some_gradient_steps(rng, monkeypatch):
    import keras

    import seqtune._training as training

    X = rng.normal(size=(32, 4)).astype("float32")
    y = (X[:, 0] > 0).astype("float32")
    monkeypatch.setattr(training, "MIN_STEPS_BEFORE_STOPPING", 0)  # isolate the patience floor

    def epochs_run():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
        # validation labels flipped: the validation loss rises from the first epoch
        history = training.fit_model(model, x=X, y=y, validation_data=(X, 1 - y), batch_size=32, epochs=10,
                                     early_stopping=True, patience=1, advice="", batches_per_epoch=1)
        return len(history.history["loss"])

    assert training.MIN_PATIENCE_STEPS > 10
    assert epochs_run() == 10  # one batch an epoch: patience=1 still waits MIN_PATIENCE_STEPS steps
    monkeypatch.setattr(training, "MIN_PATIENCE_STEPS", 0)
    assert epochs_run() < 10


def test_auto_epochs_give_small_data_enough_gradient_steps(monkeypatch):
    import seqtune._training as training

    assert training.resolve_epochs("auto", 1_000) == training.AUTO_EPOCHS
    assert training.resolve_epochs("auto", 1) == training.MIN_TRAINING_STEPS
    assert training.resolve_epochs(7, 1) == 7
    # The estimator resolves "auto" from its training batches (small constants keep the fit short).
    monkeypatch.setattr(training, "AUTO_EPOCHS", 2)
    monkeypatch.setattr(training, "MIN_TRAINING_STEPS", 30)
    X = np.linspace(0, 1, 60).reshape(20, 3, 1)
    common = dict(units=2, batch_size=10, validation_fraction=0, early_stopping=False, random_state=0)
    assert SequenceRegressor(**common).fit(X, X[:, 0, 0]).n_iter_ == 15  # 2 batches an epoch
    assert SequenceRegressor(**common, epochs=3).fit(X, X[:, 0, 0]).n_iter_ == 3
    with pytest.raises(ValueError, match="epochs must be 'auto' or an int"):
        SequenceRegressor(epochs="many").fit(X, X[:, 0, 0])


def test_a_fit_still_improving_at_its_last_epoch_warns():
    from sklearn.exceptions import ConvergenceWarning

    from seqtune._training import warn_if_still_improving

    with pytest.warns(ConvergenceWarning, match="ran all 3 epochs and the validation loss was still falling"):
        warn_if_still_improving({"loss": [3.0, 2.0, 1.0], "val_loss": [3.0, 2.0, 1.0]}, epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_still_improving({"val_loss": [3.0, 1.0, 2.0]}, epochs=3)  # its best epoch was earlier
        warn_if_still_improving({"val_loss": [3.0, 2.0]}, epochs=3)  # early stopping ended it
        # converged: a loss near zero still shrinks a little each epoch, and more epochs gain nothing
        warn_if_still_improving({"val_loss": [0.7, 0.01, 9e-5, 8e-5, 7.5e-5]}, epochs=5)
    X = np.linspace(0, 1, 60).reshape(20, 3, 1)
    with pytest.warns(ConvergenceWarning, match="Raise epochs"):
        SequenceRegressor(units=4, epochs=3, learning_rate=1e-3, random_state=0).fit(X, X[:, 0, 0] * 100)


def test_xla_is_chosen_by_the_work_per_batch_shape(rng):
    from seqtune._training import JIT_MIN_WORK, JIT_WORK_PER_SHAPE, resolve_jit

    assert resolve_jit("auto", 2 * JIT_MIN_WORK) and not resolve_jit("auto", JIT_MIN_WORK / 2)
    assert not resolve_jit("auto", 5 * JIT_WORK_PER_SHAPE, shapes=6)  # each padded length compiles anew
    assert resolve_jit("auto", 7 * JIT_WORK_PER_SHAPE, shapes=6)
    assert resolve_jit(True, 1) and not resolve_jit(False, 10 * JIT_MIN_WORK)
    # The same work as one 3-D array (one shape) or as ragged sequences over many length buckets.
    lengths = np.geomspace(10, 400, 300).astype(int)
    ragged = [rng.normal(size=(n, 2)) for n in lengths]
    y = np.arange(300) % 2
    epochs = int(np.ceil(1.2 * JIT_MIN_WORK / lengths.sum()))  # enough for one shape, not for many
    est = SequenceClassifier(epochs=epochs, frame_length=1)  # work counted in steps
    est._prepare(ragged, y)
    assert not est.jit_compiled_
    dense = rng.normal(size=(300, int(lengths.mean()), 2))
    est._prepare(dense, y)
    assert est.jit_compiled_
    est.set_params(frame_length="auto")._prepare(dense, y)  # 4 steps a frame: a quarter of the work
    assert est.frame_length_ == 4 and not est.jit_compiled_


def test_a_stack_of_long_sequences_is_not_compiled(rng):
    """XLA copies an inner layer's outputs at every step of its gradient: two GRU layers trained 2.4x slower
    with XLA at 1,000 steps (bench/RESULTS.md). One layer pools inside its loop and is compiled at any length."""
    from seqtune._training import JIT_MAX_STEPS_STACKED, resolve_jit

    assert not resolve_jit("auto", 1e9, layers=2, longest=JIT_MAX_STEPS_STACKED + 1)
    assert resolve_jit("auto", 1e9, layers=2, longest=JIT_MAX_STEPS_STACKED)
    assert resolve_jit("auto", 1e9, layers=1, longest=20 * JIT_MAX_STEPS_STACKED)
    long = rng.normal(size=(20, 2 * JIT_MAX_STEPS_STACKED, 1))
    epochs = 1 + int(1e6 // long[:, :, 0].size)  # enough work for XLA
    stacked = SequenceClassifier(units=[2, 2], epochs=epochs, frame_length=1)
    stacked._prepare(long, np.arange(20) % 2)
    assert not stacked.jit_compiled_
    stacked.set_params(frame_length=4)._prepare(long, np.arange(20) % 2)  # 100 recurrent steps
    assert stacked.jit_compiled_


def test_several_fits_in_one_process_do_not_warn_about_retracing(rng):
    """Each model traces its own functions (and one a padded length): TensorFlow's note is dropped."""
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    keep = Keep()
    logging.getLogger("tensorflow").addHandler(keep)
    try:
        X = [rng.normal(size=(n, 2)) for n in [3, 9, 17, 33, 65] * 6]
        for seed in range(4):  # without the filter, TensorFlow warned from the third fit on
            SequenceClassifier(**{**TINY, "epochs": 1, "random_state": seed}).fit(X, [0, 1, 0] * 10).predict(X)
    finally:
        logging.getLogger("tensorflow").removeHandler(keep)
    assert not [m for m in seen if "retracing" in m]


@pytest.mark.parametrize("pipeline", [False, True])
def test_a_new_model_traces_its_train_step_once(rng, pipeline):
    """Keras' TensorFlow trainer created the optimizer's and metrics' variables inside the first trace
    of the train step, so TensorFlow traced it twice: a third of a small fit's time."""
    from seqtune._training import fit_model
    from seqtune.batching import repeating_dataset

    X, y = rng.normal(size=(40, 5, 2)).astype("float32"), np.arange(40) % 3
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.GRU(4), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    traced, step = [], model.train_step
    model.train_step = lambda data: traced.append(1) or step(data)
    dataset, steps = repeating_dataset((X, y), batch_size=16, shuffle=True, seed=0)
    data = {"x": dataset, "steps_per_epoch": steps, "shuffle": False} if pipeline else {"x": X, "y": y, "batch_size": 16}
    history = fit_model(model, **data, epochs=2, early_stopping=False, patience=1, advice="")
    expected = 1 if keras.backend.backend() == "tensorflow" else len(traced)
    assert len(traced) == expected and model.optimizer.iterations.numpy() == 6
    assert sorted(history.history) == ["accuracy", "loss"]  # the metric matched to the sparse labels


def test_a_fit_that_fails_leaves_the_estimator_as_it_was(rng):
    import pickle

    X = rng.normal(size=(20, 5, 2))
    clf = SequenceClassifier(**TINY).fit(X, [0, 1] * 10)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="class"):
        clf.fit(pd.DataFrame(rng.normal(size=(20, 10))), [0] * 20)  # X is valid (10 columns), y is not
    assert clf.n_features_in_ == 2 and not hasattr(clf, "feature_names_in_")
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    # A first fit that fails leaves an unfitted estimator, which pickles like one.
    text = SequenceClassifier(**TINY)
    with pytest.raises(ValueError, match="without a single word"):
        text.fit(["!!!", "??"] * 10, [0, 1] * 10)
    assert not [k for k in vars(text) if k.endswith("_")]
    assert pickle.loads(pickle.dumps(text)).get_params() == text.get_params()


def test_column_layouts_fit_and_predict_alike(rng):
    texts = pd.DataFrame({"text": ["good film", "bad film", "great plot", "awful plot"] * 5})
    y = [1, 0, 1, 0] * 5
    clf = SequenceClassifier(**TINY).fit(texts, y)  # a one-column table of text
    assert clf.input_kind_ == "text"
    np.testing.assert_array_equal(clf.predict_proba(texts), clf.predict_proba(texts["text"]))
    np.testing.assert_array_equal(clf.predict(texts.to_numpy()), clf.predict(texts["text"]))
    series = pd.Series([rng.normal(size=(n, 2)) for n in [3, 5, 4, 6] * 5])  # a Series of sequences
    reg = SequenceRegressor(**TINY).fit(series, np.arange(20.0))
    np.testing.assert_array_equal(reg.predict(series), reg.predict(list(series)))


def test_predict_errors_name_the_problem_for_the_kind_fitted():
    text = SequenceClassifier(**TINY).fit(["good day", "bad day"] * 6, [0, 1] * 6)
    for X, error, match in [([], ValueError, "X is empty"),
                            ([None, None], TypeError, "all 2 documents are missing"),
                            ([b"good day"], TypeError, "X holds bytes"),
                            (np.zeros((2, 3, 1)), ValueError, "X holds sequences, but .* fitted on text input"),
                            # ragged lists reached NumPy's "inhomogeneous shape" error
                            ([[1, 2], [3]], ValueError, "X holds sequences, but .* fitted on text input"),
                            ([np.zeros((2, 1)), np.zeros((3, 1))], ValueError, "fitted on text input")]:
        with pytest.raises(error, match=match):
            text.predict(X)


def test_numpy_float_learning_rate_is_accepted():
    X = np.random.default_rng(0).normal(size=(20, 4, 1))
    est = SequenceClassifier(**{**TINY, "learning_rate": np.float32(1e-2)}).fit(X, [0, 1] * 10)
    assert est.predict(X).shape == (20,)


def test_a_2d_fitted_model_reads_a_list_of_equal_length_rows_as_sequences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12))
    est = SequenceClassifier(**TINY).fit(X, (X.sum(axis=1) > 0).astype(int))
    longer = rng.normal(size=(3, 20))
    np.testing.assert_array_equal(est.predict_proba(list(longer)), est.predict_proba(longer[:, :, None]))
    with pytest.raises(ValueError, match="X has 20 features, but .* expecting 12 .* pass a list of 1-D arrays"):
        est.predict(longer)


class InterruptAfterOneBatch(keras.callbacks.Callback):
    """Ctrl-C in the middle of a fit, after the weights have moved."""

    def on_train_batch_end(self, batch, logs=None):
        raise KeyboardInterrupt


def test_an_interrupted_warm_start_fit_leaves_the_model_as_it_was(seq3d):
    X, y = seq3d
    warm = SequenceClassifier(warm_start=True, **TINY).fit(X, y)
    before, history = warm.predict_proba(X), warm.history_
    with pytest.raises(KeyboardInterrupt):
        warm.set_params(callbacks=[InterruptAfterOneBatch()]).fit(X, y)
    np.testing.assert_array_equal(warm.predict_proba(X), before)
    assert warm.history_ == history
    warm.set_params(callbacks=None).fit(X, y)  # and it trains on from there


def test_fits_in_threads_of_one_process_give_the_sequential_results(seq3d):
    from concurrent.futures import ThreadPoolExecutor

    X, y = seq3d
    seeds = [0, 1, 2, 3]

    def fit(seed):
        return SequenceClassifier(**{**TINY, "random_state": seed}).fit(X, y).predict_proba(X)

    sequential = [fit(seed) for seed in seeds]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(fit, seeds))
    for a, b in zip(sequential, threaded):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_standardize_sequence_reads_each_sequence_by_its_own_level_and_scale(tmp_path):
    import seqtune

    rng = np.random.default_rng(0)
    shapes = [np.sin(np.linspace(0, 6, 30)), np.sign(np.sin(np.linspace(0, 6, 30)))]
    y = np.arange(40) % 2
    gains = 10.0 ** rng.uniform(-4, 3, size=40)  # the same two shapes recorded at gains over 7 decades
    X = [(shapes[label] * gain + rng.normal(scale=0.01 * gain, size=30) + 5 * gain)[:, None]
         for label, gain in zip(y, gains)]
    with pytest.warns(UserWarning, match=r"spreads differ by up to .*standardize='sequence'"):
        SequenceClassifier(**TINY).fit(X, y)
    est = SequenceClassifier(**{**TINY, "standardize": "sequence"}).fit(X, y)
    # a sequence's prediction does not depend on its level or scale, padded among others or alone
    moved = [x * 1e3 - 7 for x in X]
    np.testing.assert_allclose(est.predict_proba(moved), est.predict_proba(X), atol=1e-4)
    # at scales whose float32 squares overflow or vanish every sequence came out flat
    for scale in (1e-20, 1e20):
        np.testing.assert_allclose(est.predict_proba([x * scale for x in X]), est.predict_proba(X), atol=1e-4)
    np.testing.assert_allclose(est.predict_proba(X[:1] + [X[1][:20]])[1], est.predict_proba([X[1][:20]])[0],
                               atol=1e-5)
    est.save(tmp_path / "m.seqtune")
    np.testing.assert_array_equal(seqtune.load(tmp_path / "m.seqtune").predict_proba(X), est.predict_proba(X))
    with pytest.raises(ValueError, match="standardize must be True, False or 'sequence'"):
        SequenceClassifier(standardize="global").fit(X, y)


def test_standardize_reads_features_on_any_scale_and_warns_when_float32_rounds_a_level_away(tmp_path):
    import seqtune

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6, 2))
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    reference = SequenceClassifier(**TINY).fit(X, y).predict_proba(X)
    # Keras' Normalization divided by at least 1e-7 (a 1e-10 feature stayed near 0) and its float32
    # variance overflowed past 1e19; the standardized inputs, hence the predictions, are the same
    for scale in (1e-10, 1e19):
        est = SequenceClassifier(**TINY).fit(X * scale, y)
        np.testing.assert_allclose(est.predict_proba(X * scale), reference, atol=1e-3)
    est.save(tmp_path / "tiny.seqtune")
    np.testing.assert_array_equal(seqtune.load(tmp_path / "tiny.seqtune").predict_proba(X * 1e19),
                                  est.predict_proba(X * 1e19))
    # a unit swing on a level of 1e6 keeps about 16 float32 values a standard deviation; on 1e8, none
    with pytest.warns(UserWarning, match=r"Feature 1 of X varies .* about 1[5-7] distinct values"):
        SequenceClassifier(**TINY).fit(X + [0.0, 1e6], y)
    with pytest.warns(UserWarning, match=r"Feature 0 of X is constant at 1e\+08 in float32"):
        SequenceClassifier(**TINY).fit(X + [1e8, 0.0], y)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Feature", category=UserWarning)
        SequenceClassifier(**TINY).fit(X + [3.0, 2020.0], y)  # a level a few thousand times the spread is fine
        SequenceClassifier(**TINY).fit(np.concatenate([X, np.full((80, 6, 1), 5.0)], axis=-1), y)  # constant
    # a swing of 1e-3 on 1e6 is rounded away entirely below 2**24 too (found by an exploratory run: no
    # warning), in a 3-D array, a 2-D array (one feature) and a list of sequences
    for tiny_swing in (X * 1e-3 + [1e6, 0.0], X[:, :, 0] * 1e-3 + 1e6, list(X * 1e-3 + [1e6, 0.0])):
        with pytest.warns(UserWarning, match=r"Feature 0 of X is constant at 1e\+06 in float32"):
            SequenceClassifier(**TINY).fit(tiny_swing, y)


def test_sequences_given_as_dataframes_are_checked_by_column_name(rng, tmp_path):
    import seqtune

    frames = [pd.DataFrame(rng.normal(size=(n, 2)), columns=["speed", "load"]) for n in (5, 6, 7) * 8]
    y = np.arange(24) % 2
    est = SequenceClassifier(**TINY).fit(frames, y)
    assert est.sequence_columns_ == ["speed", "load"]
    est.predict(frames[:2])
    with pytest.raises(ValueError, match=r"other columns than SequenceClassifier was fitted on: the same names in "
                                         r"another order, from position 0 \('load' where 'speed' was\)"):
        est.predict([f[["load", "speed"]] for f in frames[:2]])
    with pytest.raises(ValueError, match=r"2 columns against 3, 1 missing \(\['heat'\]\)"):  # (a list cut to 10 hid it)
        SequenceClassifier(**TINY).fit([f.assign(heat=1.0) for f in frames], y).predict(frames[:2])
    with pytest.raises(ValueError, match=r"X\[1\]'s columns differ from X\[0\]'s: the same names in another order"):
        SequenceClassifier(**TINY).fit([frames[0], frames[1][["load", "speed"]]] + frames[2:], y)
    est.save(tmp_path / "m")
    with pytest.raises(ValueError, match="same columns in the same order"):
        seqtune.load(tmp_path / "m").predict([f[["load", "speed"]] for f in frames[:2]])


def test_raw_text_without_tensorflow_says_what_to_install(tensorflow_absent):
    """On the JAX or torch backend TensorFlow may be absent (as on the GPU machine): Keras' own error named
    `pip install tensorflow` only after the input checks, from inside TextVectorization."""
    with pytest.raises(ImportError, match=r"raw text.*needs TensorFlow.*tensorflow-cpu.*input_type='tokens'"):
        SequenceClassifier(**TINY).fit(["good day", "bad day"] * 4, [0, 1] * 4)
