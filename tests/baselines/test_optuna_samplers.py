"""Optuna's TPE and GP-BO samplers behind the protocol: the space mapping, failures, refusals."""

from __future__ import annotations

import pytest
from ConfigSpace import (
    Categorical,
    ConfigurationSpace,
    Constant,
    EqualsCondition,
    Float,
    Integer,
    OrdinalHyperparameter,
)

from genhpo.baselines import make_baseline
from genhpo.baselines.optuna_samplers import OptunaOptimizer, optuna_distributions
from genhpo.protocol import Result


def _space() -> ConfigurationSpace:
    space = ConfigurationSpace(seed=0)
    space.add([Float("lr", (1e-5, 1e-1), log=True), Integer("layers", (1, 8)), Categorical("act", ["relu", "tanh"]),
               OrdinalHyperparameter("size", ["small", "medium", "large"]), Constant("arch", "mlp")])
    return space


def test_distributions_keep_bounds_log_scale_choices_and_the_ordinals_order():
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    dists = optuna_distributions(_space())
    assert dists["lr"] == FloatDistribution(1e-5, 1e-1, log=True)
    assert dists["layers"] == IntDistribution(1, 8)
    assert dists["act"] == CategoricalDistribution(["relu", "tanh"])
    assert dists["size"] == IntDistribution(0, 2)  # the index of the ordinal's value: TPE and GP see its order
    assert "arch" not in dists


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_asked_configurations_are_valid_and_failures_are_told_as_failed(sampler):
    from optuna.trial import TrialState

    space = _space()
    opt = OptunaOptimizer(space, 0, sampler=sampler, n_startup_trials=2)
    for i in range(5):
        config = opt.ask()
        config.check_valid_configuration()  # raises for an invalid configuration
        assert config["arch"] == "mlp" and config["size"] in ("small", "medium", "large")
        opt.tell(config, Result.failure("crashed") if i == 0 else Result(score=-float(i)))
    states = [t.state for t in opt._study.trials]
    assert states[0] == TrialState.FAIL and all(s == TrialState.COMPLETE for s in states[1:])
    assert opt._study.best_value == -1.0  # the failure is not a value: it never ranks above a success


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_configurations_it_did_not_ask_are_observations(sampler):
    """HPO-B's initial design is told before any ask: each becomes a finished trial of the study."""
    from optuna.trial import TrialState

    space = _space()
    opt = OptunaOptimizer(space, 0, sampler=sampler, n_startup_trials=2)
    design = space.sample_configuration(3)
    for i, config in enumerate(design):
        opt.tell(config, Result(score=float(i)) if i else Result.failure("crashed"))
    trials = opt._study.trials
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    sizes = ["small", "medium", "large"]  # the study holds an ordinal as its index, as asked ones are
    assert opt._study.best_value == 2.0 and opt._study.best_trial.params["size"] == sizes.index(design[2]["size"])
    nxt = opt.ask()  # asks go on from the observed design
    nxt.check_valid_configuration()
    opt.tell(nxt, Result(score=3.0))
    assert len(opt._study.trials) == 4


def test_conditional_spaces_are_asked_define_by_run_and_forbidden_draws_are_failed_trials():
    from ConfigSpace import ForbiddenAndConjunction, ForbiddenEqualsClause
    from optuna.trial import TrialState

    space = ConfigurationSpace(seed=0)
    a, b, c = Categorical("a", ["x", "y"]), Categorical("b", ["p", "q"]), Categorical("c", ["u", "v"], default="v")
    space.add([a, b, c, EqualsCondition(b, a, "x"),
               ForbiddenAndConjunction(ForbiddenEqualsClause(b, "p"), ForbiddenEqualsClause(c, "u"))])
    opt = OptunaOptimizer(space, 0, n_startup_trials=2)
    seen = []
    for i in range(12):
        config = opt.ask()
        config.check_valid_configuration()
        assert ("b" in config) == (config["a"] == "x")
        seen.append(dict(config))
        opt.tell(config, Result(score=float(i % 3)))
    assert {c["a"] for c in seen} == {"x", "y"}
    told = [t for t in opt._study.trials if not t.user_attrs.get("genhpo:forbidden")]
    assert len(told) == 12 and all(set(t.params) == set(s) for t, s in zip(told, seen))
    forbidden = [t for t in opt._study.trials if t.user_attrs.get("genhpo:forbidden")]
    assert 0 < len(forbidden) < 30  # scored as the worst result, the forbidden pair is soon left alone
    assert all(t.params.get("b") == "p" and t.params.get("c") == "u" for t in forbidden)
    assert all(t.state == TrialState.FAIL or t.value == 0.0 for t in forbidden)  # 0: the worst score told


def test_spaces_optuna_cannot_express_are_refused():
    with pytest.raises(ValueError, match="unknown Optuna sampler 'cmaes'"):
        OptunaOptimizer(_space(), 0, sampler="cmaes")


def test_the_registry_builds_both(nb201_cifar10):
    tpe, gp = make_baseline("tpe", nb201_cifar10, 1), make_baseline("gp", nb201_cifar10, 1)
    assert (tpe.settings()["sampler"], gp.settings()["sampler"]) == ("tpe", "gp")
    assert tpe.settings()["optuna_version"] == "5.0.0"


def test_the_gp_baseline_runs_optunas_batched_acquisition_optimisation():
    """The set-up installs greenlet (the ``optuna`` extra), so GPSampler batches its L-BFGS-B restarts as
    Optuna's users with its ``optional`` extra get it; a missing greenlet would make the baseline slower
    per trial than the sampler users run."""
    from optuna._gp import batched_lbfgsb

    assert batched_lbfgsb._greenlet_imports.is_successful(), "greenlet missing: pip install -e '.[optuna]'"
