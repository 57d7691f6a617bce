"""The search space: declarative ranges in plain Python, turned into keras-tuner ``hp`` calls.

A space is a dict from a parameter name to

* a constant (``"gru"``, ``2``, ``0.1``, ``True``): the parameter is fixed;
* a list (``["lstm", "gru"]``, ``[32, 64]``): one of these values;
* a tuple ``(low, high)``: an int range if both ends are ints, else a float range;
  ``(low, high, "log")`` samples on a log scale; ``(low, high, step)`` with a number
  as third item uses that step.

``pooling`` (how a classifier or regressor reads the last layer's outputs: "last",
"max", "mean", or "concat": all three side by side) and ``frame_length`` (time steps
of numeric input joined into one recurrent step) are searchable too, but not by
default: add them, e.g.
``space={"pooling": ["last", "mean", "max", "concat"]}``, where the telling part of a
sequence may be anywhere (long texts), or ``space={"frame_length": [1, 4, 16]}`` for
long series (unsearched, the estimators' ``frame_length="auto"`` applies).

``units`` is searched per layer: ``units_0``, ``units_1``, ... each active only when
the network is deep enough (keras-tuner conditional scopes), so the space stays
honest about which widths a trial actually used.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from seqtune._params import did_you_mean

DEFAULT_SPACE = {
    "cell": ["lstm", "gru"],
    "layers": (1, 3),
    "units": (16, 128, "log"),
    "bidirectional": [False, True],
    "dropout": (0.0, 0.3, 0.1),
    "learning_rate": (1e-4, 1e-2, "log"),
    "batch_size": [32, 64, 128],
}

POOLINGS = ("last", "max", "mean", "concat")
# Searchable on request only; not every estimator has them (the forecaster has no pooling).
OPTIONAL = ("pooling", "frame_length")
SEARCHABLE = (*DEFAULT_SPACE, *OPTIONAL)


def searched_options(trial) -> dict:
    """The optional parameters a trial row (of ``trials_``) holds, as estimator parameters: those
    the space searched (unsearched ones are None or NaN in the table)."""
    found = {}
    for name in OPTIONAL:
        value = trial.get(name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        found[name] = str(value) if name == "pooling" else int(value)
    return found


def _is_number(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def _check_range(name: str, spec: tuple) -> None:
    if len(spec) not in (2, 3):
        raise ValueError(
            f"space[{name!r}] = {spec!r}: a range is (low, high), (low, high, 'log') or "
            "(low, high, step)."
        )
    low, high = spec[0], spec[1]
    if not (_is_number(low) and _is_number(high)):
        raise TypeError(f"space[{name!r}] = {spec!r}: range ends must be numbers.")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"space[{name!r}] = {spec!r}: range ends must be finite numbers.")
    if low > high:
        raise ValueError(f"space[{name!r}] = {spec!r}: low ({low}) is above high ({high}).")
    if len(spec) == 3:
        third = spec[2]
        if third == "log":
            if low <= 0:
                raise ValueError(f"space[{name!r}] = {spec!r}: a log range needs low > 0.")
        elif not (_is_number(third) and third > 0):
            raise ValueError(f"space[{name!r}] = {spec!r}: the third item must be 'log' or a positive step.")


_CONSTRAINTS = {
    "cell": lambda v: isinstance(v, str) and v.lower() in ("lstm", "gru"),
    "layers": lambda v: isinstance(v, Integral) and not isinstance(v, bool) and v >= 1,
    "units": lambda v: isinstance(v, Integral) and not isinstance(v, bool) and v >= 1,
    "bidirectional": lambda v: isinstance(v, bool),
    "dropout": lambda v: _is_number(v) and 0 <= v < 1,
    "learning_rate": lambda v: _is_number(v) and 0 < v < math.inf,
    "batch_size": lambda v: isinstance(v, Integral) and not isinstance(v, bool) and v >= 1,
    "pooling": lambda v: isinstance(v, str) and v.lower() in POOLINGS,
    "frame_length": lambda v: isinstance(v, Integral) and not isinstance(v, bool) and v >= 1,
}
_EXPECTED = {
    "cell": "'lstm' or 'gru'",
    "layers": "an int >= 1",
    "units": "an int >= 1",
    "bidirectional": "True or False",
    "dropout": "a float in [0, 1)",
    "learning_rate": "a positive, finite float",
    "batch_size": "an int >= 1",
    "pooling": "'last', 'max', 'mean' or 'concat'",
    "frame_length": "an int >= 1",
}


def resolve_space(space: dict | None = None, cells=None) -> dict:
    """Merge ``space`` (and ``cells``) into the default space and validate every entry.

    Parameters
    ----------
    space : dict or None
        Entries that fix, narrow or widen the defaults.
    cells : sequence of str or None
        Shorthand for ``space["cell"]``.

    Returns
    -------
    dict
        The full, validated space.
    """
    if space is not None and not isinstance(space, dict):
        raise TypeError(f"space must be a dict of parameter -> value/list/range; got {type(space).__name__}.")
    merged = dict(DEFAULT_SPACE)
    if cells is not None:
        cells = [cells] if isinstance(cells, str) else list(cells)
        bad = [c for c in cells if not _CONSTRAINTS["cell"](c)]
        if bad or not cells:
            raise ValueError(f"cells={cells!r}: expected one or more of 'lstm' and 'gru'"
                             + (f" (invalid: {bad!r})." if bad else "."))
        merged["cell"] = cells
    for name, spec in (space or {}).items():
        if name not in SEARCHABLE:
            raise ValueError(
                f"space has unknown parameter {name!r}.{did_you_mean(str(name), SEARCHABLE)} "
                f"Searchable: {', '.join(SEARCHABLE)}."
            )
        merged[name] = _plain(spec)
    for name, spec in merged.items():
        ok = _CONSTRAINTS[name]
        if isinstance(spec, tuple):
            if name in ("cell", "bidirectional", "pooling"):
                raise TypeError(f"space[{name!r}] = {spec!r}: give a list of values, not a range.")
            _check_range(name, spec)
            bad = [v for v in spec[:2] if not ok(v)]
            step = spec[2] if len(spec) == 3 and spec[2] != "log" else None
            if not bad and step is not None and all(isinstance(v, Integral) for v in spec[:2]) and step != int(step):
                fractions = (" (ends written as floats, e.g. 1.0, make a range of fractions)"
                             if name in ("dropout", "learning_rate") else "")
                raise ValueError(f"space[{name!r}] = {spec!r}: a range of whole numbers needs a whole step; got "
                                 f"{step}{fractions}.")
        elif isinstance(spec, list):
            if not spec:
                raise ValueError(f"space[{name!r}] is an empty list; give at least one value.")
            bad = [v for v in spec if not ok(v)]
        else:
            bad = [] if ok(spec) else [spec]
        if bad:
            raise ValueError(f"space[{name!r}] has invalid value(s) {bad!r}; each must be {_EXPECTED[name]}.")
        if name in ("cell", "pooling"):
            merged[name] = [c.lower() for c in spec] if isinstance(spec, list) else spec.lower()
    return merged


def _plain(spec):
    """NumPy scalars (``np.int64(4)``, items of ``list(np.array(...))``) as Python numbers:
    keras-tuner accepts only ``int``, ``float``, ``str`` and ``bool``."""
    import numpy as np  # here: the CLI reads DEFAULT_SPACE for its help, which needs no NumPy

    if isinstance(spec, np.generic):
        return spec.item()
    if isinstance(spec, (list, tuple)):
        return type(spec)(_plain(v) for v in spec)
    return spec


def check_grid_space(space: dict) -> None:
    """Refuse ranges a grid cannot walk honestly: floats without a step, ints on a log scale.

    keras-tuner would discretise them silently (two learning rates, say), so the grid
    would cover a corner of the space the user did not choose.
    """
    for name, spec in space.items():
        if not _walkable(spec):
            raise ValueError(
                f"tuner='grid' walks a finite grid, but space[{name!r}] = {spec!r} is a "
                f"{'log-scale' if len(spec) == 3 else 'continuous'} range. Give a list of values "
                f"(e.g. space={{{name!r}: {_grid_example(spec)}}}) or a step (low, high, step), "
                "or use tuner='random', 'bayesian' or 'hyperband'."
            )


def grid_space(space: dict) -> dict:
    """``space`` (resolved) with every range a grid cannot walk replaced by the values that
    :func:`check_grid_space` suggests for it (powers of two, three log-spaced values)."""
    return {name: spec if _walkable(spec) else _grid_example(spec) for name, spec in space.items()}


def _walkable(spec) -> bool:
    """Whether a grid walks ``spec`` as it is: values, a fixed or stepped range, a linear int range."""
    if not isinstance(spec, tuple) or spec[0] == spec[1]:
        return True
    stepped = len(spec) == 3 and spec[2] != "log"
    ints = isinstance(spec[0], Integral) and isinstance(spec[1], Integral)
    return stepped or (ints and len(spec) == 2)


def _grid_example(spec: tuple) -> list:
    low, high = spec[0], spec[1]
    if isinstance(low, Integral) and isinstance(high, Integral):
        values, value = [], int(low)
        while value < high:
            values.append(value)
            value = value * 2 if value > 0 else 1
        return values + [int(high)]
    if low <= 0:
        return [low, (low + high) / 2, high]
    import numpy as np

    return [float(f"{v:.2g}") for v in np.geomspace(low, high, 3)]


def _declare(hp, name: str, spec, *, default=None):
    """One keras-tuner hyperparameter from one space entry; returns its value."""
    if isinstance(spec, list):
        if len(spec) == 1:
            return hp.Fixed(name, spec[0])
        if all(isinstance(v, bool) for v in spec):
            return hp.Boolean(name, default=bool(default) if default is not None else False)
        return hp.Choice(name, spec, default=default if default in spec else None)
    if isinstance(spec, tuple):
        low, high = spec[0], spec[1]
        if low == high:
            return hp.Fixed(name, low)
        sampling = "log" if len(spec) == 3 and spec[2] == "log" else "linear"
        step = spec[2] if len(spec) == 3 and spec[2] != "log" else None
        if isinstance(low, Integral) and isinstance(high, Integral):
            return hp.Int(name, int(low), int(high), step=int(step) if step else None, sampling=sampling)
        return hp.Float(name, float(low), float(high), step=step, sampling=sampling)
    return hp.Fixed(name, spec)


def max_layers(space: dict) -> int:
    spec = space["layers"]
    if isinstance(spec, tuple):
        return int(spec[1])
    if isinstance(spec, list):
        return int(max(spec))
    return int(spec)


def declare(hp, space: dict) -> dict:
    """Declare the whole space on ``hp`` and return this trial's estimator parameters.

    Returns
    -------
    dict
        ``cell``, ``units`` (a list, one width a layer), ``bidirectional``,
        ``dropout``, ``learning_rate``, ``batch_size``, and ``pooling`` and ``frame_length``
        if the space has them.
    """
    params = {
        "bidirectional": _declare(hp, "bidirectional", space["bidirectional"], default=False),
        "dropout": _declare(hp, "dropout", space["dropout"]),
        "learning_rate": _declare(hp, "learning_rate", space["learning_rate"]),
        "batch_size": _declare(hp, "batch_size", space["batch_size"]),
    }
    depth = int(_declare(hp, "layers", space["layers"]))
    possible_depths = _possible_values(space["layers"])
    widths = []
    for i in range(max_layers(space)):
        deeper = [d for d in possible_depths if d > i]
        if i == 0 or len(possible_depths) == 1:
            width = _declare(hp, f"units_{i}", space["units"]) if i < depth else None
        else:
            with hp.conditional_scope("layers", deeper):
                width = _declare(hp, f"units_{i}", space["units"])
        if i < depth:
            widths.append(int(width))
    params["units"] = widths
    for name in OPTIONAL:
        if name in space:
            params[name] = _declare(hp, name, space[name])
    # Declared last: keras-tuner's grid varies the last-declared parameter fastest, so a grid
    # search tries every cell type from its first trials instead of after the rest of the grid.
    params["cell"] = _declare(hp, "cell", space["cell"])
    return params


def _possible_values(spec) -> list[int]:
    if isinstance(spec, tuple):
        step = int(spec[2]) if len(spec) == 3 and spec[2] != "log" else 1
        return list(range(int(spec[0]), int(spec[1]) + 1, step))
    if isinstance(spec, list):
        return [int(v) for v in spec]
    return [int(spec)]
