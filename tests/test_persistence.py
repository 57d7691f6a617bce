"""pickle / joblib / save / load: identical predictions, safe loading, atomic writes, clear errors."""

import io
import pickle
import warnings
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest

import seqtune
from seqtune import SequenceClassifier, SequenceRegressor
from tests.conftest import TINY


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6, 2))
    y = np.array(["a", "b"] * 20)
    Xr = [rng.normal(size=(int(n), 2)) for n in rng.integers(2, 12, size=40)]
    texts = ["good day", "bad day", "good good", "bad bad"] * 10
    return {
        "dense": (SequenceClassifier(**TINY).fit(X, y), X),
        "ragged": (SequenceClassifier(**TINY).fit(Xr, y), Xr),
        "framed": (SequenceClassifier(frame_length=3, **TINY).fit(Xr, y), Xr),
        "text": (SequenceClassifier(**TINY).fit(texts, y), texts),
        "regressor": (SequenceRegressor(**TINY).fit(X, np.arange(40.0)), X),
    }


@pytest.mark.parametrize("kind", ["dense", "ragged", "framed", "text", "regressor"])
def test_pickle_joblib_and_save_give_identical_predictions(fitted, kind, tmp_path):
    est, X = fitted[kind]
    expected = est.predict(X)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), expected)
    joblib.dump(est, tmp_path / "est.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "est.joblib").predict(X), expected)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.save(tmp_path / "est.seqtune")
    # Keras reading TensorFlow's variables warned of NumPy 2's copy keyword on every save.
    assert not [w for w in caught if "copy keyword" in str(w.message)]
    loaded = seqtune.load(tmp_path / "est.seqtune")
    np.testing.assert_array_equal(loaded.predict(X), expected)
    assert type(loaded) is type(est)
    assert loaded.get_params() == {k: v for k, v in est.get_params().items()}
    if kind != "regressor":
        np.testing.assert_array_equal(loaded.classes_, est.classes_)


def test_save_keeps_parameters_json_cannot_hold(tmp_path):
    """Optimizer classes and configured instances, dicts keyed by class, RandomState, tuples."""
    import keras
    from sklearn.base import clone

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 6, 2)), np.array([0, 1] * 20)
    cases = {
        "optimizer_class": dict(optimizer=keras.optimizers.SGD),
        "optimizer_instance": dict(optimizer=keras.optimizers.SGD(momentum=0.9, nesterov=True)),
        "class_weight": dict(class_weight={0: 1.0, 1: 3.0}),
        "random_state": dict(random_state=np.random.RandomState(3)),
        "tuple_units": dict(units=(4, 3)),
    }
    for name, params in cases.items():
        est = SequenceClassifier(**{**TINY, **params}).fit(X, y)
        est.save(tmp_path / f"{name}.seqtune")
        loaded = seqtune.load(tmp_path / f"{name}.seqtune")
        np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
        (key, given), = params.items()
        kept = loaded.get_params()[key]
        if isinstance(given, keras.optimizers.Optimizer):
            assert type(kept) is type(given) and kept.get_config() == given.get_config(), name
        elif isinstance(given, np.random.RandomState):
            assert kept.randint(1 << 30) == given.randint(1 << 30), name
        else:
            assert kept == given and type(kept) is type(given), name
        if name in ("class_weight", "optimizer_instance"):
            clone(loaded).fit(X, y)  # refits with the same settings (class_weight keys were strings once)


def test_saved_text_model_takes_strings(fitted, tmp_path):
    import keras

    est, texts = fitted["text"]
    est.save(tmp_path / "text.seqtune")
    with zipfile.ZipFile(tmp_path / "text.seqtune") as zf:
        (tmp_path / "model.keras").write_bytes(zf.read("model.keras"))
    model = keras.saving.load_model(tmp_path / "model.keras")
    out = np.asarray(model.predict_on_batch(np.array([["good day"], ["bad bad"]])))
    np.testing.assert_allclose(out[:, 0], est.predict_proba(["good day", "bad bad"])[:, 1], atol=1e-6)
    # texts the estimator cuts (beyond max_length) or reads as one unknown token (no word at all)
    short = SequenceClassifier(**TINY, max_length=4).fit(texts, [0, 1] * 20)
    short.save(tmp_path / "short.seqtune")
    with zipfile.ZipFile(tmp_path / "short.seqtune") as zf:
        (tmp_path / "short.keras").write_bytes(zf.read("model.keras"))
    model = keras.saving.load_model(tmp_path / "short.keras")
    probe = ["good day", "", "!!!", "bad " * 9 + "good", "good good good good bad bad bad"]
    out = np.asarray(model.predict_on_batch(np.array(probe)[:, None]))
    np.testing.assert_allclose(out[:, 0], short.predict_proba(probe)[:, 1], atol=1e-6)
    out = np.asarray(model.predict_on_batch(np.array([[""], ["?"]])))  # a batch without a single word
    np.testing.assert_allclose(out[:, 0], short.predict_proba(["", "?"])[:, 1], atol=1e-6)


