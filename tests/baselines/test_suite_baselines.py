"""Every baseline through the shared optimizer suite (tests/optimizer_suite.py), built by the registry."""

from __future__ import annotations

from genhpo.baselines import make_baseline
from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Optimizer
from tests.optimizer_suite import OptimizerSuite


class TestRandomSearch(OptimizerSuite):
    no_repeats = True
    conditional_space = True

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("rs", benchmark, seed)


class TestRegularizedEvolution(OptimizerSuite):
    determinism_trials = 16  # past a population of 8: tournament and mutation steps included
    conditional_space = True
    conditional_trials = 30  # 22 mutations: branches switch, children activate and deactivate

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("re", benchmark, seed, population_size=8, sample_size=3)


class TestSMAC(OptimizerSuite):
    determinism_trials = 8  # initial design of 5 (25% of n_trials), then 3 model-based suggestions
    conditional_space = True
    conditional_trials = 8

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("smac", benchmark, seed, n_trials=20)


class TestSMACBlackBox(OptimizerSuite):
    determinism_trials = 5  # initial design of 4, then a GP-based suggestion (~1.5 s on NB201, ~5 s mixed)
    failure_trials = 6

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("smac-bb", benchmark, seed, n_trials=16)


class TestDEHB(OptimizerSuite):
    determinism_trials = 12  # past a population of 6: DE mutation and crossover included

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("dehb", benchmark, seed, population_size=6)


class TestTransferTopK(OptimizerSuite):
    no_repeats = True
    seed_matters = False  # the order is the related tasks' ranking; the seed only breaks ties
    mixed_space = False  # needs related tables; MixedBenchmark has none
    needs_related = True

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("transfer-topk", benchmark, seed)


class TestOptunaTPE(OptimizerSuite):
    determinism_trials = 8  # 4 random startup trials, then TPE's model-based suggestions
    conditional_space = True  # define-by-run

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("tpe", benchmark, seed, n_startup_trials=4)


class TestOptunaGP(OptimizerSuite):
    determinism_trials = 6  # 3 random startup trials, then GP-BO's suggestions
    failure_trials = 8
    conditional_space = True  # define-by-run (GP-BO models the parameters every trial has)
    conditional_trials = 8

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("gp", benchmark, seed, n_startup_trials=3)


class TestOptunaNSGAII(OptimizerSuite):
    determinism_trials = 60  # past the first generation of 50: selection, crossover and mutation included
    conditional_space = True  # define-by-run

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        return make_baseline("nsga2", benchmark, seed)
