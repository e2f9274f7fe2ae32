"""research/bench_hpob.py's validation protocol: the official evaluate on another split's tasks, with
initial designs from offline.initial_design, and the --genhpo-settings option."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genhpo.benchmarks.hpob import HPOBHandler, offline
from research import bench_hpob


def test_split_handler_runs_the_official_protocol_on_the_validation_tasks(offline_root):
    handler = bench_hpob.handler_for(offline_root, "validation")
    assert handler.get_search_spaces() == ["hpobench-mlp"] and handler.get_datasets("hpobench-mlp") == ["kc1"]
    design = offline.initial_design("hpobench-mlp", "kc1", 30000)
    assert [handler.initial_indices("hpobench-mlp", "kc1", s, 30000) for s in design] == list(design.values())
    # the same designs the offline root's file holds for kc1 (the file itself is left as it is)
    assert json.loads((offline_root / "bo-initializations.json").read_text())["hpobench-mlp"]["kc1"] == design

    class First:
        def observe_and_suggest(self, X_obs, y_obs, X_pen=None):
            return 0

    curve = handler.evaluate(First(), "hpobench-mlp", "kc1", "test2", 6)
    _, y = handler.task("hpobench-mlp", "kc1")
    yn = (y[:, 0] - y.min()) / (y.max() - y.min())
    rows = design["test2"] + [i for i in range(30000) if i not in design["test2"]][:6]
    assert curve == pytest.approx([yn[rows[: 5 + t]].max() for t in range(7)])
    with pytest.raises(ValueError, match="mode v3"):  # meta-test tasks are not among them
        handler.evaluate(First(), "hpobench-mlp", "credit_g", "test0", 1)


def test_test_split_is_the_official_handler_and_bad_splits_are_refused(offline_root):
    handler = bench_hpob.handler_for(offline_root, "test")
    assert type(handler) is HPOBHandler and handler.mode == "v3-test"
    assert handler.get_datasets("hpobench-mlp") == ["credit_g", "vehicle"]
    with pytest.raises(ValueError, match="accepted: test, validation"):
        bench_hpob.handler_for(offline_root, "valid")
    with pytest.raises(ValueError, match="accepted: train, validation, test"):
        bench_hpob.SplitHandler(offline_root, "meta-test")


def test_genhpo_settings_option():
    assert bench_hpob.genhpo_settings(None) == {}
    assert bench_hpob.genhpo_settings('{"local": 3, "temperature": 0}') == {"local": 3, "temperature": 0}
    with pytest.raises(ValueError, match="not valid JSON"):
        bench_hpob.genhpo_settings("{local: 3}")
    with pytest.raises(ValueError, match="must be a JSON object"):
        bench_hpob.genhpo_settings("[3]")
    with pytest.raises(ValueError, match=r"unknown genhpo settings \['lcoal'\]; accepted: temperature"):
        bench_hpob.genhpo_settings('{"lcoal": 3}')


def test_validation_run_writes_results_and_the_settings_genhpo_ran_with(offline_root, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(offline, "build", lambda *a, **k: offline_root)
    out = tmp_path / "val"
    argv = ["--split", "validation", "--optimizers", "rs,genhpo", "--trials", "25", "--seeds", "2", "--out", str(out),
            "--genhpo-settings", '{"local": 2, "local_after": 8, "temperature": 0}']
    assert bench_hpob.main(argv) == 0
    printed = capsys.readouterr().out
    assert "meta-validation tasks: {'hpobench-mlp': ['kc1']}" in printed and "rank@25" in printed
    curves = json.loads((out / "genhpo.json").read_text())["hpobench-mlp"]["kc1"]
    assert list(curves) == ["test0", "test1"] and all(len(c) == 26 and np.all(np.diff(c) >= 0) for c in curves.values())
    ran = json.loads((out / "genhpo.settings.json").read_text())
    assert ran["split"] == "validation" and ran["overrides"] == {"local": 2, "local_after": 8, "temperature": 0}
    assert ran["runs"]["hpobench-mlp/kc1"]["checkpoint"] == "hpob-offline-hpobench-mlp"
    assert ran["runs"]["hpobench-mlp/kc1"]["local"] == 2
    # the same run again gives the same curves (seeded), and --load scores the files
    again = tmp_path / "again"
    assert bench_hpob.main([*argv[:-3], str(again), *argv[-2:]]) == 0
    assert all((again / f).read_text() == (out / f).read_text() for f in ("rs.json", "genhpo.json"))
    assert bench_hpob.main([*argv[:-4], "--load", str(out)]) == 0
    with pytest.raises(SystemExit):
        bench_hpob.main(["--genhpo-settings", '{"temp": 0}'])
    assert "unknown genhpo settings" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench_hpob.main(["--split", "validation", "--optimizers", "re", "--load", str(out)])
    assert "no results file re.json" in capsys.readouterr().err
