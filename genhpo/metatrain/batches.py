"""Training batches: one seeded stream, drawn in this process or ahead of time by a helper process.

Drawing a batch (tasks from the source, then histories, targets and flags) is numpy work that
takes about 40 % of a training step on NB201's cold-start recipe. With ``prefetch`` > 0 a helper
process draws the batches while this process runs the model's forward and backward passes, so
training uses two cores. The helper owns the only generator of the stream, seeded exactly as the
in-process stream is, and hands the batches over in order: training is bit-identical either way.

The helper is forked where the platform can (Linux; as PyTorch's DataLoader does): it inherits the
task source without pickling it and without re-importing the caller's script. Elsewhere it is
spawned, and a script that trains with ``prefetch`` > 0 must guard its entry point with
``if __name__ == "__main__":``, as for any spawned process.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import traceback
from typing import Any

import numpy as np
import torch

from genhpo.metatrain.tasks import HistorySampler, TaskSource

#: Seconds to wait for the helper before checking that it is still alive.
_POLL = 5.0
#: How the helper is started (see the module docstring).
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def draw_batch(source: TaskSource, sampler: HistorySampler, rng: np.random.Generator, tasks_per_batch: int,
               batch_size: int) -> dict[str, torch.Tensor]:
    """One training batch: ``tasks_per_batch`` fresh tasks, ``batch_size`` examples spread over them."""
    tasks = [source(rng) for _ in range(tasks_per_batch)]
    return sampler.batch(tasks, batch_size, rng)


def _helper(out: Any, source: TaskSource, sampler: HistorySampler, seed: int, tasks_per_batch: int,
            batch_size: int) -> None:
    """The helper process: draw batches forever (the parent stops it); report a failure once."""
    try:
        rng = np.random.default_rng(seed)
        while True:
            batch = draw_batch(source, sampler, rng, tasks_per_batch, batch_size)
            out.put({k: v.numpy() for k, v in batch.items()})
    except Exception:  # noqa: BLE001 - any failure is reported to the parent, which raises it
        out.put({"error": traceback.format_exc()})


class BatchStream:
    """``next()`` gives the stream's batches in order. Use as a context manager (stops the helper).

    prefetch: batches the helper may draw ahead (0: no helper, draw in this process).
    """

    def __init__(self, source: TaskSource, sampler: HistorySampler, seed: int, tasks_per_batch: int,
                 batch_size: int, prefetch: int = 0) -> None:
        if not isinstance(prefetch, int) or isinstance(prefetch, bool) or prefetch < 0:
            raise ValueError(f"prefetch must be an int >= 0, got {prefetch!r}")
        self._args = (source, sampler, seed, tasks_per_batch, batch_size)
        self._rng = np.random.default_rng(seed)
        self.prefetch = prefetch
        self._queue: Any = None
        self._process: multiprocessing.process.BaseProcess | None = None

    def __enter__(self) -> BatchStream:  # noqa: PYI034 (typing.Self needs Python 3.11)
        if self.prefetch:
            context = multiprocessing.get_context(START_METHOD)
            self._queue = context.Queue(maxsize=self.prefetch)
            self._process = context.Process(target=_helper, args=(self._queue, *self._args), daemon=True)
            self._process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._queue.close()
            self._process = None

    def next(self) -> dict[str, torch.Tensor]:
        if self.prefetch == 0:
            source, sampler, _, tasks_per_batch, batch_size = self._args
            return draw_batch(source, sampler, self._rng, tasks_per_batch, batch_size)
        if self._process is None:
            raise RuntimeError("BatchStream with prefetch must be used inside a `with` block")
        while True:
            try:
                item = self._queue.get(timeout=_POLL)
                break
            except queue_module.Empty:
                if not self._process.is_alive():
                    raise RuntimeError(f"the batch helper process died (exit code {self._process.exitcode})") from None
        if "error" in item:
            raise RuntimeError(f"the batch helper process failed:\n{item['error']}")
        return {k: torch.from_numpy(v) for k, v in item.items()}
