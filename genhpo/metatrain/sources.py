"""Meta-training data: benchmark tables as tasks, and generated variations of them.

With few source tables (NB201: two per held-out dataset) a model can memorise each table; the
mixture source instead draws a fresh task per call: a random convex combination of the
standardised source scores, a random monotone warp and a little noise, so the model learns what
transfers between the tables rather than the tables themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from genhpo.benchmarks.base import TabularBenchmark
from genhpo.benchmarks.pareto import augmented_chebyshev
from genhpo.metatrain.tasks import Task, TaskSource
from genhpo.spaces import SpaceEncoder


def benchmark_task(benchmark: TabularBenchmark, encoder: SpaceEncoder) -> Task:
    """The whole table of ``benchmark`` as a task on ``encoder``'s layout."""
    if encoder.signature() != SpaceEncoder(benchmark.config_space).signature():
        raise ValueError(f"{benchmark.label}'s space does not match the encoder's space")
    configs, scores = benchmark.table()
    return Task(benchmark.label, encoder.encode_batch(configs).astype(np.float32), np.asarray(scores, dtype=float))


def _standardise(y: np.ndarray) -> np.ndarray:
    return (y - y.mean()) / max(y.std(), 1e-12)


def _noisy_warp(z: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Standardised scores ``z (N,)`` plus Gaussian noise of a random sd in [0, ``noise``], then a random
    monotone warp of the distance to the best, -(max - z) ** p with p log-uniform in [1/2, 2]: the
    same ranking, a different shape of the top."""
    z = z + rng.uniform(0.0, noise) * rng.normal(size=z.shape)
    p = np.exp(rng.uniform(np.log(0.5), np.log(2.0)))
    return -((z.max() - z + 1e-9) ** p)


class MixtureSource:
    """Fresh tasks from ``tasks`` (same rows, same order): y = warp(sum_k w_k z(y_k)) + noise.

    p_pure: probability of drawing one source table unchanged (w one-hot);
    noise: maximum standard deviation of Gaussian noise, in units of the mixture's std;
    additive: maximum scale s of a random task-specific shift with main effects only: y += s * z(X b),
      b ~ N(0, 1) per encoded column (per hyperparameter value), s ~ U(0, additive). A new task does
      not only reweight the sources: it prefers some values of some hyperparameters more than they
      do (e.g. more convolutions on a harder dataset). Such shifts can be read off a history, so a
      model meta-trained on them learns to correct its prior from what it observes, instead of
      replaying the sources' best configurations. ``suggested_additive`` calibrates s from the sources.
    """

    def __init__(self, tasks: Sequence[Task], p_pure: float = 0.3, noise: float = 0.01, additive: float = 0.0):
        if not tasks:
            raise ValueError("MixtureSource needs at least one task")
        shapes = {t.X.shape for t in tasks}
        if len(shapes) != 1 or any(not np.array_equal(t.X, tasks[0].X) for t in tasks[1:]):
            raise ValueError("mixed tasks must share the same rows X in the same order")
        self.tasks = list(tasks)
        if not (np.isfinite(additive) and additive >= 0):
            raise ValueError(f"additive must be a finite number >= 0, got {additive!r}")
        self.p_pure, self.noise, self.additive = p_pure, noise, additive
        self._z = np.stack([_standardise(t.y) for t in tasks])
        self._X = tasks[0].X.astype(float)  # the shared rows, converted once (not on every draw)

    def __call__(self, rng: np.random.Generator) -> Task:
        k = len(self.tasks)
        if rng.random() < self.p_pure:
            w = np.eye(k)[rng.integers(k)]
        else:
            w = rng.dirichlet(np.ones(k))
        y = _standardise(w @ self._z)
        if self.additive:
            shift = self._X @ rng.normal(size=self._X.shape[1])
            y = _standardise(y + rng.uniform(0.0, self.additive) * _standardise(shift))
        return Task("mixture", self.tasks[0].X, _noisy_warp(y, self.noise, rng))


def _source_differences(tasks: Sequence[Task]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For each pair of source tables: (the encoded rows with an intercept column, the difference of
    their standardised scores)."""
    main = np.column_stack([np.ones(len(tasks[0].X)), tasks[0].X.astype(float)])
    for first, second in itertools.combinations(tasks, 2):
        yield main, _standardise(first.y) - _standardise(second.y)


def _least_squares_fit(design: np.ndarray, target: np.ndarray) -> np.ndarray:
    return design @ np.linalg.lstsq(design, target, rcond=None)[0]


def suggested_additive(tasks: Sequence[Task], factor: float = 2.0) -> float:
    """A scale for :class:`MixtureSource`'s ``additive`` from the sources alone: ``factor`` times the
    mean, over pairs of sources, of the std of the main-effects (least-squares on the encoded rows)
    part of their standardised difference; 0 with fewer than two sources. The factor allows a new
    task to sit farther from the sources than they sit from each other."""
    if len(tasks) < 2:
        return 0.0
    return factor * float(np.mean([_least_squares_fit(main, diff).std() for main, diff in _source_differences(tasks)]))


def _pair_products(X: np.ndarray) -> np.ndarray:
    """``(n, d (d - 1) / 2)`` products x_a x_b, a < b, of the rows ``X (n, d)``."""
    a, b = np.triu_indices(X.shape[1], k=1)
    return X[:, a] * X[:, b]


def difference_parts(tasks: Sequence[Task]) -> tuple[float, float, float]:
    """How the sources differ: the mean, over pairs of sources, of the std of three parts of their
    standardised difference (least squares on the encoded rows): main effects; pairwise products of
    the encoded columns beyond main effects; and the remainder. ValueError with fewer than two."""
    if len(tasks) < 2:
        raise ValueError(f"difference_parts needs at least two source tables, got {len(tasks)}")
    parts = []
    for main, diff in _source_differences(tasks):
        fit_main = _least_squares_fit(main, diff)
        fit_pairs = _least_squares_fit(np.column_stack([main, _pair_products(main[:, 1:])]), diff)
        parts.append((fit_main.std(), (fit_pairs - fit_main).std(), (diff - fit_pairs).std()))
    return tuple(float(v) for v in np.mean(parts, axis=0))


class TableSource:
    """Fresh tasks from tables with *different* rows (e.g. HPO-B datasets of one search space): a
    random table, its scores standardised, randomly warped (monotone) and lightly noised."""

    def __init__(self, tasks: Sequence[Task], noise: float = 0.01):
        if not tasks:
            raise ValueError("TableSource needs at least one task")
        if len({t.X.shape[1] for t in tasks}) != 1:
            raise ValueError("tables must share the encoding width d")
        self.tasks, self.noise = list(tasks), noise

    def __call__(self, rng: np.random.Generator) -> Task:
        task = self.tasks[int(rng.integers(len(self.tasks)))]
        return Task(task.name, task.X, _noisy_warp(_standardise(task.y), self.noise, rng))


class ScalarisedSource:
    """Fresh multi-objective tasks from tables of several objectives on the same rows: what the
    generative optimizer's multi-objective mode asks its model at each suggestion
    (:class:`genhpo.suggest.objectives.ScalarTarget`), drawn from related tables.

    Each draw: every source's objectives (maximised form) normalised to [0, 1] over its table; a
    random convex mixture F (N, k) of the sources (one source alone with probability ``p_pure``); a
    weight vector w uniform on the simplex, one objective's weight set to 0 with probability
    ``p_drop`` (a run on a subset of the objectives); y = -(max_j w_j (1 - F_j) + rho sum_j w_j
    (1 - F_j)), ParEGO's augmented Chebyshev scalarisation (Knowles, IEEE TEVC 2006) with
    rho = :data:`genhpo.benchmarks.pareto.PAREGO_RHO`; then standardised, noised and warped as
    :class:`MixtureSource` draws.

    Args:
        X: (N, d) the encoded rows every table shares.
        tables: per source, (N, k) objective values in maximised form (higher is better), same k.
        name: the tasks' name.
    Raises ValueError for no table, tables of another length or width, k < 2, or non-finite values.
    """

    def __init__(self, X: np.ndarray, tables: Sequence[np.ndarray], name: str = "scalarised",
                 p_pure: float = 0.3, p_drop: float = 0.25, noise: float = 0.01):
        if not tables:
            raise ValueError("ScalarisedSource needs at least one table")
        tables = [np.asarray(t, dtype=float) for t in tables]
        shapes = {t.shape for t in tables}
        if len(shapes) != 1 or tables[0].ndim != 2 or tables[0].shape[0] != len(X) or tables[0].shape[1] < 2:
            raise ValueError(f"tables must all be (N, k) with N = {len(X)} rows and k >= 2 objectives, "
                             f"got shapes {sorted(shapes)}")
        if not all(np.isfinite(t).all() for t in tables):
            raise ValueError("objective tables must be finite")
        lower = [t.min(axis=0) for t in tables]
        spread = [np.where(t.max(axis=0) > lo, t.max(axis=0) - lo, 1.0) for t, lo in zip(tables, lower, strict=True)]
        self._F = np.stack([(t - lo) / s for t, lo, s in zip(tables, lower, spread, strict=True)])  # (sources, N, k)
        self.X, self.name = X, name
        self.p_pure, self.p_drop, self.noise = p_pure, p_drop, noise

    def __call__(self, rng: np.random.Generator) -> Task:
        sources, _, k = self._F.shape
        v = np.eye(sources)[rng.integers(sources)] if rng.random() < self.p_pure else rng.dirichlet(np.ones(sources))
        F = np.tensordot(v, self._F, axes=1)
        w = rng.dirichlet(np.ones(k))
        if k > 2 and rng.random() < self.p_drop:
            w[rng.integers(k)] = 0.0
            w /= w.sum()
        y = augmented_chebyshev(F, w)
        return Task(self.name, self.X, _noisy_warp(_standardise(y), self.noise, rng))


class CompositeSource:
    """Draws from ``sources`` with probabilities ``weights``."""

    def __init__(self, sources: Sequence[TaskSource], weights: Sequence[float]):
        if len(sources) != len(weights) or not sources:
            raise ValueError("CompositeSource needs one weight per source")
        w = np.asarray(weights, dtype=float)
        if np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be non-negative with a positive sum, got {list(weights)}")
        self.sources, self.p = list(sources), w / w.sum()

    def __call__(self, rng: np.random.Generator) -> Task:
        return self.sources[int(rng.choice(len(self.sources), p=self.p))](rng)
