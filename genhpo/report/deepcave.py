"""``genhpo export-deepcave DIR``: every run of every optimizer in DeepCAVE's DataFrame run format.

DeepCAVE 1.4.1's own ``DataFrameRun`` converter (deepcave/runs/converters/dataframe.py) reads a
directory holding ``trials.csv`` and ``configspace.csv``. We write one such directory per run::

    DIR/deepcave/<benchmark>-<dataset>/<optimizer>-seed-<k>/{trials.csv, configspace.csv}

All runs of a benchmark/dataset share the objective column ``metric:score [lower; upper] (maximize)``
(bounds from the benchmark's score range, identical for every optimizer) or, on a benchmark with
several objectives (``nb201-mo``), one column per objective in its own units and direction,
``metric:<name> [lower; upper] (maximize|minimize)``, so DeepCAVE's Pareto front page opens it. On a
constrained benchmark (``nb201-constrained``) each bounded metric (latency) is a minimised column
beside the score, and a ``feasible`` column (True / False) says which trials meet every bound:
DeepCAVE has no notion of a constraint, and its best score alone could be an infeasible cell. And the benchmark's
configuration space, so DeepCAVE compares them side by side. Why not DeepCAVE's own Recorder
format: its output fails to load in ``DeepCAVERun`` 1.4.1 (a Trial arity mismatch); the DataFrame
format loads in every optimizer's case, SMAC's included (SMAC's own smac3/ folder stays next to
its trials for DeepCAVE's SMAC3v2 converter).

trials.csv columns: ``config_id`` (trial index), one column per hyperparameter, the metric column,
``budget`` (only on multi-fidelity benchmarks), ``seed`` (= the trial index: DeepCAVE overwrites a
repeated (config, budget, seed), so this keeps a re-evaluated configuration as its own trial),
``start_time``/``end_time`` on the *simulated* clock (cumulative recorded benchmark cost plus
optimizer overhead, as in the report's wall-clock curves; DeepCAVE's "Time" objective is then the
recorded evaluation cost), ``status`` (SUCCESS / CRASHED), and extra columns ``cost``, ``overhead``,
``fidelity``, ``result_<metric>``, ``error`` that DeepCAVE shows as additional data. A categorical or
ordinal hyperparameter with numeric choices is written as an integer/float hyperparameter over its
range (the converter reads choices back as strings, which would not match numeric values). A
string, boolean or None choice whose text pandas reads back as another type ("True", "1", "None",
"NA", "null") is written in single quotes ('True'), so that every exported space opens in DeepCAVE.

A space with conditions or forbidden clauses (e.g. ``sklearn-pipeline``) has no place in the DataFrame
format, so every run of such a benchmark/dataset is written in the format of DeepCAVE's ``SMAC3v2Run``
converter instead (:func:`write_smac3v2`): ``configspace.json`` (ConfigSpace's own JSON, conditions and
forbidden clauses included), ``scenario.json`` and ``runhistory.json``. That converter minimises its
objectives, so the objective there is ``neg_score`` = -score; inactive hyperparameters are absent from
a configuration, as in SMAC's own files.

To open them: ``genhpo deepcave DIR`` (:mod:`genhpo.report.deepcave_app`: redis, DeepCAVE's worker
and server with the working directory set to the export), then on DeepCAVE's "General" page select the
runs (e.g. group the seeds of each optimizer) — every ``<optimizer>-seed-<k>`` folder is listed as a
DataFrame run.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ConfigSpace import ConfigurationSpace
from ConfigSpace.hyperparameters import (
    CategoricalHyperparameter,
    FloatHyperparameter,
    IntegerHyperparameter,
    OrdinalHyperparameter,
)

from genhpo.protocol import Constraint, Objective, feasible
from genhpo.report.curves import benchmark_info, constraints_of, load_records, objectives_of
from genhpo.report.whole import replaced_whole
from genhpo.runner.manifest import load_experiment
from genhpo.runner.store import RunKey

OBJECTIVE = "score"


def run_folder(root: Path, key: RunKey) -> Path:
    """Where the export of run ``key`` lives."""
    return Path(root) / "deepcave" / f"{key.benchmark}-{key.dataset}" / f"{key.optimizer}-seed-{key.seed}"


def export_deepcave(root: Path) -> list[Path]:
    """Export every run with at least one trial; returns the run folders written (old export replaced)."""
    root = Path(root)
    experiment = load_experiment(root)
    records = load_records(root)
    written = []
    with replaced_whole(root / "deepcave") as fresh:  # a derived view of runs/, rebuilt whole every time
        for folder in _export(root, experiment, records, fresh):
            written.append(root / "deepcave" / folder.relative_to(fresh))
    return written


def _export(root: Path, experiment: Any, records: list, base: Path) -> list[Path]:
    written = []
    for dataset in experiment.datasets:
        info = benchmark_info(root, experiment.benchmark, dataset)
        space = ConfigurationSpace.from_serialized_dict(info["config_space"])
        group = [r for r in records if r.key.benchmark == experiment.benchmark and r.key.dataset == dataset and r.trials]
        objectives, constraints = objectives_of(info), constraints_of(info)
        ok = [t for r in group for t in r.trials if t.status == "ok"]
        column: str | list[tuple[str, Objective | None]] = (
            objective_columns(info, objectives, ok) if len(objectives) > 1 else metric_column(info, [t.score for t in ok]))
        if constraints and isinstance(column, str):  # the bounded metrics beside the score, minimised
            column = [(column, None), *objective_columns({}, [Objective(c.name, "min") for c in constraints], ok)]
        conditional = bool(space.conditions or space.forbidden_clauses)
        for record in group:
            folder = base / run_folder(root, record.key).relative_to(root / "deepcave")
            folder.mkdir(parents=True, exist_ok=True)
            if conditional:
                write_smac3v2(record.trials, space, record.key.seed, info.get("fidelity"), folder)
            else:
                write_configspace(space, folder / "configspace.csv")
                write_trials(record.trials, space, column, info.get("fidelity"), folder / "trials.csv", constraints)
            written.append(folder)
    return written


def objective_columns(info: dict[str, Any], objectives: list[Objective], trials: list) -> list[tuple[str, Objective]]:
    """One column per objective of a multi-objective benchmark, in raw units and direction; bounds cover
    the table's range (``info["hypervolume"]``) and every observed value, widened to 6 decimals (DeepCAVE's
    pattern has no exponent)."""
    volume = info.get("hypervolume") or {}
    columns = []
    for j, o in enumerate(objectives):
        sign = 1.0 if o.direction == "max" else -1.0
        values = [o.value(t) for t in trials]
        values += [sign * volume[b][j] for b in ("lower", "upper") if volume.get(b)]
        lower = math.floor(min(values) * 1e6) / 1e6 if values else 0.0
        upper = math.ceil(max(values) * 1e6) / 1e6 if values else 1.0
        if upper <= lower:
            upper = lower + 1.0
        direction = "maximize" if o.direction == "max" else "minimize"
        columns.append((f"metric:{o.name} [{lower:.6f}; {upper:.6f}] ({direction})", o))
    return columns


def metric_column(info: dict[str, Any], scores: list[float]) -> str:
    """The shared objective column; bounds cover the benchmark's score range and every observed score."""
    values = [v for v in (info.get("score_min"), info.get("optimum"), *scores) if v is not None and math.isfinite(v)]
    lower = math.floor(min(values)) if values else 0
    upper = math.ceil(max(values)) if values else 1
    if upper <= lower:
        upper = lower + 1
    return f"metric:{OBJECTIVE} [{float(lower):.1f}; {float(upper):.1f}] (maximize)"


