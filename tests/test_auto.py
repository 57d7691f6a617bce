"""Real, tiny keras-tuner searches: the front, the pick, resume, failures, determinism."""

import json
import warnings
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import seqtune
from seqtune import AutoSequenceClassifier, AutoSequenceRegressor, SequenceClassifier
from seqtune.pareto import pareto_front
from seqtune.report import format_table

# One direction: a bidirectional stack traces twice the graph, a third of a tiny search's time. The first
# test below searches both directions.
SMALL = {"units": (4, 8), "layers": [1, 2], "bidirectional": False, "batch_size": 16,
         "learning_rate": (1e-3, 1e-2, "log")}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 6, 2)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    return X, y


def _auto(tmp_path, **kwargs):
    params = dict(tuner="random", max_trials=3, max_epochs=2, space=SMALL, directory=tmp_path,
                  project_name="p", verbose=0, seed=1)
    params.update(kwargs)
    return AutoSequenceClassifier(**params)


def test_search_returns_trials_front_choice_and_refit(tmp_path, data, capsys):
    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        auto = _auto(tmp_path, verbose=1, space={**SMALL, "bidirectional": [False, True]}).fit(X, y)
    # Keras reading TensorFlow's variables (keras-tuner's checkpoints) warned of NumPy 2's copy keyword
    assert not [w for w in caught if "copy keyword" in str(w.message)]
    out = capsys.readouterr().out
    assert "[1/3]" in out and "[3/3]" in out and "best" in out
    columns = {"trial_id", "status", "cell", "layers", "units", "bidirectional", "score", "params",
               "fit_seconds_per_epoch", "latency_ms", "memory_mb", "error"}
    assert columns <= set(auto.trials_.columns)
    assert len(auto.trials_) == 3 and (auto.trials_["status"] == "COMPLETED").all()
    done = auto.trials_
    assert (done["params"] > 0).all() and (done["latency_ms"] > 0).all()
    assert (done["fit_seconds_per_epoch"] > 0).all()
    # the front is exactly the non-dominated set: latencies within 10% are not told apart, params settle them
    front_ids = set(auto.pareto_front_["trial_id"])
    for row in done.itertuples():
        as_good = (done["score"] >= row.score) & (done["params"] <= row.params) & (
            (done["score"] > row.score) | (done["params"] < row.params))
        dominated = (((done["score"] >= row.score) & (done["latency_ms"] * 1.1 < row.latency_ms))
                     | ((done["latency_ms"] <= row.latency_ms * 1.1) & as_good)).any()
        assert (row.trial_id in front_ids) == (not dominated)
    # tolerance rule: the front members within tolerance of the best score whose latency is within
    # 10% of the cheapest tie; the fewest parameters among them wins
    front = auto.pareto_front_
    eligible = front[front["score"] >= front["score"].max() - auto.tolerance]
    tied = eligible[eligible["latency_ms"] <= 1.1 * eligible["latency_ms"].min()]
    expected = tied.sort_values(["params", "score"], ascending=[True, False]).iloc[0]
    assert auto.best_trial_["trial_id"] == expected["trial_id"]
    assert auto.cell_choice_ in ("lstm", "gru") and "chosen" in auto.explanation_
    assert isinstance(auto.best_estimator_, SequenceClassifier)
    assert auto.best_estimator_.cell == auto.best_params_["cell"]
    assert auto.predict(X).shape == (90,) and auto.predict_proba(X).shape == (90, 2)
    np.testing.assert_allclose(np.exp(auto.predict_log_proba(X)), auto.predict_proba(X), rtol=1e-12)
    assert 0 <= auto.score(X, y) <= 1
    summary = json.loads((tmp_path / "p" / "seqtune_summary.json").read_text())
    assert summary["chosen_trial"] == str(auto.best_trial_["trial_id"])
    assert auto.report()["chosen"].sum() == 1
    png = auto.plot_pareto(tmp_path / "front.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    auto.save(tmp_path / "chosen.seqtune")  # the chosen model, as best_estimator_.save writes it
    loaded = seqtune.load(tmp_path / "chosen.seqtune")
    assert type(loaded) is SequenceClassifier and np.array_equal(loaded.predict_proba(X), auto.predict_proba(X))
    # A later fit with refit=False leaves no model of the earlier fit to predict with (found by an
    # exploratory run: predict used the old model, fitted on other features)
    auto.set_params(refit=False, max_trials=1, overwrite=True, verbose=0).fit(X[:, :, :1], y)
    assert not hasattr(auto, "n_features_in_") and not hasattr(auto, "best_estimator_")
    with pytest.raises(NotFittedError, match="refit=False"):
        auto.predict(X[:, :, :1])


def test_resume_keeps_finished_trials_and_does_not_redo_them(tmp_path, data, capsys):
    X, y = data
    first = _auto(tmp_path, max_trials=3, refit=False).fit(X, y)
    before = first.trials_.set_index("trial_id")["score"]
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "p").glob("trial_*/trial.json")}
    second = _auto(tmp_path, max_trials=4, refit=False, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "Resuming the search" in out and "[4/4]" in out and "[1/4]" not in out
    assert "Reloading Tuner" not in out  # keras-tuner's own line, said once by seqtune's
    after = second.trials_.set_index("trial_id")["score"]
    assert len(after) == 4
    pd.testing.assert_series_equal(after.loc[before.index], before)
    for path, mtime in mtimes.items():
        assert path.stat().st_mtime_ns == mtime, f"{path} was rewritten"
    # the progress line's "best" counts the kept trials (seed 1: the new trial scores below them)
    new_score = after.drop(before.index).iloc[0]
    assert new_score < before.max()
    last_line = next(line for line in out.splitlines() if line.startswith("[4/4]"))
    assert f"best {before.max():.4f}" in last_line


def test_resuming_with_other_data_or_settings_is_refused_and_the_search_kept(tmp_path, data):
    X, y = data
    _auto(tmp_path, max_trials=1, refit=False).fit(X, y)
    files = {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()}
    with pytest.raises(ValueError, match="was run with other data;.*left untouched"):
        _auto(tmp_path, max_trials=2, refit=False).fit(X[:, :, :1], y)
    with pytest.raises(ValueError, match="different space"):
        _auto(tmp_path, max_trials=2, refit=False, space={**SMALL, "units": (4, 6)}).fit(X, y)
    with pytest.raises(ValueError, match="other data;") as refusal:  # seed=1: no advice about seed=None
        _auto(tmp_path, max_trials=2, refit=False).fit(X[:-1], y[:-1])
    assert "seed" not in str(refusal.value) and "splits" not in str(refusal.value)
    # trials measured on another Keras backend (their costs do not compare): as if run on JAX
    record = tmp_path / "p" / "seqtune_search.json"
    record.write_text(json.dumps({**json.loads(files[record]), "backend": "jax"}))
    with pytest.raises(ValueError, match=r"was run with another Keras backend \(its costs"):
        _auto(tmp_path, max_trials=2, refit=False).fit(X, y)
    record.write_bytes(files[record])
    assert {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()} == files
    # Trials whose record of data and settings is lost or damaged cannot be checked: refused too.
    for damage, word in ((lambda: record.write_text("{"), "unreadable"), (record.unlink, "missing")):
        damage()
        with pytest.raises(ValueError, match=f"record of their data and settings.*is {word}"):
            _auto(tmp_path, max_trials=2, refit=False).fit(X[:, :, :1], y)
    assert not record.exists() and (tmp_path / "p" / "oracle.json").read_bytes() == files[tmp_path / "p" / "oracle.json"]
    record.write_bytes(files[record])
    # the same data and settings resume (more trials, another tolerance or cost are fine); overwrite starts over
    assert len(_auto(tmp_path, max_trials=2, refit=False, tolerance=0.05, cost="params").fit(X, y).trials_) == 2
    assert len(_auto(tmp_path, max_trials=1, refit=False, overwrite=True).fit(X[:, :, :1], y).trials_) == 1


def test_a_search_run_with_other_estimator_defaults_is_refused_and_an_unrecorded_one_warns(tmp_path, data):
    import json

    X, y = data
    _auto(tmp_path, max_trials=1, refit=False).fit(X, y)
    record_path = tmp_path / "p" / "seqtune_search.json"
    record = json.loads(record_path.read_text())
    assert record["estimator_defaults"]["standardize"] is True  # a default the search was not given
    # what pooling="auto" reads is recorded: the word stayed when numbers went from "last" to "concat"
    assert record["estimator_defaults"]["pooling"] == {"auto": {"text": "max", "tokens": "max", "numeric": "concat"}}
    record_path.write_text(json.dumps({**record, "estimator_defaults": {**record["estimator_defaults"],
                                                                        "pooling": "auto"}}))
    with pytest.raises(ValueError, match="another seqtune version's defaults"):
        _auto(tmp_path, max_trials=2, refit=False).fit(X, y)
    record_path.write_text(json.dumps(record))
    # another estimator_params is that, not other defaults (the defaults recorded leave out what it sets)
    changed = r"run with a different estimator_params \(patience .* then 3\); its trials"  # names the setting
    with pytest.raises(ValueError, match=changed) as refused:
        _auto(tmp_path, max_trials=2, refit=False, estimator_params={"patience": 3}).fit(X, y)
    assert "defaults" not in str(refused.value)
    # The forecaster's search keeps its horizon there: a command-line user was told of estimator_params only.
    from seqtune._search_folder import _change_in_words

    assert _change_in_words("estimator_params", {"horizon": 14}, {"horizon": 7}) == (
        "a different estimator_params (horizon 14 then 7)")
    # As if an earlier seqtune had another default: its trials do not compare with this one's.
    record_path.write_text(json.dumps({**record, "estimator_defaults": {**record["estimator_defaults"],
                                                                        "standardize": "sequence"}}))
    with pytest.raises(ValueError, match="another seqtune version's defaults"):
        _auto(tmp_path, max_trials=2, refit=False).fit(X, y)
    # A record from before defaults were recorded resumes, with a warning that they may differ.
    del record["estimator_defaults"]
    record_path.write_text(json.dumps(record))
    with pytest.warns(UserWarning, match="did not record its default settings") as caught:
        assert len(_auto(tmp_path, max_trials=2, refit=False).fit(X, y).trials_) == 2
    assert "its Keras backend" not in str(caught[0].message)
    # Nor one from before the Keras backend was recorded: it may have run on another backend.
    record = json.loads(record_path.read_text())
    del record["backend"]
    record_path.write_text(json.dumps(record))
    with pytest.warns(UserWarning, match="did not record its Keras backend"):
        assert len(_auto(tmp_path, max_trials=3, refit=False).fit(X, y).trials_) == 3


def test_default_folder_is_named_by_the_search_so_other_data_searches_anew_and_the_same_resumes(tmp_path, data,
                                                                                                capsys):
    X, y = data
    a = _auto(tmp_path, project_name=None, max_trials=1, refit=False, verbose=1).fit(X, y)
    assert f"Search folder {a.search_dir_} (named after the data and settings" in capsys.readouterr().out
    b = _auto(tmp_path, project_name=None, max_trials=1, refit=False).fit(X[:60], y[:60])
    assert a.search_dir_ != b.search_dir_
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(a.search_dir_).name, Path(b.search_dir_).name])
    # The same samples in other containers are the same search: it resumes (2 trials, not 1 new + 1 old elsewhere).
    frame, labels = pd.DataFrame(X[:, :, 0]), list(y)
    c = _auto(tmp_path, project_name=None, max_trials=1, refit=False).fit(X[:, :, 0], y)
    d = _auto(tmp_path, project_name=None, max_trials=2, refit=False).fit(frame, labels)
    assert d.search_dir_ == c.search_dir_ and len(d.trials_) == 2
    pd.testing.assert_series_equal(d.trials_["score"].iloc[:1], c.trials_["score"])


