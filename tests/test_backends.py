"""seqtune on Keras' JAX and torch backends (KERAS_BACKEND=jax|torch), documented and tested options.

Keras fixes its backend when it is first imported, so the checks run in a fresh
Python process with KERAS_BACKEND set; the process asserts on real fits and prints
a line the test reads back. JAX comes with the test extra, PyTorch with the torch
extra (``pip install -e ".[cpu,test,torch]"``).
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, pickle, sys, warnings
    import numpy as np, pandas as pd, keras
    import seqtune
    from seqtune import AutoSequenceClassifier, SequenceClassifier, SequenceForecaster, SequenceRegressor

    out_dir = sys.argv[1]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 10, 3)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    clf = SequenceClassifier(units=8, epochs=3, learning_rate=3e-3, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (80, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    again = pickle.loads(pickle.dumps(clf))
    assert (again.predict_proba(X) == proba).all()
    clf.save(out_dir + "/clf.seqtune")
    assert (seqtune.load(out_dir + "/clf.seqtune").predict_proba(X) == proba).all()

    ragged = [rng.normal(size=(n, 3)) for n in rng.integers(3, 15, size=50)]
    reg = SequenceRegressor(units=8, epochs=2, random_state=0).fit(ragged, [len(s) for s in ragged])
    assert reg.predict(ragged[:4]).shape == (4,)

    texts = ["good movie", "bad film", "great plot", "awful acting"] * 10
    txt = SequenceClassifier(units=8, epochs=2, random_state=0).fit(texts, [1, 0, 1, 0] * 10)
    assert set(txt.predict(["good plot", "bad acting"])) <= {0, 1}
    txt.save(out_dir + "/txt.seqtune")
    with warnings.catch_warnings():
        # On torch, Keras warned that a loaded model, built with a list of one input, was called on a tensor.
        warnings.simplefilter("error", UserWarning)
        assert (seqtune.load(out_dir + "/txt.seqtune").predict(texts) == txt.predict(texts)).all()

    # LSTM stacks: ragged (masked) input, two bidirectional layers, pickled and reloaded.
    lstm = SequenceClassifier(cell="lstm", units=8, layers=2, bidirectional=True, dropout=0.1, epochs=2,
                              random_state=0).fit(ragged, (np.array([len(s) for s in ragged]) > 8).astype(int))
    lstm_proba = lstm.predict_proba(ragged[:5])
    assert (pickle.loads(pickle.dumps(lstm)).predict_proba(ragged[:5]) == lstm_proba).all()
    lstm.save(out_dir + "/lstm.seqtune")  # loaded by the test in its own process and backend
    with open(out_dir + "/lstm.pkl", "wb") as f:
        pickle.dump({"model": lstm, "X": ragged[:5], "proba": lstm_proba}, f)
    lstm_layers = sorted({type(layer.forward_layer).__name__ for layer in lstm.model_.layers
                          if hasattr(layer, "forward_layer")})
    gru_layers = sorted({type(layer).__name__ for est in (clf, reg) for layer in est.model_.layers
                         if "GRU" in type(layer).__name__})

    series = pd.Series(np.sin(np.arange(150) / 3), index=pd.date_range("2020-01-01", periods=150, freq="D"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fc = SequenceForecaster(horizon=5, units=4, epochs=2, n_models=2, random_state=0).fit(series)
        forecast = fc.predict()
    assert str(forecast.index[0].date()) == "2020-05-30" and np.isfinite(forecast).all()
    # the network takes one tensor, as it is called (torch warned of a list of one on every batch shape)
    assert not [w for w in caught if "structure of `inputs`" in str(w.message)]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forced = SequenceClassifier(cell="lstm", units=8, epochs=1, jit_compile=True, random_state=0).fit(X, y)
    jit_warned = any("torch.compile" in str(w.message) for w in caught)

    auto = AutoSequenceClassifier(tuner="random", max_trials=2, max_epochs=1, directory=out_dir,
                                  project_name="jax_search", verbose=0,
                                  space={"units": [4, 8], "layers": 1, "batch_size": 16}).fit(X, y)
    assert (auto.trials_["status"] == "COMPLETED").all()
    print("RESULT " + json.dumps({"backend": keras.backend.backend(), "trials": len(auto.trials_),
                                  "cell": auto.cell_choice_, "lstm_layers": lstm_layers, "gru_layers": gru_layers,
                                  "jit": bool(clf.jit_compiled_), "forced_jit": bool(forced.jit_compiled_),
                                  "jit_warned": jit_warned}))
    """
)


