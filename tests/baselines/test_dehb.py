"""DEHB's fidelity rule: the declared range when a benchmark has one, full fidelity (one rung) otherwise."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import pytest
from ConfigSpace import ConfigurationSpace, ForbiddenEqualsClause

from genhpo.baselines import make_baseline
from genhpo.baselines.dehb import DEHBOptimizer
from genhpo.benchmarks.base import Fidelity
from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.loop import run
from genhpo.protocol import Result
from tests.optimizer_suite import MixedBenchmark


class EpochsBenchmark(MixedBenchmark):
    """MixedBenchmark trained for 1..27 epochs: lower fidelity, lower score; records every fidelity it is given."""

    fidelity_space = Fidelity("epochs", 1, 27)

    def __init__(self, lower: float = 1, upper: float = 27) -> None:
        super().__init__()
        self.fidelity_space = Fidelity("epochs", lower, upper)
        self.seen: list[float | None] = []

    def _evaluate(self, config: Mapping[str, Any], fidelity, rng) -> Result:
        self.seen.append(fidelity)
        full = super()._evaluate(config, None, rng).score
        epochs = self.fidelity_space.upper if fidelity is None else fidelity
        return Result(score=full - 10.0 / epochs, cost=float(epochs))


class RecordingNB201(NB201Benchmark):
    def __init__(self, dataset: str) -> None:
        super().__init__(dataset)
        self.seen: list[float | None] = []

    def _evaluate(self, config, fidelity, rng) -> Result:
        self.seen.append(fidelity)
        return super()._evaluate(config, fidelity, rng)


def test_multi_fidelity_benchmark_gets_dehb_rungs_and_only_full_ones_count() -> None:
    bench = EpochsBenchmark()
    optimizer = make_baseline("dehb", bench, seed=0)
    trials = run(optimizer, bench, n_trials=3)
    rungs = [1.0, 3.0, 9.0, 27.0]  # eta = 3 on [1, 27]
    assert optimizer.settings()["rungs"] == pytest.approx(rungs)
    fidelities = [t.fidelity for t in trials]
    assert bench.seen == fidelities  # evaluated exactly at the fidelity DEHB asked for
    assert all(any(f == pytest.approx(r) for r in rungs) for f in fidelities)
    assert sum(f == 27.0 for f in fidelities) == 3  # the budget counts full evaluations only
    assert min(fidelities) == pytest.approx(1.0)  # the first bracket starts at the lowest rung
    assert len(trials) > 3 and fidelities[-1] == 27.0


def test_single_fidelity_benchmark_is_evaluated_at_full_fidelity_only() -> None:
    bench = RecordingNB201("cifar10")
    optimizer = make_baseline("dehb", bench, seed=0, population_size=8)
    trials = run(optimizer, bench, n_trials=30)
    assert len(trials) == 30 and bench.n_evaluations == 30
    assert bench.seen == [None] * 30 and all(t.fidelity is None for t in trials)
    internal = optimizer._dehb
    assert list(internal.fidelities) == [1.0] and internal.max_SH_iter == 1  # exactly one rung
    assert {float(job[4]) for job in internal.history} == {1.0}  # every job DEHB ran was at its top rung
    assert internal._max_pop_size == {1.0: 8}


def test_a_degenerate_range_is_single_fidelity() -> None:
    bench = EpochsBenchmark(lower=27, upper=27)
    optimizer = DEHBOptimizer(bench.config_space, 0, fidelity=bench.fidelity_space)
    trials = run(optimizer, bench, n_trials=5)
    assert [t.fidelity for t in trials] == [None] * 5 and bench.seen == [None] * 5


def test_bad_settings_and_spaces_are_refused_at_construction() -> None:
    space = MixedBenchmark().config_space
    with pytest.raises(ValueError, match="eta"):
        DEHBOptimizer(space, 0, eta=1)
    with pytest.raises(ValueError, match="population_size"):
        DEHBOptimizer(space, 0, population_size=2)
    with pytest.raises(TypeError, match="Fidelity"):
        DEHBOptimizer(space, 0, fidelity=(1, 27))
    forbidden = ConfigurationSpace({"a": ["x", "y"], "b": ["u", "v"]})
    forbidden.add(ForbiddenEqualsClause(forbidden["a"], "y"))
    with pytest.raises(ValueError, match="forbidden"):
        DEHBOptimizer(forbidden, 0)


def test_dehb_writes_only_into_its_output_directory_and_prints_nothing(tmp_path, monkeypatch, capfd) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    bench = EpochsBenchmark()
    run(
        DEHBOptimizer(bench.config_space, 0, fidelity=bench.fidelity_space, output_directory=tmp_path / "dehb"),
        bench,
        1,
    )
    assert os.listdir(workdir) == []
    assert (tmp_path / "dehb" / "dehb.log").exists()
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # DEHB's ConfigSpace 0.x calls
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 10])
def test_every_categorical_and_ordinal_choice_decodes_to_itself(n: int) -> None:
    from ConfigSpace import CategoricalHyperparameter, Configuration, OrdinalHyperparameter

    space = ConfigurationSpace()
    space.add([CategoricalHyperparameter("c", [f"v{i}" for i in range(n)]), OrdinalHyperparameter("o", list(range(n)))])
    de = DEHBOptimizer(space, 0, population_size=4)._dehb.de[1.0]
    for i in range(n):
        config = Configuration(de.cs, values={"c": f"v{i}", "o": i})
        decoded = de.vector_to_configspace(de.configspace_to_vector(config))
        assert (decoded["c"], decoded["o"]) == (f"v{i}", i)  # DEHB 0.1.2 alone turns choice 3 of 5 into 2


def test_stock_decoding_is_still_available_and_recorded() -> None:
    space = NB201Benchmark("cifar10").config_space
    optimizer = DEHBOptimizer(space, 0, exact_decoding=False)
    assert optimizer.settings()["exact_decoding"] is False
    assert DEHBOptimizer(space, 0).settings()["exact_decoding"] is True


@pytest.mark.parametrize(("lower", "upper"), [(1, 243), (1, 729), (2, 486), (3, 729)])
@pytest.mark.parametrize("integer", [False, True])
def test_fidelities_stay_inside_the_declared_range(lower, upper, integer) -> None:
    """Ranges whose ratio is a power of eta: stock DEHB builds one rung fewer on CPUs whose log rounds the
    ratio down, and a lowest rung off lower by round-off; every rung from lower to upper is asked, exactly."""
    bench = EpochsBenchmark(lower, upper)
    bench.fidelity_space = Fidelity("epochs", lower, upper, integer=integer)
    trials = run(make_baseline("dehb", bench, seed=0), bench, n_trials=1)
    assert all(t.status == "ok" for t in trials) and len(trials) > 1
    assert all(lower <= t.fidelity <= upper for t in trials) and min(t.fidelity for t in trials) == lower
    assert sorted({t.fidelity for t in trials}) == [lower * 3**k for k in range(round(math.log(upper / lower, 3)) + 1)]
    if integer:
        assert all(float(t.fidelity).is_integer() for t in trials)


def test_a_rung_of_failures_does_not_end_the_run() -> None:
    """Every evaluation below 3 epochs fails, so DEHB's first rung has nothing to promote; the run goes on."""

    class FailsBelowThree(EpochsBenchmark):
        def _evaluate(self, config, fidelity, rng) -> Result:
            if fidelity is not None and fidelity < 3:
                raise RuntimeError("diverged below 3 epochs")
            return super()._evaluate(config, fidelity, rng)

    bench = FailsBelowThree(1, 27)
    trials = run(make_baseline("dehb", bench, seed=0), bench, n_trials=10)
    assert sum(t.fidelity == 27 for t in trials) == 10
    failed = [t for t in trials if t.status == "failed"]
    assert failed and all(t.fidelity < 3 for t in failed)


def test_fidelity_snap_and_integer_bounds() -> None:
    f = Fidelity("epochs", 1, 243, integer=True)
    assert f.snap(0.9999999999999999) == 1.0 and f.snap(80.6) == 81.0 and f.snap(300) == 243.0
    assert Fidelity("epochs", 1, 243).snap(2.5) == 2.5
    with pytest.raises(ValueError, match="integer bounds"):
        Fidelity("epochs", 0.5, 10, integer=True)
