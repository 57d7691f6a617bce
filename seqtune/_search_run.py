"""Running an Auto* estimator's keras-tuner search in its folder and reading back what it found.

:class:`SearchRunMixin` holds the search folder against other processes, resumes or starts the
tuner, runs it (Ctrl-C kept for a safe point), and on the chief reads every trial back into the
front, the pick and its explanation, which it writes beside the trials. The estimator side (its
parameters, data checks, fingerprint and refit) is :class:`seqtune.auto._AutoSequenceBase`.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import warnings
from pathlib import Path

from seqtune._search_folder import (
    check_same_search,
    check_worker_matches_chief,
    check_writable,
    finished_trials,
    record_search,
    search_lock,
    unreadable_records,
)


class SearchRunMixin:
    """The search of an Auto* estimator: needs its parameters (``tuner``, ``max_trials``, ``max_epochs``,
    ``seed``, ``overwrite``, ``project_name``, ``cost``, ``tolerance``, ``verbose``), ``_cost_column``
    and ``_score_name``."""

    def _search(self, hypermodel, project_dir: Path, fingerprint: dict) -> None:
        """Run (or resume) the search, holding its folder against other processes (but a distributed search's
        workers, which share it with their chief)."""
        from seqtune import distributed

        worker = distributed.role() == "worker"
        with contextlib.nullcontext() if worker else search_lock(project_dir, verbose=self.verbose):
            self._search_held(hypermodel, project_dir, fingerprint)

    def _search_held(self, hypermodel, project_dir: Path, fingerprint: dict) -> None:
        """Run (or resume) the keras-tuner search and, on the chief, read its results."""
        from seqtune import distributed
        from seqtune._interrupts import interrupts_kept
        from seqtune.persistence import NUMPY_COPY_WARNING
        from seqtune.tuning import (
            _Progress,
            best_kept_score,
            hyperband_trials,
            make_tuner,
            record_aborted_trial,
            tuner_tracebacks,
        )

        role = distributed.role()
        if role != "single" and self.seed is None:
            raise ValueError("seed=None in a distributed search: the chief and every worker must draw the same "
                             "validation splits and search folder; pass an int seed.")
        resumed = finished_trials(project_dir, overwrite=self.overwrite)
        if role != "worker":  # the chief owns the search folder
            check_same_search(project_dir, fingerprint, overwrite=self.overwrite)
        check_writable(project_dir)
        try:
            # keras-tuner prints "Reloading Tuner from ..." itself; seqtune's own line says it (verbose=1).
            with contextlib.redirect_stdout(io.StringIO()) if self.verbose < 2 else contextlib.nullcontext():
                tuner = make_tuner(self.tuner.lower(), hypermodel, max_trials=int(self.max_trials),
                                   max_epochs=int(self.max_epochs),
                                   seed=None if self.seed is None else int(self.seed), directory=project_dir.parent,
                                   project_name=project_dir.name, overwrite=bool(self.overwrite))
        except (ValueError, KeyError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            if not (project_dir / "oracle.json").exists() or self.overwrite:
                raise
            damaged = [str(path.relative_to(project_dir)) for path in unreadable_records(project_dir)]
            cause = f"{', '.join(damaged)} cannot be read" if damaged else str(exc)
            raise ValueError(
                f"The search directory {project_dir} could not be read as a keras-tuner search ({cause}). "
                "It was left untouched (`seqtune report` shows its readable trials); restore the damaged file, "
                "or pass another project_name, or overwrite=True to start over."
            ) from None
        if role != "worker":
            record_search(project_dir, fingerprint)
        else:  # the chief has recorded its search by the time it hands out a trial
            tuner.before_first_trial = lambda: check_worker_matches_chief(project_dir, fingerprint)
        total = hyperband_trials(self.max_epochs) if self.tuner.lower() == "hyperband" else self.max_trials
        cost_column = "custom_cost" if callable(self.cost) else self._cost_column(None)
        tuner.progress = _Progress(total, cost_column if cost_column != "custom_cost" else "latency_ms",
                                   self.verbose, already_done=resumed.ended,
                                   # a worker's oracle is a gRPC client: the chief holds the trials
                                   best=best_kept_score(tuner) if role != "worker" else -math.inf)
        if self.verbose and self.project_name is None and not resumed.ended and role != "worker":
            resumes = ("the same call resumes it" if self.seed is not None else
                       "seed=None draws new splits, so no later call resumes it; pass an int seed to resume")
            print(f"Search folder {project_dir} (named after the data and settings: {resumes}).",
                  flush=True)
        if resumed.ended and self.verbose:
            failed = (f" ({resumed.failed} of them failed: keras-tuner counts failed trials against max_trials "
                      "and does not retry them)") if resumed.failed else ""
            print(f"Resuming the search in {project_dir}: {resumed.ended} finished trial(s) are kept and "
                  f"not run again{failed} (overwrite=True, --overwrite on the command line, starts over).", flush=True)
        self.search_role_ = role
        if self.search_role_ == "worker" and self.verbose:
            # keras-tuner's client waits (up to an hour) for a chief that is not up yet, silently.
            print(f"Worker {os.environ.get(distributed.TUNER_ID)}: asking the chief at "
                  f"{distributed.chief_address()} for trials (waiting until it answers).", flush=True)
        search_error = None
        try:
            with warnings.catch_warnings(), tuner_tracebacks(shown=self.verbose >= 2), interrupts_kept():
                # Hyperband resumes a candidate from its checkpoint into a fresh model whose
                # optimizer is not built yet; Keras then warns that it skips the optimizer state.
                warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
                # keras-tuner's checkpoints save models too (see persistence.NUMPY_COPY_WARNING)
                warnings.filterwarnings("ignore", message=NUMPY_COPY_WARNING, category=DeprecationWarning)
                tuner.search(verbose=0)
        except RuntimeError as exc:
            if "consecutive failures" not in str(exc):
                raise
            search_error = exc
            record_aborted_trial(tuner)
        if search_error is None:
            tuner.progress.finish(tuner.oracle)
            if role == "chief":
                # keras-tuner's end_trial saves the oracle before it takes the trial off the ongoing ones,
                # and on a chief nothing saves it again: the next run of a finished search trained its last
                # trial again. Saved now, the record holds no ongoing trial.
                tuner.oracle.save()
        if self.search_role_ != "worker":
            # A keras-tuner worker only runs trials; the chief holds the oracle and the results.
            self._collect(tuner, project_dir, search_error)

    def _collect(self, tuner, project_dir: Path, search_error) -> None:
        """Read the trials, compute the front and the choice, write the report files."""
        from seqtune.pareto import summarize
        from seqtune.report import trials_table

        trials = trials_table([t.get_state() for t in tuner.oracle.trials.values()])
        cost_column = self._cost_column(trials)
        completed = trials[trials["status"] == "COMPLETED"]
        if completed.empty:
            errors = [f"trial {r.trial_id}: {r.error}" for r in trials.itertuples() if r.error][:3]
            raise RuntimeError(
                f"Every trial of the search in {project_dir} failed ({len(trials)} trial(s)). "
                "First errors:\n  " + "\n  ".join(errors or ["(no error message recorded)"])
            ) from search_error
        _, front, chosen, cell, text = summarize(trials, cost_column, self.tolerance, self._score_name)
        self.trials_ = trials
        self.pareto_front_ = front.reset_index(drop=True)
        self.best_trial_ = chosen
        self.cost_column_ = cost_column
        self.cell_choice_ = cell
        self.explanation_ = text
        self.search_dir_ = str(project_dir)
        self.best_params_ = {
            "cell": str(chosen["cell"]),
            "units": [int(u) for u in chosen["units"]],
            "bidirectional": bool(chosen["bidirectional"]),
            "dropout": float(chosen["dropout"]),
            "learning_rate": float(chosen["learning_rate"]),
            "batch_size": int(chosen["batch_size"]),
        }
        from seqtune.space import searched_options

        self.best_params_.update(searched_options(chosen))
        if search_error is not None and self.verbose:
            print(f"The search stopped early: {str(search_error).splitlines()[0]}", flush=True)
        self._write_reports(project_dir)

    def _write_reports(self, project_dir: Path) -> None:
        from seqtune.persistence import atomic_write_bytes

        atomic_write_bytes(project_dir / "seqtune_trials.csv", self.trials_.to_csv(index=False).encode())
        summary = {
            "cost": self.cost_column_,
            "tolerance": float(self.tolerance),  # (JSON has no NumPy floats)
            "score": self._score_name,
            "chosen_trial": str(self.best_trial_["trial_id"]),
            "cell_choice": self.cell_choice_,
            "explanation": self.explanation_,
            "best_params": self.best_params_,
            "front_trial_ids": [str(t) for t in self.pareto_front_["trial_id"]],
        }
        atomic_write_bytes(project_dir / "seqtune_summary.json", json.dumps(summary, indent=2).encode())