def _run_on(backend: str, script: str, *args) -> dict:
    """Run ``script`` under ``KERAS_BACKEND=backend``; the dict it printed after "RESULT "."""
    pytest.importorskip({"jax": "jax", "torch": "torch"}[backend],
                        reason=f"install the {backend} extra: pip install -e '.[cpu,test,{backend}]'")
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, "-c", script, *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.mark.slow  # a fresh interpreter compiling every model: 1.5 to 3 minutes on 2 cores
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_estimators_forecaster_and_search_run_on_the_backend(backend, tmp_path):
    result = _run_on(backend, SCRIPT, tmp_path)
    assert result["backend"] == backend and result["trials"] == 2
    assert result["jit"] == (backend == "jax")  # "auto" always compiles on JAX, even a small fit
    # jit_compile=True: compiled on JAX; on torch, training stays eager and a warning says why
    assert result["forced_jit"] == (backend == "jax") and result["jit_warned"] == (backend == "torch")
    # On torch the recurrent layers run PyTorch's fused kernels; elsewhere they are Keras' own.
    assert result["lstm_layers"] == (["FusedLSTM"] if backend == "torch" else ["LSTM"])
    assert result["gru_layers"] == (["FusedGRU"] if backend == "torch" else ["GRU"])
    # What was saved there loads here, in another process on the default backend (FusedLSTM included).
    import pickle

    import numpy as np

    import seqtune

    with open(tmp_path / "lstm.pkl", "rb") as f:
        saved = pickle.load(f)
    for model in (saved["model"], seqtune.load(tmp_path / "lstm.seqtune")):
        np.testing.assert_allclose(model.predict_proba(saved["X"]), saved["proba"], atol=1e-5)


FUSED_SCRIPT = textwrap.dedent(
    """
    import itertools, json
    import numpy as np, keras, torch
    import seqtune._fused_rnn as fused
    import seqtune._torch_rnn as kernels
    from seqtune._layers import NaNPaddingMask

    calls = []
    run = kernels.run
    kernels.run = lambda *a, **k: calls.append(1) or run(*a, **k)  # count the fused-kernel calls
    contiguous = []  # whether each call gave PyTorch's kernel contiguous weights (cuDNN reads them through views)
    for name in ("lstm", "gru"):
        def spy(*args, _kernel=getattr(torch, name)):
            weights = next(a for a in args if isinstance(a, list))
            contiguous.append(all(w.is_contiguous() for w in weights))
            return _kernel(*args)
        setattr(torch, name, spy)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 9, 3)).astype("float32")
    padded = X.copy()
    for row, length in enumerate([9, 4, 1, 7, 9, 2]):
        padded[row, length:] = np.nan  # seqtune's padding: NaN after each sequence's end

    def model(rnn, *, bidirectional, sequences, masked, backwards):
        inputs = keras.Input((None, 3))
        x = NaNPaddingMask()(inputs) if masked else inputs
        layer = rnn(5, return_sequences=sequences, go_backwards=backwards)
        x = (keras.layers.Bidirectional(layer) if bidirectional else layer)(x)
        if sequences:
            x = keras.layers.LSTM(4)(x)
        return keras.Model(inputs, keras.layers.Dense(2)(x))

    worst, cases = 0.0, 0
    pairs = [(keras.layers.LSTM, fused.FusedLSTM), (keras.layers.GRU, fused.FusedGRU)]
    for (keras_layer, fused_layer), bidirectional in itertools.product(pairs, (False, True)):
        for sequences in (False, True):
            for masked in (False, True):
                for backwards in ((False,) if bidirectional else (False, True)):
                    options = dict(bidirectional=bidirectional, sequences=sequences, masked=masked,
                                   backwards=backwards)
                    keras.utils.set_random_seed(0)
                    reference = model(keras_layer, **options)
                    candidate = model(fused_layer, **options)
                    candidate.set_weights(reference.get_weights())
                    data = padded if masked else X
                    outputs = [m(data) for m in (reference, candidate)]
                    for out in outputs:
                        (out ** 2).sum().backward()
                    grads = [[w.value.grad for w in m.trainable_weights] for m in (reference, candidate)]
                    worst = max([worst, float((outputs[0] - outputs[1]).abs().max())]
                                + [float((a - b).abs().max()) for a, b in zip(*grads)])
                    cases += 1
    print("RESULT " + json.dumps({"worst": worst, "cases": cases, "fused_calls": len(calls),
                                  "contiguous": contiguous}))
    """
)


