"""The suggestion core: from a history (and a pool of pending rows, or none) to the next row.

``Suggester.observe_and_suggest(X_obs (n, d), y_obs (n, 1), X_pen (m, d) | None)`` is HPO-B's call on
encoded rows (maximisation): checks -> candidates (the pool's unobserved rows, or draws in [0, 1]^d)
-> policy (initial design, exploration, local neighbourhood) -> ranking -> an ``int`` index into
``X_pen``, or a ``(d,)`` vector. :class:`genhpo.optimizer.GenerativeOptimizer` runs ask/tell on the
same methods. Defined behaviours: an empty history gives the model's cold-start suggestion; an
observed row of the pool is never proposed; NaN/inf, wrong widths, an empty pool or a pool of
observed rows raise ValueError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch

from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel
from genhpo.spaces import SpaceEncoder
from genhpo.spaces.rows import key_of, keys_of, rows_in
from genhpo.spaces.sampling import random_vectors
from genhpo.suggest.candidates import perturb
from genhpo.suggest.checks import as_history, as_pool
from genhpo.suggest.config import SuggestConfig
from genhpo.suggest.policies import Policy
from genhpo.suggest.ranking import GPCorrection, Ranking, RidgeCorrection, Scorer, context_of

#: local moves scored per round of the acquisition optimisation
REFINE_MOVES = 32
#: forward-difference step of :meth:`Suggester.polish`'s gradient, in units of the [0, 1] encoding
POLISH_STEP = 1e-6
#: the first round's numeric step sd, in units of the [0, 1] encoding (half the coarsest candidate step)
REFINE_SD = 0.05


class Suggester:
    """One model on one encoded space with one :class:`SuggestConfig`; owns its seeded generators.

    Raises ValueError if the model was trained for another space (its layout's signature differs).
    """

    def __init__(self, model: GenerativeModel, encoder: SpaceEncoder, config: SuggestConfig, seed: int) -> None:
        self.encoder = encoder
        self.layout = Layout.from_encoder(encoder)
        if model.layout.signature != self.layout.signature:
            raise ValueError(f"model trained for space signature {model.layout.signature}, this space has "
                             f"{self.layout.signature}; load a checkpoint trained on this space")
        self.model = model.eval()
        self.config = config
        phases = [config] + ([config.late_config()] if config.late_after else [])
        self._phases = [(c, self._ranking_of(c), self._policy_of(c)) for c in phases]
        self.active, self.ranking, self.policy = self._phases[0]  # the settings of the current suggestion
        self.rng = np.random.default_rng(seed)
        self.generator = torch.Generator().manual_seed(seed)

    def _ranking_of(self, config: SuggestConfig) -> Ranking:
        return Ranking(self.model, [RidgeCorrection(config.ridge, config.ridge_l2),
                                    GPCorrection(config.gp, ard=config.gp_ard, prior=config.gp_prior, refit=config.gp_refit)])

    def _policy_of(self, config: SuggestConfig) -> Policy:
        return Policy(config.init_random, config.exploration, config.local, config.local_after,
                      np.array([b.start for b in self.encoder.blocks], dtype=np.int64))

    def _phase(self, n_results: int) -> None:
        """Take the settings of a history of ``n_results`` results: the late phase's from ``late_after`` on."""
        late = len(self._phases) > 1 and n_results >= self.config.late_after
        self.active, self.ranking, self.policy = self._phases[1 if late else 0]

    def observe_and_suggest(self, X_obs: Any, y_obs: Any, X_pen: Any = None,
                            exclude: Iterable[bytes] = ()) -> int | np.ndarray:
        """``int`` index into ``X_pen (m, d)``, or without a pool a ``(d,)`` vector in [0, 1]^d whose key
        (:func:`genhpo.spaces.rows.key_of`) is neither an observed row's nor in ``exclude`` (if any is)."""
        X, y = as_history(X_obs, y_obs, self.layout.dim)
        if X_pen is not None:
            pool = as_pool(X_pen, self.layout.dim)
            free = np.flatnonzero(~rows_in(pool, X))
            if not len(free):
                raise ValueError("every row of X_pen has already been observed; nothing left to suggest")
            return int(free[self.pick(pool[free], X, y)])
        candidates = self.continuous_candidates(X, y, exclude)
        return self.ranked(candidates, X, y, 1, exclude)[0].copy()

    def pick(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> int:
        """Index of the chosen row of a finite set of ``candidates (M, d)`` (the local neighbourhood first)."""
        self._phase(len(y))
        index = np.arange(len(candidates))
        near = self.policy.neighbourhood(candidates, X, y, self.rng)
        if near is not None:
            index = index[near]
        return int(index[self.order(candidates[index], X, y, 1)[0]])

    def order(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray, k: int) -> Sequence[int]:
        """Indices of the k best ``candidates (M, d)`` by the ranking plus Gumbel noise of scale
        ``temperature``; k uniformly random ones when the policy says so."""
        return self._order(candidates, X, y, k)[0]

    def ranked(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray, k: int,
               exclude: Iterable[bytes] = (), refine: bool = True) -> np.ndarray:
        """``(k', d)`` rows, best first, for a continuous space: the k best ``candidates (M, d)`` as
        :meth:`order` gives them, preceded by the first one's acquisition optimisation (:meth:`climb`)
        when ``refine`` (and the setting ``refine`` > 0), the space has numeric entries,
        the setting ``refine_after`` results are in and this suggestion follows the ranking. A caller that filtered
        the candidates (a constrained target's feasibility filter) passes ``refine=False``: a row
        found by the local search has not passed that filter."""
        index, scorer = self._order(candidates, X, y, k)
        rows = candidates[list(index)]
        if (scorer is None or not refine or not self.active.refine or not self.layout.numeric
                or len(y) < self.active.refine_after):
            return rows
        seen = set(keys_of(X)) | set(exclude)
        best = self.climb(rows[0], scorer, seen)
        if self.active.polish and scorer.gp is not None and scorer.gp.fitted:
            best = self.polish(best, scorer.gp.log_ei, seen)
        return np.vstack([best, rows])

    def climb(self, start: np.ndarray, scorer: Callable[[np.ndarray], np.ndarray], seen: set[bytes]) -> np.ndarray:
        """Optimise the acquisition (the ranking's score) from ``start (d,)``: ``refine`` rounds of a (1 + λ)
        local search. Each round scores ``REFINE_MOVES`` local moves of the current row (:func:`perturb`,
        numeric steps of sd ``REFINE_SD`` at first), projected onto the space's conditions; the best move
        replaces the current row if it scores higher and its key is not in ``seen``, else the step sd is
        halved. The candidates place the search in the right basin; the rounds resolve it finer than any
        fixed set of draws can (a step sd of 0.05 / 2^r after r failed rounds)."""
        current, value, sd = start, float(scorer(start[None])[0]), REFINE_SD
        for _ in range(self.active.refine):
            moves = np.clip(perturb(np.repeat(current[None], REFINE_MOVES, axis=0), self.layout, self.rng, sd=sd),
                            0.0, 1.0)
            if self.encoder.config_space.conditions or self.encoder.config_space.forbidden_clauses:
                moves = self.encoder.project(moves)[0]  # the rows no forbidden clause excludes
            moves = moves[[k not in seen for k in keys_of(moves)]] if len(moves) else moves
            if not len(moves):
                sd /= 2
                continue
            score = scorer(moves)
            best = int(np.argmax(score))
            if score[best] > value:
                current, value = moves[best], float(score[best])
            else:
                sd /= 2
        return current

    def polish(self, start: np.ndarray, log_ei: Callable[[np.ndarray], np.ndarray], seen: set[bytes]) -> np.ndarray:
        """At most ``polish`` L-BFGS-B iterations (SciPy) maximising the GP correction's ``log_ei`` over the
        numeric entries of ``start (d,)`` in [0, 1], the one-hot entries held; the gradient by forward
        differences (step ``POLISH_STEP``), all of one gradient's rows predicted at once. GP-BO optimises
        its acquisition this way (e.g. Optuna's ``GPSampler``, BoTorch's ``optimize_acqf``); the local
        search (:meth:`climb`) picks the basin, this resolves it. The result is projected onto the space
        (:meth:`SpaceEncoder.project`: integers rounded, conditions applied); ``start`` is returned if the
        projection is excluded by a forbidden clause or its key is in ``seen``."""
        from scipy.optimize import minimize

        numeric = np.array(self.layout.numeric, dtype=np.int64)

        def rows_at(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # (start at z, then one step per entry), steps
            out = np.repeat(start[None], len(numeric) + 1, axis=0)
            out[:, numeric] = z
            steps = np.where(z + POLISH_STEP <= 1.0, POLISH_STEP, -POLISH_STEP)  # stay in the box
            out[np.arange(1, len(numeric) + 1), numeric] += steps
            return out, steps

        def negative(z: np.ndarray) -> tuple[float, np.ndarray]:
            rows, steps = rows_at(z)
            values = log_ei(rows)
            return -float(values[0]), -(values[1:] - values[0]) / steps

        result = minimize(negative, start[numeric], jac=True, method="L-BFGS-B", bounds=[(0.0, 1.0)] * len(numeric),
                          options={"maxiter": self.active.polish})
        row = start.copy()
        row[numeric] = np.clip(result.x, 0.0, 1.0)
        projected, allowed = self.encoder.project(row[None])
        if not allowed[0] or key_of(projected[0]) in seen:
            return start
        return projected[0]

    def _order(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray,
               k: int) -> tuple[Sequence[int], Scorer | None]:
        """:meth:`order`'s indices and the ranking's scorer (None for a uniformly random pick)."""
        self._phase(len(y))
        if self.policy.random_pick(len(y), self.rng):
            return self.rng.choice(len(candidates), size=k, replace=False).tolist(), None
        scorer = self.ranking.scorer(candidates, X, y)
        score = scorer(candidates)
        if self.active.temperature:
            score = score + self.active.temperature * self.rng.gumbel(size=len(score))
        if k == 1:  # the first of the best, as the stable sort below would give
            return [int(np.argmax(score))], scorer
        return np.argsort(-score, kind="stable")[:k].tolist(), scorer

    @torch.no_grad()
    def continuous_candidates(self, X: np.ndarray, y: np.ndarray, exclude: Iterable[bytes] = ()) -> np.ndarray:
        """``(N, d)`` rows: ``n_samples`` draws from p(x | I=1, c), as many random vectors and perturbations
        of the best rows, projected onto the space's conditions and forbidden clauses; rows whose key is
        observed or in ``exclude`` are dropped (unless that drops every row)."""
        self._phase(len(y))
        n = self.active.n_samples
        drawn = self.model.sample(context_of(self.model, X, y), n, generator=self.generator).numpy().astype(float)
        parts = [drawn, random_vectors(self.encoder, n, self.rng)]
        if len(X):
            top = X[np.argsort(-y, kind="stable")[: max(1, min(5, len(X)))]]
            parts.append(perturb(top[self.rng.integers(len(top), size=n)], self.layout, self.rng,
                                 self.active.local_scales))
        candidates = np.clip(np.vstack(parts), 0.0, 1.0)
        if self.encoder.config_space.conditions or self.encoder.config_space.forbidden_clauses:
            candidates = self._project(candidates)
        seen = set(keys_of(X)) | set(exclude)
        keep = np.array([k not in seen for k in keys_of(candidates)])
        return candidates[keep] if keep.any() else candidates

    def _project(self, candidates: np.ndarray) -> np.ndarray:
        """Encodings of the configurations the rows decode to, rows excluded by a forbidden clause dropped,
        computed for all rows at once (:meth:`SpaceEncoder.project`). ValueError if the forbidden clauses
        exclude every candidate (model draws, random draws and perturbations alike)."""
        rows, allowed = self.encoder.project(candidates)
        if not allowed.any():
            clauses = "; ".join(map(str, self.encoder.config_space.forbidden_clauses[:3]))
            raise ValueError(f"the space's forbidden clauses exclude all {len(candidates)} candidate configurations "
                             f"(random draws included), so there is nothing to suggest; check them: {clauses}")
        return rows
