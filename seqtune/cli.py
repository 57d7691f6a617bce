"""The ``seqtune`` command. Heavy imports (scikit-learn, TensorFlow) happen inside sub-commands,
so ``seqtune --help`` answers at once."""

from __future__ import annotations

import argparse
import os
import sys
import time


def _quiet_tensorflow() -> None:
    # The command line owns its process, so it may hush TensorFlow's C++ start-up logs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def cmd_train(args) -> int:
    """Train and evaluate one SequenceClassifier on a bundled dataset."""
    _quiet_tensorflow()
    from sklearn.model_selection import train_test_split

    from seqtune import SequenceClassifier
    from seqtune.datasets import load

    X, y = load(args.dataset)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    clf = SequenceClassifier(cell=args.cell, units=args.units, epochs=args.epochs, random_state=0,
                             verbose=1 if args.verbose else 0)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(f"{args.dataset}: {len(X_train)} training / {len(X_test)} test sequences")
    print(f"{clf.cell.upper()}({clf.units}) trained {clf.n_iter_} epochs in {seconds:.1f} s")
    print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqtune",
        description="scikit-learn estimators over Keras LSTM/GRU stacks, with cost-aware tuning.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train and evaluate one model on a bundled dataset")
    train.add_argument("--dataset", default="digits", help="bundled dataset (default: digits)")
    train.add_argument("--cell", default="gru", choices=["lstm", "gru"])
    train.add_argument("--units", type=int, default=64)
    train.add_argument("--epochs", type=int, default=30)
    train.add_argument("--verbose", action="store_true", help="one line per epoch")
    train.set_defaults(func=cmd_train)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"seqtune: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
