"""A linear surrogate of the target task, fitted on its own history: the online correction of the ranking.

The meta-trained model carries what the meta-training tasks share; what a new task does *not* share
with them (it prefers some values of some hyperparameters more than the sources did) is visible in
its first few scores, but a model meta-trained on a handful of source tables is slow to read it in
context. A ridge regression of the history's standardised scores on the encoded rows (one-hot blocks
and numeric columns: main effects only) reads it directly; :class:`genhpo.suggest.ranking.Ranking`
adds ``ridge`` times its prediction to the model's density ratio, a learned prior corrected by the
task's own evidence (as transfer methods such as RGPE add a target-task model to their source models).

The penalty ``l2`` shrinks the coefficients towards 0, so a short history moves the ranking little;
the intercept is not penalised (the scores are centred).
"""

from __future__ import annotations

import numpy as np


def ridge_predict(X: np.ndarray, y: np.ndarray, candidates: np.ndarray, l2: float) -> np.ndarray:
    """``(M,)`` predictions for ``candidates (M, d)`` of a ridge fit of standardised ``y (n,)`` on
    ``X (n, d)``, in units of y's standard deviation, centred (0 = the history's mean).

    Zeros when the history cannot say anything (fewer than two observations or constant scores).
    Raises ValueError for ``l2`` not a finite number > 0 or shapes that do not fit."""
    if not (np.isfinite(l2) and l2 > 0):
        raise ValueError(f"l2 must be a finite number > 0, got {l2!r}")
    if X.ndim != 2 or candidates.ndim != 2 or X.shape[1] != candidates.shape[1] or len(X) != len(y):
        raise ValueError(f"shapes do not fit: X {X.shape}, y {y.shape}, candidates {candidates.shape}")
    std = float(y.std()) if len(y) else 0.0
    if len(y) < 2 or std <= 1e-12:
        return np.zeros(len(candidates))
    z = (y - y.mean()) / std
    Xc = X - X.mean(axis=0)
    d = X.shape[1]
    if len(X) < d:  # the dual form: an n x n system instead of d x d
        beta = Xc.T @ np.linalg.solve(Xc @ Xc.T + l2 * np.eye(len(X)), z)
    else:
        beta = np.linalg.solve(Xc.T @ Xc + l2 * np.eye(d), Xc.T @ z)
    return (candidates - X.mean(axis=0)) @ beta
