"""The history encoder: a history of observations (x, y), read as a *set*, pooled to a context vector.

Tokens are (encoded x, normalised y): y is z-scored and rank-transformed *within each history*, so
one model transfers across tasks whose scores live on different scales. An embedding MLP maps each
token to ``embed`` dims, a transformer encoder without positional encoding lets tokens attend to
each other (so the output is invariant to the order of the history), and padding masks let one
batch mix histories of different lengths. The pooled context joins a masked mean, an attention pool
with a learned query, and the encoded incumbent (mean x of the rows tied at the best y).
An empty history maps to a learned "cold" context.
"""

from __future__ import annotations

import torch
from torch import nn


def normalise_y(y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``(B, n, 2)`` per-history features of ``y (B, n)``: z-score and rank in [0, 1] (0 at padding).

    mask: ``(B, n)`` bool, True for real observations. A history with one observation, or with all
    scores equal, gets z = 0 and rank 0.5.
    """
    m = mask.to(y.dtype)
    count = m.sum(dim=1, keepdim=True).clamp_min(1.0)
    mean = (y * m).sum(dim=1, keepdim=True) / count
    var = (((y - mean) * m) ** 2).sum(dim=1, keepdim=True) / count
    std = var.sqrt()
    z = torch.where(std > 1e-8, (y - mean) / std.clamp_min(1e-8), torch.zeros_like(y))
    less = ((y.unsqueeze(2) > y.unsqueeze(1)) & mask.unsqueeze(1)).to(y.dtype).sum(dim=2)
    ties = ((y.unsqueeze(2) == y.unsqueeze(1)) & mask.unsqueeze(1)).to(y.dtype).sum(dim=2)
    rank = (less + 0.5 * (ties - 1.0)) / (count - 1.0).clamp_min(1.0)
    rank = torch.where(count > 1.5, rank, torch.full_like(rank, 0.5))
    return torch.stack([z * m, rank * m], dim=-1)


class HistoryEncoder(nn.Module):
    """``forward(X (B, n, d), y (B, n), mask (B, n)) -> (B, context)`` context vectors."""

    def __init__(self, dim: int, embed: int = 32, heads: int = 4, layers: int = 3, ff: int = 64, context: int = 32):
        super().__init__()
        self.dim = dim
        self.embed = nn.Sequential(nn.Linear(dim + 2, embed), nn.GELU(), nn.Linear(embed, embed))
        layer = nn.TransformerEncoderLayer(embed, heads, ff, dropout=0.0, batch_first=True, norm_first=True)
        self.transformer = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.query = nn.Parameter(0.1 * torch.randn(1, 1, embed))
        self.pool = nn.MultiheadAttention(embed, heads, dropout=0.0, batch_first=True)
        self.out = nn.Sequential(nn.Linear(2 * embed + dim + 1, context), nn.GELU(), nn.Linear(context, context))
        self.cold = nn.Parameter(torch.zeros(context))

    def forward(self, X: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        B, n = y.shape
        if n == 0:  # every history empty
            return self.cold.expand(B, -1)
        empty = ~mask.any(dim=1)  # (B,)
        # a fully padded row would make attention undefined: let it see one dummy token, then discard
        safe_mask = mask.clone()
        safe_mask[empty, 0] = True
        tokens = self.embed(torch.cat([X, normalise_y(y, mask)], dim=-1))
        h = self.transformer(tokens, src_key_padding_mask=~safe_mask)
        m = safe_mask.to(h.dtype).unsqueeze(-1)
        mean = (h * m).sum(dim=1) / m.sum(dim=1)
        pooled, _ = self.pool(self.query.expand(B, -1, -1), h, h, key_padding_mask=~safe_mask, need_weights=False)
        best = torch.where(mask, y, torch.full_like(y, -torch.inf)).amax(dim=1, keepdim=True)
        at_best = (mask & (y == best)).to(X.dtype)
        x_best = (X * at_best.unsqueeze(-1)).sum(dim=1) / at_best.sum(dim=1, keepdim=True).clamp_min(1.0)
        log_n = torch.log1p(mask.to(X.dtype).sum(dim=1, keepdim=True)) / 5.0
        context = self.out(torch.cat([mean, pooled.squeeze(1), x_best, log_n], dim=-1))
        return torch.where(empty.unsqueeze(-1), self.cold.expand(B, -1), context)
