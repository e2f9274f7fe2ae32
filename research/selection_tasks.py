"""Held-out tasks for choosing suggestion settings without looking at the benchmark reported on.

Both are benchmarks over all NB201 cells whose scores are min-max scaled to [0, 100] (so regrets
read like accuracy points):
- ``SyntheticCells(seed)``: a synthetic task (``genhpo.metatrain.synthetic``), for the cold start;
- ``MixtureCells(holdout, seed)``: a new task built from the *source* tables of the
  ``nb201-holdout-<holdout>`` checkpoint only (the other two datasets; the held-out table is never
  read): a random convex combination of them plus a random main-effect shift of up to ``scale``
  times the one that separates the sources (``MixtureSource(p_pure=0, additive=suggested_additive)``),
  i.e. a stand-in for "a third dataset", for the transfer settings. With ``interactions=True`` the
  new task also differs from the mixture by a random pairwise-interaction shift and a per-cell
  shift, each up to ``scale`` times that part of the difference between the two sources
  (:func:`genhpo.metatrain.sources.difference_parts`): the two sources differ by more than main
  effects, and so may a third.

How far a new task sits from its sources is ``scale`` times the sources' own difference (each
shift is drawn up to that size); 2 (the default, the protocol of sessions 2-5) lets a task sit
farther out than the sources sit from each other. :func:`calibrated_scale` chooses it from the
sources instead, by the statistic that decides whether transfer can find the optimum early: where
a task's optimum ranks in the sources' mean ranking (TransferTopK's order, :func:`optimum_rank`),
matched to where each source's optimum ranks in the other's ranking (:func:`cross_rank`).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from genhpo.benchmarks.base import Benchmark
from genhpo.model.layout import Layout
from genhpo.protocol import Result
from genhpo.spaces import SpaceEncoder, nb201
from genhpo.spaces.rows import key_of
from genhpo.spaces.sampling import enumerate_space


class _ScoredCells(Benchmark):
    """Scores for every NB201 cell, min-max scaled to [0, 100] (the optimum is 100)."""

    name = "selection-nb201"

    def __init__(self, dataset: str) -> None:
        super().__init__()
        self._space = nb201.config_space()
        self.encoder = SpaceEncoder(self._space)
        self.pool, self.index = _cells()
        self.dataset = dataset

    @property
    def config_space(self):
        return self._space

    @property
    def optimum(self) -> float:
        return 100.0

    def _set_scores(self, y: np.ndarray) -> None:
        self.scores = 100 * (y - y.min()) / (y.max() - y.min())

    def _evaluate(self, config, fidelity=None, rng=None) -> Result:
        return Result(score=float(self.scores[self.index[key_of(self.encoder.encode(config))]]))


class SyntheticCells(_ScoredCells):
    """A synthetic task of its own seed (training draws its tasks from one seeded stream instead)."""

    def __init__(self, task_seed: int) -> None:
        from genhpo.metatrain.synthetic import synthetic_scores

        super().__init__(f"synthetic-{task_seed}")
        self._set_scores(synthetic_scores(self.pool, Layout.from_encoder(self.encoder), np.random.default_rng(task_seed)))


@functools.cache
def _cells() -> tuple[np.ndarray, dict[bytes, int]]:
    """All NB201 cells encoded (read-only) and the index of each row's key, built once."""
    pool = enumerate_space(SpaceEncoder(nb201.config_space()))
    pool.flags.writeable = False
    return pool, {key_of(row): i for i, row in enumerate(pool)}


@functools.cache
def _cell_pair_features() -> np.ndarray:
    """:func:`_pair_features` of every NB201 cell (in ``_cells`` order), built once (read-only)."""
    features = _pair_features(_ops(_cells()[0]))
    features.flags.writeable = False
    return features


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


@functools.cache
def _sources(holdout: str) -> tuple:
    """The source tables of the ``nb201-holdout-<holdout>`` checkpoint (never ``holdout``'s), read once."""
    from genhpo.benchmarks.nb201 import NB201Benchmark
    from genhpo.metatrain.recipes import NB201_DATASETS
    from genhpo.metatrain.sources import benchmark_task

    if holdout not in NB201_DATASETS:
        raise ValueError(f"unknown NB201 holdout {holdout!r}; accepted: {', '.join(NB201_DATASETS)}")
    encoder = SpaceEncoder(nb201.config_space())
    return tuple(benchmark_task(NB201Benchmark(d), encoder) for d in NB201_DATASETS if d != holdout)


@functools.cache
def _source_parts(holdout: str) -> tuple[float, float, float]:
    from genhpo.metatrain.sources import difference_parts

    return difference_parts(_sources(holdout))


