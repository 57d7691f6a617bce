"""Several batches a call of Keras' train step (``steps_per_execution``), where seqtune sets it: the same
training as one batch a call, never a step more or less."""

import keras
import numpy as np
import pytest

from seqtune import SequenceClassifier
from seqtune._training import (MAX_STEPS_PER_EXECUTION, acts_on_every_batch, steps_per_execution,
                               validation_batch_size)

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="set on TensorFlow only")


@pytest.fixture(autouse=True)
def short_fits_too(monkeypatch):
    """These fits are far shorter than the ones seqtune runs several batches a call for."""
    from seqtune import _training

    monkeypatch.setattr(_training, "MIN_BATCHES_FOR_SEVERAL_A_CALL", 1)


class EveryBatch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


class EveryEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        pass


def test_the_batches_a_call_divide_every_epoch_that_a_pipeline_fixes():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    assert steps_per_execution(model, {"steps_per_epoch": 64}) == 8
    assert steps_per_execution(model, {"steps_per_epoch": 58}) == 2
    assert steps_per_execution(model, {"steps_per_epoch": 64, "validation_steps": 7}) == 1
    assert steps_per_execution(model, {"steps_per_epoch": 48, "validation_steps": 6}) == 6
    assert steps_per_execution(model, {"x": np.zeros((10, 3)), "batch_size": 4}) == 8  # Keras ends the epoch
    assert acts_on_every_batch(EveryBatch()) and not acts_on_every_batch(EveryEpoch())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("validation", [False, True])
def test_several_batches_a_call_train_as_one_a_call_does(validation):
    """An epoch of 8 batches: 8 a call (the 16 validation rows in 8 batches of 2, not 2 of 8, which would allow
    2 a call); the same number of optimizer steps, losses and predictions as ``compile__steps_per_execution=1``."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80 if validation else 64, 6, 2)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    options = dict(cell="gru", units=4, epochs=3, batch_size=8, random_state=0, early_stopping=validation,
                   validation_fraction=0.2)
    several = SequenceClassifier(**options).fit(X, y)
    one = SequenceClassifier(**options, compile__steps_per_execution=1).fit(X, y)
    assert several.model_.steps_per_execution == 8 and one.model_.steps_per_execution == 1
    assert several.model_.optimizer.iterations.numpy() == one.model_.optimizer.iterations.numpy() == 3 * 8
    np.testing.assert_allclose(several.history_["loss"], one.history_["loss"], rtol=1e-5)
    if validation:  # the mean over the validation rows, however they are batched
        np.testing.assert_allclose(several.history_["val_loss"], one.history_["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(several.predict_proba(X), one.predict_proba(X), atol=1e-5)


def test_an_epoch_that_does_not_divide_and_a_callback_of_every_batch_get_one_a_call():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(56, 6, 2)).astype("float32")  # 7 batches of 8
    y = np.arange(56) % 2
    options = dict(cell="gru", units=4, epochs=2, batch_size=8, random_state=0, early_stopping=False)
    clf = SequenceClassifier(**options).fit(X, y)
    assert clf.model_.steps_per_execution == 7 and clf.model_.optimizer.iterations.numpy() == 14
    counter = EveryBatch()
    clf = SequenceClassifier(**options, callbacks=[counter]).fit(X, y)
    assert clf.model_.steps_per_execution == 1 and counter.batches == 14  # called after every batch
    for steps in (2, 8):  # the user's choice stands, and an epoch still ends after its 7 batches
        clf = SequenceClassifier(**options, compile__steps_per_execution=steps).fit(X, y)
        assert clf.model_.steps_per_execution == steps and clf.model_.optimizer.iterations.numpy() == 14


def test_a_short_fit_runs_one_batch_a_call(monkeypatch):
    """Tracing several batches a call takes longer; a fit of fewer batches than repay it keeps one."""
    from seqtune import _training

    monkeypatch.setattr(_training, "MIN_BATCHES_FOR_SEVERAL_A_CALL", 128)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 6, 2)).astype("float32")
    y = np.arange(64) % 2
    options = dict(cell="gru", units=4, batch_size=8, random_state=0, early_stopping=False)
    assert SequenceClassifier(**options, epochs=2).fit(X, y).model_.steps_per_execution == 1  # 16 batches
    assert SequenceClassifier(**options, epochs=16).fit(X, y).model_.steps_per_execution == 8  # 128


def _batches_a_call(*counts):
    return max(d for d in range(1, MAX_STEPS_PER_EXECUTION + 1) if all(c % d == 0 for c in counts))


def test_a_validation_batch_size_is_chosen_for_several_batches_a_call():
    assert validation_batch_size(200, 32, 57) == 23  # 9 batches against 57 (3 a call); 7 of 32 allowed 1
    assert validation_batch_size(101, 32, 64) == 13  # 8 batches: 8 a call
    assert validation_batch_size(64, 32, 64) == 8  # 8 batches of 8 allow 8 a call, 2 of 32 only 2
    assert validation_batch_size(256, 32, 64) == 32  # 8 batches of 32 already allow 8
    for n_val in range(1, 120):
        for batch_size in (1, 7, 32):
            for train_batches in range(1, 70):
                rows = validation_batch_size(n_val, batch_size, train_batches)
                assert 1 <= rows <= batch_size
                before = _batches_a_call(train_batches, -(-n_val // batch_size))
                assert _batches_a_call(train_batches, -(-n_val // rows)) >= before  # never fewer a call
    # 57 training batches allow 3 a call at most, and 200 rows can be cut into a count that 3 divides
    assert _batches_a_call(57, -(-200 // validation_batch_size(200, 32, 57))) == 3
    assert validation_batch_size(1, 32, 8) == 32  # one row: one batch, one a call
