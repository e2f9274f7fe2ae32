"""The generative model: history encoder + conditional VAE, trained jointly, and its learned acquisition.

Trained on (history C, target x, flag I = y(x) > max y(C)) triples to maximise ELBO(x | I, c(C)).
With targets drawn uniformly from the task (each flag drawn half the time), Bayes' rule gives
p(x | I=1, c) / p(x | I=0, c) proportional to the odds that x improves on C: the model's density
ratio ELBO(x | I=1, c) - ELBO(x | I=0, c) is a learned, context-conditioned TPE/BORE acquisition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import torch
from torch import nn

from genhpo.model.cvae import ConditionalVAE
from genhpo.model.history import HistoryEncoder
from genhpo.model.layout import Layout
from genhpo.model.records import SettingsRecord


@dataclass(frozen=True)
class ModelConfig(SettingsRecord):
    """Architecture hyperparameters (the seed design of the issue by default)."""

    what = "model settings"

    embed: int = 32
    heads: int = 4
    layers: int = 3
    ff: int = 64
    context: int = 32
    latent: int = 2
    hidden: int = 64

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"ModelConfig.{f.name} must be a positive int, got {value!r}")
        if self.embed % self.heads:
            raise ValueError(f"embed ({self.embed}) must be divisible by heads ({self.heads})")



class GenerativeModel(nn.Module):
    """History encoder and CVAE over one layout. Histories: X (B, n, d), y (B, n), mask (B, n)."""

    def __init__(self, layout: Layout, config: ModelConfig | None = None):
        super().__init__()
        self.layout = layout
        self.config = config or ModelConfig()
        c = self.config
        self.history = HistoryEncoder(layout.dim, c.embed, c.heads, c.layers, c.ff, c.context)
        self.cvae = ConditionalVAE(layout, c.context, c.latent, c.hidden)

    def loss(self, batch: Mapping[str, torch.Tensor], generator: torch.Generator | None = None) -> torch.Tensor:
        """Mean negative ELBO of a batch (keys X, y, mask, x, flag), one reparameterised z each."""
        context = self.history(batch["X"], batch["y"], batch["mask"])
        return -self.cvae.elbo(batch["x"], batch["flag"], context, generator=generator).mean()

    def context_of(self, X_obs: torch.Tensor, y_obs: torch.Tensor) -> torch.Tensor:
        """``(1, context)`` for one history ``X_obs (n, d)``, ``y_obs (n,)`` (n may be 0)."""
        mask = torch.ones(1, X_obs.shape[0], dtype=torch.bool)
        return self.history(X_obs.unsqueeze(0), y_obs.unsqueeze(0), mask)

    def density_ratio(self, candidates: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """ELBO(x | I=1, c) - ELBO(x | I=0, c) ``(M,)`` for ``candidates (M, d)`` under one ``context (1, c)``,
        each ELBO at z = mean of q (deterministic)."""
        one, zero = self.cvae.elbo_at_mean(candidates, (1.0, 0.0), context)
        return one - zero

    def sample(self, context: torch.Tensor, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``(n, d)`` draws from p(x | I=1, c)."""
        return self.cvae.sample(torch.ones(n), context.expand(n, -1), generator=generator)
