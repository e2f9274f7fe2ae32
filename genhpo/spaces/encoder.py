"""Encoding of any ConfigSpace as real vectors, and decoding of any real vector back to a valid config.

Layout, hyperparameter by hyperparameter in the space's own order (``list(space.keys())``):
- categorical: a one-hot block, one entry per choice;
- ordinal: one entry, the normalised index ``i / (n - 1)``;
- numeric (uniform, normal, beta; float or int): one entry in [0, 1], ConfigSpace's own unit scaling
  (log scale where the hyperparameter is log);
- constant: no entry.
An inactive hyperparameter (its condition unmet) encodes as all zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ConfigSpace import (
    CategoricalHyperparameter,
    Configuration,
    ConfigurationSpace,
    Constant,
    OrdinalHyperparameter,
)
from ConfigSpace.exceptions import ForbiddenValueError
from ConfigSpace.hyperparameters import FloatHyperparameter
from ConfigSpace.hyperparameters.hp_components import ROUND_PLACES
from ConfigSpace.types import NotSet


@dataclass(frozen=True)
class Block:
    """Where one hyperparameter lives in the vector: ``vector[start:stop]``."""

    name: str
    kind: str  # "categorical" | "ordinal" | "numeric"
    start: int
    stop: int
    choices: tuple[Any, ...] = ()

    @property
    def width(self) -> int:
        return self.stop - self.start


class SpaceEncoder:
    """Maps configurations of ``config_space`` to vectors of length ``dim`` and back."""

    def __init__(self, config_space: ConfigurationSpace) -> None:
        if not isinstance(config_space, ConfigurationSpace):
            raise TypeError(f"config_space must be a ConfigurationSpace, got {type(config_space).__name__}")
        self.config_space = config_space
        blocks: list[Block] = []
        start = 0
        for name, hp in config_space.items():
            if isinstance(hp, Constant):
                continue
            if isinstance(hp, CategoricalHyperparameter):
                width, kind, choices = len(hp.choices), "categorical", tuple(hp.choices)
            elif isinstance(hp, OrdinalHyperparameter):
                width, kind, choices = 1, "ordinal", tuple(hp.sequence)
            else:
                width, kind, choices = 1, "numeric", ()
            blocks.append(Block(name, kind, start, start + width, choices))
            start += width
        self.blocks: tuple[Block, ...] = tuple(blocks)
        self._block_of = {b.name: b for b in self.blocks}
        self.dim = start

    @property
    def categorical_blocks(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "categorical")

    @property
    def is_finite(self) -> bool:
        """True when the space has finitely many configurations (no float hyperparameter)."""
        return all(
            b.kind != "numeric" or "Integer" in type(self.config_space[b.name]).__name__ for b in self.blocks
        )

    def signature(self) -> str:
        """A hash of the layout (names, kinds, choices, bounds): equal iff vectors mean the same."""
        parts = []
        for b in self.blocks:
            hp = self.config_space[b.name]
            bounds = [getattr(hp, attr, None) for attr in ("lower", "upper", "log")]
            parts.append([b.name, b.kind, b.start, b.stop, [str(c) for c in b.choices], [str(x) for x in bounds]])
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    # ----------------------------------------------------------------------------------- encode
    def encode(self, config: Configuration | Mapping[str, Any]) -> np.ndarray:
        """``(dim,)`` float vector of one configuration."""
        values = dict(config)
        unknown = set(values) - set(self.config_space.keys())
        if unknown:
            raise ValueError(f"unknown hyperparameters {sorted(unknown)}; the space has {list(self.config_space.keys())}")
        vector = np.zeros(self.dim)
        # a Configuration of this very space: its numeric entries are ConfigSpace's own unit values, from
        # which its values were computed, so decode gives back exactly the same floats
        own = config.get_array() if isinstance(config, Configuration) and config.config_space is self.config_space \
            else None
        for b in self.blocks:
            if b.name not in values:  # inactive
                continue
            value = values[b.name]
            hp = self.config_space[b.name]
            if b.kind == "categorical":
                vector[b.start + _index(b, value)] = 1.0
            elif b.kind == "ordinal":
                vector[b.start] = _index(b, value) / max(len(b.choices) - 1, 1)
            else:
                if not hp.legal_value(value):
                    raise ValueError(f"value {value!r} of {b.name!r} outside [{hp.lower}, {hp.upper}]")
                vector[b.start] = float(own[self.config_space.index_of[b.name]] if own is not None
                                        else hp.to_vector(value))
        return vector

    def encode_batch(self, configs: Iterable[Configuration | Mapping[str, Any]]) -> np.ndarray:
        """``(n, dim)`` array, one row per configuration."""
        rows = [self.encode(c) for c in configs]
        return np.stack(rows) if rows else np.zeros((0, self.dim))

    # ----------------------------------------------------------------------------------- decode
    def decode(self, vector: Sequence[float] | np.ndarray) -> Configuration:
        """The configuration a real vector stands for: argmax per one-hot block, numerics clipped.

        Any finite vector of length ``dim`` decodes to a valid configuration (inactive
        hyperparameters dropped); a decoded configuration that a forbidden clause excludes raises.
        """
        x = self._check_vector(vector)
        # values are decoded on demand, while the conditions are walked: an inactive hyperparameter's
        # (most of them in a pipeline space) is never computed
        values = _DecodedValues(self, x)
        active = active_values(self.config_space, values)
        try:
            return Configuration(self.config_space, values=active)
        except ForbiddenValueError as exc:
            raise ValueError(f"decoded configuration is excluded by a forbidden clause: {exc}") from exc

    def _decode_value(self, name: str, x: np.ndarray) -> Any:
        """The value hyperparameter ``name`` takes in vector ``x`` (its block's argmax, level, or unit value)."""
        hp = self.config_space[name]
        if isinstance(hp, Constant):
            return hp.value
        b = self._block_of[name]
        if b.kind == "categorical":
            return b.choices[int(np.argmax(x[b.start : b.stop]))]
        if b.kind == "ordinal":
            n = len(b.choices)
            return b.choices[int(np.clip(np.rint(x[b.start] * (n - 1)), 0, n - 1))]
        value = hp.to_value(np.float64(np.clip(x[b.start], 0.0, 1.0)))
        return value.item() if isinstance(value, np.generic) else value

    def decode_batch(self, X: np.ndarray) -> list[Configuration]:
        """One configuration per row of an ``(n, dim)`` array."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"expected a 2-d array (n, {self.dim}), got shape {X.shape}")
        return [self.decode(row) for row in X]

    def round_trip(self, X: np.ndarray) -> np.ndarray:
        """Project ``(n, dim)`` vectors onto the encodings of the configurations they decode to."""
        return self.encode_batch(self.decode_batch(X))

    def project(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``encode(decode(row))`` for every row of an ``(n, dim)`` array at once, in ConfigSpace's
        vector representation (one row per hyperparameter, NaN where inactive) instead of one
        :class:`Configuration` per row: values decoded as :meth:`decode` does, conditions walked
        parents first as :func:`active_values` does, forbidden clauses judged as ConfigSpace judges a
        configuration. Returns ``(rows (k, dim), allowed (n,) bool)``: the projections of the k rows no
        forbidden clause excludes, and which rows those are. ValueError for a wrong shape, NaN or inf."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"expected an array of shape (n, {self.dim}), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("array contains NaN or inf")
        cs = self.config_space
        values = np.zeros((len(cs), len(X)))  # ConfigSpace's vectors, hyperparameters as rows
        for i, (name, hp) in enumerate(cs.items()):
            if isinstance(hp, Constant):
                values[i] = hp.to_vector(hp.value)
                continue
            b = self._block_of[name]
            if b.kind == "categorical":  # ConfigSpace's vector of a choice is its index
                values[i] = np.argmax(X[:, b.start : b.stop], axis=1)
            elif b.kind == "ordinal":
                values[i] = np.clip(np.rint(X[:, b.start] * (len(b.choices) - 1)), 0, len(b.choices) - 1)
            else:
                value = hp.to_value(np.clip(X[:, b.start], 0.0, 1.0))
                if isinstance(hp, FloatHyperparameter):  # as a Configuration stores a float value
                    value = np.round(value, ROUND_PLACES)
                values[i] = hp.to_vector(value)
        parents = cs.parent_conditions_of
        for i, name in enumerate(cs):  # parents first: an inactive parent is NaN and satisfies nothing
            active = np.ones(len(X), dtype=bool)
            for condition in parents[name]:
                active &= condition.satisfied_by_vector_array(values)
            values[i, ~active] = np.nan
        allowed = np.ones(len(X), dtype=bool)
        for clause in cs.forbidden_clauses:
            allowed &= ~clause.is_forbidden_vector_array(values)
        rows = np.zeros((int(allowed.sum()), self.dim))
        kept = values[:, allowed]
        for b in self.blocks:
            v = kept[cs.index_of[b.name]]
            on = ~np.isnan(v)
            if b.kind == "categorical":
                rows[np.flatnonzero(on), b.start + v[on].astype(int)] = 1.0
            elif b.kind == "ordinal":
                rows[on, b.start] = v[on] / max(len(b.choices) - 1, 1)
            else:
                rows[on, b.start] = v[on]
        return rows, allowed

    def _check_vector(self, vector: Sequence[float] | np.ndarray) -> np.ndarray:
        x = np.asarray(vector, dtype=float)
        if x.ndim != 1 or x.shape[0] != self.dim:
            raise ValueError(f"expected a vector of length {self.dim} for this space, got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"vector contains NaN or inf at positions {np.flatnonzero(~np.isfinite(x)).tolist()}")
        return x

    def __repr__(self) -> str:
        return f"SpaceEncoder(dim={self.dim}, hyperparameters={len(self.blocks)})"


def active_values(config_space: ConfigurationSpace, values: Mapping[str, Any],
                  sample: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The values of the hyperparameters active under ``values``, walking the space parents first (its
    topological order), so that an inactive hyperparameter's value never reaches ConfigSpace (a forbidden
    clause over conditional children then judges only the active ones). A hyperparameter that is active
    but missing from ``values`` takes ``sample(hp)``; without ``sample`` that is a KeyError."""
    active: dict[str, Any] = _Unset()
    parents = config_space.parent_conditions_of
    for name, hp in config_space.items():
        if all(condition.satisfied_by_value(active) for condition in parents[name]):
            if name in values or sample is None:
                active[name] = values[name]
            else:
                active[name] = sample(hp)
    return dict(active)


class _DecodedValues(Mapping):
    """Every hyperparameter's value in one vector, computed when read (see :meth:`SpaceEncoder.decode`)."""

    def __init__(self, encoder: SpaceEncoder, x: np.ndarray) -> None:
        self._encoder, self._x = encoder, x

    def __getitem__(self, name: str) -> Any:  # read once per active hyperparameter by active_values
        return self._encoder._decode_value(name, self._x)

    def __contains__(self, name: object) -> bool:
        return name in self._encoder.config_space

    def __iter__(self):
        return iter(self._encoder.config_space)

    def __len__(self) -> int:
        return len(self._encoder.config_space)


class _Unset(dict):
    """Values so far; a missing (inactive) parent reads as ConfigSpace's NotSet, which satisfies no condition."""

    def __missing__(self, key: str) -> Any:
        return NotSet


def _index(block: Block, value: Any) -> int:
    try:
        return block.choices.index(value)
    except ValueError:
        raise ValueError(
            f"value {value!r} not a choice of {block.name!r}; accepted: {', '.join(map(str, block.choices))}"
        ) from None
