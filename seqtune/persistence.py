"""Saving and loading estimators: the Keras ``.keras`` format plus seqtune's metadata.

A saved estimator is one zip file holding

* ``model.keras`` — the Keras model (for text input, with its ``TextVectorization``
  inside, so the saved model itself takes strings);
* ``estimator.json`` — class, parameters and JSON-safe fitted attributes;
* ``arrays.npz`` — fitted NumPy attributes (``classes_``, scalers), read with
  ``allow_pickle=False``.

Loading uses Keras' ``safe_mode``: a file whose model would run arbitrary code
(a ``Lambda`` layer, say) is refused unless the caller passes ``unsafe=True``.
Files are written under a temporary name and renamed, so a crash never leaves
half a file where a good one was.
"""

from __future__ import annotations

import copy
import datetime
import inspect
import io
import json
import os
import pickle
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

FORMAT = "seqtune-estimator"
# 3: the fitted state tagged as the parameters are (tuple and Timestamp labels); 2: tagged parameters
# (see ``encode_param``); 1 listed tuple parameters by name
FORMAT_VERSION = 3

# What NumPy 2 warns when Keras reads TensorFlow's variables with np.array() (Keras' and TensorFlow's
# affair, which a seqtune user cannot act on): filtered where seqtune saves models.
NUMPY_COPY_WARNING = "__array__ implementation doesn't accept a copy keyword"

# A constructor parameter that JSON cannot hold as it is travels as {_TAG: kind, "value": ...}.
_TAG = "__seqtune__"


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A symbolic link keeps pointing where it did (its target is replaced), and the file
    gets the permissions a plain ``open`` would give it (an existing file keeps its own),
    not the private ones of a temporary file.
    """
    path = Path(os.path.realpath(path))
    # A short temporary name: one built from a long file name could exceed the system's limit.
    try:
        fd, tmp = tempfile.mkstemp(prefix=".seqtune-", suffix=".tmp", dir=path.parent)
    except PermissionError:  # its message named the temporary file, not the one being written
        raise PermissionError(f"Cannot write {path}: permission denied in the folder {path.parent}.") from None
    except FileNotFoundError:  # a symbolic link into a folder that does not exist
        raise FileNotFoundError(f"Cannot write {path}: folder {path.parent} does not exist.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _file_mode(path: Path) -> int:
    """``path``'s permission bits if it exists, else those of a new file under the process' umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def inference_model(model):
    """``model``'s layers and weights as a new, uncompiled functional model (a non-functional one as
    it is): saved without the optimizer's state, which loading discards (it compiles afresh) and
    which is twice the weights' size under Adam."""
    import keras

    if getattr(model, "optimizer", None) is None or not isinstance(getattr(model, "inputs", None), list):
        return model
    # One input stays one tensor, not a list of one: Keras warns when a list-input model is called on a tensor.
    inputs, outputs = (x[0] if len(x) == 1 else x for x in (model.inputs, model.outputs))
    return keras.Model(inputs, outputs, name=model.name)


def model_to_bytes(model) -> bytes:
    """Serialize a Keras model (its inference part: :func:`inference_model`) to the bytes of a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as tmp:
        file = os.path.join(tmp, "model.keras")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=NUMPY_COPY_WARNING, category=DeprecationWarning)
            inference_model(model).save(file)
        with open(file, "rb") as f:
            return f.read()


def model_from_bytes(data: bytes, *, safe_mode: bool = True, compile: bool = True):
    """Load a Keras model from the bytes of a ``.keras`` file."""
    import keras

    import seqtune._layers  # noqa: F401  (register seqtune's layers for deserialization)
    import seqtune._fused_rnn  # noqa: F401  (models saved since seqtune fuses kernels hold FusedLSTM/FusedGRU layers)

    with tempfile.TemporaryDirectory() as tmp:
        file = os.path.join(tmp, "model.keras")
        with open(file, "wb") as f:
            f.write(data)
        return keras.saving.load_model(file, safe_mode=safe_mode, compile=compile)


def _unsafe_hint(exc: Exception) -> str:
    return (
        f"The model in this file needs code execution to load ({exc}). seqtune refuses it by "
        "default; if you trust the file, call seqtune.load(path, unsafe=True)."
    )


def load_model_safely(data: bytes, *, unsafe: bool, compile: bool = True):
    """:func:`model_from_bytes` that turns Keras' safe-mode refusal into a clear ValueError."""
    try:
        return model_from_bytes(data, safe_mode=not unsafe, compile=compile)
    except ValueError as exc:
        if "safe_mode" in str(exc) or "unsafe" in str(exc).lower():
            raise ValueError(_unsafe_hint(exc)) from None
        raise
    except KeyError as exc:  # zipfile's "There is no item named 'config.json' in the archive"
        raise NotAKerasModel(f"its model.keras is a zip archive but not a Keras model ({exc}).") from None


