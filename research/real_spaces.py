"""genhpo on real search spaces: ``python research/real_spaces.py DIR [--samples N] [--optimizer T]``.

DIR holds ``.pcs`` files, e.g. ``test/test_searchspaces`` of a clone of ConfigSpace's repository
(auto-sklearn's pipeline spaces, clasp, SparrowToRiss, cplex, ...; not shipped with the pip package).
For each space:
- the round trip: N configurations sampled by ConfigSpace (seed 0), and how many do not come back
  exactly from ``decode(encode(config))``;
- the projection: N random vectors (seed 0), and whether ``SpaceEncoder.project`` (all rows at once)
  equals ``encode(decode(row))`` row by row, forbidden rows included, with both times;
- with ``--optimizer T``: the cold-start generative optimizer (``presets.for_space``) in a fresh cache
  folder: the seconds to train its model once, then T ask/tell steps on a synthetic score (the number
  of active hyperparameters, which a user's objective would replace), and the median seconds of
  ``ask`` over the last 10 steps (so with T = 110, at 100 to 109 observations).
Prints one line per space and exits 1 if any round trip or projection fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from genhpo.spaces import SpaceEncoder


def read_pcs(path: Path):
    """The space of a ``.pcs`` file (the new format first, then the old one)."""
    lines = path.read_text().splitlines()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ConfigSpace keeps the readers, unmaintained
        from ConfigSpace.read_and_write import pcs, pcs_new

        try:
            return pcs_new.read(lines)
        except Exception:  # noqa: BLE001 - not the new format: the old one raises its own error
            return pcs.read(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder of .pcs files")
    parser.add_argument("--samples", type=int, default=200, help="configurations per space (default 200)")
    parser.add_argument("--optimizer", type=int, default=0, metavar="T",
                        help="also time the cold-start optimizer over T ask/tell steps (default: off)")
    parser.add_argument("--only", default="", help="comma-separated file names to keep (default: all)")
    args = parser.parse_args(argv)
    files = sorted(args.dir.glob("*.pcs"))
    if args.only:
        files = [f for f in files if f.name in args.only.split(",")]
    if not files:
        parser.error(f"no .pcs file in {args.dir}")
    failed = 0
    for path in files:
        space = read_pcs(path)
        space.seed(0)
        encoder = SpaceEncoder(space)
        started = time.perf_counter()
        bad = 0
        for config in space.sample_configuration(args.samples):
            try:
                bad += encoder.decode(encoder.encode(config)) != config
            except ValueError:
                bad += 1
        line = (f"{path.name}: {len(space)} hyperparameters, {len(space.conditions)} conditions, "
                f"{len(space.forbidden_clauses)} forbidden clauses, width {encoder.dim}: "
                f"{args.samples - bad}/{args.samples} exact ({time.perf_counter() - started:.1f} s)")
        same, batch, loop = _projection(encoder, args.samples)
        line += f"; project {'exact' if same else 'DIFFERS'} ({batch * 1e3:.0f} ms, row by row {loop * 1e3:.0f} ms)"
        failed += bad > 0 or not same
        if args.optimizer:
            train, ask = _optimizer(space, args.optimizer)
            line += f"; cold model {train:.1f} s, ask {ask * 1e3:.0f} ms (median of the last 10)"
        print(line, flush=True)
    print(f"{len(files) - failed}/{len(files)} spaces round-trip every sample and project exactly")
    return 1 if failed else 0


def _projection(encoder: SpaceEncoder, n: int) -> tuple[bool, float, float]:
    """Whether ``project`` of n random vectors equals ``encode(decode(row))`` row by row; both times."""
    X = np.random.default_rng(0).random((n, encoder.dim))
    started = time.perf_counter()
    rows, allowed = encoder.project(X)
    batch = time.perf_counter() - started
    started = time.perf_counter()
    expected, ok = [], []
    for x in X:
        try:
            expected.append(encoder.encode(encoder.decode(x)))
            ok.append(True)
        except ValueError:  # excluded by a forbidden clause
            ok.append(False)
    loop = time.perf_counter() - started
    expected = np.array(expected).reshape(-1, encoder.dim)
    return bool(np.array_equal(allowed, ok) and np.array_equal(rows, expected)), batch, loop


def _optimizer(space, steps: int) -> tuple[float, float]:
    """Seconds to build the cold-start optimizer in an empty cache, and the median ask of the last 10 steps."""
    from genhpo import presets
    from genhpo.protocol import Result

    old = os.environ.get("GENHPO_CACHE")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["GENHPO_CACHE"] = cache
        try:
            started = time.perf_counter()
            optimizer = presets.for_space(space, seed=0)
            train = time.perf_counter() - started
            asks = []
            for _ in range(steps):
                started = time.perf_counter()
                config = optimizer.ask()
                asks.append(time.perf_counter() - started)
                optimizer.tell(config, Result(score=float(len(dict(config)))))
        finally:
            if old is None:
                os.environ.pop("GENHPO_CACHE", None)
            else:
                os.environ["GENHPO_CACHE"] = old
    return train, float(np.median(asks[-10:]))


if __name__ == "__main__":
    sys.exit(main())
