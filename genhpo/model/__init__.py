"""The generative model: history encoder, conditional VAE, meta-training, checkpoints + model cards."""

from genhpo.model.checkpoint import load_checkpoint, save_checkpoint
from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel, ModelConfig
from genhpo.model.train import TrainConfig, train

__all__ = ["GenerativeModel", "Layout", "ModelConfig", "TrainConfig", "load_checkpoint", "save_checkpoint", "train"]
