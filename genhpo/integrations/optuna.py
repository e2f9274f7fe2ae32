"""``GenerativeSampler``: the generative optimizer as an Optuna sampler, for a user's own study.

Relative sampling over the study's intersection search space (the parameters every completed trial
has): the distributions become a ConfigSpace (float and int ranges with their log scale; a ``step``
becomes the index of the grid point; a categorical of strings keeps its choices, any other
categorical (numbers, booleans, None) becomes the index of its choice), and the history is rebuilt
from the study at every call (several processes sharing one RDB storage each see all trials):
- COMPLETE trials with a finite value are results (``direction="minimize"`` is negated: genhpo
  maximises);
- FAIL, PRUNED and non-finite trials are failures: told as failures, which genhpo ranks as the worst
  score seen, never above a success, and never proposes again in a finite space;
- RUNNING trials of other workers are pending: never proposed again in a finite space, so parallel
  workers get no duplicates. A proposal is reserved in the trial's system attributes before it is
  returned, and proposed again (up to ``CLASH_RETRIES`` times, reading the study anew each time) if
  another trial reserved or ran the same parameters since this worker read the study.
Parameters outside the relative search space (a conditional branch, a parameter first seen) come
from ``independent_sampler`` (Optuna's RandomSampler by default). Multi-objective studies are refused
with ValueError, as Optuna's single-objective samplers do.

The model: ``checkpoint`` (a shipped name such as ``"nb201-holdout-cifar10"``, or a path) when given;
else the cold-start model of the space (:func:`genhpo.presets.cold_model`: a shipped cold-start
checkpoint of the same space signature, such as ``nb201-cold``, else one trained once on synthetic
tasks and cached). A NAS-Bench-201 cell gets the NB201 signature when the study declares the six edges
as ``trial.suggest_categorical(name, list(nb201.OPS))`` for each ``name`` of ``genhpo.spaces.nb201.HP_NAMES``
(the edge names and op order of genhpo's NB201 space).
"""

from __future__ import annotations

import math
import threading
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
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.search_space import IntersectionSearchSpace
from optuna.study import Study, StudyDirection
from optuna.study import create_study as optuna_create_study
from optuna.trial import FrozenTrial, TrialState

from genhpo import presets
from genhpo.optimizer import GenerativeOptimizer
from genhpo.protocol import Result
from genhpo.suggest.config import SuggestConfig

#: The system attribute holding the parameters a running trial's worker chose (other workers skip them).
RESERVED = "genhpo:reserved_params"


class _Codec:
    """Optuna distributions <-> one ConfigSpace (see the module doc); built once per search space."""

    def __init__(self, search_space: dict[str, BaseDistribution]) -> None:
        self.distributions = dict(search_space)
        #: categoricals whose choices are all strings keep them; the others use the choice's index
        self.named = {name for name, d in self.distributions.items()
                      if isinstance(d, CategoricalDistribution) and all(isinstance(c, str) for c in d.choices)}
        space = ConfigurationSpace()
        for name, d in self.distributions.items():
            if isinstance(d, CategoricalDistribution):
                if name in self.named:
                    space.add(CategoricalHyperparameter(name, list(d.choices)))
                else:
                    space.add(CategoricalHyperparameter(name, [str(i) for i in range(len(d.choices))]))
            elif d.step is not None and not getattr(d, "log", False):
                steps = round((d.high - d.low) / d.step)
                space.add(UniformIntegerHyperparameter(name, 0, steps))
            elif isinstance(d, IntDistribution):
                space.add(UniformIntegerHyperparameter(name, d.low, d.high, log=d.log))
            elif isinstance(d, FloatDistribution):
                space.add(UniformFloatHyperparameter(name, d.low, d.high, log=d.log))
            else:
                raise ValueError(f"GenerativeSampler cannot encode {name!r}: {type(d).__name__}; accepted: "
                                 "FloatDistribution, IntDistribution, CategoricalDistribution")
        self.config_space = space

    def to_config(self, params: dict[str, Any]) -> Configuration:
        values = {}
        for name, d in self.distributions.items():
            value = params[name]
            if isinstance(d, CategoricalDistribution):
                index = d.to_internal_repr(value)
                values[name] = d.choices[int(index)] if name in self.named else str(int(index))
            elif d.step is not None and not getattr(d, "log", False):
                values[name] = round((value - d.low) / d.step)
            else:
                values[name] = value
        return Configuration(self.config_space, values=values)

    def to_params(self, config: Configuration) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, d in self.distributions.items():
            value = config[name]
            if isinstance(d, CategoricalDistribution):
                params[name] = value if name in self.named else d.choices[int(value)]
            elif d.step is not None and not getattr(d, "log", False):
                params[name] = min(d.high, d.low + int(value) * d.step)
                params[name] = int(params[name]) if isinstance(d, IntDistribution) else float(params[name])
            elif isinstance(d, IntDistribution):
                params[name] = int(value)
            else:
                params[name] = float(value)
        return params


#: proposals per trial before the independent sampler takes over, when other workers keep reserving the
#: same parameters at the same moment (each retry first reads their new reservations)
CLASH_RETRIES = 10


