"""seqtune on Keras' JAX backend (KERAS_BACKEND=jax), a documented and tested option.

Keras fixes its backend when it is first imported, so the checks run in a fresh
Python process with KERAS_BACKEND=jax; the process asserts on real fits and prints
a line the test reads back.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")  # installed by the test extra

SCRIPT = textwrap.dedent(
    """
    import json, pickle, sys
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

    series = pd.Series(np.sin(np.arange(150) / 3), index=pd.date_range("2020-01-01", periods=150, freq="D"))
    fc = SequenceForecaster(horizon=5, units=4, epochs=2, n_models=2, random_state=0).fit(series)
    forecast = fc.predict()
    assert str(forecast.index[0].date()) == "2020-05-30" and np.isfinite(forecast).all()

    auto = AutoSequenceClassifier(tuner="random", max_trials=2, max_epochs=1, directory=out_dir,
                                  project_name="jax_search", verbose=0,
                                  space={"units": [4, 8], "layers": 1, "batch_size": 16}).fit(X, y)
    assert (auto.trials_["status"] == "COMPLETED").all()
    print("RESULT " + json.dumps({"backend": keras.backend.backend(), "trials": len(auto.trials_),
                                  "cell": auto.cell_choice_}))
    """
)


@pytest.mark.slow  # a fresh interpreter with JAX compiling every model: about 1.5 minutes on 2 cores
def test_estimators_forecaster_and_search_run_on_the_jax_backend(tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result["backend"] == "jax" and result["trials"] == 2
