"""Ctrl-C during a search, kept until a safe point raises it.

Python raises ``KeyboardInterrupt`` wherever the main thread is when SIGINT arrives. When that is a
garbage-collection callback (JAX registers one, and Keras imports JAX where it is installed) the
exception is printed as "Exception ignored" and lost: the search ran on to its end. Here the
interrupt is recorded (and not raised inside such a callback), and every training batch and trial
boundary of the search raises it (:class:`seqtune.tuning.InterruptCheck`). Keras is not imported:
the distributed launcher, which imports this module, only supervises processes.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading

_requested = threading.Event()


@contextlib.contextmanager
def signal_handled(signum: int, handler):
    """``handler`` for ``signum`` while the block runs, the previous handler back after; nothing changes
    outside the main thread, where Python cannot set handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, previous)


@contextlib.contextmanager
def interrupts_kept():
    """While the block runs (in the main thread), SIGINT is recorded as well as raised.

    A process that ignores SIGINT (started with ``nohup``, or in the background of a script) keeps
    ignoring it, as Python itself leaves it.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield
        return

    def on_interrupt(signum, frame):
        _requested.set()
        if not _in_gc_callback(frame):  # there it would only be printed as "Exception ignored"
            raise KeyboardInterrupt

    _requested.clear()
    try:
        with signal_handled(signal.SIGINT, on_interrupt):
            yield
    finally:
        _requested.clear()


def _in_gc_callback(frame) -> bool:
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def raise_if_interrupted() -> None:
    """Raise the ``KeyboardInterrupt`` of a Ctrl-C that something swallowed."""
    if _requested.is_set():
        raise KeyboardInterrupt
