"""BaseSequenceEstimator: the fit / predict plumbing shared by every seqtune estimator.

Keras and TensorFlow are imported inside methods, never at module import, so
``import seqtune`` stays fast.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from seqtune import _params as P
from seqtune._fit_state import forget_fitted_state, restored_on_error
from seqtune._input_state import InputStateMixin
from seqtune.inputs import length_bucket
from seqtune.persistence import BundledEstimatorMixin
from seqtune.space import POOLINGS

# Fitted attributes that are NumPy arrays / plain values: stored by ``save`` and pickling.
_ARRAY_STATE = ("classes_", "feature_names_in_", "target_mean_", "target_scale_")
# What pooling="auto" reads, by input kind.
AUTO_POOLING = {"text": "max", "tokens": "max", "numeric": "concat"}


@dataclass
class TrainingData:
    """Network-ready training data: inputs (array or list), encoded targets, weights."""

    values: object
    y: np.ndarray
    weight: np.ndarray | None
    head: object
    seed: int | None

    @property
    def n(self) -> int:
        return len(self.values)

    def subset(self, index) -> "TrainingData":
        values = (self.values[index] if isinstance(self.values, np.ndarray)
                  else [self.values[i] for i in index])
        weight = None if self.weight is None else self.weight[index]
        return TrainingData(values, self.y[index], weight, self.head, self.seed)


class BaseSequenceEstimator(InputStateMixin, BundledEstimatorMixin, BaseEstimator):
    """Shared implementation of the seqtune estimators (not for direct use).

    Subclasses define ``_encode_target`` (fit-time target encoding and output layer),
    ``_transform_target`` (encoding with the fitted state), ``_loss``, ``_metrics`` and
    the public ``fit`` / ``predict`` family.
    """

    # A tf.distribute strategy holds devices and threads: it does not pickle, and the
    # unpickled estimator predicts on the default device.
    _unpicklable_params = ("distribution_strategy",)
    # What each "auto" default resolves to. A search records it with the estimator defaults, so one run when
    # an "auto" meant something else (pooling: the final state alone for numbers, before "concat") is not
    # resumed: the word stayed, the trials would not compare.
    _auto_meanings = {"pooling": AUTO_POOLING}

    def __init__(
        self,
        cell="gru",
        units=64,
        layers=None,
        bidirectional=False,
        pooling="auto",
        dropout=0.0,
        recurrent_dropout=0.0,
        embedding_dim=64,
        max_tokens=None,
        max_length="auto",
        frame_length="auto",
        input_type="auto",
        standardize=True,
        epochs="auto",
        batch_size=32,
        learning_rate=1e-3,
        optimizer="adam",
        early_stopping=True,
        patience=5,
        validation_fraction=0.1,
        callbacks=None,
        warm_start=False,
        jit_compile="auto",
        distribution_strategy=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.cell = cell
        self.units = units
        self.layers = layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.embedding_dim = embedding_dim
        self.max_tokens = max_tokens
        self.max_length = max_length
        self.frame_length = frame_length
        self.input_type = input_type
        self.standardize = standardize
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.jit_compile = jit_compile
        self.distribution_strategy = distribution_strategy
        self.random_state = random_state
        self.verbose = verbose
        # Stored as given, like every parameter; ``fit`` refuses unknown names.
        vars(self).update(kwargs)

    # ----------------------------------------------------------------- parameters
    def _extra_params(self) -> dict:
        """Keyword arguments beyond the named parameters (the prefixed Keras options)."""
        named = set(self._get_param_names())
        return {k: v for k, v in vars(self).items()
                if k not in named and not k.startswith("_") and not k.endswith("_")}

    def _prefixed_params(self) -> dict:
        return {k: v for k, v in self._extra_params().items() if k.startswith(P.PREFIXES)}

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params):
        named = set(self._get_param_names())
        # Prefixed Keras options (optimizer__clipnorm) are stored as they are, not routed to a
        # nested estimator named "optimizer" as scikit-learn would.
        stored = set(self._extra_params())  # names __init__ took (checked at fit)
        extra = {k: v for k, v in params.items() if k.startswith(P.PREFIXES) or k in stored}
        for key in params:
            if key not in extra and key.split("__")[0] not in named:
                # As scikit-learn does (against get_params' names): a typo in a parameter grid
                # fails here, not in every fit.
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}.{P.did_you_mean(key, named)} "
                    f"Valid parameters are {sorted(named)}; Keras options go through the prefixes {P.PREFIXES}."
                )
            outer = key.split("__")[0]
            if key not in extra and outer != key and not hasattr(getattr(self, outer), "set_params"):
                raise ValueError(f"Invalid parameter {key!r}: {outer} is {getattr(self, outer)!r}, which has no "
                                 f"parameters of its own; set {outer}=... instead.")
        vars(self).update(extra)  # their values are validated at fit, like every parameter
        return super().set_params(**{k: v for k, v in params.items() if k not in extra})

    def _check_params(self) -> None:
        """Validate every parameter; called at the start of ``fit``."""
        P.check_init_kwargs(self._extra_params(), self._get_param_names(), type(self).__name__)
        P.check_choice("cell", self.cell, ("lstm", "gru"))
        P.check_units(self.units, self.layers)
        for name in ("bidirectional", "early_stopping", "warm_start"):
            P.check_bool(name, getattr(self, name))
        P.check_choice("pooling", self.pooling, ("auto", *POOLINGS))
        P.check_fraction("dropout", self.dropout)
        P.check_fraction("recurrent_dropout", self.recurrent_dropout)
        P.check_int("embedding_dim", self.embedding_dim)
        P.check_int("max_tokens", self.max_tokens, minimum=2, allow_none=True)
        if self.max_length not in (None, "auto"):
            P.check_int("max_length", self.max_length)
        P.check_int_or_auto("frame_length", self.frame_length)
        if self.standardize not in (True, False, "sequence"):
            raise ValueError(f"standardize must be True, False or 'sequence'; got {self.standardize!r}.")
        P.check_choice("input_type", self.input_type, ("auto", "numeric", "tokens", "text"))
        P.check_int_or_auto("epochs", self.epochs)
        P.check_int("batch_size", self.batch_size)
        if not P.is_schedule(self.learning_rate):
            P.check_positive("learning_rate", self.learning_rate)
        P.check_int("patience", self.patience, minimum=0)
        P.check_fraction("validation_fraction", self.validation_fraction, allow_none=True)
        P.check_verbose(self.verbose)
        P.check_random_state(self.random_state)
        if self.jit_compile not in ("auto", True, False):
            raise ValueError(f"jit_compile must be 'auto', True or False; got {self.jit_compile!r}.")
        strategy = self.distribution_strategy
        if strategy is not None and not (hasattr(strategy, "scope") and hasattr(strategy, "num_replicas_in_sync")):
            raise TypeError(f"distribution_strategy must be a tf.distribute.Strategy (e.g. "
                            f"tf.distribute.MirroredStrategy()); got {type(strategy).__name__}.")
        import keras

        backend = keras.backend.backend()
        if strategy is not None and backend != "tensorflow":
            # Keras would train on one device while the batch grows by the replicas it never uses.
            raise ValueError(f"distribution_strategy is a tf.distribute strategy, which Keras runs on its "
                             f"TensorFlow backend only; this process runs Keras on {backend!r}. Set "
                             "KERAS_BACKEND=tensorflow before Python starts, or drop the strategy.")
        if backend == "torch" and self._prefixed_params().get("compile__steps_per_execution", 1) != 1:
            raise ValueError("compile__steps_per_execution must be 1 on Keras' torch backend (Keras runs one "
                             "batch a step there); drop it, or use the TensorFlow or JAX backend.")
        if self.callbacks is not None:
            if not isinstance(self.callbacks, (list, tuple)):
                raise TypeError("callbacks must be a list of keras.callbacks.Callback; got "
                                f"{type(self.callbacks).__name__}.")
            wrong = sorted({type(c).__name__ for c in self.callbacks if not isinstance(c, keras.callbacks.Callback)})
            if wrong:
                raise TypeError("callbacks must be a list of keras.callbacks.Callback; got a "
                                f"{type(self.callbacks).__name__} holding {', '.join(wrong)}.")
        if self.recurrent_dropout:
            warnings.warn(
                "recurrent_dropout > 0 cannot use the fused cuDNN kernels: on a GPU, training "
                "is several times slower. Prefer dropout=, which keeps the fast path.",
                UserWarning,
                stacklevel=P.user_stacklevel(),
            )

    # ------------------------------------------------------------------ training
    def _resolved_jit(self, work: float, shapes: int = 1, longest: int | None = None) -> bool:
        """Whether to XLA-compile a fit of ``work`` time steps in ``shapes`` batch shapes whose longest padded
        length is ``longest`` recurrent steps: see ``jit_compile``."""
        from seqtune._training import resolve_jit
        from seqtune.architectures import layer_widths

        return resolve_jit(self.jit_compile, work, shapes=shapes, distributed=self.distribution_strategy is not None,
                           cell=self.cell, recurrent_dropout=self.recurrent_dropout,
                           layers=len(layer_widths(self.units, self.layers)), longest=longest)

    def _make_optimizer(self):
        import keras

        options = P.check_prefixed(self._prefixed_params(), "optimizer__", P.optimizer_class(self.optimizer))
        rate = self.learning_rate
        if not P.is_schedule(rate):
            rate = float(rate)  # Keras refuses NumPy float32 (np.float32(1e-3) from a grid, say)
        if isinstance(self.optimizer, keras.optimizers.Optimizer):
            P.warn_if_rate_replaced(self.optimizer, rate)
            config = {**self.optimizer.get_config(), **options, "learning_rate": rate}
            return type(self.optimizer).from_config(config)
        return P.optimizer_class(self.optimizer)(learning_rate=rate, **options)

    def _seed(self) -> int | None:
        from seqtune._training import seed_from

        return seed_from(self.random_state)

    def _build_model(self, head):
        """Build and compile the network (inside ``distribution_strategy``'s scope if any)."""
        from contextlib import nullcontext

        from seqtune.architectures import build_network

        strategy = self.distribution_strategy
        with strategy.scope() if strategy is not None else nullcontext():
            model = build_network(
                self._input_layout_,
                head,
                cell=self.cell.lower(),
                units=self.units,
                layers=self.layers,
                bidirectional=bool(self.bidirectional),
                dropout=float(self.dropout),
                recurrent_dropout=float(self.recurrent_dropout),
                embedding_dim=self.embedding_dim,
                pooling=self._pooling(),
                name=type(self).__name__,
            )
            self._compile(model)
        self._network_params_ = self._network_params()
        return model

    def _pooling(self) -> str:
        """``pooling``, with "auto" resolved: max over the steps for text and token ids, else the final state,
        max and mean side by side ("concat")."""
        pooling = self.pooling.lower()
        if pooling != "auto":
            return pooling
        return AUTO_POOLING[self.input_kind_]

    def _network_params(self) -> dict:
        """The parameters that shape the network and its input state (vocabulary, length cut,
        scaling), as built: ``warm_start`` keeps both, so it refuses changes to them."""
        from seqtune.architectures import layer_widths

        return {"cell": self.cell.lower(), "units": layer_widths(self.units, self.layers),
                "bidirectional": bool(self.bidirectional), "pooling": self._pooling(),
                "dropout": float(self.dropout), "recurrent_dropout": float(self.recurrent_dropout),
                "embedding_dim": self.embedding_dim, "max_tokens": self.max_tokens,
                "max_length": self.max_length, "frame_length": self.frame_length,
                "standardize": self.standardize}

    def _global_batch_size(self) -> int:
        """``batch_size`` per replica times the replicas of ``distribution_strategy`` (Keras' advice)."""
        replicas = getattr(self.distribution_strategy, "num_replicas_in_sync", 1)
        return int(self.batch_size) * int(replicas)

    def _compile(self, model) -> None:
        import keras

        options = P.check_prefixed(self._prefixed_params(), "compile__", keras.Model.compile)
        options.setdefault("loss", self._loss())
        options.setdefault("metrics", self._metrics())
        # A loaded or unpickled model keeps the compilation it was fitted with, so it
        # predicts bit for bit as before (XLA rounds differently).
        model.compile(optimizer=self._make_optimizer(), jit_compile=self.jit_compiled_, **options)

    def _split_validation(self, n: int, y_encoded, seed):
        """Indices (train, validation); validation empty when too few samples or without early stopping
        (it only watches the validation loss: as scikit-learn's MLP, the model then trains on all data)."""
        fraction = (self.validation_fraction or 0.0) if self.early_stopping else 0.0
        n_val = int(round(n * fraction))
        if n_val < 1 or n - n_val < 1:
            return np.arange(n), np.arange(0)
        from sklearn.model_selection import train_test_split

        stratify = self._stratify(y_encoded, n_val)
        train, val = train_test_split(np.arange(n), test_size=n_val, random_state=seed, stratify=stratify)
        return np.sort(train), np.sort(val)

    def _stratify(self, y_encoded, n_val):
        return None

    def _keras_data(self, data: "TrainingData", *, shuffle, seed, batch_size: int | None = None) -> tuple:
        """``(data, steps)`` for ``Model.fit``: a tuple of arrays (x, y[, sample_weight]) that Keras
        batches, or a pipeline that batches itself, with ``steps`` (the batches an epoch) when it
        repeats endlessly, else None. ``batch_size``: the repeating pipeline's (default: the fit's)."""
        from seqtune.batching import BucketedSequence, keras_data, repeating_dataset

        if isinstance(data.values, np.ndarray):
            arrays = tuple(a for a in (data.values, data.y, data.weight) if a is not None)
            repeating = None
            # Keras' last call of an epoch of a repeating pipeline runs all of the user's steps_per_execution,
            # past the epoch's end (seqtune chooses its own to divide the epoch: _training.steps_per_execution).
            user_steps = self._prefixed_params().get("compile__steps_per_execution", 1)
            if self.distribution_strategy is None and user_steps == 1:
                repeating = repeating_dataset(arrays, batch_size=batch_size or self._global_batch_size(),
                                              shuffle=shuffle, seed=seed)
            return repeating or (arrays, None)
        layout = self._input_layout_
        sequence = BucketedSequence(data.values, data.y, data.weight, batch_size=self._global_batch_size(),
                                    kind=layout.kind, n_features=layout.n_features,
                                    max_length=self.max_length_, shuffle=shuffle, seed=seed,
                                    masked=layout.ignores_padding)
        return keras_data(sequence), None

    def _fit(self, X, y, sample_weight=None):
        """Validate, build (or reuse, with ``warm_start``) and train the network; a fit that
        raises leaves the estimator's fitted state as it was (see ``restored_on_error``)."""
        with restored_on_error(self):
            return self._validate_and_train(X, y, sample_weight)

    def _validate_and_train(self, X, y, sample_weight=None):
        warm = bool(self.warm_start) and hasattr(self, "model_")
        data = self._prepare(X, y, sample_weight, warm=warm)
        if warm:
            self._check_same_network()
        else:
            self.model_ = self._build_model(data.head)
        train, val = self._split_validation(data.n, data.y, data.seed)
        epochs = self._epochs(len(train))
        history = self._train(self.model_, data.subset(train), data.subset(val) if len(val) else None,
                              epochs=epochs, seed=data.seed)
        if self.early_stopping:
            from seqtune._training import warn_if_still_improving

            warn_if_still_improving(history.history, epochs=epochs)
        previous = getattr(self, "history_", {}) if warm else {}
        self.history_ = {k: list(previous.get(k, [])) + [float(v) for v in vals]
                         for k, vals in history.history.items()}
        self.n_iter_ = len(history.history.get("loss", []))
        return self

    def _epochs(self, n_train: int) -> int:
        """``epochs`` for ``n_train`` training samples, "auto" resolved (see ``resolve_epochs``)."""
        from seqtune._training import resolve_epochs

        return resolve_epochs(self.epochs, math.ceil(n_train / self._global_batch_size()))

    def _check_same_network(self) -> None:
        built = getattr(self, "_network_params_", None)  # None: a model saved before it was recorded
        if built is None:
            return
        changed = {k: (built[k], v) for k, v in self._network_params().items() if k in built and built[k] != v}
        if changed:
            what = ", ".join(f"{k} {old!r} -> {new!r}" for k, (old, new) in changed.items())
            raise ValueError(
                f"warm_start=True continues training the fitted network, but its shape or input state (vocabulary, "
                f"length cut, scaling) changed since it was built ({what}). Set warm_start=False to build and "
                "train the new network."
            )

    def _prepare(self, X, y, sample_weight=None, *, warm: bool = False) -> "TrainingData":
        """Validate parameters and data, learn the input/target state, seed; no model yet."""
        import keras

        self._check_params()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        seqs = self._sequences(X, reset=not warm)
        n = len(seqs)
        y_encoded, head, target_state = self._encode_target(y, n, warm=warm)
        weight = self._sample_weight(sample_weight, y, n)
        if weight is not None and not np.all(weight > 0):
            # scikit-learn's rule: a sample of weight 0 is one not there (Bagging draws its bags so). Kept,
            # it shaped the input scaling and filled the validation split (a val_loss of 0 when all there).
            kept = np.flatnonzero(weight > 0)
            seqs, y_encoded, weight, n = seqs.subset(kept), y_encoded[kept], weight[kept], len(kept)
        if weight is not None:
            # Only their ratios matter: at 1e-6 each (weights summing to 1 over a large set) the gradients
            # fell under Adam's epsilon and the network stopped learning without a word.
            weight = (weight / weight.mean()).astype(np.float32)
        seed = self._seed()
        if not warm:
            forget_fitted_state(self, keep=(("n_features_in_", "feature_names_in_") if seqs.layout == "2d" else ())
                                 + ("sequence_columns_",))
            vars(self).update(target_state)
            # Keras' global state (layer-name registry, graph caches) grows with every model built;
            # clearing it does not touch models other estimators already hold.
            keras.backend.clear_session(free_memory=False)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        if not warm:
            self._fit_input_state(seqs, original=X)
        values = self._network_input(seqs)
        if not warm:
            lengths = np.array([len(v) for v in values]) if not isinstance(values, np.ndarray) else None
            steps = (values.shape[1] if lengths is None else float(np.mean(lengths))) / self.frame_length_
            work = n * self._epochs(n) * steps
            # Batches of ragged data are padded to a few bucket lengths, each an XLA compilation.
            shapes = 1 if lengths is None else len({length_bucket(int(m)) for m in lengths})
            longest = values.shape[1] if lengths is None else length_bucket(int(lengths.max()))
            self.jit_compiled_ = self._resolved_jit(work, shapes, longest=math.ceil(longest / self.frame_length_))
        return TrainingData(values, y_encoded, weight, head, seed)

    def _validation_data(self, X, y) -> "TrainingData":
        """Held-out data encoded with the fitted state (for a search's validation split)."""
        seqs = self._sequences(X, reset=False)
        return TrainingData(self._network_input(seqs), self._transform_target(y), None, None, None)

    def _train(self, model, train: "TrainingData", val: "TrainingData | None", *, epochs: int,
               initial_epoch: int = 0, seed=None, extra_callbacks=()):
        """Train ``model`` with early stopping, divergence checks and seqtune's batching."""
        import keras

        from seqtune._training import (acts_on_every_batch, fit_model, long_enough_for_several_a_call,
                                       validation_batch_size)

        replicas = getattr(self.distribution_strategy, "num_replicas_in_sync", 1)
        if replicas > 1:
            # Under a MirroredStrategy, Keras 3.15 fails (an AddN shape error) on a first training batch
            # and a last validation batch that do not split evenly across the replicas. Global batches
            # are multiples of the replicas, so leaving out each set's remainder evens every batch.
            if train.n < replicas:
                raise ValueError(f"{train.n} training sequence(s) cannot be split over the {replicas} replicas of "
                                 "distribution_strategy: give at least one sequence a replica.")
            if train.n % replicas:
                train = train.subset(np.arange(train.n - train.n % replicas))
            if val is not None and val.n % replicas:
                val = val.subset(np.arange(val.n - val.n % replicas)) if val.n >= replicas else None
        fit_options = P.check_prefixed(self._prefixed_params(), "fit__", keras.Model.fit)
        batch_size, batches = self._global_batch_size(), math.ceil(train.n / self._global_batch_size())
        batches_a_call = ("compile__steps_per_execution" not in self._prefixed_params()
                          and not any(acts_on_every_batch(c) for c in self.callbacks or []))
        data, steps = self._keras_data(train, shuffle=True, seed=seed)
        if isinstance(data, tuple):  # plain arrays: Keras batches and shuffles them
            keras_args = {**dict(zip(("x", "y", "sample_weight"), data)), "batch_size": batch_size, "shuffle": True}
        else:  # a pipeline that batches and shuffles itself
            keras_args = {"x": data, "steps_per_epoch": steps, "shuffle": False}
        if val is not None:
            val_batch = batch_size  # on repeating pipelines, one that keeps several batches a call
            if steps is not None and batches_a_call and long_enough_for_several_a_call(epochs - initial_epoch, batches):
                val_batch = validation_batch_size(val.n, batch_size, batches)
            data, steps = self._keras_data(val, shuffle=False, seed=seed, batch_size=val_batch)
            keras_args.update(validation_data=data, validation_steps=steps)
        return fit_model(
            model,
            **keras_args,
            epochs=epochs,
            initial_epoch=initial_epoch,
            early_stopping=self.early_stopping,
            patience=self.patience,
            batches_per_epoch=batches,
            batch_rows=int(self.batch_size),
            batches_a_call=batches_a_call,
            callbacks=list(self.callbacks or []) + list(extra_callbacks),
            verbose=self.verbose,
            advice="Lower learning_rate, check the scale of X and y, or set standardize=True.",
            **fit_options,
        )

    def _sample_weight(self, sample_weight, y, n):
        w = P.check_sample_weight(sample_weight, n)
        return None if w is None else w.astype(np.float32)

    # ----------------------------------------------------------------- predicting
    def _forward(self, X) -> np.ndarray:
        """Raw network outputs for X, through a compiled predict path (no ``model.predict``)."""
        check_is_fitted(self, "model_")
        seqs = self._sequences(X, reset=False)
        values = self._network_input(seqs, announce_cuts=True)
        from seqtune._inference import predict

        layout = self._input_layout_
        return predict(self.model_, values, kind=layout.kind, n_features=layout.n_features,
                       max_length=self.max_length_, masked=layout.ignores_padding)

    # ------------------------------------------------------------- persistence
    def _export_model(self):
        """The Keras model to save: for text, one that takes strings (vectorizer inside)."""
        if self.input_kind_ != "text":
            return self.model_
        import keras

        from seqtune._layers import TextIds
        from seqtune.persistence import inference_model

        inputs = keras.Input(shape=(1,), dtype="string", name="text")
        ids = TextIds(max_length=self.max_length_, name="text_ids")(self.vectorizer_(inputs))
        outputs = inference_model(self.model_)(ids)
        return keras.Model(inputs, outputs, name=f"{self.model_.name}_text")

    def _bundle_state(self):
        from seqtune.persistence import model_to_bytes

        state = {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("__")}
        for k in ("model_", "vectorizer_", "_input_layout_"):
            state.pop(k, None)
        arrays = {k: np.asarray(state.pop(k)) for k in _ARRAY_STATE if k in state}
        for k, v in arrays.items():
            if v.dtype == object:  # e.g. str labels in an object array: store as unicode
                arrays[k] = v.astype(str)
                state[f"{k}__was_object"] = True
        layout = self._input_layout_
        state["_input_layout_"] = {
            "kind": layout.kind, "n_features": layout.n_features, "masked": layout.masked,
            "vocab_size": layout.vocab_size, "frame_length": layout.frame_length,
            "per_sequence": layout.per_sequence,
        }
        if layout.mean is not None:
            arrays["_layout_mean"], arrays["_layout_variance"] = layout.mean, layout.variance
        return state, arrays, model_to_bytes(self._export_model())

    def _restore_bundle_state(self, state, arrays, model_bytes, *, unsafe: bool):
        from seqtune.architectures import InputLayout
        from seqtune.persistence import load_model_safely

        arrays = dict(arrays)
        layout = dict(state.pop("_input_layout_"))
        mean, var = arrays.pop("_layout_mean", None), arrays.pop("_layout_variance", None)
        self._input_layout_ = InputLayout(**layout, mean=mean, variance=var)
        for k, v in arrays.items():
            if state.pop(f"{k}__was_object", False):
                v = v.astype(object)
            setattr(self, k, v)
        for k, v in state.items():
            setattr(self, k, v)
        model = load_model_safely(model_bytes, unsafe=unsafe, compile=False)
        if self.input_kind_ == "text":
            import keras

            self.vectorizer_ = next(layer for layer in model.layers
                                    if isinstance(layer, keras.layers.TextVectorization))
            model = model.layers[-1]
        # Compiled afresh with this machine's defaults (XLA on CPU, cuDNN on GPU); a later
        # warm start begins with a new optimizer state. A model fitted with XLA on TensorFlow or
        # JAX and loaded on torch would otherwise run under torch.compile (40-1000x slower).
        from seqtune._training import jit_on_this_backend

        self.jit_compiled_ = jit_on_this_backend(self.jit_compiled_)
        self._compile(model)
        self.model_ = model

    def _saved_params(self) -> dict:
        """Constructor parameters for ``save``: callbacks and strategies are not stored."""
        return {k: v for k, v in self.get_params(deep=False).items()
                if k not in ("callbacks", "distribution_strategy")}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

