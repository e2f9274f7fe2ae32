"""The main job (``make run``): a real NB201 comparison, its report and its DeepCAVE export.

    python -m genhpo.main_job --out results/nb201-demo

Runs the optimizers of ``genhpo/runner/configs/nb201-demo.toml`` (the generative optimizer with its
transfer checkpoint and with its cold-start checkpoint, and every baseline; 5 seeds x 100 full
evaluations on cifar10, sized to finish in under 10 minutes on 2 CPU cores), then writes the report
and the DeepCAVE export and prints where they are. Re-running resumes; if the set of optimizers
changed since the last run, the old results are moved to ``OUT/replaced-<n>/``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from genhpo.cli import positive_int, quiet_dask
from genhpo.report.build import build_report
from genhpo.report.deepcave import export_deepcave
from genhpo.runner import experiment_files as config
from genhpo.runner.compare import compare
from genhpo.runner.manifest import Experiment


def main(argv: list[str] | None = None) -> int:
    defaults = config.load("nb201-demo")
    parser = argparse.ArgumentParser(prog="python -m genhpo.main_job", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="experiment directory")
    parser.add_argument("--dataset", default=defaults["datasets"][0], help="NB201 dataset (default %(default)s)")
    parser.add_argument("--seeds", type=positive_int, default=defaults["seeds"], help="default %(default)s")
    parser.add_argument("--trials", type=positive_int, default=defaults["trials"], help="default %(default)s")
    parser.add_argument("--workers", type=positive_int, help="local cluster size (default: one per core)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    quiet_dask()

    optimizers = tuple(defaults["optimizers"])
    try:
        experiment = Experiment(benchmark=defaults["benchmark"], datasets=(args.dataset,), optimizers=optimizers,
                                seeds=args.seeds, trials=args.trials)
        config.check(experiment.to_dict())
    except ValueError as exc:
        parser.error(str(exc))
    out = Path(args.out)
    print(f"comparing {', '.join(optimizers)} on nb201/{args.dataset}: {args.seeds} seeds x {args.trials} "
          f"evaluations -> {out}")
    start = time.perf_counter()
    outcomes = compare(experiment, out, n_workers=args.workers, force=True, progress=not args.quiet)
    ran = time.perf_counter() - start
    failed = [o for o in outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"FAILED {outcome.key.label}: {outcome.error}", file=sys.stderr)
    report = build_report(out)
    folders = export_deepcave(out)
    total = time.perf_counter() - start
    print((report / "summary.md").read_text())
    print(f"runs: {sum(o.status == 'done' for o in outcomes)} done, {sum(o.status == 'skipped' for o in outcomes)} "
          f"already finished, {len(failed)} failed; comparison {ran:.0f} s, total wall time {total:.0f} s")
    print(f"report:          {report}  (summary.md, summary.csv, *.png, hpob/*.json)")
    print(f"run store:       {out / 'runs'}")
    print(f"DeepCAVE export: {out / 'deepcave'} ({len(folders)} runs); open it with: "
          f".venv/bin/genhpo deepcave {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
