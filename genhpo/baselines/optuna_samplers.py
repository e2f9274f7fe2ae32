"""Optuna's samplers (TPE, GP-BO) behind genhpo's ask/tell protocol: the samplers users actually pick.

Each optimizer owns an in-memory Optuna study (``direction="maximize"``: scores are maximised in genhpo
as in the study) and asks it for a trial over fixed distributions built from the ConfigSpace once:
float and integer ranges keep their bounds and log scale, a categorical keeps its choices, an ordinal
becomes the integer index of its value (so TPE and GP-BO see its order), a constant is added to
every configuration. A failed evaluation is told as ``TrialState.FAIL``: Optuna's samplers leave
failed trials out of their models, so a failure never ranks above a success.

Conditional spaces are asked define-by-run, as an Optuna user writes them: the hyperparameters are
suggested parents first, each only when its conditions hold (TPE models each parameter from the
trials that have it). A configuration a forbidden clause excludes is never evaluated: it is told
with the worst score of the evaluated trials (a failed trial while there is none; the samplers ignore
failed trials and would propose it again) and the study is asked again (up to 100 times, then a
random configuration of the space). A space without
conditions or forbidden clauses is asked over the fixed distributions, as before.

- ``tpe``: ``optuna.samplers.TPESampler(seed=seed)`` with Optuna's defaults (10 random startup trials).
- ``gp``: ``optuna.samplers.GPSampler(seed=seed)`` (Gaussian-process BO with log expected
  improvement; 10 random startup trials). genhpo's ``optuna`` extra installs ``greenlet``, as Optuna's
  own ``optional`` extra does, so that the sampler runs its acquisition optimisation's L-BFGS-B restarts
  as one batch; without it Optuna falls back to sequential restarts (the same suggestions up to float
  rounding, about 1.5 times the time per trial) and warns.
- ``nsga2``: ``optuna.samplers.NSGAIISampler(seed=seed)`` (Deb et al., 2002; population 50), for
  several objectives.

Several objectives (``objectives``, from the benchmark) make the study multi-objective, one
direction per objective: TPE is then Optuna's MOTPE (Ozaki et al., 2020), GP-BO its log expected
hypervolume improvement. Outcome constraints (``constraints``) reach the sampler as Optuna 5's trial
constraints (``Trial.set_constraint(name, value - upper)``, <= 0 feasible), which its samplers read:
constrained TPE (Watanabe & Hutter, 2023), GP-BO weighted by the probability of feasibility, NSGA-II's
constrained domination.

Every random choice comes from the sampler's seeded generator, so a seed gives the same trajectory
in a fresh interpreter, and replaying recorded trials through ask/tell resumes it.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from ConfigSpace import (
    CategoricalHyperparameter,
    Configuration,
    ConfigurationSpace,
    Constant,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from genhpo.baselines.space_support import check_space, config_key, private_copy, rebind
from genhpo.protocol import Constraint, Objective, Optimizer, Result, objective_settings
from genhpo.spaces.encoder import active_values

SAMPLERS = ("tpe", "gp", "nsga2")

_MAX_FORBIDDEN_DRAWS = 100


def optuna_distributions(config_space: ConfigurationSpace) -> dict[str, Any]:
    """``{name: optuna distribution}`` of a space's non-constant hyperparameters (see the module doc)."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out: dict[str, Any] = {}
    for hp in config_space.values():
        if isinstance(hp, UniformFloatHyperparameter):
            out[hp.name] = FloatDistribution(float(hp.lower), float(hp.upper), log=bool(hp.log))
        elif isinstance(hp, UniformIntegerHyperparameter):
            out[hp.name] = IntDistribution(int(hp.lower), int(hp.upper), log=bool(hp.log))
        elif isinstance(hp, CategoricalHyperparameter):
            out[hp.name] = CategoricalDistribution(list(hp.choices))
        elif isinstance(hp, OrdinalHyperparameter):
            out[hp.name] = IntDistribution(0, len(hp.sequence) - 1)
    return out