def test_a_second_process_searching_the_same_folder_waits_for_the_first(tmp_path, data, capsys):
    """Two processes searching one folder at once (GridSearchCV(n_jobs=2) over tolerance, which the folder's
    name leaves out; the same command twice) wrote the same trials together. The second now waits."""
    import subprocess
    import sys

    X, y = data
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom pathlib import Path\nfrom seqtune._search_folder import search_lock\n"
        "with search_lock(Path(sys.argv[1]), verbose=0):\n"
        "    print('held', flush=True)\n    time.sleep(3)\n    Path(sys.argv[2]).write_text(repr(time.time()))\n"),
        str(tmp_path / "p"), str(tmp_path / "released")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    auto = _auto(tmp_path, max_trials=1, refit=False, verbose=1).fit(X, y)
    assert holder.wait() == 0
    assert "Waiting for another process's search in" in capsys.readouterr().out
    released = float((tmp_path / "released").read_text())
    trial_files = list(Path(auto.search_dir_).glob("trial_*/trial.json"))
    assert trial_files and min(p.stat().st_mtime for p in trial_files) >= released


def test_a_nested_dataframe_names_the_same_search_as_its_list_of_sequences(data):
    import joblib

    from seqtune.auto import _positional

    X, _ = data
    nested = pd.DataFrame({f"dim_{c}": [pd.Series(x[:, c]) for x in X] for c in range(X.shape[2])})
    assert joblib.hash(_positional(nested)) == joblib.hash(_positional([x for x in X]))


