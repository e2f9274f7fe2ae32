"""The experiment manifest: what an experiment directory holds, so a re-run resumes the same thing.

``DIR/experiment.json`` records the experiment definition (benchmark, datasets, optimizers, seeds,
budget, optimizer settings). Running the same definition again resumes; a different definition in
the same directory is refused with the differences listed, unless ``force`` is given, in which case
the old experiment (manifest, runs, report, DeepCAVE export) is moved to ``DIR/replaced-<n>/``:
nothing is overwritten or deleted silently.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from genhpo.runner.store import MANIFEST, RunKey, read_json, write_json_atomic

log = logging.getLogger(__name__)

FORMAT = 1
#: What an experiment directory may hold besides the manifest; moved aside together by --force.
OWNED = ("runs", "report", "deepcave")


@dataclass(frozen=True)
class Experiment:
    """An experiment definition: every optimizer on every dataset of one benchmark, seeds 0..seeds-1.

    settings: optimizer name -> keyword settings passed to its factory (e.g. {"re": {"population_size": 50}}).
    """

    benchmark: str
    datasets: tuple[str, ...]
    optimizers: tuple[str, ...]
    seeds: int
    trials: int
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    noisy: bool = False
    #: keyword options of the benchmark (e.g. HPO-B's ``root`` and ``mode``), JSON values
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("seeds", "trials"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("datasets", "optimizers"):
            values = getattr(self, name)
            if not values:
                raise ValueError(f"{name} must not be empty")
            if len(set(values)) != len(values):
                raise ValueError(f"{name} lists a name twice: {', '.join(values)}")
        unknown = set(self.settings) - set(self.optimizers)
        if unknown:
            raise ValueError(
                f"settings given for optimizers not in the experiment: {', '.join(sorted(unknown))}; "
                f"optimizers: {', '.join(self.optimizers)}"
            )

    def run_keys(self) -> list[RunKey]:
        """Every run of the experiment, seeds innermost."""
        return [
            RunKey(self.benchmark, dataset, optimizer, seed)
            for dataset in self.datasets
            for optimizer in self.optimizers
            for seed in range(self.seeds)
        ]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["datasets"] = list(self.datasets)
        data["optimizers"] = list(self.optimizers)
        if not self.options:  # experiment.json of a benchmark without options reads as before options existed
            del data["options"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        fields = dict(data)
        fields["datasets"] = tuple(fields["datasets"])
        fields["optimizers"] = tuple(fields["optimizers"])
        return cls(**fields)


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable list of the fields that differ between two experiment dicts."""
    out = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            out.append(f"{name}: {old.get(name)!r} -> {new.get(name)!r}")
    return out


def open_experiment(root: Path, experiment: Experiment, *, force: bool = False) -> bool:
    """Create or reopen the experiment directory ``root``; True if an existing experiment is resumed.

    ValueError if ``root`` holds a different experiment (or files that are not an experiment's)
    and ``force`` is not given.
    """
    root = Path(root)
    path = root / MANIFEST
    wanted = experiment.to_dict()
    if path.exists():
        stored = read_json(path)
        old = stored.get("experiment", {})
        if old == wanted:
            log.info("resuming the experiment in %s", root)
            return True
        if not force:
            raise ValueError(
                f"{root} holds a different experiment ({'; '.join(differences(old, wanted))}); "
                "use another --out directory, or --force to move the old one aside into "
                f"{root}/replaced-<n>/"
            )
        _set_aside(root)
    elif root.exists() and any((root / name).exists() for name in OWNED):
        if not force:
            raise ValueError(f"{root} has results but no {MANIFEST}; use another --out directory or --force")
        _set_aside(root)
    write_json_atomic(path, {"format": FORMAT, "created": time.time(), "experiment": wanted})
    return False


LOCK = "compare.lock"
#: Who holds the lock (host, pid), for the message a second compare gets.
LOCK_OWNER = "compare.lock.owner.json"


@contextmanager
def experiment_lock(root: Path) -> Iterator[None]:
    """Hold ``root/compare.lock`` while runs execute, so two compares never write the same runs.

    An operating-system file lock (``filelock``): taking it is atomic, and the kernel releases it when
    its process ends, however it ends, so a killed compare leaves no stale lock behind. A second
    compare on the same directory gets ValueError naming the holder.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(root / LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        try:
            owner = json.loads((root / LOCK_OWNER).read_text())
        except (OSError, ValueError):
            owner = {}
        raise ValueError(f"another `genhpo compare` (pid {owner.get('pid', '?')} on {owner.get('host', '?')}) is "
                         f"running on {root}; wait for it to finish") from None
    try:
        write_json_atomic(root / LOCK_OWNER, {"host": socket.gethostname(), "pid": os.getpid()})
        yield
    finally:
        (root / LOCK_OWNER).unlink(missing_ok=True)
        lock.release()


def _set_aside(root: Path) -> Path:
    n = 0
    while (target := root / f"replaced-{n}").exists():
        n += 1
    target.mkdir()
    for name in (MANIFEST, *OWNED):
        if (root / name).exists():
            os.replace(root / name, target / name)
    log.warning("moved the previous experiment in %s to %s", root, target)
    return target


def load_experiment(root: Path) -> Experiment:
    """The experiment stored in ``root`` (ValueError if there is none)."""
    path = Path(root) / MANIFEST
    if not path.exists():
        raise ValueError(f"{root} is not an experiment directory (no {MANIFEST}); run `genhpo compare --out {root}` first")
    try:
        return Experiment.from_dict(read_json(path)["experiment"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a genhpo experiment manifest ({exc})") from exc
