from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from genhpo.baselines.random_search import RandomSearch
from genhpo.benchmarks.base import Benchmark
from genhpo.loop import run
from genhpo.protocol import Result


class FlakyBenchmark(Benchmark):
    """Wraps NB201: raises on some cells and returns NaN on others, to test failure handling."""

    name = "flaky"

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    @property
    def config_space(self):
        return self.inner.config_space

    @property
    def optimum(self):
        return self.inner.optimum

    def _evaluate(self, config: Mapping[str, Any], fidelity, rng) -> Result:
        if config["edge_1<-0"] == "none":
            raise RuntimeError("out of memory")
        if config["edge_1<-0"] == "skip_connect":
            return Result.failure("diverged", cost=3.0)
        return self.inner._evaluate(config, fidelity, rng)


class RecordingRS(RandomSearch):
    def __init__(self, *args):
        super().__init__(*args)
        self.told = []

    def _tell(self, config, result):
        super()._tell(config, result)
        self.told.append(result)


def test_loop_records_every_trial_and_times_overhead_apart(nb201_cifar10):
    seen = []
    trials = run(RandomSearch(nb201_cifar10.config_space, 3), nb201_cifar10, 12, seed=3, on_trial=seen.append)
    assert [t.index for t in trials] == list(range(12)) and seen == trials
    for t in trials:
        assert t.status == "ok" and t.overhead >= 0 and t.finished_at >= t.started_at
        assert t.score == nb201_cifar10.evaluate(t.config).score
        assert t.cost > 0 and "latency" in t.metrics


def test_failures_are_recorded_told_and_the_run_goes_on(nb201_cifar10):
    bench = FlakyBenchmark(nb201_cifar10)
    opt = RecordingRS(bench.config_space, 0)
    trials = run(opt, bench, 40, seed=0)
    failed = [t for t in trials if t.status == "failed"]
    assert len(trials) == 40 and 0 < len(failed) < 40
    assert any("out of memory" in t.error for t in failed) and any("diverged" in t.error for t in failed)
    assert all(np.isnan(t.score) for t in failed)
    assert [r.ok for r in opt.told] == [t.status == "ok" for t in trials]


def test_resume_replays_history_and_continues_the_same_trajectory(nb201_cifar10):
    full = run(RandomSearch(nb201_cifar10.config_space, 7), nb201_cifar10, 10, seed=7)
    resumed = run(RandomSearch(nb201_cifar10.config_space, 7), nb201_cifar10, 10, seed=7, history=full[:4])
    assert [t.config for t in resumed] == [t.config for t in full]
    with pytest.raises(ValueError, match="cannot resume"):
        run(RandomSearch(nb201_cifar10.config_space, 8), nb201_cifar10, 10, seed=8, history=full[:4])


def test_bad_budget_is_refused(nb201_cifar10):
    with pytest.raises(ValueError, match="n_trials must be a positive int"):
        run(RandomSearch(nb201_cifar10.config_space, 0), nb201_cifar10, 0)
