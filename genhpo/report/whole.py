"""Outputs that appear whole or not at all: a folder is written beside its target and swapped in.

A killed ``genhpo report`` or ``genhpo export-deepcave`` leaves the previous report or export as it
was (no half-written PNG beside the old tables, no deleted export); leftovers of a killed writer are
removed, or restored if the swap itself was interrupted, the next time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_whole(target: Path) -> Iterator[Path]:
    """Yield an empty folder to write ``target``'s new content into; when the block ends normally it
    replaces ``target`` (the old content removed); when it raises, ``target`` is left as it was."""
    target = Path(target)
    _recover(target)
    fresh = target.with_name(f".{target.name}.new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    try:
        yield fresh
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def _recover(target: Path) -> None:
    """Undo what a killed writer left: a target moved aside but not replaced is put back; new and
    old leftovers are removed."""
    olds = sorted(target.parent.glob(f".{target.name}.old-*"))
    if not target.exists() and olds:
        os.replace(olds[-1], target)
        olds = olds[:-1]
    for leftover in [*olds, *target.parent.glob(f".{target.name}.new-*")]:
        shutil.rmtree(leftover, ignore_errors=True)
