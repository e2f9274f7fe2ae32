"""SMAC adapter: SMAC's own run directory (read back by DeepCAVE's converter), crash costs, quiet logging."""

from __future__ import annotations

import json
import logging
import os

import pytest

from genhpo.baselines.smac import SMACOptimizer
from genhpo.loop import run
from tests.optimizer_suite import FlakyNB201

SMAC_FILES = {"scenario.json", "configspace.json", "runhistory.json", "intensifier.json", "optimization.json"}
CRASHED, SUCCESS = 2, 1  # smac.runhistory.enumerations.StatusType values


@pytest.fixture(scope="module")
def flaky() -> FlakyNB201:
    return FlakyNB201("cifar10")


def test_run_directory_layout_and_runhistory_match_the_trials(tmp_path, flaky) -> None:
    optimizer = SMACOptimizer(flaky.config_space, 3, output_directory=tmp_path, n_trials=12, crash_cost=0.0)
    trials = run(optimizer, flaky, 8)
    assert optimizer.run_directory == tmp_path / "smac-hpo" / "3"  # SMAC's output_directory/name/seed
    assert SMAC_FILES <= set(os.listdir(optimizer.run_directory))
    scenario = json.loads((optimizer.run_directory / "scenario.json").read_text())
    assert scenario["seed"] == 3 and scenario["name"] == "smac-hpo" and scenario["n_trials"] == 12
    data = json.loads((optimizer.run_directory / "runhistory.json").read_text())["data"]
    assert len(data) == len(trials) == 8
    assert {t.status for t in trials} == {"ok", "failed"}
    for trial, row in zip(trials, data):
        if trial.status == "ok":
            assert row["status"] == SUCCESS and row["cost"] == pytest.approx(-trial.score)  # maximised -> minimised
        else:
            assert row["status"] == CRASHED and row["cost"] == 0.0 and "error" in row["additional_info"]


def test_deepcave_smac3v2_converter_reads_the_run_directory(tmp_path, flaky) -> None:
    converter = pytest.importorskip("deepcave.runs.converters.smac3v2")
    optimizer = SMACOptimizer(flaky.config_space, 1, output_directory=tmp_path, n_trials=12)
    trials = run(optimizer, flaky, 6)
    loaded = converter.SMAC3v2Run.from_path(optimizer.run_directory)
    assert len(loaded.history) == 6
    for trial, record in zip(trials, loaded.history):
        if trial.status == "ok":
            assert record.costs[0] == pytest.approx(-trial.score)
        else:
            assert record.costs[0] is None  # DeepCAVE shows SMAC's crashed trials without a cost


def test_default_crash_cost_is_the_worst_cost_of_any_success(tmp_path, flaky) -> None:
    optimizer = SMACOptimizer(flaky.config_space, 0, output_directory=tmp_path, n_trials=12)
    trials = run(optimizer, flaky, 8)
    data = json.loads((optimizer.run_directory / "runhistory.json").read_text())["data"]
    worst = max(-t.score for t in trials if t.status == "ok")
    crashed = [row for row in data if row["status"] == CRASHED]
    assert len(data) == 8 and len(crashed) == sum(t.status == "failed" for t in trials) > 0
    assert all(row["cost"] == pytest.approx(worst) for row in crashed)  # finite: inf breaks SMAC's forest


@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e6])
def test_a_failure_never_ranks_above_a_success_whatever_the_scores(scale) -> None:
    """A failure first, then scores -5 and -3 (score = -loss): SMAC must see the failure as at least as
    costly as the worst success (5), never 0, and keep the best success (-3) as its incumbent; a later,
    worse success raises the failure's cost with it."""
    from ConfigSpace import ConfigurationSpace, Float

    from genhpo.protocol import Result

    space = ConfigurationSpace({"x": Float("x", (0.0, 1.0))})
    optimizer = SMACOptimizer(space, 0, n_trials=20)
    asked = [optimizer.ask() for _ in range(4)]
    optimizer.tell(asked[0], Result.failure("crashed"))
    optimizer.tell(asked[1], Result(score=-5.0 * scale))
    optimizer.tell(asked[2], Result(score=-3.0 * scale))
    runhistory = optimizer._smac.runhistory
    costs = sorted(v.cost for v in runhistory.values() if v.status.name != "RUNNING")  # asked[3] is running
    assert costs == pytest.approx([3.0 * scale, 5.0 * scale, 5.0 * scale])
    assert dict(optimizer._smac.intensifier.get_incumbent()) == dict(asked[2])
    optimizer.tell(asked[3], Result(score=-9.0 * scale))  # worse than every success so far
    assert max(v.cost for v in runhistory.values() if v.status.name != "RUNNING") == pytest.approx(9.0 * scale)
    failed = runhistory.get_config_id(asked[0])
    assert [v.cost for k, v in runhistory.items() if k.config_id == failed] == pytest.approx([9.0 * scale])


def test_quiet_and_no_files_outside_a_temporary_directory(tmp_path, monkeypatch, capfd, caplog, nb201_cifar10) -> None:
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.WARNING)
    optimizer = SMACOptimizer(nb201_cifar10.config_space, 0, n_trials=12)
    run(optimizer, nb201_cifar10, 8)
    assert optimizer.run_directory is None and os.listdir(tmp_path) == []
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert not [r for r in caplog.records if r.name.startswith("smac")]


