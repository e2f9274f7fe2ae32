"""One HPO-B task as a genhpo TabularBenchmark, so ask/tell optimizers run on it through genhpo.loop.run.

The score of a row is its y min-max normalised over the task, as HPO-B's ``evaluate`` does, so the
optimum is 1 and regret = 1 - incumbent is HPO-B's normalised regret (``normalize=False``: raw y).
An evaluated configuration snaps to the pool: offline spaces look their grid row up exactly; on a
unit-cube space (a real HPO-B download) the nearest row in Euclidean distance is scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from ConfigSpace import ConfigurationSpace

from genhpo.benchmarks.base import TabularBenchmark
from genhpo.benchmarks.hpob import files
from genhpo.benchmarks.hpob.codec import codec_for, nearest
from genhpo.benchmarks.hpob.offline_spaces import DECIMALS
from genhpo.protocol import Result
from genhpo.spaces.rows import key_of


class HPOBTaskBenchmark(TabularBenchmark):
    """Task ``search_space_id/dataset_id`` of the ``split`` file ("train", "validation", "test") in ``root``."""

    name = "hpob"

    def __init__(self, root: str | Path, search_space_id: str, dataset_id: str, split: str = "test",
                 *, normalize: bool = True) -> None:
        super().__init__()
        self.root = Path(root)
        self.split = split
        self.search_space_id = search_space_id
        self.dataset_id = dataset_id
        self.dataset = f"{search_space_id}/{dataset_id}"
        self.normalize = normalize
        self.score_unit = "y min-max normalised over the task" if normalize else "the task's raw y"
        filename = files.checked_key(files.SPLIT_FILES, split, "HPO-B split")
        self.X, y = files.task_arrays(files.load_json(self.root / filename), search_space_id, dataset_id,
                                      f"{filename} of {self.root}")
        y = y[:, 0]
        if normalize:
            span = float(y.max() - y.min())
            if span == 0.0:
                raise ValueError(f"task {self.dataset} has a constant y; it cannot be normalised")
            y = (y - y.min()) / span
        self.y = y
        self.codec = codec_for(search_space_id, self.X.shape[1])
        self._index = {key_of(r, DECIMALS): i for i, r in enumerate(self.X)} if hasattr(self.codec, "space") else None
        self._table: list[dict[str, Any]] | None = None
        self._related: list[TabularBenchmark] | None = None

    @property
    def config_space(self) -> ConfigurationSpace:
        return self.codec.config_space

    @property
    def optimum(self) -> float:
        return float(self.y.max())

    def row_of(self, config: Mapping[str, Any]) -> int:
        """The task row a configuration is scored by (exact grid row, else the nearest row)."""
        vector = self.codec.encode(config)
        if self._index is not None:
            found = self._index.get(key_of(vector, DECIMALS))
            if found is not None:
                return found
        return nearest(self.X, vector)

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        row = self.row_of(config)
        return Result(score=float(self.y[row]), metrics={"row": float(row)})

    def table(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        """Every row as a configuration of :attr:`config_space`, and its score."""
        if self._table is None:
            if hasattr(self.codec, "space"):
                self._table = self.codec.space.decode_rows(self.X)
            else:
                self._table = [dict(self.codec.decode(r)) for r in self.X]
        return [dict(c) for c in self._table], self.y.copy()

    def related(self) -> list[TabularBenchmark]:
        """The meta-train tasks of the same search space (none if the root has no meta-train file).

        Built once per instance, so their tables are decoded once however many runs read them.
        """
        if self._related is None:
            path = self.root / files.SPLIT_FILES["train"]
            tasks = files.load_json(path).get(self.search_space_id, {}) if path.is_file() else {}
            self._related = [
                HPOBTaskBenchmark(self.root, self.search_space_id, d, "train", normalize=self.normalize)
                for d in tasks
                if not (self.split == "train" and d == self.dataset_id)
            ]
        return list(self._related)

    @classmethod
    def tasks(cls, root: str | Path, split: str = "test") -> list[tuple[str, str]]:
        """(search_space_id, dataset_id) of every task of ``split`` in ``root``, file order."""
        meta = files.load_json(Path(root) / files.checked_key(files.SPLIT_FILES, split, "HPO-B split"))
        return [(s, d) for s, tasks in meta.items() for d in tasks]

    def __repr__(self) -> str:
        return f"HPOBTaskBenchmark({str(self.root)!r}, {self.search_space_id!r}, {self.dataset_id!r}, {self.split!r})"


class OfflineHPOBBenchmark(HPOBTaskBenchmark):
    """``make("hpob-offline", dataset)``: a task of the default offline split, built on first use."""

    def __init__(self, dataset: str) -> None:
        from genhpo.benchmarks.hpob import offline
        from genhpo.benchmarks.hpob.offline_spaces import space_of_dataset

        space = space_of_dataset(dataset)  # ValueError naming the accepted datasets
        split = next(s for s, per_space in offline.splits().items() if dataset in per_space.get(space.space_id, []))
        super().__init__(offline.build(), space.space_id, dataset, split)
        self.name = "hpob-offline"
        self.dataset = dataset

    @classmethod
    def available_datasets(cls) -> list[str]:
        from genhpo.benchmarks.hpob.offline_spaces import SPACES

        return [d for s in SPACES.values() for d in s.datasets]


class HPOBProtocolTask(HPOBTaskBenchmark):
    """``make("hpob", "SPACE:DATASET", root=DIR, mode="pool")``: a meta-test task of any HPO-B root (the
    official download, or an offline one) for runs under the official protocol.

    The runner does not ask/tell such a task itself: each run is one call of
    :meth:`genhpo.benchmarks.hpob.handler.HPOBHandler.evaluate` (``mode="pool"``) or
    ``evaluate_continuous`` (``mode="continuous"``: the task's XGBoost surrogate) from seed k's five
    rows of ``bo-initializations.json`` (``"test<k>"``, k < 5), recorded as 5 + n trials
    (:mod:`genhpo.runner.hpob_protocol`). ValueError names a bad name, mode, root or task.
    """

    name = "hpob"
    #: how the runner drives it (see the class doc)
    protocol = "hpob"
    MODES = ("pool", "continuous")

    def __init__(self, dataset: str, root: str | Path | None = None, mode: str = "pool") -> None:
        space_id, dataset_id = self.check_dataset(dataset, root, mode)
        super().__init__(root, space_id, dataset_id, "test")
        self.dataset = dataset
        self.mode = mode

    @classmethod
    def check_dataset(cls, dataset: str, root: str | Path | None = None, mode: str = "pool") -> tuple[str, str]:
        """(search space id, dataset id) of ``"SPACE:DATASET"``, checked against ``root``'s meta-test split."""
        if root is None:
            raise ValueError("benchmark hpob needs its root: the HPO-B folder (genhpo compare --root DIR)")
        if mode not in cls.MODES:
            raise ValueError(f"HPO-B mode must be one of {', '.join(cls.MODES)}, got {mode!r}")
        if not isinstance(dataset, str) or dataset.count(":") != 1 or not all(dataset.split(":")):
            raise ValueError(f"an HPO-B task is named 'SPACE:DATASET' (e.g. '5971:3492'), got {dataset!r}")
        space_id, dataset_id = dataset.split(":")
        known = cls.tasks(root)
        if (space_id, dataset_id) not in known:
            spaces = sorted({s for s, _ in known})
            raise ValueError(f"{dataset!r} is not a meta-test task of {root}; its spaces: {', '.join(spaces)}")
        return space_id, dataset_id

    @classmethod
    def names(cls, root: str | Path, spaces: str | list[str] = "all") -> list[str]:
        """The ``SPACE:DATASET`` names of ``root``'s meta-test tasks of ``spaces`` (a list, or "all")."""
        known = cls.tasks(root)
        if spaces == "all":
            return [f"{s}:{d}" for s, d in known]
        available = sorted({s for s, _ in known})
        unknown = [s for s in spaces if s not in available]
        if unknown:
            raise ValueError(f"--search-space: {', '.join(unknown)} not in {root}'s meta-test split; "
                             f"accepted: {', '.join(available)} or all")
        return [f"{s}:{d}" for s, d in known if s in spaces]

    def __repr__(self) -> str:
        return f"HPOBProtocolTask({self.dataset!r}, root={str(self.root)!r}, mode={self.mode!r})"
