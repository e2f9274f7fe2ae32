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
maximises). Each trial counts once: under FIFO with its final value (``on_trial_complete``;
intermediate results do not count, as for Syne Tune's single-fidelity searchers); under ASHA with
its latest value, the one at the highest resource level it reached (the rule of Syne Tune's own
``LastValueMultiFidelitySearcher``, which its model-based ASHA variants use). A failed trial (``on_trial_error``) whose configuration is
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
                f"GenerativeSearcher cannot encode {name!r}: {type(domain).__name__} with a "
                f"{type(sampler).__name__.lstrip('_')} sampler ({domain!r}); accepted: {_ACCEPTED}")
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
        self._configs: dict[int, Configuration] = {}  # every trial that reported, by trial_id
        #: the value each trial counts with (minimised metric), None for a failure; absent: not counted yet
        self._values: dict[int, float | None] = {}
        self._pending: dict[bytes, Configuration] = {}  # proposals not counted yet, by row key
        self._opt: GenerativeOptimizer | None = None
        self._told: dict[int, float | None] = {}  # what self._opt was told
        self._marked: set[bytes] = set()  # pending proposals self._opt knows

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
            self._marked.add(self._key(config))  # ask marked it in the optimizer
        self._pending[self._key(config)] = config
        return self._codec.to_syne(config)

    def on_trial_result(self, trial_id: int, config: dict[str, Any], metric: float,
                        resource_level: int | None = None) -> None:
        """An intermediate result. With ``resource_level`` (ASHA) the trial's latest value counts;
        without it (FIFO) it does not (the trial stays pending until ``on_trial_complete``), as Syne
        Tune's single-fidelity searchers do."""
        self._record(trial_id, config, metric if resource_level is not None else _RUNNING)

    def on_trial_complete(self, trial_id: int, config: dict[str, Any], metric: float,
                          resource_level: int | None = None) -> None:
        """The trial's final ``metric`` (signed for minimisation)."""
        self._record(trial_id, config, metric)

    def on_trial_error(self, trial_id: int) -> None:
        """A failed trial: a failure when its configuration is known from a report (see the module doc)."""
        if trial_id in self._configs:
            self._pending.pop(self._key(self._configs[trial_id]), None)
            self._values[trial_id] = None

    # ------------------------------------------------------------------ internals
    def _key(self, config: Configuration) -> bytes:
        return key_of(self._encoder.encode(config))

    def _record(self, trial_id: int, config: dict[str, Any], metric: Any) -> None:
        configuration = self._codec.to_config(config)
        self._configs[trial_id] = configuration
        if metric is _RUNNING:
            return
        self._pending.pop(self._key(configuration), None)
        value = float(metric)
        self._values[trial_id] = value if math.isfinite(value) else None

    def _optimizer(self) -> GenerativeOptimizer:
        """The generative optimizer holding the current history: each counted trial once with its value
        (failures as failures), proposals not counted yet as pending. Kept between suggestions while
        the values it was told stand; rebuilt (its seed drawn from the searcher's generator) once a
        trial's value changes, as under ASHA when a trial reaches a higher rung."""
        if self._opt is None or any(self._values.get(t, _RUNNING) != v for t, v in self._told.items()):
            seed = int(self._rng.integers(2**31 - 1))
            self._opt = GenerativeOptimizer(self._codec.config_space, seed, self._model, config=self._settings,
                                            card=self._card)
            self._told, self._marked = {}, set()
        for trial_id, value in self._values.items():
            if trial_id not in self._told:
                result = Result(score=-value) if value is not None else Result.failure("error")
                self._opt.tell(self._configs[trial_id], result)
                self._told[trial_id] = value
        for key, configuration in self._pending.items():
            if key not in self._marked:
                self._opt.pending(configuration)
                self._marked.add(key)
        return self._opt


#: an intermediate FIFO result: the trial's configuration is known, its value does not count yet
_RUNNING = object()


__all__ = ["GenerativeSearcher"]