def write_configspace(space: ConfigurationSpace, path: Path) -> None:
    """configspace.csv as DataFrameRun.load_configspace reads it (no conditions or forbiddens)."""
    if space.conditions or space.forbidden_clauses:
        raise ValueError("DeepCAVE's DataFrame format has no conditions or forbidden clauses; "
                         f"space {space.name!r} has some and cannot be exported")
    rows = []
    n_items = 0
    for hp in space.values():
        row: dict[str, Any] = {"name": hp.name}
        if isinstance(hp, (CategoricalHyperparameter, OrdinalHyperparameter)):
            items = list(hp.choices if isinstance(hp, CategoricalHyperparameter) else hp.sequence)
            if all(_is_label_choice(item) for item in items):
                labels = choice_labels(hp)
                row.update(type="categorical", default=labels[hp.default_value],
                           ordered=isinstance(hp, OrdinalHyperparameter))
                row.update({f"item_{i}": labels[item] for i, item in enumerate(items)})
                n_items = max(n_items, len(items))
            elif all(_is_number(item) for item in items):
                row.update(_numeric_choices(items, hp.default_value))
            else:
                raise TypeError(f"hyperparameter {hp.name!r} mixes string and numeric choices {items}; "
                                 "DeepCAVE's DataFrame format cannot hold it")
        elif isinstance(hp, (FloatHyperparameter, IntegerHyperparameter)):
            if type(hp).__name__.startswith(("Normal", "Beta")):
                raise ValueError(f"hyperparameter {hp.name!r}: only uniform numeric priors are exported")
            kind = "float" if isinstance(hp, FloatHyperparameter) else "integer"
            row.update(type=kind, lower=hp.lower, upper=hp.upper, default=hp.default_value, log=bool(hp.log),
                       distribution="uniform")
        else:
            raise TypeError(f"hyperparameter {hp.name!r} of type {type(hp).__name__} is not supported by DeepCAVE's "
                            "DataFrame format; supported: float, integer, categorical, ordinal")
        rows.append(row)
    columns = ["name", "type", "lower", "upper", "default", "log", "distribution", "ordered"]
    columns += [f"item_{i}" for i in range(n_items)]
    if not any(r["type"] != "categorical" for r in rows):
        columns.remove("distribution")  # DataFrameRun only reads it for numeric rows
    _write(path, columns, rows)


