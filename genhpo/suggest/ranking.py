"""The ranking of candidates: the model's density ratio plus corrections read off the history.

The meta-trained model scores a candidate x by ELBO(x | I=1, c) - ELBO(x | I=0, c), c the context of
the history: with targets drawn uniformly and each improvement flag half the time in training, Bayes'
rule makes this the log-odds that x improves on the history, a learned, context-conditioned TPE / BORE
acquisition (Bergstra et al., NeurIPS 2011; Tiao et al., ICML 2021). A correction adds ``weight`` times
its own score; an ablation composes another ranking, not another keyword in the optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

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
        return self.prepare(candidates, X, y)(candidates)

    def prepare(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """The correction as a function of rows ``(k, d) -> (k,)`` (``candidates`` is not needed here)."""
        return lambda rows: ridge_predict(X, y, rows, self.l2)


@dataclass(frozen=True)
class GPCorrection:
    """``weight`` x the expected improvement of a Gaussian process fitted on the history, standardised
    over the candidates: scikit-learn's ``GaussianProcessRegressor`` (a constant times a Matern-5/2
    kernel plus white noise, hyperparameters by maximum marginal likelihood, ``normalize_y``) on the
    encoded rows, EI of the candidates over the best standardised score (Jones et al., 1998). The
    kernel is isotropic (one length scale), or with ``ard`` one length scale per encoded entry
    (automatic relevance determination, as GP-BO libraries such as Optuna's ``GPSampler`` and BoTorch
    fit it). With ``prior`` the hyperparameters are a MAP fit under Optuna ``GPSampler``'s priors
    instead of maximum likelihood (:func:`log_prior`), from the priors' modes (every length scale 1,
    kernel scale 1). The density ratio proposes and orders globally; the GP refines around the
    evidence, as GP-BO does. Zeros with fewer than ``min_results`` results or constant scores.

    ``refit`` k > 1: a history that extends the last optimised one by 1 to k - 1 results (its rows and
    scores first, unchanged) keeps that fit's hyperparameters, the GP conditioned on the whole history;
    any other history has them optimised. The fit dominates the cost of a suggestion, and a few results
    more move the hyperparameters little. The last optimised fit is this object's state."""

    weight: float
    min_results: int = 5
    ard: bool = False
    prior: bool = False
    refit: int = 1
    #: the last optimised fit: its history (rows and scores) and log hyperparameters (``refit`` > 1)
    last_fit: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __call__(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.prepare(candidates, X, y)(candidates)

    def prepare(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> GPScore:
        """The correction as a function of rows ``(k, d) -> (k,)``: the GP is fitted once, and log EI is
        standardised by its mean and standard deviation over ``candidates (M, d)``, so that rows scored
        later (the acquisition optimisation of :class:`genhpo.suggest.core.Suggester`) are on the same
        scale as the candidates."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        if len(y) < self.min_results or float(y.std()) <= 1e-12:
            return GPScore(None, 0.0, 0.0, 1.0, candidates)
        z = (y - y.mean()) / y.std()
        start, high = (1.0, 1e2) if self.prior else (0.3, 10.0)
        length = np.full(X.shape[1], start) if self.ard else start
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(length, (1e-3, high), nu=2.5) + WhiteKernel(1e-3, (1e-8, 1e-1))
        reuse = self._reusable(X, y, kernel.theta.shape)
        if reuse:
            kernel = kernel.clone_with_theta(self.last_fit["theta"])
        gp = GaussianProcessRegressor(kernel, normalize_y=True, random_state=0,
                                      optimizer=None if reuse else _lbfgs_map if self.prior else _lbfgs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a bound reached is a usable fit
            gp.fit(X, z)
        if self.refit > 1 and not reuse:
            self.last_fit.update(X=X.copy(), y=y.copy(), theta=gp.kernel_.theta.copy())
        best = float(z.max())
        posterior = Posterior(gp)
        reference = _log_ei(posterior, candidates, best)
        centre, spread = float(reference.mean()), float(reference.std())
        if spread <= 1e-12:
            return GPScore(None, 0.0, 0.0, 1.0, candidates)
        return GPScore(gp, best, centre, spread, candidates, reference, posterior)

    def _reusable(self, X: np.ndarray, y: np.ndarray, shape: tuple[int, ...]) -> bool:
        """Whether the history ``X (n, d)``, ``y (n,)`` extends the last optimised fit's by 1 to ``refit`` - 1
        results (its rows and scores first, unchanged), with hyperparameters of the same shape."""
        last = self.last_fit
        if self.refit <= 1 or not last or last["theta"].shape != shape:
            return False
        n = len(last["y"])
        return (0 < len(y) - n < self.refit and X.shape[1] == last["X"].shape[1]
                and np.array_equal(X[:n], last["X"]) and np.array_equal(y[:n], last["y"]))


class GPScore:
    """A fitted :class:`GPCorrection`: ``score(rows (k, d)) -> (k,)`` standardised log EI (zeros without a
    GP, ``gp is None``), and :meth:`log_ei`, its unstandardised value, which the acquisition optimisation
    climbs."""

    def __init__(self, gp: Any, best: float, centre: float, spread: float, candidates: np.ndarray,
                 reference: np.ndarray | None = None, posterior: Posterior | None = None) -> None:
        self.gp, self.best, self.centre, self.spread = gp, best, centre, spread
        self._candidates, self._reference = candidates, reference
        self._posterior = posterior if posterior is not None or gp is None else Posterior(gp)

    @property
    def fitted(self) -> bool:
        """Whether a GP was fitted (enough results, scores not constant)."""
        return self.gp is not None

    def log_ei(self, rows: np.ndarray) -> np.ndarray:
        """``(k,)`` log expected improvement of the GP at ``rows (k, d)``; ValueError without a GP."""
        if self.gp is None:
            raise ValueError("no GP was fitted (fewer results than its minimum, or constant scores)")
        # the candidates themselves were just predicted for the standardisation: not again
        return self._reference if rows is self._candidates else _log_ei(self._posterior, rows, self.best)

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if self.gp is None:
            return np.zeros(len(rows))
        return (self.log_ei(rows) - self.centre) / self.spread


class Posterior:
    """The predictions of a fitted :class:`GPCorrection` GP, ``predict(rows (k, d), return_std=True) ->
    (mean (k,), sd (k,))``, with what does not depend on ``rows`` computed once: equal to the scikit-learn
    ``GaussianProcessRegressor.predict`` of the fit, bit for bit (the same operations in the same order;
    Rasmussen & Williams, 2006, Algorithm 2.1, lines 4-5), without its input validation and kernel-object
    dispatch, which cost about ten times the arithmetic on the few rows an acquisition optimiser
    predicts per step. Takes the kernel ``ConstantKernel * Matern(nu=2.5) + WhiteKernel`` of
    :meth:`GPCorrection.prepare`; ValueError for another."""

    def __init__(self, gp: Any) -> None:
        from scipy.linalg import solve_triangular
        from scipy.spatial.distance import cdist
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, Product, Sum, WhiteKernel

        kernel = gp.kernel_
        if not (isinstance(kernel, Sum) and isinstance(kernel.k1, Product) and isinstance(kernel.k2, WhiteKernel)
                and isinstance(kernel.k1.k1, ConstantKernel) and isinstance(kernel.k1.k2, Matern)
                and kernel.k1.k2.nu == 2.5):
            raise ValueError(f"Posterior takes ConstantKernel * Matern(nu=2.5) + WhiteKernel, got {kernel}")
        self.scale = kernel.k1.k1.constant_value
        self.length = np.squeeze(kernel.k1.k2.length_scale).astype(float)
        self.noise = kernel.k2.noise_level
        self.train = gp.X_train_ / self.length
        self.alpha, self.cholesky = gp.alpha_, gp.L_
        self.y_mean, self.y_std = gp._y_train_mean, gp._y_train_std
        self._cdist, self._solve = cdist, solve_triangular  # looked up once: predict is called per optimiser step

    def predict(self, rows: np.ndarray, return_std: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """``(mean (k,), sd (k,))`` at ``rows (k, d)``; ``return_std`` is scikit-learn's keyword and must be
        True (ValueError otherwise: the acquisition needs both)."""
        if not return_std:
            raise ValueError("Posterior.predict returns the mean and the standard deviation; return_std must be True")
        rows = np.atleast_2d(np.asarray(rows, dtype=float))
        # the kernel objects' own operations, kept in their order (constant x Matern, plus the white kernel's
        # zero cross-covariance; its variance on the diagonal) so that every bit equals scikit-learn's
        K = self._cdist(rows / self.length, self.train, metric="euclidean") * math.sqrt(5)
        K_trans = np.full(K.shape, self.scale) * ((1.0 + K + K**2 / 3.0) * np.exp(-K)) + np.zeros(K.shape)
        mean = self.y_std * (K_trans @ self.alpha) + self.y_mean
        V = self._solve(self.cholesky, K_trans.T, lower=True, check_finite=False)
        var = np.full(len(rows), self.scale) * np.ones(len(rows)) + np.full(len(rows), self.noise)
        var -= np.einsum("ij,ji->i", V.T, V)
        var[var < 0] = 0.0
        return mean, np.sqrt(var * self.y_std**2)


def _log_ei(gp: Posterior, rows: np.ndarray, best: float) -> np.ndarray:
    """``(k,)`` log expected improvement over ``best`` of a fitted GP's predictions (its :class:`Posterior`)
    at ``rows (k, d)``; the log keeps its scale from vanishing far from the incumbent."""
    from scipy.special import ndtr  # the standard normal cdf (scipy.stats.norm.cdf without its dispatch)

    mean, sd = gp.predict(rows, return_std=True)
    sd = np.maximum(sd, 1e-9)
    gain = (mean - best) / sd
    ei = sd * (gain * ndtr(gain) + np.exp(-gain**2 / 2.0) / np.sqrt(2 * np.pi))
    return np.log(np.maximum(ei, 1e-300))


def _lbfgs(objective, theta0: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """scikit-learn's default hyperparameter search (L-BFGS-B on the log marginal likelihood), stopped
    after ``GP_FIT_ITERATIONS`` iterations: the fit is redone at every suggestion, and a few steps from
    the kernel's initial values keep it within the overhead budget."""
    from scipy.optimize import minimize

    result = minimize(objective, theta0, jac=True, bounds=bounds, method="L-BFGS-B",
                      options={"maxiter": GP_FIT_ITERATIONS})
    return result.x, float(result.fun)


def log_prior(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """Log prior density (up to a constant) and its gradient at ``theta (p,)``, the logs of the kernel
    ``ConstantKernel(s) * Matern(l_1..l_k) + WhiteKernel(v)`` in scikit-learn's order
    (``[log s, log l_1, ..., log l_k, log v]``): the priors of Optuna's ``GPSampler``
    (``optuna/_gp/prior.py``, Optuna 4 and 5), on targets standardised to mean 0 and sd 1 and inputs in
    [0, 1]:

    - each inverse squared length scale ``r = 1 / l^2``: ``log p(r) = -(0.1 / r + 0.1 r)``, a mode at
      ``l = 1`` that penalises length scales far shorter or longer than the unit box;
    - the kernel scale ``s``: Gamma(2, rate 1), ``log p = log s - s``;
    - the noise variance ``v``: Gamma(1.1, rate 30), ``log p = 0.1 log v - 30 v``.

    The densities are those of the parameters themselves, maximised over their logs (as Optuna does)."""
    log_scale, log_length, log_noise = theta[0], theta[1:-1], theta[-1]
    r = np.exp(-2.0 * log_length)
    value = (log_scale - np.exp(log_scale)) - float(np.sum(0.1 / r + 0.1 * r)) + (0.1 * log_noise - 30.0 * np.exp(log_noise))
    gradient = np.empty_like(theta)
    gradient[0] = 1.0 - np.exp(log_scale)
    gradient[1:-1] = -0.2 / r + 0.2 * r  # d/dlog l of -(0.1 / r + 0.1 r), with dr/dlog l = -2 r
    gradient[-1] = 0.1 - 30.0 * np.exp(log_noise)
    return float(value), gradient


def _lbfgs_map(objective, theta0: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """:func:`_lbfgs` on the negative log posterior: scikit-learn's ``objective`` (negative log marginal
    likelihood and its gradient) minus :func:`log_prior`."""

    def posterior(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = objective(theta)
        prior, prior_gradient = log_prior(theta)
        return value - prior, gradient - prior_gradient

    return _lbfgs(posterior, theta0, bounds)


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
        return self.scorer(candidates, X, y)(candidates)

    @torch.no_grad()
    def scorer(self, candidates: np.ndarray, X: np.ndarray, y: np.ndarray) -> Scorer:
        """The ranking as a function of rows ``(k, d) -> (k,)``, with the history's context and the
        corrections' fits computed once; ``candidates (M, d)`` fix the corrections' scales, so
        ``scorer(candidates, X, y)(candidates) == scores(candidates, X, y)``."""
        context = context_of(self.model, X, y)
        return Scorer(self.model, context, [(c.weight, c.prepare(candidates, X, y)) for c in self.corrections])


class Scorer:
    """:meth:`Ranking.scorer`'s function of rows; ``gp`` is the fitted GP correction (a :class:`GPScore`)
    or None when the ranking has none."""

    def __init__(self, model: GenerativeModel, context: torch.Tensor,
                 parts: Sequence[tuple[float, Callable[[np.ndarray], np.ndarray]]]) -> None:
        self.model, self.context, self.parts = model, context, list(parts)
        self.gp = next((part for _, part in self.parts if isinstance(part, GPScore)), None)

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            value = self.model.density_ratio(torch.as_tensor(rows, dtype=torch.float32), self.context).numpy()
        value = value.astype(float)
        for weight, correction in self.parts:
            value = value + weight * correction(rows)
        return value
