"""The baseline registry: uniform construction from a benchmark, clear errors for bad names and settings."""

from __future__ import annotations

import pytest
from ConfigSpace import ConfigurationSpace, EqualsCondition

from genhpo.baselines import BASELINES, make_baseline
from genhpo.benchmarks.base import Benchmark
from genhpo.loop import run
from genhpo.protocol import Optimizer, Result
from tests.optimizer_suite import MixedBenchmark


def test_every_baseline_builds_for_nb201_with_the_run_settings(tmp_path, nb201_cifar10) -> None:
    assert set(BASELINES) == {"rs", "re", "smac", "smac-bb", "smac-mf", "dehb", "hyperband", "transfer-topk", "tpe",
                              "gp", "nsga2"}
    for name in set(BASELINES) - {"smac-mf", "hyperband"}:  # these two need a fidelity (tests/test_multi_fidelity.py)
        optimizer = make_baseline(name, nb201_cifar10, 0, n_trials=50, output_directory=tmp_path / name)
        assert isinstance(optimizer, Optimizer) and optimizer.settings()["seed"] == 0
    smac = make_baseline("smac-bb", nb201_cifar10, 0, n_trials=50, output_directory=tmp_path)
    assert smac.settings()["facade"] == "bb" and smac.settings()["n_trials"] == 50
    transfer = make_baseline("transfer-topk", nb201_cifar10, 0)
    assert transfer.settings()["related"] == ["nb201/cifar100", "nb201/ImageNet16-120"]


def test_bad_names_settings_and_benchmarks_get_clear_errors(nb201_cifar10) -> None:
    with pytest.raises(
        ValueError, match="unknown baseline 'bohb'; accepted: rs, re, smac, smac-bb, dehb, transfer-topk"
    ):
        make_baseline("bohb", nb201_cifar10, 0)
    with pytest.raises(ValueError, match="'pop_size' for baseline 're'; accepted: population_size, sample_size"):
        make_baseline("re", nb201_cifar10, 0, pop_size=10)
    with pytest.raises(ValueError, match="'facade'"):
        make_baseline("smac", nb201_cifar10, 0, facade="bb")
    with pytest.raises(ValueError, match="related"):
        make_baseline("transfer-topk", MixedBenchmark(), 0)


class ConditionalBenchmark(Benchmark):
    """momentum exists only for sgd: a conditional space."""

    name = "conditional"

    def __init__(self) -> None:
        super().__init__()
        space = ConfigurationSpace({"opt": ["sgd", "adam"], "lr": (1e-4, 1.0), "momentum": (0.0, 1.0)})
        space.add(EqualsCondition(space["momentum"], space["opt"], "sgd"))
        self._space = space

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return 0.0

    def _evaluate(self, config, fidelity, rng) -> Result:
        return Result(score=-((config["lr"] - 0.1) ** 2) - (1 - config.get("momentum", 0.5)) ** 2)


def test_conditional_spaces_run_with_every_baseline_that_supports_them() -> None:
    bench = ConditionalBenchmark()
    for name in ("rs", "dehb", "smac", "re", "tpe", "gp"):
        trials = run(make_baseline(name, bench, 0, n_trials=12), bench, 8)
        assert all(t.status == "ok" for t in trials)
        assert all(("momentum" in t.config) == (t.config["opt"] == "sgd") for t in trials)
