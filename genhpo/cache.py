"""genhpo's cache folder: ``$GENHPO_CACHE``, else ``~/.cache/genhpo`` (offline data, models of new spaces)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The cache folder (not created here)."""
    base = os.environ.get("GENHPO_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "genhpo"
