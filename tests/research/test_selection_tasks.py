"""The held-out selection tasks of research/selection_tasks.py: built from source tables only."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.spaces.rows import key_of
from research.selection_tasks import MixtureCells, SyntheticCells


def test_mixture_tasks_never_read_the_held_out_table(table_loads):
    from research.selection_tasks import _sources

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


def test_synthetic_cells_score_every_cell_on_0_to_100():
    task = SyntheticCells(10_000)
    assert task.scores.shape == (15_625,) and task.scores.max() == 100.0 and task.scores.min() == 0.0
    config = task.config_space.sample_configuration()
    assert 0.0 <= task.evaluate(config).score <= 100.0


def test_scale_sets_how_far_a_task_sits_from_its_sources():
    from research.selection_tasks import optimum_rank

    # the default is the earlier sessions' protocol (scale 2), seed for seed
    np.testing.assert_array_equal(MixtureCells("ImageNet16-120", 20_000, True).scores,
                                  MixtureCells("ImageNet16-120", 20_000, True, 2.0).scores)
    near = [optimum_rank(MixtureCells("ImageNet16-120", 20_000 + k, True, 0.1), "ImageNet16-120") for k in range(6)]
    far = [optimum_rank(MixtureCells("ImageNet16-120", 20_000 + k, True, 2.0), "ImageNet16-120") for k in range(6)]
    assert np.median(near) < np.median(far)
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="scale must be a finite number >= 0"):
            MixtureCells("ImageNet16-120", 0, True, bad)


def test_optimum_rank_is_the_position_in_topk_order():
    from research.selection_tasks import _sources, optimum_rank

    task = MixtureCells("cifar10", 20_000)
    tables = _sources("cifar10")
    mean = sum((t.y - t.y.min()) / (t.y.max() - t.y.min()) for t in tables)
    order = [task.index[key_of(tables[0].X[i])] for i in np.argsort(-mean, kind="stable")]
    assert optimum_rank(task, "cifar10") == order.index(int(np.argmax(task.scores))) + 1


def test_cross_rank_reads_where_each_sources_optimum_ranks_in_the_other():
    from research.selection_tasks import _sources, cross_rank

    a, b = _sources("ImageNet16-120")  # cifar10, cifar100
    ranks = [list(np.argsort(-first.y, kind="stable")).index(int(np.argmax(second.y))) + 1
             for first, second in ((a, b), (b, a))]
    assert cross_rank("ImageNet16-120") == np.median(ranks)


def test_calibrated_scale_picks_the_closest_median_rank_on_a_log_scale(monkeypatch):
    import research.selection_tasks as selection

    monkeypatch.setattr(selection, "cross_rank", lambda holdout: 10.0)
    monkeypatch.setattr(selection, "scale_ranks", lambda *args: {2.0: 900.0, 1.0: 200.0, 0.5: 40.0, 0.25: 12.0, 0.1: 3.0})
    assert selection.calibrated_scale("cifar10") == 0.25
    monkeypatch.setattr(selection, "scale_ranks", lambda *args: {2.0: 900.0, 1.0: 200.0, 0.5: 40.0, 0.25: 2.0, 0.1: 1.0})
    assert selection.calibrated_scale("cifar10") == 0.5  # 40 is 4x off, 2 is 5x off
