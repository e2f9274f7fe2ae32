"""The Benchmark protocol: a template method that validates, counts and then calls ``_evaluate``."""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.protocol import Constraint, Objective, Result


@dataclass(frozen=True)
class Fidelity:
    """A declared fidelity range (e.g. epochs); ``upper`` is the full evaluation; ``integer``: only whole
    values (epochs), with integer bounds."""

    name: str
    lower: float
    upper: float
    integer: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lower) and math.isfinite(self.upper)) or not 0 < self.lower <= self.upper:
            raise ValueError(f"fidelity range must satisfy 0 < lower <= upper, got [{self.lower}, {self.upper}]")
        if self.integer and not (float(self.lower).is_integer() and float(self.upper).is_integer()):
            raise ValueError(f"an integer fidelity needs integer bounds, got [{self.lower}, {self.upper}]")

    def check(self, value: Any) -> float:
        """``value`` as a float if it is a fidelity of this range, else ValueError naming the range: a real
        number (not a bool or a string) in [lower, upper], and a whole number if ``integer`` (a fractional
        epoch count is refused rather than truncated)."""
        accepted = (f"a {'whole' if self.integer else 'real'} number of {self.name} in [{self.lower:g}, "
                    f"{self.upper:g}]")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"fidelity {value!r} is not {accepted}")
        if not self.lower <= value <= self.upper:
            raise ValueError(f"fidelity {value} outside [{self.lower:g}, {self.upper:g}] for {self.name}")
        if self.integer and not float(value).is_integer():
            raise ValueError(f"fidelity {value} is not {accepted}: {self.name} are whole numbers")
        return float(value)

    def snap(self, value: float) -> float:
        """``value`` moved into [lower, upper] (and to the nearest whole number if ``integer``): an
        optimizer's schedule computed in floating point (DEHB's rungs: 0.9999999999999999 x lower on
        1..243 with eta 3) never asks a fidelity the benchmark refuses."""
        value = min(max(float(value), self.lower), self.upper)
        return float(round(value)) if self.integer else value


class Benchmark(ABC):
    """A black-box objective on a configuration space; scores are maximised.

    A multi-objective benchmark declares ``objectives`` (each a metric of its results with a
    direction); a constrained one declares ``constraints``. Optimizers read both from the benchmark.

    Subclasses implement ``config_space``, ``optimum`` and ``_evaluate``; ``evaluate`` checks the
    configuration and the fidelity, counts evaluations and checks the returned result.
    """

    name: str = "benchmark"
    #: the tasks whose checkpoints serve this benchmark (variants of one table share one: NB201's)
    family: str | None = None
    dataset: str = ""
    fidelity_space: Fidelity | None = None
    #: what is optimised: one objective (the score, maximised) unless the benchmark declares several
    objectives: tuple[Objective, ...] = (Objective("score"),)
    #: what the score measures, and so the unit of regret, shown in reports ("" when it has none)
    score_unit: str = ""
    #: outcome constraints a result must satisfy to count (none unless declared); the score is then
    #: maximised over feasible results only, and ``optimum`` is the best feasible score
    constraints: tuple[Constraint, ...] = ()

    def __init__(self) -> None:
        self.n_evaluations = 0

    @classmethod
    def available_datasets(cls) -> list[str]:
        """The datasets this benchmark accepts (used by the CLI and the registry)."""
        return []

    @property
    @abstractmethod
    def config_space(self) -> ConfigurationSpace:
        """The space optimizers search."""

    @property
    @abstractmethod
    def optimum(self) -> float:
        """The best achievable score (regret = optimum - incumbent score)."""

    @abstractmethod
    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        """Evaluate a validated configuration (a plain dict of active hyperparameters)."""

    def evaluate(
        self,
        config: Configuration | Mapping[str, Any],
        *,
        fidelity: float | None = None,
        rng: np.random.Generator | None = None,
    ) -> Result:
        """Evaluate ``config``; ``rng`` draws noise where the benchmark is noisy (None: no noise).

        ValueError for a configuration of another space, and for a fidelity on a benchmark without
        one or outside its :class:`Fidelity` (:meth:`Fidelity.check`)."""
        values = self.validate_config(config)
        if fidelity is not None:
            if self.fidelity_space is None:
                raise ValueError(f"{self.label} has no fidelity; evaluate at full fidelity (fidelity=None)")
            fidelity = self.fidelity_space.check(fidelity)
        self.n_evaluations += 1
        result = self._evaluate(values, fidelity, rng)
        if not isinstance(result, Result):
            raise TypeError(f"{type(self).__name__}._evaluate must return a Result, got {type(result).__name__}")
        return result

    def validate_config(self, config: Configuration | Mapping[str, Any]) -> dict[str, Any]:
        """Return ``config`` as a dict after checking it against the space (ValueError otherwise)."""
        space = self.config_space
        if isinstance(config, Configuration):
            if config.config_space != space:
                raise ValueError(f"configuration belongs to another space than {self.label}'s")
            return dict(config)
        try:
            return dict(Configuration(space, values=dict(config)))
        except Exception as exc:  # ConfigSpace raises several types for a bad value or name
            raise ValueError(f"invalid configuration for {self.label}: {exc}") from exc

    @property
    def label(self) -> str:
        return f"{self.name}/{self.dataset}" if self.dataset else self.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dataset={self.dataset!r})"


class TabularBenchmark(Benchmark):
    """A benchmark whose every configuration has a recorded score (NB201, HPO-B pools).

    ``table()`` exposes the whole table, which TransferTopK reads from *related* tasks.
    """

    @abstractmethod
    def table(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        """All configurations (dicts of the config space) and their noise-free scores, fixed order."""

    def related(self) -> list[TabularBenchmark]:
        """Related tasks on the same space that a transfer method may read (never this task).

        NB201: the other two datasets; HPO-B: the meta-train datasets of the same search space.
        """
        return []
