"""Meta-training: task sources (tables, mixtures), synthetic priors, history batches, training, recipes."""

from genhpo.metatrain.train import TrainConfig, TrainResult, init_model, train

__all__ = ["TrainConfig", "TrainResult", "init_model", "train"]
