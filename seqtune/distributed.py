"""Distributed search on keras-tuner's own chief/worker mode — no scheduler of our own.

keras-tuner runs one *chief* process that serves the oracle over gRPC and any
number of *workers* that ask it for trials, configured by three environment
variables: ``KERASTUNER_TUNER_ID`` ("chief", "tuner0", "tuner1", ...),
``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT``. The same search code runs
unchanged in every process; :func:`role` tells which part it plays.

On several machines, start the same command everywhere with those variables (the
chief's address in ``KERASTUNER_ORACLE_IP``). On one machine, :func:`launch`
starts the chief and the workers as local processes on 127.0.0.1 and restarts a
worker that dies under the same tuner id: keras-tuner's oracle hands a restarted
worker back the trial it was running, so the search still completes (without the
restart, that trial would stay RUNNING and the chief would wait forever).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from seqtune._interrupts import signal_handled

TUNER_ID = "KERASTUNER_TUNER_ID"
ORACLE_IP = "KERASTUNER_ORACLE_IP"
ORACLE_PORT = "KERASTUNER_ORACLE_PORT"


def role() -> str:
    """``"single"``, ``"chief"`` or ``"worker"``, from keras-tuner's environment variables."""
    tuner_id = os.environ.get(TUNER_ID)
    if not tuner_id or ORACLE_IP not in os.environ:
        return "single"
    return "chief" if tuner_id == "chief" else "worker"


def chief_address() -> str:
    """``host:port`` of the chief, from keras-tuner's environment variables."""
    return f"{os.environ.get(ORACLE_IP)}:{os.environ.get(ORACLE_PORT)}"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _chief_serves(host: str, port: int, process, timeout: float) -> bool:
    """Wait until the chief serves the oracle (True), or exits first (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the chief did not open {host}:{port} within {timeout:.0f} s")


def _pump(process, prefix: str, stream) -> threading.Thread:
    """Copy a process' output to ``stream`` line by line, each line prefixed."""

    def run():
        for line in iter(process.stdout.readline, ""):
            stream.write(f"{prefix}{line}" if prefix else line)
            stream.flush()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def launch(command: list[str], n_workers: int, *, host: str = "127.0.0.1", port: int | None = None,
           max_restarts: int = 3, startup_timeout: float = 120.0, stream=None, on_start=None) -> int:
    """Run ``command`` as a keras-tuner chief plus ``n_workers`` workers on this machine.

    Parameters
    ----------
    command : list of str
        The search command every process runs (e.g. ``[python, -m, seqtune.cli, tune, ...]``).
    n_workers : int
        Worker processes (one per core or per GPU is a good start).
    host : str
        Address the chief serves the oracle on.
    port : int or None
        Oracle port; a free one is chosen when None.
    max_restarts : int
        Restarts allowed per worker that dies before the search ends.
    startup_timeout : float
        Seconds to wait for the chief to serve the oracle.
    stream : file-like, optional
        Where the processes' output goes (default stdout); worker lines are prefixed.
    on_start : callable, optional
        ``on_start(tuner_id, process)`` after every (re)start, e.g. for monitoring.

    Returns
    -------
    int
        The chief's exit code. A chief that exits before it serves the oracle (bad data, a bad option)
        starts no worker; its own output, in ``stream``, says why.
    """
    if n_workers < 1:
        raise ValueError(f"n_workers must be >= 1; got {n_workers}.")
    stream = stream or sys.stdout
    port = port or free_port(host)
    base_env = {**os.environ, ORACLE_IP: host, ORACLE_PORT: str(port)}

    def start(tuner_id: str):
        process = subprocess.Popen(command, env={**base_env, TUNER_ID: tuner_id}, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, bufsize=1)
        _pump(process, "" if tuner_id == "chief" else f"[{tuner_id}] ", stream)
        if on_start is not None:
            on_start(tuner_id, process)
        return process

    with _terminated_as_exit():
        chief = start("chief")
        workers: dict[str, subprocess.Popen] = {}
        restarts: dict[str, int] = {}
        try:
            if not _chief_serves(host, port, chief, startup_timeout):
                # Bad data or a bad option: the chief's own output said why; no worker is started.
                return _exit_code(chief)
            if n_workers > 1:
                print(f"{n_workers} workers share this machine ({os.cpu_count()} CPU cores): each trial's training "
                      "time and latency are measured while other trials run, so its costs vary more than in a "
                      "one-worker search.", file=stream, flush=True)
            for i in range(n_workers):
                workers[f"tuner{i}"] = start(f"tuner{i}")
                restarts[f"tuner{i}"] = 0
            while chief.poll() is None:
                for tuner_id, process in list(workers.items()):
                    code = process.poll()
                    if code is None or code == 0:
                        continue
                    if restarts[tuner_id] >= max_restarts:
                        continue
                    restarts[tuner_id] += 1
                    stream.write(f"[launcher] {tuner_id} exited with code {code}; restarting it under the same "
                                 f"id ({restarts[tuner_id]}/{max_restarts}) to finish its trial\n")
                    stream.flush()
                    workers[tuner_id] = start(tuner_id)
                # A worker out of restarts leaves its trial RUNNING: once no worker is left to run trials, the
                # chief would wait for it forever (also when the other workers finished normally).
                gave_up = [t for t, p in workers.items() if p.poll() not in (None, 0) and restarts[t] >= max_restarts]
                if gave_up and all(p.poll() is not None for p in workers.values()):
                    stream.write(f"[launcher] {', '.join(gave_up)} failed {max_restarts + 1} times and no worker is "
                                 "left to finish its trial; stopping the chief (finished trials are kept)\n")
                    stream.flush()
                    _stop([chief])
                    break
                time.sleep(0.5)
            return _exit_code(chief)
        finally:
            _stop([chief, *workers.values()])


def _stop(processes) -> None:
    """Terminate those still running, then wait for every one (killing any that outlasts 20 s)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _exit_code(chief) -> int:
    """The chief's code; one ended by a signal (stopped by the launcher, or killed) has a negative code,
    reported as the failure 1."""
    return chief.returncode if chief.returncode >= 0 else 1


def _terminated_as_exit():
    """SIGTERM (``kill``, ``timeout``, a job scheduler) raises SystemExit(143) while the launcher supervises,
    so that its cleanup stops the chief and the workers: Python's default action ended the launcher alone,
    leaving the chief serving the oracle with no one to stop it."""

    def exit_on_term(signum, frame):
        raise SystemExit(128 + signum)

    return signal_handled(signal.SIGTERM, exit_on_term)
