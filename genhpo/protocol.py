"""The one optimizer protocol (ask/tell) and the records every run writes.

Scores are maximised everywhere inside genhpo (the HPO-B convention); adapters of libraries that
minimise (SMAC, DEHB) convert at their own boundary.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

Status = Literal["ok", "failed"]


def _plain(value: Any) -> Any:
    """A numpy scalar as the plain Python number it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def _finite(name: str, value: float) -> None:
    if not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class Result:
    """What a benchmark returns for one evaluation.

    score: higher is better; finite when status is "ok", NaN when the evaluation failed.
    cost: seconds the evaluation took (or, on a tabular benchmark, the recorded training time).
    metrics: extra named numbers (latency, model size, ...).
    """

    score: float
    cost: float = 0.0
    metrics: Mapping[str, float] = field(default_factory=dict)
    status: Status = "ok"
    error: str | None = None

    def __post_init__(self) -> None:
        if self.status not in ("ok", "failed"):
            raise ValueError(f"status must be 'ok' or 'failed', got {self.status!r}")
        if self.status == "ok":
            _finite("score", self.score)
        _finite("cost", self.cost)
        if self.cost < 0:
            raise ValueError(f"cost must be >= 0, got {self.cost}")

    @classmethod
    def failure(cls, error: str, cost: float = 0.0) -> Result:
        """A failed evaluation: no score, the reason kept."""
        return cls(score=float("nan"), cost=cost, status="failed", error=error)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


Direction = Literal["max", "min"]


def _named_value(record: Any, name: str) -> float:
    """``record.metrics[name]``, or ``record.score`` for the name "score" (a Result or a Trial)."""
    if name in record.metrics:
        return float(record.metrics[name])
    if name == "score":
        return float(record.score)
    raise ValueError(f"the result has no metric {name!r}; it has: score, {', '.join(record.metrics) or '(no metrics)'}")


@dataclass(frozen=True)
class Objective:
    """One objective of a benchmark with several: a metric of its results and its direction.

    name: ``"score"`` (:attr:`Result.score`) or a key of :attr:`Result.metrics` (e.g. ``"latency"``).
    direction: ``"max"`` or ``"min"``. :meth:`maximised` turns a minimised value into a maximised one
        (its negative), so genhpo's "higher is better" holds for every objective inside genhpo.
    unit: shown in reports (e.g. ``"%"``, ``"ms"``, ``"MB"``).
    """

    name: str
    direction: Direction = "max"
    unit: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"an objective's name must be a non-empty string, got {self.name!r}")
        if self.direction not in ("max", "min"):
            raise ValueError(f"objective {self.name!r}: direction must be 'max' or 'min', got {self.direction!r}")

    def value(self, record: Any) -> float:
        """The objective's raw value in a :class:`Result` or :class:`Trial` (ValueError if absent)."""
        return _named_value(record, self.name)

    def maximised(self, record: Any) -> float:
        """The value with its sign set so that higher is better."""
        value = self.value(record)
        return value if self.direction == "max" else -value


@dataclass(frozen=True)
class Constraint:
    """An outcome constraint ``metric <= upper`` (e.g. latency <= 0.01 s); a result satisfying every
    constraint of its benchmark is *feasible*. ``violation`` is ``value - upper`` (<= 0: satisfied),
    the convention of Optuna's ``constraints_func``. ``unit``: shown in reports (e.g. ``"s"``)."""

    name: str
    upper: float
    unit: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a constraint's metric name must be a non-empty string, got {self.name!r}")
        _finite(f"constraint {self.name!r}: upper", self.upper)

    def violation(self, record: Any) -> float:
        """``value - upper`` for a :class:`Result` or :class:`Trial` (ValueError if the metric is absent)."""
        return _named_value(record, self.name) - float(self.upper)


def objective_settings(objectives: tuple[Objective, ...], constraints: tuple[Constraint, ...] = ()) -> dict[str, list[str]]:
    """How an optimizer's settings record what it optimises: ``["latency (min)", ...]`` and ``["latency <= 0.01"]``."""
    return {"objectives": [f"{o.name} ({o.direction})" for o in objectives],
            "constraints": [f"{c.name} <= {c.upper!r}" for c in constraints]}


def feasible(record: Any, constraints: tuple[Constraint, ...] | list[Constraint]) -> bool:
    """True when ``record`` (a Result or Trial) succeeded and satisfies every constraint."""
    return record.status == "ok" and all(c.violation(record) <= 0 for c in constraints)


