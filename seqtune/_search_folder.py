"""The folder of a search: its path, the trials already finished there, and the record of the
data and settings they were run with (so a resumed search never mixes in other trials)."""

from __future__ import annotations

import json
import os
from pathlib import Path

# Written in the search folder: the data and settings its trials were run with.
FINGERPRINT_FILE = "seqtune_search.json"


def check_project_path(directory, project_name) -> Path:
    """The search folder ``directory/project_name``, refusing names that escape ``directory``."""
    if not isinstance(project_name, str) or not project_name.strip():
        raise ValueError(f"project_name must be a non-empty string; got {project_name!r}.")
    if (os.path.isabs(project_name) or os.sep in project_name or "/" in project_name
            or project_name in (".", "..") or project_name.startswith("..")):
        raise ValueError(
            f"project_name={project_name!r} must be a plain folder name inside directory "
            "(no path separators, no '..', not absolute)."
        )
    if directory is None or (isinstance(directory, str) and not directory.strip()):
        raise ValueError("directory must be a folder path; got an empty value.")
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"directory={str(directory)!r} cannot be created: {exc}.") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise ValueError(f"directory={str(directory)!r} is not writable; choose a folder you can write to.")
    return root / project_name


def finished_trials(project_dir: Path, *, overwrite: bool) -> int:
    """Finished trials of a search found on disk (0 when starting fresh)."""
    if overwrite or not project_dir.exists():
        return 0
    if not (project_dir / "oracle.json").exists():
        if any(project_dir.iterdir()):
            raise ValueError(
                f"{project_dir} exists and is not a keras-tuner search (no oracle.json); it was left "
                "untouched. Choose another project_name or directory."
            )
        return 0
    try:
        json.loads((project_dir / "oracle.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"{project_dir / 'oracle.json'} is unreadable ({exc}); the search directory was left "
            "untouched. Pass overwrite=True to start over, or another project_name."
        ) from None
    done = 0
    for file in project_dir.glob("trial_*/trial.json"):
        try:
            done += json.loads(file.read_text()).get("status") == "COMPLETED"
        except (OSError, ValueError):
            continue
    return done


def as_json(value):
    """``value`` as JSON would give it back; objects JSON cannot hold become their type name."""
    return json.loads(json.dumps(value, sort_keys=True, default=lambda o: type(o).__name__))


def check_same_search(project_dir: Path, fingerprint: dict, *, overwrite: bool) -> None:
    """Refuse to resume a search that was run on other data or settings."""
    record = project_dir / FINGERPRINT_FILE
    if overwrite or not record.exists():
        return
    try:
        before = json.loads(record.read_text())
    except (OSError, ValueError):
        before = {}
    changed = [key for key in fingerprint if key in before and before[key] != fingerprint[key]]
    if changed:
        what = ", ".join("other data" if key == "data" else f"a different {key}" for key in changed)
        raise ValueError(
            f"The search in {project_dir} was run with {what}; its trials do not compare with this "
            "one. It was left untouched: pass another project_name (--project-name), or overwrite=True "
            "(--overwrite) to start over, as inside cross_val_score or a loop over datasets, where "
            "every fit searches anew."
        )


def record_search(project_dir: Path, fingerprint: dict) -> None:
    """Write what the search is run with (after keras-tuner's overwrite=True removed the folder)."""
    from seqtune.persistence import atomic_write_bytes

    project_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(project_dir / FINGERPRINT_FILE, json.dumps(fingerprint, indent=2).encode())
