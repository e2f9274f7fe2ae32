"""``GenerativeSearcher``: the generative optimizer as a Syne Tune searcher, for a user's own tuner.

Pass it as the ``searcher`` of Syne Tune's FIFO scheduler (``SingleObjectiveScheduler``) or of its
successive-halving schedulers (``AsynchronousSuccessiveHalving``: ASHA; with ``brackets > 1``,
asynchronous Hyperband): genhpo proposes the configurations, the scheduler stops and promotes them.

The search space: Syne Tune's domains become one ConfigSpace.
- ``uniform``/``loguniform`` and ``randint``/``lograndint``: float and int ranges with their log scale;
- ``choice`` of strings: a categorical of those strings; ``choice`` of other values (numbers,
  booleans, None): a categorical of the choices' indices;
- ordered finite domains (``ordinal``, ``logordinal``, ``finrange``, ``logfinrange``, and the
  quantized ``quniform``, ``qloguniform``, ``qrandint``, ``qlograndint``): an int index into their
  values, so neighbouring values stay neighbours;
- constants (plain values) and one-valued domains are not searched and are returned as they are.
Other domains (``reverseloguniform``, a normal sampler) are refused with ValueError naming these.

The history: schedulers pass the metric already signed for minimisation (genhpo negates it: it
maximises). Each trial counts once, with its latest reported value; under ASHA that is the value at
the highest resource level it reached (the rule of Syne Tune's own ``LastValueMultiFidelitySearcher``,
which its model-based ASHA variants use). A failed trial (``on_trial_error``) whose configuration is
known from a report is told as a failure: ranked as the worst score seen, never proposed again. A
proposal whose trial has not reported yet is pending: in a finite space it is never proposed again,
so parallel workers get no duplicates; ``suggest`` returns None once every configuration of a finite
space is evaluated or pending (the tuner then stops). A trial that fails before its first report
stays pending (Syne Tune's searcher calls give no configuration for it).

The model: ``checkpoint`` (a shipped name such as ``"nb201-holdout-cifar10"``, or a path) when given;
else the cold-start model of the space (:func:`genhpo.presets.cold_model`). A NAS-Bench-201 cell has
the shipped checkpoints' signature when declared as ``{name: choice(list(nb201.OPS)) for name in
nb201.HP_NAMES}`` (:mod:`genhpo.spaces.nb201`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from ConfigSpace import (
    CategoricalHyperparameter,
    Configuration,
    ConfigurationSpace,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)
from syne_tune.config_space import Categorical, Domain, FiniteRange, Float, Integer, Ordinal, Quantized
from syne_tune.optimizer.schedulers.searchers.single_objective_searcher import SingleObjectiveBaseSearcher

from genhpo import presets
from genhpo.optimizer import GenerativeOptimizer
from genhpo.protocol import Result
from genhpo.spaces import SpaceEncoder
from genhpo.spaces.rows import key_of
from genhpo.suggest.config import SuggestConfig

_ACCEPTED = ("uniform, loguniform, randint, lograndint, choice, ordinal, logordinal, finrange, logfinrange, "
             "quniform, qloguniform, qrandint, qlograndint, or a constant")


def _values(name: str, domain: Domain) -> list[Any] | None:
    """The ordered values of a finite ordered domain; None for a range or an unordered categorical."""
    if isinstance(domain, FiniteRange):
        return list(domain.values)
    if isinstance(domain, Ordinal):
        return list(domain.categories)
    if isinstance(domain, Categorical):
        return None
    sampler = domain.get_sampler()
    if isinstance(sampler, Quantized) and isinstance(domain, (Float, Integer)):
        q = sampler.q
        first, last = math.ceil(domain.lower / q - 1e-9), math.floor(domain.upper / q + 1e-9)
        if last < first:
            raise ValueError(f"{name!r}: no multiple of q={q} lies in [{domain.lower}, {domain.upper}]")
        grid = [k * q for k in range(first, last + 1)]
        return [round(v) for v in grid] if isinstance(domain, Integer) else [float(v) for v in grid]
    return None


class _Codec:
    """Syne Tune's config space <-> one ConfigSpace (see the module doc)."""

    def __init__(self, config_space: dict[str, Any]) -> None:
        if not isinstance(config_space, dict):
            raise TypeError(f"config_space must be a dict of Syne Tune domains and constants, got "
                            f"{type(config_space).__name__}")
        self.constants: dict[str, Any] = {}
        self.domains: dict[str, Domain] = {}
        self.ordered: dict[str, list[Any]] = {}  # name -> values; the hyperparameter is their index
        self.indexed: set[str] = set()  # unordered categoricals of non-strings: the choice's index
        space = ConfigurationSpace()
        for name, domain in config_space.items():
            if not isinstance(domain, Domain):
                self.constants[name] = domain
                continue
            hyperparameter = self._hyperparameter(name, domain)
            if hyperparameter is None:  # one value: not searched
                continue
            space.add(hyperparameter)
            self.domains[name] = domain
        if not self.domains:
            raise ValueError("config_space has no hyperparameter to search (only constants)")
        self.config_space = space

    def _hyperparameter(self, name: str, domain: Domain) -> Any:
        """The ConfigSpace hyperparameter of ``domain``; None (recorded as a constant) for one value."""
        values = _values(name, domain)
        if values is None and isinstance(domain, Categorical):
            choices = list(domain.categories)
            if len(choices) == 1:
                self.constants[name] = choices[0]
                return None
            if all(isinstance(c, str) for c in choices):
                return CategoricalHyperparameter(name, choices)
            self.indexed.add(name)
            return CategoricalHyperparameter(name, [str(i) for i in range(len(choices))])
        if values is not None:
            if len(values) == 1:
                self.constants[name] = values[0]
                return None
            self.ordered[name] = values
            return UniformIntegerHyperparameter(name, 0, len(values) - 1)
        sampler = domain.get_sampler()
        if not isinstance(sampler, (Float._Uniform, Float._LogUniform, Integer._Uniform, Integer._LogUniform)):
            # ValueError, as Optuna's samplers raise for a distribution they cannot encode
            raise ValueError(  # noqa: TRY004
                f"GenerativeSearcher cannot encode {name!r}: {domain!r}; accepted: {_ACCEPTED}")
        if domain.lower == domain.upper:
            self.constants[name] = domain.cast(domain.lower)
            return None
        kind = UniformIntegerHyperparameter if isinstance(domain, Integer) else UniformFloatHyperparameter
        return kind(name, domain.lower, domain.upper,
                    log=isinstance(sampler, (Float._LogUniform, Integer._LogUniform)))

    def to_config(self, config: dict[str, Any]) -> Configuration:
        """The ConfigSpace configuration of a Syne Tune config; ValueError names a value outside its domain."""
        values: dict[str, Any] = {}
        for name, domain in self.domains.items():
            if name not in config:
                raise ValueError(f"config has no value for {name!r}")
            value = config[name]
            if name in self.ordered:
                values[name] = self._index_of(name, domain, value)
            elif isinstance(domain, Categorical):
                if value not in domain.categories:
                    raise ValueError(f"{name!r}={value!r} is not one of {domain.categories}")
                values[name] = str(domain.categories.index(value)) if name in self.indexed else value
            else:
                values[name] = int(value) if isinstance(domain, Integer) else float(value)
        return Configuration(self.config_space, values=values)

    def _index_of(self, name: str, domain: Domain, value: Any) -> int:
        """The index of ``value`` among the ordered domain's values (floats to 1e-9 relative)."""
        options = self.ordered[name]
        if isinstance(domain, FiniteRange):
            value = domain.cast(value)
        for i, option in enumerate(options):
            if option == value and type(option) is type(value) or (
                    isinstance(option, float) and isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isclose(option, value, rel_tol=1e-9)):
                return i
        raise ValueError(f"{name!r}={value!r} is not one of {options}")

    def to_syne(self, config: Configuration) -> dict[str, Any]:
        """The Syne Tune config (every key of the config space, constants included)."""
        out = dict(self.constants)
        for name, domain in self.domains.items():
            value = config[name]
            if name in self.ordered:
                out[name] = self.ordered[name][int(value)]
            elif isinstance(domain, Categorical):
                out[name] = domain.categories[int(value)] if name in self.indexed else value
            else:
                out[name] = int(value) if isinstance(domain, Integer) else float(value)
        return out


