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


@contextmanager
def experiment_lock(root: Path) -> Iterator[None]:
    """Hold ``root/compare.lock`` while runs execute, so two compares never write the same runs.

    A lock left by a process that no longer exists on this host is taken over; any other is refused.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK
    me = {"host": socket.gethostname(), "pid": os.getpid()}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                owner = json.loads(path.read_text() or "{}")
            except (OSError, json.JSONDecodeError):
                owner = {}
            if owner.get("host") == me["host"] and not _alive(owner.get("pid")):
                log.warning("removing a stale %s left by pid %s", path, owner.get("pid"))
                path.unlink(missing_ok=True)
                continue
            raise ValueError(f"another `genhpo compare` (pid {owner.get('pid')} on {owner.get('host')}) is running on "
                             f"{root}; wait for it, or delete {path} if that process is gone") from None
        with os.fdopen(fd, "w") as fh:
            json.dump(me, fh)
        break
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
