"""genhpo: black-box HPO and NAS with a generative surrogate.

The public names are importable from here (``from genhpo import GenerativeOptimizer, presets``);
they are loaded on first use, so ``import genhpo.spaces`` does not import torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_PUBLIC = {
    "GenerativeOptimizer": "genhpo.optimizer",
    "SuggestConfig": "genhpo.suggest.config",
    "Optimizer": "genhpo.protocol",
    "Result": "genhpo.protocol",
    "Trial": "genhpo.protocol",
    "SpaceEncoder": "genhpo.spaces.encoder",
    "run": "genhpo.loop",
}
_MODULES = ("presets",)

__all__ = ["GenerativeOptimizer", "Optimizer", "Result", "SpaceEncoder", "SuggestConfig", "Trial", "presets", "run"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    if name in _MODULES:
        return import_module(f"genhpo.{name}")
    raise AttributeError(f"module 'genhpo' has no attribute {name!r}")
