"""SequenceClassifier and SequenceRegressor: scikit-learn estimators over Keras LSTM/GRU stacks."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from seqtune._base import BaseSequenceEstimator


def _label_indicator(y):
    """``y`` as a float32 label indicator matrix when it is one (2-D, several columns, each 0 or 1), else None.

    A 2-D ``y`` of several columns holding anything else is refused: a classifier reads one label a
    sample, or several yes/no labels a sample, not several multi-class outputs. So is a list of label
    lists, which ``MultiLabelBinarizer`` turns into the indicator matrix.
    """
    label_sets = (list, tuple, set, frozenset)
    listed = isinstance(y, (list, tuple, pd.Series)) or (isinstance(y, np.ndarray) and y.dtype == object)
    if listed and len(y) and isinstance(next(iter(y)), label_sets):
        lengths = {len(labels) if isinstance(labels, label_sets) else -1 for labels in y}
        if len(lengths) > 1 or any(isinstance(labels, (set, frozenset)) for labels in y):
            raise ValueError(
                "y is a list of label sets (a list of lists of labels): multilabel targets are a 0/1 indicator "
                "matrix, one column a label. Convert them with sklearn.preprocessing.MultiLabelBinarizer: "
                "y = MultiLabelBinarizer().fit_transform(y).")
    values = np.asarray(y.toarray() if hasattr(y, "toarray") else y)
    if values.ndim != 2 or values.shape[1] < 2:
        return None
    if values.dtype.kind not in "biuf" or not np.isin(values, (0, 1)).all():  # NaN is neither
        raise ValueError(
            f"y is 2-D of shape {values.shape}: a classifier reads a 2-D y as multilabel targets, one column a "
            "label holding 0 or 1 (as MultiLabelBinarizer makes them). For several multi-class outputs, "
            "wrap the classifier in sklearn.multioutput.MultiOutputClassifier."
        )
    return values.astype(np.float32)


def _object_labels_as_values(y: np.ndarray) -> np.ndarray:
    """1-D labels held as objects (a pandas object column: ``Series(ints).astype(object)``, or bools after a
    ``fillna``) as an array of their own type. scikit-learn reads an object array of numbers or bools as an
    "unknown" target: its metrics (``score``, a search's validation score) refuse it."""
    if y.ndim != 1 or y.dtype.kind != "O" or not len(y):
        return y
    if all(isinstance(label, (bool, np.bool_)) for label in y):
        return y.astype(bool)
    if all(isinstance(label, (Real, np.number)) and not isinstance(label, (bool, np.bool_)) for label in y):
        return np.asarray(y.tolist())
    return y


def _refuse_mixed_label_types(y: np.ndarray) -> None:
    """ValueError when labels mix strings with numbers (``[0, "a"]``): they cannot be sorted into
    ``classes_``, and scikit-learn's own message ("Unknown label type: unknown") does not say why."""
    if y.dtype.kind != "O":
        return
    first_of_kind = {}
    for label in y:
        label = label.item() if isinstance(label, np.generic) else label
        kind = ("str" if isinstance(label, str) else "number" if isinstance(label, (int, float))
                else type(label).__name__)
        first_of_kind.setdefault(kind, label)
        if len(first_of_kind) > 1:  # the first label of a second kind is enough to tell
            break
    if len(first_of_kind) > 1:
        shown = ", ".join(f"{label!r} ({type(label).__name__})" for label in first_of_kind.values())
        raise ValueError(
            f"y mixes labels of different types ({shown}); expected labels of one type, all numbers or all "
            "strings. Convert them to one, e.g. y.astype(str)."
        )


_PARAMETERS = """
    Parameters
    ----------
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell type.
    units : int or list of int, default=64
        Width of every recurrent layer, or one width a layer (then ``layers`` may be None).
    layers : int or None, default=None
        Number of stacked recurrent layers; None means 1 (or ``len(units)``).
    bidirectional : bool, default=False
        Read every sequence in both directions.
    pooling : {"auto", "last", "max", "mean", "concat"}, default="auto"
        What the output layer reads: the last recurrent layer's final state, the
        maximum / mean of its outputs over the time steps (padding excluded), or
        all three side by side (``"concat"``). ``"auto"``: max for text and token
        ids, where the telling words may be anywhere in a long text; concat for
        numeric sequences, where the final state alone forgets early steps
        (``bench/bench_pooling.py``).
    dropout : float, default=0.0
        Dropout on the inputs of each recurrent layer and before the output layer.
    recurrent_dropout : float, default=0.0
        Dropout on the recurrent state. Non-zero values leave the fused cuDNN path
        on GPU (several times slower); a warning says so.
    embedding_dim : int, default=64
        Embedding width for token-id and text input.
    max_tokens : int or None, default=None
        Vocabulary size: for text, the ``TextVectorization`` vocabulary (20,000 when
        None); for token ids, ids at or above it are mapped to one unknown id (the
        largest id seen in ``fit`` + 1 when None). Id 0 is padding.
    max_length : int, None or "auto", default="auto"
        Truncate longer sequences to their first ``max_length`` steps. ``"auto"``:
        no truncation for numeric sequences; for tokens and text, the 99th
        percentile of training lengths (but at most 10 times the median, so a few
        outliers in a small corpus do not set it) rounded up to a length bucket (at
        least 64). Truncation at ``fit`` is reported with a warning.
    frame_length : int or "auto", default="auto"
        Numeric input only: join every ``frame_length`` consecutive time steps into
        one step of the recurrent layers (``frame_length`` x n_features values; a
        short last frame completed with zeros, the training mean once standardized),
        inside the model. A recurrent network learns a long series far better, and
        faster, from a few dozen frames than from hundreds of single values.
        ``"auto"``: frames of ``ceil(median length / 32)`` steps when the median
        training length (after ``max_length``) is over 64 steps, else 1 (every
        step). The value used is ``frame_length_``.
    input_type : {"auto", "numeric", "tokens", "text"}, default="auto"
        How to read X. ``"auto"``: strings are text, non-negative integer arrays are
        token ids, everything else is numeric.
    standardize : bool or "sequence", default=True
        Standardize numeric features (statistics of the training data, inside the
        model, padding excluded). ``"sequence"``: standardize each sequence, feature
        by feature, by its own mean and standard deviation (inside the model, at
        predict time too), for sequences whose level or scale varies by orders of
        magnitude while their shape carries the label; the model then never sees the
        absolute level or scale. ``True`` warns when the sequences' spreads differ
        that much.
    epochs : int or "auto", default="auto"
        Maximum number of passes over the training data. ``"auto"``: 50, or more
        when that is fewer than 1,000 gradient steps (a few dozen samples make one
        or two batches an epoch); early stopping usually ends training sooner.
    batch_size : int, default=32
        Samples per gradient step. Sequences of different lengths are batched with
        neighbours of similar length.
    learning_rate : float or keras.optimizers.schedules.LearningRateSchedule, default=1e-3
        Learning rate given to the optimizer (it replaces the rate of an optimizer
        instance, with a warning where the instance was given a rate of its own).
    optimizer : str, keras optimizer class or instance, default="adam"
        The optimizer (copied for every fit). ``optimizer__<name>`` options go to
        its constructor.
    early_stopping : bool, default=True
        Stop when the validation loss (the training loss without validation) has
        not improved for ``patience`` epochs and restore the best weights.
    patience : int, default=5
        Epochs without improvement before early stopping; at least 100 gradient
        steps (early stopping also watches only after the first 200 steps).
    validation_fraction : float or None, default=0.1
        Fraction of the training data held out (stratified for classifiers) to
        monitor early stopping. 0 or None, or ``early_stopping=False``, uses all data
        for training.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks. One that overrides a per-batch hook keeps Keras at one batch a call of
        its train step (``steps_per_execution``; README, "Performance notes").
    warm_start : bool, default=False
        Continue training the fitted network on the next ``fit`` instead of starting over.
        The input state of the first fit stays: its text vocabulary (words new to it are
        unknown tokens), length cut and feature scaling.
    jit_compile : {"auto", True, False}, default="auto"
        XLA compilation. ``"auto"``: always on with JAX (uncompiled JAX is many times
        slower); with TensorFlow on CPU, on for fits of at least 250,000 sample-steps
        (twice the throughput, after ~1.5 s of compiling); off on GPU, where cuDNN
        kernels are faster, on the torch backend (where True is ignored with a
        warning: torch.compile fails on PyTorch's fused LSTM kernel), and for an LSTM on
        TensorFlow's CPU, which runs TensorFlow's fused LSTM op: it trains faster than
        XLA's compilation of Keras' loop and XLA cannot compile it (True is ignored with a
        warning; ``recurrent_dropout > 0`` leaves the fused op, and XLA applies again).
        A stack of several recurrent layers on TensorFlow is compiled only up to 200 padded
        steps (recurrent steps, after framing): beyond that XLA trains it slower.
    distribution_strategy : tf.distribute.Strategy or None, default=None
        Train on several devices, e.g. ``tf.distribute.MirroredStrategy()`` for the
        GPUs of one machine. ``batch_size`` is per replica: the global batch is
        ``batch_size * num_replicas_in_sync``, as Keras recommends. So that every batch
        splits evenly over the replicas (Keras fails otherwise), fewer than
        ``num_replicas_in_sync`` training sequences, and as many validation sequences, may
        be left out. XLA is off under a strategy; a pickled estimator drops the strategy
        and predicts on one device.
    random_state : int, RandomState or None, default=None
        Seed for weights, shuffling and the validation split. With an int, two fits
        on the same data give identical predictions on CPU. Note: seeding sets the
        global Python, NumPy and backend seeds, as ``keras.utils.set_random_seed`` does.
    verbose : int, default=0
        0: silent; 1: one line per epoch; 2: Keras progress bars.
    **kwargs
        Prefixed Keras options: ``compile__<name>`` (``Model.compile``),
        ``fit__<name>`` (``Model.fit``), ``optimizer__<name>`` (the optimizer). A
        misspelt name is refused at ``fit`` with a suggestion.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    model_ : keras.Model
        The trained network (for text, it takes token ids; ``save`` stores a model
        with the vectorizer inside that takes strings).
    history_ : dict of list
        Per-epoch loss and metrics (``val_*`` with a validation split).
    n_iter_ : int
        Epochs run by the last ``fit``.
    n_features_in_ : int
        Columns of X for 2-D input; features per time step for 3-D and ragged
        numeric input (absent for tokens and text).
    input_kind_ : {"numeric", "tokens", "text"}
        How X was read.
    sequence_columns_ : list of str
        Column names of the sequences, when X was a list of pandas DataFrames or
        sktime's nested DataFrame (one column a channel); predict then checks them.
    max_length_ : int or None
        Truncation length in use.
    frame_length_ : int
        Time steps joined into one recurrent step (1 for tokens and text).
    vectorizer_ : keras.layers.TextVectorization
        The adapted vectorizer (text input only).
"""


def _check_class_weight(class_weight) -> None:
    """'balanced' or a dict of finite, non-negative weights, as sample_weight's are checked (a negative
    weight trains the network away from its class, and NaN ends the fit in a diverged loss)."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be 'balanced', a dict {{class: weight}} or None; "
                             f"got {class_weight!r}.")
        return
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be 'balanced', a dict {{class: weight}} or None; got "
                        f"{type(class_weight).__name__}.")
    bad = {label: weight for label, weight in class_weight.items()
           if isinstance(weight, bool) or not isinstance(weight, Real) or not 0 <= weight < np.inf}
    if bad:
        raise ValueError(f"class_weight must give each class a finite, non-negative weight; got {bad}.")


class SequenceClassifier(ClassifierMixin, BaseSequenceEstimator):
    __doc__ = (
        """Classify sequences with a stack of LSTM or GRU layers.

    A scikit-learn classifier: it works in ``Pipeline``, ``GridSearchCV``,
    ``cross_val_score``, ``clone``, ``pickle`` and ``joblib``. X may be a 3-D
    array, a 2-D array (univariate sequences), a list of sequences of different
    lengths (padded and masked), integer token ids, or raw text.
"""
        + _PARAMETERS
        + """    class_weight : dict, "balanced" or None, default=None
        Weights by class, multiplied into ``sample_weight``.
"""
        + _ATTRIBUTES
        + """    classes_ : ndarray
        Class labels, sorted; for multilabel ``y`` (a 0/1 indicator matrix, one column
        a label) the column numbers 0 .. n_labels - 1.
    multilabel_ : bool
        Whether ``y`` was a label indicator matrix: then the network has one sigmoid
        output a label, ``predict`` returns an indicator matrix and ``score`` the
        subset accuracy (every label of a sample right).

    Examples
    --------
    >>> import numpy as np
    >>> from seqtune import SequenceClassifier
    >>> X = np.random.default_rng(0).normal(size=(64, 10, 3))
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = SequenceClassifier(units=8, epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (64, 2)
"""
    )

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
        class_weight=None,
        **kwargs,
    ):
        self.class_weight = class_weight
        super().__init__(
            cell=cell, units=units, layers=layers, bidirectional=bidirectional, pooling=pooling, dropout=dropout,
            recurrent_dropout=recurrent_dropout, embedding_dim=embedding_dim, max_tokens=max_tokens,
            max_length=max_length, frame_length=frame_length, input_type=input_type, standardize=standardize,
            epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, optimizer=optimizer,
            early_stopping=early_stopping, patience=patience, validation_fraction=validation_fraction,
            callbacks=callbacks, warm_start=warm_start, jit_compile=jit_compile,
            distribution_strategy=distribution_strategy,
            random_state=random_state, verbose=verbose, **kwargs,
        )

    def fit(self, X, y, sample_weight=None):
        """Train on sequences ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]), list of arrays, or list of str
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any hashable, sortable type), or a 0/1 indicator matrix of
            multilabel targets (several labels may apply to a sample).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the training loss. Only their ratios matter: they are
            rescaled to a mean of 1 (multiplied by ``class_weight``'s first). A sample of weight 0
            is left out, as if removed: of the input scaling and the validation split too.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight)

    def _encode_target(self, y, n, *, warm):
        from seqtune.architectures import Head

        indicator = _label_indicator(y)
        if indicator is not None:
            if len(indicator) != n:
                raise ValueError(f"X has {n} samples but y has {len(indicator)}; they must be the same length.")
            classes = np.arange(indicator.shape[1])
            if warm and not (self._is_multilabel() and np.array_equal(classes, self.classes_)):
                raise ValueError(f"warm_start: y is {len(classes)} label columns, but the model was trained on "
                                 f"{self._targets_in_words()}; they must be the same.")
            return indicator, Head(len(classes), "sigmoid"), {"classes_": classes, "multilabel_": True}
        y = column_or_1d(y, warn=True)
        missing = np.flatnonzero(pd.isna(y))
        if len(missing):
            raise ValueError(f"y contains {len(missing)} missing label(s) (None or NaN), the first at position "
                             f"{missing[0]}; expected a class label for every sample.")
        _refuse_mixed_label_types(y)
        y = _object_labels_as_values(y)
        check_classification_targets(y)
        if len(y) != n:
            raise ValueError(f"X has {n} samples but y has {len(y)}; they must be the same length.")
        classes, index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"y has 1 class ({np.asarray(classes[0]).tolist()!r}); a classifier needs samples of at least 2 "
                "classes."
            )
        if warm and (self._is_multilabel() or not np.array_equal(classes, self.classes_)):
            raise ValueError(
                f"warm_start: y has classes {classes.tolist()}, but the model was trained on "
                f"{self._targets_in_words()}; they must be the same."
            )
        state = {"classes_": classes, "multilabel_": False}
        if len(classes) == 2:
            return index.astype(np.float32).reshape(-1, 1), Head(1, "sigmoid"), state
        return index.astype(np.int32), Head(len(classes), "softmax"), state

    def _is_multilabel(self) -> bool:
        # A model saved before multilabel support has no multilabel_: it was fitted on one label a sample.
        return bool(getattr(self, "multilabel_", False))

    def _targets_in_words(self) -> str:
        if self._is_multilabel():
            return f"{len(self.classes_)} label columns"
        return f"classes {self.classes_.tolist()}"

    def _transform_target(self, y):
        if self._is_multilabel():
            indicator = _label_indicator(y)
            if indicator is None or indicator.shape[1] != len(self.classes_):
                raise ValueError(f"y must be a 0/1 indicator matrix of {len(self.classes_)} label columns, as in fit.")
            return indicator
        y = column_or_1d(y)
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        unseen = self.classes_[index] != y
        if np.any(unseen):
            raise ValueError(f"y has labels {np.unique(y[unseen]).tolist()[:5]} not seen in fit "
                             f"(classes: {self.classes_.tolist()[:10]}).")
        if len(self.classes_) == 2:
            return index.astype(np.float32).reshape(-1, 1)
        return index.astype(np.int32)

    def _sample_weight(self, sample_weight, y, n):
        weight = super()._sample_weight(sample_weight, y, n)
        if self.class_weight is None:
            return weight
        if _label_indicator(y) is not None:
            raise ValueError("class_weight weighs the samples of each class; with multilabel y (one 0/1 column "
                             "a label) pass sample_weight instead.")
        _check_class_weight(self.class_weight)
        by_class = compute_sample_weight(self.class_weight, column_or_1d(y)).astype(np.float32)
        weight = by_class if weight is None else weight * by_class
        if not np.any(weight > 0):
            raise ValueError(f"class_weight{' times sample_weight' * (sample_weight is not None)} is zero for "
                             "every sample; at least one must be positive.")
        return weight

    def _stratify(self, y_encoded, n_val):
        if self._is_multilabel():
            return None
        labels = y_encoded.ravel()
        counts = np.bincount(labels.astype(int))
        n_classes = len(counts)
        if counts.min() >= 2 and n_val >= n_classes and len(labels) - n_val >= n_classes:
            return labels
        return None

    def _loss(self):
        if self._is_multilabel() or len(self.classes_) == 2:
            return "binary_crossentropy"
        return "sparse_categorical_crossentropy"

    def _metrics(self):
        return ["accuracy"]

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (scikit-learn's ``ClassifierMixin.score``).

        Labels held as objects (numbers or bools in a pandas object column) are read as in ``fit``.
        """
        if not hasattr(y, "toarray"):  # a sparse multilabel indicator is left to scikit-learn
            y = _object_labels_as_values(np.asarray(y))
        return super().score(X, y, sample_weight=sample_weight)

    def predict_proba(self, X):
        """Class probabilities, one column per class in ``classes_`` order; rows sum to 1.

        For a classifier fitted on multilabel ``y``, one column a label: the probability
        that the label applies, each on its own (rows need not sum to 1).

        Parameters
        ----------
        X : sequences, as in ``fit``

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "model_")
        out = self._forward(X).astype(np.float64)
        if self._is_multilabel():
            return np.clip(out, 0.0, 1.0)
        if len(self.classes_) == 2:
            p = np.clip(out[:, 0], 0.0, 1.0)
            out = np.column_stack([1.0 - p, p])
        return out / out.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (``-inf`` where a probability is 0).

        Parameters
        ----------
        X : sequences, as in ``fit``

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted class label of each sequence.

        Parameters
        ----------
        X : sequences, as in ``fit``

        Returns
        -------
        ndarray of shape (n_samples,)
            Or, for a classifier fitted on multilabel ``y``, a 0/1 indicator matrix of shape
            (n_samples, n_labels): 1 where a label's probability is at least 0.5.
        """
        proba = self.predict_proba(X)
        if self._is_multilabel():
            return (proba >= 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class SequenceRegressor(RegressorMixin, BaseSequenceEstimator):
    __doc__ = (
        """Regress from sequences with a stack of LSTM or GRU layers.

    A scikit-learn regressor for one or several float targets. The targets are
    standardized for training and the predictions mapped back.
