"""Normalised regret and average rank over tasks, computed exactly as HPO-B's ``benchmark_plot.py``.

Input: per method, a results dict in HPO-B's format ``{space: {dataset: {seed: [incumbent, ...]}}}``
(incumbent = normalised y after 0, 1, ... trials). For every (space, dataset, seed) of the task list
that *every* method has (others are skipped, as HPO-B does), regret = 1 - incumbent over the first
``max_bo_iters`` values, and the methods are ranked per trial on ``1 - round(regret, 8)``, highest
incumbent first, ties sharing their mean rank (pandas ``rank(ascending=False)``). Curves are the
nan-mean over the (task, seed) pairs; HPO-B's Rank@25/50/100 read index 25/50/100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genhpo.benchmarks.hpob.files import SEEDS

Results = Mapping[str, Mapping[str, Mapping[str, Sequence[float]]]]


@dataclass(frozen=True)
class Scores:
    """regret / rank: (n_pairs, n_methods, n_iters); pairs: the (space, dataset, seed) rows."""

    methods: tuple[str, ...]
    pairs: tuple[tuple[str, str, str], ...]
    regret: np.ndarray
    rank: np.ndarray

    def mean_regret(self, space: str | None = None) -> np.ndarray:
        """(n_methods, n_iters) average normalised regret (over all pairs, or one space's)."""
        return np.nanmean(self._rows(self.regret, space), axis=0)

    def mean_rank(self, space: str | None = None) -> np.ndarray:
        """(n_methods, n_iters) average rank (1 = best)."""
        return np.nanmean(self._rows(self.rank, space), axis=0)

    def table(self, trials: Sequence[int] = (25, 50, 100), space: str | None = None) -> pd.DataFrame:
        """Rows: methods; columns ``regret@t`` and ``rank@t`` (index t = after t trials)."""
        regret, rank = self.mean_regret(space), self.mean_rank(space)
        n_iters = regret.shape[1]
        bad = [t for t in trials if not 0 <= t < n_iters]
        if bad:
            raise ValueError(f"trials {bad} outside the curves' range [0, {n_iters - 1}]")
        data = {f"regret@{t}": regret[:, t] for t in trials} | {f"rank@{t}": rank[:, t] for t in trials}
        return pd.DataFrame(data, index=list(self.methods))

    def _rows(self, values: np.ndarray, space: str | None) -> np.ndarray:
        if space is None:
            rows = values
        else:
            rows = values[[i for i, p in enumerate(self.pairs) if p[0] == space]]
        if len(rows) == 0:
            raise ValueError(f"no (task, seed) scored{'' if space is None else f' in space {space!r}'}")
        return rows


def hpob_scores(
    results: Mapping[str, Results],
    tasks: Mapping[str, Sequence[str]],
    seeds: Sequence[str] = SEEDS,
    max_bo_iters: int = 101,
) -> Scores:
    """Regret and rank of each method over ``tasks`` ({space: [dataset, ...]}, e.g. the meta-test split).

    Pairs some method lacks are skipped (HPO-B prints and skips them); curves of one pair must then
    have the same length for all methods (ValueError otherwise, where HPO-B would build a ragged array).
    """
    if not results:
        raise ValueError("results must name at least one method")
    if not isinstance(max_bo_iters, int) or max_bo_iters < 1:
        raise ValueError(f"max_bo_iters must be a positive int, got {max_bo_iters!r}")
    methods = tuple(results)
    pairs, regrets, ranks = [], [], []
    for space, datasets in tasks.items():
        for dataset in datasets:
            for seed in seeds:
                curves = [_curve(results[m], space, dataset, seed) for m in methods]
                if any(c is None for c in curves):
                    continue
                regret = [[1 - x for x in c][:max_bo_iters] for c in curves]
                if len({len(r) for r in regret}) != 1:
                    lengths = {m: len(r) for m, r in zip(methods, regret)}
                    raise ValueError(f"curves of {space}/{dataset}/{seed} differ in length: {lengths}")
                rank = pd.DataFrame(1 - np.array(regret).round(8)).rank(axis=0, ascending=False)
                pairs.append((space, dataset, seed))
                regrets.append(regret)
                ranks.append(rank.to_numpy())
    if not pairs:
        raise ValueError("no (space, dataset, seed) has results for every method")
    return Scores(methods, tuple(pairs), np.array(regrets, dtype=float), np.array(ranks, dtype=float))


def _curve(result: Results, space: str, dataset: str, seed: str) -> Sequence[float] | None:
    try:
        curve = result[space][dataset][seed]
    except (KeyError, TypeError):
        return None
    return [float(v) for v in curve]
