"""Meta-training tasks and the sampler that draws histories the way an optimizer meets them.

A task is a table: encoded configurations ``X (N, d)`` and their scores ``y (N,)`` (maximised).
Real tasks are benchmark tables; generated tasks (mixtures of tables, synthetic functions) come
from a :class:`TaskSource`, a fresh task per draw. The sampler draws, per example,

- a history C: its length near a per-batch length drawn log-uniform in [1, max_len] (so a batch
  pads little), empty with probability ``p_empty``, and its rows chosen by one of three regimes: uniform (random search), score-biased (an optimizer
  that has found the good region: Gumbel-top-k with logits t * z(y)) or local (an evolution-like
  search around a good anchor: logits t1 * z(y) - t2 * Hamming distance to the anchor);
- (for speed, per batch each task is cut to ``world`` random rows: a random sub-table is a task too)
- a flag I ~ Bernoulli(1/2) and a target x drawn uniformly from the rows not in C whose score
  beats max y(C) (I = 1) or does not (I = 0); I = 0 when no row beats C.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Task:
    """A table: X (N, d) encoded configurations, y (N,) finite scores (higher is better)."""

    name: str
    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"task {self.name!r}: X must be (N, d) and y (N,), got {self.X.shape} and {self.y.shape}")
        if self.X.shape[0] < 2 or not np.all(np.isfinite(self.y)):
            raise ValueError(f"task {self.name!r} needs at least two rows and finite scores")


#: A source of generated tasks: called with a generator, returns a fresh task.
TaskSource = Callable[[np.random.Generator], Task]


def task_stats(task: Task) -> tuple[np.ndarray, np.ndarray]:
    """(standardised scores (N,), indices of the top 5 % of rows): what the biased regimes need."""
    z = (task.y - task.y.mean()) / max(task.y.std(), 1e-12)
    k = max(1, len(task.y) // 20)
    return z, np.argpartition(-task.y, k - 1)[:k]


def _subset(task: Task, rng: np.random.Generator, size: int) -> Task:
    if task.X.shape[0] <= size:
        return task
    rows = rng.choice(task.X.shape[0], size=size, replace=False)
    return Task(task.name, task.X[rows], task.y[rows])


@dataclass(frozen=True)
class HistorySampler:
    """Draws training examples; ``batch`` returns torch tensors X (B, L, d), y, mask (B, L), x (B, d), flag (B,)."""

    max_len: int = 100
    p_empty: float = 0.05
    p_uniform: float = 0.3
    p_biased: float = 0.35  # the rest is local search
    world: int = 2048  # per batch, each task is cut to this many random rows (speed; 0 = whole table)

    def __post_init__(self) -> None:
        if self.max_len < 1:
            raise ValueError(f"max_len must be >= 1, got {self.max_len}")
        for name in ("p_empty", "p_uniform", "p_biased"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.p_uniform + self.p_biased > 1.0:
            raise ValueError("p_uniform + p_biased must not exceed 1")

    def draw_length(self, rng: np.random.Generator) -> int:
        """A history length, log-uniform in [1, max_len]."""
        return min(int(np.exp(rng.uniform(0.0, np.log(self.max_len + 1)))), self.max_len)

    def history(self, task: Task, rng: np.random.Generator, length: int | None = None,
                stats: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Row indices ``(n,)`` of one history of ``task``; n = ``length`` (drawn if None).

        stats: the task's (standardised y, indices of its top 5 %), if the caller cached them.
        """
        N = task.X.shape[0]
        if rng.random() < self.p_empty:
            return np.zeros(0, dtype=np.int64)
        n = min(self.draw_length(rng) if length is None else length, N - 1)
        regime = rng.random()
        if regime < self.p_uniform:
            return rng.choice(N, size=n, replace=False)
        z, top = stats if stats is not None else task_stats(task)
        logits = rng.uniform(0.3, 4.0) * z
        if regime >= self.p_uniform + self.p_biased:
            anchor = task.X[rng.choice(top)]
            distance = np.abs(task.X - anchor).sum(axis=1)
            logits = rng.uniform(0.0, 1.0) * logits - rng.uniform(0.5, 4.0) * distance
        keys = logits + rng.gumbel(size=N)  # Gumbel-top-k: n draws without replacement, p ~ exp(logits)
        return np.argpartition(-keys, n - 1)[:n] if n < N else np.arange(N)

    def example(self, task: Task, rng: np.random.Generator, length: int | None = None,
                stats: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, int, float]:
        """(history indices, target index, flag) for one example."""
        C = self.history(task, rng, length, stats)
        free = np.ones(task.X.shape[0], dtype=bool)
        free[C] = False
        best = task.y[C].max() if len(C) else -np.inf
        better = free & (task.y > best)
        flag = 1.0 if (rng.random() < 0.5 and better.any()) else 0.0
        pool = np.flatnonzero(better if flag else free & ~better)
        if len(pool) == 0:  # C is everything that does not improve: only improvements remain
            pool, flag = np.flatnonzero(better), 1.0
        return C, int(rng.choice(pool)), flag

    def batch(self, tasks: Sequence[Task], size: int, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        """``size`` examples, spread evenly over ``tasks``, padded to the longest history."""
        if self.world:
            tasks = [_subset(task, rng, self.world) for task in tasks]
        stats = [task_stats(task) for task in tasks]
        top_length = self.draw_length(rng)
        examples = []
        for i in range(size):
            length = int(rng.integers(top_length // 2, top_length + 1))
            task = tasks[i % len(tasks)]
            examples.append((task, *self.example(task, rng, length, stats[i % len(tasks)])))
        L = max(1, max(len(C) for _, C, _, _ in examples))
        d = tasks[0].X.shape[1]
        X = np.zeros((size, L, d), dtype=np.float32)
        y = np.zeros((size, L), dtype=np.float32)
        mask = np.zeros((size, L), dtype=bool)
        x = np.zeros((size, d), dtype=np.float32)
        flag = np.zeros(size, dtype=np.float32)
        for i, (task, C, target, f) in enumerate(examples):
            X[i, : len(C)] = task.X[C]
            scale = max(task.y.std(), 1e-12)  # any affine map is fine: the encoder re-normalises
            y[i, : len(C)] = (task.y[C] - task.y.mean()) / scale
            mask[i, : len(C)] = True
            x[i] = task.X[target]
            flag[i] = f
        return {"X": torch.from_numpy(X), "y": torch.from_numpy(y), "mask": torch.from_numpy(mask),
                "x": torch.from_numpy(x), "flag": torch.from_numpy(flag)}
