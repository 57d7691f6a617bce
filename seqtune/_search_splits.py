"""How a search splits its data into trials' training and validation parts, and how the
splitter is described in the search's fingerprint."""

from __future__ import annotations

from numbers import Integral

import numpy as np


def search_splits(y: np.ndarray, groups, *, cv, validation_fraction: float, seed, classifier: bool) -> list:
    """``(train, validation)`` index pairs: one stratified holdout (``cv=None``), (stratified)
    k-fold (an int), or a scikit-learn splitter (with ``groups`` for a group splitter)."""
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    n = len(y)
    if groups is not None:
        if cv is None or isinstance(cv, Integral):
            raise ValueError(f"groups were given, but cv={cv!r} does not split by group; pass a group "
                             "splitter such as cv=GroupKFold(5).")
        if len(groups) != n:
            raise ValueError(f"groups has {len(groups)} labels; expected one a sample ({n}).")
    if cv is None:
        labels = np.asarray(y)
        stratify = None
        if classifier and labels.ndim == 1:  # a multilabel y (2-D) is split at random
            _, counts = np.unique(labels, return_counts=True)
            n_val = int(round(n * validation_fraction))
            if counts.min() >= 2 and n_val >= len(counts):
                stratify = labels
        train, val = train_test_split(np.arange(n), test_size=validation_fraction,
                                      random_state=seed, stratify=stratify)
        return [(np.sort(train), np.sort(val))]
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv={cv}: cross-validation needs at least 2 folds.")
        stratified = classifier and np.ndim(y) == 1
        splitter = (StratifiedKFold if stratified else KFold)(cv, shuffle=True, random_state=seed)
    elif hasattr(cv, "split") and not isinstance(cv, str):
        splitter = cv
    elif isinstance(cv, (list, tuple)):
        return _given_splits(cv, n)
    else:
        raise TypeError(f"cv must be None, an int, a splitter with a split() method or a list of (train, validation) "
                        f"index pairs; got {type(cv).__name__} {str(cv)[:60]}.")
    try:  # a splitter of the user's own may take no groups at all
        split = splitter.split(np.zeros(n), y) if groups is None else splitter.split(np.zeros(n), y, groups)
        return [(np.asarray(tr), np.asarray(va)) for tr, va in split]
    except ValueError as exc:
        if groups is None and "groups" in str(exc):
            raise ValueError(f"cv={cv!r} splits by group: pass fit(X, y, groups=...).") from None
        raise


def _given_splits(cv, n: int) -> list:
    """A list of ``(train, validation)`` index pairs, as scikit-learn's searches take it, checked."""
    if not cv:
        raise ValueError("cv is an empty list; give at least one (train, validation) pair of index arrays.")
    pairs = []
    for i, pair in enumerate(cv):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise TypeError(f"cv[{i}] must be a (train, validation) pair of index arrays; got {type(pair).__name__}.")
        parts = tuple(np.asarray(part) for part in pair)
        for part, name in zip(parts, ("train", "validation")):
            if part.ndim != 1 or part.size == 0 or part.dtype.kind not in "iu" or part.min() < 0 or part.max() >= n:
                raise ValueError(f"cv[{i}]'s {name} part must be a non-empty 1-D array of sample positions, "
                                 f"integers in [0, {n}).")
        pairs.append(parts)
    return pairs


def describe_cv(cv) -> str:
    """``cv`` in words that are the same in every process (a default repr holds a memory address)."""
    if isinstance(cv, (list, tuple)):  # the pairs themselves are in the fingerprint's splits
        return f"{len(cv)} (train, validation) index pairs given"
    text = repr(cv)
    if " at 0x" not in text:
        return text
    plain = {k: v for k, v in sorted(getattr(cv, "__dict__", {}).items())
             if v is None or isinstance(v, (bool, int, float, str))}
    return f"{type(cv).__module__}.{type(cv).__qualname__}({plain})"
