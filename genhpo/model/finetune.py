"""Online fine-tuning: a few gradient steps on the current history before each suggestion.

The history itself is a task: sub-histories of the observed rows are contexts, the remaining
observed rows are targets with their improvement flags, exactly as in meta-training. The model
is a private copy (the pretrained one is never modified), updated warm from call to call, with
its own seeded generators: the same seed and history give the same model.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from genhpo.model.network import GenerativeModel
from genhpo.model.tasks import HistorySampler, Task


class OnlineFinetuner:
    """``update(X (n, d), y (n,))`` runs ``steps`` Adam steps on examples drawn from the history."""

    def __init__(self, model: GenerativeModel, steps: int = 5, lr: float = 1e-3, batch_size: int = 32,
                 min_history: int = 8, seed: int = 0):
        if not isinstance(steps, int) or steps < 0:
            raise ValueError(f"finetune steps must be an int >= 0, got {steps!r}")
        if not (lr > 0 and np.isfinite(lr)):
            raise ValueError(f"finetune lr must be a finite number > 0, got {lr!r}")
        self.model = copy.deepcopy(model)
        self.steps, self.batch_size, self.min_history = steps, batch_size, min_history
        self._optimiser = torch.optim.Adam(self.model.parameters(), lr=lr)
        self._rng = np.random.default_rng(seed)
        self._gen = torch.Generator().manual_seed(seed)

    def update(self, X: np.ndarray, y: np.ndarray) -> GenerativeModel:
        """Fine-tune on the history (no-op below ``min_history`` rows); returns the model (eval mode)."""
        n = len(y)
        if self.steps and n >= self.min_history and np.ptp(y) > 0:
            task = Task("history", X.astype(np.float32), y.astype(float) + 1e-12 * np.arange(n))
            sampler = HistorySampler(max_len=n - 1, p_empty=0.02, world=0)
            self.model.train()
            for _ in range(self.steps):
                loss = self.model.loss(sampler.batch([task], self.batch_size, self._rng), generator=self._gen)
                self._optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
                self._optimiser.step()
        return self.model.eval()
