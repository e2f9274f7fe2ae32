"""Research drives genhpo's runner: selection tasks as a runner benchmark, regret from the report's code."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo import benchmarks
from genhpo.loop import run
from genhpo.runner.manifest import Experiment
from genhpo.runner.registry import make_optimizer
from research import runs
from research.selection_tasks import SelectionTask, mixture_name, synthetic_name

SELECTION = "research.selection_tasks:SelectionTask"


def test_selection_task_names_round_trip_and_bad_names_are_refused():
    assert SelectionTask.check_dataset(synthetic_name(7)) == ("synthetic", (7,))
    assert SelectionTask.check_dataset(mixture_name("ImageNet16-120", 3, 0.25, True)) == (
        "mixture", ("ImageNet16-120", 3, True, 0.25))
    for bad in ("synthetic", "synthetic_x", "mixture_cifar10_3", "mixture_cifar10_3_0.5_other", "nb201"):
        with pytest.raises(ValueError, match="expected synthetic_<seed>"):
            SelectionTask.check_dataset(bad)
    with pytest.raises(ValueError, match="expected synthetic_<seed>"):
        benchmarks.check_datasets(SELECTION, ["synthetic_1", "oops"])
    with pytest.raises(ValueError, match="cannot import"):
        benchmarks.make("research.no_such_module:Task", "x")
    with pytest.raises(ValueError, match="unknown benchmark 'nb999'"):
        benchmarks.make("nb999", "x")


def test_a_selection_experiment_through_the_runner_gives_the_loops_regret(tmp_path):
    experiment = Experiment(SELECTION, (synthetic_name(3),), ("rs", "re"), 2, 6)
    results = runs.run(experiment, tmp_path / "exp", workers=1)
    task = benchmarks.make(SELECTION, synthetic_name(3))
    for name in ("rs", "re"):
        regret, overhead = results[(synthetic_name(3), name)]
        assert regret.shape == (2, 6) and overhead >= 0
        for seed in range(2):
            trials = run(make_optimizer(name, task, seed, tmp_path / "scratch", n_trials=6), task, 6, seed=seed)
            expected = 100.0 - np.maximum.accumulate([t.score for t in trials])
            np.testing.assert_allclose(regret[seed], expected)
    # re-running resumes: every run is skipped and the figures are the same
    again = runs.run(experiment, tmp_path / "exp", workers=1)
    assert all(np.array_equal(again[k][0], results[k][0]) for k in results)
