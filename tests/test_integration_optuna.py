"""genhpo's Optuna sampler through Optuna's own sampler test suites (optuna.testing.pytest_samplers)."""

from __future__ import annotations

import pytest

optuna = pytest.importorskip("optuna")

from optuna.testing.pytest_samplers import (
    BasicSamplerTestCase,
    RelativeSamplerTestCase,
    SingleOnlySamplerTestCase,
)

from genhpo.integrations.optuna import GenerativeSampler, save_for_deepcave


class TestGenerativeSampler(BasicSamplerTestCase, RelativeSamplerTestCase, SingleOnlySamplerTestCase):
    @pytest.fixture
    def sampler(self):
        return lambda: GenerativeSampler(seed=0)


def test_two_processes_on_one_sqlite_study_never_duplicate_a_finite_space(tmp_path):
    """Two worker processes share one SQLite storage on a 27-configuration space: every trial
    completes and no configuration is evaluated twice."""
    import subprocess
    import sys

    storage = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="s", storage=storage, direction="maximize")
    worker = f"""
import sys, time, optuna
from genhpo.integrations.optuna import GenerativeSampler
optuna.logging.set_verbosity(optuna.logging.WARNING)
def objective(trial):
    a = trial.suggest_categorical("a", ["x", "y", "z"])
    b = trial.suggest_categorical("b", ["p", "q", "r"])
    c = trial.suggest_int("c", 0, 2)
    time.sleep(0.05)
    return {{"x": 1, "y": 2, "z": 3}}[a] * (c + 1) + {{"p": 0.1, "q": 0.2, "r": 0.3}}[b]
study = optuna.load_study(study_name="s", storage={storage!r}, sampler=GenerativeSampler(seed=int(sys.argv[1])))
study.optimize(objective, n_trials=10)
"""
    procs = [subprocess.Popen([sys.executable, "-c", worker, str(seed)], stderr=subprocess.PIPE, text=True)
             for seed in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
    trials = optuna.load_study(study_name="s", storage=storage).trials
    assert len(trials) == 20 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    configs = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(configs)) == 20, sorted(configs)


def test_failures_minimise_and_bad_input():
    """FAIL and NaN trials never rank above a success; minimisation is honoured; multi-objective refused."""
    from optuna.trial import TrialState

    def objective(trial):
        x = trial.suggest_categorical("x", ["a", "b", "c", "d"])
        y = trial.suggest_int("y", 0, 3)
        if x == "a":
            raise RuntimeError("crash")
        return float("nan") if x == "b" else {"c": 1.0, "d": 2.0}[x] + y

    study = optuna.create_study(direction="minimize", sampler=GenerativeSampler(seed=3))
    study.optimize(objective, n_trials=16, catch=(RuntimeError,))
    states = [t.state for t in study.trials]
    assert TrialState.FAIL in states and TrialState.COMPLETE in states
    assert study.best_value == min(t.value for t in study.trials if t.state == TrialState.COMPLETE)
    assert len({tuple(sorted(t.params.items())) for t in study.trials}) == 16  # 16 cells: none twice
    with pytest.raises(ValueError, match="unknown suggestion settings"):
        GenerativeSampler(tempreature=0.1)


def test_a_study_declaring_nb201s_edges_gets_the_shipped_cold_start_checkpoint(nb201_cifar10):
    """The six edges as suggest_categorical with genhpo.spaces.nb201's names and op order: the study's
    space has NB201's signature, so the sampler uses nb201-cold (and a named transfer checkpoint loads)."""
    from genhpo.spaces import nb201

    def objective(trial):
        config = {name: trial.suggest_categorical(name, list(nb201.OPS)) for name in nb201.HP_NAMES}
        return nb201_cifar10.evaluate(config).score

    sampler = GenerativeSampler(seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=3)
    (_, optimizer, _), = sampler._state.values()
    assert optimizer.card["name"] == "nb201-cold"
    transfer = GenerativeSampler(seed=0, checkpoint="nb201-holdout-cifar10")
    optuna.create_study(direction="maximize", sampler=transfer).optimize(objective, n_trials=3)
    assert next(iter(transfer._state.values()))[1].card["name"] == "nb201-holdout-cifar10"


def test_a_study_run_with_the_sampler_opens_in_deepcaves_optuna_converter(tmp_path):
    """DeepCAVE reads an Optuna run as a folder holding one pickled study (its OptunaRun converter):
    a study sampled by GenerativeSampler, with a failed trial, saved by save_for_deepcave, loads there
    (DeepCAVE 1.4.1 fails on the raw study: a failed trial has no values)."""
    import math
    import pickle

    from deepcave.runs.converters.optuna import OptunaRun

    def objective(trial):
        x = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        n = trial.suggest_int("layers", 1, 4)
        act = trial.suggest_categorical("act", ["relu", "tanh"])
        if trial.number == 3:
            raise RuntimeError("diverged")  # a FAIL trial
        return (math.log10(x) + 2) ** 2 + 0.1 * n + (act == "tanh")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name="genhpo-study", sampler=GenerativeSampler(seed=0))
    study.optimize(objective, n_trials=12, catch=(RuntimeError,))
    folder = tmp_path / "genhpo-study"
    assert save_for_deepcave(study, folder) == folder / "study.pkl"
    assert study.trials[3].values is None  # the user's study is unchanged
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "study.pkl").write_bytes(pickle.dumps(study))
    with pytest.raises(TypeError):  # why the helper exists: DeepCAVE 1.4.1 on the study as it is
        OptunaRun.from_path(raw)
    assert OptunaRun.is_valid_run(str(folder))
    run = OptunaRun.from_path(folder)
    assert len(run.history) == 12
    statuses = [t.status.name for t in run.history]
    assert statuses.count("FAILED") == 1 and statuses.count("SUCCESS") == 11
    loaded = sorted(t.costs[0] for t in run.history if t.status.name == "SUCCESS")
    assert loaded == pytest.approx(sorted(t.value for t in study.trials if t.value is not None))
    assert set(run.configspace) == {"lr", "layers", "act"}
    # the pickled sampler goes on sampling after loading (its optimizers rebuilt from the study)
    again = pickle.loads((folder / "study.pkl").read_bytes())
    again.optimize(objective, n_trials=2)
    assert len(again.trials) == 14
