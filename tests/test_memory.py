"""Many fits in one process keep resident memory flat (Keras/TF state is released between fits)."""

import gc
import os
import sys

import numpy as np
import pytest

from seqtune import SequenceClassifier


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow  # 30 fits: about 90 s on 2 cores
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_thirty_fits_do_not_grow_memory():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 10, 3))
    Xr = [rng.normal(size=(int(n), 3)) for n in rng.integers(2, 12, size=64)]
    y = rng.integers(0, 2, size=64)
    keeper = SequenceClassifier(units=4, epochs=1, random_state=0).fit(X, y)
    expected = keeper.predict_proba(X)
    sizes = []
    for i in range(30):
        SequenceClassifier(units=8, epochs=2, random_state=i).fit(X if i % 2 else Xr, y).predict(X)
        gc.collect()
        sizes.append(_rss_mb())
    growth = sizes[-1] - sizes[4]
    assert growth < 50, f"resident memory grew {growth:.0f} MB over 25 fits: {sizes}"
    # clearing Keras' global state between fits did not break an estimator still in use
    np.testing.assert_array_equal(keeper.predict_proba(X), expected)
