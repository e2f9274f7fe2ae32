"""When not to follow the ranking, and which candidates to rank: initial design, exploration, local neighbourhood.

Every draw comes from the caller's generator, in a fixed order, so a seed fixes the trajectory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genhpo.suggest.candidates import neighbours


@dataclass(frozen=True)
class Policy:
    """``init_random``, ``exploration``, ``local``, ``local_after``: see :class:`genhpo.suggest.config.SuggestConfig`.

    ``block_starts``: first vector index of each hyperparameter of the encoding (ascending).
    """

    init_random: int
    exploration: float
    local: int
    local_after: int
    block_starts: np.ndarray

    def random_pick(self, n_results: int, rng: np.random.Generator) -> bool:
        """Whether this suggestion is a uniformly random pick among the candidates: an initial-design step
        (fewer than ``init_random`` results), or the exploration draw (probability ``exploration``)."""
        return n_results < self.init_random or bool(self.exploration and rng.random() < self.exploration)

    def neighbourhood(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray | None:
        """``(M,)`` mask of the ``candidates (M, d)`` that are one-hyperparameter neighbours of the ``local``
        best rows of ``X (n, d)`` (scores ``y (n,)``), once ``local_after`` results are in and unless the
        escape draw (probability ``exploration``) says otherwise; None for "rank every candidate"
        (also when no candidate is a neighbour)."""
        if not self.local or len(y) < self.local_after or rng.random() < self.exploration:
            return None
        near = neighbours(candidates, X[np.argsort(-y, kind="stable")[: self.local]], self.block_starts)
        return near if near.any() else None
