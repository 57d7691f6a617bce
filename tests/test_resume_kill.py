"""A search killed with SIGKILL at random points resumes and keeps every finished trial once."""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from seqtune import AutoSequenceClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6, 2)).astype("float32")
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    auto = AutoSequenceClassifier(tuner="random", max_trials=int(sys.argv[2]), max_epochs=2, seed=3,
                                  space={"units": (4, 8), "layers": [1, 2], "batch_size": 16},
                                  directory=sys.argv[1], project_name="killed", verbose=1, refit=False)
    auto.fit(X, y)
    print("DONE", len(auto.trials_), flush=True)
    """
)


def _trial_states(project):
    states = {}
    for file in project.glob("trial_*/trial.json"):
        states[file.parent.name] = json.loads(file.read_text())  # must stay readable after any kill
    return states


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(tmp_path):
    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    project = tmp_path / "killed"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    trials = 8
    rnd = random.Random(0)
    completed_before = {}
    for attempt in range(5):
        proc = subprocess.Popen([sys.executable, str(script), str(tmp_path), str(trials)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        time.sleep(rnd.uniform(6.0, 14.0))  # start-up takes ~5 s, a trial ~1-2 s
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        states = _trial_states(project) if project.exists() else {}
        completed = {k: v["metrics"] for k, v in states.items() if v.get("status") == "COMPLETED"}
        # a finished trial is never lost nor changed by a later kill and resume
        for trial_id, metrics in completed_before.items():
            assert completed[trial_id] == metrics, f"trial {trial_id} changed after kill {attempt}"
        completed_before = completed
    final = subprocess.run([sys.executable, str(script), str(tmp_path), str(trials)],
                           capture_output=True, text=True, env=env, timeout=600)
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]
    assert f"DONE {trials}" in final.stdout
    states = _trial_states(project)
    assert len(states) == trials
    assert all(s["status"] == "COMPLETED" for s in states.values())
    for trial_id, metrics in completed_before.items():
        assert states[trial_id]["metrics"] == metrics
    # the finished trials of earlier runs were not run again
    if completed_before:
        assert "Resuming the search" in final.stdout
        ran_again = final.stdout.count("score ")
        assert ran_again == trials - len(completed_before)
