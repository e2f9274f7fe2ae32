"""The runner on a separately started Dask scheduler + worker on 127.0.0.1 (subprocesses, bounded time)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genhpo.runner.compare import run_all
from genhpo.runner.execute import RunSpec
from genhpo.runner.store import RunDir, RunKey

REPO = Path(__file__).resolve().parents[2]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def external_cluster(tmp_path):
    """A `dask scheduler` and one `dask worker` started as their own processes; yields the address."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    common = {"env": env, "cwd": REPO, "stdout": subprocess.DEVNULL}
    stack = contextlib.ExitStack()
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)], stderr=stack.enter_context(open(logs / "scheduler.log", "w")), **common)  # noqa: SIM115
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert scheduler.poll() is None, (logs / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start within 60 s"
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard", "--host", "127.0.0.1"], stderr=stack.enter_context(open(logs / "worker.log", "w")),  # noqa: SIM115
            **common)
        yield address
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                _stop(proc)
        stack.close()


def test_runs_on_an_existing_scheduler_and_one_failure_does_not_stop_the_others(tmp_path, external_cluster):
    root = tmp_path / "exp"
    specs = [RunSpec(RunKey("nb201", "cifar10", "rs", seed), 20) for seed in (0, 1)]
    specs.append(RunSpec(RunKey("nb201", "cifar10", "rs", 2), 20, settings={"no_such_setting": 1}))
    start = time.monotonic()
    outcomes = run_all(specs, root, scheduler=external_cluster, progress=False)
    assert time.monotonic() - start < 90
    assert [o.status for o in outcomes] == ["done", "done", "failed"]
    assert "no_such_setting" in outcomes[2].error
    for spec in specs[:2]:
        run = RunDir(root, spec.key)
        meta = run.meta()
        assert meta["status"] == "done" and meta["pid"] != os.getpid()  # executed by the worker process
        assert [t.index for t in run.read_trials().trials] == list(range(20))
    assert RunDir(root, specs[2].key).meta()["status"] == "failed"

    again = run_all(specs[:2], root, scheduler=external_cluster, progress=False)
    assert [o.status for o in again] == ["skipped", "skipped"]

    # a finished run made by another optimizer (here: another checkpoint) is not passed off as today's
    stale = RunDir(root, specs[1].key)
    meta = stale.meta()
    meta["optimizer"]["checkpoint_sha256"] = "an-older-checkpoint"
    stale.meta_path.write_text(json.dumps(meta))
    third = run_all(specs[:2], root, scheduler=external_cluster, progress=False)
    assert [o.status for o in third] == ["skipped", "done"]
    assert (stale.path / "trials.jsonl.stale-0").exists()


def test_workers_flag_is_refused_with_a_scheduler(tmp_path):
    with pytest.raises(ValueError, match="--workers sizes the local cluster only"):
        run_all([RunSpec(RunKey("nb201", "cifar10", "rs", 0), 5)], tmp_path, scheduler="tcp://127.0.0.1:1",
                n_workers=2, progress=False)