def test_unfitted_estimator_pickles(tmp_path):
    est = pickle.loads(pickle.dumps(SequenceClassifier(units=3, compile__steps_per_execution=2)))
    assert est.get_params()["units"] == 3 and est.get_params()["compile__steps_per_execution"] == 2


def test_load_refuses_code_execution_unless_opted_in(fitted, tmp_path):
    """A model with a Lambda layer needs code execution to load: refused by default."""
    import keras

    from seqtune.persistence import model_to_bytes, read_bundle, write_bundle

    est, X = fitted["dense"]
    est.save(tmp_path / "ok.seqtune")
    meta, arrays, _ = read_bundle(tmp_path / "ok.seqtune")
    inputs = keras.Input((None, 2))
    x = keras.layers.Lambda(lambda t: t * 1.0)(inputs)
    x = keras.layers.GRU(4)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    evil = keras.Model(inputs, outputs)
    write_bundle(tmp_path / "evil.seqtune", meta=meta, arrays=arrays, model_bytes=model_to_bytes(evil))
    with pytest.raises(ValueError, match="unsafe=True"):
        seqtune.load(tmp_path / "evil.seqtune")
    assert seqtune.load(tmp_path / "evil.seqtune", unsafe=True).predict(X).shape == (40,)


def test_foreign_or_corrupt_files_give_clear_errors_and_are_kept(tmp_path):
    junk = tmp_path / "junk.seqtune"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="not a seqtune estimator file"):
        seqtune.load(junk)
    assert junk.read_bytes() == b"not a zip at all"
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="not a complete seqtune estimator file"):
        seqtune.load(other)
    with pytest.raises(FileNotFoundError):
        seqtune.load(tmp_path / "missing.seqtune")


def test_a_file_whose_inner_model_is_not_keras_is_named_so_and_home_is_expanded(fitted, tmp_path, monkeypatch):
    est, _ = fitted["dense"]
    monkeypatch.setenv("HOME", str(tmp_path))
    est.save("~/model.seqtune")  # in the home folder, not a folder named "~"
    assert (tmp_path / "model.seqtune").is_file() and not (Path.cwd() / "~").exists()
    assert type(seqtune.load("~/model.seqtune")) is type(est)
    with zipfile.ZipFile(tmp_path / "model.seqtune") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("notes.txt", "not a model")
    with zipfile.ZipFile(tmp_path / "odd.seqtune", "w") as zf:
        for name, data in {**parts, "model.keras": inner.getvalue()}.items():
            zf.writestr(name, data)
    with pytest.raises(ValueError, match="odd.seqtune is a damaged seqtune estimator file: its model.keras is a zip "
                                         "archive but not a Keras model"):
        seqtune.load(tmp_path / "odd.seqtune")  # (it said the fitted state lacked "config.json")


