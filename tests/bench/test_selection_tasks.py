"""The held-out selection tasks of bench/selection_tasks.py: built from source tables only."""

from __future__ import annotations

import numpy as np
import pytest

from bench.selection_tasks import MixtureCells, SyntheticCells, difference_parts


def test_mixture_tasks_never_read_the_held_out_table(table_loads):
    from bench.selection_tasks import _sources

    _sources.cache_clear()  # so that the tables are read inside this test
    plain, shifted = MixtureCells("cifar10", 20_000), MixtureCells("cifar10", 20_000, interactions=True)
    assert "cifar10" not in table_loads and sorted(set(table_loads)) == ["ImageNet16-120", "cifar100"]
    for task in (plain, shifted):
        assert task.scores.shape == (15_625,) and task.scores.min() == 0.0 and task.scores.max() == 100.0
        assert task.optimum == 100.0
    # the interaction shift is drawn on top of the same mixture: related, not equal
    assert 0.5 < np.corrcoef(plain.scores, shifted.scores)[0, 1] < 0.9999
    np.testing.assert_array_equal(MixtureCells("cifar10", 20_000).scores, plain.scores)  # seeded
    with pytest.raises(ValueError, match="unknown NB201 holdout"):
        MixtureCells("mnist", 0)


def test_difference_parts_split_a_known_difference():
    from genhpo.model.tasks import Task

    rng = np.random.default_rng(0)
    X = np.zeros((3000, 30))
    ops = rng.integers(5, size=(3000, 6))
    X[np.arange(3000)[:, None], 5 * np.arange(6) + ops] = 1.0
    base = X @ rng.normal(size=30)
    main_only = base + 0.5 * (X @ rng.normal(size=30))
    main, pairs, rest = difference_parts([Task("a", X, base), Task("b", X, main_only)])
    assert main > 0.3 and pairs < 1e-6 and rest < 1e-6  # a main-effect difference is all main effects
    noisy = base + 2.0 * rng.normal(size=3000)
    main, pairs, rest = difference_parts([Task("a", X, base), Task("b", X, noisy)])
    assert rest > pairs and rest > main


def test_synthetic_cells_score_every_cell_on_0_to_100():
    task = SyntheticCells(10_000)
    assert task.scores.shape == (15_625,) and task.scores.max() == 100.0 and task.scores.min() == 0.0
    config = task.config_space.sample_configuration()
    assert 0.0 <= task.evaluate(config).score <= 100.0