def test_bad_input_is_refused(nb201_cifar10) -> None:
    space = nb201_cifar10.config_space
    with pytest.raises(ValueError, match="facade"):
        SMACOptimizer(space, 0, facade="rf")
    with pytest.raises(ValueError, match="n_trials"):
        SMACOptimizer(space, 0, n_trials=0)
    with pytest.raises(ValueError, match="crash_cost"):
        SMACOptimizer(space, 0, crash_cost=float("inf"))
    optimizer = SMACOptimizer(space, 0, n_trials=12)
    config = optimizer.ask()
    other = next(c for c in (space.sample_configuration() for _ in range(50)) if c != config)
    with pytest.raises(ValueError, match="did not ask"):
        optimizer.tell(other, nb201_cifar10.evaluate(other))


def _branin_like(config) -> float:
    return -((config["x"] - 0.3) ** 2 + (config["y"] - 0.7) ** 2)


def _unit_square():
    from ConfigSpace import ConfigurationSpace

    return ConfigurationSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)}, seed=1)


def test_results_told_before_the_first_ask_warm_start_smac(tmp_path) -> None:
    """The told rows go into SMAC's run history with their costs, and they replace as many configurations
    of SMAC's initial design: 30 trials -> a design of 7 (25 %), so 2 Sobol points, then the model's."""
    from genhpo.protocol import Result

    space = _unit_square()
    rows = list(space.sample_configuration(5))
    optimizer = SMACOptimizer(space, 0, n_trials=30, output_directory=tmp_path)
    for row in rows:
        optimizer.tell(row, Result(score=_branin_like(row)))
    asked = []
    for _ in range(4):
        config = optimizer.ask()
        asked.append(config)
        optimizer.tell(config, Result(score=_branin_like(config)))
    data = json.loads((optimizer.run_directory / "runhistory.json").read_text())
    configs = {int(k): v for k, v in data["configs"].items()}
    told = [(configs[row["config_id"]], row["cost"]) for row in data["data"]]
    assert len(told) == 9
    for (values, cost), row in zip(told[:5], rows):  # the warm start, in the order told
        assert values == pytest.approx(dict(row)) and cost == pytest.approx(-_branin_like(row))
    assert not any(dict(c) == dict(r) for c in asked for r in rows)  # never asked again
    origins = [data["config_origins"][str(row["config_id"])] for row in data["data"][5:]]
    assert [o.startswith("Initial Design") for o in origins] == [True, True, False, False]


def test_warm_start_is_reproducible_and_differs_from_a_cold_start() -> None:
    from genhpo.protocol import Result

    def first_asks(warm: bool) -> list[dict]:
        space = _unit_square()
        optimizer = SMACOptimizer(space, 4, n_trials=20)
        if warm:
            for row in _five_rows(space):
                optimizer.tell(row, Result(score=_branin_like(row)))
        out = []
        for _ in range(8):
            config = optimizer.ask()
            optimizer.tell(config, Result(score=_branin_like(config)))
            out.append(dict(config))
        return out

    assert first_asks(True) == first_asks(True)
    assert first_asks(True) != first_asks(False)


def _five_rows(space) -> list:  # five fixed rows of the unit square
    from ConfigSpace import Configuration

    return [Configuration(space, values={"x": x, "y": y}) for x, y in
            [(0.1, 0.1), (0.9, 0.2), (0.5, 0.5), (0.2, 0.9), (0.8, 0.8)]]


def test_a_failed_warm_start_row_is_held_until_a_success(tmp_path) -> None:
    from genhpo.protocol import Result

    space = _unit_square()
    optimizer = SMACOptimizer(space, 0, n_trials=20, output_directory=tmp_path)
    rows = _five_rows(space)
    optimizer.tell(rows[0], Result(score=float("nan"), status="failed", error="diverged"))
    optimizer.tell(rows[1], Result(score=-2.0))
    config = optimizer.ask()
    optimizer.tell(config, Result(score=-1.0))
    data = json.loads((optimizer.run_directory / "runhistory.json").read_text())["data"]
    status = {row["config_id"]: (row["status"], row["cost"]) for row in data}
    assert sorted(status.values()) == sorted([(CRASHED, 2.0), (SUCCESS, 2.0), (SUCCESS, 1.0)])


def test_unasked_results_are_refused_after_the_first_ask_and_for_the_multi_fidelity_facade() -> None:
    from genhpo.benchmarks.base import Fidelity
    from genhpo.protocol import Result

    space = _unit_square()
    rows = _five_rows(space)
    optimizer = SMACOptimizer(space, 0, n_trials=20)
    optimizer.ask()
    with pytest.raises(ValueError, match="only before its first ask"):
        optimizer.tell(rows[0], Result(score=0.0))
    mf = SMACOptimizer(space, 0, facade="mf", n_trials=20, fidelity=Fidelity("epochs", 1, 9))
    with pytest.raises(ValueError, match="multi-fidelity facade takes only results it asked"):
        mf.tell(rows[0], Result(score=0.0))
    fresh = SMACOptimizer(space, 0, n_trials=20)
    with pytest.raises(ValueError):
        fresh.tell({"x": 0.5, "z": 1.0}, Result(score=0.0))  # not a configuration of this space
    fresh.tell(rows[0], Result(score=-1.0))  # the refused tell left it able to warm-start
    with pytest.raises(ValueError, match="already told before the first ask"):
        fresh.tell(rows[0], Result(score=-0.5))  # one result per configuration, never a silent overwrite
    assert fresh.ask() is not None
