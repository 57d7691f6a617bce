"""Validation of estimator parameters, including the prefixed Keras options.

Plain parameters are checked in ``fit`` (scikit-learn's rule: ``__init__`` only
stores). Less common Keras options travel as prefixed keyword arguments in the
skorch style: ``compile__<name>`` goes to ``Model.compile``, ``fit__<name>`` to
``Model.fit`` and ``optimizer__<name>`` to the optimizer's constructor.
"""

from __future__ import annotations

import difflib
import inspect
import math
import warnings
from numbers import Integral, Real

PREFIXES = ("compile__", "fit__", "optimizer__")

# Options that have a named parameter of their own: routing them through a prefix
# would silently fight with that parameter.
_RESERVED = {
    "compile__": {"optimizer": "optimizer", "jit_compile": "jit_compile"},
    "fit__": {
        "epochs": "epochs",
        "batch_size": "batch_size",
        "callbacks": "callbacks",
        "validation_split": "validation_fraction",
        "validation_data": "validation_fraction",
        "verbose": "verbose",
        "x": "fit(X, ...)",
        "y": "fit(..., y)",
        "sample_weight": "fit(..., sample_weight=...)",
        "class_weight": "class_weight",
        # seqtune feeds Keras its own batches: these describe them, and are not the user's to set
        "shuffle": "random_state",  # batches are reshuffled every epoch, reproducibly with random_state
        "steps_per_epoch": "epochs",
        "initial_epoch": "warm_start",
        "validation_steps": "validation_fraction",
    },
    "optimizer__": {"learning_rate": "learning_rate"},
}


def did_you_mean(name: str, candidates) -> str:
    """A ' Did you mean ...?' suffix for ``name`` among ``candidates``, or ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_init_kwargs(kwargs: dict, known: list[str], cls_name: str) -> None:
    """Refuse keyword arguments that are neither parameters nor prefixed options.

    This mirrors the TypeError Python raises for an unexpected keyword, adding a
    suggestion; it only looks at names, so ``__init__`` still just stores values.
    """
    for key in kwargs:
        if not key.startswith(PREFIXES):
            raise TypeError(
                f"{cls_name}.__init__() got an unexpected keyword argument {key!r}."
                f"{did_you_mean(key, known)} Keras options go through the prefixes {PREFIXES}."
            )


def split_prefixed(kwargs: dict, prefix: str) -> dict:
    """The options under ``prefix``, with the prefix removed."""
    return {k[len(prefix):]: v for k, v in kwargs.items() if k.startswith(prefix)}


def check_prefixed(kwargs: dict, prefix: str, target) -> dict:
    """Validate the ``prefix`` options against ``target``'s signature and return them."""
    options = split_prefixed(kwargs, prefix)
    valid, accepts_any = _option_names(target)
    allowed = set(valid) - set(_RESERVED[prefix])
    for name in options:
        if name in _RESERVED[prefix]:
            raise ValueError(
                f"{prefix}{name} is not allowed: use the estimator's {_RESERVED[prefix][name]!r} "
                "parameter instead."
            )
        if name not in valid and not accepts_any:
            raise ValueError(
                f"{prefix}{name} is not an option of {getattr(target, '__qualname__', target)}."
                f"{did_you_mean(name, allowed)} Valid options: {', '.join(sorted(allowed))}."
            )
    return options


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside seqtune, and outside
    scikit-learn and joblib when seqtune runs inside their meta-estimators (a ``VotingClassifier``'s
    fit was named where the user's was meant); the outermost frame where there is no such caller."""
    import os
    import sys

    libraries = [os.path.dirname(os.path.abspath(__file__)) + os.sep]
    libraries += [os.path.dirname(os.path.abspath(sys.modules[name].__file__)) + os.sep
                  for name in ("sklearn", "joblib") if getattr(sys.modules.get(name), "__file__", None)]
    frame, level = sys._getframe(1), 1  # level 1: the function calling warnings.warn
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(tuple(libraries)):
        frame, level = frame.f_back, level + 1
    return level


def _option_names(target) -> tuple[list[str], bool]:
    """The keyword names ``target`` takes, and whether it takes any other name.

    A Keras optimizer's ``**kwargs`` go to its base class, which refuses names it does
    not know, so for optimizers the names of every ``__init__`` up the class hierarchy
    are the valid ones (``clipnorm``, ``weight_decay``, ...).
    """
    import keras

    if inspect.isclass(target) and issubclass(target, keras.optimizers.Optimizer):
        names = {name for klass in target.__mro__ if "__init__" in vars(klass)
                 for name in inspect.signature(klass.__init__).parameters}
        return sorted(names - {"self", "args", "kwargs"}), False
    parameters = inspect.signature(target).parameters
    accepts_any = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
    return [n for n in parameters if n not in ("self", "args", "kwargs")], accepts_any


def check_int(name: str, value, *, minimum: int = 1, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int >= {minimum}; got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value}.")


def check_bool(name: str, value) -> None:
    """True or False only: a string such as "False" (from a config file) is truthy and would do the opposite."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__}).")


# keras-tuner seeds with seed + 1 (seqtune.tuning.make_tuner) and NumPy takes seeds below 2**32.
MAX_SEED = 2**32 - 2


def check_seed(name: str, value) -> None:
    """None or an int from 0 to MAX_SEED."""
    if value is None:
        return
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int or None; got {value!r} ({type(value).__name__}).")
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} must be None or an int from 0 to {MAX_SEED}; got {value}.")


def check_random_state(value) -> None:
    """None, an int from 0 to MAX_SEED, or a NumPy RandomState (scikit-learn's ``random_state``)."""
    import numpy as np

    if value is None or isinstance(value, np.random.RandomState):
        return
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"random_state must be None, an int or a numpy RandomState; got {value!r} "
                        f"({type(value).__name__}).")
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"random_state must be None, a numpy RandomState or an int from 0 to {MAX_SEED}; "
                         f"got {value}.")


