"""The training batch stream: the same batches, in the same order, with or without the helper process."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genhpo.metatrain.batches import BatchStream
from genhpo.metatrain.tasks import HistorySampler, Task


class ToySource:
    """Fresh small tasks (picklable, for the helper process)."""

    def __call__(self, rng: np.random.Generator) -> Task:
        X = np.eye(4, dtype=np.float32)[rng.integers(4, size=60)]
        return Task("toy", X, X @ rng.normal(size=4) + 0.01 * rng.normal(size=60))


class BrokenSource:
    def __call__(self, rng: np.random.Generator) -> Task:
        raise ValueError("simulated broken task source")


def _draw(prefetch: int, n: int = 4) -> list[dict[str, torch.Tensor]]:
    with BatchStream(ToySource(), HistorySampler(max_len=10), 3, 2, 16, prefetch=prefetch) as stream:
        return [stream.next() for _ in range(n)]


def test_helper_process_gives_the_in_process_batches_in_order():
    here, helper = _draw(0), _draw(2)
    for a, b in zip(here, helper):
        assert a.keys() == b.keys()
        for key in a:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)
    assert not torch.equal(here[0]["x"], here[1]["x"])  # a stream, not one batch repeated


def test_helper_failures_and_bad_settings_are_reported():
    with pytest.raises(RuntimeError, match="simulated broken task source"), \
            BatchStream(BrokenSource(), HistorySampler(), 0, 1, 4, prefetch=1) as stream:
        stream.next()
    with pytest.raises(ValueError, match="prefetch"):
        BatchStream(ToySource(), HistorySampler(), 0, 1, 4, prefetch=-1)
    with pytest.raises(RuntimeError, match="with"):
        BatchStream(ToySource(), HistorySampler(), 0, 1, 4, prefetch=1).next()
