"""Wall time of one search with 1 worker and with 2 workers (keras-tuner's distributed mode), in one run.

Both run ``seqtune tune --workers N`` on the bundled digits sequences: a random search of
``--trials`` trials of ``--epochs`` epochs each, the same space and seed, a chief serving
the oracle on 127.0.0.1 and N worker processes training trials. Printed: wall time of
each, trials completed, and the speed-up. On a 2-core machine two workers share the two
cores (TensorFlow in each uses both), so the speed-up is bounded by how much of a trial is
not parallel inside TensorFlow (Python overhead, small batches, start-up); a machine with
more cores or one GPU per worker scales the same way, with one worker per core or GPU.

Run: ``python bench/bench_workers.py [--trials 8 --epochs 6]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _cli import seqtune_command


def run(workers: int, trials: int, epochs: int, directory: str) -> tuple[float, int]:
    cli = seqtune_command()
    command = [cli, "tune", "--dataset", "digits", "--tuner", "random", "--max-trials", str(trials),
               "--max-epochs", str(epochs), "--max-units", "32", "--max-layers", "1", "--seed", "0",
               "--directory", directory, "--project-name", f"w{workers}", "--workers", str(workers),
               "--verbose", "1"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"search with {workers} worker(s) failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    import pandas as pd

    trials_table = pd.read_csv(os.path.join(directory, f"w{workers}", "seqtune_trials.csv"))
    return seconds, int((trials_table["status"] == "COMPLETED").sum())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        one, done_one = run(1, args.trials, args.epochs, tmp)
        two, done_two = run(2, args.trials, args.epochs, tmp)
    print(f"random search, {args.trials} trials x {args.epochs} epochs, digits sequences, {os.cpu_count()} cores")
    print(f"1 worker : {one:7.1f} s wall  ({done_one} trials completed)")
    print(f"2 workers: {two:7.1f} s wall  ({done_two} trials completed)")
    print(f"speed-up 2 workers vs 1 = {one / two:.2f}x")


if __name__ == "__main__":
    main()
