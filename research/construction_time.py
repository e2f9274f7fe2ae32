"""How long building the generative optimizer of a space without a checkpoint takes: the first time
(the quick cold-start model is trained and cached) and afterwards (read from the cache). Prints figures.

    python research/construction_time.py --repeats 5

Each build runs in a fresh interpreter (no in-process cache) against an empty ``GENHPO_CACHE`` for the
first builds and the filled one after; the time is of ``presets.for_space(space, seed)`` alone (imports
excluded). The space: a categorical, a log-scale float and an integer (three hyperparameters).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

BUILD = """
import json, time
from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace, UniformFloatHyperparameter, UniformIntegerHyperparameter
from genhpo import presets
space = ConfigurationSpace(seed=0)
space.add([CategoricalHyperparameter("act", ["relu", "tanh", "gelu"]),
           UniformFloatHyperparameter("lr", 1e-4, 1e-1, log=True), UniformIntegerHyperparameter("depth", 1, 8)])
started = time.perf_counter()
optimizer = presets.for_space(space, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "checkpoint": optimizer.card["name"]}))
"""


def build(cache: Path) -> dict:
    env = {**os.environ, "GENHPO_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", BUILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="builds of each kind (default 5)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    first, cached = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="genhpo-cache-") as folder:
            first.append(build(Path(folder))["seconds"])
            cached.append(build(Path(folder))["seconds"])
    for label, values in (("first build (trains, caches)", first), ("cached build", cached)):
        v = np.array(values)
        sem = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
        print(f"{label:<30} median {np.median(v):6.2f} s  mean {v.mean():6.2f} s (sem {sem:.2f})  "
              f"min {v.min():.2f}  max {v.max():.2f}  n={len(v)}")
    print(f"ratio of medians first / cached: {np.median(first) / np.median(cached):.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
