"""docs/results.md is what the stored result files give (re-rendering changes nothing), and a changed
stored figure is caught."""

from __future__ import annotations

import json
import shutil

from research import results_page


def test_the_page_is_rendered_from_the_stored_files():
    assert results_page.main(["--check"]) == 0


def test_a_changed_stored_figure_changes_the_page(tmp_path, monkeypatch):
    stored = tmp_path / "results"
    shutil.copytree(results_page.STORED, stored)
    data = json.loads((stored / "nb201-transfer.json").read_text())
    first = next(iter(data.values()))
    entry = next(iter(first.values()))
    entry["regret"][0] = [r + 1.0 for r in entry["regret"][0]]
    (stored / "nb201-transfer.json").write_text(json.dumps(data))
    monkeypatch.setattr(results_page, "STORED", stored)
    assert results_page.main(["--check"]) == 1
