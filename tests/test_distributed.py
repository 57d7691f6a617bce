"""keras-tuner's distributed mode with real processes on 127.0.0.1: a chief and two workers."""

import io
import json
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

from seqtune import distributed


@pytest.fixture
def npz(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6, 2)).astype("float32")
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    np.savez(tmp_path / "data.npz", X=X, y=y)
    return tmp_path / "data.npz"


def _command(npz, directory, trials, epochs=1):
    return [sys.executable, "-m", "seqtune.cli", "tune", "--data", str(npz), "--tuner", "random",
            "--max-trials", str(trials), "--max-epochs", str(epochs), "--max-units", "8",
            "--max-layers", "1", "--directory", str(directory), "--project-name", "dist"]


def _trials(directory):
    states = [json.loads(p.read_text()) for p in (directory / "dist").glob("trial_*/trial.json")]
    return {s["trial_id"]: s for s in states}


def test_role_follows_keras_tuner_environment(monkeypatch):
    monkeypatch.delenv(distributed.TUNER_ID, raising=False)
    assert distributed.role() == "single"
    monkeypatch.setenv(distributed.ORACLE_IP, "127.0.0.1")
    monkeypatch.setenv(distributed.TUNER_ID, "chief")
    assert distributed.role() == "chief"
    monkeypatch.setenv(distributed.TUNER_ID, "tuner3")
    assert distributed.role() == "worker"


def test_chief_and_two_workers_record_every_trial_once_with_costs(npz, tmp_path):
    out = io.StringIO()
    env_before = dict(os.environ)
    code = distributed.launch(_command(npz, tmp_path, trials=4), 2, stream=out)
    assert dict(os.environ) == env_before
    log = out.getvalue()
    assert code == 0, log[-3000:]
    trials = _trials(tmp_path)
    assert len(trials) == 4
    for state in trials.values():
        assert state["status"] == "COMPLETED"
        metrics = state["metrics"]["metrics"]
        for name in ("score", "params", "fit_seconds_per_epoch", "latency_ms", "memory_mb"):
            assert metrics[name]["observations"], name
    # both workers ran trials, and the chief printed the front from all of them
    assert "[tuner0]" in log and "[tuner1]" in log
    assert "2 workers share this machine" in log  # their costs are measured side by side: said once
    assert "Pareto front" in log and "chosen" in log
    # the search is announced once, by the chief: the workers keep what they read to themselves
    assert log.count("Searching random") == 1 and "[tuner0] Searching" not in log
    assert "The search ended after" not in log  # the chief counted only the trials it ran: none
    # no trial is left "ongoing" in the oracle's record: a second run of the same command trained the last again
    assert json.loads((tmp_path / "dist" / "oracle.json").read_text())["ongoing_trials"] == {}


@pytest.mark.slow
def test_a_killed_worker_is_restarted_and_the_search_completes(npz, tmp_path):
    out = io.StringIO()
    processes = {}

    def on_start(tuner_id, process):
        processes.setdefault(tuner_id, []).append(process)

    def killer():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # kill tuner0 once it is training a trial
            if "[tuner0] " in out.getvalue() and "tuner0" in processes:
                time.sleep(2.0)
                processes["tuner0"][0].send_signal(signal.SIGKILL)
                return
            time.sleep(0.2)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    code = distributed.launch(_command(npz, tmp_path, trials=6, epochs=2), 2, stream=out, on_start=on_start)
    log = out.getvalue()
    assert code == 0, log[-3000:]
    assert len(processes["tuner0"]) >= 2, "tuner0 was not restarted"
    assert "restarting it under the same id" in log
    trials = _trials(tmp_path)
    assert len(trials) == 6 and all(s["status"] == "COMPLETED" for s in trials.values())


# Stands in for a search command: the chief serves the oracle's port, every process prints its pid and waits.
_WAITING_PROCESS = """
import os, socket, sys, time
if os.environ["KERASTUNER_TUNER_ID"] == "chief":
    server = socket.socket()
    server.bind(("127.0.0.1", int(os.environ["KERASTUNER_ORACLE_PORT"])))
    server.listen()
print("pid", os.getpid(), flush=True)
time.sleep(120)
"""

