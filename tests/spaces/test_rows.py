"""Row matching for the HPO-B front: which pending rows were already observed."""

from __future__ import annotations

import numpy as np

from genhpo.spaces.rows import row_hash, rows_in


def test_rows_in_matches_a_brute_force_comparison():
    rng = np.random.default_rng(0)
    A = np.round(rng.random((400, 7)), 2)
    A[:50] = np.eye(7)[rng.integers(7, size=50)]  # one-hot rows, many duplicates
    B = np.vstack([A[rng.choice(400, size=30, replace=False)], np.round(rng.random((20, 7)), 2)])
    B[0] = B[0] + 1e-12  # equal to 9 decimals
    expected = np.array([any(np.allclose(np.round(a, 9), np.round(b, 9), rtol=0, atol=0) for b in B) for a in A])
    np.testing.assert_array_equal(rows_in(A, B), expected)
    assert expected.sum() >= 30


def test_rows_in_treats_negative_zero_as_zero_and_handles_empty_inputs():
    A = np.array([[0.0, 1.0], [-0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_array_equal(rows_in(A, np.array([[0.0, 1.0]])), [True, True, False])
    assert rows_in(A, np.zeros((0, 2))).tolist() == [False, False, False]
    assert rows_in(np.zeros((0, 2)), A).shape == (0,)


def test_rows_in_compares_colliding_rows_in_full(monkeypatch):
    from genhpo.spaces import rows as rows_module

    monkeypatch.setattr(rows_module, "row_hash", lambda M: np.zeros(len(M)))  # every row collides
    A = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    assert rows_module.rows_in(A, np.array([[1.0, 0.0], [0.25, 0.75]])).tolist() == [False, True, False]


def test_equal_rows_hash_alike_whatever_else_is_in_the_matrix():
    rng = np.random.default_rng(1)
    row = np.round(rng.random(30), 9)
    for n in (1, 7, 1000):
        M = np.vstack([np.round(rng.random((n, 30)), 9), row])
        assert row_hash(M)[-1] == row_hash(row[None])[0]
