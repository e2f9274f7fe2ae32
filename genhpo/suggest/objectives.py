"""From several objectives and outcome constraints to the one score the suggestion core reads.

The generative model is conditioned on a history of (x, y) with one y per row; a multi-objective or
constrained run therefore gives each told result one number, recomputed at every suggestion:

- **Several objectives**: a random augmented Chebyshev scalarisation, as ParEGO (Knowles, IEEE TEVC
  2006): each objective (maximised form) is min-max normalised over the history's successful rows
  to f in [0, 1]; a weight vector w is drawn uniformly from the simplex at each suggestion;
  y = -(max_j w_j (1 - f_j) + rho * sum_j w_j (1 - f_j)), rho = 0.05. Over many suggestions the
  weights sweep the Pareto front.
- **Constraints** (``metric <= upper``): a feasible row keeps its score (scalarised, if several
  objectives); an infeasible one scores below every feasible row, lower the more it violates: the
  improvement flag then means "feasible and better", and infeasible results show the model where
  not to go. While no row is feasible, y = -(total normalised violation), so the suggestions move
  towards feasibility. Each constraint's violation is divided by the spread of that metric in the
  history (units cancel).
- A failed evaluation scores the worst of the history, as in the single-objective optimizer.

The penalty teaches the model, but a model meta-trained on accuracy alone keeps proposing the
accurate, slow cells. Candidates are therefore also filtered by their probability of feasibility,
as constrained Bayesian optimisation weights its acquisition by it (Gardner et al., ICML 2014):
each constrained metric is regressed on the encoded rows by Bayesian linear regression
(scikit-learn's ``BayesianRidge``: main effects, predictive standard deviation); P(feasible) is the
product over constraints of Phi((upper - mean) / sd). Candidates with P >= 0.5 are kept; if none
is, the most probable tenth. While no result is feasible, only the most probable 2 % are kept: as
constrained BO does without a feasible point, the search first looks for feasibility.
"""

from __future__ import annotations

import numpy as np

from genhpo.benchmarks.pareto import augmented_chebyshev
from genhpo.protocol import Constraint, Objective, Result

#: candidates at least this likely to be feasible are kept (:meth:`ScalarTarget.likely_feasible`)
FEASIBLE_PROBABILITY = 0.5
#: results needed before the feasibility model filters candidates
FEASIBILITY_MIN_RESULTS = 3


class ScalarTarget:
    """Reads the objectives and constraint violations of told results; :meth:`scores` gives y.

    Args:
        objectives: one or more :class:`Objective`; one objective named ``"score"`` with no
            constraints is the plain single-objective case (y = score).
        constraints: outcome constraints (may be empty).
    Raises ValueError for no objectives or a repeated name.
    """

    def __init__(self, objectives: tuple[Objective, ...] = (Objective("score"),),
                 constraints: tuple[Constraint, ...] = ()) -> None:
        objectives, constraints = tuple(objectives), tuple(constraints)
        if not objectives or not all(isinstance(o, Objective) for o in objectives):
            raise ValueError(f"objectives must be one or more genhpo.protocol.Objective, got {objectives!r}")
        if not all(isinstance(c, Constraint) for c in constraints):
            raise ValueError(f"constraints must be genhpo.protocol.Constraint, got {constraints!r}")
        if len({o.name for o in objectives}) != len(objectives):
            raise ValueError(f"objectives repeat a name: {[o.name for o in objectives]}")
        self.objectives, self.constraints = objectives, constraints

    @property
    def plain(self) -> bool:
        """One maximised score and no constraints: y is the score itself."""
        return len(self.objectives) == 1 and not self.constraints and self.objectives[0].direction == "max"

    def read(self, result: Result) -> np.ndarray:
        """(k + c,) the maximised objectives then the constraint violations of a result; NaN if it failed.
        ValueError naming the metric a successful result lacks."""
        if not result.ok:
            return np.full(len(self.objectives) + len(self.constraints), np.nan)
        values = [o.maximised(result) for o in self.objectives] + [c.violation(result) for c in self.constraints]
        return np.array(values, dtype=float)

    def scores(self, records: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """(n,) one score per row of ``records`` (n, k + c) from :meth:`read` (NaN rows: failed)."""
        records = np.asarray(records, dtype=float)
        k = len(self.objectives)
        ok = np.isfinite(records).all(axis=1)
        y = np.full(len(records), np.nan)
        if not ok.any():
            return y
        values, violations = records[:, :k], records[:, k:]
        if k == 1:
            y[ok] = values[ok, 0]
        else:
            lower, upper = values[ok].min(axis=0), values[ok].max(axis=0)
            f = (values[ok] - lower) / np.where(upper > lower, upper - lower, 1.0)
            y[ok] = augmented_chebyshev(f, rng.dirichlet(np.ones(k)))
        if self.constraints:
            spread = np.ptp(violations[ok], axis=0)
            excess = np.clip(violations[ok], 0.0, None) / np.where(spread > 0, spread, 1.0)
            total = excess.sum(axis=1)
            good = total <= 0
            scores = y[ok]
            if good.any():
                best, worst = scores[good].max(), scores[good].min()
                scores[~good] = worst - (best - worst + 1.0) * (1.0 + total[~good])
            else:
                scores = -total
            y[ok] = scores
        return y

    def feasibility(self, candidates: np.ndarray, X: np.ndarray, records: np.ndarray) -> np.ndarray:
        """(M,) probability that each of ``candidates (M, d)`` meets every constraint, from the told rows
        ``X (n, d)`` and their ``records (n, k + c)`` (failed rows skipped); ones without constraints or
        with fewer than :data:`FEASIBILITY_MIN_RESULTS` results."""
        from scipy.stats import norm
        from sklearn.linear_model import BayesianRidge

        probability = np.ones(len(candidates))
        records, ok = _succeeded(records)
        if not self.constraints or ok.sum() < FEASIBILITY_MIN_RESULTS:
            return probability
        k = len(self.objectives)
        for j in range(len(self.constraints)):
            violation = records[ok, k + j]
            scale = float(violation.std())
            if scale <= 1e-12:  # every result on the same side: the sign is all there is to know
                probability *= float(violation[0] <= 0)
                continue
            model = BayesianRidge().fit(X[ok], violation / scale)
            mean, sd = model.predict(candidates, return_std=True)
            probability *= norm.cdf(-mean / np.maximum(sd, 1e-9))
        return probability

    def likely_feasible(self, candidates: np.ndarray, X: np.ndarray, records: np.ndarray) -> np.ndarray:
        """(M,) bool: the candidates to rank; all of them without constraints (see the module doc)."""
        if not self.constraints:
            return np.ones(len(candidates), dtype=bool)
        probability = self.feasibility(candidates, X, records)
        records, ok = _succeeded(records)
        k = len(self.objectives)
        if ok.sum() >= FEASIBILITY_MIN_RESULTS and not (records[ok, k:] <= 0).all(axis=1).any():
            return probability >= np.quantile(probability, 0.98)
        keep = probability >= FEASIBLE_PROBABILITY
        if not keep.any():
            keep = probability >= np.quantile(probability, 0.9)
        return keep


def _succeeded(records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``records`` as a float array (n, k + c) and which rows are successful results (no NaN)."""
    records = np.asarray(records, dtype=float)
    return records, (np.isfinite(records).all(axis=1) if len(records) else np.zeros(0, dtype=bool))