def test_save_is_atomic_and_leaves_no_temporary_files(fitted, tmp_path):
    est, _ = fitted["dense"]
    target = tmp_path / "model.seqtune"
    target.write_bytes(b"previous good file")
    est.save(target)
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.seqtune"]
    with pytest.raises(ValueError, match="does not exist"):
        est.save(tmp_path / "no" / "such" / "dir.seqtune")
    with pytest.raises(ValueError, match="it is a folder; give a file name"):
        est.save(tmp_path)
    with pytest.raises(ValueError, match="it names a folder; give a file name"):  # written as a file named new
        est.save(f"{tmp_path}/new/")
    (tmp_path / "link.seqtune").symlink_to(tmp_path / "gone" / "m.seqtune")
    with pytest.raises(FileNotFoundError, match=r"Cannot write .*gone/m.seqtune: folder .*gone does not exist"):
        est.save(tmp_path / "link.seqtune")  # (the message named seqtune's temporary file)
    (tmp_path / "link.seqtune").unlink()
    for not_a_path in (io.BytesIO(), None):
        with pytest.raises(TypeError, match="save's path must be a file path"):
            est.save(not_a_path)
        with pytest.raises(TypeError, match="load's path must be a file path"):
            seqtune.load(not_a_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.seqtune"]


def test_a_file_naming_another_class_or_its_parameters_is_refused_clearly(fitted, tmp_path):
    from seqtune.persistence import read_bundle, write_bundle

    est, _ = fitted["dense"]
    est.save(tmp_path / "ok.seqtune")
    meta, arrays, model_bytes = read_bundle(tmp_path / "ok.seqtune")
    for name in ("seqtune.cli.main", "seqtune.nosuch.X", "seqtune.estimators.NoSuchClass", "seqtune.pareto.np"):
        write_bundle(tmp_path / "odd.seqtune", meta={**meta, "class": name}, arrays=arrays, model_bytes=model_bytes)
        with pytest.raises(ValueError, match="which is not a seqtune estimator"):
            seqtune.load(tmp_path / "odd.seqtune")
    # a forecaster's class on a classifier's parameters
    write_bundle(tmp_path / "odd.seqtune", meta={**meta, "class": "seqtune.forecasting.SequenceForecaster"},
                 arrays=arrays, model_bytes=model_bytes)
    with pytest.raises(ValueError, match="damaged: SequenceForecaster has no parameter.*class_weight"):
        seqtune.load(tmp_path / "odd.seqtune")
    # Damaged members inside an intact zip gave Keras' "File not found: filepath=/tmp/...", a bare KeyError,
    # and NumPy's advice to allow pickle.
    for damage, match in [({"model_bytes": b"not a keras file"}, r"model.keras is not a Keras file"),
                          ({"model_bytes": model_bytes[: len(model_bytes) // 2]}, r"model.keras is not a Keras file"),
                          ({"meta": {**meta, "state": {}}}, r"its fitted state lacks '\w+'"),
                          ({}, r"arrays.npz: not NumPy arrays\)\.$")]:
        write_bundle(tmp_path / "odd.seqtune", **{"meta": meta, "arrays": arrays, "model_bytes": model_bytes, **damage})
        if not damage:  # arrays.npz rewritten as bytes that are not an .npz
            with zipfile.ZipFile(tmp_path / "ok.seqtune") as src, zipfile.ZipFile(tmp_path / "odd.seqtune", "w") as zf:
                for name in src.namelist():
                    zf.writestr(name, b"zz" if name == "arrays.npz" else src.read(name))
        with pytest.raises(ValueError, match=f"odd.seqtune is a damaged seqtune estimator file.*{match}"):
            seqtune.load(tmp_path / "odd.seqtune")


def test_callbacks_that_cannot_be_pickled_are_left_out_with_a_warning(tmp_path):
    import keras

    X = np.random.default_rng(0).normal(size=(20, 4, 1))
    logger = keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    clf = SequenceClassifier(units=2, epochs=1, callbacks=[logger], random_state=0).fit(X, [0, 1] * 10)
    with pytest.warns(UserWarning, match="callbacks could not be pickled"):
        data = pickle.dumps(clf)
    back = pickle.loads(data)
    assert back.callbacks is None and clf.callbacks == [logger]
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))


def test_text_with_control_characters_round_trips(tmp_path):
    # \x85 (Windows-1252 "..." read as Latin-1) and \x1c break a line where Keras reads a vocabulary
    # file back: they are spaces to the standardization, so no word holds them.
    texts = ["wait\x85 what", "foo\x1cbar baz", "good day", "bad day"] * 6
    est = SequenceClassifier(**TINY).fit(texts, [0, 1, 0, 1] * 6)
    assert not any(ch in word for word in est.vectorizer_.get_vocabulary() for ch in "\x85\x1c")
    est.save(tmp_path / "text.seqtune")
    loaded = seqtune.load(tmp_path / "text.seqtune")
    assert loaded.vectorizer_.get_vocabulary() == est.vectorizer_.get_vocabulary()
    np.testing.assert_array_equal(loaded.predict_proba(texts), est.predict_proba(texts))


def test_save_keeps_links_permissions_and_takes_long_names(fitted, tmp_path):
    import os

    est, X = fitted["dense"]
    long_name = tmp_path / ("m" * 245 + ".seqtune")  # within the 255-byte limit; a temp name built on it was not
    est.save(long_name)
    np.testing.assert_array_equal(seqtune.load(long_name).predict(X), est.predict(X))
    umask = os.umask(0o022)
    try:
        est.save(tmp_path / "new.seqtune")
        assert (tmp_path / "new.seqtune").stat().st_mode & 0o777 == 0o644
        (tmp_path / "shared.seqtune").write_bytes(b"old")
        (tmp_path / "shared.seqtune").chmod(0o664)
        est.save(tmp_path / "shared.seqtune")
        assert (tmp_path / "shared.seqtune").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(umask)
    (tmp_path / "models").mkdir()
    (tmp_path / "current.seqtune").symlink_to(tmp_path / "models" / "v1.seqtune")
    est.save(tmp_path / "current.seqtune")
    assert (tmp_path / "current.seqtune").is_symlink() and zipfile.is_zipfile(tmp_path / "models" / "v1.seqtune")


def test_keras_losses_and_metrics_given_to_compile_are_saved(tmp_path):
    import keras

    X, y = np.random.default_rng(0).normal(size=(40, 5, 1)), [0, 1] * 20
    est = SequenceClassifier(**TINY, compile__metrics=[keras.metrics.AUC(name="auc")],
                             compile__loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1)).fit(X, y)
    est.save(tmp_path / "m.seqtune")
    loaded = seqtune.load(tmp_path / "m.seqtune")
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    loss = loaded.get_params()["compile__loss"]
    assert isinstance(loss, keras.losses.BinaryCrossentropy) and loss.get_config()["label_smoothing"] == 0.1
    assert "auc" in loaded.fit(X, y).history_
    with pytest.raises(TypeError, match=r"save\(\) cannot store the parameter compile__loss=.*pickle"):
        SequenceClassifier(**TINY, compile__loss=lambda t, p: (t - p) ** 2).fit(X, y).save(tmp_path / "f.seqtune")


def test_pickles_and_cut_files_are_named_as_such(fitted, tmp_path):
    est, _ = fitted["dense"]
    joblib.dump(est, tmp_path / "est.joblib")
    with pytest.raises(ValueError, match="is a pickle .*joblib.load"):
        seqtune.load(tmp_path / "est.joblib")
    est.save(tmp_path / "whole.seqtune")
    data = (tmp_path / "whole.seqtune").read_bytes()
    for fraction in (0.5, 0.998):
        cut = tmp_path / f"cut{fraction}.seqtune"
        cut.write_bytes(data[: int(len(data) * fraction)])
        with pytest.raises(ValueError, match="truncated"):
            seqtune.load(cut)


def _saved_weight_names(path) -> list:
    import io

    import h5py

    with zipfile.ZipFile(path) as outer, zipfile.ZipFile(io.BytesIO(outer.read("model.keras"))) as inner:
        weights = h5py.File(io.BytesIO(inner.read("model.weights.h5")), "r")
        names = []
        weights.visit(names.append)
        return names


@pytest.mark.parametrize("kind", ["dense", "text"])
def test_saved_files_leave_out_the_optimizer_state_loading_would_discard(fitted, kind, tmp_path):
    est, X = fitted[kind]
    est.save(tmp_path / "m.seqtune")
    names = _saved_weight_names(tmp_path / "m.seqtune")
    assert names and not [n for n in names if "optimizer" in n]
    np.testing.assert_array_equal(seqtune.load(tmp_path / "m.seqtune").predict_proba(X), est.predict_proba(X))


def test_writing_into_a_read_only_folder_names_the_destination(tmp_path):
    """The error named seqtune's hidden temporary file (.seqtune-xxxx.tmp), not the file being saved."""
    import subprocess
    import sys

    from tests.conftest import as_plain_user

    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    code = ("from seqtune.persistence import atomic_write_bytes\n"
            "try:\n    atomic_write_bytes(__import__('sys').argv[1], b'x')\n"
            "except PermissionError as exc:\n    print(exc)\n")
    try:
        result = subprocess.run(as_plain_user([sys.executable, "-c", code, str(folder / "m.seqtune")]),
                                capture_output=True, text=True, timeout=60, check=True)
    finally:
        folder.chmod(0o755)
    assert f"Cannot write {folder / 'm.seqtune'}: permission denied" in result.stdout, result.stdout + result.stderr
    assert not list(folder.iterdir())