@pytest.mark.slow  # needs the torch extra; about 15 s
def test_fused_lstm_and_gru_match_keras_outputs_and_gradients():
    result = _run_on("torch", FUSED_SCRIPT)
    assert result["cases"] == 24
    assert result["worst"] < 1e-5  # outputs and every weight's gradient, masked or not, both directions
    # every case ran the fused kernel (bidirectional layers call it twice), none fell back to Keras' loop
    assert result["fused_calls"] == 32
    # Transposed (non-contiguous) weights ran on the CPU but failed in cuDNN on an H200 (bench/bench_gpu.py).
    assert result["contiguous"] == [True] * 32


LOAD_ON_TORCH = textwrap.dedent(
    """
    import json, pickle, sys
    import seqtune
    folder = sys.argv[1]
    loaded = [seqtune.load(folder + "/xla.seqtune"), pickle.load(open(folder + "/xla.pkl", "rb")),
              seqtune.load(folder + "/fc.seqtune")]
    print("RESULT " + json.dumps([[bool(e.jit_compiled_), bool(e.model_.jit_compile)] for e in loaded]))
    """
)


@pytest.mark.slow
def test_a_model_compiled_with_xla_loads_uncompiled_on_torch(tmp_path):
    """torch.compile fails or recompiles batch after batch on these models (see resolve_jit)."""
    import pickle

    import numpy as np
    import pandas as pd

    from seqtune import SequenceClassifier, SequenceForecaster

    X = np.random.default_rng(0).normal(size=(40, 6, 2))
    clf = SequenceClassifier(units=4, epochs=1, jit_compile=True, random_state=0).fit(X, np.arange(40) % 2)
    assert clf.jit_compiled_
    clf.save(tmp_path / "xla.seqtune")
    with open(tmp_path / "xla.pkl", "wb") as f:
        pickle.dump(clf, f)
    series = pd.Series(np.sin(np.arange(120) / 3))
    SequenceForecaster(horizon=3, units=4, epochs=1, n_models=1, jit_compile=True, random_state=0).fit(
        series).save(tmp_path / "fc.seqtune")
    assert _run_on("torch", LOAD_ON_TORCH, tmp_path) == [[False, False]] * 3


TENSORFLOW_ONLY_OPTIONS = textwrap.dedent(
    """
    import json, os
    if os.environ["KERAS_BACKEND"] == "torch":
        import torch._dynamo  # before TensorFlow: the other order crashes in PyTorch's import (README)
    import numpy as np, tensorflow as tf
    from seqtune import SequenceClassifier

    errors = {}
    for name, option in {"strategy": {"distribution_strategy": tf.distribute.get_strategy()},
                         "steps": {"compile__steps_per_execution": 4}}.items():
        try:
            SequenceClassifier(units=4, epochs=1, **option).fit(np.zeros((8, 3, 1)), [0, 1] * 4)
            errors[name] = None
        except ValueError as exc:
            errors[name] = str(exc)
    print("RESULT " + json.dumps(errors))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_options_the_backend_cannot_run_are_refused_before_training(backend):
    """A tf.distribute strategy trained on one device with its replicas' batch; steps_per_execution failed
    inside Keras' torch trainer after the model was built."""
    errors = _run_on(backend, TENSORFLOW_ONLY_OPTIONS)
    assert f"runs Keras on '{backend}'" in errors["strategy"]
    if backend == "torch":
        assert "must be 1 on Keras' torch backend" in errors["steps"]
    else:
        assert errors["steps"] is None
