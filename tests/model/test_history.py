"""The history encoder reads a set: order and padding must not change the context."""

from __future__ import annotations

import torch

from genhpo.model.history import HistoryEncoder, normalise_y


def _encoder(dim: int = 5) -> HistoryEncoder:
    torch.manual_seed(0)
    return HistoryEncoder(dim, embed=16, heads=4, layers=2, ff=32, context=12).eval()


def test_context_shape_and_permutation_invariance():
    enc = _encoder()
    g = torch.Generator().manual_seed(1)
    X, y = torch.rand(3, 7, 5, generator=g), torch.randn(3, 7, generator=g)
    mask = torch.ones(3, 7, dtype=torch.bool)
    c = enc(X, y, mask)
    assert c.shape == (3, 12)
    perm = torch.randperm(7, generator=g)
    torch.testing.assert_close(enc(X[:, perm], y[:, perm], mask), c, atol=1e-5, rtol=1e-5)


def test_padding_does_not_change_the_context():
    enc = _encoder()
    g = torch.Generator().manual_seed(2)
    X, y = torch.rand(1, 4, 5, generator=g), torch.randn(1, 4, generator=g)
    alone = enc(X, y, torch.ones(1, 4, dtype=torch.bool))
    # the same history padded with 6 garbage rows, batched with a longer history
    Xp = torch.cat([X, 100 * torch.rand(1, 6, 5, generator=g)], dim=1)
    yp = torch.cat([y, 50 * torch.randn(1, 6, generator=g)], dim=1)
    mask = torch.tensor([[True] * 4 + [False] * 6])
    other = torch.rand(1, 10, 5, generator=g), torch.randn(1, 10, generator=g)
    batch = enc(torch.cat([Xp, other[0]]), torch.cat([yp, other[1]]), torch.cat([mask, torch.ones(1, 10, dtype=torch.bool)]))
    torch.testing.assert_close(batch[:1], alone, atol=1e-5, rtol=1e-5)


def test_empty_history_gives_the_cold_context_without_nan():
    enc = _encoder()
    X, y = torch.rand(2, 3, 5), torch.randn(2, 3)
    mask = torch.tensor([[False] * 3, [True] * 3])
    c = enc(X, y, mask)
    assert torch.isfinite(c).all()
    torch.testing.assert_close(c[0], enc.cold)
    torch.testing.assert_close(enc(X[:, :0], y[:, :0], mask[:, :0]), enc.cold.expand(2, -1))


def test_normalise_y_is_scale_and_shift_invariant_and_ranks():
    y = torch.tensor([[3.0, 1.0, 2.0, 0.0]])
    mask = torch.tensor([[True, True, True, False]])
    f = normalise_y(y, mask)
    torch.testing.assert_close(normalise_y(1000 * y - 7, mask), f, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(f[0, :, 1], torch.tensor([1.0, 0.0, 0.5, 0.0]))
    assert f[0, 3].abs().sum() == 0  # padding is zero
    one = normalise_y(torch.tensor([[5.0]]), torch.tensor([[True]]))
    torch.testing.assert_close(one, torch.tensor([[[0.0, 0.5]]]))
