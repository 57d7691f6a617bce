"""Whole-fit time with and without XLA on ragged data, whose batches come in several padded lengths.

XLA compiles once per batch shape, so ``jit_compile="auto"`` asks for more work before it
compiles a fit over many length buckets (``seqtune._training.JIT_WORK_PER_SHAPE``). This prints
the wall time of whole fits (building, compiling and every epoch) with ``jit_compile=True`` and
``False`` on two ragged data sets, and what ``"auto"`` picks for each:

* ``text``: BBC News (1,780 articles, 16 length buckets), embedding 64 + GRU(32);
* ``ragged``: 3,000 random sequences of 10 to 400 steps and 8 features (12 buckets), GRU(16);
* ``long``: 30 random sequences of 10,000 to 20,000 steps and 2 features, GRU(16): few sequences, each
  very long (a sensor recording read step by step, ``frame_length=1``).

Run: ``python bench/bench_xla_shapes.py`` (``--case text|ragged|long|all``, ``--epochs 1 4``).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def text_data():
    from bench_bucketing import load_bbc

    texts, labels = load_bbc()
    order = np.random.default_rng(0).permutation(len(texts))[:1780]
    return [texts[i] for i in order], np.asarray(labels)[order], {"units": 32, "embedding_dim": 64}


def ragged_data():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 8)).astype("float32") for n in rng.integers(10, 401, size=3000)]
    return X, np.array([int(x[:, 0].mean() > 0) for x in X]), {"units": 16}


def long_data():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)).astype("float32") for n in rng.integers(10_000, 20_001, size=30)]
    return X, np.array([int(x[:, 0].mean() > 0) for x in X]), {"units": 16}


DATA = {"text": text_data, "ragged": ragged_data, "long": long_data}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=[*DATA, "both", "all"], default="all",
                        help="'both' is text and ragged (the cases of the first figures)")
    parser.add_argument("--epochs", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    from seqtune import SequenceClassifier
    from seqtune.cost import EpochTimer

    cases = {"both": ["text", "ragged"], "all": list(DATA)}.get(args.case, [args.case])
    for case in cases:
        X, y, network = DATA[case]()
        for epochs in args.epochs:
            seconds, last, auto = {}, {}, None
            for jit in ("auto", True, False):
                start, timer = time.perf_counter(), EpochTimer()
                clf = SequenceClassifier(cell="gru", epochs=epochs, max_length=None, frame_length=1,
                                         early_stopping=False, validation_fraction=0.0, jit_compile=jit,
                                         random_state=0, callbacks=[timer], **network)
                clf.fit(X, y)
                seconds[jit], last[jit] = time.perf_counter() - start, timer.seconds[-1]
                auto = clf.jit_compiled_ if jit == "auto" else auto
            best = "XLA" if seconds[True] < seconds[False] else "no XLA"
            print(f"{case:6} {epochs:2d} epoch(s): XLA {seconds[True]:6.1f} s | no XLA {seconds[False]:6.1f} s "
                  f"-> faster: {best}; 'auto' chose {'XLA' if auto else 'no XLA'} ({seconds['auto']:.1f} s)"
                  + (f" | last epoch: XLA {last[True]:.1f} s, no XLA {last[False]:.1f} s" if epochs > 1 else ""),
                  flush=True)


if __name__ == "__main__":
    main()
