"""Plumbing shared by the recipes: arguments, output folder, timing, results table and JSON.

No modelling happens here; each recipe shows its data, its baselines and its search in full.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

EXTRA = 'pip install -e ".[cpu,recipes]" (in the seqtune checkout)'
# Fixed parameters of every recipe's searched models. Trials train the full epoch budget
# (no early stopping) so that all of them are compared at the same budget: seqtune compares
# random-search trials by the epochs they ran, so early-stopped ones would be left out
# of the front. The refit of the chosen model then trains exactly what was validated, on
# all the training data (nothing needs holding out for early stopping).
SAME_BUDGET = {"early_stopping": False, "validation_fraction": 0.0}
# Exit status of a recipe whose data package or tool is missing: the tests skip on it.
MISSING = 3


def parse_args(name: str, description: str, argv=None, options=None) -> argparse.Namespace:
    """The options every recipe takes, and those ``options(parser)`` adds; creates the output folder."""
    parser = argparse.ArgumentParser(prog=f"python recipes/{name}.py", description=description)
    if options is not None:
        options(parser)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: less data and a tiny search (about 2 minutes on 2 cores)")
    parser.add_argument("--out", default=os.path.join("recipes_output", name),
                        help=f"output folder (default: recipes_output/{name}/)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the search and the models")
    parser.add_argument("--verbose", type=int, default=1, help="0 silent, 1 a line per trial, 2 epochs too")
    args = parser.parse_args(argv)
    args.name = name
    args.out = Path(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    # The recipe owns its process, so it may hush TensorFlow's C++ start-up logs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return args


def missing(what: str, install: str = EXTRA) -> None:
    """Stop with one clear message saying what is missing and how to install it."""
    print(f"{what}\nInstall it with: {install}", file=sys.stderr)
    sys.exit(MISSING)


def require(module: str, purpose: str) -> None:
    """Stop with a clear message when the package ``module`` is not installed (it is not imported)."""
    if importlib.util.find_spec(module) is None:
        missing(f"This recipe needs the package '{module}' ({purpose}), which is not installed.")


@contextmanager
def timed():
    """``with timed() as t: ...`` then ``t.seconds``."""
    class Elapsed:
        seconds = float("nan")

    elapsed = Elapsed()
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.seconds = time.perf_counter() - start


def search_summary(auto, test_score: float, fit_seconds: float) -> dict:
    """What a fitted ``Auto*`` search chose and why, as plain JSON-ready values."""
    from seqtune.report import format_table

    chosen = auto.best_trial_
    completed = auto.trials_[auto.trials_["status"] == "COMPLETED"]
    return {
        "cell": auto.cell_choice_,
        "params": auto.best_params_,
        "explanation": auto.explanation_,
        "validation_score": float(chosen["score"]),
        "test_score": float(test_score),
        "cost": auto.cost_column_,
        "chosen_cost": float(chosen[auto.cost_column_]),
        "trials": int(len(auto.trials_)),
        "completed_trials": int(len(completed)),
        "fit_seconds": float(fit_seconds),
        "front": format_table(auto.pareto_front_),
    }


def finish_classification(args, auto, X_test, y_test, baselines: list[dict], fit_seconds: float, *,
                          data: dict, title: str, front_label: str = "validation accuracy",
                          other_seqtune: list[dict] = ()) -> int:
    """Score the chosen model once on the test split, print the front, the explanation and
    the results table, and write ``pareto.png`` and ``results.json``; the exit status (0).

    ``baselines`` are result rows (``model``, ``test_accuracy``, ``fit_s``, ``setting``)
    measured on the same split; the JSON records the margin to the strongest of them.
    ``other_seqtune`` are rows of other seqtune models (not baselines), shown after the pick.
    """
    test_accuracy = auto.score(X_test, y_test)
    found = search_summary(auto, test_accuracy, fit_seconds)
    p = found["params"]
    ours = {"model": f"seqtune Auto ({auto.cell_choice_.upper()})", "test_accuracy": test_accuracy,
            "fit_s": fit_seconds, "setting": f"{p['units']} units, bidirectional={p['bidirectional']}"}
    print(f"\nPareto front ({front_label} vs {auto.cost_column_}):\n{found['front']}")
    print(f"\n{auto.explanation_}")
    table = print_table([ours, *other_seqtune, *baselines], ["model", "test_accuracy", "fit_s", "setting"], title)
    plot = auto.plot_pareto(args.out / "pareto.png")
    best_baseline = max(baselines, key=lambda r: r["test_accuracy"])
    payload = {
        "recipe": args.name, "mode": "quick" if args.quick else "full", "seed": args.seed,
        "data": data,
        "metric": "accuracy",
        "seqtune": found,
        "other_seqtune": list(other_seqtune),
        "baselines": baselines,
        "best_baseline": best_baseline["model"],
        "margin_vs_best_baseline": test_accuracy - best_baseline["test_accuracy"],
        "table": table, "pareto_png": str(plot),
    }
    path = write_json(args.out / "results.json", payload)
    print(f"\nresults: {path}\nPareto plot: {plot}")
    return 0


def print_table(rows: list[dict], columns: list[str], title: str) -> str:
    """Print (and return) a plain-text table of result rows."""
    def cell(column, value):
        if value is None:
            return ""
        if isinstance(value, float):  # seconds to 0.1 s, scores to 4 decimals
            return f"{value:.1f}" if column.endswith("_s") else f"{value:.4f}"
        return str(value)

    texts = [[cell(c, r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in texts)) for i, c in enumerate(columns)]
    lines = [title, "  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(t.ljust(w) for t, w in zip(row, widths)) for row in texts]
    text = "\n".join(lines)
    print("\n" + text, flush=True)
    return text


def write_json(path: Path, payload: dict) -> Path:
    """Write the recipe's figures; NaN or infinity is refused (a figure must be a real number)."""
    def check(value, where):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where} is {value}: refusing to write a non-finite figure.")
        if isinstance(value, dict):
            for key, item in value.items():
                check(item, f"{where}.{key}")
        if isinstance(value, list):
            for i, item in enumerate(value):
                check(item, f"{where}[{i}]")

    check(payload, "results")
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n")
    return path
