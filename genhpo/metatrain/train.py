"""Meta-training: draw tasks and histories, minimise the negative ELBO, stop early on held-out tasks.

Deterministic for a given seed (single-threaded torch, seeded numpy and torch generators, model
initialised under a forked and seeded RNG), so re-running with a model card's settings reproduces
its validation metrics.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import torch
from tqdm.auto import tqdm

from genhpo.metatrain.batches import BatchStream
from genhpo.metatrain.metrics import acquisition_metrics, validation_loss
from genhpo.metatrain.tasks import HistorySampler, Task, TaskSource
from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel, ModelConfig
from genhpo.model.records import SettingsRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig(SettingsRecord):
    """Training hyperparameters; ``steps`` is a maximum (early stopping may end sooner)."""

    what = "training settings"

    steps: int = 1000
    batch_size: int = 128
    tasks_per_batch: int = 8
    lr: float = 2e-3
    weight_decay: float = 1e-4
    max_len: int = 100
    eval_every: int = 100
    patience: int = 5
    val_batches: int = 8
    val_histories: int = 32
    seed: int = 0
    threads: int = 1
    prefetch: int = 0  # batches a helper process draws ahead (0: none); results are identical either way

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("lr", "weight_decay"):
                if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0 or (f.name == "lr" and value == 0):
                    raise ValueError(f"TrainConfig.{f.name} must be a finite number > 0 (>= 0 for weight_decay), got {value!r}")
            elif not isinstance(value, int) or isinstance(value, bool) or value < (0 if f.name in ("seed", "val_histories", "prefetch") else 1):
                raise ValueError(f"TrainConfig.{f.name} must be a positive int, got {value!r}")



@dataclass
class TrainResult:
    model: GenerativeModel
    metrics: dict[str, float]
    history: list[dict[str, float]]
    seconds: float
    steps: int


def init_model(layout: Layout, config: ModelConfig, seed: int) -> GenerativeModel:
    """A fresh model whose initial weights depend on ``seed`` only (global RNG untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return GenerativeModel(layout, config)


def train(layout: Layout, source: TaskSource, val_tasks: Sequence[Task], model_config: ModelConfig | None = None,
          config: TrainConfig | None = None, progress: bool = True) -> TrainResult:
    """Meta-train a model on tasks drawn from ``source``; early stopping on ``val_tasks``' loss."""
    config = config or TrainConfig()
    model_config = model_config or ModelConfig()
    if not val_tasks:
        raise ValueError("train needs at least one validation task for early stopping")
    threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _train(layout, source, list(val_tasks), model_config, config, progress)
    finally:
        torch.set_num_threads(threads)


def _step(model: GenerativeModel, batch: dict[str, torch.Tensor], generator: torch.Generator,
          optimiser: torch.optim.Optimizer, schedule: torch.optim.lr_scheduler.LRScheduler, running: list[float],
          step: int, config: TrainConfig) -> bool:
    """One optimisation step on ``batch`` (its loss appended to ``running``); True when it is time to validate."""
    model.train()
    loss = model.loss(batch, generator=generator)
    optimiser.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimiser.step()
    schedule.step()
    running.append(float(loss.detach()))
    return step % config.eval_every == 0 or step == config.steps


def _train(layout, source, val_tasks, model_config, config, progress) -> TrainResult:
    start = time.perf_counter()
    model = init_model(layout, model_config, config.seed)
    sampler = HistorySampler(max_len=config.max_len)
    generator = torch.Generator().manual_seed(config.seed)
    val_rng = np.random.default_rng(config.seed + 10_000)
    val_batches = [sampler.batch(val_tasks, config.batch_size, val_rng) for _ in range(config.val_batches)]
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    if config.steps >= 4:
        # 5% warm-up, but at least two steps: OneCycleLR divides by (warm-up steps - 1), zero at 20 steps
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, total_steps=config.steps,
                                                       pct_start=max(0.05, 2.0 / config.steps))
    else:  # too short for a one-cycle schedule (a smoke test): a constant rate
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1.0)
    best_loss, best_state, best_step, stale, log = float("inf"), None, 0, 0, []
    running = []
    bar = tqdm(range(1, config.steps + 1), desc="train", disable=not progress, mininterval=1.0)
    step = 0
    with BatchStream(source, sampler, config.seed, config.tasks_per_batch, config.batch_size, config.prefetch) as stream:
        for step in bar:
            if _step(model, stream.next(), generator, optimiser, schedule, running, step, config):
                val = validation_loss(model, val_batches, config.seed)
                log.append({"step": step, "train_loss": float(np.mean(running)), "val_loss": val})
                running = []
                bar.set_postfix(train=f"{log[-1]['train_loss']:.3f}", val=f"{val:.3f}")
                if val < best_loss - 1e-4:
                    best_loss, best_state, best_step, stale = val, copy.deepcopy(model.state_dict()), step, 0
                else:
                    stale += 1
                    if stale >= config.patience:
                        logger.info("early stop at step %d (best %d, val %.4f)", step, best_step, best_loss)
                        break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    metrics = {"val_loss": best_loss, "best_step": float(best_step)}
    if config.val_histories:
        metrics.update(acquisition_metrics(model, val_tasks, config.val_histories, config.seed + 20_000,
                                           HistorySampler(max_len=config.max_len, p_empty=0.0)))
    return TrainResult(model, metrics, log, time.perf_counter() - start, step)
