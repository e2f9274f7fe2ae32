"""The real-training multi-fidelity benchmark and the optimizers that use its fidelity."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from ConfigSpace import Configuration

from genhpo import benchmarks, loop
from genhpo.baselines.hyperband import Hyperband
from genhpo.baselines.random_search import RandomSearch
from genhpo.benchmarks.mlp_epochs import MLPEpochsBenchmark
from genhpo.runner.registry import identity, make_optimizer


@pytest.fixture(scope="module")
def mlp():
    return benchmarks.make("mlp-epochs", "wine")  # the smallest dataset: each training well under a second


def test_more_epochs_train_the_same_network_further(mlp):
    config = mlp.config_space.get_default_configuration()
    one, full = mlp.evaluate(config, fidelity=1), mlp.evaluate(config)
    assert full.metrics["epochs"] == 27 and one.metrics["epochs"] == 1
    assert full.score > one.score and 0 < one.cost and 0 < full.cost
    assert mlp.evaluate(config).score == full.score  # deterministic: fixed split and network seed
    with pytest.raises(ValueError, match=r"fidelity 30 outside \[1, 27\] for epochs"):
        mlp.evaluate(config, fidelity=30)
    # a fractional epoch count is refused, not truncated; a bool or a string is not a fidelity
    for bad in (2.5, 26.9, True, "9", float("nan")):
        with pytest.raises(ValueError, match=r"is not a whole number of epochs in \[1, 27\]"):
            mlp.evaluate(config, fidelity=bad)
    assert mlp.evaluate(config, fidelity=np.float64(3.0)).metrics["epochs"] == 3
    with pytest.raises(ValueError, match="unknown mlp-epochs dataset 'iris'; accepted: digits, breast_cancer, wine"):
        MLPEpochsBenchmark("iris")


def test_an_optimizer_set_up_for_another_fidelity_range_is_refused(mlp):
    """Hyperband set up for 1..81 epochs on a benchmark of 1..27 would ask 81; set up for 1..9 it would never
    make a full (27-epoch) evaluation, so the run would not end. Both are refused before the first ask, naming
    both ranges. An optimizer without a declared range that asks outside the benchmark's range is refused
    at that ask; DEHB-style rounding (0.9999999999999999 x lower) is still snapped."""
    from genhpo.benchmarks.base import Fidelity

    for upper in (81, 9):
        other = Hyperband(RandomSearch(mlp.config_space, 0), Fidelity("epochs", 1, upper, integer=True), eta=3)
        with pytest.raises(ValueError, match=rf"fidelity range \[1, {upper}\] of epochs does not end at "
                                             r"mlp-epochs/wine's full fidelity: its range is \[1, 27\]"):
            loop.run(other, mlp, 3)
    with pytest.raises(ValueError, match=r"asked fidelity 81 of epochs, outside mlp-epochs.*range \[1, 27\]"):
        loop._snapped(81.0, mlp)
    assert loop._snapped(0.9999999999999999, mlp) == 1.0 and loop._snapped(27.000000000001, mlp) == 27.0


def test_hyperband_brackets_by_hand(mlp):
    optimizer = Hyperband(RandomSearch(mlp.config_space, 0), mlp.fidelity_space, eta=3)
    assert optimizer.s_max == 3
    trials = loop.run(optimizer, mlp, 8)  # one full cycle of the four brackets: 1 + 1 + 2 + 4 full evaluations
    budgets = Counter(t.fidelity for t in trials)
    # bracket 3: 27@1, 9@3, 3@9, 1@27; bracket 2: 12@3, 4@9, 1@27; bracket 1: 6@9, 2@27; bracket 0: 4@27
    assert budgets == {1.0: 27, 3.0: 9 + 12, 9.0: 3 + 4 + 6, 27.0: 1 + 1 + 2 + 4}
    first = trials[:27]
    promoted = {tuple(sorted(t.config.items())) for t in trials[27:36]}
    best = sorted(first, key=lambda t: t.score, reverse=True)[:9]
    assert promoted == {tuple(sorted(t.config.items())) for t in best}  # the top third goes on


def test_hyperband_tells_its_inner_optimizer_each_configuration_once(mlp):
    told = []

    class Recording(RandomSearch):
        def _tell(self, config: Configuration, result) -> None:
            told.append((dict(config), result.score))
            super()._tell(config, result)

    trials = loop.run(Hyperband(Recording(mlp.config_space, 1), mlp.fidelity_space), mlp, 8)
    configs = [c for c, _ in told]
    assert len(told) == 27 + 12 + 6 + 4 and all(configs.count(c) == 1 for c in configs)
    # each is told its result at the highest budget it reached
    last = {}
    for t in trials:
        last[tuple(sorted(t.config.items()))] = t.score
    assert all(score == last[tuple(sorted(c.items()))] for c, score in told)


def test_hyperband_needs_a_fidelity(tmp_path):
    with pytest.raises(ValueError, match="Hyperband needs a benchmark with a fidelity"):
        make_optimizer("hyperband", benchmarks.make("nb201", "cifar10"), 0, tmp_path)
    with pytest.raises(ValueError, match="Hyperband needs a benchmark with a fidelity"):
        identity("genhpo-hb", benchmarks.make("nb201", "cifar10"), 0, tmp_path)
    with pytest.raises(ValueError, match="multi-fidelity facade needs a benchmark with a fidelity"):
        make_optimizer("smac-mf", benchmarks.make("nb201", "cifar10"), 0, tmp_path)


@pytest.mark.parametrize("name", ["genhpo-hb", "smac-mf", "dehb"])
def test_multi_fidelity_optimizers_use_the_rungs(name, mlp, tmp_path):
    optimizer = make_optimizer(name, mlp, 0, tmp_path, n_trials=3)
    trials = loop.run(optimizer, mlp, 3)
    fidelities = {t.fidelity for t in trials}
    assert 27.0 in fidelities and min(fidelities) < 27
    assert sum(t.fidelity == 27.0 for t in trials) == 3
    if name == "genhpo-hb":
        assert identity(name, mlp, 0, tmp_path / "x") == optimizer.settings()
        assert not math.isnan(trials[-1].score)


def test_hyperband_asks_a_rung_of_the_generative_optimizer_as_one_batch(mlp, tmp_path):
    """genhpo-hb proposes bracket 3's 27 rung-0 configurations with one ask(27), so each pending one
    steers the next; random search (no batch ask) is asked one at a time, as before."""
    optimizer = make_optimizer("genhpo-hb", mlp, 0, tmp_path)
    calls = []
    inner_ask = optimizer.inner.ask
    optimizer.inner.ask = lambda n=None: calls.append(n) or inner_ask(n)
    first = [optimizer.ask() for _ in range(27)]
    assert calls == [27] and optimizer.settings()["batch"] is True
    assert len({tuple(sorted(c.items())) for c in first}) == 27
    assert not Hyperband(RandomSearch(mlp.config_space, 0), mlp.fidelity_space).batch
    assert "batch" not in make_optimizer("hyperband", mlp, 0, tmp_path).settings()
