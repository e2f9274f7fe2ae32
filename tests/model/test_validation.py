"""Row matching for the HPO-B front: which pending rows were already observed."""

from __future__ import annotations

import numpy as np

from genhpo.model.validation import row_hash, rows_in


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


def test_rows_in_does_not_match_different_rows_with_the_same_hash():
    weights = np.random.default_rng(0).integers(1, 2**31, size=2, dtype=np.int64)  # the hash's weights
    b = np.array([0.5, 0.5])
    # a - b = k * (w1, -w0) / 1e9 leaves the weighted sum of the integer units unchanged
    a = b + np.array([weights[1], -weights[0]]) * 1e-9
    assert row_hash(np.round(a[None], 9))[0] == row_hash(b[None])[0]  # a real collision
    assert rows_in(np.array([a, b]), np.array([b])).tolist() == [False, True]