"""
        + _PARAMETERS
        + _ATTRIBUTES
        + """    target_mean_, target_scale_ : ndarray
        Statistics used to standardize ``y`` (a constant column's scale is 0: it is
        predicted as its value).

    Examples
    --------
    >>> import numpy as np
    >>> from seqtune import SequenceRegressor
    >>> X = np.random.default_rng(0).normal(size=(64, 10, 2))
    >>> y = X[:, :, 0].mean(axis=1)
    >>> reg = SequenceRegressor(units=8, epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X).shape
    (64,)
"""
    )

    def fit(self, X, y, sample_weight=None):
        """Train on sequences ``X`` with float targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]), list of arrays, or list of str
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the training loss. Only their ratios matter: they are
            rescaled to a mean of 1. A sample of weight 0 is left out, as if removed: of the
            input scaling and the validation split too.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight)

    def _encode_target(self, y, n, *, warm):
        from seqtune.architectures import Head

        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.ndim not in (1, 2):
            raise ValueError(f"y has {y.ndim} dimensions; expected (n_samples,) or (n_samples, n_targets).")
        if len(y) != n:
            raise ValueError(f"X has {n} samples but y has {len(y)}; they must be the same length.")
        y2 = y.reshape(n, -1)
        if warm:
            if y2.shape[1] != len(self.target_mean_):
                raise ValueError(f"warm_start: y has {y2.shape[1]} targets, the model {len(self.target_mean_)}.")
            mean, scale = self.target_mean_, self.target_scale_
        else:
            # A constant target keeps a scale of 0: predict then gives its value exactly, whatever
            # the network outputs (it trains on targets of 0).
            mean, scale = y2.mean(axis=0), y2.std(axis=0)
        state = {"target_mean_": mean, "target_scale_": scale, "n_outputs_": y2.shape[1],
                 "target_ndim_": y.ndim}
        return ((y2 - mean) / _nonzero(scale)).astype(np.float32), Head(y2.shape[1], None), state

    def _transform_target(self, y):
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        return ((y.reshape(len(y), -1) - self.target_mean_) / _nonzero(self.target_scale_)).astype(np.float32)

    def _loss(self):
        return "mse"

    def _metrics(self):
        return None

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : sequences, as in ``fit``

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets), as ``y`` in ``fit``
        """
        check_is_fitted(self, "model_")
        out = self._forward(X).astype(np.float64) * self.target_scale_ + self.target_mean_
        return out[:, 0] if self.target_ndim_ == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _nonzero(scale: np.ndarray) -> np.ndarray:
    """``scale`` with 1 for the 0 of a constant target (its values standardize to 0)."""
    return np.where(scale > 0, scale, 1.0)