def check_verbose(value) -> None:
    """An int >= 0, or True/False as scikit-learn's estimators take them (1 and 0)."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        check_int("verbose", value, minimum=0)


def check_int_or_auto(name: str, value) -> None:
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"{name} must be 'auto' or an int >= 1; got {value!r}.")
        return
    check_int(name, value)


def check_fraction(name: str, value, *, upper_inclusive: bool = False, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a float in [0, 1); got {value!r} ({type(value).__name__}).")
    top_ok = value <= 1 if upper_inclusive else value < 1
    if not (0 <= value and top_ok):
        interval = "[0, 1]" if upper_inclusive else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}; got {value}.")


def check_tolerance(value) -> None:
    """``tolerance``: a number >= 0 (inf allowed: always the cheapest model); NaN would choose nothing."""
    if not isinstance(value, Real) or isinstance(value, bool) or value != value or value < 0:
        raise ValueError(f"tolerance must be a number >= 0; got {value!r}.")


def check_positive(name: str, value) -> None:
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive number; got {value!r} ({type(value).__name__}).")
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(f"{name} must be a positive, finite number; got {value}.")


def check_choice(name: str, value, choices) -> None:
    if not isinstance(value, str) or value.lower() not in choices:
        hint = did_you_mean(str(value).lower(), choices) if isinstance(value, str) else ""
        raise ValueError(f"{name}={value!r} is not one of {tuple(choices)}.{hint}")


def check_units(units, layers) -> None:
    """``units``: an int >= 1, or a non-empty list of them (one a layer)."""
    check_int("layers", layers, minimum=1, allow_none=True)
    if isinstance(units, (list, tuple)):
        if not units:
            raise ValueError("units is an empty list; give at least one layer width.")
        for i, u in enumerate(units):
            check_int(f"units[{i}]", u)
        if layers is not None and layers != len(units):
            raise ValueError(
                f"units has {len(units)} widths but layers={layers}; give one width per layer."
            )
    elif not isinstance(units, Integral) or isinstance(units, bool):
        raise TypeError(f"units must be an int >= 1, or a list of them (one width a layer); got {units!r} "
                        f"({type(units).__name__}).")
    else:
        check_int("units", units)


def optimizer_class(optimizer):
    """The Keras optimizer class named by ``optimizer`` (a name, class or instance)."""
    import keras

    if isinstance(optimizer, keras.optimizers.Optimizer):
        return type(optimizer)
    if isinstance(optimizer, type) and issubclass(optimizer, keras.optimizers.Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        try:
            return type(keras.optimizers.get(optimizer))
        except ValueError:
            names = ["adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "lion"]
            raise ValueError(
                f"optimizer={optimizer!r} is not a Keras optimizer.{did_you_mean(optimizer.lower(), names)}"
            ) from None
    raise TypeError(
        f"optimizer must be a name ('adam'), a keras.optimizers.Optimizer class or instance; got {optimizer!r}."
    )


def is_schedule(value) -> bool:
    """Whether ``value`` is a Keras learning-rate schedule (a ``learning_rate`` that varies by step)."""
    if isinstance(value, (Real, str)) or value is None:
        return False
    import keras

    return isinstance(value, keras.optimizers.schedules.LearningRateSchedule)


def warn_if_rate_replaced(optimizer, rate) -> None:
    """Warn when an optimizer instance holds a learning rate of its own that the estimator's replaces.

    The estimator's ``learning_rate`` is the one used, so that ``set_params`` and a search can
    tune it; an instance left at its class's default rate passes quietly.
    """
    import keras

    own = optimizer.get_config().get("learning_rate")
    default = inspect.signature(type(optimizer).__init__).parameters.get("learning_rate")
    if isinstance(own, Real):
        # The config holds the float32 variable's value: 0.001 reads back as 0.0010000000474974513.
        if any(isinstance(r, Real) and math.isclose(own, r, rel_tol=1e-6)
               for r in (rate, None if default is None else default.default)):
            return
        held = advice = f"learning_rate={own:g}"
    elif own is None or (is_schedule(rate) and own == keras.optimizers.schedules.serialize(rate)):
        return
    else:
        held, advice = "a learning-rate schedule", "learning_rate=<the schedule>"
    used = f"{rate:g}" if isinstance(rate, Real) else type(rate).__name__
    warnings.warn(
        f"optimizer={type(optimizer).__name__}(...) holds {held} of its own; the estimator's learning_rate "
        f"({used}) replaces it, so that set_params and a search can tune it. Pass {advice} to the estimator.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def check_quantiles(quantiles) -> None:
    """``quantiles``: None, or a non-empty increasing sequence of floats in (0, 1)."""
    if quantiles is None:
        return
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__len__") or len(quantiles) == 0:
        raise TypeError(f"quantiles must be a non-empty sequence of floats in (0, 1), or None; got {quantiles!r}.")
    for q in quantiles:
        if not isinstance(q, Real) or isinstance(q, bool) or not 0 < q < 1:
            raise ValueError(f"quantiles must lie strictly between 0 and 1; got {list(quantiles)} (found {q!r}).")
    if any(b <= a for a, b in zip(quantiles, quantiles[1:])):
        raise ValueError(f"quantiles must be strictly increasing; got {list(quantiles)}.")


def check_sample_weight(sample_weight, n: int):
    """``sample_weight`` as ``n`` float64 weights (a scalar repeated), or None; ValueError when they
    are not one finite, non-negative weight a sample with at least one positive."""
    import numpy as np  # not at import: the command line's --help stays quick

    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n, float(w))
    if w.ndim != 1 or len(w) != n:
        raise ValueError(f"sample_weight has shape {w.shape}; expected ({n},), one weight a sample.")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not np.any(w > 0):
        raise ValueError("sample_weight is zero for every sample; at least one must be positive.")
    return w
