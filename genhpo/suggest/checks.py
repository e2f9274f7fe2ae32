"""Argument checks of ``observe_and_suggest``: histories and pools as HPO-B passes them (lists or arrays)."""

from __future__ import annotations

from typing import Any

import numpy as np

from genhpo.spaces.rows import as_rows


def as_history(X_obs: Any, y_obs: Any, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, dim)``, ``y (n,)`` from HPO-B's ``X_obs (n, dim)`` and ``y_obs (n, 1)`` (or ``(n,)``)."""
    X = as_rows(X_obs, "X_obs", dim)
    try:
        y = np.asarray(y_obs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"y_obs must be a list or array of numbers, shape (n, 1): {exc}") from exc
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y_obs must have shape ({X.shape[0]}, 1) to match X_obs, got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"y_obs contains NaN or inf at rows {np.flatnonzero(~np.isfinite(y)).tolist()[:10]}")
    return X, y


def as_pool(X_pen: Any, dim: int) -> np.ndarray:
    """``(m, dim)`` pending rows, m >= 1."""
    pool = as_rows(X_pen, "X_pen", dim)
    if len(pool) == 0:
        raise ValueError("X_pen is empty: pass None for a continuous suggestion, or at least one pending row")
    return pool
