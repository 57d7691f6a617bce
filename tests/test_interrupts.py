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


def test_a_ctrl_c_inside_a_gc_callback_is_raised_at_the_next_training_batch(monkeypatch):
    """JAX registers a gc callback: a KeyboardInterrupt raised in it was printed as "Exception ignored" and lost,
    and `seqtune tune` ran its search to the end."""
    fired, lost = [], []
    monkeypatch.setattr(sys, "unraisablehook", lost.append)

    def interrupt_inside(phase, info):
        if phase == "start" and not fired:
            fired.append(True)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10_000):  # Python runs the signal handler here, inside the callback
                pass

    with interrupts_kept():
        gc.callbacks.append(interrupt_inside)
        try:
            gc.collect()
        finally:
            gc.callbacks.remove(interrupt_inside)
        assert fired and not lost  # not raised inside the callback, where Python drops it
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
