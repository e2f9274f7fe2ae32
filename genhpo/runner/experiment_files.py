"""Experiment definitions from a small TOML file (``genhpo/runner/configs/*.toml``) and CLI flags.

A file looks like::

    benchmark = "nb201"
    datasets = ["cifar10"]          # or: dataset = "cifar10"
    optimizers = ["re", "smac", "rs"]
    seeds = 5
    trials = 100
    noisy = false                   # optional: draw one training seed's score per evaluation

    [options]                       # optional keyword options of the benchmark, e.g. for nb201-constrained:
    latency_quantile = 0.25

    [settings.re]                   # optional keyword settings per optimizer
    population_size = 50

Flags given on the command line override the file's values. Every check names the flag (or key)
at fault and the accepted values.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from genhpo import benchmarks
from genhpo.runner import registry
from genhpo.runner.manifest import Experiment

CONFIG_DIR = Path(__file__).parent / "configs"
DEFAULTS: dict[str, Any] = {"seeds": 10, "trials": 100, "noisy": False}
KEYS = ("benchmark", "dataset", "datasets", "optimizers", "seeds", "trials", "noisy", "settings", "options")


def available() -> list[str]:
    """Names of the shipped experiment files."""
    return sorted(p.stem for p in CONFIG_DIR.glob("*.toml"))


def load(path_or_name: str) -> dict[str, Any]:
    """Read an experiment TOML (a path, or the name of a file in genhpo/runner/configs/)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser as the tomli backport
        import tomli as tomllib
    path = Path(path_or_name)
    if not path.exists() and (CONFIG_DIR / f"{path_or_name}.toml").exists():
        path = CONFIG_DIR / f"{path_or_name}.toml"
    if not path.exists():
        raise ValueError(f"--config: no file {path_or_name!r} (shipped configs: {', '.join(available())})")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"--config: {path} is not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"--config: {path} has unknown key(s) {', '.join(unknown)}; accepted: {', '.join(KEYS)}")
    if "dataset" in data and "datasets" in data:
        raise ValueError(f"--config: {path} sets both dataset and datasets; use one")
    if "dataset" in data:
        data["datasets"] = [data.pop("dataset")]
    return data


def resolve(args: argparse.Namespace) -> Experiment:
    """The experiment defined by ``--config`` (if any) overridden by the other flags."""
    values: dict[str, Any] = dict(DEFAULTS)
    if args.config:
        values.update(load(args.config))
    for flag, key in (("benchmark", "benchmark"), ("dataset", "datasets"), ("optimizers", "optimizers"),
                      ("seeds", "seeds"), ("trials", "trials")):
        if getattr(args, flag, None) is not None:
            values[key] = getattr(args, flag)
    options = _hpob_options(args, values)
    for key, flag in (("benchmark", "--benchmark"), ("datasets", "--dataset"), ("optimizers", "--optimizers")):
        if not values.get(key):
            raise ValueError(f"{flag} is required (or set {key} in a --config file)")
    check(values, options)
    settings = values.get("settings", {})
    if not isinstance(settings, dict) or not all(isinstance(v, dict) for v in settings.values()):
        raise ValueError("settings must be a table of tables, e.g. [settings.re] population_size = 50")
    checkpoints = getattr(args, "genhpo_checkpoints", None)
    if checkpoints is not None:
        if "genhpo" not in values["optimizers"]:
            raise ValueError("--genhpo-checkpoints needs genhpo among --optimizers")
        settings = {**settings, "genhpo": {**settings.get("genhpo", {}), "checkpoints": str(Path(checkpoints).resolve())}}
    return Experiment(
        benchmark=values["benchmark"],
        datasets=tuple(values["datasets"]),
        optimizers=tuple(values["optimizers"]),
        seeds=values["seeds"],
        trials=values["trials"],
        settings=settings,
        noisy=bool(values.get("noisy", False)),
        options=options,
    )


def _hpob_options(args: argparse.Namespace, values: dict[str, Any]) -> dict[str, Any]:
    """HPO-B's options (root, mode) and, from ``--search-space``, its datasets; {} for other benchmarks.
    ValueError for an HPO-B flag given to another benchmark, a missing root or more than 5 seeds."""
    root, spaces = getattr(args, "root", None), getattr(args, "search_space", None)
    continuous = bool(getattr(args, "continuous", False))
    if values.get("benchmark") != "hpob":
        given = [flag for flag, value in (("--root", root), ("--search-space", spaces), ("--continuous", continuous))
                 if value]
        if given:
            raise ValueError(f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} only to --benchmark hpob")
        options = values.get("options", {})
        if not isinstance(options, dict):
            raise ValueError("options must be a table of the benchmark's keyword options, e.g. [options] latency_quantile = 0.25")
        return dict(options)
    if values.get("options"):
        raise ValueError("--benchmark hpob takes its options from --root and --continuous, not an [options] table")
    if root is None:
        raise ValueError("--benchmark hpob needs --root DIR (the HPO-B folder)")
    root = str(Path(root).resolve())
    if not Path(root).is_dir():
        raise ValueError(f"--root {root}: no such folder")
    if spaces is not None:
        if values.get("datasets") and getattr(args, "dataset", None) is not None:
            raise ValueError("give --dataset or --search-space, not both")
        from genhpo.benchmarks.hpob.task_benchmark import HPOBProtocolTask

        values["datasets"] = HPOBProtocolTask.names(root, "all" if spaces == ["all"] else list(spaces))
    if getattr(args, "seeds", None) is None and values["seeds"] == DEFAULTS["seeds"]:
        values["seeds"] = 5  # HPO-B's five seeds, unless asked otherwise
    if values["seeds"] > 5:
        raise ValueError(f"--seeds {values['seeds']}: HPO-B has 5 seeds (test0..test4)")
    return {"root": root, "mode": "continuous" if continuous else "pool"}


def check(values: dict[str, Any], options: dict[str, Any] | None = None) -> None:
    """ValueError naming the flag and the accepted values for an unknown name or a bad count."""
    name = values["benchmark"]
    if name not in benchmarks.REGISTRY:
        raise ValueError(f"--benchmark: unknown benchmark {name!r}; accepted: {', '.join(sorted(benchmarks.REGISTRY))}")
    benchmarks.check_datasets(name, values["datasets"], **(options or {}))
    registry.check_names(values["optimizers"])
    for key in ("seeds", "trials"):
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"--{key} must be a positive integer (>= 1), got {value!r}")
