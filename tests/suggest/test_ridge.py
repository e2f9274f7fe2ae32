"""The target-task ridge surrogate (genhpo.suggest.ridge)."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.suggest.ridge import ridge_predict


def _one_hot_rows(rng, n, blocks=6, width=5):
    X = np.zeros((n, blocks * width))
    for b in range(blocks):
        X[np.arange(n), b * width + rng.integers(width, size=n)] = 1.0
    return X


def test_recovers_main_effects_from_enough_rows():
    rng = np.random.default_rng(0)
    effect = rng.normal(size=30)
    X, C = _one_hot_rows(rng, 200), _one_hot_rows(rng, 500)
    pred = ridge_predict(X, X @ effect + 3.0, C, l2=1.0)
    assert np.corrcoef(pred, C @ effect)[0, 1] > 0.99
    assert abs(pred.mean()) < 0.2  # centred on the history's mean, in units of its std


def test_short_histories_are_shrunk_and_dual_and_primal_forms_agree():
    rng = np.random.default_rng(1)
    X, C = _one_hot_rows(rng, 40), _one_hot_rows(rng, 50)
    y = X @ rng.normal(size=30)
    for l2 in (0.5, 3.0):
        for n in (5, 29, 30, 40):  # below and above the width 30: dual and primal solves
            Xn, z = X[:n], (y[:n] - y[:n].mean()) / y[:n].std()
            Xc = Xn - Xn.mean(axis=0)
            beta = np.linalg.solve(Xc.T @ Xc + l2 * np.eye(30), Xc.T @ z)
            np.testing.assert_allclose(ridge_predict(Xn, y[:n], C, l2), (C - Xn.mean(axis=0)) @ beta, atol=1e-9)
    # a stronger penalty moves the predictions less
    assert np.abs(ridge_predict(X[:5], y[:5], C, 30.0)).max() < np.abs(ridge_predict(X[:5], y[:5], C, 1.0)).max()


def test_nothing_to_learn_gives_zeros_and_bad_input_is_refused():
    C = np.eye(4)
    assert not ridge_predict(np.zeros((0, 4)), np.zeros(0), C, 1.0).any()
    assert not ridge_predict(np.eye(4)[:1], np.ones(1), C, 1.0).any()
    assert not ridge_predict(np.eye(4)[:3], np.full(3, 2.0), C, 1.0).any()
    for l2 in (0.0, -1.0, np.nan):
        with pytest.raises(ValueError, match="l2"):
            ridge_predict(np.eye(4), np.arange(4.0), C, l2)
    with pytest.raises(ValueError, match="shapes"):
        ridge_predict(np.eye(4), np.arange(3.0), C, 1.0)
    with pytest.raises(ValueError, match="shapes"):
        ridge_predict(np.eye(4), np.arange(4.0), np.eye(3), 1.0)