def test_cross_val_score_searches_every_fold_with_the_defaults(tmp_path, data):
    from sklearn.model_selection import cross_val_score

    X, y = data
    auto = AutoSequenceClassifier(tuner="random", max_trials=1, max_epochs=1, space=SMALL, directory=tmp_path,
                                  verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few gradient steps: a tiny budget on purpose
        scores = cross_val_score(auto, X, y, cv=2, error_score="raise")
    assert np.isfinite(scores).all() and len(list(tmp_path.iterdir())) == 2


def test_seed_none_draws_new_splits_so_it_never_resumes_into_other_trials(tmp_path, data, capsys):
    X, y = data
    first = _auto(tmp_path, project_name=None, seed=None, max_trials=1, refit=False, verbose=1).fit(X, y)
    assert "seed=None draws new splits, so no later call resumes it" in capsys.readouterr().out
    second = _auto(tmp_path, project_name=None, seed=None, max_trials=1, refit=False).fit(X, y)
    assert first.search_dir_ != second.search_dir_
    _auto(tmp_path, project_name="named", seed=None, max_trials=1, refit=False).fit(X, y)
    with pytest.raises(ValueError, match="other validation splits.*pass an int seed"):
        _auto(tmp_path, project_name="named", seed=None, max_trials=2, refit=False).fit(X, y)


@pytest.mark.parametrize("params, error, match", [
    ({"seed": -1}, ValueError, "seed must be None or an int from 0 to"),
    ({"seed": 2**32}, ValueError, "seed must be None or an int from 0 to"),
    ({"seed": 1.5}, TypeError, "seed must be an int or None"),
    ({"estimator_params": "patience=5"}, TypeError, "estimator_params must be a dict"),
    ({"project_name": ""}, ValueError, "project_name must be a non-empty string or None"),
    ({"cells": ("rnn",)}, ValueError, r"cells=\['rnn'\]: expected one or more of 'lstm' and 'gru'"),
    ({"cells": ()}, ValueError, r"cells=\[\]: expected one or more"),
    ({"overwrite": "False"}, TypeError, r"overwrite must be True or False; got 'False' \(str\)"),
    ({"refit": "yes"}, TypeError, r"refit must be True or False"),
])
def test_bad_search_settings_are_named(tmp_path, data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        _auto(tmp_path, **params).fit(X, y)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("seed", [0, 1])  # keras-tuner alone would draw a random seed for 0
def test_same_seed_gives_the_same_trials(tmp_path, data, seed):
    X, y = data
    cols = ["cell", "layers", "units", "bidirectional", "learning_rate", "score"]
    a = _auto(tmp_path, project_name="a", refit=False, seed=seed, max_trials=2).fit(X, y).trials_[cols]
    # NumPy integers (np.arange in a loop over settings) were refused by the folder's JSON record
    b = _auto(tmp_path, project_name="b", refit=False, seed=np.int64(seed), max_epochs=np.int64(2),
              max_trials=np.int64(2)).fit(X, y).trials_[cols]
    pd.testing.assert_frame_equal(a, b)


class PoisonWhenFast(keras.callbacks.Callback):
    """Real divergence: with a learning rate above 1, a weight becomes NaN after the first step."""

    def on_train_batch_end(self, batch, logs=None):
        if float(self.model.optimizer.learning_rate) > 1:
            kernel = self.model.get_layer("head").kernel
            kernel.assign(np.full(kernel.shape, np.nan, dtype="float32"))


class RaiseWhenFast(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        if float(self.model.optimizer.learning_rate) > 1:
            raise RuntimeError("trial blew up on purpose")


@pytest.mark.parametrize("callback,message", [(PoisonWhenFast, "diverged"), (RaiseWhenFast, "blew up")])
def test_a_failing_trial_is_recorded_with_its_error_and_the_search_goes_on(tmp_path, data, callback, message,
                                                                          capfd):
    X, y = data
    space = {"learning_rate": [1e-3, 10.0], "cell": ["gru"], "layers": 1, "units": 4,
             "bidirectional": False, "batch_size": 16, "dropout": 0.0}
    auto = _auto(tmp_path, tuner="grid", max_trials=10, space=space,
                 estimator_params={"callbacks": [callback()]}).fit(X, y)
    failed = auto.trials_[auto.trials_["status"] == "FAILED"]
    assert len(failed) == 1 and message in failed["error"].iloc[0]
    assert failed["learning_rate"].iloc[0] == 10.0
    assert (auto.trials_["status"] == "COMPLETED").sum() == 1
    assert auto.best_params_["learning_rate"] == 1e-3
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err  # verbose=0: keras-tuner's own traceback print is off
    if callback is RaiseWhenFast:  # a cost function prices finished trials only (a failed one has no costs)
        priced = _auto(tmp_path, tuner="grid", max_trials=10, space=space, overwrite=True, refit=False,
                       cost=lambda row: int(row["params"]), estimator_params={"callbacks": [callback()]}).fit(X, y)
        assert priced.trials_["custom_cost"].isna().tolist() == (priced.trials_["status"] == "FAILED").tolist()
        with pytest.raises(NotFittedError, match=r"refit=False.*\(\*\*best_params_, epochs=2\)"):
            priced.predict(X)


def test_a_search_where_every_trial_fails_says_why(tmp_path, data, capsys):
    X, y = data
    with pytest.raises(RuntimeError, match="(?s)Every trial .* failed.*diverged"):
        _auto(tmp_path, space={**SMALL, "learning_rate": 10.0}, max_trials=2,
              estimator_params={"callbacks": [PoisonWhenFast()]}).fit(X, y)
    # keras-tuner stops at 5 consecutive failures, raising before it saves the fifth: that trial
    # is saved as failed (not left "RUNNING" in the folder) and gets its progress line.
    with pytest.raises(RuntimeError, match="(?s)Every trial .* failed \\(5 trial"):
        _auto(tmp_path, space={**SMALL, "learning_rate": 10.0}, max_trials=8, project_name="five", verbose=1,
              estimator_params={"callbacks": [PoisonWhenFast()]}).fit(X, y)
    statuses = [json.loads(f.read_text())["status"] for f in (tmp_path / "five").glob("trial_*/trial.json")]
    assert len(statuses) == 5 and set(statuses) == {"FAILED"}
    assert "[5/8]" in capsys.readouterr().out


class FailWhileFlagged(keras.callbacks.Callback):
    """A transient failure (out of memory, say): every trial fails while the flag file exists."""

    def __init__(self, flag):
        super().__init__()
        self.flag = str(flag)

    def on_train_begin(self, logs=None):
        if Path(self.flag).exists():
            raise RuntimeError("transient failure")


def test_resuming_after_failed_trials_counts_them_as_keras_tuner_does(tmp_path, data, capsys):
    X, y = data
    flag = tmp_path / "flag"
    flag.touch()
    params = dict(max_trials=7, verbose=1, refit=False, directory=tmp_path / "runs",
                  estimator_params={"callbacks": [FailWhileFlagged(flag)]})
    with pytest.raises(RuntimeError, match="Every trial"):
        _auto(tmp_path, **params).fit(X, y)
    capsys.readouterr()
    flag.unlink()
    auto = _auto(tmp_path, **params).fit(X, y)
    out = capsys.readouterr().out
    # 4 failed trials are kept (the 5th, the one keras-tuner stopped on, is run again): 3 new ones end at 7/7.
    assert "4 finished trial(s) are kept" in out and "4 of them failed" in out
    assert "[5/7]" in out and "[7/7]" in out and "[8/7]" not in out and "ended after" not in out
    assert auto.trials_["status"].value_counts().to_dict() == {"FAILED": 4, "COMPLETED": 3}


def test_hyperband_front_uses_fully_trained_trials_only(tmp_path, data):
    X, y = data
    auto = _auto(tmp_path, tuner="hyperband", max_epochs=3, refit=False).fit(X, y)
    epochs = auto.trials_["epochs"]
    assert epochs.nunique() > 1  # Hyperband trained candidates for different budgets
    assert (auto.pareto_front_["epochs"] == epochs.max()).all()


def test_cross_validation_and_regressor(tmp_path, data):
    X, _ = data
    target = X[:, :, 1].sum(axis=1)
    auto = AutoSequenceRegressor(tuner="random", max_trials=2, max_epochs=2, space=SMALL, cv=2,
                                 directory=tmp_path, project_name="r", verbose=0, cost="params").fit(X, target)
    assert np.isfinite(auto.trials_["score_std"]).all()
    assert auto.cost_column_ == "params"
    assert auto.predict(X).shape == (90,)


def test_a_group_splitter_takes_groups_as_scikit_learns_searches_do(tmp_path, data):
    """Found by an exploratory run: cv=GroupKFold failed inside scikit-learn, and fit took no groups."""
    from sklearn.model_selection import GroupKFold

    from seqtune._search_splits import search_splits

    X, y = data
    groups = np.arange(len(y)) % 6
    with pytest.raises(ValueError, match=r"cv=GroupKFold.* splits by group: pass fit\(X, y, groups=\.\.\.\)"):
        _auto(tmp_path, cv=GroupKFold(2)).fit(X, y)
    with pytest.raises(ValueError, match="cv=None does not split by group"):
        _auto(tmp_path).fit(X, y, groups=groups)
    assert not (tmp_path / "p").exists()
    auto = _auto(tmp_path, cv=GroupKFold(2), max_trials=1, refit=False).fit(X, y, groups=groups)
    assert (auto.trials_["status"] == "COMPLETED").all()
    splits = search_splits(y, groups, cv=GroupKFold(2), validation_fraction=0.2, seed=1, classifier=True)
    for train, val in splits:  # no group on both sides of a split
        assert not set(groups[train]) & set(groups[val])


def test_cv_takes_a_list_of_index_pairs_as_scikit_learns_searches_do(tmp_path, data):
    """A list of (train, validation) pairs was refused, its message printing every index."""
    import json

    from seqtune._search_splits import search_splits

    X, y = data
    pairs = [(np.arange(0, 60), np.arange(60, 90)), (np.arange(30, 90), np.arange(0, 30))]
    auto = _auto(tmp_path, cv=pairs, max_trials=1, refit=False).fit(X, y)
    assert (auto.trials_["status"] == "COMPLETED").all()
    record = json.loads((tmp_path / "p" / "seqtune_search.json").read_text())
    assert record["validation"] == "2 (train, validation) index pairs given"
    splits = search_splits(y, None, cv=pairs, validation_fraction=0.2, seed=1, classifier=True)
    assert [list(v) for _, v in splits] == [list(range(60, 90)), list(range(30))]
    for bad, error, match in (([], ValueError, "cv is an empty list"),
                              ([np.arange(10)], TypeError, r"cv\[0\] must be a \(train, validation\) pair"),
                              ([(np.arange(10), np.arange(90, 95))], ValueError, r"validation part .* \[0, 90\)"),
                              ([(np.arange(10), [])], ValueError, "non-empty")):
        with pytest.raises(error, match=match):
            search_splits(y, None, cv=bad, validation_fraction=0.2, seed=1, classifier=True)


def test_multilabel_targets_are_split_at_random_and_searched(tmp_path, data):
    """Stratifying by a label indicator matrix fails in scikit-learn (rows of one combination)."""
    from seqtune._search_splits import search_splits

    X, y = data
    indicator = np.column_stack([y == y[0], np.arange(len(y)) % 3 == 0]).astype(int)
    for cv in (None, 3):
        splits = search_splits(indicator, None, cv=cv, validation_fraction=0.25, seed=1, classifier=True)
        assert all(len(val) and not set(train) & set(val) for train, val in splits)
    auto = _auto(tmp_path, max_trials=1).fit(X, indicator)
    assert (auto.trials_["status"] == "COMPLETED").all()
    assert auto.predict(X[:4]).shape == (4, 2)


def test_custom_cost_callable(tmp_path, data):
    X, y = data
    auto = _auto(tmp_path, cost=lambda row: row["params"] * row["latency_ms"], refit=False).fit(X, y)
    assert auto.cost_column_ == "custom_cost"
    assert list(auto.pareto_front_.index) == list(pareto_front(auto.pareto_front_, "score", "custom_cost").index)
    # a mistake in the callable is named, with the fields it can read, and the trials are reused
    with pytest.raises(ValueError, match=r"cost='<lambda>' failed on trial \d+ \(KeyError: 'latency'\).*latency_ms"):
        _auto(tmp_path, cost=lambda row: row["latency"], refit=False).fit(X, y)
    with pytest.raises(ValueError, match=r"returned nan for trial .*expected a finite number"):
        _auto(tmp_path, cost=lambda row: float("nan"), refit=False).fit(X, y)


def test_a_grid_walks_the_default_space_as_a_few_values_of_each_range():
    """Found by an exploratory run: tuner="grid" refused its own default space (log-scale ranges)."""
    from seqtune.space import DEFAULT_SPACE, check_grid_space

    space, _ = AutoSequenceClassifier(tuner="grid")._check_params()
    check_grid_space(space)
    assert space["layers"] == DEFAULT_SPACE["layers"] and space["dropout"] == DEFAULT_SPACE["dropout"]  # walkable
    assert space["units"][0] == DEFAULT_SPACE["units"][0] and space["units"][-1] == DEFAULT_SPACE["units"][1]
    assert len(space["learning_rate"]) == 3
    with pytest.raises(ValueError, match=r"space\['units'\] = \(8, 64, 'log'\)"):  # a range the user gave
        AutoSequenceClassifier(tuner="grid", space={"units": (8, 64, "log")})._check_params()


def test_a_grid_tries_every_cell_type_first(tmp_path, data):
    X, y = data
    space = {"cell": ["lstm", "gru"], "units": [4, 8], "layers": [1, 2], "learning_rate": 1e-2,
             "dropout": 0.0, "bidirectional": False, "batch_size": 16}
    auto = _auto(tmp_path, tuner="grid", max_trials=2, space=space, refit=False).fit(X, y)
    assert sorted(auto.trials_["cell"]) == ["gru", "lstm"]  # the cell varies fastest


def test_a_grid_search_resumes_where_it_stopped(tmp_path, data):
    """keras-tuner's grid oracle kept its place in the grid in memory only: with max_trials raised it found
    no combination left, and after an interrupted trial it failed with a KeyError (keras-tuner #1055)."""
    X, y = data
    space = {"cell": ["lstm", "gru"], "units": [4, 8], "layers": 1, "learning_rate": 1e-2, "dropout": 0.0,
             "bidirectional": False, "batch_size": 16}  # 4 combinations
    grid = {"tuner": "grid", "space": space, "refit": False}
    _auto(tmp_path, max_trials=2, **grid).fit(X, y)
    auto = _auto(tmp_path, max_trials=3, **grid).fit(X, y)
    # the third trial, as a killed search leaves it: running, and the oracle's ongoing trial
    oracle_file, trial_file = tmp_path / "p" / "oracle.json", tmp_path / "p" / "trial_2" / "trial.json"
    trial_file.write_text(json.dumps({**json.loads(trial_file.read_text()), "status": "RUNNING"}))
    oracle = json.loads(oracle_file.read_text())
    oracle_file.write_text(json.dumps({**oracle, "ongoing_trials": {"tuner0": "2"},
                                       "end_order": [t for t in oracle["end_order"] if t != "2"]}))
    auto = _auto(tmp_path, max_trials=6, **grid).fit(X, y)
    combinations = auto.trials_[["cell", "units"]].astype(str).agg(" ".join, axis=1)
    assert sorted(combinations) == ["gru [4]", "gru [8]", "lstm [4]", "lstm [8]"]
    assert (auto.trials_["status"] == "COMPLETED").all()


def test_a_damaged_record_is_named_and_the_folder_left_as_it_was(tmp_path, data):
    X, y = data
    _auto(tmp_path, max_trials=2, refit=False).fit(X, y)
    record = tmp_path / "p" / "trial_1" / "trial.json"
    record.write_text(record.read_text()[:100])  # cut short, as a crash while keras-tuner writes it would
    files = {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()}
    with pytest.raises(ValueError, match=r"could not be read as a keras-tuner search \(trial_1/trial.json cannot be "
                                         r"read\). It was left untouched \(`seqtune report` shows its readable"):
        _auto(tmp_path, max_trials=3, refit=False).fit(X, y)
    assert {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()} == files


def test_a_search_begun_by_a_chief_resumes_in_one_process(tmp_path, data):
    """keras-tuner reloads a search only where its own tuner's file is (tuner0.json in one process, chief.json on a
    chief): resumed in the other mode, the search started over and wrote over its finished trials."""
    X, y = data
    _auto(tmp_path, max_trials=2, refit=False).fit(X, y)
    (tmp_path / "p" / "tuner0.json").rename(tmp_path / "p" / "chief.json")  # as a chief leaves its folder
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "p").glob("trial_*/trial.json")}
    auto = _auto(tmp_path, max_trials=3, refit=False).fit(X, y)
    assert len(auto.trials_) == 3
    for path, mtime in mtimes.items():
        assert path.stat().st_mtime_ns == mtime, f"{path} was rewritten"


@pytest.mark.parametrize("tuner", ["random", "bayesian"])
def test_random_and_bayesian_searches_try_every_cell_type_first(tmp_path, data, tuner):
    # keras-tuner's first four random draws under the default seed were all LSTM
    X, y = data
    auto = _auto(tmp_path, tuner=tuner, max_trials=2, max_epochs=1, seed=0, refit=False,
                 space={"units": (4, 8), "layers": 1}).fit(X, y)
    assert sorted(auto.trials_["cell"]) == ["gru", "lstm"]


def test_pooling_is_searched_on_request(tmp_path, data):
    X, y = data
    auto = _auto(tmp_path, space={**SMALL, "layers": 1, "pooling": ["last", "mean", "max"]}).fit(X, y)
    assert set(auto.trials_["pooling"]) <= {"last", "mean", "max"} and auto.trials_["pooling"].nunique() > 1
    assert auto.best_params_["pooling"] == auto.best_trial_["pooling"]
    assert auto.best_estimator_.pooling == auto.best_params_["pooling"]
    assert f"({auto.best_params_['pooling']} pooling)" in auto.explanation_
    # a search without it keeps the estimator's own pooling and records none
    plain = _auto(tmp_path, project_name="q", estimator_params={"pooling": "max"}, max_trials=1).fit(X, y)
    assert plain.trials_["pooling"].isna().all() and "pooling" not in plain.best_params_
    assert plain.best_estimator_.pooling == "max"


def test_a_warning_about_the_input_is_shown_once_a_search(tmp_path, data):
    from seqtune.inputs import InputWarning

    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _auto(tmp_path, max_trials=2).fit(X[:, :1, :], y)  # one time step of 2 features: a layout warning
    assert len([w for w in caught if issubclass(w.category, InputWarning)]) == 1


def test_frame_length_is_searched_on_request(tmp_path, data):
    X, y = data
    space = {"cell": "gru", "units": 4, "layers": 1, "learning_rate": 1e-2, "dropout": 0.0, "bidirectional": False,
             "batch_size": 16, "frame_length": [1, 3]}
    auto = _auto(tmp_path, tuner="grid", max_trials=2, space=space).fit(X, y)
    assert sorted(auto.trials_["frame_length"]) == [1, 3]
    assert auto.best_params_["frame_length"] == auto.best_trial_["frame_length"]
    assert auto.best_estimator_.frame_length_ == auto.best_params_["frame_length"]
    assert f"(frames of {auto.best_params_['frame_length']})" in auto.explanation_
    assert "frame_length" in format_table(auto.trials_)  # the searched option is shown
    unsearched = _auto(tmp_path, project_name="q", max_trials=1).fit(X, y)
    assert unsearched.trials_["frame_length"].isna().all() and "frame_length" not in unsearched.best_params_
    assert "frame_length" not in format_table(unsearched.trials_)
    with pytest.raises(ValueError, match=r"space\['frame_length'\] has invalid value\(s\) \['auto'\]"):
        _auto(tmp_path, project_name="r", space={"frame_length": ["auto", 4]}).fit(X, y)


def test_pandas_input_and_a_plot_in_a_new_folder(tmp_path, data):
    X, y = data
    frame = pd.DataFrame(X[:, :, 0]).add_prefix("t")  # 2-D: one univariate sequence a row
    auto = _auto(tmp_path, max_trials=1).fit(frame, pd.Series(y))
    assert (auto.trials_["status"] == "COMPLETED").all() and auto.predict(frame).shape == (90,)
    assert list(auto.feature_names_in_) == list(frame.columns)  # as the refit estimator's, like GridSearchCV
    path = auto.plot_pareto(tmp_path / "new" / "folder" / "front.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    # the format follows the extension (a .pdf or .svg held PNG bytes); a folder or an unknown one is refused
    assert auto.plot_pareto(tmp_path / "front.pdf").read_bytes().startswith(b"%PDF")
    assert b"<svg" in auto.plot_pareto(tmp_path / "front.svg").read_bytes()[:1000]
    with pytest.raises(ValueError, match=r"is a folder; expected a file name, e.g. .*pareto.png"):
        auto.plot_pareto(tmp_path / "new")
    with pytest.raises(ValueError, match=r"ends in .docx, which matplotlib cannot write; use one of .*\.pdf"):
        auto.plot_pareto(tmp_path / "front.docx")


def test_a_custom_splitter_is_fingerprinted_without_its_memory_address(tmp_path):
    from seqtune._search_splits import describe_cv as _describe_cv

    class HalfSplit:  # no __repr__ of its own: the default holds a memory address
        def __init__(self, shift=0):
            self.shift = shift

        def split(self, X, y=None):
            yield np.arange(len(X) // 2), np.arange(len(X) // 2, len(X))

    assert _describe_cv(HalfSplit()) == _describe_cv(HalfSplit()) != _describe_cv(HalfSplit(1))
    assert "0x" not in _describe_cv(HalfSplit())


def test_clone_and_params(tmp_path):
    auto = AutoSequenceClassifier(cells=("gru",), max_trials=4, directory=str(tmp_path))
    assert clone(auto).get_params() == auto.get_params()


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"tuner": "hyperbnd"}, ValueError, "Did you mean 'hyperband'"),
        ({"cost": "speed"}, ValueError, "cost='speed' is not one of"),
        ({"max_trials": 0}, ValueError, "max_trials"),
        ({"tolerance": -1}, ValueError, "tolerance"),
        ({"tolerance": float("nan")}, ValueError, "tolerance must be a number >= 0; got nan"),
        ({"estimator_params": {"epochs": 3}}, ValueError, r"set by the search; use AutoSequenceClassifier\(max_epochs"),
        ({"estimator_params": {"random_state": 3}}, ValueError, r"set by the search.*\(seed=\.\.\.\)"),
        ({"space": {"units": (8, 4)}}, ValueError, "above high"),
        ({"project_name": "../escape"}, ValueError, "plain folder name"),
        ({"project_name": "/abs"}, ValueError, "plain folder name"),
        ({"project_name": "a\x00b"}, ValueError, "plain folder name"),  # (Python's bare "embedded null byte")
        ({"estimator_params": {"units": 4}}, ValueError, "is searched"),
        ({"estimator_params": {"epoch": 4}}, ValueError, "Did you mean 'epochs'"),
        ({"cv": 1}, ValueError, "at least 2 folds"),
        ({"space": {"pooling": ["last", "sum"]}}, ValueError, "'last', 'max', 'mean' or 'concat'"),
        ({"tuner": "grid"}, ValueError, r"walks a finite grid, but space\['learning_rate'\].*log-scale range"),
        ({"space": {"pooling": ["mean"]}, "estimator_params": {"pooling": "max"}}, ValueError, "both searched"),
    ],
)
def test_bad_settings_are_refused_before_searching(tmp_path, data, kwargs, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        _auto(tmp_path, **kwargs).fit(X, y)
    assert not (tmp_path / "p").exists()


def test_bad_data_is_refused_before_searching(tmp_path, data):
    X, y = data
    with pytest.raises(ValueError, match="NaN"):
        _auto(tmp_path).fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="1 class"):
        _auto(tmp_path / "runs" / "new").fit(X, np.zeros_like(y))
    assert not (tmp_path / "p").exists() and not (tmp_path / "runs").exists()  # no folder made for it