class GenerativeSearcher(SingleObjectiveBaseSearcher):
    """A Syne Tune searcher that proposes with genhpo's generative optimizer (see the module doc).

    Args:
        config_space: Syne Tune's config space (the scheduler's own); ValueError for a domain genhpo
            cannot encode.
        points_to_evaluate: configurations proposed first, in order (Syne Tune's convention).
        random_seed: seeds every proposal (None: a random seed); same seed and same results, same
            proposals.
        checkpoint: a shipped checkpoint name or a path (default: the space's cold-start model).
        **overrides: :class:`genhpo.suggest.config.SuggestConfig` fields replacing the card's.
    """

    def __init__(self, config_space: dict[str, Any], points_to_evaluate: list[dict[str, Any]] | None = None,
                 random_seed: int | None = None, *, checkpoint: str | Path | None = None,
                 **overrides: Any) -> None:
        super().__init__(config_space, points_to_evaluate=points_to_evaluate, random_seed=random_seed)
        self._codec = _Codec(config_space)
        for point in self.points_to_evaluate:  # a bad point is refused now, not at its trial
            self._codec.to_config(point)
        self._encoder = SpaceEncoder(self._codec.config_space)
        self._model, card = presets.model_for(self._codec.config_space, checkpoint)
        self._card = card
        self._settings = SuggestConfig.from_card(card).replace(**overrides)
        self._rng = np.random.default_rng(self.random_seed)
        #: trial_id -> (configuration, latest metric for minimisation, or None once it failed)
        self._trials: dict[int, tuple[Configuration, float | None]] = {}
        #: proposals whose trial has not reported yet, by row key
        self._pending: dict[bytes, Configuration] = {}

    # ------------------------------------------------------------------ Syne Tune's searcher calls
    def suggest(self, **kwargs: Any) -> dict[str, Any] | None:
        """The next configuration (a dict over the whole config space), or None when a finite space is
        exhausted."""
        start = self._next_points_to_evaluate()
        if start is not None:
            config = self._codec.to_config(start)
        else:
            optimizer = self._optimizer()
            try:
                config = optimizer.ask()
            except ValueError:  # every configuration of a finite space is evaluated or pending
                return None
        self._pending[self._key(config)] = config
        return self._codec.to_syne(config)

    def on_trial_result(self, trial_id: int, config: dict[str, Any], metric: float,
                        resource_level: int | None = None) -> None:
        """Record ``metric`` (signed for minimisation) as the trial's latest value."""
        self._record(trial_id, config, metric)

    def on_trial_complete(self, trial_id: int, config: dict[str, Any], metric: float,
                          resource_level: int | None = None) -> None:
        """Record the trial's final ``metric`` (signed for minimisation)."""
        self._record(trial_id, config, metric)

    def on_trial_error(self, trial_id: int) -> None:
        """A failed trial: told as a failure when its configuration is known (see the module doc)."""
        if trial_id in self._trials:
            self._trials[trial_id] = (self._trials[trial_id][0], None)

    # ------------------------------------------------------------------ internals
    def _key(self, config: Configuration) -> bytes:
        return key_of(self._encoder.encode(config))

    def _record(self, trial_id: int, config: dict[str, Any], metric: float) -> None:
        configuration = self._codec.to_config(config)
        self._pending.pop(self._key(configuration), None)
        value = float(metric)
        self._trials[trial_id] = (configuration, value if math.isfinite(value) else None)

    def _optimizer(self) -> GenerativeOptimizer:
        """A generative optimizer holding the current history: each trial once with its latest value,
        failures as failures, proposals without a report as pending. Rebuilt at each suggestion, as a
        trial's value changes while it climbs the rungs; its seed comes from the searcher's generator."""
        seed = int(self._rng.integers(2**31 - 1))
        optimizer = GenerativeOptimizer(self._codec.config_space, seed, self._model, config=self._settings,
                                        card=self._card)
        for configuration, metric in self._trials.values():
            optimizer.tell(configuration, Result(score=-metric) if metric is not None else Result.failure("error"))
        for configuration in self._pending.values():
            optimizer.pending(configuration)
        return optimizer


__all__ = ["GenerativeSearcher"]
