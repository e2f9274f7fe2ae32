"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, and the checker can see a break."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = [sys.executable, "-c",
        ("import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"),
        "--no-cache"]


def test_every_layer_contract_is_kept():
    done = subprocess.run(LINT, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_a_reversed_layering_is_reported_broken(tmp_path):
    """Proof that the checker reads genhpo's real imports: cli over spaces reversed must break."""
    config = tmp_path / "reversed.toml"
    config.write_text('[tool.importlinter]\nroot_packages = ["genhpo"]\n\n[[tool.importlinter.contracts]]\n'
                      'name = "reversed"\ntype = "layers"\nlayers = ["genhpo.spaces", "genhpo.cli"]\n')
    done = subprocess.run([*LINT, str(config)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1 and "BROKEN" in done.stdout, done.stdout + done.stderr
    assert "genhpo.cli" in done.stdout
