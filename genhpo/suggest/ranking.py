"""The ranking of candidates: the model's density ratio plus corrections read off the history.

The meta-trained model scores a candidate x by ELBO(x | I=1, c) - ELBO(x | I=0, c), c the context of
the history: with targets drawn uniformly and each improvement flag half the time in training, Bayes'
rule makes this the log-odds that x improves on the history, a learned, context-conditioned TPE / BORE
acquisition (Bergstra et al., NeurIPS 2011; Tiao et al., ICML 2021). A correction adds ``weight`` times
its own score; an ablation composes another ranking, not another keyword in the optimizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from genhpo.model.network import GenerativeModel
from genhpo.suggest.ridge import ridge_predict


def context_of(model: GenerativeModel, X: np.ndarray, y: np.ndarray) -> torch.Tensor:
    """``(1, context)`` of the history ``X (n, d)``, ``y (n,)``; y is standardised within the history first."""
    y_std = (y - y.mean()) / max(float(y.std()), 1e-12) if len(y) else y
    return model.context_of(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y_std, dtype=torch.float32))


@dataclass(frozen=True)
class RidgeCorrection:
    """``weight`` x a ridge regression (penalty ``l2``) of the history's standardised scores on its rows."""

    weight: float
    l2: float

    def __call__(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return ridge_predict(X, y, candidates, self.l2)


class Ranking:
    """``scores(candidates (M, d), X (n, d), y (n,)) -> (M,)``: higher is more promising."""

    def __init__(self, model: GenerativeModel, corrections: Sequence[RidgeCorrection] = ()) -> None:
        self.model = model
        self.corrections = tuple(c for c in corrections if c.weight)

    @torch.no_grad()
    def density_ratio(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The model's log-odds ``(M,)`` that each candidate improves on the history (float32 values)."""
        context = context_of(self.model, X, y)
        return self.model.density_ratio(torch.as_tensor(candidates, dtype=torch.float32), context).numpy()

    def scores(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        score = self.density_ratio(candidates, X, y).astype(float)
        for correction in self.corrections:
            score = score + correction.weight * correction(candidates, X, y)
        return score