_LAUNCHER = """
import sys
from seqtune.distributed import launch
sys.exit(launch([sys.executable, "-c", sys.argv[1]], 1))
"""


def test_a_terminated_launcher_stops_the_chief_and_the_workers():
    """SIGTERM (kill, timeout, a scheduler) ended the launcher alone: the chief kept serving, orphaned."""
    import subprocess

    launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER, _WAITING_PROCESS], stdout=subprocess.PIPE,
                                text=True)
    pids = []
    while len(pids) < 2:  # the chief's and the worker's
        line = launcher.stdout.readline()
        assert line, "the launcher ended before starting its processes"
        if "pid " in line:
            pids.append(int(line.split()[-1]))
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(timeout=30) == 128 + signal.SIGTERM
    for pid in pids:
        with pytest.raises(ProcessLookupError):  # reaped by the launcher, not left running
            os.kill(pid, 0)


# Stands in for a search whose trial kills its worker every time: tuner0 fails, tuner1 finishes its own trials.
_ONE_WORKER_FAILS = """
import os, socket, sys, time
tuner_id = os.environ["KERASTUNER_TUNER_ID"]
if tuner_id == "chief":  # waits for tuner0's trial, as keras-tuner's oracle does
    server = socket.socket()
    server.bind(("127.0.0.1", int(os.environ["KERASTUNER_ORACLE_PORT"])))
    server.listen()
    time.sleep(120)
sys.exit(1 if tuner_id == "tuner0" else 0)
"""


def test_the_chief_is_stopped_once_a_failed_workers_trial_cannot_finish():
    """Only when every worker had failed was the chief stopped: one worker finishing normally left the launcher
    waiting forever for the other's trial."""
    out = io.StringIO()
    start = time.monotonic()
    code = distributed.launch([sys.executable, "-c", _ONE_WORKER_FAILS], 2, max_restarts=1, stream=out)
    assert code == 1 and time.monotonic() - start < 60, out.getvalue()
    assert "tuner0 failed 2 times and no worker is left to finish its trial; stopping the chief" in out.getvalue()


def test_launch_refuses_zero_workers():
    with pytest.raises(ValueError, match="n_workers"):
        distributed.launch(["true"], 0)


def test_a_chief_that_fails_on_its_data_is_reported_once(tmp_path):
    """The chief's own error was followed by the launcher's 'the chief exited (code 2) before serving'."""
    import subprocess

    command = [sys.executable, "-m", "seqtune.cli", "tune", "--data", str(tmp_path / "missing.csv"),
               "--workers", "1", "--directory", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert output.count("seqtune: error:") == 1, output
    assert "missing.csv: no such file" in output
    assert "[tuner0]" not in output  # no worker was started


def test_a_worker_with_other_settings_than_its_chief_runs_no_trial(npz, tmp_path):
    """A worker started by hand with another --max-epochs trained its trials with it without a word."""
    import subprocess

    env = {**os.environ, distributed.ORACLE_IP: "127.0.0.1", distributed.ORACLE_PORT: str(distributed.free_port()),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    chief = subprocess.Popen(_command(npz, tmp_path, trials=2, epochs=1), env={**env, distributed.TUNER_ID: "chief"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        worker = subprocess.run(_command(npz, tmp_path, trials=2, epochs=2), env={**env, distributed.TUNER_ID: "tuner0"},
                                capture_output=True, text=True, timeout=300)
    finally:
        chief.kill()
        chief.wait()
    assert worker.returncode != 0, worker.stdout[-2000:]
    assert "other data or settings than its chief" in worker.stderr, worker.stderr[-2000:]
    assert "a different --max-epochs (1 then 2)" in worker.stderr, worker.stderr[-2000:]  # the option
    assert not list((tmp_path / "dist").glob("trial_*/checkpoint*")), "the worker trained a trial"
