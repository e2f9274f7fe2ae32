"""Between an HPO-B task's rows (vectors in [0, 1]^d) and ConfigSpace configurations.

Two codecs, one interface (``config_space``, ``encode(config) -> (d,)``, ``decode(row) -> Configuration``):
- :class:`GridCodec` for the offline spaces: the original hyperparameters (ordinals, categoricals)
  and HPO-B's scaling, so every grid configuration encodes to exactly one row of the task;
- :class:`UnitCubeCodec` for any other space (a real HPO-B download): d floats ``x0 .. x{d-1}`` in
  [0, 1], which is all the official files tell about a space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace, UniformFloatHyperparameter

from genhpo.benchmarks.hpob.offline_spaces import SPACES, get_space
from genhpo.spaces.rows import TASK_ROWS


class GridCodec:
    """The offline space ``space_id`` with its original hyperparameters."""

    def __init__(self, space_id: str) -> None:
        self.space = get_space(space_id)
        self.config_space = self.space.config_space()
        self.config_space.meta = {TASK_ROWS: "hpob"}  # its task's rows are in HPO-B's scaling
        self.dim = self.space.dim

    def encode(self, config: Configuration | Mapping[str, Any]) -> np.ndarray:
        return self.space.encode_config(dict(config))

    def decode(self, row: np.ndarray) -> Configuration:
        return Configuration(self.config_space, values=self.space.decode_row(row))


class UnitCubeCodec:
    """[0, 1]^d with hyperparameters named ``x0 .. x{d-1}``."""

    def __init__(self, dim: int) -> None:
        if not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        self.dim = int(dim)
        self.config_space = ConfigurationSpace(name=f"hpob-unit-{self.dim}", meta={TASK_ROWS: "hpob"})
        self.config_space.add([UniformFloatHyperparameter(f"x{i}", 0.0, 1.0) for i in range(self.dim)])

    def encode(self, config: Configuration | Mapping[str, Any]) -> np.ndarray:
        values = dict(config)
        try:
            return np.array([float(values[f"x{i}"]) for i in range(self.dim)])
        except KeyError as exc:
            raise ValueError(f"configuration lacks {exc.args[0]!r}; this space has x0 .. x{self.dim - 1}") from None

    def decode(self, row: np.ndarray) -> Configuration:
        row = np.clip(np.asarray(row, dtype=float).reshape(-1), 0.0, 1.0)
        if row.shape != (self.dim,):
            raise ValueError(f"rows of this space have width {self.dim}, got {row.shape}")
        return Configuration(self.config_space, values={f"x{i}": float(v) for i, v in enumerate(row)})


def codec_for(search_space_id: str, dim: int) -> GridCodec | UnitCubeCodec:
    """The grid codec of an offline space of width ``dim``; the unit cube for any other space."""
    if search_space_id in SPACES and SPACES[search_space_id].dim == dim:
        return GridCodec(search_space_id)
    return UnitCubeCodec(dim)


def nearest(rows: np.ndarray, vector: np.ndarray) -> int:
    """Index of the row (n, d) closest to ``vector`` (d,) in Euclidean distance (first on ties)."""
    return int(np.argmin(np.sum((rows - vector[None, :]) ** 2, axis=1)))
