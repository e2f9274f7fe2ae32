"""DEHB (0.1.x) through its own ask/tell interface, with the fidelity rule of genhpo.

Fidelity rule. On a benchmark that declares a fidelity range (``Benchmark.fidelity_space``), DEHB runs
its Hyperband brackets on [lower, upper] and :meth:`DEHBOptimizer.fidelity` returns the fidelity DEHB
asked for; the loop counts only the top rung (``fidelity == upper``) towards the budget. On a
single-fidelity benchmark (no range, or lower == upper) every evaluation is a full one: DEHB gets
``max_fidelity = 1`` and ``min_fidelity = eta ** -0.5`` so that its number of rungs,
``-int(log(min / max) / log(eta)) + 1``, is exactly 1, and ``fidelity()`` returns None. With one rung
DEHB's bracket would hold a single configuration, so the population is clipped to
``population_size`` (20, the default of DEHB's DE): DEHB then runs asynchronous DE at full fidelity,
which is what DEHB's authors recommend for a fixed fidelity. No low-fidelity evaluation ever happens
on such a benchmark.

DEHB minimises fitness: fitness = -score; a failed evaluation has fitness +inf (it never becomes the
incumbent nor replaces a parent that has a finite fitness). DEHB writes only its log (``dehb.log``)
into ``output_directory`` (a temporary directory if None): its checkpoints are disabled, since genhpo's
loop records every trial itself. Upstream fixes are applied (see :mod:`baselines.dehb_patches`):
population sizes as ints for ConfigSpace 1.x, a rung count that does not depend on the CPU's
round-off, and exact decoding of categorical values, without which DEHB 0.1.2 turns NB201's best op
into another one (``exact_decoding=False`` restores the stock code).
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.baselines.dehb_patches import patched_dehb_class
from genhpo.baselines.space_support import check_space, config_key, private_copy, rebind
from genhpo.benchmarks.base import Fidelity
from genhpo.protocol import Optimizer, Result


class DEHBOptimizer(Optimizer):
    """Differential-evolution Hyperband; full-fidelity DE on single-fidelity benchmarks."""

    name = "dehb"

    def __init__(
        self,
        config_space: ConfigurationSpace,
        seed: int,
        fidelity: Fidelity | None = None,
        eta: int = 3,
        population_size: int = 20,
        mutation_factor: float = 0.5,
        crossover_prob: float = 0.5,
        strategy: str = "rand1_bin",
        output_directory: str | Path | None = None,
        exact_decoding: bool = True,
    ) -> None:
        super().__init__(config_space, seed)
        check_space(config_space, "DEHB", conditions=True)
        if fidelity is not None and not isinstance(fidelity, Fidelity):
            raise TypeError(f"fidelity must be a genhpo Fidelity or None, got {type(fidelity).__name__}")
        if not isinstance(eta, int) or isinstance(eta, bool) or eta < 2:
            raise ValueError(f"eta must be an int >= 2, got {eta!r}")
        if not isinstance(population_size, int) or isinstance(population_size, bool) or population_size < 4:
            raise ValueError(
                f"population_size must be an int >= 4 (DE needs parents to mutate), got {population_size!r}"
            )
        for label, value in (("mutation_factor", mutation_factor), ("crossover_prob", crossover_prob)):
            if not (isinstance(value, (int, float)) and 0 < value <= 1):
                raise ValueError(f"{label} must be in (0, 1], got {value!r}")
        self.multi_fidelity = fidelity is not None and fidelity.lower < fidelity.upper
        self.fidelity_space = fidelity
        self.eta = eta
        self.population_size = population_size
        self.mutation_factor = float(mutation_factor)
        self.crossover_prob = float(crossover_prob)
        self.strategy = strategy
        self.exact_decoding = bool(exact_decoding)
        self._tmp = None
        if output_directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="genhpo-dehb-")
            output_directory = self._tmp.name
        if self.multi_fidelity:
            bounds: dict[str, Any] = {"min_fidelity": fidelity.lower, "max_fidelity": fidelity.upper}
        else:  # exactly one rung, at full fidelity, with a DE population of population_size
            bounds = {
                "min_fidelity": float(eta) ** -0.5,
                "max_fidelity": 1.0,
                "min_clip": population_size,
                "max_clip": population_size,
            }
        with _quiet():
            self._dehb = patched_dehb_class(self.exact_decoding)(
                cs=private_copy(config_space),  # DEHB reseeds the space it is given
                eta=eta,
                mutation_factor=self.mutation_factor,
                crossover_prob=self.crossover_prob,
                strategy=strategy,
                seed=seed,
                n_workers=1,
                output_path=str(output_directory),
                log_level="ERROR",
                save_freq=None,  # "end": only DEHB's run() would save; ask/tell never does
                **bounds,
            )
        if not self.multi_fidelity and len(self._dehb.fidelities) != 1:
            raise RuntimeError(f"DEHB built {len(self._dehb.fidelities)} rungs for a single-fidelity benchmark")
        self._pending: list[tuple[tuple, dict]] = []  # (config key, DEHB job) asked and not yet told

    def ask(self) -> Configuration:
        with _quiet():
            job = self._dehb.ask()
        self._pending.append((config_key(job["config"]), job))
        return rebind(job["config"], self.config_space)

    def fidelity(self, config: Configuration) -> float | None:
        """The fidelity DEHB asked for ``config``; None (full) on a single-fidelity benchmark."""
        if not self.multi_fidelity:
            return None
        job = self._find(config)[1]
        return float(job["fidelity"])

    def _tell(self, config: Configuration, result: Result) -> None:
        i, job = self._find(config)
        del self._pending[i]
        fitness = -float(result.score) if result.ok else math.inf
        with _quiet():
            self._dehb.tell(job, {"fitness": fitness, "cost": float(result.cost)})

    def settings(self) -> dict[str, Any]:
        fidelities = [float(f) for f in np.atleast_1d(self._dehb.fidelities)]
        return {
            **super().settings(),
            "eta": self.eta,
            "fidelity": None if self.fidelity_space is None else vars(self.fidelity_space),
            "rungs": fidelities if self.multi_fidelity else None,
            "population_size": None if self.multi_fidelity else self.population_size,
            "mutation_factor": self.mutation_factor,
            "crossover_prob": self.crossover_prob,
            "strategy": self.strategy,
            "exact_decoding": self.exact_decoding,
        }

    def _find(self, config: Configuration) -> tuple[int, dict]:
        key = config_key(config)
        for i in range(len(self._pending) - 1, -1, -1):  # the latest job for this configuration
            if self._pending[i][0] == key:
                return i, self._pending[i][1]
        raise ValueError(f"a configuration DEHB did not ask (or was already told): {dict(config)}")


class _quiet(warnings.catch_warnings):
    """DEHB 0.1.2 calls ConfigSpace methods deprecated in 1.x on every ask; keep those warnings out."""

    def __enter__(self):
        result = super().__enter__()
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        return result
