"""Run store and manifest: JSONL reading with corrupt/truncated lines, atomic meta, experiment identity."""

from __future__ import annotations

import itertools
import json

import pytest

from genhpo.protocol import Trial
from genhpo.runner.manifest import Experiment, load_experiment, open_experiment
from genhpo.runner.store import RunDir, RunKey, iter_runs, read_trials, write_json_atomic


def _trial(i: int, score: float = 50.0, status: str = "ok") -> Trial:
    return Trial(index=i, config={"x": i}, score=score if status == "ok" else float("nan"), cost=10.0,
                 overhead=0.01, started_at=100.0 + i, finished_at=100.5 + i, status=status,
                 error=None if status == "ok" else "boom")


def _write(run: RunDir, trials: list[Trial]) -> None:
    run.path.mkdir(parents=True, exist_ok=True)
    with run.writer() as writer:
        for t in trials:
            writer.append(t)


def test_trials_round_trip_one_line_each(tmp_path, key):
    run = RunDir(tmp_path, key)
    trials = [_trial(0), _trial(1, status="failed"), _trial(2, 70.0)]
    _write(run, trials)
    assert run.trials_path == tmp_path / "runs/nb201/cifar10/rs/seed-0/trials.jsonl"
    assert len(run.trials_path.read_text().splitlines()) == 3
    found = read_trials(run.trials_path)
    assert not found.problems and not found.truncated_tail
    assert [t.to_dict() for t in found.trials] == [t.to_dict() for t in trials]


def test_corrupt_line_is_reported_with_file_and_line_and_the_rest_kept(tmp_path, key):
    run = RunDir(tmp_path, key)
    _write(run, [_trial(0), _trial(1), _trial(2)])
    lines = run.trials_path.read_text().splitlines()
    lines[1] = '{"index": 1, "config": {'  # a damaged record in the middle
    run.trials_path.write_text("\n".join(lines) + "\n")
    found = read_trials(run.trials_path)
    assert [t.index for t in found.trials] == [0, 2]
    assert len(found.problems) == 1 and found.problems[0].startswith(f"{run.trials_path}:2: ")


def test_truncated_last_line_is_dropped_and_newline_restored(tmp_path, key):
    run = RunDir(tmp_path, key)
    _write(run, [_trial(0), _trial(1), _trial(2)])
    text = run.trials_path.read_text()
    run.trials_path.write_text(text[: len(text) - 40])  # killed in the middle of writing trial 2
    found = read_trials(run.trials_path)
    assert found.truncated_tail and not found.problems and [t.index for t in found.trials] == [0, 1]
    history = run.prepare()
    assert [t.index for t in history] == [0, 1]
    assert run.trials_path.read_text() == "".join(text.splitlines(keepends=True)[:2])

    # a complete last record whose newline was lost is kept, and the newline restored
    run.trials_path.write_text(text.rstrip("\n"))
    assert [t.index for t in run.prepare()] == [0, 1, 2]
    assert run.trials_path.read_text() == text


def test_prepare_sets_a_corrupt_file_aside_and_keeps_it(tmp_path, key):
    run = RunDir(tmp_path, key)
    _write(run, [_trial(0), _trial(1)])
    original = run.trials_path.read_text()
    run.trials_path.write_text("not json\n" + original)
    (run.path / "smac3").mkdir()  # an optimizer's output folder is rebuilt by the replay
    assert run.prepare() == []
    assert not run.trials_path.exists() and not (run.path / "smac3").exists()
    assert (run.path / "trials.jsonl.stale-0").read_text() == "not json\n" + original


def test_prepare_refuses_to_replay_a_gap_in_indices(tmp_path, key):
    run = RunDir(tmp_path, key)
    _write(run, [_trial(0), _trial(2)])
    assert run.prepare() == []
    assert (run.path / "trials.jsonl.stale-0").exists()


def test_meta_is_written_atomically(tmp_path, key):
    run = RunDir(tmp_path, key)
    run.write_meta({"status": "running", "seed": 0})
    run.write_meta({"status": "done", "seed": 0})
    assert run.meta() == {"status": "done", "seed": 0}
    assert [p.name for p in run.path.iterdir()] == ["meta.json"]  # no temp file left behind
    with pytest.raises(ValueError, match="Out of range float values|NaN"):
        write_json_atomic(run.meta_path, {"x": float("nan")})
    assert run.meta() == {"status": "done", "seed": 0}  # the failed write left the old file intact
    run.meta_path.write_text("{broken")
    with pytest.raises(ValueError, match="meta.json is not valid JSON"):
        run.meta()


def test_iter_runs_finds_every_run(tmp_path):
    keys = [RunKey("nb201", "cifar10", "rs", 1), RunKey("nb201", "cifar100", "re", 0)]
    for k in keys:
        RunDir(tmp_path, k).write_meta({"status": "done"})
    assert sorted(r.key.label for r in iter_runs(tmp_path)) == sorted(k.label for k in keys)


