"""The cold-start optimizer's cost per suggestion with about 100 observations, on issue 17's new spaces.

    python research/ask_overhead.py [--steps 110] [--settings '{"refine": 0}']

For each task (BoTorch's Hartmann-3 and Levy-10, the HPOBench-MLP table on segment, the HPOLib-FCNet table
on protein_structure, all through their registry benchmarks), ``presets.for_benchmark`` builds genhpo
(the space's quick cold model, cached; card settings overridden by ``--settings``), runs ``--steps``
ask/tell steps against the benchmark, and times each ``ask``. Printed: the median and the interquartile
range of the last 10 asks (observations ``steps - 10`` to ``steps - 1``), in ms. Run it on a quiet
machine: it measures wall-clock time.

    python research/ask_overhead.py --first [--repeats 5]

What a user meets first: each task in a fresh interpreter (``--repeats`` times), the model built (cached),
then the first ask (the cold-start suggestion) and the first model-driven asks (the slowest of the 3
after the card's ``init_random`` initial design), which pay the one-off costs (lazy imports of the GP and
the optimiser, first calls into torch); printed as the median and range over the repeats, in ms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
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
    return ask_times_of(presets.for_benchmark(benchmark, seed=0, **settings), benchmark, steps)


def first_asks(benchmark_name: str, dataset: str, settings: dict) -> tuple[float, float, int]:
    """Seconds of the first ask and the slowest of the 3 asks after the initial design (one of them may be
    a random pick, the card's ``exploration``) of a seed-0 run, and the first of those asks' number (1-based:
    the card's ``init_random`` + 1)."""
    benchmark = make(benchmark_name, dataset)
    optimizer = presets.for_benchmark(benchmark, seed=0, **settings)
    design = int(optimizer.settings().get("init_random", 0))
    times = ask_times_of(optimizer, benchmark, design + 3)
    return float(times[0]), float(times[design:].max()), design + 1


def ask_times_of(optimizer, benchmark, steps: int) -> np.ndarray:
    """Seconds of each of ``steps`` ask/tell steps' asks of ``optimizer`` on ``benchmark``."""
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
    parser.add_argument("--tasks", default=",".join(f"{n}/{d}" for n, d in TASKS),
                        help="comma-separated benchmark/dataset tasks (default: the four above)")
    parser.add_argument("--first", action="store_true", help="time the first asks in fresh interpreters instead")
    parser.add_argument("--repeats", type=int, default=5, help="--first: fresh interpreters per task")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # --first's child: one task, prints JSON
    args = parser.parse_args(argv)
    settings = json.loads(args.settings)
    tasks = [tuple(task.split("/", 1)) for task in args.tasks.split(",")]
    if any(len(task) != 2 or not all(task) for task in tasks):
        parser.error(f"--tasks takes benchmark/dataset pairs separated by commas, got {args.tasks!r}")
    if args.steps < 10:
        parser.error(f"--steps must be at least 10 (the last 10 asks are timed), got {args.steps}")
    if args.one:
        name, dataset = args.one.split("/")
        print(json.dumps(first_asks(name, dataset, settings)))
        return 0
    if args.first:
        print(f"settings over the card's: {settings or 'none'}; first asks in {args.repeats} fresh interpreter(s) per task")
        for name, dataset in tasks:
            runs = []
            for _ in range(args.repeats):
                out = subprocess.run([sys.executable, __file__, "--one", f"{name}/{dataset}", "--settings", args.settings],
                                     capture_output=True, text=True, check=False)
                if out.returncode:
                    print(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"{name}/{dataset} failed",
                          file=sys.stderr)
                    return 1
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            first, driven = np.array([r[0] for r in runs]) * 1e3, np.array([r[1] for r in runs]) * 1e3
            print(f"{name}/{dataset}: first ask median {np.median(first):.0f} ms ({first.min():.0f}-{first.max():.0f}); "
                  f"slowest of asks {runs[0][2]}-{runs[0][2] + 2} median {np.median(driven):.0f} ms "
                  f"({driven.min():.0f}-{driven.max():.0f})", flush=True)
        return 0
    print(f"settings over the card's: {settings or 'none'}; last 10 of {args.steps} asks")
    for name, dataset in tasks:
        last = ask_times(name, dataset, args.steps, settings)[-10:] * 1e3
        q1, median, q3 = np.percentile(last, [25, 50, 75])
        print(f"{name}/{dataset}: median {median:.1f} ms (IQR {q1:.1f}-{q3:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