def _suggest(trial: Any, name: str, distribution: Any) -> Any:
    """``trial.suggest_*`` for one of :func:`optuna_distributions`' distributions."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    if isinstance(distribution, FloatDistribution):
        return trial.suggest_float(name, distribution.low, distribution.high, log=distribution.log)
    return trial.suggest_int(name, distribution.low, distribution.high, log=distribution.log)


class OptunaOptimizer(Optimizer):
    """An Optuna sampler (``sampler="tpe"`` or ``"gp"``) asked and told through an in-memory study."""

    name = "optuna"

    def __init__(self, config_space: ConfigurationSpace, seed: int, sampler: Literal["tpe", "gp", "nsga2"] = "tpe",
                 n_startup_trials: int = 10, objectives: tuple[Objective, ...] = (Objective("score"),),
                 constraints: tuple[Constraint, ...] = ()) -> None:
        super().__init__(config_space, seed)
        if sampler not in SAMPLERS:
            raise ValueError(f"unknown Optuna sampler {sampler!r}; accepted: {', '.join(SAMPLERS)}")
        if not isinstance(n_startup_trials, int) or isinstance(n_startup_trials, bool) or n_startup_trials < 1:
            raise ValueError(f"n_startup_trials must be a positive int, got {n_startup_trials!r}")
        self.objectives, self.constraints = tuple(objectives), tuple(constraints)
        if not self.objectives or not all(isinstance(o, Objective) for o in self.objectives):
            raise ValueError(f"objectives must be one or more genhpo.protocol.Objective, got {objectives!r}")
        check_space(config_space, f"Optuna's {sampler.upper()} sampler", conditions=True, forbiddens=True,
                    types=(CategoricalHyperparameter, OrdinalHyperparameter, UniformFloatHyperparameter,
                           UniformIntegerHyperparameter, Constant))
        self._define_by_run = bool(config_space.conditions or config_space.forbidden_clauses)
        self._fallback: ConfigurationSpace | None = None  # random configurations once forbidden draws persist
        try:
            import optuna
        except ImportError as exc:
            raise ValueError(f"the {sampler} baseline needs Optuna: pip install 'genhpo[optuna]' ({exc})") from None
        optuna.logging.set_verbosity(logging.WARNING)
        self.sampler_name, self.n_startup_trials = sampler, n_startup_trials
        if sampler == "tpe":
            chosen = optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials)
        elif sampler == "gp":
            chosen = optuna.samplers.GPSampler(seed=seed, n_startup_trials=n_startup_trials)
        else:
            chosen = optuna.samplers.NSGAIISampler(seed=seed)
        directions = ["maximize" if o.direction == "max" else "minimize" for o in self.objectives]
        self._study = optuna.create_study(directions=directions, sampler=chosen)
        self._distributions = optuna_distributions(config_space)
        self._constants = {hp.name: hp.value for hp in config_space.values() if isinstance(hp, Constant)}
        self._ordinals = {hp.name: list(hp.sequence) for hp in config_space.values()
                          if isinstance(hp, OrdinalHyperparameter)}
        self._pending: dict[tuple, Any] = {}  # config key -> the Optuna trial asked for it

    def ask(self) -> Configuration:
        if self._define_by_run:
            return self._ask_define_by_run()
        trial = self._study.ask(self._distributions)
        values = {**self._constants, **trial.params}
        for name, sequence in self._ordinals.items():
            values[name] = sequence[values[name]]
        config = Configuration(self.config_space, values=values)
        self._pending[config_key(config)] = trial
        return config

    def _ask_define_by_run(self) -> Configuration:
        """Suggest the active hyperparameters parents first (see the module doc)."""
        from optuna.trial import TrialState

        for _ in range(_MAX_FORBIDDEN_DRAWS):
            trial = self._study.ask()

            def suggest(hp: Any, trial: Any = trial) -> Any:
                if isinstance(hp, Constant):
                    return hp.value
                value = _suggest(trial, hp.name, self._distributions[hp.name])
                return self._ordinals[hp.name][value] if hp.name in self._ordinals else value

            try:
                config = Configuration(self.config_space, values=active_values(self.config_space, {}, suggest))
            except ValueError:  # a forbidden clause: scored as the worst result so far, and ask again
                trial.set_user_attr("genhpo:forbidden", True)  # never evaluated
                worst = [t.value for t in self._study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                         if not t.user_attrs.get("genhpo:forbidden")] if len(self.objectives) == 1 else []
                if worst and not self.constraints:  # the samplers then steer away from it (a FAIL trial they would ignore)
                    self._study.tell(trial, min(worst))
                else:
                    self._study.tell(trial, state=TrialState.FAIL)
                continue
            self._pending[config_key(config)] = trial
            return config
        if self._fallback is None:  # seeded once, so successive fallbacks differ and a seed repeats them
            self._fallback = private_copy(self.config_space, seed=self.seed)
        return rebind(self._fallback.sample_configuration(), self.config_space)

    def _tell(self, config: Configuration, result: Result) -> None:
        from optuna.trial import TrialState

        trial = self._pending.pop(config_key(config), None)
        if trial is None:  # an observation made elsewhere (e.g. HPO-B's initial design): a finished trial
            self._observe(config, result)
            return
        if result.ok:
            for constraint in self.constraints:
                trial.set_constraint(constraint.name, constraint.violation(result))
            self._study.tell(trial, self._values(result))
        else:
            self._study.tell(trial, state=TrialState.FAIL)

    def _values(self, result: Result) -> float | list[float]:
        """What the study is told: the score, or each objective's raw value (the study knows directions)."""
        if len(self.objectives) == 1 and self.objectives[0].direction == "max":
            return float(self.objectives[0].value(result))
        values = [o.value(result) for o in self.objectives]
        return values if len(values) > 1 else values[0]

    def _observe(self, config: Configuration, result: Result) -> None:
        """Add a configuration it did not ask, with its result, to the study (``study.add_trial``)."""
        from optuna.trial import TrialState, create_trial

        params = {name: value for name, value in dict(config).items() if name in self._distributions}
        for name, sequence in self._ordinals.items():
            if name in params:  # (inactive ones are absent on a conditional space)
                params[name] = list(sequence).index(params[name])
        distributions = {name: self._distributions[name] for name in params}
        if result.ok:
            values = self._values(result)
            trial = create_trial(params=params, distributions=distributions,
                                 **({"values": values} if isinstance(values, list) else {"value": values}),
                                 constraints={c.name: c.violation(result) for c in self.constraints} or None)
        else:
            trial = create_trial(params=params, distributions=distributions, state=TrialState.FAIL)
        self._study.add_trial(trial)

    def settings(self) -> dict[str, Any]:
        from importlib.metadata import version

        out = {**super().settings(), "sampler": self.sampler_name, "n_startup_trials": self.n_startup_trials,
               "optuna_version": version("optuna")}
        if len(self.objectives) > 1 or self.constraints:
            out.update(objective_settings(self.objectives, self.constraints))
        return out
