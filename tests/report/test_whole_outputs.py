"""Reports and exports appear whole or not at all: a writer that dies leaves the previous one as it was."""

from __future__ import annotations

import os
import shutil

import pytest

from genhpo.report import build, deepcave, plots
from genhpo.report.whole import replaced_whole


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_failing_writer_leaves_the_target_and_no_leftovers(tmp_path):
    target = tmp_path / "out"
    with replaced_whole(target) as fresh:
        (fresh / "a.txt").write_text("one")
    with pytest.raises(RuntimeError), replaced_whole(target) as fresh:
        (fresh / "a.txt").write_text("two")
        raise RuntimeError("killed")
    assert (target / "a.txt").read_text() == "one" and sorted(os.listdir(tmp_path)) == ["out"]
    # a writer killed between moving the old target aside and swapping the new one in: restored next time
    os.replace(target, tmp_path / ".out.old-99999")
    (tmp_path / ".out.new-99999").mkdir()
    with replaced_whole(target) as fresh:
        assert (target / "a.txt").read_text() == "one"
        (fresh / "a.txt").write_text("three")
    assert (target / "a.txt").read_text() == "three" and sorted(os.listdir(tmp_path)) == ["out"]


def test_a_report_that_dies_midway_keeps_the_previous_report(tmp_path, rs_store, monkeypatch):
    root = tmp_path / "exp"
    shutil.copytree(rs_store, root)
    report = build.build_report(root)
    before = _files(report)
    assert any(p.suffix == ".png" for p in before)

    def dies(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "regret_over_wallclock", dies)
    with pytest.raises(KeyboardInterrupt):
        build.build_report(root)
    assert _files(report) == before and not list(root.glob(".report.*"))


def test_an_export_that_dies_midway_keeps_the_previous_export(tmp_path, rs_store, monkeypatch):
    root = tmp_path / "exp"
    shutil.copytree(rs_store, root)
    folders = deepcave.export_deepcave(root)
    before = _files(root / "deepcave")
    assert folders and all(f.is_dir() and f.parent.parent == root / "deepcave" for f in folders)
    calls = []

    def dies_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    real = deepcave.write_trials
    monkeypatch.setattr(deepcave, "write_trials", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        deepcave.export_deepcave(root)
    assert _files(root / "deepcave") == before and not list(root.glob(".deepcave.*"))
