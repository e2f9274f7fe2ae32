"""Checkpoint + model card I/O: round trip, corrupt files, space-signature mismatch."""

from __future__ import annotations

import json

import pytest
import torch

from genhpo.model.checkpoint import load_checkpoint, read_card, resolve, save_checkpoint
from genhpo.spaces import SpaceEncoder
from tests.fixtures import tiny_model


def test_round_trip_gives_the_same_model(tmp_path, mixed_space):
    model = tiny_model(mixed_space, seed=1)
    weights, card_path = save_checkpoint(model, tmp_path / "m", {"recipe": "test", "holdout": "x"})
    assert weights.name == "m.pt" and card_path.name == "m.json"
    loaded, card = load_checkpoint(tmp_path / "m", SpaceEncoder(mixed_space).signature())
    assert card["recipe"] == "test" and card["space_signature"] == model.layout.signature
    assert {"torch", "numpy", "python"} <= set(card["versions"])
    X, y = torch.rand(4, 9), torch.randn(4)
    cands = torch.rand(6, 9)
    with torch.no_grad():
        a = model.eval().density_ratio(cands, model.context_of(X, y))
        b = loaded.density_ratio(cands, loaded.context_of(X, y))
    torch.testing.assert_close(a, b)
    assert resolve(tmp_path / "m.pt") == card_path


def test_signature_mismatch_is_refused(tmp_path, mixed_space, finite_space):
    save_checkpoint(tiny_model(mixed_space), tmp_path / "m", {})
    with pytest.raises(ValueError, match="space signature"):
        load_checkpoint(tmp_path / "m", SpaceEncoder(finite_space).signature())


def test_corrupt_weights_and_cards_are_refused(tmp_path, mixed_space):
    weights, card_path = save_checkpoint(tiny_model(mixed_space), tmp_path / "m", {})
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        load_checkpoint(tmp_path / "m")
    # a truncated file whose hash the card was updated to: torch cannot read it -> ValueError, not a crash
    weights.write_bytes(b"not a checkpoint")
    card = json.loads(card_path.read_text())
    import hashlib

    card["sha256"] = hashlib.sha256(b"not a checkpoint").hexdigest()
    card_path.write_text(json.dumps(card))
    with pytest.raises(ValueError, match="cannot load checkpoint"):
        load_checkpoint(tmp_path / "m")
    card_path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_card(tmp_path / "m")
    card_path.write_text("{}")
    with pytest.raises(ValueError, match="lacks"):
        read_card(tmp_path / "m")
    for not_an_object in ("null", "5", "[1, 2]", '"card"'):
        card_path.write_text(not_an_object)
        with pytest.raises(ValueError, match="must hold a JSON object"):
            read_card(tmp_path / "m")


def test_a_card_for_another_space_without_a_name_is_refused_by_path(tmp_path, mixed_space, finite_space):
    from genhpo.spaces import SpaceEncoder

    _, card_path = save_checkpoint(tiny_model(mixed_space), tmp_path / "m", {})
    card = json.loads(card_path.read_text())
    del card["name"]
    card_path.write_text(json.dumps(card))
    with pytest.raises(ValueError, match="was trained for space signature"):
        load_checkpoint(tmp_path / "m", SpaceEncoder(finite_space).signature())


def test_unknown_name_lists_the_shipped_checkpoints():
    with pytest.raises(ValueError, match="shipped"):
        resolve("no-such-checkpoint")
