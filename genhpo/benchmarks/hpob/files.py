"""The HPO-B files on disk: names, loading (once per file), and the task arrays inside them.

The official download (``hpob-data.zip``) unpacks to a folder holding ``meta-train-dataset.json``,
``meta-train-dataset-augmented.json``, ``meta-validation-dataset.json``, ``meta-test-dataset.json``
and ``bo-initializations.json``; the surrogates (``saved-surrogates.zip``) to a folder holding
``summary-stats.json`` and one XGBoost model ``surrogate-<space>-<dataset>.json`` per task.
Each meta-dataset file maps ``{search_space_id: {dataset_id: {"X": [[...], ...], "y": [[...], ...]}}}``.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

DATA_URL = "https://rewind.tf.uni-freiburg.de/index.php/s/xdrJQPCTNi2zbfL/download/hpob-data.zip"
SURROGATES_URL = "https://rewind.tf.uni-freiburg.de/index.php/s/rTwPgaxS2Z7NH39/download/saved-surrogates.zip"

#: split name -> file name inside the data root.
SPLIT_FILES: dict[str, str] = {
    "train": "meta-train-dataset.json",
    "train-augmented": "meta-train-dataset-augmented.json",
    "validation": "meta-validation-dataset.json",
    "test": "meta-test-dataset.json",
}
INIT_FILE = "bo-initializations.json"
STATS_FILE = "summary-stats.json"
SURROGATES_DIR = "saved-surrogates"
SEEDS: tuple[str, ...] = ("test0", "test1", "test2", "test3", "test4")
N_INITIAL = 5

_cache: dict[tuple[str, int, int], Any] = {}
_lock = threading.Lock()


def surrogate_name(search_space_id: str, dataset_id: str) -> str:
    """The official name of a task's surrogate (its file is ``<name>.json``, its key in summary-stats)."""
    return f"surrogate-{search_space_id}-{dataset_id}"


def load_json(path: Path, what: str = "data") -> Any:
    """Parse ``path`` once; later calls return the same object until the file changes on disk.

    what: "data" or "surrogates", to say in the error which download the missing file belongs to.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(missing_message(path, what))
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _cache:
            logger.info("loading %s (%.1f MB)", path, stat.st_size / 1e6)
            with path.open("rb") as fh:
                _cache[key] = json.load(fh)
        return _cache[key]


def clear_cache() -> None:
    """Forget every parsed file (frees memory; the next access parses again)."""
    with _lock:
        _cache.clear()


def missing_message(path: Path, what: str) -> str:
    """Say what to download and where to put it."""
    if what == "surrogates":
        return (
            f"HPO-B surrogate file {path} not found. Download {SURROGATES_URL}, unzip it and pass its "
            f"folder as surrogates_dir (default: <root>/{SURROGATES_DIR}), or build the offline surrogates "
            "with `genhpo data hpob-offline --surrogates`."
        )
    return (
        f"HPO-B file {path} not found. Download {DATA_URL} and unzip it so that {path.name} lies directly "
        f"in {path.parent}, or build the offline HPO-B-format data with `genhpo data hpob-offline`."
    )


def task_arrays(meta: dict, search_space_id: str, dataset_id: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (n, d) and ``y`` (n, 1) of one task of a loaded meta-dataset, checked.

    where: a label of the meta-dataset for error messages (e.g. "meta-test (mode v3-test)").
    """
    space = checked_key(meta, search_space_id, f"search space in {where}")
    task = checked_key(space, dataset_id, f"dataset of search space {search_space_id!r} in {where}")
    try:
        X = np.asarray(task["X"], dtype=float)
        y = np.asarray(task["y"], dtype=float).reshape(-1, 1)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"task {search_space_id}/{dataset_id} in {where} is malformed: {exc}") from exc
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"task {search_space_id}/{dataset_id} in {where}: X must be (n, d) and y (n, 1) with n > 0, "
            f"got X {X.shape} and y {y.shape}"
        )
    return X, y


def checked_key(mapping: dict, key: str, what: str) -> Any:
    """``mapping[key]``, or a ValueError listing the accepted keys."""
    if not isinstance(key, str) or key not in mapping:
        accepted = ", ".join(sorted(map(str, mapping))) or "(none)"
        raise ValueError(f"unknown {what}: {key!r}; accepted: {accepted}")
    return mapping[key]
