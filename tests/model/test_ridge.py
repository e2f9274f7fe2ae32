"""The target-task ridge surrogate (genhpo.model.ridge)."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.model.ridge import ridge_predict


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


def test_thompson_draws_follow_the_posterior_of_the_coefficients():
    rng = np.random.default_rng(2)
    X = _one_hot_rows(rng, 12, blocks=2, width=3)
    y = X @ rng.normal(size=6) + 0.1 * rng.normal(size=12)
    probe = X.mean(axis=0) + np.eye(6)  # predictions at these rows are the coefficients themselves
    mean = ridge_predict(X, y, probe, 2.0)
    draws = np.array([ridge_predict(X, y, probe, 2.0, noise=0.5, rng=rng) for _ in range(4000)])
    Xc = X - X.mean(axis=0)
    cov = 0.25 * np.linalg.inv(Xc.T @ Xc + 2.0 * np.eye(6))
    np.testing.assert_allclose(draws.mean(axis=0), mean, atol=4 * np.sqrt(cov.diagonal().max() / 4000))
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.1 * cov.diagonal().max())
    # seeded: the same generator state gives the same draw
    a, b = (ridge_predict(X, y, probe, 2.0, 0.5, np.random.default_rng(7)) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="noise"):
        ridge_predict(X, y, probe, 2.0, noise=0.5)
    with pytest.raises(ValueError, match="noise"):
        ridge_predict(X, y, probe, 2.0, noise=-1.0, rng=rng)


def _pair_columns(X, pairs):
    """Explicit features: the rows plus sqrt(pairs) x the (choice, choice) indicators of every pair of blocks."""
    import itertools

    ops = X.reshape(len(X), 6, 5).argmax(axis=2)
    columns = [X]
    for i, j in itertools.combinations(range(6), 2):
        f = np.zeros((len(X), 25))
        f[np.arange(len(X)), 5 * ops[:, i] + ops[:, j]] = 1.0
        columns.append(np.sqrt(pairs) * f)
    return np.column_stack(columns)


def test_pairwise_kernel_equals_ridge_on_explicit_interaction_columns():
    from genhpo.model.ridge import pairwise_ridge_predict

    rng = np.random.default_rng(4)
    X, C = _one_hot_rows(rng, 40), _one_hot_rows(rng, 60)
    y = rng.normal(size=40)
    one_hot = [(5 * b, 5 * b + 5) for b in range(6)]
    np.testing.assert_allclose(pairwise_ridge_predict(X, y, C, 2.0, 0.0, one_hot), ridge_predict(X, y, C, 2.0), atol=1e-9)
    for pairs in (0.1, 1.0):
        expected = ridge_predict(_pair_columns(X, pairs), y, _pair_columns(C, pairs), 2.0)
        got = pairwise_ridge_predict(X, y, C, 2.0, pairs, one_hot)
        np.testing.assert_allclose(got, expected, atol=1e-9)
        assert np.abs(got - ridge_predict(X, y, C, 2.0)).max() > 1e-3  # the interactions do change it
    # an interaction that main effects cannot express is learned from enough rows
    X = _one_hot_rows(rng, 400)
    xor = (X[:, 0] == X[:, 5]).astype(float)  # edge 0 op 0 together with edge 1 op 0, or neither
    C = _one_hot_rows(rng, 300)
    truth = (C[:, 0] == C[:, 5]).astype(float)
    with_pairs = np.corrcoef(pairwise_ridge_predict(X, xor, C, 1.0, 1.0, one_hot), truth)[0, 1]
    assert with_pairs > 0.9 and np.corrcoef(ridge_predict(X, xor, C, 1.0), truth)[0, 1] < with_pairs - 0.15
    with pytest.raises(ValueError, match="pairs"):
        pairwise_ridge_predict(X, xor, C, 1.0, -1.0, one_hot)
    with pytest.raises(ValueError, match="l2"):
        pairwise_ridge_predict(X, xor, C, 0.0, 1.0, one_hot)


def test_pairwise_fit_on_rows_that_are_not_one_hot_uses_column_products():
    from genhpo.model.ridge import pairwise_ridge_predict

    rng = np.random.default_rng(5)
    blocks = [(0, 3), (4, 6)]  # column 3 is numeric: in the linear part only
    X, C, y = rng.random((12, 6)), rng.random((20, 6)), rng.normal(size=12)

    def explicit(A):
        products = [A[:, j] * A[:, k] for j in range(3) for k in range(4, 6)]
        return np.column_stack([A] + [np.sqrt(0.7) * p for p in products])

    np.testing.assert_allclose(pairwise_ridge_predict(X, y, C, 1.5, 0.7, blocks),
                               ridge_predict(explicit(X), y, explicit(C), 1.5), atol=1e-9)
