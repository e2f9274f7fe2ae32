"""Candidate vectors of a space: every configuration of a small finite space, or random draws.

Both work directly in the encoded space (no Configuration objects), so that enumerating the
15,625 NB201 cells takes milliseconds. Enumeration needs a space without conditions or forbidden
clauses whose hyperparameters are all categorical, ordinal or integer with at most
``MAX_INT_LEVELS`` values.
"""

from __future__ import annotations

import itertools

import numpy as np

from genhpo.model.layout import Layout
from genhpo.spaces import SpaceEncoder

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


def neighbours(candidates: np.ndarray, anchors: np.ndarray, block_starts: np.ndarray) -> np.ndarray:
    """``(M,)`` bool mask: which rows of ``candidates (M, d)`` differ from some row of ``anchors (k, d)``
    in exactly one hyperparameter (``block_starts``: first vector index of each hyperparameter,
    ascending); entries are compared to 9 decimals, as :func:`genhpo.model.validation.key_of` does.

    Each hyperparameter's part of a row is reduced once to one number, a fixed random projection
    (distinct weights), and blocks are compared by it: exact for a one-hot block (its projection is
    the weight of its hot entry) and for a one-column block, so the rows are read once, not once per
    anchor (a third of a suggestion's time on NB201's 15,625 cells otherwise)."""
    near = np.zeros(len(candidates), dtype=bool)
    if len(candidates) == 0 or len(anchors) == 0 or len(block_starts) == 0:
        return near
    codes, anchor_codes = _block_codes(candidates, block_starts), _block_codes(anchors, block_starts)
    for code in anchor_codes:
        near |= np.count_nonzero(codes != code, axis=1) == 1
    return near


def _block_codes(rows: np.ndarray, block_starts: np.ndarray) -> np.ndarray:
    """``(n, len(block_starts))``: each block of ``rows (n, d)`` (rounded to 9 decimals) projected on
    fixed random weights."""
    weights = 1.0 + np.random.default_rng(0).random(rows.shape[1])  # fixed, distinct, in [1, 2)
    rounded = np.round(np.asarray(rows, dtype=float), 9) + 0.0  # + 0.0: -0.0 -> 0.0
    return np.add.reduceat(rounded * weights, block_starts, axis=1)


def perturb(rows: np.ndarray, layout: Layout, rng: np.random.Generator) -> np.ndarray:
    """Local moves of ``rows (n, d)``: Gaussian steps (sd 0.1) on numeric entries, and one one-hot
    block re-drawn per row (always when there is no numeric entry, else half the time)."""
    out = rows.copy()
    numeric = list(layout.numeric)
    if numeric:
        out[:, numeric] += rng.normal(scale=0.1, size=(len(out), len(numeric)))
    for i in range(len(out)):
        if layout.categorical and (not numeric or rng.random() < 0.5):
            a, b = layout.categorical[rng.integers(len(layout.categorical))]
            out[i, a:b] = 0.0
            out[i, a + rng.integers(b - a)] = 1.0
    return out
