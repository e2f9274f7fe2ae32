"""The task sampler: histories of many lengths, correct improvement flags, seeded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genhpo.metatrain.sources import (
    CompositeSource,
    MixtureSource,
    ScalarisedSource,
    difference_parts,
    suggested_additive,
)
from genhpo.metatrain.synthetic import SyntheticSource, synthetic_scores
from genhpo.metatrain.tasks import HistorySampler, Task
from genhpo.model.layout import Layout


def _task(seed: int = 0, N: int = 300) -> Task:
    rng = np.random.default_rng(seed)
    X = np.eye(5)[rng.integers(5, size=N)]
    X = np.hstack([X, rng.random((N, 2))]).astype(np.float32)
    return Task("toy", X, X @ rng.normal(size=7) + 0.01 * rng.normal(size=N))


def test_examples_have_correct_flags_and_targets_outside_the_history():
    task, sampler, rng = _task(), HistorySampler(max_len=40), np.random.default_rng(0)
    flags, lengths = [], set()
    for _ in range(300):
        C, target, flag = sampler.example(task, rng)
        lengths.add(len(C))
        assert len(set(C.tolist())) == len(C) and target not in set(C.tolist())
        best = task.y[C].max() if len(C) else -np.inf
        assert flag == float(task.y[target] > best)
        flags.append(flag)
    assert 0.3 < np.mean(flags) < 0.7  # balanced
    assert 0 in lengths and max(lengths) > 20 and len(lengths) > 15


def test_biased_regimes_find_better_rows_than_uniform():
    task, rng = _task(1, 2000), np.random.default_rng(0)
    uniform = HistorySampler(p_empty=0.0, p_uniform=1.0, p_biased=0.0)
    biased = HistorySampler(p_empty=0.0, p_uniform=0.0, p_biased=1.0)
    mean_u = np.mean([task.y[uniform.history(task, rng, 30)].mean() for _ in range(50)])
    mean_b = np.mean([task.y[biased.history(task, rng, 30)].mean() for _ in range(50)])
    assert mean_b > mean_u + 0.5 * task.y.std()


def test_batch_shapes_masks_and_seeding():
    tasks = [_task(0), _task(1)]
    sampler = HistorySampler(max_len=30, world=100)
    a = sampler.batch(tasks, 16, np.random.default_rng(5))
    b = sampler.batch(tasks, 16, np.random.default_rng(5))
    L = a["X"].shape[1]
    assert a["X"].shape == (16, L, 7) and a["y"].shape == a["mask"].shape == (16, L)
    assert a["x"].shape == (16, 7) and a["flag"].shape == (16,)
    assert torch.all(a["X"][~a["mask"]] == 0)
    for key in a:
        torch.testing.assert_close(a[key], b[key])


def test_bad_sampler_settings_and_tasks_are_refused():
    with pytest.raises(ValueError, match="p_uniform"):
        HistorySampler(p_uniform=0.8, p_biased=0.5)
    with pytest.raises(ValueError, match="max_len"):
        HistorySampler(max_len=0)
    with pytest.raises(ValueError, match="finite"):
        Task("bad", np.zeros((3, 2)), np.array([1.0, np.nan, 0.0]))


def test_generated_tasks_are_fresh_seeded_and_standardised():
    base = _task(0)
    other = Task("other", base.X, -base.y)
    mix = MixtureSource([base, other])
    t1, t2 = mix(np.random.default_rng(0)), mix(np.random.default_rng(0))
    np.testing.assert_array_equal(t1.y, t2.y)
    assert not np.array_equal(t1.y, mix(np.random.default_rng(1)).y)
    with pytest.raises(ValueError, match="same rows"):
        MixtureSource([base, Task("x", base.X[::-1].copy(), base.y)])
    layout = Layout(7, ((0, 5),), (5, 6), "toy")
    syn = SyntheticSource(base.X, layout, rows=100)
    task = syn(np.random.default_rng(0))
    assert task.X.shape == (100, 7) and np.all(np.isfinite(task.y))
    y = synthetic_scores(base.X.astype(float), layout, np.random.default_rng(3))
    assert y.shape == (300,) and len(np.unique(y)) == 300
    both = CompositeSource([mix, syn], [0.5, 0.5])
    assert {both(np.random.default_rng(s)).name for s in range(20)} == {"mixture", "synthetic"}


def test_additive_shifts_move_the_optimum_by_main_effects_and_scale_from_the_sources():
    base = _task(0)
    near = Task("near", base.X, base.y + 0.05 * (base.X @ np.arange(7.0)))
    plain, shifted = MixtureSource([base, near], p_pure=1.0), MixtureSource([base, near], p_pure=1.0, additive=1.0)
    a, b = plain(np.random.default_rng(4)), shifted(np.random.default_rng(4))
    assert not np.allclose(a.y, b.y)
    # the difference is (up to the monotone warp and noise) a main-effects function of the rows
    design = np.column_stack([np.ones(len(base.X)), base.X])
    fit = np.corrcoef(design @ np.linalg.lstsq(design, b.y - a.y, rcond=None)[0], b.y - a.y)[0, 1]
    assert fit > 0.5
    # calibrated from the sources: two equal tables differ by nothing; a main-effect difference shows
    assert suggested_additive([base, base]) == pytest.approx(0.0, abs=1e-9)
    assert suggested_additive([base, near]) > suggested_additive([base, Task("c", base.X, base.y * 2.0)]) - 1e-9
    assert suggested_additive([base]) == 0.0
    with pytest.raises(ValueError, match="additive"):
        MixtureSource([base], additive=-1.0)


def _two_blocks(N: int = 400, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.hstack([np.eye(4)[rng.integers(4, size=N)], np.eye(3)[rng.integers(3, size=N)]]).astype(np.float32)


def test_difference_parts_split_a_known_difference():
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
    with pytest.raises(ValueError, match="at least two source tables"):
        difference_parts([Task("a", X, base)])


def test_synthetic_interactions_every_pair_in_small_spaces_sparse_in_large_ones():
    from genhpo.metatrain.synthetic import max_pairs

    # up to 9 hyperparameters every pair may interact (NB201's 6 edges, the offline HPO-B spaces' 5 and
    # 9): the prior the shipped checkpoints were trained on; beyond, at most 4 interactions per hyperparameter
    assert [max_pairs(h) for h in (2, 6, 9, 10, 222)] == [1, 15, 36, 40, 888]


def test_synthetic_scores_on_a_wide_space_are_finite_and_vary():
    rng = np.random.default_rng(0)
    layout = Layout(dim=400, categorical=tuple((i, i + 2) for i in range(0, 200, 2)),
                    numeric=tuple(range(200, 400)), signature="wide")
    X = rng.random((256, 400))
    y = synthetic_scores(X, layout, rng)
    assert y.shape == (256,) and np.all(np.isfinite(y)) and y.std() > 0


def _objective_tables(rng: np.random.Generator, N: int = 200) -> tuple[np.ndarray, list[np.ndarray]]:
    X = rng.random((N, 4)).astype(np.float32)
    tables = [np.column_stack([X @ rng.normal(size=4), -(X @ rng.random(4)), rng.normal(size=N)]) for _ in range(2)]
    return X, tables


def test_scalarised_tasks_are_pareto_compliant_scalarisations():
    """A row that dominates another in every source's objectives scores higher in every draw (ParEGO's
    augmented Chebyshev is strictly monotone); the draws differ, so the model sees many trade-offs."""
    rng = np.random.default_rng(0)
    X, tables = _objective_tables(rng)
    tables[0][0] = tables[0].max(axis=0) + 1.0   # row 0 dominates every row in both sources
    tables[1][0] = tables[1].max(axis=0) + 1.0
    tables[0][1] = tables[0].min(axis=0) - 1.0   # row 1 is dominated by every row in both sources
    tables[1][1] = tables[1].min(axis=0) - 1.0
    source = ScalarisedSource(X, tables, noise=0.0)
    draws = [source(rng) for _ in range(30)]
    for task in draws:
        assert task.X is X and task.y.shape == (200,) and np.isfinite(task.y).all()
        assert task.y.argmax() == 0 and task.y.argmin() == 1
    best_rows = {int(np.argsort(t.y)[-2]) for t in draws}  # the runner-up depends on the weights drawn
    assert len(best_rows) > 3


def test_scalarised_source_matches_the_chebyshev_formula():
    """One source, two objectives, no noise: the ranking of y is that of -(max_j w_j (1 - f_j) + rho
    sum_j w_j (1 - f_j)) for the weights the same generator draws."""
    rng = np.random.default_rng(3)
    X, tables = _objective_tables(rng)
    table = tables[0][:, :2]
    task = ScalarisedSource(X, [table], p_pure=1.0, noise=0.0)(np.random.default_rng(7))
    replay = np.random.default_rng(7)
    replay.random(), replay.integers(1)  # the draws of the source choice
    w = replay.dirichlet(np.ones(2))
    f = (table - table.min(axis=0)) / (table.max(axis=0) - table.min(axis=0))
    gap = w * (1 - f)
    expected = -(gap.max(axis=1) + 0.05 * gap.sum(axis=1))
    np.testing.assert_array_equal(np.argsort(task.y, kind="stable"), np.argsort(expected, kind="stable"))


def test_scalarised_source_refuses_bad_tables():
    X, tables = _objective_tables(np.random.default_rng(1))
    with pytest.raises(ValueError, match="at least one table"):
        ScalarisedSource(X, [])
    with pytest.raises(ValueError, match="k >= 2"):
        ScalarisedSource(X, [tables[0][:, :1]])
    with pytest.raises(ValueError, match="N = 200"):
        ScalarisedSource(X, [tables[0], tables[1][:50]])
    bad = tables[0].copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        ScalarisedSource(X, [bad])
