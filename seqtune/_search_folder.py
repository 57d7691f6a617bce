"""The folder of a search: its path, the trials already finished there, and the record of the
data and settings they were run with (so a resumed search never mixes in other trials)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import NamedTuple

from seqtune import _params as P

# Written in the search folder: the data and settings its trials were run with.
FINGERPRINT_FILE = "seqtune_search.json"
# How a refusal names a fingerprint entry that changed (else "a different <key>").
CHANGE_WORDS = {"data": "other data",
                "splits": "other validation splits",
                "estimator_defaults": "another seqtune version's defaults for the settings it was not given",
                "backend": "another Keras backend (its costs, measured there, do not compare)"}
# What a refused resume can do instead (the command line says it in its options).
RESUME_ADVICE = ("pass project_name=None (a folder named after the data and settings, as inside cross_val_score or "
                 "a loop over datasets), another project_name (--project-name), or overwrite=True (--overwrite) to "
                 "start over.")
# How a warning names a fingerprint entry that an earlier seqtune did not record, and what may differ.
UNRECORDED_WORDS = {"estimator_defaults": "its default settings (if a default changed since, as SequenceForecaster's "
                                          "normalize became 'auto', its finished trials ran with the old one)",
                    "backend": "its Keras backend (if it ran on another, its trials' costs were measured there "
                               "and do not compare)"}


def search_root(directory) -> Path:
    """``directory``, created if needed, where search folders live; refused when unusable."""
    if directory is None or (isinstance(directory, str) and not directory.strip()):
        raise ValueError("directory must be a folder path; got an empty value.")
    root = Path(directory).expanduser()
    if root.exists() and not root.is_dir():
        raise ValueError(f"directory={str(directory)!r} is a file, not a folder; it was left untouched.")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"directory={str(directory)!r} cannot be created: {exc}.") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise ValueError(f"directory={str(directory)!r} is not writable; choose a folder you can write to.")
    return root


def check_project_name(project_name) -> None:
    """Refuse a ``project_name`` that is not a plain folder name (None: named by the search)."""
    if project_name is None:
        return
    if not isinstance(project_name, str) or not project_name.strip():
        raise ValueError(f"project_name must be a non-empty string or None; got {project_name!r}.")
    if (os.path.isabs(project_name) or os.sep in project_name or "/" in project_name or "\x00" in project_name
            or project_name in (".", "..") or project_name.startswith("..")):
        raise ValueError(
            f"project_name={project_name!r} must be a plain folder name inside directory "
            "(no path separators, no '..', not absolute)."
        )


def folder_name(estimator: str, fingerprint: dict) -> str:
    """The folder of a search named by what its trials depend on: the same search, the same folder.

    A fit on other data or settings (another fold of ``cross_val_score``, another dataset)
    gets a folder of its own instead of a refusal, and resuming still finds its trials.
    """
    digest = hashlib.sha256(json.dumps(as_json(fingerprint), sort_keys=True).encode()).hexdigest()
    return f"{estimator}-{digest[:12]}"


def _is_search(project_dir: Path) -> bool:
    """Whether a folder holds a search (keras-tuner's or seqtune's records), which overwrite may delete."""
    return ((project_dir / "oracle.json").exists() or (project_dir / FINGERPRINT_FILE).exists()
            or _has_trials(project_dir))


def _change_in_words(key: str, before, now) -> str:
    """How a refused resume names one changed fingerprint entry; a settings dict names the settings that differ
    (the forecaster's search keeps its horizon there, which a command-line user knows as --horizon)."""
    if key in CHANGE_WORDS:
        return CHANGE_WORDS[key]
    if isinstance(before, dict) and isinstance(now, dict):
        unset = "(not set)"
        settings = [f"{name} {before.get(name, unset)!r} then {now.get(name, unset)!r}"
                    for name in sorted(before.keys() | now.keys(), key=str) if before.get(name) != now.get(name)]
        if settings:
            return f"a different {key} ({'; '.join(settings)})"
    if all(isinstance(v, (int, float, str, type(None))) for v in (before, now)):
        return f"a different {key} ({before!r} then {now!r})"
    return f"a different {key}"


def _has_trials(project_dir: Path) -> bool:
    """Whether a folder holds keras-tuner trial folders (not merely a user's trial_notes.txt)."""
    return any(project_dir.glob("trial_*/trial.json"))


def _is_search_file(path: Path) -> bool:
    """Whether a search folder's entry is the search's own: keras-tuner's oracle, tuner states and trial
    folders, seqtune's records and plot, and a temporary file an interrupted write left."""
    name = path.name
    return (name in ("oracle.json", "pareto.png", FINGERPRINT_FILE, "seqtune_summary.json", "seqtune_trials.csv")
            or (name.startswith("trial_") and path.is_dir())
            or (name.startswith(("tuner", "chief")) and name.endswith(".json"))
            or (name.startswith(".seqtune-") and name.endswith(".tmp")))


def _refuse_foreign_files(project_dir: Path) -> None:
    """keras-tuner's overwrite deletes the search folder whole: refuse where a user keeps other files in it."""
    foreign = sorted(p.name for p in project_dir.iterdir() if not _is_search_file(p))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ValueError(
            f"{project_dir} holds files that are not the search's ({shown}); overwrite=True would delete the "
            "folder whole, so it was left untouched. Move them out, or choose another project_name or directory.")


class EndedTrials(NamedTuple):
    """Trials of a search on disk that ended, and how many of those failed."""

    ended: int
    failed: int


# Trial statuses keras-tuner counts against max_trials and never runs again (a RUNNING one is redone).
ENDED = ("COMPLETED", "FAILED")


def finished_trials(project_dir: Path, *, overwrite: bool) -> EndedTrials:
    """Trials of a search found on disk that ended, failed ones included (none when starting fresh).

    A file, or a non-empty folder that is not a search, is refused even with ``overwrite``:
    overwrite deletes a search, never what a user keeps there.
    """
    if not project_dir.exists():
        return EndedTrials(0, 0)
    if not project_dir.is_dir():
        raise ValueError(f"{project_dir} is a file, not a search folder; it was left untouched. "
                         "Choose another project_name or directory.")
    if not _is_search(project_dir) and any(project_dir.iterdir()):
        raise ValueError(
            f"{project_dir} exists and is not a search (no oracle.json, {FINGERPRINT_FILE} or trial "
            "folders); it was left untouched, overwrite=True included. Choose another project_name or directory."
        )
    if overwrite:
        _refuse_foreign_files(project_dir)
        return EndedTrials(0, 0)
    if not (project_dir / "oracle.json").exists():
        return EndedTrials(0, 0)
    try:
        oracle = json.loads((project_dir / "oracle.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"{project_dir / 'oracle.json'} is unreadable ({exc}); the search directory was left "
            "untouched. Pass overwrite=True to start over, or another project_name."
        ) from None
    # keras-tuner runs again the trials its oracle still lists as ongoing (an interrupted trial,
    # or the one a failure limit stopped the search on), whatever their own file says.
    redone = set((oracle.get("ongoing_trials") or {}).values()) if isinstance(oracle, dict) else set()
    statuses = []
    for file in project_dir.glob("trial_*/trial.json"):
        trial = _json_or_none(file)
        if trial is None:
            continue
        if trial.get("trial_id") not in redone:
            statuses.append(trial.get("status"))
    return EndedTrials(sum(s in ENDED for s in statuses), sum(s in ENDED and s != "COMPLETED" for s in statuses))


def _json_or_none(path: Path):
    """A JSON file's content, or None where it cannot be read or parsed (cut short, emptied)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):  # ValueError: JSON's and Unicode's decoding errors
        return None


def unreadable_records(project_dir: Path) -> list[Path]:
    """The JSON records of a keras-tuner search folder that do not parse (cut short, emptied)."""
    records = [*project_dir.glob("*.json"), *project_dir.glob("trial_*/trial.json")]
    return [path for path in sorted(records) if _json_or_none(path) is None]


def as_json(value):
    """``value`` as JSON would give it back; objects JSON cannot hold become their type name."""
    return json.loads(json.dumps(value, sort_keys=True, default=lambda o: type(o).__name__))


def is_writable(folder: Path) -> bool:
    """Whether this process can create files in an existing ``folder`` (tried, not read from its mode
    bits, which root and access lists override)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except PermissionError:
        return False


def check_writable(project_dir: Path) -> None:
    """PermissionError naming the folder when the search cannot write there (its trials, checkpoints and
    records): keras-tuner's writes fail in TensorFlow's file layer, with a traceback, after it started."""
    folder = project_dir
    while not folder.exists() and folder != folder.parent:  # where the search's folders would be made
        folder = folder.parent
    if not is_writable(folder):
        raise PermissionError(
            f"The search folder {project_dir} cannot be written "
            f"({'it' if folder == project_dir else folder} is read-only to this user): a search "
            "writes its trials and records there, resumed or not. It was left untouched; pass another "
            "directory (--directory)."
        )


def recorded_search(project_dir: Path) -> dict | None:
    """The data and settings a search folder records (its fingerprint), or None where the record is
    missing or unreadable."""
    record = _json_or_none(project_dir / FINGERPRINT_FILE)
    return record if isinstance(record, dict) else None


def check_same_search(project_dir: Path, fingerprint: dict, *, overwrite: bool) -> None:
    """Refuse to resume a search that was run on other data or settings."""
    record = project_dir / FINGERPRINT_FILE
    if overwrite:
        return
    before = recorded_search(project_dir)
    if before is None:
        if _has_trials(project_dir):  # trials whose data and settings cannot be told
            raise ValueError(
                f"The search in {project_dir} has trials but its record of their data and settings "
                f"({FINGERPRINT_FILE}) is {'missing' if not record.exists() else 'unreadable'}, so they cannot "
                "be checked against this one. It was left untouched: pass another project_name "
                "(--project-name), or overwrite=True (--overwrite) to start over.")
        return
    what = _differences(before, fingerprint)
    if what:
        raise ValueError(
            f"The search in {project_dir} was run with {what}; its trials do not compare with this "
            f"one. It was left untouched: {RESUME_ADVICE}"
        )
    unrecorded = [words for key, words in UNRECORDED_WORDS.items() if key in fingerprint and key not in before]
    if unrecorded:
        warnings.warn(
            f"The search in {project_dir} was made by an earlier seqtune that did not record "
            f"{' nor '.join(unrecorded)}; its finished trials mix with new ones. overwrite=True starts over.",
            UserWarning, stacklevel=P.user_stacklevel())


def check_worker_matches_chief(project_dir: Path, fingerprint: dict) -> None:
    """Refuse to run a distributed search's trials on other data or settings than its chief's.

    The chief records its search in the folder before it hands out trials; a worker that shares that
    folder (the same directory and project name, on one machine or a shared disk) compares. A worker
    that does not see it cannot tell, and runs.
    """
    before = recorded_search(project_dir)
    what = _differences(before, fingerprint) if before is not None else ""
    if what:
        raise ValueError(
            f"This worker was started with other data or settings than its chief: the chief's search in "
            f"{project_dir} runs with {what}. Its trials would not compare, so this worker runs none: "
            "start it again with the chief's data and settings (and the same KERASTUNER_TUNER_ID, so the chief "
            "hands it back the trial it was given).")


def _differences(before: dict, fingerprint: dict) -> str:
    """How ``fingerprint`` differs from the recorded ``before``, in words ("" if it does not)."""
    changed = [key for key in fingerprint if key in before and before[key] != fingerprint[key]]
    if "data" in changed and "splits" in changed:
        changed.remove("splits")  # other data split otherwise: the splits say nothing more
    if "estimator_params" in changed and "estimator_defaults" in changed:
        # The defaults recorded leave out the settings estimator_params gives: another estimator_params
        # changes which are recorded, not what they are.
        old, new = before["estimator_defaults"], fingerprint["estimator_defaults"]
        if isinstance(old, dict) and all(old[key] == new[key] for key in old.keys() & new.keys()):
            changed.remove("estimator_defaults")
    words = ", ".join(_change_in_words(key, before[key], fingerprint[key]) for key in changed)
    if "splits" in changed and fingerprint.get("seed") is None:
        words += " (seed=None draws new ones at every fit: pass an int seed to resume)"
    return words


def record_search(project_dir: Path, fingerprint: dict) -> None:
    """Write what the search is run with (after keras-tuner's overwrite=True removed the folder)."""
    from seqtune.persistence import atomic_write_bytes

    project_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(project_dir / FINGERPRINT_FILE, json.dumps(fingerprint, indent=2).encode())


@contextlib.contextmanager
def search_lock(project_dir: Path, *, verbose=1):
    """Hold the search folder ``project_dir`` for this process while the block runs.

    A second search of the same folder (``GridSearchCV(n_jobs=2)`` over ``tolerance``, which the folder's
    name leaves out; the same command run twice) waits, then resumes the trials the first finished,
    instead of both writing the same trials at once. The lock is the operating system's (``flock`` on a
    file in the temporary folder, not in the user's), released when the process ends however it ends.
    Where there is none (Windows) or the file cannot be made, the search runs without it.
    """
    try:
        import fcntl

        folder = Path(tempfile.gettempdir()) / f"seqtune-locks-{os.getuid()}"
        folder.mkdir(exist_ok=True)
        key = hashlib.sha256(str(project_dir.resolve()).encode()).hexdigest()[:32]
        handle = open(folder / f"{key}.lock", "w")
    except (ImportError, AttributeError, OSError):
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if verbose:
                print(f"Waiting for another process's search in {project_dir} to end (the same folder); its "
                      "finished trials are then kept.", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