def test_manifest_same_resumes_different_refused_force_moves_aside(tmp_path):
    exp = Experiment("nb201", ("cifar10",), ("rs",), 2, 10)
    assert open_experiment(tmp_path, exp) is False
    assert open_experiment(tmp_path, exp) is True
    assert load_experiment(tmp_path) == exp
    RunDir(tmp_path, RunKey("nb201", "cifar10", "rs", 0)).write_meta({"status": "done"})
    other = Experiment("nb201", ("cifar10",), ("rs",), 2, 20)
    with pytest.raises(ValueError, match=r"different experiment \(trials: 10 -> 20\).*--force"):
        open_experiment(tmp_path, other)
    assert load_experiment(tmp_path) == exp  # untouched
    open_experiment(tmp_path, other, force=True)
    assert load_experiment(tmp_path) == other
    moved = tmp_path / "replaced-0"
    assert json.loads((moved / "experiment.json").read_text())["experiment"]["trials"] == 10
    assert (moved / "runs/nb201/cifar10/rs/seed-0/meta.json").exists()
    assert not (tmp_path / "runs").exists()


def test_results_without_manifest_are_not_overwritten(tmp_path):
    (tmp_path / "runs").mkdir()
    with pytest.raises(ValueError, match="has results but no experiment.json"):
        open_experiment(tmp_path, Experiment("nb201", ("cifar10",), ("rs",), 1, 5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": 0}, "seeds must be a positive integer"),
        ({"trials": -3}, "trials must be a positive integer"),
        ({"optimizers": ("rs", "rs")}, "lists a name twice"),
        ({"datasets": ()}, "datasets must not be empty"),
        ({"settings": {"re": {}}}, "settings given for optimizers not in the experiment: re"),
    ],
)
def test_experiment_rejects_bad_definitions(kwargs, message):
    fields = {"benchmark": "nb201", "datasets": ("cifar10",), "optimizers": ("rs",), "seeds": 1, "trials": 5}
    with pytest.raises(ValueError, match=message):
        Experiment(**{**fields, **kwargs})


def test_one_compare_at_a_time_and_a_killed_holder_leaves_no_lock(tmp_path):
    import signal
    import subprocess
    import sys

    from genhpo.runner.manifest import experiment_lock

    with experiment_lock(tmp_path), pytest.raises(ValueError, match=r"another `genhpo compare` \(pid \d+ on .*\) is running"), \
            experiment_lock(tmp_path):
        pass
    holder = subprocess.Popen([sys.executable, "-c", f"""
import time
from genhpo.runner.manifest import experiment_lock
with experiment_lock({str(tmp_path)!r}):
    print("held", flush=True)
    time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ValueError, match=f"pid {holder.pid}"), experiment_lock(tmp_path):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        with experiment_lock(tmp_path):  # the kernel released the killed holder's lock
            pass
    finally:
        holder.kill()


def test_concurrent_compares_never_both_hold_the_lock(tmp_path):
    """Processes released at the same instant on one directory holding a dead process's lock file
    (10 rounds of 3): the lock is held by one at a time (their holding intervals never overlap) and
    at least one gets it each round."""
    import subprocess
    import sys
    import time

    code = """
import sys, time
from genhpo.runner.manifest import experiment_lock
start = float(sys.argv[2])
while time.time() < start:
    pass
try:
    with experiment_lock(sys.argv[1]):
        got = time.time()
        time.sleep(0.2)
        print(got, time.time())
except ValueError:
    print("refused")
"""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    for round_ in range(10):
        root = tmp_path / f"r{round_}"
        root.mkdir()
        (root / "compare.lock").write_text(json.dumps({"host": "here", "pid": int(dead.stdout)}))
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", code, str(root), str(start)], stdout=subprocess.PIPE, text=True)
                 for _ in range(3)]
        outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
        held = sorted(tuple(map(float, o.split())) for o in outputs if o != "refused")
        assert held, (round_, outputs)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(held)), (round_, held)  # one holder at a time


def test_numpy_scalars_in_a_record_are_written_as_plain_numbers(tmp_path, key):
    import numpy as np

    run = RunDir(tmp_path, key)
    trial = Trial(index=0, config={"i": np.int64(3), "x": np.float32(0.5)}, score=1.0, cost=0.0, overhead=0.0,
                  started_at=0.0, finished_at=0.0, metrics={"n": np.int64(7)})
    _write(run, [trial])
    assert json.loads(run.trials_path.read_text())["config"] == {"i": 3, "x": 0.5}
    assert read_trials(run.trials_path).trials[0].metrics == {"n": 7}


def test_a_bad_optimizer_setting_is_refused_before_the_experiment_is_recorded(tmp_path):
    from genhpo.runner.compare import prepare_experiment
    from genhpo.runner.manifest import Experiment

    bad = Experiment("nb201", ("cifar10",), ("re", "rs"), 1, 3, settings={"re": {"population_size": -5}})
    with pytest.raises(ValueError, match="settings of re: population_size must be a positive int"):
        prepare_experiment(bad, tmp_path)
    assert not (tmp_path / "experiment.json").exists()
    good = Experiment("nb201", ("cifar10",), ("re", "rs"), 1, 3, settings={"re": {"population_size": 5}})
    assert len(prepare_experiment(good, tmp_path)) == 2  # the corrected file is a new experiment, no --force
    with pytest.raises(ValueError, match="settings of genhpo: unknown suggestion settings"):
        prepare_experiment(Experiment("nb201", ("cifar10",), ("genhpo",), 1, 3, settings={"genhpo": {"tempreature": 1}}),
                           tmp_path / "other")
