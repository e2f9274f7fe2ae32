"""The test suite every optimizer of genhpo must pass (after Optuna's ``pytest_samplers``, CARP-S's smoke runs).

Subclass :class:`OptimizerSuite` in a ``test_*.py`` module, name the class ``Test...``, and implement
``make(benchmark, seed)``; set the class attributes that describe what the optimizer promises::

    class TestRandomSearch(OptimizerSuite):
        no_repeats = True
        def make(self, benchmark, seed):
            return RandomSearch(benchmark.config_space, seed)

Put the subclass under ``tests/`` (it uses the ``nb201_cifar10`` fixture of ``tests/conftest.py``);
the fresh-process test re-imports its module by name, and ``make`` must build the optimizer from
``benchmark`` and ``seed`` alone. Size the class attributes so the class runs in a few seconds.

Checked: protocol conformance (ask returns a Configuration of the space, JSON-ready settings), three
trials through ``genhpo.loop.run`` on the real NB201 table, same seed -> same trajectory (also in a
fresh interpreter, with another hash seed), resuming from recorded trials continues the same
trajectory, no global RNG nor the caller's space touched, failures (exception and NaN) recorded while
the run goes on, mixed categorical/ordinal/integer/log-float spaces, and, where promised, no repeated
configuration in a finite space. The benchmarks here are small and deterministic.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pytest
from ConfigSpace import (
    CategoricalHyperparameter,
    Configuration,
    ConfigurationSpace,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from genhpo.benchmarks.base import Benchmark, TabularBenchmark
from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.loop import run
from genhpo.protocol import Optimizer, Result, Trial


class MixedBenchmark(Benchmark):
    """A smooth synthetic task on a mixed space (categorical, ordinal, integer, log-float); max 0 at a known point."""

    name = "mixed"

    def __init__(self) -> None:
        super().__init__()
        space = ConfigurationSpace(name="mixed")
        space.add(
            [
                CategoricalHyperparameter("kind", ["a", "b", "c"]),
                OrdinalHyperparameter("size", [8, 16, 32, 64]),
                UniformIntegerHyperparameter("depth", 1, 9),
                UniformFloatHyperparameter("lr", 1e-4, 1e-1, log=True),
            ]
        )
        self._space = space

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return 0.0

    def _evaluate(self, config: Mapping[str, Any], fidelity, rng) -> Result:
        score = -(
            {"a": 1.0, "b": 0.0, "c": 0.5}[config["kind"]]
            + abs(math.log2(config["size"]) - 5)
            + (config["depth"] - 4) ** 2 / 10
            + (math.log10(config["lr"]) + 2.5) ** 2
        )
        return Result(score=score, cost=1.0)


class ConditionalBenchmark(Benchmark):
    """A smooth synthetic task on a conditional space: a model choice, each model with its own
    hyperparameters, a child two levels deep, an OrConjunction, a single-choice categorical, a constant
    and a forbidden clause over conditional children; max 0 at a known point (svm, poly, degree 3)."""

    name = "conditional"

    def __init__(self) -> None:
        super().__init__()
        from ConfigSpace import (
            Constant,
            EqualsCondition,
            ForbiddenAndConjunction,
            ForbiddenEqualsClause,
            OrConjunction,
        )

        space = ConfigurationSpace(name="conditional")
        model = CategoricalHyperparameter("model", ["linear", "tree", "svm"])
        alpha = UniformFloatHyperparameter("linear:alpha", 1e-5, 1.0, log=True)
        penalty = CategoricalHyperparameter("linear:penalty", ["l1", "l2"], default_value="l2")
        dual = CategoricalHyperparameter("linear:dual", ["False"])
        depth = UniformIntegerHyperparameter("tree:depth", 1, 12)
        kernel = CategoricalHyperparameter("svm:kernel", ["rbf", "poly", "sigmoid"])
        degree = UniformIntegerHyperparameter("svm:degree", 2, 5)
        coef0 = UniformFloatHyperparameter("svm:coef0", -1.0, 1.0)
        space.add([model, alpha, penalty, dual, depth, kernel, degree, coef0, Constant("seed", 1)])
        space.add([
            EqualsCondition(alpha, model, "linear"), EqualsCondition(penalty, model, "linear"),
            EqualsCondition(dual, model, "linear"), EqualsCondition(depth, model, "tree"),
            EqualsCondition(kernel, model, "svm"), EqualsCondition(degree, kernel, "poly"),
            OrConjunction(EqualsCondition(coef0, kernel, "poly"), EqualsCondition(coef0, kernel, "sigmoid")),
        ])
        space.add(ForbiddenAndConjunction(ForbiddenEqualsClause(dual, "False"), ForbiddenEqualsClause(penalty, "l1")))
        self._space = space

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return 0.0

    def _evaluate(self, config: Mapping[str, Any], fidelity, rng) -> Result:
        if config["model"] == "linear":
            score = -1.0 - (math.log10(config["linear:alpha"]) + 2) ** 2 / 10
        elif config["model"] == "tree":
            score = -0.5 - (config["tree:depth"] - 6) ** 2 / 50
        else:
            kernel = config["svm:kernel"]
            score = {"rbf": -0.4, "poly": 0.0, "sigmoid": -0.8}[kernel]
            if kernel == "poly":
                score -= abs(config["svm:degree"] - 3) / 10
            if "svm:coef0" in config:
                score -= config["svm:coef0"] ** 2 / 10
        return Result(score=score, cost=1.0)


class TinyTable(TabularBenchmark):
    """A 12-configuration table (3 x 2 x 2) with one related variant, for no-repeat and transfer checks."""

    name = "tiny"

    def __init__(self, dataset: str = "main") -> None:
        super().__init__()
        self.dataset = dataset
        space = ConfigurationSpace(name="tiny")
        space.add(
            [
                CategoricalHyperparameter("op", ["conv", "pool", "skip"]),
                OrdinalHyperparameter("width", [16, 32]),
                UniformIntegerHyperparameter("layers", 1, 2),
            ]
        )
        self._space = space
        self._configs = [
            {"op": op, "width": w, "layers": n} for op in ("conv", "pool", "skip") for w in (16, 32) for n in (1, 2)
        ]
        shift = 0.0 if dataset == "main" else 0.3
        self._scores = np.array([i * 7 % 12 + shift * i for i in range(12)], dtype=float)

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return float(self._scores.max())

    def _evaluate(self, config: Mapping[str, Any], fidelity, rng) -> Result:
        return Result(score=float(self._scores[self._configs.index(dict(config))]), cost=1.0)

    def table(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        return [dict(c) for c in self._configs], self._scores.copy()

    def related(self) -> list[TabularBenchmark]:
        return [TinyTable("related")] if self.dataset == "main" else []


class FlakyNB201(NB201Benchmark):
    """NB201 whose cells with exactly one 1x1 convolution raise, and with exactly one pooling return NaN.

    The rule cuts across good and bad cells alike, so every optimizer meets both kinds of failure.
    """

    @staticmethod
    def outcome(config: Mapping[str, Any]) -> str:
        ops = list(config.values())
        if ops.count("nor_conv_1x1") == 1:
            return "raise"
        return "nan" if ops.count("avg_pool_3x3") == 1 else "ok"

    def _evaluate(self, config: Mapping[str, Any], fidelity, rng) -> Result:
        outcome = self.outcome(config)
        if outcome == "raise":
            raise RuntimeError("simulated training crash")
        if outcome == "nan":
            return Result(score=float("nan"), cost=1.0)
        return super()._evaluate(config, fidelity, rng)


def trajectory(optimizer: Optimizer, benchmark: Benchmark, n_trials: int) -> list[dict[str, Any]]:
    """The configurations (and fidelities) a run asks, as JSON-ready dicts."""
    return [{"config": t.config, "fidelity": t.fidelity} for t in run(optimizer, benchmark, n_trials)]


class OptimizerSuite:
    """Tests every optimizer must pass; subclasses implement :meth:`make` and set the promises below."""

    #: evaluations in the determinism tests (enough to leave any initial random phase).
    determinism_trials: ClassVar[int] = 12
    #: evaluations in the failure test (about 60% of them fail).
    failure_trials: ClassVar[int] = 12
    #: different seeds give different trajectories (False for a fixed, data-driven order).
    seed_matters: ClassVar[bool] = True
    #: the optimizer promises never to ask a configuration twice in a finite space.
    no_repeats: ClassVar[bool] = False
    #: the optimizer handles categorical + ordinal + integer + log-float spaces.
    mixed_space: ClassVar[bool] = True
    #: the optimizer handles conditions and forbidden clauses (auto-sklearn-like spaces).
    conditional_space: ClassVar[bool] = False
    #: evaluations in the conditional-space test (past any initial random phase).
    conditional_trials: ClassVar[int] = 20
    #: the optimizer needs related tasks (transfer): skip tasks that have none.
    needs_related: ClassVar[bool] = False

    def make(self, benchmark: Benchmark, seed: int) -> Optimizer:
        """A fresh optimizer for ``benchmark`` with ``seed``."""
        raise NotImplementedError

    # -- protocol -------------------------------------------------------------------------------
    def test_protocol_conformance(self, nb201_cifar10: NB201Benchmark) -> None:
        optimizer = self.make(nb201_cifar10, 0)
        assert isinstance(optimizer, Optimizer)
        assert isinstance(optimizer.name, str) and optimizer.name not in ("", "optimizer")
        settings = optimizer.settings()
        assert settings["seed"] == 0 and settings["name"] == optimizer.name
        json.dumps(settings)  # recorded in meta.json: must be JSON-ready
        config = optimizer.ask()
        assert isinstance(config, Configuration)
        assert nb201_cifar10.validate_config(config) == dict(config)
        fidelity = optimizer.fidelity(config)
        assert fidelity is None or isinstance(fidelity, float)
        optimizer.tell(config, nb201_cifar10.evaluate(config, fidelity=fidelity))

    def test_three_trials_on_nb201(self, nb201_cifar10: NB201Benchmark) -> None:
        trials = run(self.make(nb201_cifar10, 1), nb201_cifar10, 3)
        assert len(trials) == 3
        assert all(isinstance(t, Trial) and t.status == "ok" for t in trials)
        assert all(0 < t.score <= nb201_cifar10.optimum and t.overhead >= 0 for t in trials)
        assert [t.index for t in trials] == [0, 1, 2]

    # -- reproducibility ------------------------------------------------------------------------
    def test_same_seed_same_trajectory(self, nb201_cifar10: NB201Benchmark) -> None:
        n = self.determinism_trials
        first = trajectory(self.make(nb201_cifar10, 3), nb201_cifar10, n)
        assert trajectory(self.make(nb201_cifar10, 3), nb201_cifar10, n) == first
        if self.seed_matters:
            assert trajectory(self.make(nb201_cifar10, 4), nb201_cifar10, n) != first

    def test_same_seed_same_trajectory_in_a_fresh_process(self, nb201_cifar10: NB201Benchmark) -> None:
        n = self.determinism_trials
        here = trajectory(self.make(nb201_cifar10, 7), nb201_cifar10, n)
        code = (
            "import json, importlib, sys\n"
            "from genhpo.benchmarks.nb201 import NB201Benchmark\n"
            "from tests.optimizer_suite import trajectory\n"
            f"cls = getattr(importlib.import_module({type(self).__module__!r}), {type(self).__name__!r})\n"
            "bench = NB201Benchmark('cifar10')\n"
            f"print(json.dumps(trajectory(cls().make(bench, 7), bench, {n})))\n"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "PYTHONHASHSEED": "random"}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=False
        )
        assert out.returncode == 0, out.stderr[-2000:]
        assert json.loads(out.stdout.strip().splitlines()[-1]) == json.loads(json.dumps(here))

    def test_resume_from_recorded_trials_continues_the_trajectory(self, nb201_cifar10: NB201Benchmark) -> None:
        n = self.determinism_trials
        straight = run(self.make(nb201_cifar10, 5), nb201_cifar10, n)
        recorded = [Trial.from_dict(t.to_dict()) for t in straight[: n // 2]]  # as read back from trials.jsonl
        resumed = run(self.make(nb201_cifar10, 5), nb201_cifar10, n, history=recorded)
        assert [t.config for t in resumed] == [t.config for t in straight]

    def test_resume_of_a_noisy_run_with_failures_continues_the_trajectory(self) -> None:
        """Replay goes through the loop's failure handling: a recorded failure of a noisy run is
        replayed (the noise stream kept aligned), not raised again."""
        bench = FlakyNB201("cifar10")
        n = self.failure_trials
        straight = run(self.make(bench, 4), bench, n, seed=4, noisy=True)
        assert any(FlakyNB201.outcome(t.config) == "raise" for t in straight[: n // 2]), (
            "the replayed half should hold an evaluation that raised")
        recorded = [Trial.from_dict(t.to_dict()) for t in straight[: n // 2]]
        resumed = run(self.make(bench, 4), bench, n, seed=4, noisy=True, history=recorded)
        def outcomes(trials: list[Trial]) -> list[tuple]:
            return [(t.config, t.status, t.score if t.status == "ok" else None) for t in trials[n // 2:]]

        assert outcomes(resumed) == outcomes(straight)

    def test_no_global_rng_and_caller_space_untouched(self, nb201_cifar10: NB201Benchmark) -> None:
        space = nb201_cifar10.config_space
        space.seed(11)
        expected = space.sample_configuration()
        space.seed(11)
        np.random.seed(0)
        random.seed(0)
        np_state, py_state = np.random.get_state(), random.getstate()
        run(self.make(nb201_cifar10, 2), nb201_cifar10, self.determinism_trials)
        assert space.sample_configuration() == expected, "the optimizer sampled from or reseeded the caller's space"
        after = np.random.get_state()
        assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:], (
            "the optimizer drew from numpy's global RNG"
        )
        assert random.getstate() == py_state, "the optimizer drew from Python's global RNG"

    def test_bad_tells_are_refused_and_change_nothing(self, nb201_cifar10: NB201Benchmark) -> None:
        """A result that is not a Result, or a configuration that is not one of the space (partial,
        an unknown value, an unknown name) raises, and the trajectory goes on as if never attempted."""
        n = 6
        straight = trajectory(self.make(nb201_cifar10, 6), nb201_cifar10, n)
        optimizer, asked = self.make(nb201_cifar10, 6), []
        for _ in range(n):
            config = optimizer.ask()
            fidelity = optimizer.fidelity(config)
            result = nb201_cifar10.evaluate(config, fidelity=fidelity)
            with pytest.raises(TypeError, match="Result"):
                optimizer.tell(config, 0.5)
            for bad in ({"edge_1<-0": "none"}, {**dict(config), "edge_1<-0": "conv_9x9"}, {**dict(config), "x": 1}):
                with pytest.raises(ValueError, match="not a valid configuration"):
                    optimizer.tell(bad, result)
            optimizer.tell(config, result)
            asked.append({"config": dict(config), "fidelity": fidelity})
        assert asked == straight

    # -- failures -------------------------------------------------------------------------------
    def test_failures_are_recorded_and_the_run_goes_on(self) -> None:
        bench = FlakyNB201("cifar10")
        trials = run(self.make(bench, 0), bench, self.failure_trials)
        assert len(trials) == self.failure_trials
        failed = [t for t in trials if t.status == "failed"]
        ok = [t for t in trials if t.status == "ok"]
        assert failed and ok, "63% of all cells fail: a run should see both outcomes"
        for t in failed:
            assert math.isnan(t.score) and t.error
            assert FlakyNB201.outcome(t.config) in ("raise", "nan")
        assert all(FlakyNB201.outcome(t.config) == "ok" for t in ok)

    # -- spaces ---------------------------------------------------------------------------------
    def test_mixed_space(self) -> None:
        if not self.mixed_space:
            pytest.skip("this optimizer does not promise mixed spaces")
        bench = MixedBenchmark()
        first = run(self.make(bench, 0), bench, self.determinism_trials)
        assert all(t.status == "ok" for t in first)
        assert [t.config for t in run(self.make(bench, 0), bench, self.determinism_trials)] == [t.config for t in first]
        values = {name: {t.config[name] for t in first} for name in bench.config_space}
        assert all(len(v) > 1 for v in values.values()), f"some hyperparameter never varied: {values}"

    def test_conditional_space(self) -> None:
        """Every asked configuration is valid (conditions and the forbidden clause), every top-level
        branch is tried, and the same seed gives the same trajectory."""
        if not self.conditional_space:
            pytest.skip("this optimizer does not promise conditional spaces")
        bench = ConditionalBenchmark()
        first = run(self.make(bench, 0), bench, self.conditional_trials)
        assert all(t.status == "ok" for t in first), [t.error for t in first if t.status != "ok"]
        for t in first:
            Configuration(bench.config_space, values=dict(t.config)).check_valid_configuration()
        assert {t.config["model"] for t in first} == {"linear", "tree", "svm"}
        again = run(self.make(bench, 0), bench, self.conditional_trials)
        assert [t.config for t in again] == [t.config for t in first]

    def test_no_repeats_in_a_finite_space(self) -> None:
        if not self.no_repeats:
            pytest.skip("this optimizer does not promise to avoid repeats")
        bench = TinyTable()
        trials = run(self.make(bench, 0), bench, 12)
        keys = {tuple(sorted(t.config.items())) for t in trials}
        assert len(keys) == 12, "all 12 configurations, each once"