class GenerativeSampler(BaseSampler):
    """An Optuna sampler that proposes with genhpo's generative optimizer (see the module doc).

    Args:
        seed: seeds the proposals and the independent sampler (None: a random seed).
        checkpoint: a shipped checkpoint name or a path (default: the space's cold-start model).
        independent_sampler: samples parameters outside the relative search space.
        **overrides: :class:`genhpo.suggest.config.SuggestConfig` fields replacing the card's.
    """

    def __init__(self, *, seed: int | None = None, checkpoint: str | Path | None = None,
                 independent_sampler: BaseSampler | None = None, **overrides: Any) -> None:
        SuggestConfig().replace(**overrides)  # unknown settings refused now, not at the first trial
        self._rng = np.random.default_rng(seed)
        self._checkpoint = checkpoint
        self._overrides = overrides
        self._independent = independent_sampler or RandomSampler(seed=seed)
        self._search_space = IntersectionSearchSpace()
        self._lock = threading.Lock()
        self._state: dict[tuple, tuple[_Codec, GenerativeOptimizer, dict[int, str]]] = {}

    def __getstate__(self) -> dict[str, Any]:
        """A pickled sampler (e.g. inside a pickled study, as DeepCAVE's Optuna converter reads it) keeps
        its settings and generator; its per-space optimizers are rebuilt from the study after loading."""
        state = self.__dict__.copy()
        del state["_lock"]
        state["_state"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._independent.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        self._raise_error_if_multi_objective(study)
        return {name: d for name, d in self._search_space.calculate(study).items() if not d.single()}

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        self._raise_error_if_multi_objective(study)
        if not search_space:
            return {}
        with self._lock:
            codec, optimizer, told = self._optimizer_for(search_space)
            self._catch_up(study, trial, codec, optimizer, told)
            for _ in range(CLASH_RETRIES):  # a clash with another worker's reservation is proposed again
                try:
                    params = codec.to_params(optimizer.ask())
                except ValueError:  # every configuration of a finite space is evaluated or pending
                    break
                if not self._clashes(study, trial, params):
                    return params
                # read the reservations made since the history was read, so the next proposal avoids them
                self._catch_up(study, trial, codec, optimizer, told)
        return {name: self._independent.sample_independent(study, trial, name, d) for name, d in search_space.items()}

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        self._raise_error_if_multi_objective(study)
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _clashes(study: Study, trial: FrozenTrial, params: dict[str, Any]) -> bool:
        """Reserve ``params`` for ``trial`` in the study's storage, then whether another trial reserved or
        ran the same: its worker sampled at the same moment, or reserved, evaluated and finished it while
        this worker was choosing from an older view of the study. Then this one proposes again."""
        study._storage.set_trial_system_attr(trial._trial_id, RESERVED, params)
        return any(t.number != trial.number and (t.system_attrs.get(RESERVED) == params or t.params == params)
                   for t in study.get_trials(deepcopy=False))

    def _optimizer_for(self, search_space: dict[str, BaseDistribution]):
        key = tuple(sorted((name, repr(d)) for name, d in search_space.items()))
        if key not in self._state:
            codec = _Codec(search_space)
            space = codec.config_space
            model, card = presets.model_for(space, self._checkpoint)
            config = SuggestConfig.from_card(card).replace(**self._overrides)
            seed = int(self._rng.integers(2**31 - 1))
            self._state[key] = (codec, GenerativeOptimizer(space, seed, model, config=config, card=card), {})
        return self._state[key]

    @staticmethod
    def _catch_up(study: Study, current: FrozenTrial, codec: _Codec, optimizer: GenerativeOptimizer,
                  told: dict[int, str]) -> None:
        """Tell the optimizer every result it has not seen, and mark other workers' trials pending."""
        sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
        states = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED, TrialState.RUNNING)
        for t in study.get_trials(deepcopy=False, states=states):
            if t.number == current.number or told.get(t.number) == "told":
                continue
            params = t.params
            if t.state == TrialState.RUNNING and any(name not in params for name in codec.distributions):
                params = t.system_attrs.get(RESERVED) or {}  # chosen by its worker, not yet suggested
            if any(name not in params for name in codec.distributions):
                continue  # a trial of another search space, or one still choosing its parameters
            try:
                config = codec.to_config(params)
            except ValueError:
                continue  # values outside this search space
            if t.state == TrialState.RUNNING:
                if told.get(t.number) is None:
                    optimizer.pending(config)
                    told[t.number] = "pending"
                continue
            value = t.value if t.state == TrialState.COMPLETE else None
            ok = value is not None and math.isfinite(value)
            optimizer.tell(config, Result(score=sign * value) if ok else Result.failure(t.state.name.lower()))
            told[t.number] = "told"


def save_for_deepcave(study: Study, folder: str | Path) -> Path:
    """Write ``study`` where DeepCAVE's Optuna converter reads it: ``folder/study.pkl``, one pickled study
    per folder (open ``folder``'s parent as DeepCAVE's working directory). Returns the file.

    DeepCAVE 1.4.1's ``OptunaRun`` counts objectives as ``len(trial.values)`` over all trials, so a study
    with a FAIL, PRUNED or RUNNING trial (no values) fails to load there. The file holds an in-memory
    copy whose valueless trials carry NaN values (DeepCAVE records every trial that is not COMPLETE
    by its status, without costs); the study itself is not changed. ValueError for an empty study.
    """
    import pickle

    from optuna.storages import InMemoryStorage

    trials = study.get_trials(deepcopy=True)
    if not trials:
        raise ValueError(f"study {study.study_name!r} has no trials to save for DeepCAVE")
    copy = optuna_create_study(storage=InMemoryStorage(), study_name=study.study_name,
                               directions=study.directions, sampler=study.sampler)
    if study.metric_names is not None:
        copy.set_metric_names(study.metric_names)
    copy.add_trials(trials)
    n = len(study.directions)
    for trial in copy.get_trials(deepcopy=False):  # the copy's own records: the study is untouched
        if trial.values is None:
            trial._values = [math.nan] * n  # what DeepCAVE 1.4.1 needs to count objectives
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "study.pkl"
    tmp = path.with_suffix(".pkl.tmp")
    with open(tmp, "wb") as f:
        pickle.dump(copy, f)
    tmp.replace(path)
    return path


__all__ = ["GenerativeSampler", "save_for_deepcave"]
