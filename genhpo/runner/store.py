"""The run store: one directory per run, written as the run happens, read by report and export.

Layout under an experiment directory ``DIR``::

    DIR/experiment.json                                   the experiment manifest (what was asked)
    DIR/runs/<benchmark>/<dataset>/benchmark.json         optimum, worst score, serialized config space
    DIR/runs/<benchmark>/<dataset>/<optimizer>/seed-<k>/
        trials.jsonl   one genhpo.protocol.Trial per line, appended, flushed and fsync'd per trial
        meta.json      optimizer settings, package versions, seed, status running/done/failed (+ error),
                       replaced atomically (temp file + os.replace)
        smac3/ ...     an optimizer's own output, if it writes any (cleared when a run (re)starts)

Resuming replays the recorded trials through ``genhpo.loop.run(history=...)``: on a tabular
benchmark that only saves seconds, but on a real benchmark a recorded trial can be hours of
training, and the loop checks that the rebuilt optimizer asks exactly the recorded configurations,
so a resumed trajectory is the trajectory an uninterrupted run would have produced. A file that
cannot be replayed faithfully (a corrupt line in the middle, a gap in the indices, a replay
mismatch) is moved aside (``trials.jsonl.stale-<n>``, never deleted) and the run restarts cleanly.
A truncated last line (a kill during a write) is dropped: that trial is simply evaluated again.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genhpo.protocol import Trial

log = logging.getLogger(__name__)

MANIFEST = "experiment.json"
TRIALS = "trials.jsonl"
META = "meta.json"
BENCHMARK_INFO = "benchmark.json"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` so that readers see the old or the new file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True, default=str, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object; ValueError naming the file if it is not one."""
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object, got {type(data).__name__}")  # noqa: TRY004  (bad file)
    return data


@dataclass(frozen=True)
class RunKey:
    """Identifies one run: an optimizer on a benchmark's dataset with one seed."""

    benchmark: str
    dataset: str
    optimizer: str
    seed: int

    @property
    def relpath(self) -> Path:
        return Path("runs", self.benchmark, self.dataset, self.optimizer, f"seed-{self.seed}")

    @property
    def label(self) -> str:
        return f"{self.benchmark}/{self.dataset}/{self.optimizer}/seed-{self.seed}"


@dataclass
class TrialLog:
    """What a trials.jsonl holds: the readable trials, and a message per line that was not."""

    trials: list[Trial] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    truncated_tail: bool = False  # the last line has no newline and does not parse (killed mid-write)
    good_bytes: int = 0  # file offset just after the last complete line


def read_trials(path: Path) -> TrialLog:
    """Parse a trials.jsonl; a corrupt line is reported as ``file:line: reason`` and skipped.

    The last line may lack its newline: kept if it parses (its newline is restored on resume),
    marked ``truncated_tail`` if it does not (a write cut short by a kill).
    """
    out = TrialLog()
    if not path.exists():
        return out
    raw = path.read_bytes()
    *complete, tail = raw.split(b"\n")  # tail is b"" when the file ends with a newline
    for number, line in enumerate(complete, start=1):
        out.good_bytes += len(line) + 1
        if not line.strip():
            out.problems.append(f"{path}:{number}: empty line")
            continue
        try:
            out.trials.append(Trial.from_dict(json.loads(line)))
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            out.problems.append(f"{path}:{number}: {exc}")
    if tail:
        try:
            out.trials.append(Trial.from_dict(json.loads(tail)))
            out.good_bytes += len(tail)
        except (ValueError, TypeError, UnicodeDecodeError):
            out.truncated_tail = True
    return out


