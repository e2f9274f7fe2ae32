"""SMAC3 (2.x) through its own ask/tell interface: the HPO facade (random forest), the black-box facade
(GP), or the multi-fidelity facade (random forest with Hyperband's brackets, eta 3, over the benchmark's
fidelity range: BOHB-style; ``smac-mf``).

Scores are maximised in genhpo and costs minimised in SMAC, so SMAC sees ``cost = -score``; a failed
evaluation is told as ``StatusType.CRASHED`` (SMAC's convention for a crashing target function).
A failure must never rank above a success, whatever the sign and scale of the scores, and SMAC's
default crash cost, inf, turns the targets of its random forest into NaN (SMAC 2.4.1 fails on the
next ask). So unless ``crash_cost`` is given, a failure costs the worst cost of any success: failures
before the first success are told when it comes, and when a success costs more than every earlier
one, the crashed trials in SMAC's run history are raised to its cost. SMAC writes its own run directory, ``output_directory/<name>/<seed>/``
(``scenario.json``, ``configspace.json``, ``runhistory.json``, ``intensifier.json``,
``optimization.json``; the layout DeepCAVE's SMAC3v2 converter reads), after every tell; without an
``output_directory`` it runs in a temporary directory that is removed with the optimizer and skips
the per-trial save.

Results told before the first ask warm-start SMAC, as SMAC's own warm-start example does (HPO-B's
five initial rows, for instance): they go into its run history, and they replace as many
configurations of the facade's initial design (``_warm_start``). After the first ask, SMAC takes only
the results of what it asked. The multi-fidelity facade takes only those, since each needs its
budget.

SMAC's intensifier may ask the same configuration again on another seed when the scenario is not
deterministic; those repeats are real evaluations (the loop counts them). Benchmarks here are noise-free
by default, so ``deterministic=True`` is the default: one evaluation per configuration, as SMAC's own
examples (and CARP-S) do for deterministic targets.

Reproducibility: SMAC 2.4.1's local search de-duplicates its start points through a ``set`` of
Configurations, whose order depends on Python's string hashing (``PYTHONHASHSEED``), so the same
seed gave different trajectories in different processes. The adapter keeps SMAC's facade but puts
those start points in a canonical order (sorted by their vector), which makes a seed's trajectory
the same in every process; the search itself is unchanged. SMAC never proposes a configuration it has already run, and it
logs only errors here (its ``smac`` logger is set to ERROR unless the caller configured it).

Several objectives (``objectives``, from the benchmark): SMAC's own multi-objective support, the
scenario naming every objective and the facade aggregating them with ParEGO (a random augmented
Chebyshev scalarisation per iteration; Knowles 2006), as SMAC's multi-objective example does; each
objective's cost is its minimised value (a maximised objective negated). A failure then costs the
worst value of each objective seen so far. SMAC has no outcome constraints: a constrained benchmark
is refused.
"""

from __future__ import annotations

import logging
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any, Literal

from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.baselines.space_support import check_space, config_key, private_copy, rebind
from genhpo.benchmarks.base import Fidelity
from genhpo.protocol import Objective, Optimizer, Result, objective_settings

FACADES = ("hpo", "bb", "mf")


def _ask_tell_only(config: Configuration, seed: int = 0) -> float:
    """The target function SMAC's facades require; never called, since we drive SMAC by ask/tell."""
    raise RuntimeError("SMACOptimizer drives SMAC through ask/tell; the target function is never called")


def _ask_tell_only_budget(config: Configuration, seed: int = 0, budget: float | None = None) -> float:
    """The multi-fidelity facade's form of :func:`_ask_tell_only` (SMAC checks for a ``budget`` argument)."""
    return _ask_tell_only(config, seed)


def _quiet_smac_logging() -> None:
    """Keep SMAC's INFO/WARNING chatter (e.g. its random-fallback notices) out of the caller's logs."""
    smac_logger = logging.getLogger("smac")
    if smac_logger.level == logging.NOTSET:
        smac_logger.setLevel(logging.ERROR)


