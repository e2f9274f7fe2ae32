"""A linear surrogate of the target task, fitted on its own history: the online part of the acquisition.

The meta-trained model carries what the meta-training tasks share; what a new task does *not* share
with them (it prefers some values of some hyperparameters more than the sources did) is visible in
its first few scores, but a model meta-trained on a handful of source tables is slow to read it in
context. A ridge regression of the history's standardised scores on the encoded rows (one-hot blocks
and numeric columns: main effects only) reads it directly. ``GenerativeOptimizer(ridge=w)`` adds
``w`` times its prediction to the model's density ratio, a learned prior corrected by the task's own
evidence (as transfer methods such as RGPE add a target-task model to their source models).

The penalty ``l2`` shrinks the coefficients towards 0, so a short history moves the ranking little;
the intercept is not penalised (the scores are centred). ``noise`` > 0 ranks by a Thompson draw
instead of the posterior mean: coefficients ~ N(mean, noise^2 (X'X + l2 I)^-1), the posterior of a
Bayesian linear model with prior precision l2 and noise sd ``noise`` (in units of y's sd), as BOCS
does on binary encodings; the greedy mean alone keeps returning to the main-effects optimum once it
is found, while a draw explores where the history is still uncertain.
"""

from __future__ import annotations

import numpy as np


def _target(X: np.ndarray, y: np.ndarray, candidates: np.ndarray, l2: float) -> np.ndarray | None:
    """The standardised scores to fit after the argument checks; None when there is nothing to learn
    (fewer than two observations or constant scores)."""
    if not (np.isfinite(l2) and l2 > 0):
        raise ValueError(f"l2 must be a finite number > 0, got {l2!r}")
    if X.ndim != 2 or candidates.ndim != 2 or X.shape[1] != candidates.shape[1] or len(X) != len(y):
        raise ValueError(f"shapes do not fit: X {X.shape}, y {y.shape}, candidates {candidates.shape}")
    std = float(y.std()) if len(y) else 0.0
    return None if len(y) < 2 or std <= 1e-12 else (y - y.mean()) / std


def ridge_predict(X: np.ndarray, y: np.ndarray, candidates: np.ndarray, l2: float, noise: float = 0.0,
                  rng: np.random.Generator | None = None) -> np.ndarray:
    """``(M,)`` predictions for ``candidates (M, d)`` of a ridge fit of standardised ``y (n,)`` on
    ``X (n, d)``, in units of y's standard deviation, centred (0 = the history's mean); with
    ``noise`` > 0, of one posterior draw of the coefficients (from ``rng``, required then).

    Zeros when the history cannot say anything (fewer than two observations or constant scores)."""
    if not (np.isfinite(noise) and noise >= 0) or (noise > 0 and rng is None):
        raise ValueError(f"noise must be a finite number >= 0, with an rng when > 0; got {noise!r}, rng {rng!r}")
    z = _target(X, y, candidates, l2)
    if z is None:
        return np.zeros(len(candidates))
    Xc = X - X.mean(axis=0)
    d = X.shape[1]
    if len(X) < d:  # the dual form: an n x n system instead of d x d
        beta = Xc.T @ np.linalg.solve(Xc @ Xc.T + l2 * np.eye(len(X)), z)
    else:
        beta = np.linalg.solve(Xc.T @ Xc + l2 * np.eye(d), Xc.T @ z)
    if noise > 0:  # beta + noise * A^{-1/2} e, A = X'X + l2 I = L L': L'^{-1} e has covariance A^{-1}
        chol = np.linalg.cholesky(Xc.T @ Xc + l2 * np.eye(d))
        beta = beta + noise * np.linalg.solve(chol.T, rng.standard_normal(d))
    return (candidates - X.mean(axis=0)) @ beta


def pairwise_ridge_predict(X: np.ndarray, y: np.ndarray, candidates: np.ndarray, l2: float, pairs: float,
                           one_hot: np.ndarray) -> np.ndarray:
    """As :func:`ridge_predict` (no draw), with pairwise interactions of the one-hot blocks as well:
    kernel ridge regression with k(a, b) = a.b + pairs * m (m - 1) / 2, where m = the number of
    one-hot blocks on which a and b agree (``one_hot``: ``(d,)`` bool mask of one-hot columns). The
    second term is the inner product of the two rows' indicators of (choice, choice) on every pair
    of blocks, so ``pairs`` is the prior variance of an interaction relative to a main effect; all
    interactions of e.g. NB201's 6 edges (375 of them) cost one ``(M, n)`` product, not 375 columns.
    ``pairs`` = 0 gives :func:`ridge_predict` exactly (centred kernels = centred columns)."""
    if not (np.isfinite(pairs) and pairs >= 0):
        raise ValueError(f"pairs must be a finite number >= 0, got {pairs!r}")
    z = _target(X, y, candidates, l2)
    if z is None:
        return np.zeros(len(candidates))

    def kernel(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        m = A[:, one_hot] @ B[:, one_hot].T
        return A @ B.T + pairs * m * (m - 1.0) / 2.0

    K, Kc = kernel(X, X), kernel(candidates, X)
    col = K.mean(axis=0)  # centring in feature space: k(a, b) - mean_j k(a, x_j) - mean_i k(x_i, b) + mean K
    K = K - col[None, :] - col[:, None] + col.mean()
    Kc = Kc - Kc.mean(axis=1, keepdims=True) - col[None, :] + col.mean()
    return Kc @ np.linalg.solve(K + l2 * np.eye(len(X)), z)
