"""The ``genhpo`` command: compare, report, export-deepcave (+ train and data from their own modules).

    genhpo compare --benchmark nb201 --dataset cifar10 --optimizers genhpo,smac,dehb,re,rs,transfer-topk \\
                   --seeds 20 --trials 200 --out DIR [--scheduler ADDR] [--workers N] [--force] [--config X.toml]
    genhpo report DIR [--log]
    genhpo export-deepcave DIR

Subcommands owned by other modules plug in through ``add_train_parser(subparsers)`` in
``genhpo.model.cli`` and ``add_data_parser(subparsers)`` in ``genhpo.benchmarks.hpob.cli``; each adds
its parser and sets ``func`` (called with the parsed args, returning an exit code or None); ``data``
is a group (``genhpo data hpob-offline ...``) whose sub-commands add_data_parser adds. If such a
module cannot be imported, its command is still listed, and running it says why.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from importlib import import_module
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
    """Importing distributed sets its loggers to INFO; keep the terminal to our progress bars."""
    import distributed  # noqa: F401  (import first: it would reset the level set below)

    logging.getLogger("distributed").setLevel(logging.WARNING)


def _compare(args: argparse.Namespace) -> int:
    from genhpo.runner.compare import compare

    if not args.verbose:
        quiet_dask()

    experiment = experiment_config.resolve(args)
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


def _report(args: argparse.Namespace) -> int:
    from genhpo.report.build import build_report

    out = build_report(Path(args.dir), log_scale=args.log)
    print((out / "summary.md").read_text())
    print(f"report written to {out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from genhpo.report.deepcave import export_deepcave

    folders = export_deepcave(Path(args.dir))
    groups = sorted({str(f.parent) for f in folders})
    print(f"exported {len(folders)} runs for DeepCAVE; open them with `deepcave --open` and set the working "
          f"directory to: {', '.join(groups) or '(no runs with trials yet)'}")
    return 0


def _add_hook(subparsers: Any, module: str, function: str, command: str, what: str, *, group: bool = False) -> None:
    """Let another module add its subcommand; if it cannot, list the command with the reason.

    group=False: ``function(subparsers)`` adds ``command`` itself (``genhpo train ...``).
    group=True: we add ``command`` and ``function`` fills its sub-commands (``genhpo data hpob-offline ...``).
    """
    try:
        add = getattr(import_module(module), function)
        if group:
            parser = subparsers.add_parser(command, help=what, description=what)
            add(parser.add_subparsers(dest=f"{command}_command", required=True, metavar="DATA"))
        else:
            add(subparsers)
        return
    except (ImportError, AttributeError) as exc:
        reason = f"{module}.{function} is not available ({type(exc).__name__}: {exc})"
    parser = subparsers.add_parser(command, help=f"{what} [UNAVAILABLE: {reason}]", description=reason)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    def unavailable(args: argparse.Namespace) -> int:
        raise ValueError(f"`genhpo {command}` is not available in this installation: {reason}")

    parser.set_defaults(func=unavailable)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genhpo", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("compare", help="run optimizers x datasets x seeds on Dask into a run store",
                       description="Run every optimizer on every dataset for every seed; re-running the same "
                                   "command resumes (finished runs are skipped, interrupted ones continue).")
    p.add_argument("--config", help="experiment TOML (a path, or a name in genhpo/runner/configs/ such as "
                                    f"{', '.join(experiment_config.available())}); flags override its values")
    p.add_argument("--benchmark", help="benchmark name (e.g. nb201)")
    p.add_argument("--dataset", type=_names, help="dataset(s), comma-separated (nb201: cifar10, cifar100, "
                                                  "ImageNet16-120)")
    p.add_argument("--optimizers", type=_names, help=f"comma-separated, from: {', '.join(registry.OPTIMIZERS)}")
    p.add_argument("--seeds", type=positive_int, help="number of seeds, runs use seeds 0..N-1 "
                                                      f"(default {experiment_config.DEFAULTS['seeds']})")
    p.add_argument("--trials", type=positive_int, help="full evaluations per run "
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
    p.set_defaults(func=_report)

    p = sub.add_parser("export-deepcave", help="write every run in DeepCAVE's DataFrame format to DIR/deepcave",
                       description="Export every run to DIR/deepcave/<benchmark>-<dataset>/<optimizer>-seed-<k>/; "
                                   "open with `deepcave --open` and point its working directory there.")
    p.add_argument("dir", help="experiment directory written by `genhpo compare`")
    p.set_defaults(func=_export)

    _add_hook(sub, "genhpo.model.cli", "add_train_parser", "train", "meta-train the generative optimizer")
    _add_hook(sub, "genhpo.benchmarks.hpob.cli", "add_data_parser", "data", "build data sets (offline HPO-B format)",
              group=True)
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
    except KeyboardInterrupt:
        print(f"genhpo {args.command}: interrupted; re-run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
