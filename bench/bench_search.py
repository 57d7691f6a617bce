"""Hyperband (seqtune's default) against an exhaustive grid over the same small space, in one run.

Both searches use keras-tuner through ``AutoSequenceClassifier`` on the bundled digits
sequences with the same held-out split. Printed for each: trials, epochs actually run,
compute (sample-epochs trained), wall time, the best validation accuracy reached, and the
chosen model on the accuracy/latency front; then the ratios. Target: Hyperband within 1 point
of the grid's best accuracy at no more than a quarter of its compute.

Run: ``python bench/bench_search.py`` (``--quick`` for a smoke run on a tiny space).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run(tuner: str, space: dict, max_epochs: int, max_trials: int, X, y, directory: str):
    from seqtune import AutoSequenceClassifier

    start = time.perf_counter()
    auto = AutoSequenceClassifier(tuner=tuner, space=space, max_epochs=max_epochs, max_trials=max_trials,
                                  directory=directory, project_name=tuner, overwrite=True, refit=False,
                                  seed=0, verbose=0)
    auto.fit(X, y)
    seconds = time.perf_counter() - start
    done = auto.trials_[auto.trials_["status"] == "COMPLETED"]
    compute = float((done["epochs_run"] * done["train_samples"]).sum())
    return {
        "tuner": tuner,
        "trials": len(auto.trials_),
        "epochs_run": int(done["epochs_run"].sum()),
        "compute": compute,
        "seconds": seconds,
        "best": float(done["score"].max()),
        "best_full_budget": float(auto.pareto_front_["score"].max()),
        "chosen": auto.explanation_,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    from seqtune.datasets import load_digits_sequences

    X, y = load_digits_sequences()
    if args.quick:
        X, y = X[:300], y[:300]
        space = {"cell": ["lstm", "gru"], "layers": 1, "units": [8, 16], "bidirectional": False,
                 "dropout": 0.0, "learning_rate": 1e-2, "batch_size": 32}
        max_epochs = 3
    else:
        space = {"cell": ["lstm", "gru"], "layers": [1, 2], "units": [16, 32, 64, 128],
                 "bidirectional": [False, True], "dropout": 0.0, "learning_rate": [3e-3, 1e-2],
                 "batch_size": 32}
        max_epochs = 12
    grid_size = 2 * (1 if args.quick else 2 * 4 * 2 * 2)
    if not args.quick:
        # depth-2 stacks search the second width too (units_1), so the grid has 2 * 4 * 2 * 2 * (1 + 4)
        grid_size = 2 * 2 * 2 * 4 * (1 + 4)
    with tempfile.TemporaryDirectory() as tmp:
        hyperband = run("hyperband", space, max_epochs, grid_size, X, y, tmp)
        grid = run("grid", space, max_epochs, grid_size, X, y, tmp)
    print(f"digits sequences: {len(X)} samples; space: {space}; max_epochs {max_epochs}")
    print(f"{'tuner':<10} {'trials':>6} {'epochs':>7} {'compute (sample-epochs)':>24} {'wall s':>8} "
          f"{'best acc':>9} {'best at full budget':>20}")
    for r in (hyperband, grid):
        print(f"{r['tuner']:<10} {r['trials']:>6} {r['epochs_run']:>7} {r['compute']:>24,.0f} "
              f"{r['seconds']:>8.1f} {r['best']:>9.4f} {r['best_full_budget']:>20.4f}")
    print(f"compute ratio hyperband/grid = {hyperband['compute'] / grid['compute']:.3f} (target <= 0.25)")
    print(f"wall-time ratio hyperband/grid = {hyperband['seconds'] / grid['seconds']:.3f}")
    gap = (grid["best"] - hyperband["best"]) * 100
    print(f"best accuracy: hyperband {hyperband['best']:.4f} vs grid {grid['best']:.4f} "
          f"({gap:+.2f} points below the grid; target <= 1)")
    print(f"hyperband pick: {hyperband['chosen']}")
    print(f"grid pick:      {grid['chosen']}")


if __name__ == "__main__":
    main()
