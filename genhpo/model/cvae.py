"""The conditional VAE: encoder q(z | x, I, c), decoder p(x | z, I, c), prior N(0, 1).

x is an encoded configuration (see :class:`Layout`): each one-hot block is decoded as a categorical
distribution (its log-likelihood is a cross-entropy), each numeric entry as a Beta distribution on
(0, 1) (a bounded continuous output). I is the improvement flag (1: x improves on the history's
best), c the history's context vector.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Beta

from genhpo.model.layout import Layout

_EPS = 1e-3  # numeric entries are clamped to [eps, 1 - eps] so that the Beta log-density is finite


def _mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                         nn.Linear(hidden, outputs))


class ConditionalVAE(nn.Module):
    """Shapes: x (B, d), flag (B,) in {0, 1}, context (B, c), z (B, latent)."""

    def __init__(self, layout: Layout, context: int = 32, latent: int = 2, hidden: int = 64):
        super().__init__()
        self.layout = layout
        self.latent = latent
        self.n_numeric = len(layout.numeric)
        self.encoder = _mlp(layout.dim + 1 + context, hidden, 2 * latent)
        self.decoder = _mlp(latent + 1 + context, hidden, layout.dim + self.n_numeric)
        self.register_buffer("numeric_index", torch.tensor(layout.numeric, dtype=torch.long), persistent=False)
        # one-hot blocks grouped by width, as (k, width) column indices: scoring reads a group at once
        widths = sorted({b - a for a, b in layout.categorical})
        self._groups = [torch.tensor([list(range(a, b)) for a, b in layout.categorical if b - a == w], dtype=torch.long)
                        for w in widths]
        # a group whose blocks are contiguous (NB201: all 30 columns) is read as a view, not gathered
        self._spans = [(int(g[0, 0]), g.shape[0], g.shape[1]) if torch.equal(g.flatten(), torch.arange(
            int(g[0, 0]), int(g[0, 0]) + g.numel())) else None for g in self._groups]

    def encode(self, x: torch.Tensor, flag: torch.Tensor, context: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x, I, c), each ``(B, latent)``."""
        mu, logvar = self.encoder(torch.cat([x, flag.unsqueeze(-1), context], dim=-1)).chunk(2, dim=-1)
        return mu, logvar.clamp(-10.0, 6.0)

    def decode(self, z: torch.Tensor, flag: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Raw decoder outputs ``(B, d + n_numeric)``: block logits, and two Beta parameters per numeric."""
        return self.decoder(torch.cat([z, flag.unsqueeze(-1), context], dim=-1))

    def log_likelihood(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """log p(x | z, I, c) ``(B,)``: per-block cross-entropy plus numeric Beta log-densities."""
        total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for a, b in self.layout.categorical:
            total = total + (x[:, a:b] * torch.log_softmax(out[:, a:b], dim=-1)).sum(dim=-1)
        return total + self._numeric_log_likelihood(out, x)

    def elbo(self, x: torch.Tensor, flag: torch.Tensor, context: torch.Tensor,
             generator: torch.Generator | None = None, sample: bool = True) -> torch.Tensor:
        """ELBO(x | I, c) ``(B,)`` with one reparameterised sample z = mu + sigma * eps (z = mu if not sample)."""
        mu, logvar = self.encode(x, flag, context)
        if sample:
            eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
            z = mu + torch.exp(0.5 * logvar) * eps
        else:
            z = mu
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=-1)
        return self.log_likelihood(self.decode(z, flag, context), x) - kl

    def elbo_at_mean(self, x: torch.Tensor, flags: tuple[float, ...], context: torch.Tensor) -> list[torch.Tensor]:
        """ELBO(x | I, c) at z = mean of q, ``(M,)`` per flag in ``flags``, for many ``x (M, d)`` under
        one ``context (1, c)``: equal to ``elbo(..., sample=False)``, but the first layers' x and
        context terms are computed once and shared (suggestion time is dominated by this call)."""
        enc0, dec0 = self.encoder[0], self.decoder[0]
        d, L = self.layout.dim, self.latent
        hx = x @ enc0.weight[:, :d].T  # (M, hidden), shared by every flag
        enc_c = context @ enc0.weight[:, d + 1:].T + enc0.bias  # (1, hidden)
        dec_c = context @ dec0.weight[:, L + 1:].T + dec0.bias
        out = []
        for flag in flags:
            h = hx + enc_c + flag * enc0.weight[:, d]
            mu, logvar = self.encoder[1:](h).chunk(2, dim=-1)
            logvar = logvar.clamp(-10.0, 6.0)
            g = mu @ dec0.weight[:, :L].T + dec_c + flag * dec0.weight[:, L]
            kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=-1)
            out.append(self._log_likelihood_grouped(self.decoder[1:](g), x) - kl)
        return out

    def _log_likelihood_grouped(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """:meth:`log_likelihood` for scoring many candidates: blocks of one width in one call, and
        x . log_softmax(o) as x . o - logsumexp(o) * sum(x) (the same value, a third of the time
        on NB201's 15,625 cells; training keeps the plain form, so checkpoints retrain bit-identically)."""
        total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for index, span in zip(self._groups, self._spans):
            if span is None:
                o, xs = out[:, index], x[:, index]  # (B, k, width)
            else:
                start, k, width = span
                o = out[:, start:start + k * width].unflatten(1, (k, width))
                xs = x[:, start:start + k * width].unflatten(1, (k, width))
            total = total + (xs * o).sum(dim=(1, 2)) - (torch.logsumexp(o, dim=-1) * xs.sum(dim=-1)).sum(dim=-1)
        return total + self._numeric_log_likelihood(out, x)

    def sample(self, flag: torch.Tensor, context: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draws x ~ p(x | z, I, c), z ~ N(0, 1): ``(B, d)`` vectors, one-hot blocks exactly one-hot."""
        z = torch.randn((context.shape[0], self.latent), generator=generator, dtype=context.dtype)
        out = self.decode(z, flag, context)
        x = torch.zeros(context.shape[0], self.layout.dim, dtype=context.dtype)
        for a, b in self.layout.categorical:
            choice = torch.multinomial(torch.softmax(out[:, a:b], dim=-1), 1, generator=generator).squeeze(-1)
            x[torch.arange(x.shape[0]), a + choice] = 1.0
        if self.n_numeric:
            alpha, beta = self._beta_params(out)
            # Beta draws via two Gamma draws would need the global RNG; invert with the mean +- noise instead
            mean = alpha / (alpha + beta)
            std = torch.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)))
            noise = torch.randn(mean.shape, generator=generator, dtype=mean.dtype)
            x[:, self.numeric_index] = (mean + std * noise).clamp(0.0, 1.0)
        return x

    def _numeric_log_likelihood(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor | float:
        """Sum of the numeric entries' Beta log-densities ``(B,)`` (0 without numeric entries)."""
        if not self.n_numeric:
            return 0.0
        alpha, beta = self._beta_params(out)
        value = x[:, self.numeric_index].clamp(_EPS, 1 - _EPS)
        return Beta(alpha, beta).log_prob(value).sum(dim=-1)

    def _beta_params(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Beta (alpha, beta) per numeric entry, each ``(B, n_numeric)``: alpha from the entry's own
        output slot, beta from the extra slots after the first ``dim``."""
        alpha = nn.functional.softplus(out[:, self.numeric_index]) + 0.05
        beta = nn.functional.softplus(out[:, self.layout.dim:]) + 0.05
        return alpha, beta
