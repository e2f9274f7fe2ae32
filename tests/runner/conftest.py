"""Fixtures for the experiments tests: small real runs on NB201 executed in-process (no Dask)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genhpo.runner.execute import RunSpec, describe_benchmark, execute_run
from genhpo.runner.manifest import Experiment, open_experiment
from genhpo.runner.store import BENCHMARK_INFO, RunKey, write_json_atomic


def make_store(root: Path, experiment: Experiment, benchmark) -> list:
    """Open ``root`` for ``experiment`` and execute every run in this process."""
    open_experiment(root, experiment)
    write_json_atomic(root / "runs" / experiment.benchmark / benchmark.dataset / BENCHMARK_INFO,
                      describe_benchmark(benchmark))
    return [execute_run(RunSpec(key, experiment.trials), root) for key in experiment.run_keys()]


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="session")
def rs_store(tmp_path_factory, nb201_cifar10) -> Path:
    """An experiment directory with random search, 3 seeds x 30 trials on NB201 cifar10."""
    root = tmp_path_factory.mktemp("rs-store")
    make_store(root, Experiment("nb201", ("cifar10",), ("rs",), 3, 30), nb201_cifar10)
    return root


@pytest.fixture
def key() -> RunKey:
    return RunKey("nb201", "cifar10", "rs", 0)
