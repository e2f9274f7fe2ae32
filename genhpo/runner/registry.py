"""Optimizer names -> factories ``(benchmark, seed, run_dir, **settings) -> Optimizer``.

Baselines come from ``baselines.make_baseline``; the generative optimizer from
:class:`genhpo.optimizer.GenerativeOptimizer`: ``genhpo`` is ``for_benchmark`` (the checkpoint whose
holdout is the benchmark's dataset: transfer), ``genhpo-cold`` the cold-start model of the space
(``nb201-cold`` on NB201: trained on synthetic tasks, no benchmark scores at all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Optimizer

#: Every optimizer the comparison knows, in the order reports list them.
OPTIMIZERS: tuple[str, ...] = ("genhpo", "genhpo-cold", "genhpo-hb", "transfer-topk", "tpe", "gp", "nsga2", "re", "smac",
                                "smac-bb", "smac-mf", "dehb", "hyperband", "rs")
BASELINES = frozenset({"rs", "re", "smac", "smac-bb", "smac-mf", "dehb", "hyperband", "transfer-topk", "tpe", "gp",
                       "nsga2"})
#: the generative optimizer's names: ``genhpo-hb`` is ``genhpo`` inside Hyperband (genhpo.baselines.hyperband)
GENERATIVE = ("genhpo", "genhpo-cold", "genhpo-hb")
#: The folder (inside the run directory) where an optimizer keeps its own files, if it writes any;
#: SMAC's is the one DeepCAVE's SMAC3v2 converter reads. Default: the optimizer's name.
OUTPUT_DIRS = {"smac": "smac3", "smac-bb": "smac3"}


def make_optimizer(name: str, benchmark: Benchmark, seed: int, run_dir: Path, n_trials: int | None = None,
                   **settings: Any) -> Optimizer:
    """Build optimizer ``name`` for ``benchmark`` with ``seed``; ValueError naming the accepted names.

    Baselines also get the run's budget ``n_trials`` (SMAC sizes its initial design by it) and an
    ``output_directory`` inside ``run_dir`` for their own files; make_baseline forwards these only
    to the baselines that take them.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; accepted: {', '.join(OPTIMIZERS)}")
    if name in GENERATIVE:
        from genhpo import presets

        if name == "genhpo-hb":
            from genhpo.baselines.hyperband import Hyperband

            return Hyperband(presets.for_benchmark(benchmark, seed, **settings), benchmark.fidelity_space,
                             name="genhpo-hb")
        if name == "genhpo-cold":
            return presets.for_space(benchmark.config_space, seed, objectives=benchmark.objectives,
                                     constraints=benchmark.constraints, **settings)
        return presets.for_benchmark(benchmark, seed, **settings)
    from genhpo.baselines import make_baseline

    settings.setdefault("output_directory", Path(run_dir) / OUTPUT_DIRS.get(name, name))
    if n_trials is not None:
        settings.setdefault("n_trials", n_trials)
    return make_baseline(name, benchmark, seed, **settings)


def identity(name: str, benchmark: Benchmark, seed: int, run_dir: Path, n_trials: int | None = None,
             **settings: Any) -> dict[str, Any]:
    """What ``make_optimizer(...).settings()`` gives, without training anything: the generative
    optimizer's from its cards (:func:`genhpo.presets.identity`); a baseline is built (cheap) in
    ``run_dir``, which the caller makes a scratch directory."""
    if name == "genhpo-hb":
        from genhpo import presets
        from genhpo.baselines.hyperband import ETA, Hyperband

        if benchmark.fidelity_space is None:  # the error Hyperband gives, before experiment.json records it
            Hyperband(presets.for_benchmark(benchmark, seed, **settings), None)
        f = benchmark.fidelity_space
        return {"name": name, "seed": seed, "eta": ETA, "min_budget": f.lower, "max_budget": f.upper, "batch": True,
                "inner": presets.identity("genhpo", benchmark, seed, **settings)}
    if name in GENERATIVE:
        from genhpo import presets

        return presets.identity(name, benchmark, seed, **settings)
    return make_optimizer(name, benchmark, seed, run_dir, n_trials, **settings).settings()


def check_names(names: list[str] | tuple[str, ...], flag: str = "--optimizers") -> None:
    """ValueError naming the flag and the accepted values if a name is unknown."""
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        raise ValueError(f"{flag}: unknown optimizer(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(OPTIMIZERS)}")
