"""TransferTopK: evaluate configurations in order of their mean normalised score on related tasks.

The naive transfer baseline a practitioner tries first. Each related task's table is min-max
normalised to [0, 1] (so tasks with different score scales weigh alike); a configuration's rank score
is its mean normalised score over the related tasks whose table holds it. Configurations are asked
best first (ties in a seeded random order), each at most once; once the ranked list is exhausted the
optimizer falls back to uniformly random configurations it has not asked yet (never a repeat in a
finite space). It reads only the related tasks' tables, never the target task's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.baselines.space_support import config_key, private_copy
from genhpo.benchmarks.base import TabularBenchmark
from genhpo.protocol import Optimizer, Result

_MAX_RESAMPLES = 10_000


class TransferTopK(Optimizer):
    """Best-on-related-tasks first, then random; never asks the same configuration twice."""

    name = "transfer-topk"

    def __init__(self, config_space: ConfigurationSpace, seed: int, related: Sequence[TabularBenchmark]) -> None:
        super().__init__(config_space, seed)
        related = list(related)
        if not related:
            raise ValueError("TransferTopK needs at least one related TabularBenchmark; got none")
        names = set(config_space.keys())
        for task in related:
            if not isinstance(task, TabularBenchmark):
                raise TypeError(f"related tasks must be TabularBenchmark instances, got {type(task).__name__}")
            if set(task.config_space.keys()) != names:
                raise ValueError(
                    f"related task {task.label} has hyperparameters {sorted(task.config_space.keys())}, "
                    f"the target space has {sorted(names)}; TransferTopK needs the same space"
                )
        self.related = [task.label for task in related]
        self._rng = np.random.default_rng(seed)
        self._ranked, self.rank_scores = _rank(related, self._rng)
        _check_values(self._ranked, config_space)
        self._next = 0
        self._sampler = private_copy(config_space, seed=int(self._rng.integers(2**31 - 1)))
        self._asked: set[tuple] = set()

    def ask(self) -> Configuration:
        while self._next < len(self._ranked):
            values = self._ranked[self._next]
            self._next += 1
            key = config_key(values)
            if key not in self._asked:
                self._asked.add(key)
                return Configuration(self.config_space, values=values)
        for _ in range(_MAX_RESAMPLES):
            values = dict(self._sampler.sample_configuration())
            key = config_key(values)
            if key not in self._asked:
                self._asked.add(key)
                return Configuration(self.config_space, values=values)
        raise RuntimeError(
            f"TransferTopK found no unasked configuration in {_MAX_RESAMPLES} random draws after "
            f"{len(self._asked)} distinct ones: the finite space looks exhausted"
        )

    def _tell(self, config: Configuration, result: Result) -> None:
        self._asked.add(config_key(config))  # nothing to learn: the order is fixed by the related tasks

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "related": self.related, "n_ranked": len(self._ranked)}


def _rank(related: Sequence[TabularBenchmark], rng: np.random.Generator) -> tuple[list[dict], np.ndarray]:
    """Configurations of the related tables, best mean normalised score first, and those scores."""
    index: dict[tuple, int] = {}
    configs: list[dict] = []
    total: list[float] = []
    count: list[int] = []
    for task in related:
        task_configs, scores = task.table()
        scores = np.asarray(scores, dtype=float)
        if scores.shape != (len(task_configs),):
            raise ValueError(
                f"{task.label}.table() returned {len(task_configs)} configurations and scores of shape {scores.shape}"
            )
        finite = np.isfinite(scores)
        if not finite.any():
            continue
        low, high = scores[finite].min(), scores[finite].max()
        normalised = (scores - low) / (high - low) if high > low else np.zeros_like(scores)
        for values, score, ok in zip(task_configs, normalised, finite):
            if not ok:
                continue
            key = config_key(values)
            if key not in index:
                index[key] = len(configs)
                configs.append(dict(values))
                total.append(0.0)
                count.append(0)
            total[index[key]] += float(score)
            count[index[key]] += 1
    if not configs:
        raise ValueError("the related tasks' tables hold no finite score")
    mean = np.asarray(total) / np.asarray(count)
    tie_break = rng.permutation(len(configs))
    order = np.lexsort((tie_break, -mean))  # by mean descending, ties in a seeded random order
    return [configs[i] for i in order], mean[order]


def _check_values(configs: Sequence[dict], config_space: ConfigurationSpace) -> None:
    """ValueError if a related table holds a value the target space does not allow (checked once, up front)."""
    seen: dict[str, set] = {name: set() for name in config_space}
    for values in configs:
        for name, value in values.items():
            if name not in seen:
                raise ValueError(
                    f"a related task's configuration has hyperparameter {name!r}, unknown to the target space"
                )
            seen[name].add(value)
    for name, values in seen.items():
        hp = config_space[name]
        bad = [v for v in values if not hp.legal_value(v)]
        if bad:
            raise ValueError(
                f"related tasks hold values {sorted(map(str, bad))[:5]} of {name!r} outside the target space"
            )