class NotAKerasModel(ValueError):
    """A bundle's model.keras is a zip archive without a Keras model in it."""


def file_path(path, what: str) -> Path:
    """``path`` (str or path-like, ``~`` expanded) as a Path; TypeError for anything else, naming ``what``."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what} must be a file path (str or pathlib.Path); got {type(path).__name__}. "
                        "Open files and buffers are not supported: give the file's name.")
    return Path(path).expanduser()


def write_bundle(path, *, meta: dict, arrays: dict, model_bytes: bytes) -> Path:
    """Write an estimator bundle atomically."""
    meant_as_folder = isinstance(path, str) and path.endswith(("/", os.sep))
    path = file_path(path, "save's path")
    if path.is_dir() or meant_as_folder:
        raise ValueError(f"Cannot save to {path}: it {'names' if meant_as_folder else 'is'} a folder; give a file name "
                         f"such as {path / 'model.seqtune'}.")
    if not path.parent.exists():
        raise ValueError(f"Cannot save to {path}: folder {path.parent} does not exist.")
    buffer = io.BytesIO()
    npz = io.BytesIO()
    np.savez(npz, **arrays)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("estimator.json", json.dumps({"format": FORMAT, "version": FORMAT_VERSION, **meta}))
        zf.writestr("arrays.npz", npz.getvalue())
        zf.writestr("model.keras", model_bytes)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def read_bundle(path) -> tuple[dict, dict, bytes]:
    """Read ``(meta, arrays, model_bytes)`` from a bundle; clear errors for foreign files."""
    path = file_path(path, "load's path")
    if not path.is_file():
        raise FileNotFoundError(f"No saved estimator at {path}.")
    with open(path, "rb") as f:
        if f.read(1) == b"\x80":  # pickle's protocol marker, which joblib's files start with too
            raise ValueError(f"{path} is a pickle (pickle.dump or joblib.dump), not a file of est.save(): read it "
                             "with pickle.load or joblib.load, and only if you trust where it came from.")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            missing = {"estimator.json", "arrays.npz", "model.keras"} - names
            if missing:
                # A cut file's outer directory is lost, and the zip reader finds the inner model.keras's.
                raise ValueError(f"{path} is a zip file but not a complete seqtune estimator file (missing "
                                 f"{sorted(missing)}): truncated or corrupted, or another program's zip.")
            meta = json.loads(zf.read("estimator.json"))
            try:
                with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as npz:
                    arrays = {k: npz[k] for k in npz.files}
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                # NumPy's advice for what it cannot read as arrays is to allow pickle: never for a file
                why = "not NumPy arrays" if "allow_pickle" in str(exc) else str(exc)
                raise ValueError(f"{path} is a damaged seqtune estimator file (arrays.npz: {why}).") from None
            model_bytes = zf.read("model.keras")
            if not zipfile.is_zipfile(io.BytesIO(model_bytes)):  # Keras says "File not found" of its temporary copy
                raise ValueError(f"{path} is a damaged seqtune estimator file (model.keras is not a Keras file: not "
                                 "a complete zip archive).")
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise ValueError(
            f"{path} is not a seqtune estimator file (not a readable zip archive; truncated, corrupted or foreign)."
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is a damaged seqtune estimator file ({type(exc).__name__}: {exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a seqtune estimator file (format "
                         f"{meta.get('format') if isinstance(meta, dict) else None!r}).")
    if not isinstance(meta.get("version", 0), int) or not isinstance(meta.get("class"), str) \
            or not isinstance(meta.get("params"), dict) or not isinstance(meta.get("state"), dict):
        raise ValueError(f"{path} is a damaged seqtune estimator file (estimator.json lacks its version, class, "
                         "params or state).")
    if meta.get("version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer seqtune (format version {meta['version']}); upgrade seqtune."
        )
    return meta, arrays, model_bytes


def load(path, *, unsafe: bool = False):
    """Load an estimator saved with ``est.save(path)``.

    Parameters
    ----------
    path : str or path-like
        The file written by ``save``.
    unsafe : bool, default=False
        Allow a model that needs code execution to load (for instance one with a
        ``Lambda`` layer). Only for files you trust.

    Returns
    -------
    estimator
        A fitted seqtune estimator, predicting exactly as the one saved.
    """
    import importlib

    meta, arrays, model_bytes = read_bundle(path)
    module_name, _, class_name = meta["class"].rpartition(".")
    not_ours = ValueError(f"{path} names class {meta['class']!r}, which is not a seqtune estimator.")
    if not module_name.startswith("seqtune."):
        raise not_ours
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        raise not_ours from None
    if not (isinstance(cls, type) and issubclass(cls, BundledEstimatorMixin)):
        raise not_ours
    try:
        return cls._from_bundle(meta, arrays, model_bytes, unsafe=unsafe)
    except KeyError as exc:
        raise ValueError(f"{path} is a damaged seqtune estimator file (its fitted state lacks {exc}).") from None
    except NotAKerasModel as exc:
        raise ValueError(f"{path} is a damaged seqtune estimator file: {exc}") from None


def jsonable(value):
    """``value`` with NumPy scalars and arrays turned into plain JSON values (TypeError otherwise)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in estimator metadata")


