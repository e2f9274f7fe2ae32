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

from collections.abc import Sequence

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
                           blocks: Sequence[tuple[int, int]]) -> np.ndarray:
    """As :func:`ridge_predict` (no draw), with pairwise interactions of the one-hot ``blocks``
    (``(start, stop)`` column ranges) as well: a ridge regression on the rows plus sqrt(``pairs``) x
    every product x_j x_k of two columns of different blocks (for one-hot rows: indicators of the
    choice pair on each pair of blocks), so ``pairs`` is the prior variance of an interaction relative
    to a main effect; ``pairs`` = 0 gives :func:`ridge_predict` exactly.

    Solved in the dual (kernel ridge, n x n, with the kernels centred as the columns would be): the
    pair kernel of two rows is (m^2 - sum_b s_b^2) / 2 with s_b their dot product on block b and
    m = sum_b s_b; a candidate's prediction is its linear part plus h U h', h its one-hot columns and
    U a (columns x columns) matrix built from the history, so all 375 interactions of NB201's 6 edges
    cost one ``(M, 30) @ (30, 30)`` product for M candidates, not 375 columns each."""
    if not (np.isfinite(pairs) and pairs >= 0):
        raise ValueError(f"pairs must be a finite number >= 0, got {pairs!r}")
    if pairs == 0 or len(blocks) < 2:  # no interaction to add
        return ridge_predict(X, y, candidates, l2)
    z = _target(X, y, candidates, l2)
    if z is None:
        return np.zeros(len(candidates))
    columns = np.concatenate([np.arange(a, b) for a, b in blocks])
    block_of = np.concatenate([np.full(b - a, k) for k, (a, b) in enumerate(blocks)])
    later = block_of[:, None] < block_of[None, :]  # (j, k): column k's block comes after column j's
    H = X[:, columns]
    dots = [X[:, a:b] @ X[:, a:b].T for a, b in blocks]
    m = sum(dots)
    K = X @ X.T + pairs * (m * m - sum(s * s for s in dots)) / 2.0
    col = K.mean(axis=0)  # centring in feature space, as ridge_predict centres the columns
    alpha = np.linalg.solve(K - col[None, :] - col[:, None] + col.mean() + l2 * np.eye(len(X)), z)
    # f(c) = sum_i k(c, x_i) (alpha_i - mean alpha) - alpha . col + mean(col) sum(alpha)
    a = alpha - alpha.mean()
    U = pairs * later * (H.T @ (a[:, None] * H))
    every = len(columns) == X.shape[1] and np.array_equal(columns, np.arange(X.shape[1]))
    Hc = candidates if every else candidates[:, columns]  # NB201: every column, no copy
    quadratic = np.einsum("ij,ij->i", Hc @ U, Hc)
    return candidates @ (X.T @ a) + quadratic - alpha @ col + col.mean() * alpha.sum()
