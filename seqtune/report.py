"""Tables and plots of a search, built from keras-tuner's trial records (in memory or on disk).

Nothing here imports TensorFlow: ``seqtune report DIR`` rebuilds the table, the
front and the plot of a finished or interrupted search from its ``trial.json``
files alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from seqtune.space import OPTIONAL

# The costs a search can trade against its score: name -> trial-table column, and their labels.
COSTS = {
    "latency": "latency_ms",
    "fit_time": "fit_seconds_per_epoch",
    "params": "params",
    "memory": "memory_mb",
}
COST_LABELS = {
    "latency_ms": "latency (ms, 1 sequence)",
    "fit_seconds_per_epoch": "training s / epoch / 1k samples",
    "params": "parameters",
    "memory_mb": "peak training memory (MB)",
}

TRIAL_COLUMNS = [
    "trial_id", "status", "cell", "layers", "units", "bidirectional", "pooling", "frame_length", "dropout",
    "learning_rate", "batch_size", "epochs", "epochs_trained", "score", "score_std", "params",
    "fit_seconds_per_epoch", "latency_ms", "batch_latency_ms", "memory_mb", "epochs_run", "train_samples", "error",
]


def _last(metrics: dict, name: str) -> float:
    record = metrics.get(name)
    if not record or not record.get("observations"):
        return float("nan")
    value = record["observations"][-1]["value"]
    return float(value[0] if isinstance(value, list) else value)


def trial_row(state: dict) -> dict:
    """One table row from a keras-tuner trial state (``trial.json`` or ``Trial.get_state()``)."""
    values = state.get("hyperparameters", {}).get("values", {})
    metrics = state.get("metrics", {}).get("metrics", {})
    depth = int(values.get("layers", 1))
    units = [values.get(f"units_{i}") for i in range(depth)]
    status = state.get("status", "?")
    message = state.get("message") or ""
    error = ""
    if status != "COMPLETED" and message:
        lines = [line for line in message.strip().splitlines() if line.strip()]
        error = lines[-1] if lines else message
    # "epochs" is the trial's budget (Hyperband's round, else the search's max_epochs), which is
    # what makes trials comparable; early stopping may have trained fewer ("epochs_trained").
    # Searches written before the budget was recorded fall back to the epochs trained.
    epochs = values.get("tuner/epochs")
    trained = _last(metrics, "epochs_trained")
    budget = _last(metrics, "epochs_budget")
    if epochs is None and np.isfinite(budget):
        epochs = budget
    return {
        "trial_id": state.get("trial_id"),
        "status": status,
        "cell": values.get("cell"),
        "layers": depth,
        "units": units,
        "bidirectional": bool(values.get("bidirectional", False)),
        "pooling": values.get("pooling"),  # None unless the space searched it
        "frame_length": values.get("frame_length"),  # likewise
        "dropout": values.get("dropout"),
        "learning_rate": values.get("learning_rate"),
        "batch_size": values.get("batch_size"),
        "epochs": int(epochs) if epochs is not None else (int(trained) if np.isfinite(trained) else None),
        "epochs_trained": int(trained) if np.isfinite(trained) else None,
        "score": _last(metrics, "score") if status == "COMPLETED" else float("nan"),
        "score_std": _last(metrics, "score_std"),
        "params": _last(metrics, "params"),
        "fit_seconds_per_epoch": _last(metrics, "fit_seconds_per_epoch"),
        "latency_ms": _last(metrics, "latency_ms"),
        "batch_latency_ms": _last(metrics, "batch_latency_ms"),
        "memory_mb": _last(metrics, "memory_mb"),
        "epochs_run": _last(metrics, "epochs_run"),
        "train_samples": _last(metrics, "train_samples"),
        "error": error,
    }


def trials_table(states) -> pd.DataFrame:
    """A DataFrame of trials, one row each, in trial order."""
    rows = [trial_row(s) for s in states]
    table = pd.DataFrame(rows, columns=TRIAL_COLUMNS)
    order = sorted(range(len(rows)), key=lambda i: _natural(str(rows[i]["trial_id"])))
    return table.iloc[order].reset_index(drop=True)


def _natural(trial_id: str):
    return (0, int(trial_id), "") if trial_id.isdigit() else (1, 0, trial_id)


def load_trials(project_dir) -> pd.DataFrame:
    """Read every ``trial_*/trial.json`` of a search directory; unreadable files are reported."""
    project_dir = Path(project_dir)
    if not project_dir.is_dir():
        raise FileNotFoundError(f"No search directory at {project_dir}.")
    states = []
    for file in sorted(project_dir.glob("trial_*/trial.json")):
        try:
            states.append(json.loads(file.read_text()))
        except (OSError, json.JSONDecodeError) as exc:
            states.append({"trial_id": file.parent.name.removeprefix("trial_"), "status": "UNREADABLE",
                           "message": f"{file}: {exc}"})
    if not states:
        raise ValueError(f"{project_dir} holds no keras-tuner trials (no trial_*/trial.json).")
    return trials_table(states)


def format_table(table: pd.DataFrame, columns=None) -> str:
    """A plain-text table for printing."""
    if columns is None:
        searched = [c for c in OPTIONAL if c in table and table[c].notna().any()]
        columns = ["trial_id", "cell", "layers", "units", "bidirectional", *searched,
                   "epochs", "score", "fit_seconds_per_epoch", "latency_ms", "params", "memory_mb"]
    shown = table[[c for c in columns if c in table.columns]].copy()
    for column in ("score",):
        if column in shown:
            shown[column] = shown[column].map(lambda v: f"{v:.4f}")
    if "epochs" in shown:  # a float column when an unfinished trial has none
        shown["epochs"] = shown["epochs"].map(lambda v: f"{int(v)}" if pd.notna(v) else "-")
    for column in ("fit_seconds_per_epoch", "latency_ms", "memory_mb"):
        if column in shown:
            shown[column] = shown[column].map(lambda v: f"{v:.3g}")
    if "params" in shown:
        shown["params"] = shown["params"].map(lambda v: f"{int(v):,}" if np.isfinite(v) else "nan")
    return shown.to_string(index=False)


def check_plot_path(path) -> tuple[Path, str]:
    """``(path, image format)`` of a plot file; ValueError for a folder or a format matplotlib cannot
    write (the command line checks ``--plot`` so before a search, not after it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    path = Path(path)
    if path.is_dir():
        raise ValueError(f"the plot path {path} is a folder; expected a file name, e.g. {path / 'pareto.png'}.")
    image_format = path.suffix[1:].lower() or "png"
    supported = FigureCanvasAgg.get_supported_filetypes()
    if image_format not in supported:
        raise ValueError(f"the plot path {path} ends in .{image_format}, which matplotlib cannot write; use one "
                         f"of {', '.join('.' + k for k in sorted(supported))}.")
    return path, image_format


def plot_pareto(trials: pd.DataFrame, front: pd.DataFrame, chosen, cost: str, path, *,
                score_name: str = "score", title: str | None = None) -> Path:
    """Write a plot: every comparable trial by cell type, the front as a line, the chosen model marked.

    The format follows the file's extension as matplotlib's ``savefig`` reads it (``.png``, ``.pdf``,
    ``.svg``, ...); a name without one is written as PNG.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from seqtune.persistence import atomic_write_bytes

    path, image_format = check_plot_path(path)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    colours = {"lstm": "tab:blue", "gru": "tab:orange"}
    for cell, group in trials.groupby("cell"):
        ax.scatter(group[cost], group["score"], s=30, alpha=0.7, color=colours.get(cell, "tab:gray"),
                   label=str(cell).upper())
    if not front.empty:
        ax.step(front[cost], front["score"], where="post", color="black", lw=1.2, label="Pareto front")
    if chosen is not None:
        ax.scatter([chosen[cost]], [chosen["score"]], s=180, facecolors="none", edgecolors="red",
                   linewidths=2, label="chosen")
    # A log axis where every cost is positive (the measured ones are); a custom cost of 0 or below would
    # fall off it, the chosen model with it, so such costs get a linear axis.
    logarithmic = bool((pd.to_numeric(trials[cost], errors="coerce").dropna() > 0).all())
    if logarithmic:
        ax.set_xscale("log")
        from matplotlib.ticker import FuncFormatter, NullFormatter

        # Plain numbers (0.7, 2) on the log axis instead of 7x10^-1; minor ticks are labelled
        # only when the costs span less than a decade (else they would crowd).
        plain = FuncFormatter(lambda value, _: f"{value:g}")
        low, high = ax.get_xlim()
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(plain if high < 10 * low else NullFormatter())
    ax.set_xlabel(COST_LABELS.get(cost, cost) + (" (log scale)" if logarithmic else ""))
    ax.set_ylabel(f"validation {score_name}")
    ax.set_title(title or f"{score_name} against {COST_LABELS.get(cost, cost)}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format=image_format)
    plt.close(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _status(status: str) -> str:
    """A trial's status in words: read from disk, a RUNNING one may be running elsewhere, or was stopped (a
    killed search) and runs again when the search resumes."""
    return "unfinished (running, or interrupted)" if status == "RUNNING" else status.lower()


def _recorded_score_name(project_dir: Path) -> str:
    """The score name of the Auto* estimator a search folder records at its start (a search interrupted
    before its summary was written); "score" where the folder does not say."""
    import seqtune
    from seqtune._search_folder import recorded_search

    name = (recorded_search(project_dir) or {}).get("estimator")
    estimator = getattr(seqtune, name) if name in seqtune.__all__ else None
    return getattr(estimator, "_score_name", "score")


def report_search(project_dir, *, cost: str | None = None, tolerance: float | None = None,
                  plot: str | None = None, stream=None) -> dict:
    """Print the trial table, the front and the pick of a search on disk; optionally plot it.

    ``cost`` and ``tolerance`` default to those the search was run with (read from
    ``seqtune_summary.json``), else ``"latency"`` and 0.01; the score is named after the estimator
    searched. Nothing is retrained.

    Returns
    -------
    dict
        ``trials``, ``front``, ``chosen``, ``cell``, ``explanation``, ``plot``.
    """
    import sys

    from seqtune.pareto import summarize

    stream = stream or sys.stdout
    project_dir = Path(project_dir)
    trials = load_trials(project_dir)
    saved = {}
    summary_file = project_dir / "seqtune_summary.json"
    if summary_file.exists():
        try:
            saved = json.loads(summary_file.read_text())
        except (OSError, json.JSONDecodeError):
            saved = {}
    from seqtune import _params as P

    cost_column = COSTS.get(cost, cost) if cost else saved.get("cost", "latency_ms")
    if cost_column not in trials.columns:
        if cost is None:  # a cost function is not stored with the search
            raise ValueError(f"the search in {project_dir} picked by a custom cost function ({cost_column!r}), "
                             "which is not stored with it; pass cost= (--cost on the command line), one of "
                             f"{sorted(COSTS)}.")
        raise ValueError(f"cost {cost!r} is not one of {sorted(COSTS)}.")
    tolerance = saved.get("tolerance", 0.01) if tolerance is None else tolerance
    P.check_tolerance(tolerance)
    score_name = saved.get("score") or _recorded_score_name(project_dir)
    counts = trials["status"].value_counts().to_dict()
    n = len(trials)
    print(f"{project_dir}: {n} trial{'s' * (n != 1)} ({', '.join(f'{v} {_status(k)}' for k, v in counts.items())})",
          file=stream)
    print(format_table(trials), file=stream)
    failed = trials[trials["status"] != "COMPLETED"]
    for row in failed.itertuples():
        print(f"trial {row.trial_id} {_status(row.status)}" + (f": {row.error}" if row.error else ""), file=stream)
    pool, front, chosen, cell, text = summarize(trials, cost_column, tolerance, score_name)
    print(f"\nPareto front ({score_name} vs {cost_column}, {len(pool)} trials at the full budget):", file=stream)
    print(format_table(front), file=stream)
    print(f"\n{text}", file=stream)
    path = None
    if plot:
        path = plot_pareto(pool, front, chosen, cost_column, plot, score_name=score_name)
        print(f"plot: {path}", file=stream)
    return {"trials": trials, "front": front, "chosen": chosen, "cell": cell, "explanation": text,
            "plot": path}
