"""Rows of an encoded space: every configuration of a small finite space, or random draws.

Both work directly in the encoded space (no Configuration objects), so that enumerating the
15,625 NB201 cells takes milliseconds. Enumeration needs a space without conditions or forbidden
clauses whose hyperparameters are all categorical, ordinal or integer with at most
``MAX_INT_LEVELS`` values.
"""

from __future__ import annotations

import itertools

import numpy as np

from genhpo.spaces.encoder import SpaceEncoder

MAX_INT_LEVELS = 64


def _levels(encoder: SpaceEncoder) -> list[np.ndarray] | None:
    """Per hyperparameter, its possible encoded values as rows ``(k, width)``; None if not finite."""
    space = encoder.config_space
    if space.conditions or space.forbidden_clauses:
        return None
    levels = []
    for block in encoder.blocks:
        if block.kind == "categorical":
            levels.append(np.eye(block.width))
        elif block.kind == "ordinal":
            n = len(block.choices)
            levels.append((np.arange(n) / max(n - 1, 1)).reshape(-1, 1))
        else:
            hp = space[block.name]
            if "Integer" not in type(hp).__name__ or hp.upper - hp.lower + 1 > MAX_INT_LEVELS:
                return None
            values = np.arange(hp.lower, hp.upper + 1)
            levels.append(np.array([float(hp.to_vector(int(v))) for v in values]).reshape(-1, 1))
    return levels


def space_size(encoder: SpaceEncoder) -> int | None:
    """Number of configurations if the space is enumerable (see module doc), else None."""
    levels = _levels(encoder)
    return None if levels is None else int(np.prod([len(v) for v in levels], dtype=np.int64))


def enumerate_space(encoder: SpaceEncoder, limit: int = 100_000) -> np.ndarray | None:
    """``(N, dim)`` encodings of all configurations, first hyperparameter slowest; None if not
    enumerable or larger than ``limit``."""
    levels = _levels(encoder)
    size = space_size(encoder)
    if levels is None or size is None or size > limit:
        return None
    if not levels:
        return np.zeros((1, 0))
    index = np.array(list(itertools.product(*[range(len(v)) for v in levels])), dtype=np.int64)
    return np.concatenate([v[index[:, j]] for j, v in enumerate(levels)], axis=1)


def random_vectors(encoder: SpaceEncoder, n: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, dim)`` random encodings: a uniform choice per one-hot block, ordinal levels, U[0, 1] numerics.

    Conditions and forbidden clauses are not applied here; callers project rows through
    ``encoder.round_trip`` (or decode them) when the space has any.
    """
    X = np.zeros((n, encoder.dim))
    for block in encoder.blocks:
        if block.kind == "categorical":
            X[np.arange(n), block.start + rng.integers(block.width, size=n)] = 1.0
        elif block.kind == "ordinal":
            k = len(block.choices)
            X[:, block.start] = rng.integers(k, size=n) / max(k - 1, 1)
        else:
            X[:, block.start] = rng.random(n)
    return X
