"""Regularized Evolution (Real et al. 2019) as NASLib runs it, on any ConfigSpace.

NASLib (``naslib/optimizers/discrete/re/optimizer.py`` with ``naslib/defaults/nb201_defaults.yaml``):
the first ``population_size`` (30) evaluations are random configurations; afterwards each step draws
``sample_size`` (10) members of the population uniformly *with replacement*, mutates the best of them
and appends the child to the population, whose oldest member then dies (aging, a FIFO of fixed size).
A child may coincide with an earlier configuration; NASLib evaluates it again, and so do we.

Mutation changes exactly one hyperparameter, chosen uniformly among those with two or more values,
to a *different* value:
- categorical: uniformly one of the other choices (NASLib's op mutation on NB201);
- ordinal: one of the adjacent values of the sequence (the neighbourhood ConfigSpace uses);
- uniform float / integer: a Gaussian step of standard deviation ``numeric_step`` (0.2, ConfigSpace's
  neighbourhood default) in the unit interval of ConfigSpace's normalised scale (log scale where the
  hyperparameter is log), reflected back into [0, 1]; redrawn until the value differs (an integer
  whose steps keep rounding to the same value moves to an adjacent integer).
A failed evaluation enters the population with score -inf: it ages out like any member and is never
chosen as a parent while a successful member is in the tournament.

Conditional spaces: the mutated hyperparameter is one of the parent's *active* ones; hyperparameters
that the change activates get a random value (ConfigSpace's own sampling of that hyperparameter),
those it deactivates are dropped. A child that a forbidden clause excludes is mutated again (up to
100 draws, then a random configuration).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from ConfigSpace import (
    CategoricalHyperparameter,
    Configuration,
    ConfigurationSpace,
    OrdinalHyperparameter,
    UniformIntegerHyperparameter,
)

from genhpo.baselines.space_support import check_space, private_copy, rebind
from genhpo.protocol import Optimizer, Result
from genhpo.spaces.encoder import active_values

_MAX_REDRAWS = 100


class RegularizedEvolution(Optimizer):
    """Aging evolution: tournament selection with replacement, one-hyperparameter mutation, FIFO population."""

    name = "re"

    def __init__(
        self,
        config_space: ConfigurationSpace,
        seed: int,
        population_size: int = 30,
        sample_size: int = 10,
        numeric_step: float = 0.2,
    ) -> None:
        super().__init__(config_space, seed)
        check_space(config_space, "RegularizedEvolution", conditions=True, forbiddens=True)
        for name, value in (("population_size", population_size), ("sample_size", sample_size)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not (isinstance(numeric_step, (int, float)) and 0 < numeric_step <= 1):
            raise ValueError(f"numeric_step must be in (0, 1], got {numeric_step!r}")
        self.population_size = population_size
        self.sample_size = sample_size
        self.numeric_step = float(numeric_step)
        self._mutable = [hp for hp in config_space.values() if _n_values(hp) > 1]
        if not self._mutable:
            raise ValueError("RegularizedEvolution needs a hyperparameter with two or more values; all are constant")
        self._rng = np.random.default_rng(seed)
        self._sampler = private_copy(config_space, seed=int(self._rng.integers(2**31 - 1)))
        self._population: deque[tuple[Configuration, float]] = deque(maxlen=population_size)
        self._n_asked = 0

    def ask(self) -> Configuration:
        self._n_asked += 1
        if self._n_asked <= self.population_size or not self._population:
            return rebind(self._sampler.sample_configuration(), self.config_space)
        picks = self._rng.integers(len(self._population), size=self.sample_size)  # with replacement
        parent = max((self._population[i] for i in picks), key=lambda member: member[1])[0]
        return self._mutate(parent)

    def _tell(self, config: Configuration, result: Result) -> None:
        score = result.score if result.ok else -np.inf
        self._population.append((rebind(config, self.config_space), float(score)))

    def settings(self) -> dict[str, Any]:
        return {
            **super().settings(),
            "population_size": self.population_size,
            "sample_size": self.sample_size,
            "numeric_step": self.numeric_step,
        }

    def _mutate(self, parent: Configuration) -> Configuration:
        """``parent`` with exactly one of its active hyperparameters changed to a different value (see
        the module doc for conditions and forbidden clauses)."""
        parent_values = dict(parent)
        active = [hp for hp in self._mutable if hp.name in parent_values]
        for _ in range(_MAX_REDRAWS):
            hp = active[self._rng.integers(len(active))]
            values = dict(parent_values)
            values[hp.name] = self._new_value(hp, values[hp.name])
            try:
                return Configuration(self.config_space, values=active_values(self.config_space, values,
                                                                            self._random_value))
            except ValueError:  # ConfigSpace's ForbiddenValueError: excluded by a forbidden clause
                continue
        return rebind(self._sampler.sample_configuration(), self.config_space)

    def _random_value(self, hp: Any) -> Any:
        value = hp.sample_value(seed=np.random.RandomState(self._rng.integers(2**31 - 1)))
        return value.item() if hasattr(value, "item") else value

    def _new_value(self, hp: Any, value: Any) -> Any:
        if isinstance(hp, CategoricalHyperparameter):
            others = [c for c in hp.choices if c != value]
            return others[self._rng.integers(len(others))]
        if isinstance(hp, OrdinalHyperparameter):
            i = list(hp.sequence).index(value)
            neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(hp.sequence)]
            return hp.sequence[neighbours[self._rng.integers(len(neighbours))]]
        u = float(hp.to_vector(value))
        for _ in range(_MAX_REDRAWS):
            step = u + self._rng.normal(0.0, self.numeric_step)
            step = abs(step) % 2.0  # reflect into [0, 1]
            step = 2.0 - step if step > 1.0 else step
            new = hp.to_value(np.array([step]))[0]
            if new != value:
                return new.item() if hasattr(new, "item") else new
        # an integer whose steps keep rounding to itself: move to an adjacent integer
        direction = 1 if value < hp.upper else -1
        return int(value) + direction


def _n_values(hp: Any) -> float:
    """How many values a hyperparameter can take (inf for a float range)."""
    if isinstance(hp, CategoricalHyperparameter):
        return len(hp.choices)
    if isinstance(hp, OrdinalHyperparameter):
        return len(hp.sequence)
    if isinstance(hp, UniformIntegerHyperparameter):
        return hp.upper - hp.lower + 1
    if hasattr(hp, "lower"):
        return float("inf") if hp.upper > hp.lower else 1
    return 1  # Constant
