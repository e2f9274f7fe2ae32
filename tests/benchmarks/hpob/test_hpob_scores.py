"""Regret and rank as HPO-B's benchmark_plot.py computes them, on curves worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.benchmarks.hpob.scores import hpob_scores

A = {"s": {"d": {"test0": [0.5, 0.8, 1.0], "test1": [0.0, 1.0, 1.0]}}}
B = {"s": {"d": {"test0": [0.5, 0.9, 0.9], "test1": [0.0, 0.0, 1.0]}, "e": {"test0": [1, 1, 1]}}}


def test_regret_and_rank_by_hand():
    scores = hpob_scores({"A": A, "B": B}, {"s": ["d", "e"]})
    assert scores.pairs == (("s", "d", "test0"), ("s", "d", "test1"))  # s/e lacks A: skipped
    np.testing.assert_allclose(scores.rank[0], [[1.5, 2, 1], [1.5, 1, 2]])
    np.testing.assert_allclose(scores.rank[1], [[1.5, 1, 1.5], [1.5, 2, 1.5]])
    np.testing.assert_allclose(scores.mean_regret(), [[0.75, 0.1, 0.0], [0.75, 0.55, 0.05]])
    np.testing.assert_allclose(scores.mean_rank(), [[1.5, 1.5, 1.25], [1.5, 1.5, 1.75]])
    table = scores.table(trials=(1, 2))
    assert list(table.columns) == ["regret@1", "regret@2", "rank@1", "rank@2"]
    assert table.loc["B", "rank@2"] == 1.75


def test_ties_within_rounding_share_the_rank_and_curves_are_truncated():
    a = {"s": {"d": {"test0": [0.1 + 0.2, 0.5, 0.6]}}}
    b = {"s": {"d": {"test0": [0.3, 0.4, 0.9]}}}
    scores = hpob_scores({"a": a, "b": b}, {"s": ["d"]}, seeds=["test0"], max_bo_iters=2)
    assert scores.rank.shape == (1, 2, 2)
    np.testing.assert_allclose(scores.rank[0], [[1.5, 1], [1.5, 2]])


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least one method"):
        hpob_scores({}, {"s": ["d"]})
    with pytest.raises(ValueError, match="no \\(space, dataset, seed\\)"):
        hpob_scores({"A": A}, {"x": ["d"]})
    short = {"s": {"d": {"test0": [0.5, 0.8]}}}
    with pytest.raises(ValueError, match="differ in length"):
        hpob_scores({"A": A, "S": short}, {"s": ["d"]}, seeds=["test0"])
    with pytest.raises(ValueError, match="outside the curves' range"):
        hpob_scores({"A": A}, {"s": ["d"]}).table(trials=(25,))
    with pytest.raises(ValueError, match="no \\(task, seed\\) scored in space 'x'"):
        hpob_scores({"A": A}, {"s": ["d"]}).mean_rank("x")
