"""Baselines behind the one ask/tell protocol, and a uniform factory for the runner.

``make_baseline(name, benchmark, seed, **settings)`` builds a baseline for a benchmark: it passes the
benchmark's configuration space, its fidelity range (DEHB) and its related tasks (TransferTopK);
``settings`` are the baseline's own keyword arguments (e.g. ``population_size`` for RE, ``facade``
is fixed by the name). The run-level settings in :data:`RUN_SETTINGS` (``n_trials``,
``output_directory``) may be given for every baseline and reach only those that use them (SMAC sizes
its initial design by ``n_trials``; SMAC and DEHB write their own files into ``output_directory``).
Library imports (SMAC, DEHB, Optuna) happen only when used.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib import import_module
from typing import Any

from genhpo.benchmarks.base import Benchmark, TabularBenchmark
from genhpo.protocol import Optimizer

#: name -> ("module:Class", fixed keyword arguments)
BASELINES: dict[str, tuple[str, dict[str, Any]]] = {
    "rs": ("genhpo.baselines.random_search:RandomSearch", {}),
    "re": ("genhpo.baselines.regularized_evolution:RegularizedEvolution", {}),
    "smac": ("genhpo.baselines.smac:SMACOptimizer", {"facade": "hpo"}),
    "smac-bb": ("genhpo.baselines.smac:SMACOptimizer", {"facade": "bb"}),
    "dehb": ("genhpo.baselines.dehb:DEHBOptimizer", {}),
    "transfer-topk": ("genhpo.baselines.transfer_topk:TransferTopK", {}),
    "tpe": ("genhpo.baselines.optuna_samplers:OptunaOptimizer", {"sampler": "tpe"}),
    "gp": ("genhpo.baselines.optuna_samplers:OptunaOptimizer", {"sampler": "gp"}),
    "nsga2": ("genhpo.baselines.optuna_samplers:OptunaOptimizer", {"sampler": "nsga2"}),
    "smac-mf": ("genhpo.baselines.smac:SMACOptimizer", {"facade": "mf"}),
    "hyperband": ("genhpo.baselines.random_search:RandomSearch", {}),  # inside Hyperband (make_baseline)
}


#: Baselines that need a benchmark with a fidelity (multi-fidelity schedulers).
NEEDS_FIDELITY = frozenset({"smac-mf", "hyperband"})

#: Settings every baseline accepts; forwarded only to the baselines whose constructor takes them.
RUN_SETTINGS = ("n_trials", "output_directory")


def baseline_class(name: str) -> type[Optimizer]:
    """The class behind a baseline name (ValueError listing the accepted names otherwise)."""
    if name not in BASELINES:
        raise ValueError(f"unknown baseline {name!r}; accepted: {', '.join(BASELINES)}")
    module, cls = BASELINES[name][0].split(":")
    return getattr(import_module(module), cls)


def make_baseline(name: str, benchmark: Benchmark, seed: int, **settings: Any) -> Optimizer:
    """Baseline ``name`` for ``benchmark`` with ``seed``; ``settings`` are its own keyword arguments."""
    cls = baseline_class(name)
    fixed = BASELINES[name][1]
    params = set(inspect.signature(cls.__init__).parameters)
    settings = {k: v for k, v in settings.items() if k not in RUN_SETTINGS or k in params}
    _check_settings(name, cls.__init__, settings,
                    reserved={"config_space", "seed", "related", "fidelity", "objectives", "constraints", *fixed})
    kwargs: dict[str, Any] = {**fixed, **settings}
    several, constrained = len(benchmark.objectives) > 1, bool(benchmark.constraints)
    needs = ({"objectives"} if several else set()) | ({"constraints"} if constrained else set())
    if needs and name != "rs":
        if not needs <= params:
            what = " and ".join(w for w, n in (("several objectives", "objectives"), ("outcome constraints", "constraints"))
                                if n in needs)
            able = [n for n in BASELINES if (n == "rs" or needs <= set(inspect.signature(baseline_class(n).__init__).parameters))
                    and (n not in NEEDS_FIDELITY or benchmark.fidelity_space is not None)]
            raise ValueError(f"baseline {name!r} cannot handle {what}, which {benchmark.label} has. "
                             f"Baselines for it: {', '.join(able)} (and genhpo, genhpo-cold)")
        kwargs.update({n: getattr(benchmark, n) for n in needs})
    if "fidelity" in params:
        kwargs["fidelity"] = benchmark.fidelity_space
    if name == "transfer-topk":
        related = benchmark.related() if isinstance(benchmark, TabularBenchmark) else []
        if not related:
            raise ValueError(
                f"transfer-topk needs related tabular tasks, and {benchmark.label} offers none "
                f"(benchmark.related() is empty)"
            )
        kwargs["related"] = related
    if name == "hyperband":
        from genhpo.baselines.hyperband import Hyperband

        return Hyperband(cls(benchmark.config_space, seed, **kwargs), benchmark.fidelity_space)
    return cls(benchmark.config_space, seed, **kwargs)


def _check_settings(name: str, init: Callable, settings: dict[str, Any], reserved: set[str]) -> None:
    """ValueError naming an unknown or reserved setting and the accepted ones."""
    params = [p for p in inspect.signature(init).parameters if p != "self"]
    accepted = [p for p in params if p not in reserved]
    for key in settings:
        if key not in accepted:
            raise ValueError(
                f"unknown or fixed setting {key!r} for baseline {name!r}; accepted: {', '.join(accepted) or '(none)'}"
            )


__all__ = ["BASELINES", "NEEDS_FIDELITY", "RUN_SETTINGS", "baseline_class", "make_baseline"]
