"""The network and its files: history encoder, conditional VAE, checkpoints + model cards.

Knows only :mod:`genhpo.spaces`; ranking lives in :mod:`genhpo.suggest`, training in :mod:`genhpo.metatrain`.
"""

from genhpo.model.checkpoint import load_checkpoint, save_checkpoint
from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel, ModelConfig

__all__ = ["GenerativeModel", "Layout", "ModelConfig", "load_checkpoint", "save_checkpoint"]
