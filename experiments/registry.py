"""Optimizer names -> factories ``(benchmark, seed, run_dir, **settings) -> Optimizer``.

Baselines come from ``baselines.make_baseline``; the generative optimizer from
``genhpo.optimizer.GenerativeOptimizer.for_benchmark``. Both are imported lazily, so a missing
piece makes only its own optimizer unavailable (with a message that says why), never the CLI.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any, Callable

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Optimizer

#: Every optimizer the comparison knows, in the order reports list them.
OPTIMIZERS: tuple[str, ...] = ("genhpo", "transfer-topk", "re", "smac", "smac-bb", "dehb", "rs")
BASELINES = frozenset({"rs", "re", "smac", "smac-bb", "dehb", "transfer-topk"})
#: Optimizers that keep their own output directory inside the run directory.
OUTPUT_DIRS = {"smac": "smac3", "smac-bb": "smac3"}


def _make_baseline() -> Callable[..., Optimizer]:
    try:
        return import_module("baselines").make_baseline
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"the baselines are not available yet (baselines.make_baseline: {exc})") from exc


def _random_search_only(name: str, benchmark: Benchmark, seed: int, **settings: Any) -> Optimizer:
    """Fallback while baselines.make_baseline is not written: random search alone."""
    if name != "rs":
        raise ValueError(f"optimizer {name!r} needs baselines.make_baseline, which is not available yet")
    from baselines.random_search import RandomSearch

    return RandomSearch(benchmark.config_space, seed, **settings)


def _generative(benchmark: Benchmark, seed: int, run_dir: Path, **settings: Any) -> Optimizer:
    try:
        module = import_module("genhpo.optimizer")
        cls = module.GenerativeOptimizer
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"the generative optimizer 'genhpo' is not available yet (genhpo.optimizer: {exc})") from exc
    return cls.for_benchmark(benchmark, seed, **settings)


def make_optimizer(name: str, benchmark: Benchmark, seed: int, run_dir: Path, **settings: Any) -> Optimizer:
    """Build optimizer ``name`` for ``benchmark`` with ``seed``; ValueError naming the accepted names."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; accepted: {', '.join(OPTIMIZERS)}")
    if name == "genhpo":
        return _generative(benchmark, seed, run_dir, **settings)
    try:
        make_baseline = _make_baseline()
    except ValueError:
        return _random_search_only(name, benchmark, seed, **settings)
    if name in OUTPUT_DIRS and "output_directory" not in settings:
        settings["output_directory"] = Path(run_dir) / OUTPUT_DIRS[name]
    return make_baseline(name, benchmark, seed, **settings)


def unavailable(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The optimizers among ``names`` that cannot be built here, each with the reason."""
    out = {}
    have_baselines = True
    try:
        _make_baseline()
    except ValueError as exc:
        have_baselines = False
        reason = str(exc)
    for name in names:
        if name == "genhpo":
            try:
                import_module("genhpo.optimizer").GenerativeOptimizer  # noqa: B018
            except (ImportError, AttributeError) as exc:
                out[name] = f"genhpo.optimizer is not available yet ({exc})"
        elif name in BASELINES and name != "rs" and not have_baselines:
            out[name] = reason
    return out


def check_names(names: list[str] | tuple[str, ...], flag: str = "--optimizers") -> None:
    """ValueError naming the flag and the accepted values if a name is unknown."""
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        raise ValueError(f"{flag}: unknown optimizer(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(OPTIMIZERS)}")
