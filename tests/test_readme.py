"""The README's Python examples run as written (one namespace, in order), from the repository root."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the Syne Tune example names examples/train_digits.py relative to the root
    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path / "syne-tune"))  # its results, not in ~/syne-tune
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "README has no python examples"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["tuner"].tuner_path.is_relative_to(tmp_path)
    assert 0.9 < max(namespace["accuracies"]) <= 1.0
