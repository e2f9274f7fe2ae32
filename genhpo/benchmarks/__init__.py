"""Benchmarks: the Benchmark protocol, NAS-Bench-201 on real data, HPO-B.

``make(name, dataset)`` builds a benchmark by name; heavy modules are imported lazily.
"""

from __future__ import annotations

from importlib import import_module

from genhpo.benchmarks.base import Benchmark, Fidelity, TabularBenchmark

#: benchmark name -> "module:Class" taking the dataset as its one argument.
REGISTRY: dict[str, str] = {
    "nb201": "genhpo.benchmarks.nb201:NB201Benchmark",
    "hpob-offline": "genhpo.benchmarks.hpob.task_benchmark:OfflineHPOBBenchmark",
}


def _resolve(name: str):
    if name not in REGISTRY:
        raise ValueError(f"unknown benchmark {name!r}; accepted: {', '.join(sorted(REGISTRY))}")
    module, cls = REGISTRY[name].split(":")
    return getattr(import_module(module), cls)


def make(name: str, dataset: str) -> Benchmark:
    """The benchmark ``name`` on ``dataset`` (ValueError naming the accepted values otherwise)."""
    return _resolve(name)(dataset)


def datasets(name: str) -> list[str]:
    """The datasets a benchmark accepts."""
    cls = _resolve(name)
    return list(cls.available_datasets())


__all__ = ["REGISTRY", "Benchmark", "Fidelity", "TabularBenchmark", "datasets", "make"]
