"""Held-out tasks for choosing suggestion settings without looking at the benchmark reported on.

Both are benchmarks over all NB201 cells whose scores are min-max scaled to [0, 100] (so regrets
read like accuracy points):
- ``SyntheticCells(seed)``: a synthetic task (``genhpo.model.synthetic``), for the cold start;
- ``MixtureCells(holdout, seed)``: a new task built from the *source* tables of the
  ``nb201-holdout-<holdout>`` checkpoint only (the other two datasets; the held-out table is never
  read): a random convex combination of them plus a random main-effect shift of the scale that
  separates the sources from each other (``MixtureSource(p_pure=0, additive=suggested_additive)``),
  i.e. a stand-in for "a third dataset", for the transfer settings. With ``interactions=True`` the
  new task also differs from the mixture by a random pairwise-interaction shift and a per-cell
  shift, each of up to twice the size of that part of the difference between the two sources
  (:func:`difference_parts`): the two sources differ by more than main effects, and so may a third.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from genhpo.model.candidates import enumerate_space
from genhpo.model.layout import Layout
from genhpo.model.validation import key_of
from genhpo.protocol import Result
from genhpo.spaces import SpaceEncoder, nb201


class _ScoredCells:
    name, fidelity_space = "selection-nb201", None

    def __init__(self, dataset: str) -> None:
        self.config_space = nb201.config_space()
        self.encoder = SpaceEncoder(self.config_space)
        self.pool = enumerate_space(self.encoder)
        self.dataset, self.optimum = dataset, 100.0
        self.index = {key_of(row): i for i, row in enumerate(self.pool)}

    def _set_scores(self, y: np.ndarray) -> None:
        self.scores = 100 * (y - y.min()) / (y.max() - y.min())

    def evaluate(self, config, fidelity=None, rng=None) -> Result:
        return Result(score=float(self.scores[self.index[key_of(self.encoder.encode(config))]]))


class SyntheticCells(_ScoredCells):
    """A synthetic task of its own seed (training draws its tasks from one seeded stream instead)."""

    def __init__(self, task_seed: int) -> None:
        from genhpo.model.synthetic import synthetic_scores

        super().__init__(f"synthetic-{task_seed}")
        self._set_scores(synthetic_scores(self.pool, Layout.from_encoder(self.encoder), np.random.default_rng(task_seed)))


def _ops(X: np.ndarray) -> np.ndarray:
    """``(n, 6)`` op index per NB201 edge of one-hot rows ``X (n, 30)``."""
    return X.reshape(len(X), 6, 5).argmax(axis=2)


def _pair_features(ops: np.ndarray) -> np.ndarray:
    """``(n, 15 * 25)`` indicators of the op pair on each pair of edges."""
    n = len(ops)
    out = np.zeros((n, 15 * 25))
    for k, (i, j) in enumerate(itertools.combinations(range(6), 2)):
        out[np.arange(n), 25 * k + 5 * ops[:, i] + ops[:, j]] = 1.0
    return out


def difference_parts(tables) -> tuple[float, float, float]:
    """Mean over pairs of source tables of the std of their standardised difference's main-effects
    part, pairwise-interaction part (beyond main effects) and remainder (least squares on the rows)."""
    X = tables[0].X.astype(float)
    main = np.column_stack([np.ones(len(X)), X])
    pairs = np.column_stack([main, _pair_features(_ops(X))])
    parts = []
    for a, b in itertools.combinations(tables, 2):
        diff = (a.y - a.y.mean()) / a.y.std() - (b.y - b.y.mean()) / b.y.std()
        fit_main = main @ np.linalg.lstsq(main, diff, rcond=None)[0]
        fit_pairs = pairs @ np.linalg.lstsq(pairs, diff, rcond=None)[0]
        parts.append((fit_main.std(), (fit_pairs - fit_main).std(), (diff - fit_pairs).std()))
    return tuple(float(v) for v in np.mean(parts, axis=0))


@functools.cache
def _sources(holdout: str) -> tuple:
    """The source tables of the ``nb201-holdout-<holdout>`` checkpoint (never ``holdout``'s), read once."""
    from genhpo.benchmarks.nb201 import NB201Benchmark
    from genhpo.model.recipes import NB201_DATASETS
    from genhpo.model.sources import benchmark_task

    if holdout not in NB201_DATASETS:
        raise ValueError(f"unknown NB201 holdout {holdout!r}; accepted: {', '.join(NB201_DATASETS)}")
    encoder = SpaceEncoder(nb201.config_space())
    return tuple(benchmark_task(NB201Benchmark(d), encoder) for d in NB201_DATASETS if d != holdout)


@functools.cache
def _source_parts(holdout: str) -> tuple[float, float, float]:
    return difference_parts(_sources(holdout))


class MixtureCells(_ScoredCells):
    """A new task from the source tables of the ``nb201-holdout-<holdout>`` checkpoint (see module doc)."""

    def __init__(self, holdout: str, task_seed: int, interactions: bool = False) -> None:
        from genhpo.model.sources import MixtureSource, suggested_additive

        tables = list(_sources(holdout))
        super().__init__(f"mixture-{holdout}-{task_seed}")
        rng = np.random.default_rng(task_seed)
        task = MixtureSource(tables, p_pure=0.0, additive=suggested_additive(tables))(rng)
        order = np.array([self.index[key_of(row)] for row in task.X])
        y = np.empty(len(self.pool))
        y[order] = task.y
        if interactions:
            _, pair_part, rest = _source_parts(holdout)
            ops = _ops(self.pool)
            shift = _pair_features(ops) @ rng.normal(size=15 * 25)
            y = (y - y.mean()) / y.std()
            y = y + rng.uniform(0.0, 2 * pair_part) * (shift - shift.mean()) / shift.std()
            y = y + rng.uniform(0.0, 2 * rest) * rng.normal(size=len(y))
        self._set_scores(y)
