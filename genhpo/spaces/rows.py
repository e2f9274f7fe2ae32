"""Encoded rows of a space: their keys (equal for rows that agree to 9 decimals), membership, and the
argument check every array front uses (finite float rows of the right width)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: Encoded rows that agree to this many decimals are the same configuration.
DECIMALS = 9

#: Key in a ConfigurationSpace's ``meta`` naming the row format of the task it came from when that is
#: not :class:`~genhpo.spaces.SpaceEncoder`'s (an HPO-B task's rows use HPO-B's scaling): arrays given
#: to ``observe_and_suggest`` on such a space must be translated: an optimizer that
#: ``genhpo.presets.from_pretrained`` builds on the bare space refuses them (given the task, it
#: translates them).
TASK_ROWS = "genhpo.task_rows"


def task_rows_format(config_space: Any) -> str | None:
    """The row format a space's task declares under :data:`TASK_ROWS` (e.g. ``"hpob"``), else None."""
    meta = getattr(config_space, "meta", None)
    return meta.get(TASK_ROWS) if isinstance(meta, dict) else None


def key_of(row: np.ndarray, decimals: int = DECIMALS) -> bytes:
    """A hashable key of a row, equal for rows that agree to ``decimals`` decimals (-0.0 and 0.0 alike)."""
    return (np.round(np.asarray(row, dtype=float), decimals) + 0.0).tobytes()


def keys_of(M: np.ndarray, decimals: int = DECIMALS) -> list[bytes]:
    """:func:`key_of` of every row of ``M (n, d)``, rounded in one vectorised step (the same bytes)."""
    rounded = np.ascontiguousarray(np.round(np.asarray(M, dtype=float), decimals) + 0.0)
    return [row.tobytes() for row in rounded]


def row_hash(M: np.ndarray) -> np.ndarray:
    """``(n,)`` float hashes of the rows of ``M (n, d)`` (already rounded to :data:`DECIMALS`): a fixed random
    projection summed by numpy row by row (no BLAS), so equal rows give bit-equal hashes."""
    weights = np.random.default_rng(0).normal(size=M.shape[1])  # fixed: a hash, not a random choice
    return (M * weights).sum(axis=1)


def rows_in(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``(len(A),)`` bool: which rows of ``A (m, d)`` equal (to :data:`DECIMALS` decimals) some row of ``B (n, d)``.

    Each row is first hashed to one number (:func:`row_hash`), cheap to match for a pool of tens of
    thousands; only rows whose hash matches are compared in full."""
    if len(A) == 0 or len(B) == 0:
        return np.zeros(len(A), dtype=bool)
    A = np.round(np.asarray(A, dtype=float), DECIMALS) + 0.0  # + 0.0: -0.0 -> 0.0
    B = np.round(np.asarray(B, dtype=float), DECIMALS) + 0.0
    found = np.zeros(len(A), dtype=bool)
    candidates = np.flatnonzero(np.isin(row_hash(A), row_hash(B)))
    if len(candidates):
        keys = {row.tobytes() for row in B}
        found[candidates] = [A[i].tobytes() in keys for i in candidates]
    return found


def as_rows(value: Any, name: str, dim: int, one_row: bool = False) -> np.ndarray:
    """``value`` as finite float rows ``(n, dim)`` (an empty input: ``(0, dim)``); with ``one_row``
    a single row ``(dim,)`` is accepted too and kept 1-D. ValueError naming ``name`` otherwise."""
    try:
        X = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a list or array of numbers, shape (n, {dim}): {exc}") from exc
    if X.size == 0:
        return np.zeros((0, dim))
    if X.shape[-1:] != (dim,) or X.ndim != 2 and not (one_row and X.ndim == 1):
        shapes = f"(n, {dim})" + (f" or ({dim},)" if one_row else "")
        raise ValueError(f"{name} must have shape {shapes}, got {X.shape}")
    bad = ~np.isfinite(X)
    if bad.any():
        raise ValueError(f"{name} contains NaN or inf (rows {sorted(set(np.nonzero(bad)[0].tolist()))[:10]})")
    return X
