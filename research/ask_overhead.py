"""The cold-start optimizer's cost per suggestion with about 100 observations, on issue 17's new spaces.

    python research/ask_overhead.py [--steps 110] [--settings '{"refine": 0}']

For each task (BoTorch's Hartmann-3 and Levy-10, the HPOBench-MLP table on segment, the HPOLib-FCNet table
on protein_structure, all through their registry benchmarks), ``presets.for_benchmark`` builds genhpo
(the space's quick cold model, cached; card settings overridden by ``--settings``), runs ``--steps``
ask/tell steps against the benchmark, and times each ``ask``. Printed: the median and the interquartile
range of the last 10 asks (observations ``steps - 10`` to ``steps - 1``), in ms. Run it on a quiet
machine: it measures wall-clock time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genhpo import presets
from genhpo.benchmarks import make

TASKS = (("functions", "hartmann3"), ("functions", "levy10"), ("hpobench-mlp", "segment"),
         ("hpolib-fcnet", "protein_structure"))


def ask_times(benchmark_name: str, dataset: str, steps: int, settings: dict) -> np.ndarray:
    """Seconds of each of ``steps`` asks of one seed-0 run."""
    benchmark = make(benchmark_name, dataset)
    optimizer = presets.for_benchmark(benchmark, seed=0, **settings)
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        config = optimizer.ask()
        times.append(time.perf_counter() - started)
        optimizer.tell(config, benchmark.evaluate(config))
    return np.array(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=110,
                        help="ask/tell steps per task; the last 10 asks are timed (default 110: 100-109 observations)")
    parser.add_argument("--settings", default="{}", help="JSON suggestion settings over the card's")
    args = parser.parse_args(argv)
    settings = json.loads(args.settings)
    print(f"settings over the card's: {settings or 'none'}; last 10 of {args.steps} asks")
    for name, dataset in TASKS:
        last = ask_times(name, dataset, args.steps, settings)[-10:] * 1e3
        q1, median, q3 = np.percentile(last, [25, 50, 75])
        print(f"{name}/{dataset}: median {median:.1f} ms (IQR {q1:.1f}-{q3:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
