"""research/bench_hpob.py --genhpo-checkpoint: genhpo chooses among the given checkpoints (a file or a
folder) by the shipped rule, records which one it ran with, and refuses a task none of them is for."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from genhpo.benchmarks.hpob import offline
from genhpo.benchmarks.hpob.task_benchmark import OfflineHPOBBenchmark
from genhpo.model.checkpoint import save_checkpoint
from genhpo.model.layout import Layout
from genhpo.model.network import GenerativeModel, ModelConfig
from genhpo.spaces import SpaceEncoder
from research import bench_hpob


def _checkpoint(path, holdout, optimizer=None):
    """An untrained (seeded) model for the HPOBench-MLP space with the given card entries."""
    layout = Layout.from_encoder(SpaceEncoder(OfflineHPOBBenchmark("kc1").config_space))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = GenerativeModel(layout, ModelConfig(embed=16, heads=2, layers=1, ff=16, hidden=16))
    _, card_path = save_checkpoint(model, path, {"benchmark": "hpob-offline", "holdout": holdout,
                                                 "optimizer": optimizer or {}})
    return card_path


@pytest.fixture
def run(offline_root, monkeypatch):
    monkeypatch.setattr(offline, "build", lambda *a, **k: offline_root)

    def _run(checkpoint, out):
        argv = ["--split", "validation", "--optimizers", "genhpo", "--trials", "8", "--seeds", "1",
                "--genhpo-checkpoint", str(checkpoint)] + (["--out", str(out)] if out else [])
        return bench_hpob.main(argv)

    return _run


def test_genhpo_runs_with_the_checkpoint_of_the_given_folder(run, tmp_path):
    folder = tmp_path / "ckpts"
    card_path = _checkpoint(folder / "mine", ["kc1", "credit_g"], {"temperature": 0.0, "local": 2})
    _checkpoint(folder / "other", ["vehicle"])  # not for kc1: never chosen
    (folder / "notes.json").write_text('{"not": "a card"}')  # skipped
    assert run(folder, tmp_path / "a") == 0
    ran = json.loads((tmp_path / "a" / "genhpo.settings.json").read_text())
    used = ran["runs"]["hpobench-mlp/kc1"]
    card = json.loads(card_path.read_text())
    assert ran["checkpoints"] == str(folder) and used["checkpoint_path"] == str(card_path)
    assert used["checkpoint"] == "mine" and used["checkpoint_sha256"] == card["sha256"]
    assert used["local"] == 2 and used["temperature"] == 0.0  # the card's optimizer entry is carried over
    curve = json.loads((tmp_path / "a" / "genhpo.json").read_text())["hpobench-mlp"]["kc1"]["test0"]
    assert len(curve) == 9 and np.all(np.diff(curve) >= 0)
    # the single checkpoint given by its path without suffix: the same run, the same curves (seeded)
    assert run(folder / "mine", tmp_path / "b") == 0
    assert (tmp_path / "b" / "genhpo.json").read_text() == (tmp_path / "a" / "genhpo.json").read_text()
    # ... and different weights from the shipped checkpoint's
    shipped = bench_hpob.checkpoint_cards("hpob-offline-hpobench-mlp")[0]
    assert shipped["sha256"] != used["checkpoint_sha256"]


def test_bad_checkpoint_arguments_are_usage_errors_naming_the_problem(run, tmp_path, capsys):
    _checkpoint(tmp_path / "wrong" / "other", ["vehicle"])
    with pytest.raises(SystemExit):
        run(tmp_path / "wrong", None)
    err = capsys.readouterr().err
    assert "none of the checkpoints is for hpob-offline task 'kc1'" in err and "other.json" in err
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit):
        run(tmp_path / "empty", None)
    assert "no model cards" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(tmp_path / "missing", None)
    err = capsys.readouterr().err
    assert f"no checkpoint '{tmp_path / 'missing'}'" in err and "shipped:" in err


def test_checkpoint_cards_without_option_is_none():
    assert bench_hpob.checkpoint_cards(None) is None
