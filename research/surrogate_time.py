"""Time of one HPO-B surrogate (HPO-B's 16-point grid) on the offline meta-test tasks:
``python research/surrogate_time.py [--grid hpob]`` (needs `genhpo data hpob-offline`).

Prints, per task, its rows and the wall-clock and CPU seconds of ``surrogate.train`` (the grid search
of 5-fold cross-validations, then the final fit), as ``genhpo data hpob-offline --surrogates`` runs it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genhpo.benchmarks.hpob import files, offline, surrogate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", default="hpob", choices=sorted(surrogate.GRIDS))
    args = parser.parse_args(argv)
    root = offline.build()
    meta = files.load_json(root / files.SPLIT_FILES["test"])
    for sid, tasks in meta.items():
        for dataset in tasks:
            X, y = files.task_arrays(meta, sid, dataset, "offline test")
            wall, cpu = time.perf_counter(), time.process_time()
            with tempfile.TemporaryDirectory() as tmp:
                surrogate.train(X, y, Path(tmp), files.surrogate_name(sid, dataset), grid=args.grid)
            print(f"{sid}/{dataset}: {len(X)} rows, {time.perf_counter() - wall:.0f} s wall, "
                  f"{time.process_time() - cpu:.0f} s CPU (grid {args.grid})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
