"""Start-up time: ``import seqtune`` and ``seqtune --help`` against ``import tensorflow``, in one run.

Each command runs in a fresh interpreter ``--repeat`` times; the median wall time is
printed, and whether TensorFlow ended up in ``sys.modules``. Target: ``seqtune --help``
under 0.5 s, and importing seqtune does not import TensorFlow.

Run: ``python bench/bench_startup.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _cli import seqtune_command

CHECK_TF = "import sys; print('tensorflow' in sys.modules)"


def timed(command: list[str], repeat: int) -> tuple[float, str]:
    """Median seconds of ``command`` over ``repeat`` runs, and its last stdout."""
    seconds, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, check=True)
        seconds.append(time.perf_counter() - start)
        out = proc.stdout
    return statistics.median(seconds), out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    py = sys.executable
    cli = seqtune_command()
    bare, _ = timed([py, "-c", "pass"], args.repeat)
    imp, loaded = timed([py, "-c", f"import seqtune; {CHECK_TF}"], args.repeat)
    helps, _ = timed([cli, "--help"], args.repeat)
    tf, _ = timed([py, "-c", "import tensorflow"], max(1, args.repeat // 2))
    print(f"python -c pass            {bare:6.3f} s")
    print(f"import seqtune            {imp:6.3f} s   (tensorflow imported: {loaded.strip()})")
    print(f"seqtune --help            {helps:6.3f} s   (target < 0.5 s)")
    print(f"import tensorflow         {tf:6.3f} s")
    print(f"ratio import tensorflow / seqtune --help = {tf / helps:.1f}x")


if __name__ == "__main__":
    main()
