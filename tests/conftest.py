"""Shared fixtures: tiny, seeded data so every test trains real (small) Keras models fast."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from hypothesis import settings

# The default run draws the same examples every time, so a CI result can be reproduced;
# HYPOTHESIS_PROFILE=explore draws new examples each run, to look for new failures.
settings.register_profile("reproducible", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def seq3d(rng):
    """60 sequences of 8 steps x 3 features; the label is the sign of feature 0's sum."""
    X = rng.normal(size=(60, 8, 3)).astype("float32")
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    return X, y


@pytest.fixture
def ragged(rng):
    """50 sequences of 3 to 20 steps x 2 features, string labels."""
    X = [rng.normal(size=(int(n), 2)) for n in rng.integers(3, 21, size=50)]
    y = np.array(["up" if x[:, 0].mean() > 0 else "down" for x in X])
    return X, y


@pytest.fixture
def lstm_op_calls(monkeypatch):
    """One entry each time a layer traces TensorFlow's fused LSTM op (seqtune._tf_rnn.block_lstm)."""
    from seqtune import _tf_rnn

    calls = []
    run = _tf_rnn.block_lstm
    monkeypatch.setattr(_tf_rnn, "block_lstm", lambda *a, **k: calls.append(1) or run(*a, **k))
    return calls


@pytest.fixture
def texts():
    good = ["good movie great fun", "great acting good story", "fun and good"]
    bad = ["bad film awful plot", "awful boring bad", "terrible and bad"]
    X = (good + bad) * 8
    y = (["pos"] * 3 + ["neg"] * 3) * 8
    return X, np.array(y)


TINY = dict(units=4, epochs=2, batch_size=16, random_state=0)


def as_plain_user(command: list) -> list:
    """``command`` run so that file permissions apply to it: root (as CI may run) writes into read-only
    folders unless ``setpriv`` drops its override capabilities."""
    import shutil

    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): read-only folders cannot be made")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, "--bounding-set", drop, "--inh-caps", drop, *command]


@pytest.fixture
def tensorflow_absent(monkeypatch):
    """``importlib.util.find_spec("tensorflow")`` finds nothing, as where only JAX or torch is installed."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorflow" else real(name, *a))
