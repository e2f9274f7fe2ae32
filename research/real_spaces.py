"""Round trip of SpaceEncoder on real search spaces: ``python research/real_spaces.py DIR [--samples N]``.

DIR holds ``.pcs`` files, e.g. ``test/test_searchspaces`` of a clone of ConfigSpace's repository
(auto-sklearn's pipeline spaces, clasp, SparrowToRiss, cplex, ...; not shipped with the pip package).
For each space: N configurations sampled by ConfigSpace (seed 0), and how many do not come back
exactly from ``decode(encode(config))``; prints one line per space and exits 1 if any fails.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

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
    args = parser.parse_args(argv)
    files = sorted(args.dir.glob("*.pcs"))
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
        failed += bad > 0
        print(f"{path.name}: {len(space)} hyperparameters, {len(space.conditions)} conditions, "
              f"{len(space.forbidden_clauses)} forbidden clauses, width {encoder.dim}: "
              f"{args.samples - bad}/{args.samples} exact ({time.perf_counter() - started:.1f} s)")
    print(f"{len(files) - failed}/{len(files)} spaces round-trip every sample")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