@dataclass(frozen=True)
class Trial:
    """One evaluation as the loop records it: one line of a run's ``trials.jsonl``.

    overhead: seconds spent in the optimizer (ask + tell) for this trial, apart from evaluation.
    started_at / finished_at: wall-clock (Unix seconds) around the evaluation itself.
    fidelity: the fidelity the optimizer asked for, None for a full evaluation.
    """

    index: int
    config: Mapping[str, Any]
    score: float
    cost: float
    overhead: float
    started_at: float
    finished_at: float
    status: Status = "ok"
    error: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    fidelity: float | None = None

    def __post_init__(self) -> None:
        if self.index < 0:
            raise ValueError(f"index must be >= 0, got {self.index}")
        if self.status not in ("ok", "failed"):
            raise ValueError(f"status must be 'ok' or 'failed', got {self.status!r}")
        if self.status == "ok":
            _finite("score", self.score)
        for name in ("cost", "overhead"):
            value = getattr(self, name)
            _finite(name, value)
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        if self.finished_at < self.started_at:
            raise ValueError("finished_at must not precede started_at")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: plain Python numbers (no numpy scalars), NaN scores as None."""
        data = {key: _plain(value) for key, value in asdict(self).items()}
        data["config"] = {name: _plain(value) for name, value in self.config.items()}
        data["metrics"] = {name: _plain(value) for name, value in self.metrics.items()}
        if not math.isfinite(self.score):
            data["score"] = None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trial:
        """Inverse of :meth:`to_dict`; raises ValueError on a malformed record."""
        try:
            fields = dict(data)
            if fields.get("score") is None:
                fields["score"] = float("nan")
            return cls(**fields)
        except TypeError as exc:
            raise ValueError(f"malformed trial record: {exc}") from exc


class Optimizer(ABC):
    """The ask/tell protocol every optimizer of the project implements.

    An optimizer owns its random generator, seeded at construction; the same seed on the same
    space gives the same sequence of suggestions for the same results.
    """

    name: ClassVar[str] = "optimizer"

    def __init__(self, config_space: ConfigurationSpace, seed: int) -> None:
        if not isinstance(config_space, ConfigurationSpace):
            raise TypeError(f"config_space must be a ConfigurationSpace, got {type(config_space).__name__}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.config_space = config_space
        self.seed = seed

    @abstractmethod
    def ask(self) -> Configuration:
        """The next configuration to evaluate."""

    def tell(self, config: Configuration | Mapping[str, Any], result: Result) -> None:
        """Report the result of evaluating ``config`` (a failed result included).

        Raises TypeError if ``result`` is not a :class:`Result`, and ValueError if ``config`` is not a
        valid configuration of this space (a partial dict, an unknown hyperparameter or value, an
        inactive one set, a forbidden combination); the optimizer's state is then unchanged."""
        self._tell(self.checked(config, result), result)

    @abstractmethod
    def _tell(self, config: Configuration, result: Result) -> None:
        """Learn from a checked configuration and result (see :meth:`tell`)."""

    def checked(self, config: Configuration | Mapping[str, Any], result: Result) -> Configuration:
        """``config`` as a Configuration of this space, after the checks :meth:`tell` promises."""
        if not isinstance(result, Result):
            raise TypeError(f"result must be a genhpo.protocol.Result (e.g. Result(score=0.5)), "
                            f"got {type(result).__name__}: {result!r}")
        valid = self.valid_config(config)
        return config if isinstance(config, Configuration) else valid

    def valid_config(self, config: Configuration | Mapping[str, Any]) -> Configuration:
        """``config`` as a Configuration of this space; ValueError if it is not one (partial, unknown
        value or name, inactive one set, forbidden combination)."""
        try:
            return Configuration(self.config_space, values=dict(config))
        except Exception as exc:  # noqa: BLE001  (ConfigSpace raises several types for a bad value, name or combination)
            raise ValueError(f"not a valid configuration of this optimizer's space: {exc}") from None

    def fidelity(self, config: Configuration) -> float | None:
        """The fidelity at which to evaluate ``config`` (just asked); None means full fidelity."""
        return None

    def settings(self) -> dict[str, Any]:
        """The settings that define this optimizer's behaviour, recorded in a run's meta.json."""
        return {"name": self.name, "seed": self.seed}


class Stopwatch:
    """Accumulates elapsed seconds over several timed blocks (``with watch: ...``)."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self._start = 0.0

    def __enter__(self) -> Stopwatch:  # noqa: PYI034 (typing.Self needs Python 3.11)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed += time.perf_counter() - self._start