def test_foreign_or_corrupt_search_directory_is_refused_and_kept(tmp_path, data):
    X, y = data
    foreign = tmp_path / "p"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    (foreign / "trial_notes.txt").write_text("mine too")  # named like a trial, not one
    for overwrite in (False, True):  # overwrite deletes a search, never a user's folder
        with pytest.raises(ValueError, match="is not a search.*left untouched"):
            _auto(tmp_path, overwrite=overwrite).fit(X, y)
        assert (foreign / "notes.txt").read_text() == "mine"
        assert (foreign / "trial_notes.txt").read_text() == "mine too"
    (tmp_path / "train.csv").write_text("a,b")
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="is a file, not a search folder"):
            _auto(tmp_path, project_name="train.csv", overwrite=overwrite).fit(X, y)
        assert (tmp_path / "train.csv").read_text() == "a,b"
    (foreign / "oracle.json").write_text("{not json")
    with pytest.raises(ValueError, match="unreadable"):
        _auto(tmp_path).fit(X, y)
    assert (foreign / "oracle.json").read_text() == "{not json"
    # overwrite deletes the folder whole: not where a user keeps other files, beside a search's or not
    with pytest.raises(ValueError, match=r"holds files that are not the search's \(notes.txt, trial_notes.txt\)"):
        _auto(tmp_path, overwrite=True).fit(X, y)
    assert (foreign / "notes.txt").read_text() == "mine" and (foreign / "oracle.json").read_text() == "{not json"
    search = _auto(tmp_path, project_name="s", max_trials=1, refit=False).fit(X, y)
    (Path(search.search_dir_) / "analysis.ipynb").write_text("{}")
    with pytest.raises(ValueError, match=r"\(analysis.ipynb\); overwrite=True would delete the folder whole"):
        _auto(tmp_path, project_name="s", max_trials=1, refit=False, overwrite=True).fit(X, y)
    folder = Path(search.search_dir_)
    assert (folder / "analysis.ipynb").exists() and list(folder.glob("trial_*"))
    (Path(search.search_dir_) / "analysis.ipynb").unlink()
    assert len(_auto(tmp_path, project_name="s", max_trials=1, refit=False, overwrite=True).fit(X, y).trials_) == 1


