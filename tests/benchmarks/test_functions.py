"""make("functions", name): BoTorch's test functions behind the Benchmark protocol, scores = -f."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genhpo.benchmarks import make
from genhpo.benchmarks.functions import FUNCTIONS


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_optimum_is_reached_at_the_known_optimizer_and_bounds_every_score(name):
    bench = make("functions", name)
    assert bench.evaluate(bench.optimizer_location).score == pytest.approx(bench.optimum, abs=1e-12)
    space = bench.config_space
    space.seed(0)
    scores = [bench.evaluate(c).score for c in space.sample_configuration(300)]
    assert all(math.isfinite(s) and s <= bench.optimum + 1e-12 for s in scores)
    assert bench.optimum - max(scores) > 1e-3  # random search does not solve it in 300 draws
    assert bench.n_evaluations == 301


def test_hand_worked_values():
    # Branin at (0, 0): (0 - 0 + 0 - 6)^2 + 10 (1 - 1 / (8 pi)) cos 0 + 10 = 56 - 10 / (8 pi)
    branin = make("functions", "branin")
    assert branin.evaluate({"x0": 0.0, "x1": 0.0}).score == pytest.approx(-(56 - 10 / (8 * math.pi)), rel=1e-12)
    # Rosenbrock at the origin: sum over i < 3 of 100 (0 - 0)^2 + (1 - 0)^2 = 3
    rosenbrock = make("functions", "rosenbrock4")
    assert rosenbrock.evaluate({f"x{i}": 0.0 for i in range(4)}).score == pytest.approx(-3.0)
    assert rosenbrock.evaluate({f"x{i}": 0.0 for i in range(4)}).cost == 0.0


def test_spaces_are_what_a_user_would_write():
    mixed = make("functions", "ackley-mixed10").config_space
    kinds = [type(hp).__name__ for hp in mixed.values()]
    assert kinds == ["CategoricalHyperparameter"] * 7 + ["UniformFloatHyperparameter"] * 3
    assert list(mixed["x0"].choices) == [0, 1]
    ackley = make("functions", "ackley5").config_space
    assert [(hp.lower, hp.upper) for hp in ackley.values()] == [(-32.768, 32.768)] * 5
    # the mixed optimum is not the corner every binary method tries first
    location = make("functions", "ackley-mixed10").optimizer_location
    assert any(location[f"x{i}"] == 1 for i in range(7)) and not all(location[f"x{i}"] == 0 for i in range(7, 10))


def test_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="unknown test function 'sphere'.*branin"):
        make("functions", "sphere")
    with pytest.raises(ValueError, match="invalid configuration"):
        make("functions", "branin").evaluate({"x0": 11.0, "x1": 0.0})  # outside [-5, 10]


def test_runs_through_the_generative_optimizer_and_a_baseline(tmp_path):
    from genhpo import presets
    from genhpo.loop import run as run_optimizer
    from genhpo.runner.registry import make_optimizer

    bench = make("functions", "ackley-mixed10")
    for optimizer in (presets.for_space(bench.config_space, seed=0), make_optimizer("rs", bench, 0, tmp_path)):
        trials = run_optimizer(optimizer, bench, 12)
        assert len(trials) == 12 and all(t.status == "ok" for t in trials)
        assert len({tuple(sorted(t.config.items())) for t in trials}) == 12
        assert np.all(np.array([t.score for t in trials]) <= bench.optimum + 1e-12)
