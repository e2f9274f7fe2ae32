"""Benchmarks: the Benchmark protocol, NAS-Bench-201 on real data, HPO-B.

``make(name, dataset)`` builds a benchmark by name; heavy modules are imported lazily. A name
``"module:Class"`` outside :data:`REGISTRY` builds ``Class(dataset)`` from an importable module: how
code outside the package (research's selection tasks) runs its own benchmarks through the runner.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from genhpo.benchmarks.base import Benchmark, Fidelity, TabularBenchmark

#: benchmark name -> "module:Class" taking the dataset as its one argument.
REGISTRY: dict[str, str] = {
    "nb201": "genhpo.benchmarks.nb201:NB201Benchmark",
    "nb201-mo": "genhpo.benchmarks.nb201:NB201MultiObjective",
    "nb201-constrained": "genhpo.benchmarks.nb201:NB201Constrained",
    "hpob-offline": "genhpo.benchmarks.hpob.task_benchmark:OfflineHPOBBenchmark",
    "hpob": "genhpo.benchmarks.hpob.task_benchmark:HPOBProtocolTask",
    "sklearn-pipeline": "genhpo.benchmarks.sklearn_pipeline:SklearnPipelineBenchmark",
    "functions": "genhpo.benchmarks.functions:FunctionBenchmark",
    "mlp-epochs": "genhpo.benchmarks.mlp_epochs:MLPEpochsBenchmark",
    "hpobench-mlp": "genhpo.benchmarks.user_spaces:HPOBenchMLP",
    "hpolib-fcnet": "genhpo.benchmarks.user_spaces:HPOLibFCNet",
}


def _resolve(name: str):
    if name in REGISTRY:
        spec = REGISTRY[name]
    elif name.count(":") == 1 and all(name.split(":")):
        spec = name
    else:
        raise ValueError(f"unknown benchmark {name!r}; accepted: {', '.join(sorted(REGISTRY))}, or an importable "
                         f"'module:Class' taking the dataset")
    module, cls = spec.split(":")
    try:
        return getattr(import_module(module), cls)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"benchmark {name!r}: cannot import {spec} ({type(exc).__name__}: {exc})") from None


def make(name: str, dataset: str, **options: Any) -> Benchmark:
    """The benchmark ``name`` on ``dataset`` with its keyword ``options`` (HPO-B: ``root``, ``mode``);
    ValueError naming the accepted values otherwise."""
    if options:
        check_options(name, **options)
    return _resolve(name)(dataset, **options)


def check_datasets(name: str, names: list[str] | tuple[str, ...], **options: Any) -> None:
    """ValueError naming the unknown datasets of benchmark ``name`` and the accepted ones. A benchmark
    class with open-ended datasets (a task seed in the name) checks each with its ``check_dataset``;
    one with options (HPO-B: its root) lists its datasets with them."""
    cls = _resolve(name)
    check = getattr(cls, "check_dataset", None)
    if check is not None:
        for dataset in names:
            check(dataset, **options)
        return
    accepted = list(cls.available_datasets())
    unknown = [d for d in names if d not in accepted]
    if unknown:
        raise ValueError(f"--dataset: unknown {name} dataset(s) {', '.join(map(repr, unknown))}; "
                         f"accepted: {', '.join(accepted)}")
    if options:
        check_options(name, **options)
        for dataset in names:  # a bad value (e.g. a constraint no configuration meets) names itself
            cls(dataset, **options)


def check_options(name: str, **options: Any) -> None:
    """ValueError naming the options benchmark ``name`` does not take, and the ones it takes."""
    cls = _resolve(name)
    accepted = [p for p in list(inspect.signature(cls.__init__).parameters)[2:]]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(f"benchmark {name} has no option {', '.join(map(repr, unknown))}; "
                         f"accepted: {', '.join(accepted) or '(none)'}")


def datasets(name: str) -> list[str]:
    """The datasets a benchmark accepts."""
    cls = _resolve(name)
    return list(cls.available_datasets())


__all__ = ["REGISTRY", "Benchmark", "Fidelity", "TabularBenchmark", "check_datasets", "check_options", "datasets", "make"]