def encode_param(value):
    """A constructor parameter as JSON; what JSON cannot hold as it is gets a tag.

    Tuples, dicts with keys other than strings (``class_weight={0: 1, 1: 3}``), time
    stamps (``pd.Timestamp`` or ``datetime``, as labels of columns and series), a NumPy
    ``RandomState``, Keras optimizer instances (with their configuration) or classes,
    losses, metrics and learning-rate schedules come back from :func:`decode_param` as
    they were given. Also used for the fitted state, whose labels may be any of these.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.datetime, np.datetime64)):
        import pandas as pd

        stamp = pd.Timestamp(value)
        return {_TAG: "timestamp", "value": stamp.isoformat(), "tz": None if stamp.tz is None else str(stamp.tz)}
    if isinstance(value, tuple):
        return {_TAG: "tuple", "value": [encode_param(v) for v in value]}
    if isinstance(value, list):
        return [encode_param(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: encode_param(v) for k, v in value.items()}
        return {_TAG: "dict", "value": [[encode_param(k), encode_param(v)] for k, v in value.items()]}
    if isinstance(value, np.random.RandomState):
        kind, keys, position, has_gauss, gauss = value.get_state(legacy=True)
        return {_TAG: "RandomState", "value": [kind, keys.tolist(), position, has_gauss, gauss]}
    import keras

    if isinstance(value, keras.optimizers.Optimizer):
        return {_TAG: "optimizer", "value": jsonable(keras.optimizers.serialize(value))}
    if isinstance(value, type) and issubclass(value, keras.optimizers.Optimizer):
        return {_TAG: "optimizer_class", "value": jsonable(keras.optimizers.serialize(value()))}
    # compile__loss, compile__metrics, learning_rate
    if isinstance(value, (keras.losses.Loss, keras.metrics.Metric, keras.optimizers.schedules.LearningRateSchedule)):
        return {_TAG: "keras_object", "value": jsonable(keras.saving.serialize_keras_object(value))}
    return jsonable(value)


_CANNOT_STORE_PARAMETER = ("it keeps plain values, Keras optimizers, losses and metrics. Pass it in one of those "
                           "forms, or pickle the estimator (pickle and joblib keep any parameter).")
_CANNOT_STORE_FITTED = ("labels of columns, series and classes are kept when they are numbers, strings, time stamps "
                        "or tuples of these. Rename them, or pickle the estimator (pickle and joblib keep any label).")


def _encode_for_save(value, what: str, advice: str):
    """:func:`encode_param`, with an error that names ``what`` ``save`` cannot store, and ``advice``."""
    try:
        return encode_param(value)
    except TypeError as exc:
        raise TypeError(f"save() cannot store {what} ({exc}): {advice}") from None


def decode_param(value):
    """The parameter :func:`encode_param` stored."""
    if isinstance(value, list):
        return [decode_param(v) for v in value]
    if not isinstance(value, dict):
        return value
    if _TAG not in value:
        return {k: decode_param(v) for k, v in value.items()}
    kind, stored = value[_TAG], value["value"]
    if kind == "tuple":
        return tuple(decode_param(v) for v in stored)
    if kind == "timestamp":
        import pandas as pd

        stamp = pd.Timestamp(stored)
        return stamp if value["tz"] is None else stamp.tz_convert(value["tz"])
    if kind == "dict":
        # (format 2 wrote tuple keys as lists)
        return {tuple(k) if isinstance(k, list) else decode_param(k): decode_param(v) for k, v in stored}
    if kind == "RandomState":
        state = np.random.RandomState()
        state.set_state((stored[0], np.asarray(stored[1], dtype=np.uint32), *stored[2:]))
        return state
    if kind in ("optimizer", "optimizer_class"):
        import keras

        try:
            optimizer = keras.optimizers.deserialize(stored)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"the saved optimizer {stored.get('class_name')!r} could not be rebuilt ({exc}); a custom "
                "optimizer class must be registered with keras.saving.register_keras_serializable before loading."
            ) from None
        return optimizer if kind == "optimizer" else type(optimizer)
    if kind == "keras_object":
        import keras

        try:
            return keras.saving.deserialize_keras_object(stored)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"the saved Keras object {stored.get('class_name')!r} could not be rebuilt ({exc}); a custom loss "
                "or metric class must be registered with keras.saving.register_keras_serializable before loading."
            ) from None
    raise ValueError(f"a saved parameter has the unknown kind {kind!r}; upgrade seqtune.")


class BundledEstimatorMixin:
    """``save``, pickling and :func:`load` for an estimator fitted as a Keras ``model_``.

    A subclass provides ``_bundle_state()``, returning ``(state, arrays,
    model_bytes)``: JSON-safe fitted attributes, NumPy arrays and the Keras model
    as bytes, and ``_restore_bundle_state(state, arrays, model_bytes, *, unsafe)``,
    which sets them back. ``_saved_params()`` may adjust the constructor
    parameters that ``save`` stores; parameters named in ``_unpicklable_params``
    are pickled as None.
    """

    _unpicklable_params: tuple = ()

    def _saved_params(self) -> dict:
        return self.get_params(deep=False)

    def __getstate__(self):
        fitted = {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("__")}
        state = {k: v for k, v in vars(self).items() if k not in fitted}
        state.update(dict.fromkeys(self._unpicklable_params))
        if state.get("callbacks"):
            try:
                pickle.dumps(state["callbacks"])
            except Exception as exc:  # a CSVLogger holds an open file, a user callback anything
                warnings.warn(f"callbacks could not be pickled ({type(exc).__name__}: {exc}); the pickle leaves "
                              "them out, as save() does: set them again after loading.", UserWarning,
                              stacklevel=2)
                state["callbacks"] = None
        if hasattr(self, "model_"):
            # The Keras model travels in the .keras format, as with save().
            state["_pickled_fit"] = self._bundle_state()
        else:
            state.update(fitted)
        return state

    def __setstate__(self, state):
        state = dict(state)
        fitted = state.pop("_pickled_fit", None)
        vars(self).update(state)
        if fitted is not None:
            # Pickle runs code from the file by design: unpickle only trusted files.
            self._restore_bundle_state(*copy.deepcopy(fitted[:2]), fitted[2], unsafe=False)

    def save(self, path) -> None:
        """Save the fitted estimator to one file (``.keras`` model + metadata).

        ``seqtune.load(path)`` reads it back, with the same parameters (an optimizer's
        configuration and a ``RandomState`` included), except ``callbacks`` and
        ``distribution_strategy``, which hold live objects: set them again after loading.

        Parameters
        ----------
        path : str or path-like
            Destination file; written under a temporary name then renamed.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")
        state, arrays, model_bytes = self._bundle_state()
        params = self._saved_params()
        meta = {"class": f"{type(self).__module__}.{type(self).__name__}",
                "params": {k: _encode_for_save(v, f"the parameter {k}={v!r}", _CANNOT_STORE_PARAMETER)
                           for k, v in params.items()},
                "state": {k: _encode_for_save(v, f"the fitted attribute {k}", _CANNOT_STORE_FITTED)
                          for k, v in state.items()}}
        write_bundle(path, meta=meta, arrays=arrays, model_bytes=model_bytes)

    @classmethod
    def _from_bundle(cls, meta, arrays, model_bytes, *, unsafe):
        params = {k: decode_param(v) for k, v in meta["params"].items()}
        for k in meta.get("tuple_params", []):  # format version 1
            params[k] = tuple(params[k])
        # Keras options (compile__loss, ...) are constructor keywords of the classes that take **kwargs.
        takes_options = any(p.kind is p.VAR_KEYWORD for p in inspect.signature(cls.__init__).parameters.values())
        unknown = sorted(k for k in params if k not in cls._get_param_names() and not (takes_options and "__" in k))
        if unknown:
            raise ValueError(f"The saved estimator is damaged: {cls.__name__} has no parameter(s) {unknown}.")
        est = cls(**params)
        est._restore_bundle_state(decode_param(meta["state"]), arrays, model_bytes, unsafe=unsafe)
        return est