class MixtureCells(_ScoredCells):
    """A new task from the source tables of the ``nb201-holdout-<holdout>`` checkpoint (see module doc)."""

    def __init__(self, holdout: str, task_seed: int, interactions: bool = False, scale: float = 2.0) -> None:
        from genhpo.metatrain.sources import MixtureSource, suggested_additive

        if not (np.isfinite(scale) and scale >= 0):
            raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
        tables = list(_sources(holdout))
        super().__init__(f"mixture-{holdout}-{task_seed}")
        rng = np.random.default_rng(task_seed)
        task = MixtureSource(tables, p_pure=0.0, additive=suggested_additive(tables, factor=scale))(rng)
        order = np.array([self.index[key_of(row)] for row in task.X])
        y = np.empty(len(self.pool))
        y[order] = task.y
        if interactions:
            _, pair_part, rest = _source_parts(holdout)
            shift = _cell_pair_features() @ rng.normal(size=15 * 25)
            y = (y - y.mean()) / y.std()
            y = y + rng.uniform(0.0, scale * pair_part) * (shift - shift.mean()) / shift.std()
            y = y + rng.uniform(0.0, scale * rest) * rng.normal(size=len(y))
        self._set_scores(y)


def _rank_of_best(order: np.ndarray, target: np.ndarray) -> int:
    """1-based rank, by ``order`` (higher first), of the best row of ``target`` (same rows)."""
    return int((order > order[np.argmax(target)]).sum()) + 1


def cross_rank(holdout: str) -> float:
    """Median, over ordered pairs of the ``nb201-holdout-<holdout>`` checkpoint's source tables, of
    the rank of one source's optimum in the other's ranking (how well the top of one dataset
    transfers to a sibling dataset)."""
    tables = _sources(holdout)
    return float(np.median([_rank_of_best(a.y, b.y) for a, b in itertools.permutations(tables, 2)]))


@functools.cache
def _topk_scores(holdout: str) -> np.ndarray:
    """Per NB201 cell (in ``_cells`` order), the sources' mean min-max-normalised score (read-only)."""
    tables = _sources(holdout)
    pool, index = _cells()
    scores = np.empty(len(pool))
    scores[[index[key_of(row)] for row in tables[0].X]] = sum((t.y - t.y.min()) / (t.y.max() - t.y.min())
                                                              for t in tables)
    scores.flags.writeable = False
    return scores


def optimum_rank(task: MixtureCells, holdout: str) -> int:
    """Rank of ``task``'s optimum in the sources' order of mean min-max-normalised score (the order in
    which TransferTopK asks them)."""
    return _rank_of_best(_topk_scores(holdout), task.scores)


SCALES = (2.0, 1.0, 0.5, 0.25, 0.1)


def scale_ranks(holdout: str, interactions: bool = True, tasks: int = 30, first_task: int = 40_000
                ) -> dict[float, float]:
    """Per scale of :data:`SCALES`, the median :func:`optimum_rank` of ``tasks`` new tasks."""
    return {scale: float(np.median([optimum_rank(MixtureCells(holdout, first_task + k, interactions, scale), holdout)
                                    for k in range(tasks)])) for scale in SCALES}


def calibrated_scale(holdout: str, interactions: bool = True, tasks: int = 30, first_task: int = 40_000,
                     ranks: dict[float, float] | None = None) -> float:
    """The scale of :data:`SCALES` whose new tasks' median optimum rank (``ranks``, else
    :func:`scale_ranks`) is closest, on a log scale, to the sources' :func:`cross_rank` (reads the
    source tables only)."""
    target = np.log(cross_rank(holdout))
    ranks = ranks if ranks is not None else scale_ranks(holdout, interactions, tasks, first_task)
    return min(ranks, key=lambda scale: abs(np.log(ranks[scale]) - target))


class SelectionTask:
    """A selection task named as a runner dataset (``benchmark = "research.selection_tasks:SelectionTask"``):
    ``synthetic_<seed>`` (:class:`SyntheticCells`) or ``mixture_<holdout>_<seed>_<scale>[_interactions]``
    (:class:`MixtureCells`). Raises ValueError for any other name."""

    def __new__(cls, dataset: str):
        kind, args = cls.check_dataset(dataset)
        task = SyntheticCells(*args) if kind == "synthetic" else MixtureCells(*args)
        task.dataset = dataset
        return task

    @staticmethod
    def check_dataset(dataset: str) -> tuple[str, tuple]:
        """(kind, constructor arguments) of a task name; ValueError naming the accepted forms."""
        parts = str(dataset).split("_")
        try:
            if parts[0] == "synthetic" and len(parts) == 2:
                return "synthetic", (int(parts[1]),)
            if parts[0] == "mixture" and len(parts) in (4, 5) and parts[4:] in ([], ["interactions"]):
                return "mixture", (parts[1], int(parts[2]), len(parts) == 5, float(parts[3]))
            raise ValueError("not of either form")
        except ValueError as exc:
            raise ValueError(f"selection task {dataset!r}: expected synthetic_<seed> or "
                             f"mixture_<holdout>_<seed>_<scale>[_interactions] ({exc})") from None


def synthetic_name(seed: int) -> str:
    """The runner dataset of :class:`SyntheticCells` ``(seed)``."""
    return f"synthetic_{seed}"


def mixture_name(holdout: str, seed: int, scale: float, interactions: bool) -> str:
    """The runner dataset of :class:`MixtureCells` ``(holdout, seed, interactions, scale)``."""
    return f"mixture_{holdout}_{seed}_{scale:g}" + ("_interactions" if interactions else "")
