"""Every recipe runs end to end in --quick mode as a real script and writes real figures.

Slow (each is a small search on real data, up to ~2 minutes on 2 cores): run with
``python -m pytest -q -m slow tests/test_recipes.py``. A recipe whose data package or
tool is missing exits with status 3 and a message naming what to install; the test is
then skipped with that message, never passed.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

RECIPES = Path(__file__).resolve().parent.parent / "recipes"
MISSING = 3  # recipes/_common.py: a data package or tool is not installed
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def run_recipe(name, out):
    proc = subprocess.run([sys.executable, str(RECIPES / f"{name}.py"), "--quick", "--out", str(out),
                           "--verbose", "0"], capture_output=True, text=True, env=ENV, timeout=900)
    if proc.returncode == MISSING:
        pytest.skip(proc.stderr.strip())
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout, json.loads((out / "results.json").read_text())


def check_accuracy(value):
    assert isinstance(value, float) and math.isfinite(value) and 0.0 <= value <= 1.0, value


def check_common(results, out, stdout):
    assert results["mode"] == "quick" and results["metric"] == "accuracy"
    found = results["seqtune"]
    check_accuracy(found["test_score"])
    check_accuracy(found["validation_score"])
    assert found["cell"] in {"lstm", "gru"}
    assert found["params"]["cell"] == found["cell"]
    assert found["completed_trials"] >= 1
    assert len(found["explanation"]) > 20 and found["cell"].upper() in found["explanation"]
    assert results["baselines"], "no baseline in the results"
    for row in results["baselines"]:
        check_accuracy(row["test_accuracy"])
        assert row["fit_s"] > 0
    best = max(r["test_accuracy"] for r in results["baselines"])
    assert math.isclose(results["margin_vs_best_baseline"], found["test_score"] - best, abs_tol=1e-12)
    assert (out / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    # The printed table carries the same figures as the JSON.
    assert f"{found['test_score']:.4f}" in stdout and results["table"] in stdout


@pytest.mark.slow
def test_text_classification_quick(tmp_path):
    stdout, results = run_recipe("text_classification", tmp_path)
    check_common(results, tmp_path, stdout)
    assert results["data"]["classes"] == ["business", "entertainment", "politics", "sports", "tech"]
    assert results["data"]["test"] > 400
    # TF-IDF + logistic regression is far above chance even in the smoke run.
    assert results["baselines"][0]["test_accuracy"] > 0.8
    # The defaults row: a real fit scored on the test split, printed in the table.
    (defaults,) = results["other_seqtune"]
    assert defaults["model"] == "seqtune defaults" and defaults["setting"].startswith("pooling='auto'")
    check_accuracy(defaults["test_accuracy"])
    assert f"{defaults['test_accuracy']:.4f}" in results["table"]


@pytest.mark.slow
def test_speaker_id_quick(tmp_path):
    stdout, results = run_recipe("speaker_id", tmp_path)
    check_common(results, tmp_path, stdout)
    assert (results["data"]["train"], results["data"]["test"]) == (270, 370)  # the official split
    assert results["baselines"][0]["model"] == "1-NN DTW"
    assert results["baselines"][0]["test_accuracy"] > 0.8  # DTW is strong on this data


@pytest.mark.slow
def test_spoken_digits_quick(tmp_path):
    stdout, results = run_recipe("spoken_digits", tmp_path)
    check_common(results, tmp_path, stdout)
    data = results["data"]
    assert not set(data["train_variants"]) & set(data["test_variants"])  # unheard voices only
    assert data["train"] + data["test"] == data["clips"]
    assert {r["model"].split(" (")[0] for r in results["baselines"]} == {"logistic regression", "RBF SVC"}


def test_missing_package_message_names_the_extra(tmp_path):
    """Fast: the shared check exits with status 3 and names the extra to install."""
    code = (f"import sys; sys.path.insert(0, {str(RECIPES)!r}); import _common; "
            "_common.require('no_such_package_for_seqtune', 'test data')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert proc.returncode == MISSING
    assert "no_such_package_for_seqtune" in proc.stderr and 'pip install -e ".[cpu,recipes]"' in proc.stderr


@pytest.mark.slow
def test_forecasting_quick(tmp_path):
    stdout, results = run_recipe("forecasting", tmp_path)
    assert results["mode"] == "quick" and results["metric"] == "mase"
    for name in ("sunspots", "seattle"):
        res = results["series"][name]
        models = [r["model"] for r in res["rows"]]
        assert models[0].startswith("seqtune SequenceForecaster") and "seasonal naive" in models
        assert any(m.startswith("ARIMA") for m in models) and "ETS (Holt-Winters)" in models
        for row in res["rows"]:
            assert math.isfinite(row["mase"]) and row["mase"] > 0
        coverage = res["rows"][1]["coverage_10_90"]
        assert 0.0 <= coverage <= 1.0
        assert res["table"] in stdout
        auto = res["seqtune"]["auto"]
        assert auto["cell"] in ("lstm", "gru") and "chosen" in auto["explanation"]
        assert models[2].startswith(f"seqtune Auto ({auto['cell'].upper()}")
        assert auto["completed_trials"] >= 1 and math.isfinite(auto["test_score"])
        assert (tmp_path / f"pareto_{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "forecasts.png").read_bytes()[:4] == b"\x89PNG"
