"""The baseline registry: uniform construction from a benchmark, clear errors for bad names and settings."""

from __future__ import annotations

import pytest

from baselines import BASELINES, make_baseline
from genhpo.protocol import Optimizer
from tests.optimizer_suite import MixedBenchmark


def test_every_baseline_builds_for_nb201_with_the_run_settings(tmp_path, nb201_cifar10) -> None:
    assert set(BASELINES) == {"rs", "re", "smac", "smac-bb", "dehb", "transfer-topk"}
    for name in BASELINES:
        optimizer = make_baseline(name, nb201_cifar10, 0, n_trials=50, output_directory=tmp_path / name)
        assert isinstance(optimizer, Optimizer) and optimizer.settings()["seed"] == 0
    smac = make_baseline("smac-bb", nb201_cifar10, 0, n_trials=50, output_directory=tmp_path)
    assert smac.settings()["facade"] == "bb" and smac.settings()["n_trials"] == 50
    transfer = make_baseline("transfer-topk", nb201_cifar10, 0)
    assert transfer.settings()["related"] == ["nb201/cifar100", "nb201/ImageNet16-120"]


def test_bad_names_settings_and_benchmarks_get_clear_errors(nb201_cifar10) -> None:
    with pytest.raises(ValueError, match="unknown baseline 'bohb'; accepted: rs, re, smac, smac-bb, dehb, transfer-topk"):
        make_baseline("bohb", nb201_cifar10, 0)
    with pytest.raises(ValueError, match="'pop_size' for baseline 're'; accepted: population_size, sample_size"):
        make_baseline("re", nb201_cifar10, 0, pop_size=10)
    with pytest.raises(ValueError, match="'facade'"):
        make_baseline("smac", nb201_cifar10, 0, facade="bb")
    with pytest.raises(ValueError, match="related"):
        make_baseline("transfer-topk", MixedBenchmark(), 0)
