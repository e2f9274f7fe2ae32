"""Pareto fronts and dominated hypervolume of maximised objective vectors.

Every array here is in genhpo's maximised form (a minimised objective enters as its negative; see
:meth:`genhpo.protocol.Objective.maximised`). The hypervolume of a set of points Y (n, k) with
respect to a reference point r (k,) is the Lebesgue measure of the region {z : r <= z <= y for some
y in Y} (Zitzler & Thiele, 1998); BoTorch's exact algorithm (:class:`botorch.utils.multi_objective.
hypervolume.Hypervolume`) computes it. Reports normalise each objective to [0, 1] over a benchmark's
whole table (:func:`normalise`), with the reference point at its worst value (0), so a front's
hypervolume lies in [0, 1] and is comparable across objectives of different units.
"""

from __future__ import annotations

import numpy as np

#: ParEGO's augmentation weight rho (Knowles, IEEE TEVC 2006).
PAREGO_RHO = 0.05


def augmented_chebyshev(F: np.ndarray, w: np.ndarray, rho: float = PAREGO_RHO) -> np.ndarray:
    """(n,) ParEGO's augmented Chebyshev scalarisation (Knowles 2006), higher is better.

    y = -(max_j w_j (1 - F_j) + rho * sum_j w_j (1 - F_j)) for objectives F (n, k) in maximised form,
    normalised to [0, 1], and weights w (k,) on the simplex. Used by the optimizer to score told
    results and by meta-training to build multi-objective tasks, so both read the same formula.
    Raises ValueError if F is not 2-d or w does not have one weight per objective.
    """
    F, w = np.asarray(F, dtype=float), np.asarray(w, dtype=float)
    if F.ndim != 2 or w.shape != (F.shape[1],):
        raise ValueError(f"F must be (n, k) and w (k,), got shapes {F.shape} and {w.shape}")
    gap = w * (1.0 - F)
    return -(gap.max(axis=1) + rho * gap.sum(axis=1))


def _checked(Y: np.ndarray, name: str = "Y") -> np.ndarray:
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or Y.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-d array (points, objectives), got shape {Y.shape}")
    if not np.isfinite(Y).all():
        raise ValueError(f"{name} must be finite")
    return Y


def pareto_mask(Y: np.ndarray) -> np.ndarray:
    """(n,) bool: which rows of Y (n, k), maximised, no other row dominates (duplicates: the first kept)."""
    Y = _checked(Y)
    if len(Y) == 0:
        return np.zeros(0, dtype=bool)
    import torch
    from botorch.utils.multi_objective.pareto import is_non_dominated

    return is_non_dominated(torch.as_tensor(Y, dtype=torch.double), deduplicate=True).numpy()


def hypervolume(Y: np.ndarray, reference: np.ndarray) -> float:
    """Dominated hypervolume of the points Y (n, k), maximised, above ``reference`` (k,).

    Points that do not strictly dominate the reference point add nothing; an empty set has volume 0.
    Raises ValueError for a shape mismatch or a non-finite value."""
    Y = _checked(Y)
    reference = np.asarray(reference, dtype=float)
    if reference.shape != (Y.shape[1],) or not np.isfinite(reference).all():
        raise ValueError(f"reference must be a finite vector of {Y.shape[1]} values, got {reference!r}")
    Y = Y[(Y > reference).all(axis=1)]
    if len(Y) == 0:
        return 0.0
    import torch
    from botorch.utils.multi_objective.hypervolume import Hypervolume

    front = Y[pareto_mask(Y)]
    return float(Hypervolume(torch.as_tensor(reference, dtype=torch.double)).compute(
        torch.as_tensor(front, dtype=torch.double)))


def normalise(Y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Y (n, k) mapped to (Y - lower) / (upper - lower) per objective (bounds of the maximised values;
    an objective with upper == lower maps to 0)."""
    Y = np.asarray(Y, dtype=float)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    span = np.where(upper > lower, upper - lower, 1.0)
    return (Y - lower) / span


def hypervolume_curve(Y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(n,) hypervolume of the first 1, 2, ..., n rows of Y (n, k): an anytime curve. NaN rows (failed
    evaluations) add nothing. Recomputed only when a new row enters the front. Raises ValueError for a Y
    that is not 2-d or a reference that is not a finite vector of k values, as :func:`hypervolume` does."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2:
        raise ValueError(f"Y must be an (n, k) array of n points with k objectives, got shape {Y.shape}")
    reference = np.asarray(reference, dtype=float)
    if reference.shape != (Y.shape[1],) or not np.isfinite(reference).all():
        raise ValueError(f"reference must be a finite vector of {Y.shape[1]} values, got {reference!r}")
    out = np.zeros(len(Y))
    front = np.zeros((0, Y.shape[1]))
    current = 0.0
    for i, y in enumerate(Y):
        if np.isfinite(y).all() and (y > reference).all() and not (front >= y).all(axis=1).any():
            front = np.vstack([front[~(y >= front).all(axis=1)], y])
            current = hypervolume(front, reference)
        out[i] = current
    return out
