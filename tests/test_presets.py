"""Presets: building never trains; the cold model of a new space is trained once and cached; a run's
identity comes from the cards alone."""

from __future__ import annotations

import pytest
from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace, UniformFloatHyperparameter

from genhpo import presets
from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.metatrain import recipes


def _new_space() -> ConfigurationSpace:
    space = ConfigurationSpace(seed=0)
    space.add([CategoricalHyperparameter("act", ["relu", "tanh"]), UniformFloatHyperparameter("lr", 1e-4, 1e-1, log=True)])
    return space


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GENHPO_CACHE", str(tmp_path))
    monkeypatch.setattr(presets, "_LOADED", {})
    trained = []
    real = recipes.train_quick_cold

    def counting(space, out):
        trained.append(out)
        return real(space, out)

    monkeypatch.setattr(presets, "train_quick_cold", counting)
    return trained


def test_a_new_space_is_trained_once_then_read_from_the_cache(cache, monkeypatch):
    space = _new_space()
    identity = presets.identity("genhpo-cold", _Bench(space), 0)
    assert identity["checkpoint_sha256"] is None and not cache  # deciding a skip trains nothing
    first = presets.for_space(space, 0)
    assert len(cache) == 1 and first.card["kind"] == "cold-start" and first.card["sha256"]
    monkeypatch.setattr(presets, "_LOADED", {})  # a new process: the model comes from the cache
    second = presets.for_space(space, 1)
    assert len(cache) == 1 and second.card["sha256"] == first.card["sha256"]
    assert presets.identity("genhpo-cold", _Bench(space), 1) == second.settings()
    assert presets.for_space(space, 0, temperature=0.0).config.temperature == 0.0
    with pytest.raises(ValueError, match="unknown suggestion settings"):
        presets.for_space(space, 0, tempreature=0.0)


def test_the_cold_card_settings_follow_the_space_size(cache):
    """Decision 023: up to 4 hyperparameters the chosen candidate is taken as drawn (no local search, no
    polish) with 10 % random candidates; above, the acquisition is optimised and the top candidate taken."""
    small = presets.for_space(_new_space(), 0).config
    assert (small.refine, small.polish, small.exploration) == (0, 0, 0.1)
    space = _new_space()
    space.add([UniformFloatHyperparameter(f"x{i}", 0.0, 1.0) for i in range(3)])  # 5 hyperparameters
    large = presets.for_space(space, 0).config
    assert (large.refine, large.polish, large.exploration, large.gp_refit) == (4, 20, 0.0, 5)  # decision 027
    assert small.gp_refit == 1
    # decision 031: larger spaces fit one length scale per entry under priors; small ones before the hand-over not
    assert large.gp_ard and large.gp_prior and not small.gp_ard and not small.gp_prior
    # decisions 030, 032: small spaces hand over to the GP-led ranking after 30 results; larger ones never do
    assert small.late_after == 30 and small.late_config().gp == 100.0 and small.late_config().polish == 20
    assert large.late_after == 0 and large.late_config() is None
    assert small.gp == large.gp == 10.0 and small.local_scales == large.local_scales == 4
    assert len(cache) == 2


def test_constants_do_not_count_towards_the_space_size(cache):
    """A constant is not encoded, so a space with one more constant shares the cached cold model of the space
    without it: it must also share its settings, whichever of the two was built first."""
    from ConfigSpace import ConfigurationSpace, Constant, Float

    def space(constant: bool) -> ConfigurationSpace:
        s = ConfigurationSpace(seed=0)
        s.add([Float(f"x{i}", (0.0, 1.0)) for i in range(4)] + ([Constant("c", 1)] if constant else []))
        return s

    with_constant = presets.for_space(space(True), 0).config
    without = presets.for_space(space(False), 0).config
    assert with_constant == without and with_constant.late_after == 30 and not with_constant.gp_ard
    assert len(cache) == 1


def test_shipped_presets_and_their_identity(nb201_cifar10, cache):
    opt = presets.for_benchmark(nb201_cifar10, 3)
    assert opt.card["name"] == "nb201-holdout-cifar10" and not cache
    assert presets.identity("genhpo", nb201_cifar10, 3) == opt.settings()
    cold = presets.for_benchmark(nb201_cifar10, 3, checkpoint="nb201-cold")
    assert cold.card["name"] == "nb201-cold"
    assert presets.identity("genhpo", nb201_cifar10, 3, checkpoint="nb201-cold") == cold.settings()
    assert presets.identity("genhpo-cold", nb201_cifar10, 3) == presets.for_space(nb201_cifar10.config_space, 3).settings()
    with pytest.raises(ValueError, match="no checkpoint 'nope'"):
        presets.for_benchmark(NB201Benchmark("cifar100"), 0, checkpoint="nope")
    with pytest.raises(ValueError, match="no generative-optimizer preset"):
        presets.identity("rs", nb201_cifar10, 0)


class _Bench:
    """The attributes ``identity`` reads of a benchmark without a checkpoint."""

    name, dataset = "new-space", "only"

    def __init__(self, space):
        self.config_space = space


def test_the_phase_says_when_the_late_settings_take_over(cache):
    """The small card's suggestions use its late phase from ``late_after`` results on, and ``phase`` says so;
    a larger space's card has no late phase."""
    from genhpo.protocol import Result

    optimizer = presets.for_space(_new_space(), 0)
    late_after = optimizer.config.late_after
    assert optimizer.phase == "early" and late_after > 0
    phases = []
    for _ in range(late_after + 2):
        config = optimizer.ask()
        phases.append(optimizer.phase)  # the phase of the suggestion just made, with len(phases) - 1 results
        optimizer.tell(config, Result(score=-abs(float(config["lr"]) - 0.01)))
    assert phases == ["early"] * late_after + ["late", "late"]
    space = _new_space()
    space.add([UniformFloatHyperparameter(f"x{i}", 0.0, 1.0) for i in range(3)])
    large = presets.for_space(space, 0)
    large.tell(large.ask(), Result(score=0.0))
    large.ask()
    assert large.phase == "early" and large.config.late_after == 0
