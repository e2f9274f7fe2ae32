"""Regularized Evolution: NASLib's defaults, one-hyperparameter mutation to a different value, aging."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ConfigSpace import ConfigurationSpace, EqualsCondition, NormalFloatHyperparameter

from genhpo.baselines.regularized_evolution import RegularizedEvolution
from genhpo.protocol import Result
from tests.optimizer_suite import MixedBenchmark


def test_naslib_defaults() -> None:
    settings = RegularizedEvolution(MixedBenchmark().config_space, 0).settings()
    assert settings["population_size"] == 30 and settings["sample_size"] == 10  # nb201_defaults.yaml


@pytest.mark.parametrize("seed", [0, 1])
def test_mutation_changes_exactly_one_hyperparameter_to_a_different_value(seed: int) -> None:
    space = MixedBenchmark().config_space
    re = RegularizedEvolution(space, seed)
    changed: dict[str, int] = {}
    for _ in range(400):
        parent = space.sample_configuration()
        child = re._mutate(parent)
        diff = [name for name in space if child[name] != parent[name]]
        assert len(diff) == 1, (dict(parent), dict(child))
        changed[diff[0]] = changed.get(diff[0], 0) + 1
        if diff[0] == "size":  # ordinal: an adjacent value of the sequence
            seq = list(space["size"].sequence)
            assert abs(seq.index(child["size"]) - seq.index(parent["size"])) == 1
    assert set(changed) == set(space.keys())  # every hyperparameter gets mutated
    assert min(changed.values()) > 50  # chosen uniformly: 100 expected each


def test_integer_at_a_bound_with_tiny_steps_still_moves() -> None:
    space = ConfigurationSpace({"n": (1, 2)})
    re = RegularizedEvolution(space, 0, numeric_step=1e-6)
    parent = space.get_default_configuration()
    for _ in range(5):
        assert re._mutate(parent)["n"] != parent["n"]


def test_population_phase_then_tournament_with_aging() -> None:
    space = MixedBenchmark().config_space
    re = RegularizedEvolution(space, 0, population_size=4, sample_size=60)  # misses the best w.p. 0.75**60
    scores = iter([1.0, 5.0, 2.0, 3.0])
    firsts = []
    for _ in range(4):  # the population is filled with random configurations
        config = re.ask()
        firsts.append(config)
        re.tell(config, Result(score=next(scores)))
    best = firsts[1]
    child = re.ask()  # parent: the best of the tournament sample (drawn with replacement)
    assert sum(child[n] != best[n] for n in space) == 1
    re.tell(child, Result.failure("crash"))
    assert len(re._population) == 4 and re._population[0][0] == firsts[1]  # the oldest member died
    assert re._population[-1][1] == -np.inf  # a failure enters with score -inf


def test_mutation_on_a_conditional_space_activates_and_drops_children() -> None:
    """Past a population of 2, children switch ``opt``: momentum appears (sampled) and disappears."""
    space = ConfigurationSpace({"opt": ["sgd", "adam"], "momentum": (0.0, 1.0), "lr": (1e-3, 1.0)})
    space.add(EqualsCondition(space["momentum"], space["opt"], "sgd"))
    re = RegularizedEvolution(space, 0, population_size=2, sample_size=1)
    configs = []
    for _ in range(40):
        config = re.ask()
        configs.append(dict(config))
        re.tell(config, Result(score=-config["lr"]))
    assert all(("momentum" in c) == (c["opt"] == "sgd") for c in configs)
    switched = [(a["opt"], b["opt"]) for a, b in itertools.pairwise(configs[2:]) if a["opt"] != b["opt"]]
    assert ("adam", "sgd") in switched and ("sgd", "adam") in switched
    assert len({c["momentum"] for c in configs if "momentum" in c}) > 3


def test_unsupported_spaces_and_settings_are_refused_at_construction() -> None:
    normal = ConfigurationSpace()
    normal.add(NormalFloatHyperparameter("x", mu=0.0, sigma=1.0, lower=-3.0, upper=3.0))
    with pytest.raises(ValueError, match="NormalFloat"):
        RegularizedEvolution(normal, 0)
    with pytest.raises(ValueError, match="constant"):
        RegularizedEvolution(ConfigurationSpace({"c": "fixed"}), 0)
    with pytest.raises(ValueError, match="population_size"):
        RegularizedEvolution(MixedBenchmark().config_space, 0, population_size=0)
    with pytest.raises(ValueError, match="sample_size"):
        RegularizedEvolution(MixedBenchmark().config_space, 0, sample_size=1.5)
