"""The default model of a space without a transfer checkpoint.

A shipped cold-start checkpoint whose space signature matches (``nb201-cold`` for NB201) is loaded;
otherwise a small model is meta-trained on synthetic tasks over this space at first use (about a
second; cached per process and space, seed fixed so every optimizer seed shares it).
"""

from __future__ import annotations

from typing import Any

from ConfigSpace import ConfigurationSpace

from genhpo.model.checkpoint import list_cards, load_checkpoint
from genhpo.model.network import GenerativeModel, ModelConfig
from genhpo.model.recipes import synthetic_recipe
from genhpo.model.train import TrainConfig, train
from genhpo.spaces import SpaceEncoder

#: The quick on-the-fly recipe (small: it runs whenever a space has no checkpoint).
QUICK_MODEL = ModelConfig(embed=16, heads=2, layers=1, ff=32, context=16, latent=2, hidden=32)
QUICK_TRAIN = TrainConfig(steps=60, batch_size=32, tasks_per_batch=4, lr=3e-3, max_len=30, eval_every=20,
                          patience=2, val_batches=2, val_histories=0, seed=0)

_CACHE: dict[str, tuple[GenerativeModel, dict[str, Any]]] = {}


def default_model(config_space: ConfigurationSpace) -> tuple[GenerativeModel, dict[str, Any]]:
    """(model, card) for ``config_space``: a matching shipped cold-start checkpoint, or a quick one."""
    signature = SpaceEncoder(config_space).signature()
    if signature in _CACHE:
        return _CACHE[signature]
    for card in list_cards():
        if card.get("kind") == "cold-start" and card["space_signature"] == signature:
            _CACHE[signature] = load_checkpoint(card["_path"], signature)
            return _CACHE[signature]
    recipe = synthetic_recipe(config_space, seed=0, n_val=2, rows=512)
    result = train(recipe.layout, recipe.source, recipe.val_tasks, QUICK_MODEL, QUICK_TRAIN, progress=False)
    card = {"name": "synthetic-on-the-fly", "kind": "cold-start", "data": recipe.data,
            "optimizer": {"init_random": 5, "local": 5, "local_after": 5, "exploration": 0.1},
            "validation_metrics": result.metrics, "training_seconds": result.seconds}
    _CACHE[signature] = (result.model, card)
    return _CACHE[signature]
