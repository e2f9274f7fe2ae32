"""TransferTopK: the mean min-max-normalised ranking of related tables, then random without repeats."""

from __future__ import annotations

import numpy as np
import pytest
from ConfigSpace import ConfigurationSpace

from genhpo.baselines.space_support import config_key
from genhpo.baselines.transfer_topk import TransferTopK
from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.loop import run
from genhpo.protocol import Result
from tests.optimizer_suite import TinyTable


class Table(TinyTable):
    """TinyTable with given scores."""

    def __init__(self, scores, dataset="t") -> None:
        super().__init__(dataset)
        self._scores = np.asarray(scores, dtype=float)


def test_order_is_the_mean_of_min_max_normalised_scores() -> None:
    a = Table(np.arange(12) * 10.0)  # scale 0..110
    b = Table(np.r_[np.arange(11)[::-1] / 10.0, 2.0])  # scale 0..2: config 11 best, config 0 next
    optimizer = TransferTopK(a.config_space, 0, [a, b])
    na, nb = a._scores / 110.0, b._scores / 2.0
    expected = np.argsort(-(na + nb) / 2, kind="stable")
    configs, _ = a.table()
    asked = [config_key(optimizer.ask()) for _ in range(12)]
    assert asked == [config_key(configs[i]) for i in expected]
    assert optimizer.rank_scores[0] == pytest.approx(1.0)


def test_falls_back_to_unasked_random_configurations_then_raises_when_exhausted() -> None:
    main = TinyTable()
    partial = Table(np.arange(12.0))
    partial._configs = partial._configs[:5]
    partial._scores = partial._scores[:5]
    optimizer = TransferTopK(main.config_space, 0, [partial])
    asked = []
    for _ in range(12):
        config = optimizer.ask()
        optimizer.tell(config, Result(score=0.0))
        asked.append(config_key(config))
    assert asked[:5] == [config_key(c) for c in partial._configs[::-1]]
    assert len(set(asked)) == 12
    with pytest.raises(RuntimeError, match="exhausted"):
        optimizer.ask()


@pytest.mark.parametrize("dataset, position", [("cifar10", 27), ("cifar100", 5), ("ImageNet16-120", 18)])
def test_reaches_the_nb201_optimum_at_the_rank_the_related_tables_give(dataset: str, position: int) -> None:
    bench = NB201Benchmark(dataset)
    trials = run(TransferTopK(bench.config_space, 0, bench.related()), bench, position)
    scores = [t.score for t in trials]
    assert scores[-1] == bench.optimum and max(scores[:-1]) < bench.optimum


def test_bad_related_tasks_are_refused_at_construction() -> None:
    main = TinyTable()
    with pytest.raises(ValueError, match="at least one"):
        TransferTopK(main.config_space, 0, [])
    with pytest.raises(TypeError, match="TabularBenchmark"):
        TransferTopK(main.config_space, 0, [object()])
    with pytest.raises(ValueError, match="same space"):
        TransferTopK(ConfigurationSpace({"op": ["conv"]}), 0, [main])
    narrow = ConfigurationSpace({"op": ["conv", "pool"], "width": [16, 32], "layers": (1, 2)})
    with pytest.raises(ValueError, match="outside the target space"):
        TransferTopK(narrow, 0, [main])
