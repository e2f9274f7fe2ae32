"""Optimizer names -> factories ``(benchmark, seed, run_dir, **settings) -> Optimizer``.

Baselines come from ``baselines.make_baseline``; the generative optimizer from
``genhpo.optimizer.GenerativeOptimizer.for_benchmark``. Both are imported lazily, so a missing
piece makes only its own optimizer unavailable (with a message that says why), never the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Optimizer

#: Every optimizer the comparison knows, in the order reports list them.
OPTIMIZERS: tuple[str, ...] = ("genhpo", "transfer-topk", "re", "smac", "smac-bb", "dehb", "rs")
BASELINES = frozenset({"rs", "re", "smac", "smac-bb", "dehb", "transfer-topk"})
#: The folder (inside the run directory) where an optimizer keeps its own files, if it writes any;
#: SMAC's is the one DeepCAVE's SMAC3v2 converter reads. Default: the optimizer's name.
OUTPUT_DIRS = {"smac": "smac3", "smac-bb": "smac3"}


def _make_baseline() -> Callable[..., Optimizer]:
    try:
        return import_module("baselines").make_baseline
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"the baselines are not available yet (baselines.make_baseline: {exc})") from exc


def _generative(benchmark: Benchmark, seed: int, run_dir: Path, **settings: Any) -> Optimizer:
    try:
        module = import_module("genhpo.optimizer")
        cls = module.GenerativeOptimizer
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"the generative optimizer 'genhpo' is not available yet (genhpo.optimizer: {exc})") from exc
    return cls.for_benchmark(benchmark, seed, **settings)


def make_optimizer(name: str, benchmark: Benchmark, seed: int, run_dir: Path, n_trials: int | None = None,
                   **settings: Any) -> Optimizer:
    """Build optimizer ``name`` for ``benchmark`` with ``seed``; ValueError naming the accepted names.

    Baselines also get the run's budget ``n_trials`` (SMAC sizes its initial design by it) and an
    ``output_directory`` inside ``run_dir`` for their own files; make_baseline forwards these only
    to the baselines that take them.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; accepted: {', '.join(OPTIMIZERS)}")
    if name == "genhpo":
        return _generative(benchmark, seed, run_dir, **settings)
    make_baseline = _make_baseline()
    settings.setdefault("output_directory", Path(run_dir) / OUTPUT_DIRS.get(name, name))
    if n_trials is not None:
        settings.setdefault("n_trials", n_trials)
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
        elif name in BASELINES and not have_baselines:
            out[name] = reason
    return out


def check_names(names: list[str] | tuple[str, ...], flag: str = "--optimizers") -> None:
    """ValueError naming the flag and the accepted values if a name is unknown."""
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        raise ValueError(f"{flag}: unknown optimizer(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(OPTIMIZERS)}")
