"""Several batches a call of Keras' train step (``steps_per_execution``) against one, in one run.

On TensorFlow seqtune lets Keras run up to ``MAX_STEPS_PER_EXECUTION`` batches in one call of its compiled
train step where every epoch's batches divide evenly (``seqtune/_training.py``). For each model this fits
``SequenceClassifier`` on the same data as seqtune runs it and with ``compile__steps_per_execution=1`` (one
batch a call, what seqtune ran before), the sides alternating, and prints the steady-state epoch time of
each, their ratio (one / several: above 1, several batches a call are faster), the first epoch (which
traces the step) and both sides' final training losses.

Data: random normal sequences (``--steps`` x 8 features), 3 classes, 2,048 of them (64 batches of 32);
``frame_length=1``, ``pooling="last"``, no validation. With ``--validation F``: early stopping (the default)
on a validation share ``F``, whose batches seqtune sizes so that the batches a call divide them too
(``_training.validation_batch_size``); e.g. ``--samples 2000 --validation 0.1``: 57 training batches of 32
and 200 validation rows, in 7 batches of 32 (one a call, as before) or 9 of 23 (3 a call).

Run: ``python bench/bench_steps.py`` (``--quick``: tiny sizes, a smoke run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _timing import epoch_timer  # the script's own folder is on sys.path

MODELS = [("lstm", 16), ("lstm", 64), ("gru", 16), ("gru", 64)]


def fit(X, y, *, cell: str, units: int, batch: int, epochs: int, one_a_call: bool,
        validation: float = 0.0) -> tuple[float, float, float, int]:
    """(median epoch seconds after the first, first epoch seconds, final loss, batches a call) of one fit."""

    from seqtune import SequenceClassifier

    timer = epoch_timer()
    options = {"compile__steps_per_execution": 1} if one_a_call else {}
    clf = SequenceClassifier(cell=cell, units=units, batch_size=batch, epochs=epochs, frame_length=1,
                             pooling="last", early_stopping=validation > 0, validation_fraction=validation,
                             callbacks=[timer], random_state=0, **options).fit(X, y)
    return (statistics.median(timer.seconds[1:]), timer.seconds[0], clf.history_["loss"][-1],
            clf.model_.steps_per_execution)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2, help="fits a side and model (the fastest is printed)")
    parser.add_argument("--validation", type=float, default=0.0, help="early stopping on this share of the data")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    args = parser.parse_args()
    models = MODELS
    if args.quick:
        args.samples, args.steps, args.epochs, args.repeat, models = 128, 5, 2, 1, MODELS[:1]

    import keras
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)  # a few epochs, timed: not trained to convergence
    if keras.backend.backend() != "tensorflow":
        raise SystemExit("bench_steps.py measures Keras' TensorFlow trainer: run it on the TensorFlow backend")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.samples, args.steps, 8)).astype("float32")
    y = np.arange(args.samples) % 3
    held_out = f", early stopping on {args.validation:g} of them" if args.validation else ", no validation"
    print(f"data: {args.samples} sequences x {args.steps} steps x 8 features, 3 classes, batch {args.batch}"
          f"{held_out}; {args.epochs} epochs, median of epochs 2..{args.epochs}; "
          f"fastest of {args.repeat} fit(s) a side")
    print(f"{'model':>9} {'a call':>6} {'epoch 1/call':>12} {'epoch':>7} {'one/several':>11} {'first 1/call':>12}"
          f" {'first':>6} {'loss 1/call':>11} {'loss':>7}")
    for cell, units in models:
        runs = {True: [], False: []}
        for _ in range(args.repeat):
            for one_a_call in runs:
                runs[one_a_call].append(fit(X, y, cell=cell, units=units, batch=args.batch, epochs=args.epochs,
                                            one_a_call=one_a_call, validation=args.validation))
        one, several = (min(runs[side]) for side in (True, False))
        model = f"{cell}({units})"
        print(f"{model:>9} {several[3]:>6} {one[0]:>12.3f} {several[0]:>7.3f} {one[0] / several[0]:>10.2f}x"
              f" {one[1]:>12.2f} {several[1]:>6.2f} {one[2]:>11.4f} {several[2]:>7.4f}", flush=True)


if __name__ == "__main__":
    main()
