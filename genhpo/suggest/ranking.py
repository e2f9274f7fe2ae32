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


@dataclass(frozen=True)
class GPCorrection:
    """``weight`` x the expected improvement of a Gaussian process fitted on the history, standardised
    over the candidates: scikit-learn's ``GaussianProcessRegressor`` (a constant times an isotropic
    Matern-5/2 kernel plus white noise, hyperparameters by maximum marginal likelihood, ``normalize_y``)
    on the encoded rows, EI of the candidates over the best standardised score (Jones et al., 1998).
    The density ratio proposes and orders globally; the GP refines around the evidence, as GP-BO does.
    Zeros with fewer than ``min_results`` results or constant scores."""

    weight: float
    min_results: int = 5

    def __call__(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        import warnings

        from scipy.stats import norm
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        if len(y) < self.min_results or float(y.std()) <= 1e-12:
            return np.zeros(len(candidates))
        z = (y - y.mean()) / y.std()
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(0.3, (1e-3, 10.0), nu=2.5) + WhiteKernel(1e-3, (1e-8, 1e-1))
        gp = GaussianProcessRegressor(kernel, normalize_y=True, random_state=0, optimizer=_lbfgs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a bound reached is a usable fit
            gp.fit(X, z)
        mean, sd = gp.predict(candidates, return_std=True)
        sd = np.maximum(sd, 1e-9)
        gain = (mean - z.max()) / sd
        ei = sd * (gain * norm.cdf(gain) + norm.pdf(gain))
        score = np.log(np.maximum(ei, 1e-300))  # log EI: its scale does not vanish far from the incumbent
        spread = score.std()
        return (score - score.mean()) / spread if spread > 1e-12 else np.zeros(len(candidates))


def _lbfgs(objective, theta0: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """scikit-learn's default hyperparameter search (L-BFGS-B on the log marginal likelihood), stopped
    after ``GP_FIT_ITERATIONS`` iterations: the fit is redone at every suggestion, and a few steps from
    the kernel's initial values keep it within the overhead budget."""
    from scipy.optimize import minimize

    result = minimize(objective, theta0, jac=True, bounds=bounds, method="L-BFGS-B",
                      options={"maxiter": GP_FIT_ITERATIONS})
    return result.x, float(result.fun)


#: L-BFGS-B iterations of the GP correction's hyperparameter fit (see :func:`_lbfgs`)
GP_FIT_ITERATIONS = 10


class Ranking:
    """``scores(candidates (M, d), X (n, d), y (n,)) -> (M,)``: higher is more promising."""

    def __init__(self, model: GenerativeModel, corrections: Sequence[RidgeCorrection | GPCorrection] = ()) -> None:
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
