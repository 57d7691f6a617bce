"""Ctrl-C during a search: raised where it arrives, or kept until the next batch where Python would lose it."""

import gc
import os
import signal
import sys
import time

import pytest

from seqtune._interrupts import interrupts_kept, raise_if_interrupted
from seqtune.tuning import InterruptCheck


@pytest.fixture(autouse=True)
def ctrl_c_handled():
    """Python's own Ctrl-C handler, whatever pytest was started with (a background job ignores SIGINT)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def _ctrl_c_inside_a_gc_callback() -> bool:
    """Send SIGINT while a garbage-collection callback runs, as JAX's does; whether it was sent."""
    fired = []

    def interrupt_inside(phase, info):
        if phase == "start" and not fired:
            fired.append(True)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10_000):  # Python runs the signal handler here, inside the callback
                pass

    gc.callbacks.append(interrupt_inside)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(interrupt_inside)
    return bool(fired)


def test_a_ctrl_c_inside_a_gc_callback_is_raised_at_the_next_training_batch(monkeypatch):
    """JAX registers a gc callback: a KeyboardInterrupt raised in it was printed as "Exception ignored" and lost,
    and `seqtune tune` ran its search to the end."""
    lost = []
    monkeypatch.setattr(sys, "unraisablehook", lost.append)
    with interrupts_kept():
        assert _ctrl_c_inside_a_gc_callback() and not lost  # not raised inside the callback, where Python drops it
        with pytest.raises(KeyboardInterrupt):
            InterruptCheck().on_train_batch_end(0)
    raise_if_interrupted()  # forgotten once the search is over: nothing raised


def test_a_ctrl_c_elsewhere_is_raised_where_it_arrives():
    with interrupts_kept(), pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler before is back


def test_a_process_that_ignores_ctrl_c_keeps_ignoring_it():
    """Started in the background of a script or with nohup: the search installed its handler over the ignore,
    and a SIGINT meant for the script stopped it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with interrupts_kept():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)
    raise_if_interrupted()  # nothing was recorded either
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_ctrl_c_lost_in_the_refit_is_raised_and_the_earlier_fit_kept(tmp_path):
    """A Ctrl-C during an Auto* search's final refit was lost where a gc callback swallowed it (the fit ended
    normally), and a refit that raised left the estimator half-updated: the new search's results beside an
    unfitted best_estimator_, the earlier fit's model gone."""
    import keras
    import numpy as np

    from seqtune import AutoSequenceClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6, 2)).astype("float32")
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)

    class CtrlCInTheRefit(keras.callbacks.Callback):
        trainings = 0  # 1: the new search's trial, 2: its refit

        def on_train_begin(self, logs=None):
            CtrlCInTheRefit.trainings += 1
            if CtrlCInTheRefit.trainings == 2:
                assert _ctrl_c_inside_a_gc_callback()

    settings = dict(tuner="random", max_trials=1, max_epochs=1, space={"units": 4, "layers": 1}, directory=tmp_path,
                    verbose=0, seed=0)
    auto = AutoSequenceClassifier(**settings).fit(X, y)
    before, proba = dict(vars(auto)), auto.predict_proba(X)
    auto.set_params(estimator_params={"callbacks": [CtrlCInTheRefit()]})
    with pytest.raises(KeyboardInterrupt):
        auto.fit(X[::-1], y[::-1])
    assert CtrlCInTheRefit.trainings == 2
    assert {key: value for key, value in vars(auto).items() if key.endswith("_")} == {
        key: value for key, value in before.items() if key.endswith("_")}
    np.testing.assert_array_equal(auto.predict_proba(X), proba)
