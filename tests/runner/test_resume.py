"""Resuming: a run killed mid-way (SIGKILL) continues to the same trajectory, nothing duplicated or lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from genhpo.runner.execute import RunSpec, execute_run
from genhpo.runner.store import RunDir, RunKey
from tests.runner.conftest import read_lines

N = 40
KEY = RunKey("nb201", "cifar10", "rs", 3)
REPO = Path(__file__).resolve().parents[2]

_SLOW_RUN = textwrap.dedent(
    """
    import sys, time
    import genhpo.runner.execute as ex
    from genhpo.runner.store import RunKey
    from genhpo.benchmarks.nb201 import NB201Benchmark

    class Slow(NB201Benchmark):
        def _evaluate(self, config, fidelity, rng):
            time.sleep(0.05)
            return super()._evaluate(config, fidelity, rng)

    ex.make_benchmark = lambda name, dataset, options=None: Slow(dataset)
    ex.execute_run(ex.RunSpec(RunKey("nb201", "cifar10", "rs", 3), {n}), sys.argv[1])
    """
)


def _comparable(records: list[dict]) -> list[tuple]:
    """What must match an uninterrupted run (timings differ, of course)."""
    return [(r["index"], r["config"], r["score"], r["cost"], r["status"]) for r in records]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[dict]:
    root = tmp_path_factory.mktemp("reference")
    assert execute_run(RunSpec(KEY, N), root).status == "done"
    return read_lines(RunDir(root, KEY).trials_path)


def test_killed_run_resumes_to_the_uninterrupted_trajectory(tmp_path, reference):
    run = RunDir(tmp_path, KEY)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_RUN.format(n=N), str(tmp_path)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if run.trials_path.exists() and run.trials_path.read_bytes().count(b"\n") >= 10:
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read().decode()}"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    killed_at = run.trials_path.read_bytes().count(b"\n")
    assert 10 <= killed_at < N
    assert run.meta()["status"] == "running"  # what a kill leaves behind

    outcome = execute_run(RunSpec(KEY, N), tmp_path)
    assert outcome.status == "done" and outcome.resumed == killed_at
    resumed = read_lines(run.trials_path)
    assert _comparable(resumed) == _comparable(reference)
    meta = run.meta()
    assert meta["status"] == "done" and meta["attempt"] == 2 and meta["n_recorded"] == N
    # a finished run is skipped, not run again
    assert execute_run(RunSpec(KEY, N), tmp_path).status == "skipped"
    assert len(read_lines(run.trials_path)) == N


def test_truncated_last_line_is_evaluated_again(tmp_path, reference):
    run = RunDir(tmp_path, KEY)
    run.path.mkdir(parents=True)
    lines = [json.dumps(r) for r in reference[:15]]
    run.trials_path.write_text("\n".join(lines[:14]) + "\n" + lines[14][:25])
    outcome = execute_run(RunSpec(KEY, N), tmp_path)
    assert outcome.status == "done" and outcome.resumed == 14
    assert _comparable(read_lines(run.trials_path)) == _comparable(reference)


def test_history_that_does_not_replay_is_set_aside_and_the_run_restarts(tmp_path, reference):
    run = RunDir(tmp_path, KEY)
    run.path.mkdir(parents=True)
    other_seed = [dict(r, config=reference[-1 - i]["config"]) for i, r in enumerate(reference[:5])]
    run.trials_path.write_text("".join(json.dumps(r) + "\n" for r in other_seed))
    outcome = execute_run(RunSpec(KEY, N), tmp_path)
    assert outcome.status == "done"
    assert _comparable(read_lines(run.trials_path)) == _comparable(reference)
    assert read_lines(run.path / "trials.jsonl.stale-0") == other_seed  # kept, not deleted
    assert "cannot resume" in run.meta()["restarted_after"]


def test_corrupt_line_in_the_middle_restarts_cleanly(tmp_path, reference):
    run = RunDir(tmp_path, KEY)
    run.path.mkdir(parents=True)
    lines = [json.dumps(r) for r in reference[:8]]
    lines[3] = "{garbage"
    run.trials_path.write_text("\n".join(lines) + "\n")
    assert execute_run(RunSpec(KEY, N), tmp_path).status == "done"
    assert _comparable(read_lines(run.trials_path)) == _comparable(reference)
    assert (run.path / "trials.jsonl.stale-0").read_text().splitlines()[3] == "{garbage"


def test_a_failing_run_is_recorded_as_failed(tmp_path):
    outcome = execute_run(RunSpec(KEY, 5, settings={"no_such_setting": 1}), tmp_path)
    assert outcome.status == "failed" and "no_such_setting" in outcome.error
    meta = RunDir(tmp_path, KEY).meta()
    assert meta["status"] == "failed" and "no_such_setting" in meta["error"] and "Traceback" in meta["traceback"]


@pytest.mark.parametrize("name", ["re", "smac", "dehb", "transfer-topk", "genhpo", "genhpo-cold"])
def test_every_optimizer_resumes_by_replay_not_by_restart(tmp_path, name):
    key = RunKey("nb201", "cifar10", name, 1)
    assert execute_run(RunSpec(key, 8), tmp_path / "ref").status == "done"
    reference = read_lines(RunDir(tmp_path / "ref", key).trials_path)
    run = RunDir(tmp_path / "resumed", key)
    run.path.mkdir(parents=True)
    run.trials_path.write_text("".join(json.dumps(r) + "\n" for r in reference[:4]))
    outcome = execute_run(RunSpec(key, 8), tmp_path / "resumed")
    assert outcome.status == "done" and outcome.resumed == 4
    assert "restarted_after" not in run.meta()  # the recorded trials were replayed, not set aside
    assert _comparable(read_lines(run.trials_path)) == _comparable(reference)


def test_finished_run_of_a_changed_optimizer_is_rerun_not_skipped(tmp_path, reference):
    """A finished run is skipped only if today's optimizer has the recorded settings (e.g. the same
    checkpoint); otherwise its trials are kept aside and the run is done again."""
    assert execute_run(RunSpec(KEY, N), tmp_path).status == "done"
    run = RunDir(tmp_path, KEY)
    assert execute_run(RunSpec(KEY, N), tmp_path).status == "skipped"
    meta = json.loads(run.meta_path.read_text())
    meta["optimizer"]["checkpoint_sha256"] = "an-older-checkpoint"
    run.meta_path.write_text(json.dumps(meta))
    outcome = execute_run(RunSpec(KEY, N), tmp_path)
    assert outcome.status == "done"
    assert (run.path / "trials.jsonl.stale-0").exists()
    assert _comparable(read_lines(run.trials_path)) == _comparable(reference)
    assert execute_run(RunSpec(KEY, N), tmp_path).status == "skipped"


@pytest.mark.parametrize("optimizer", ["smac", "dehb"])
def test_checking_a_finished_run_leaves_its_files_alone(tmp_path, optimizer):
    """Deciding whether a finished run can be skipped builds today's optimizer; it must not do so in
    the run's directory, where SMAC would start a new, empty run over the finished one's files."""
    from genhpo.runner.execute import is_finished

    spec = RunSpec(RunKey("nb201", "cifar10", optimizer, 0), 8)
    assert execute_run(spec, tmp_path).status == "done"
    run = RunDir(tmp_path, spec.key)

    def files() -> dict:
        return {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()}

    before = files()
    assert len(before) > 2  # the optimizer's own files besides meta.json and trials.jsonl
    assert is_finished(spec, tmp_path)
    assert execute_run(spec, tmp_path).status == "skipped"
    assert files() == before


@pytest.mark.parametrize("optimizer", ["smac", "smac-bb"])
def test_a_moved_experiment_directory_keeps_its_finished_runs(tmp_path, optimizer):
    """A run's identity holds no location: after moving the experiment directory, finished runs whose
    recorded settings name paths inside their run directory are still skipped."""
    import shutil

    spec = RunSpec(RunKey("nb201", "cifar10", optimizer, 0), 6)
    assert execute_run(spec, tmp_path / "m1").status == "done"
    assert str(tmp_path / "m1") in json.dumps(RunDir(tmp_path / "m1", spec.key).meta()["optimizer"])
    shutil.move(tmp_path / "m1", tmp_path / "m2")
    assert execute_run(spec, tmp_path / "m2").status == "skipped"


def test_a_damaged_meta_json_affects_only_its_run(tmp_path, reference):
    """An unreadable meta.json makes its run 'not finished': it resumes from its trials (the same
    trials) and writes a new meta.json; deciding about it never raises."""
    from genhpo.runner.execute import is_finished

    spec = RunSpec(KEY, N)
    assert execute_run(spec, tmp_path).status == "done"
    run = RunDir(tmp_path, KEY)
    run.meta_path.write_text("{bad")
    assert is_finished(spec, tmp_path) is False
    outcome = execute_run(spec, tmp_path)
    assert outcome.status == "done" and outcome.resumed == N
    assert run.meta()["status"] == "done"
    assert _comparable(read_lines(run.trials_path)) == _comparable(reference)