def _canonical_start_points(maximizer: Any) -> Any:
    """Make the local search of SMAC's LocalAndSortedRandomSearch order its start points canonically."""
    import numpy as np
    from smac.acquisition.maximizer.local_search import LocalSearch

    class _OrderedLocalSearch(LocalSearch):
        def _get_init_points_from_previous_configs(self, *args: Any, **kwargs: Any) -> list[Configuration]:
            points = super()._get_init_points_from_previous_configs(*args, **kwargs)  # a set's order
            return sorted(points, key=lambda c: tuple(np.nan_to_num(c.get_array(), nan=-1.0)))

    local_search = getattr(maximizer, "_local_search", None)
    if type(local_search) is not LocalSearch:
        raise RuntimeError(f"unexpected SMAC acquisition maximizer layout: {type(maximizer).__name__}")
    local_search.__class__ = _OrderedLocalSearch  # same state, one method overridden
    return maximizer


class SMACOptimizer(Optimizer):
    """SMAC3 2.x: HPO facade (random forest, log-scaled costs) by default, or the BlackBox facade (GP)."""

    name = "smac"

    def __init__(
        self,
        config_space: ConfigurationSpace,
        seed: int,
        facade: Literal["hpo", "bb"] = "hpo",
        n_trials: int = 100,
        output_directory: str | Path | None = None,
        deterministic: bool = True,
        run_name: str | None = None,
        crash_cost: float | None = None,
        objectives: tuple[Objective, ...] = (Objective("score"),),
        fidelity: Fidelity | None = None,
    ) -> None:
        super().__init__(config_space, seed)
        if facade not in FACADES:
            raise ValueError(f"unknown SMAC facade {facade!r}; accepted: {', '.join(FACADES)}")
        if not isinstance(n_trials, int) or isinstance(n_trials, bool) or n_trials < 1:
            raise ValueError(f"n_trials must be a positive int, got {n_trials!r}")
        if crash_cost is not None and not (isinstance(crash_cost, (int, float)) and math.isfinite(crash_cost)):
            raise ValueError(f"crash_cost must be a finite number or None, got {crash_cost!r}")
        check_space(config_space, f"SMAC ({facade} facade)", conditions=True, forbiddens=True)
        from smac import BlackBoxFacade, HyperparameterOptimizationFacade, MultiFidelityFacade, Scenario

        if facade == "mf" and fidelity is None:
            raise ValueError("SMAC's multi-fidelity facade needs a benchmark with a fidelity (e.g. mlp-epochs)")
        self.fidelity_range = fidelity if facade == "mf" else None
        self._asked_budget: float | None = None

        self.objectives = tuple(objectives)
        if not self.objectives or not all(isinstance(o, Objective) for o in self.objectives):
            raise ValueError(f"objectives must be one or more genhpo.protocol.Objective, got {objectives!r}")
        several = len(self.objectives) > 1
        if several and crash_cost is not None:
            raise ValueError("crash_cost is one number; with several objectives failures cost the worst of each")

        _quiet_smac_logging()
        self.facade = facade
        self.n_trials = n_trials
        self.deterministic = bool(deterministic)
        self._tmp = None
        if output_directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="genhpo-smac-")
            output_directory = self._tmp.name
        self._save = self._tmp is None
        self.run_name = run_name or f"smac-{facade}"
        scenario = Scenario(
            private_copy(config_space),  # SMAC reseeds the space it is given
            name=self.run_name,
            output_directory=Path(output_directory),
            deterministic=self.deterministic,
            n_trials=n_trials,  # sizes SMAC's initial design (at most 25% of n_trials)
            seed=seed,
            **({} if crash_cost is None else {"crash_cost": float(crash_cost)}),
            **({"objectives": [o.name for o in self.objectives]} if several else {}),
            **({"min_budget": fidelity.lower, "max_budget": fidelity.upper} if facade == "mf" else {}),
        )
        self._scenario = scenario
        self._facade_cls = {"hpo": HyperparameterOptimizationFacade, "bb": BlackBoxFacade, "mf": MultiFidelityFacade}[facade]
        self._smac = self._make_facade()
        self._observed: list[tuple[Configuration, Result]] = []  # told before the first ask: a warm start
        self._started = False  # the first ask happened
        self._worst_costs: list[float] | None = None  # several objectives: the worst cost of each so far
        self.crash_cost = None if crash_cost is None else float(crash_cost)
        self._worst_cost = -math.inf  # the worst cost of any success told so far (the default crash cost)
        self._held: list[tuple[Any, Result]] = []  # failures before any success: told with the first success
        self._crashed: list[tuple[Any, Result]] = []  # failures told with the worst cost, raised with it
        self._pending: list[tuple[tuple, Any]] = []  # (config key, TrialInfo) asked and not yet told

    def _make_facade(self, initial_design: Any = None) -> Any:
        """SMAC's facade on the scenario; ``initial_design`` None: the facade's default design."""
        from smac.multi_objective.parego import ParEGO

        scenario, facade_cls = self._scenario, self._facade_cls
        # overwrite=True: a resumed genhpo run replays its trials through ask/tell from scratch, and an
        # existing SMAC directory must never trigger SMAC's interactive "continue or overwrite?" prompt.
        maximizer = _canonical_start_points(facade_cls.get_acquisition_maximizer(scenario))
        return facade_cls(
            scenario, _ask_tell_only_budget if self.facade == "mf" else _ask_tell_only, acquisition_maximizer=maximizer,
            overwrite=True, logging_level=False,
            **({} if initial_design is None else {"initial_design": initial_design}),
            **({"multi_objective_algorithm": ParEGO(scenario, seed=self.seed)} if len(self.objectives) > 1 else {}),
            **({"intensifier": facade_cls.get_intensifier(scenario, eta=3)} if self.facade == "mf" else {}),
        )

    def _warm_start(self) -> None:
        """Start SMAC from the results told before the first ask, as SMAC's warm-start example does: they go
        into its run history (``smac.tell`` of a ``TrialInfo`` on the scenario's seed, which the intensifier
        reads from the run history when it starts and keeps for every later trial), and they count
        towards the initial design, which keeps only ``max(0, n - k)`` of the facade's ``n`` Sobol
        configurations for ``k`` told results (the same rule Optuna's samplers follow for their startup
        trials)."""
        from smac.runhistory.dataclasses import TrialInfo

        n_design = self._facade_cls.get_initial_design(self._scenario).meta["n_configs"]
        design = self._facade_cls.get_initial_design(self._scenario, n_configs=max(0, n_design - len(self._observed)))
        self._smac = self._make_facade(design)
        space = self._smac.scenario.configspace
        for config, result in self._observed:
            self._record(TrialInfo(config=Configuration(space, values=dict(config)), seed=self._scenario.seed), result)
        self._observed = []

    @property
    def run_directory(self) -> Path | None:
        """SMAC's own run directory (``output_directory/<run_name>/<seed>``), None when temporary."""
        return None if self._tmp is not None else Path(self._smac.scenario.output_directory)

    def ask(self) -> Configuration:
        if not self._started:
            self._started = True
            if self._observed:
                self._warm_start()
        with warnings.catch_warnings():
            # SMAC's forest asks joblib for all cores; in a daemon worker (multiprocessing, Dask) joblib
            # warns on every fit that it falls back to one job, which changes nothing in the result.
            warnings.filterwarnings(
                "ignore", message="Loky-backed parallel loops cannot be called", category=UserWarning
            )
            info = self._smac.ask()
        self._pending.append((config_key(info.config), info))
        self._asked_budget = None if self.fidelity_range is None or info.budget is None else float(info.budget)
        return rebind(info.config, self.config_space)

    def fidelity(self, config: Configuration) -> float | None:
        """The multi-fidelity facade: the budget SMAC chose for the configuration just asked."""
        return self._asked_budget

    def _tell(self, config: Configuration, result: Result) -> None:
        key = config_key(config)
        for i, (pending_key, info) in enumerate(self._pending):
            if pending_key == key:
                del self._pending[i]
                break
        else:
            if self._started or self.fidelity_range is not None:
                why = ("SMAC takes results it did not ask only before its first ask (a warm start)" if self._started
                       else "SMAC's multi-fidelity facade takes only results it asked (each needs its budget)")
                raise ValueError(f"tell() for a configuration SMAC did not ask (or was already told): {dict(config)}; {why}")
            rebind(config, self.config_space)  # ValueError for a configuration of another space
            if any(config_key(told) == key for told, _ in self._observed):
                raise ValueError(f"tell() for a configuration already told before the first ask: {dict(config)}; "
                                 "SMAC keeps one result per configuration")
            self._observed.append((config, result))
            return
        self._record(info, result)

    def _record(self, info: Any, result: Result) -> None:
        """Tell SMAC the result of trial ``info`` (a failure as a crash at the worst cost so far)."""
        from smac.runhistory.dataclasses import TrialValue

        if len(self.objectives) > 1:
            self._tell_several(info, result)
            return
        if not result.ok:
            if self.crash_cost is not None:
                self._smac.tell(info, self._crash_value(result, self.crash_cost), save=self._save)
            elif math.isinf(self._worst_cost):
                self._held.append((info, result))  # no success yet: no cost is known to be the worst
            else:
                self._smac.tell(info, self._crash_value(result, self._worst_cost), save=self._save)
                self._crashed.append((info, result))
            return
        cost = -float(result.score)
        self._smac.tell(info, TrialValue(cost=cost, time=float(result.cost)), save=self._save)
        if cost > self._worst_cost and self.crash_cost is None:
            self._worst_cost = cost
            runhistory = self._smac.runhistory
            for held_info, held in self._crashed:  # raise earlier failures to the new worst cost
                value = self._crash_value(held, cost)
                runhistory.add(config=held_info.config, cost=value.cost, time=value.time, status=value.status,
                               instance=held_info.instance, seed=held_info.seed, budget=held_info.budget,
                               additional_info=value.additional_info, force_update=True)
            for held_info, held in self._held:
                self._smac.tell(held_info, self._crash_value(held, cost), save=False)
            self._crashed += self._held
            self._held = []
            if self._save and self._crashed:
                self._smac.optimizer.save()

    def _tell_several(self, info: Any, result: Result) -> None:
        """Several objectives: costs are the minimised objectives; a failure costs the worst of each so far
        (held until the first success)."""
        from smac.runhistory.dataclasses import TrialValue

        if not result.ok:
            if self._worst_costs is None:
                self._held.append((info, result))
            else:
                self._smac.tell(info, self._crash_value(result, list(self._worst_costs)), save=self._save)
            return
        costs = [-o.maximised(result) for o in self.objectives]
        self._smac.tell(info, TrialValue(cost=costs, time=float(result.cost)), save=self._save)
        self._worst_costs = costs if self._worst_costs is None else [max(a, b) for a, b in zip(self._worst_costs, costs)]
        for held_info, held in self._held:
            self._smac.tell(held_info, self._crash_value(held, list(self._worst_costs)), save=self._save)
        self._held = []

    @staticmethod
    def _crash_value(result: Result, cost: float | list[float]) -> Any:
        from smac.runhistory.dataclasses import TrialValue
        from smac.runhistory.enumerations import StatusType

        return TrialValue(cost=cost, time=float(result.cost), status=StatusType.CRASHED,
                          additional_info={"error": result.error or "failed"})

    def settings(self) -> dict[str, Any]:
        return {
            **super().settings(),
            "facade": self.facade,
            "n_trials": self.n_trials,
            "deterministic": self.deterministic,
            "crash_cost": self.crash_cost,
            "run_name": self.run_name,
            # results told before the first ask warm-start SMAC (module doc); part of the optimizer's identity,
            # so a stored run made without it is never taken for this optimizer's
            "warm_start": True,
            "run_directory": str(self.run_directory) if self.run_directory else None,
            "smac_version": _smac_version(),
            **({"objectives": objective_settings(self.objectives)["objectives"],
                "multi_objective_algorithm": "ParEGO"} if len(self.objectives) > 1 else {}),
        }


def _smac_version() -> str:
    from importlib.metadata import version

    return version("smac")
