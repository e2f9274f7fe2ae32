"""The public surface: names importable from ``genhpo``, loaded on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_public_names_resolve_to_their_modules():
    import genhpo
    from genhpo.optimizer import GenerativeOptimizer
    from genhpo.suggest.config import SuggestConfig

    assert genhpo.GenerativeOptimizer is GenerativeOptimizer and genhpo.SuggestConfig is SuggestConfig
    assert genhpo.presets.__name__ == "genhpo.presets"
    assert set(genhpo.__all__) >= {"GenerativeOptimizer", "SuggestConfig", "presets", "run", "SpaceEncoder"}
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        genhpo.Nope  # noqa: B018


def test_the_spaces_layer_imports_without_torch():
    code = "import sys, genhpo.spaces, genhpo.spaces.rows; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
