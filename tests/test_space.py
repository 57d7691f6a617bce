"""The search space: plain Python values -> validated space -> keras-tuner hyperparameters."""

import keras_tuner as kt
import numpy as np
import pytest

from seqtune.space import DEFAULT_SPACE, declare, resolve_space


def test_defaults_and_cells_shorthand():
    space = resolve_space(None, cells=("GRU",))
    assert space["cell"] == ["gru"]
    assert space["layers"] == DEFAULT_SPACE["layers"]


def test_constants_lists_and_ranges_become_hyperparameters():
    space = resolve_space({"cell": "lstm", "layers": [1, 2], "units": (8, 64, "log"), "dropout": 0.2,
                           "learning_rate": (1e-3, 1e-2), "batch_size": 32, "bidirectional": [False, True]})
    hp = kt.HyperParameters()
    params = declare(hp, space)
    assert params["cell"] == "lstm" and params["dropout"] == 0.2 and params["batch_size"] == 32
    assert len(params["units"]) == hp.get("layers")
    assert isinstance(hp._hps["units_0"][0], kt.engine.hyperparameters.Int)
    assert hp._hps["units_0"][0].sampling == "log"
    assert isinstance(hp._hps["bidirectional"][0], kt.engine.hyperparameters.Boolean)


def test_pooling_is_declared_only_when_the_space_has_it():
    hp = kt.HyperParameters()
    assert "pooling" not in declare(hp, resolve_space(None)) and "pooling" not in hp
    hp = kt.HyperParameters()
    assert declare(hp, resolve_space({"pooling": ["Last", "MEAN"]}))["pooling"] in ("last", "mean")
    assert hp._hps["pooling"][0].values == ["last", "mean"]


def test_deeper_widths_are_conditional_on_depth():
    space = resolve_space({"layers": [1, 3]})
    hp = kt.HyperParameters()
    hp.Fixed("layers", 1)
    params = declare(hp, space)
    assert params["units"] == [hp.get("units_0")]
    assert not hp.is_active("units_1")
    hp3 = kt.HyperParameters()
    hp3.Fixed("layers", 3)
    assert len(declare(hp3, space)["units"]) == 3


@pytest.mark.parametrize(
    "space,error,match",
    [
        ({"unit": (8, 16)}, ValueError, "Did you mean 'units'"),
        ({"units": (64, 8)}, ValueError, "low \\(64\\) is above high \\(8\\)"),
        ({"units": (0, 8, "log")}, ValueError, "log range needs low > 0"),
        ({"units": (8, 16, "cubic")}, ValueError, "'log' or a positive step"),
        ({"units": []}, ValueError, "empty list"),
        ({"cell": ["lstm", "rnn"]}, ValueError, "'lstm' or 'gru'"),
        ({"cell": ("lstm", "gru")}, TypeError, "list of values, not a range"),
        ({"dropout": (0.0, 1.5)}, ValueError, "in \\[0, 1\\)"),
        ({"layers": 0}, ValueError, "int >= 1"),
        ({"learning_rate": ("a", "b")}, TypeError, "must be numbers"),
        # these passed, then failed every trial (or keras-tuner's set-up)
        ({"learning_rate": (1e-3, float("inf"), "log")}, ValueError, "must be finite numbers"),
        ({"learning_rate": float("inf")}, ValueError, "positive, finite float"),
        ({"learning_rate": [1e-3, float("nan")]}, ValueError, "positive, finite float"),
        ({"dropout": (float("nan"), 0.2)}, ValueError, "must be finite numbers"),
        ({"pooling": ("last", "max")}, TypeError, "list of values, not a range"),
        ({"pooling": "sum"}, ValueError, "'last', 'max', 'mean' or 'concat'"),
        ("lstm", TypeError, "space must be a dict"),
        # keras-tuner divided by a step of int(0.5) == 0; 1.5 ran as 1 without a word; a key that is no
        # string failed in difflib
        ({"units": (2, 8, 0.5)}, ValueError, r"space\['units'\] = \(2, 8, 0.5\): a range of whole numbers needs"),
        ({"layers": (1, 3, 1.5)}, ValueError, "needs a whole step; got 1.5"),
        ({"learning_rate": (1, 2, 0.5)}, ValueError, "ends written as floats"),
        ({None: 3}, ValueError, "unknown parameter None"),
    ],
)
def test_invalid_spaces_are_refused(space, error, match):
    with pytest.raises(error, match=match):
        resolve_space(space)


def test_numpy_scalars_in_a_space_become_python_numbers():
    space = resolve_space({"units": np.int64(4), "layers": list(np.array([1, 2])),
                           "learning_rate": (np.float32(1e-3), np.float64(1e-2), "log"),
                           "bidirectional": [np.bool_(False), np.bool_(True)], "batch_size": np.int32(16)})
    assert type(space["units"]) is int and [type(v) for v in space["layers"]] == [int, int]
    assert type(space["learning_rate"][0]) is float and space["bidirectional"] == [False, True]
    params = declare(kt.HyperParameters(), space)  # keras-tuner accepts every entry
    assert params["units"] == [4] and params["batch_size"] == 16