def _is_label_choice(value: Any) -> bool:
    """Choices exported as categorical labels: strings, booleans and None."""
    return value is None or isinstance(value, (str, bool, np.bool_))


@functools.lru_cache(maxsize=4096)
def _reads_back(text: str) -> bool:
    """Whether pandas (which DeepCAVE's converter reads the CSV files with) reads ``text`` back as this
    string; "True", "1", "None", "NA", "null", "" and the like it turns into a bool, a number or NaN."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["c"], [text]])
    value = pd.read_csv(io.StringIO(buffer.getvalue()))["c"].iloc[0]
    return isinstance(value, str) and value == text


def choice_labels(hp: Any) -> dict[Any, str]:
    """{choice: its label in the export}: the choice's text, or, where pandas would read that text back
    as another type, the text in single quotes (``'True'``, ``'1'``, ``'None'``), so the run opens in
    DeepCAVE; ValueError if two choices would get the same label."""
    items = list(hp.choices if isinstance(hp, CategoricalHyperparameter) else hp.sequence)
    labels = {item: str(item) if _reads_back(str(item)) else f"'{item}'" for item in items}
    if len(set(labels.values())) != len(items):
        raise ValueError(f"hyperparameter {hp.name!r}: choices {items} would share a label in DeepCAVE's "
                         "DataFrame format")
    return labels


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _numeric_choices(items: list[Any], default: Any) -> dict[str, Any]:
    """A numeric categorical/ordinal as an integer or float hyperparameter over its range.

    DeepCAVE's DataFrame converter reads choices back as strings, which would not match the numeric
    values pandas reads from trials.csv; a numeric range keeps the values exact and comparable
    (log scale when the positive choices span more than two orders of magnitude).
    """
    values = [float(v) for v in items]
    integral = all(v.is_integer() for v in values)
    lower, upper = min(values), max(values)
    log = lower > 0 and upper / lower > 100
    cast = int if integral else float
    return {"type": "integer" if integral else "float", "lower": cast(lower), "upper": cast(upper),
            "default": cast(default), "log": log, "distribution": "uniform"}


def write_trials(trials: list, space: ConfigurationSpace, metric: str | list[tuple[str, Objective | None]],
                 fidelity: dict[str, Any] | None, path: Path, constraints: list[Constraint] = ()) -> None:
    """trials.csv: one row per recorded trial, in order, on the simulated clock; ``metric``: the score's
    column (:func:`metric_column`) or one column per objective (:func:`objective_columns`; ``None`` for
    the score). With ``constraints``, a ``feasible`` column (True / False; empty for a failed trial)."""
    metrics = [(metric, None)] if isinstance(metric, str) else list(metric)
    names = list(space.keys())
    labels = {hp.name: choice_labels(hp) for hp in space.values()
              if isinstance(hp, (CategoricalHyperparameter, OrdinalHyperparameter))
              and all(_is_label_choice(c) for c in (hp.choices if isinstance(hp, CategoricalHyperparameter)
                                                   else hp.sequence))}
    extra = sorted({m for t in trials for m in t.metrics})
    columns = ["config_id", *names, *(column for column, _ in metrics)]
    columns += ["budget"] if fidelity is not None else []
    columns += ["seed", "start_time", "end_time", "status", "cost", "overhead", "fidelity"]
    columns += [f"result_{m}" for m in extra] + ["error"] + (["feasible"] if constraints else [])
    rows = []
    for t, start, end, budget in _timeline(trials, fidelity):
        values = {n: labels[n][t.config[n]] if n in labels and n in t.config else _cell(t.config.get(n))
                  for n in names}
        row = {"config_id": t.index, **values, "seed": t.index,
               **{column: (t.score if o is None else o.value(t)) if t.status == "ok" else None for column, o in metrics},
               "start_time": start, "end_time": end,
               "status": "SUCCESS" if t.status == "ok" else "CRASHED", "cost": t.cost, "overhead": t.overhead,
               "fidelity": t.fidelity, "error": t.error}
        if budget is not None:
            row["budget"] = budget
        row.update({f"result_{m}": t.metrics.get(m) for m in extra})
        if constraints:
            row["feasible"] = feasible(t, constraints) if t.status == "ok" else None
        rows.append(row)
    _write(path, columns, rows)


def _timeline(trials: list, fidelity: dict[str, Any] | None):
    """(trial, start, end, budget) per trial on the simulated clock (each trial starts after its optimizer
    overhead and lasts its recorded cost); budget = its fidelity, the full one if unset, None without
    a fidelity space."""
    clock = 0.0
    for t in trials:
        start = clock + t.overhead
        clock = start + t.cost
        budget = None if fidelity is None else (t.fidelity if t.fidelity is not None else fidelity["upper"])
        yield t, start, clock, budget


#: status codes of SMAC 2's StatusType, as DeepCAVE's SMAC3v2Run reads them
_SMAC_SUCCESS, _SMAC_CRASHED = 1, 2
SMAC_OBJECTIVE = "neg_score"


def write_smac3v2(trials: list, space: ConfigurationSpace, seed: int, fidelity: dict[str, Any] | None,
                  folder: Path) -> None:
    """``configspace.json``, ``scenario.json`` and ``runhistory.json`` of one run, as DeepCAVE's
    ``SMAC3v2Run.from_path`` reads them: one entry per recorded trial, in order, cost = -score (the
    converter minimises), on the simulated clock as in :func:`write_trials`; the trial index is the
    entry's seed (so a re-evaluated configuration stays its own trial); a failed trial is CRASHED with
    its error in ``additional_info``; budget = the fidelity on multi-fidelity benchmarks, else 0."""
    space.to_json(folder / "configspace.json")
    scenario = {"name": folder.name, "objectives": SMAC_OBJECTIVE, "seed": seed, "deterministic": True,
                "n_trials": len(trials), "note": "written by genhpo export-deepcave; neg_score = -score"}
    configs: dict[str, dict[str, Any]] = {}
    data = []
    for t, start, end, budget in _timeline(trials, fidelity):
        config_id = str(t.index + 1)  # SMAC numbers configurations from 1
        configs[config_id] = {k: _cell(v) for k, v in t.config.items()}
        ok = t.status == "ok"
        info = {"cost": t.cost, "overhead": t.overhead, **({"error": t.error} if t.error else {}),
                **{f"result_{m}": _cell(v) for m, v in t.metrics.items()}}
        data.append({"config_id": int(config_id), "instance": None, "seed": t.index,
                     "budget": 0.0 if budget is None else budget, "cost": -t.score if ok else None,
                     "time": t.cost, "cpu_time": 0.0,
                     "status": _SMAC_SUCCESS if ok else _SMAC_CRASHED, "starttime": start, "endtime": end,
                     "additional_info": info})
    history = {"stats": {"submitted": len(data), "finished": len(data), "running": 0}, "data": data,
               "configs": configs, "config_origins": {c: "genhpo" for c in configs}}
    (folder / "scenario.json").write_text(json.dumps(scenario, indent=2))
    (folder / "runhistory.json").write_text(json.dumps(history, indent=2))


def _cell(value: Any) -> Any:
    return value.item() if isinstance(value, (np.integer, np.floating)) else value


def _write(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: ("" if v is None else repr(v) if isinstance(v, float) else v) for k, v in r.items()}
                         for r in rows)