class TrialWriter:
    """Appends trials to a run's trials.jsonl, each flushed and fsync'd before the next evaluation."""

    def __init__(self, path: Path) -> None:
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115  (closed by close() / the with block)

    def append(self, trial: Trial) -> None:
        line = json.dumps(trial.to_dict(), sort_keys=True, allow_nan=False, default=_plain)
        self._fh.write(line + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> TrialWriter:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RunDir:
    """One run's directory: its trials, its meta.json, and the rules for resuming it."""

    def __init__(self, root: Path, key: RunKey) -> None:
        self.key = key
        self.path = Path(root) / key.relpath
        self.trials_path = self.path / TRIALS
        self.meta_path = self.path / META

    def meta(self) -> dict[str, Any] | None:
        return read_json(self.meta_path) if self.meta_path.exists() else None

    def write_meta(self, meta: dict[str, Any]) -> None:
        write_json_atomic(self.meta_path, meta)

    def read_trials(self) -> TrialLog:
        return read_trials(self.trials_path)

    def is_done(self, n_trials: int) -> bool:
        """Finished earlier with this budget and its trials are all there (an unreadable meta.json: not
        done; the run is resumed from its trials and writes a new one)."""
        try:
            meta = self.meta()
        except ValueError as exc:
            log.warning("%s; the run is resumed from its trials", exc)
            return False
        if not meta or meta.get("status") != "done" or meta.get("n_trials") != n_trials:
            return False
        trials = self.read_trials()
        return not trials.problems and not trials.truncated_tail and meta.get("n_recorded") == len(trials.trials)

    def prepare(self) -> list[Trial]:
        """Make the directory ready to (re)start and return the trials to replay.

        Optimizer output folders are cleared (the replay rebuilds them); a truncated last line is cut
        off; a file that cannot be replayed faithfully is moved aside and an empty history returned.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        for child in self.path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
        found = self.read_trials()
        if found.truncated_tail:
            log.warning("%s: dropping a truncated last line (the run was killed mid-write)", self.trials_path)
        if found.good_bytes or found.truncated_tail:
            with open(self.trials_path, "r+b") as fh:
                fh.truncate(found.good_bytes)
                if found.good_bytes and not _ends_with_newline(fh):
                    fh.seek(0, os.SEEK_END)
                    fh.write(b"\n")
                fh.flush()
                os.fsync(fh.fileno())
        if found.problems:
            self.set_aside("corrupt lines: " + "; ".join(found.problems))
            return []
        indices = [t.index for t in found.trials]
        if indices != list(range(len(indices))):
            self.set_aside(f"trial indices are not 0..{len(indices) - 1} in order")
            return []
        return found.trials

    def set_aside(self, reason: str) -> Path | None:
        """Move trials.jsonl to the first free ``trials.jsonl.stale-<n>`` (kept, never deleted)."""
        if not self.trials_path.exists():
            return None
        n = 0
        while (target := self.path / f"{TRIALS}.stale-{n}").exists():
            n += 1
        os.replace(self.trials_path, target)
        log.warning("%s cannot be resumed faithfully (%s); kept as %s, the run restarts", self.trials_path, reason, target)
        return target

    def writer(self) -> TrialWriter:
        return TrialWriter(self.trials_path)


def _plain(value: Any) -> Any:
    """numpy scalars (a benchmark may put them in a config or its metrics) as plain Python numbers."""
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()
    raise TypeError(f"{type(value).__name__} in a trial record is not JSON serializable")


def _ends_with_newline(fh: Any) -> bool:
    fh.seek(-1, os.SEEK_END)
    return fh.read(1) == b"\n"


def iter_runs(root: Path) -> Iterator[RunDir]:
    """Every run directory under ``root/runs`` (those with a meta.json or a trials.jsonl), sorted."""
    base = Path(root) / "runs"
    if not base.is_dir():
        return
    for seed_dir in sorted(base.glob("*/*/*/seed-*")):
        if not (seed_dir / META).exists() and not (seed_dir / TRIALS).exists():
            continue
        benchmark, dataset, optimizer = seed_dir.parts[-4:-1]
        try:
            seed = int(seed_dir.name.removeprefix("seed-"))
        except ValueError:
            log.warning("skipping %s: not a seed-<k> directory", seed_dir)
            continue
        yield RunDir(Path(root), RunKey(benchmark, dataset, optimizer, seed))


def finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN: non-finite numbers are stored as null."""
    return None if value is None or not math.isfinite(value) else float(value)