def test_directory_that_cannot_be_created_is_refused(tmp_path, data):
    X, y = data
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="cannot be created"):
        _auto(blocker / "runs").fit(X, y)
    assert blocker.read_text() == "x"


def test_sample_weight_reaches_every_trial_and_the_refit(tmp_path, data):
    X, y = data
    space = {"cell": "gru", "units": 8, "layers": 1, "bidirectional": False, "dropout": 0.0,
             "learning_rate": 0.05, "batch_size": 16}
    params = dict(tuner="grid", max_trials=1, max_epochs=5, space=space, validation_fraction=0.3)
    # Every sample of class 1 weighs nothing: trained only on class 0, the trial and the refit say 0.
    only_zeros = np.where(y == 1, 0.0, 1.0)
    weighted = _auto(tmp_path, project_name="weighted", **params).fit(X, y, sample_weight=only_zeros)
    assert (weighted.predict(X) == 0).all()
    assert weighted.trials_["score"].iloc[0] == pytest.approx(np.mean(y == 0), abs=0.05)
    plain = _auto(tmp_path, project_name="plain", **params).fit(X, y)
    assert plain.trials_["score"].iloc[0] > 0.8
    # Weights are part of the data a search depends on: other weights do not resume it.
    with pytest.raises(ValueError, match="other data"):
        _auto(tmp_path, project_name="weighted", **params).fit(X, y, sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        _auto(tmp_path, project_name="short", **params).fit(X, y, sample_weight=np.ones(5))
    assert not (tmp_path / "short").exists()


def test_a_search_whose_trials_cannot_learn_warns(tmp_path, data):
    import warnings

    from seqtune.space import resolve_space

    X, y = data
    # 72 training samples a trial in batches of 16, 2 epochs: 10 gradient steps
    with pytest.warns(UserWarning, match=r"at most 10 gradient steps.*max_epochs \(to 40 or more\).*\[4, 8\]"):
        _auto(tmp_path, max_trials=1).fit(X, y)
    from seqtune._training import warn_if_trials_train_too_little

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_trials_train_too_little(72, resolve_space(SMALL)["batch_size"], 40)  # 200 steps
        warn_if_trials_train_too_little(72, resolve_space({"batch_size": (1, 64)})["batch_size"], 3)


def test_a_class_seen_only_in_validation_is_a_miss_not_a_failed_trial(tmp_path, data):
    from sklearn.model_selection import train_test_split

    X, y = data
    y = y.copy()
    y[-1] = 2  # a class of one sample: the split cannot stratify
    seed = next(s for s in range(50)
                if len(y) - 1 in train_test_split(np.arange(len(y)), test_size=0.2, random_state=s)[1])
    auto = _auto(tmp_path, seed=seed, max_trials=1, validation_fraction=0.2).fit(X, y)
    assert (auto.trials_["status"] == "COMPLETED").all()
    assert list(auto.classes_) == [0, 1, 2]


def test_cells_and_a_searched_cell_together_are_refused(tmp_path, data):
    X, y = data
    with pytest.raises(ValueError, match="both choose the cells"):
        _auto(tmp_path, cells=("lstm",), space={**SMALL, "cell": "gru"}).fit(X, y)


def test_a_search_that_runs_out_of_combinations_says_so(tmp_path, data, capsys):
    X, y = data
    space = {"cell": "gru", "units": [2, 4], "layers": 1, "bidirectional": False, "dropout": 0.0,
             "learning_rate": 1e-2, "batch_size": 16}
    _auto(tmp_path, tuner="grid", max_trials=5, max_epochs=1, space=space, verbose=1, refit=False).fit(X, y)
    out = capsys.readouterr().out
    assert "[2/5]" in out and "ended after 2 of 5 trials" in out


def test_a_search_runs_without_tensorboard(tmp_path):
    """tensorflow-cpu does not install tensorboard, which keras-tuner imports in every trial on
    TensorFlow; a search on a plain `pip install ".[cpu]"` must still run."""
    import os
    import subprocess
    import sys

    code = f"""
import sys
sys.modules["tensorboard"] = None  # as if not installed: importing it raises ImportError
import numpy as np
from seqtune import AutoSequenceClassifier
X = np.random.default_rng(0).normal(size=(40, 4, 2)); y = np.arange(40) % 2
space = {{"cell": "gru", "units": 2, "layers": 1, "bidirectional": False, "batch_size": 16}}
auto = AutoSequenceClassifier(tuner="random", max_trials=1, max_epochs=1, space=space, verbose=0,
                              directory={str(tmp_path)!r}, refit=False).fit(X, y)
print(list(auto.trials_["status"]))
"""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "['COMPLETED']"


def test_memory_cost_counts_the_batches_a_trial_really_trains_on(tmp_path, data):
    X, y = data
    space = {"cell": "gru", "units": 4, "layers": 1, "bidirectional": False, "dropout": 0.0,
             "learning_rate": 0.01, "batch_size": [32, 128]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few gradient steps: both batches hold all 24 samples
        auto = _auto(tmp_path, tuner="grid", max_trials=2, cost="memory", space=space, refit=False,
                     validation_fraction=0.2).fit(X[:30], y[:30])
    memory = auto.trials_.set_index("batch_size")["memory_mb"]
    assert memory.loc[32] == memory.loc[128] > 0


def test_memory_cost_counts_the_steps_the_recurrent_layers_run_in_frames(tmp_path, data):
    """Sequences read in frames of 6 run one recurrent step, not 6: the activations were counted for 6."""
    X, y = data
    space = {"cell": "lstm", "units": 8, "layers": 1, "bidirectional": False, "dropout": 0.0,
             "learning_rate": 0.01, "batch_size": 16, "frame_length": [1, 6]}
    auto = _auto(tmp_path, tuner="grid", max_trials=2, max_epochs=1, cost="memory", space=space,
                 refit=False).fit(X, y)
    trials = auto.trials_.set_index("frame_length")
    weights_mb = 4 * 4 * trials["params"] / 2**20  # weights, gradients and Adam's two moments, in float32
    activations = trials["memory_mb"] - weights_mb
    assert activations.loc[1] == pytest.approx(6 * activations.loc[6], rel=1e-6)


def test_fit_time_cost_over_one_epoch_warns_that_it_times_compilation(tmp_path, data):
    X, y = data
    with pytest.warns(UserWarning, match="compare compile times"):
        auto = _auto(tmp_path, cost="fit_time", max_epochs=1, max_trials=1).fit(X, y)
    assert auto.n_features_in_ == X.shape[2] == auto.best_estimator_.n_features_in_


def test_hyperband_with_too_few_epochs_to_search_warns(tmp_path, data):
    X, y = data
    with pytest.warns(UserWarning, match=r"max_epochs=1 runs only 1 trial\(s\).*tuner='random'"):
        auto = _auto(tmp_path, tuner="hyperband", max_epochs=1, refit=False).fit(X, y)
    assert len(auto.trials_) == 1


def test_hyperband_says_a_max_trials_given_is_not_used(tmp_path):
    """max_trials=6 ran Hyperband's 30 trials without a word: four minutes where a minute was asked for."""
    with pytest.warns(UserWarning, match=r"max_epochs=20 runs 30 trials: .* max_trials=6 is not used. Use "
                                         r"tuner='random' or tuner='bayesian'"):
        AutoSequenceClassifier(max_trials=6, directory=tmp_path)._check_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AutoSequenceClassifier(directory=tmp_path)._check_params()  # the default max_trials: nothing said
        AutoSequenceClassifier(tuner="random", max_trials=6, directory=tmp_path)._check_params()


def test_tags_say_what_the_searched_estimator_takes():
    """scikit-learn's tags of the Auto* estimators said they took no 3-D arrays, multilabel or multi-output y."""
    from sklearn.utils import get_tags

    from seqtune import SequenceRegressor

    pairs = ((AutoSequenceClassifier(), SequenceClassifier()), (AutoSequenceRegressor(), SequenceRegressor()))
    for auto, plain in pairs:
        ours, theirs = get_tags(auto), get_tags(plain)
        assert (ours.input_tags, ours.target_tags, ours.classifier_tags, ours.regressor_tags) == (
            theirs.input_tags, theirs.target_tags, theirs.classifier_tags, theirs.regressor_tags)
    assert get_tags(AutoSequenceClassifier(seed=None)).non_deterministic
    assert not get_tags(AutoSequenceClassifier(seed=0)).non_deterministic


def test_a_directory_in_the_home_folder_is_expanded(tmp_path, data, monkeypatch):
    """directory="~/runs" made a folder named "~" in the working directory."""
    X, y = data
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    auto = _auto("~/runs", max_trials=1, refit=False).fit(X, y)
    assert Path(auto.search_dir_) == tmp_path / "runs" / "p" and not (tmp_path / "~").exists()


def test_a_numpy_tolerance_is_written_to_the_summary(tmp_path, data):
    """np.float32 tolerance: the search ran, then writing its summary failed (JSON has no NumPy floats)."""
    X, y = data
    auto = _auto(tmp_path, max_trials=1, refit=False, tolerance=np.float32(0.25)).fit(X, y)
    assert json.loads((Path(auto.search_dir_) / "seqtune_summary.json").read_text())["tolerance"] == 0.25
