"""Synthetic tasks over any space: random functions with the structure HPO landscapes tend to have.

Used for the cold-start checkpoint (no benchmark data at all) and mixed into transfer training to
keep the model general. A task's score is a random mix of
- additive main effects (one random value per categorical choice, a random quadratic per numeric;
  a random subset of hyperparameters matters), weight 1,
- pairwise interactions between random pairs of hyperparameters, weight U(0, 0.6): a number of pairs
  drawn uniformly from 0 to min(h (h - 1) / 2, 4 h) for h hyperparameters (every pair may interact in
  spaces of up to 9; sparse interactions, at most 4 per hyperparameter on average, in larger ones, as
  in real landscapes of low effective dimension, and a task of a 222-hyperparameter space in
  milliseconds instead of a loop over 24,000 pairs),
- a "bowl" around a random optimum (minus the L1 distance of the encodings), weight U(0, 0.6),
passed through a random monotone warp. Only the space's layout is used, never a benchmark's scores.
"""

from __future__ import annotations

import numpy as np

from genhpo.metatrain.tasks import Task
from genhpo.model.layout import Layout

#: interactions per hyperparameter at most, on average (see the module docstring)
MAX_PAIRS_PER_HYPERPARAMETER = 4


def max_pairs(h: int) -> int:
    """Most interacting pairs a task of an h-hyperparameter space draws: min(h (h - 1) / 2, 4 h)."""
    return min(h * (h - 1) // 2, MAX_PAIRS_PER_HYPERPARAMETER * h)


def _groups(layout: Layout) -> list[np.ndarray]:
    """Column indices of each hyperparameter: a one-hot block, or one numeric entry."""
    return [np.arange(a, b) for a, b in layout.categorical] + [np.array([i]) for i in layout.numeric]


def synthetic_scores(X: np.ndarray, layout: Layout, rng: np.random.Generator) -> np.ndarray:
    """Scores ``(N,)`` of one random function at the rows of ``X (N, d)``."""
    N, d = X.shape
    groups = _groups(layout)
    numeric = np.array(layout.numeric, dtype=np.int64)
    # main effects dominate (low effective dimensionality), interactions and the bowl are milder
    weights = np.array([1.0, rng.uniform(0.0, 0.6), rng.uniform(0.0, 0.6)])
    # main effects, some hyperparameters unimportant
    relevance = rng.exponential(1.0, size=d) * (rng.random(d) < rng.uniform(0.4, 1.0))
    y_main = X @ (rng.normal(size=d) * relevance)
    if len(numeric):
        centre = rng.random(len(numeric))
        y_main -= ((X[:, numeric] - centre) ** 2) @ (rng.exponential(3.0, size=len(numeric)) * relevance[numeric])
    # pairwise interactions
    y_pair = np.zeros(N)
    n_pairs = int(rng.integers(0, max(1, max_pairs(len(groups))) + 1)) if len(groups) > 1 else 0
    for _ in range(n_pairs):
        gi, gj = rng.choice(len(groups), size=2, replace=False)
        A, B = groups[gi], groups[gj]
        y_pair += ((X[:, A] @ rng.normal(size=(len(A), len(B)))) * X[:, B]).sum(axis=1)
    # a bowl around a random optimum
    x_star = X[rng.integers(N)]
    y_bowl = -np.abs(X - x_star).sum(axis=1)
    parts = [y_main, y_pair, y_bowl]
    y = sum(w * p / max(p.std(), 1e-12) for w, p in zip(weights, parts))
    y = (y - y.mean()) / max(y.std(), 1e-12)
    # random monotone warp: sharper or flatter top, a few outliers at the bottom
    s = rng.uniform(0.2, 2.0)
    y = np.exp(s * y) if rng.random() < 0.5 else -np.exp(-s * y)
    return y + 1e-9 * rng.normal(size=N)  # break exact ties


class SyntheticSource:
    """A task source: each call returns a new synthetic task on ``pool`` (the space's rows).

    pool: ``(N, d)`` encodings, all configurations of a finite space or random draws otherwise.
    """

    def __init__(self, pool: np.ndarray, layout: Layout, rows: int = 4096):
        if pool.ndim != 2 or pool.shape[1] != layout.dim:
            raise ValueError(f"pool must be (N, {layout.dim}), got {pool.shape}")
        self.pool = pool.astype(np.float32)
        self.layout = layout
        self.rows = rows

    def __call__(self, rng: np.random.Generator) -> Task:
        """A new task on (at most ``rows`` random rows of) the pool."""
        X = self.pool
        if X.shape[0] > self.rows:
            X = X[rng.choice(X.shape[0], size=self.rows, replace=False)]
        return Task("synthetic", X, synthetic_scores(X.astype(np.float64), self.layout, rng))
