"""``genhpo train``: meta-train a checkpoint from a named recipe and write it with its model card.

    genhpo train nb201-holdout-cifar10 --out pretrained/nb201-holdout-cifar10 --seed 0
    genhpo train --list

With the seed and settings of a shipped card (its ``command`` field) the run reproduces the card's
validation metrics (training is deterministic on CPU).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from genhpo.model.checkpoint import PRETRAINED_DIR
from genhpo.model.network import ModelConfig
from genhpo.model.recipes import RECIPES, TRAIN_SETTINGS, train_recipe
from genhpo.model.settings import json_object
from genhpo.model.train import TrainConfig


def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to an argparse ``subparsers`` object; returns its parser."""
    p = subparsers.add_parser("train", help="meta-train the generative optimizer",
                              description="Meta-train a generative-optimizer checkpoint (see genhpo.model.recipes).")
    p.add_argument("recipe", nargs="?", choices=sorted(RECIPES), help="what to train on")
    p.add_argument("--list", action="store_true", help="list the recipes and exit")
    p.add_argument("--out", type=Path, help=f"checkpoint path without suffix (default: {PRETRAINED_DIR}/<recipe>)")
    p.add_argument("--seed", type=int, default=TrainConfig.seed)
    p.add_argument("--steps", type=int, default=None,
                   help="maximum steps (early stopping may end sooner; default: the recipe's, else "
                        f"{TrainConfig.steps})")
    p.add_argument("--threads", type=int, default=TrainConfig.threads, help="torch threads (1 is deterministic)")
    p.add_argument("--train-config", type=str, default=None,
                   help='JSON object of further TrainConfig settings, e.g. \'{"batch_size": 64}\'')
    p.add_argument("--model-config", type=str, default=None,
                   help='JSON object of ModelConfig settings, e.g. \'{"latent": 4}\'')
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_train)
    return p


def _train(args: argparse.Namespace) -> int:
    if args.list or args.recipe is None:
        for name in RECIPES:
            print(name)
        return 0 if args.list else 2
    settings = {**TRAIN_SETTINGS.get(args.recipe, {}), **json_object(args.train_config, "--train-config"),
                "seed": args.seed, "threads": args.threads}
    if args.steps is not None:
        settings["steps"] = args.steps
    config = TrainConfig.from_dict(settings)
    model_config = ModelConfig.from_dict(json_object(args.model_config, "--model-config"))
    out = args.out or PRETRAINED_DIR / args.recipe
    result = train_recipe(args.recipe, out, config, model_config, progress=not args.quiet)
    print(json.dumps({"checkpoint": str(Path(out).with_suffix(".pt")), "steps": result.steps,
                      "seconds": round(result.seconds, 1), "validation_metrics": result.metrics}, indent=2))
    return 0
