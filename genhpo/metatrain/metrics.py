"""Validation figures of a model on held-out tasks: loss, and how good its top-ranked suggestion is.

For each of ``n`` fixed histories of a task the model ranks every row not in the history by its
density ratio; we record whether its top pick improves on the history (vs. the chance that a
uniformly random pick does) and the pick's score quantile within the task (1.0 = the task's best).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from genhpo.metatrain.tasks import HistorySampler, Task
from genhpo.model.network import GenerativeModel


@torch.no_grad()
def validation_loss(model: GenerativeModel, batches: Sequence[dict[str, torch.Tensor]], seed: int) -> float:
    """Mean negative ELBO over fixed ``batches``, z drawn with a generator seeded by ``seed``."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    losses = [float(model.loss(b, generator=generator)) for b in batches]
    return float(np.mean(losses))


@torch.no_grad()
def acquisition_metrics(model: GenerativeModel, tasks: Sequence[Task], n: int, seed: int,
                        sampler: HistorySampler | None = None) -> dict[str, float]:
    """Top-pick improvement rate, chance rate and mean score quantile over ``n`` histories per task."""
    model.eval()
    sampler = sampler or HistorySampler(p_empty=0.0)
    rng = np.random.default_rng(seed)
    hits, chance, quantiles = [], [], []
    for task in tasks:
        order = np.argsort(np.argsort(task.y)) / max(len(task.y) - 1, 1)  # quantile of each row
        X_all = torch.from_numpy(task.X.astype(np.float32))
        for _ in range(n):
            C = sampler.history(task, rng)
            free = np.ones(len(task.y), dtype=bool)
            free[C] = False
            y_c = (task.y[C] - task.y.mean()) / max(task.y.std(), 1e-12)
            context = model.context_of(X_all[C], torch.tensor(y_c, dtype=torch.float32))
            score = model.density_ratio(X_all[free], context).numpy()
            pick = np.flatnonzero(free)[int(np.argmax(score))]
            best = task.y[C].max() if len(C) else -np.inf
            hits.append(float(task.y[pick] > best))
            chance.append(float(np.mean(task.y[free] > best)))
            quantiles.append(float(order[pick]))
    return {"top1_improvement_rate": float(np.mean(hits)), "random_improvement_rate": float(np.mean(chance)),
            "top1_score_quantile": float(np.mean(quantiles))}
