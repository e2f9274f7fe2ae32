"""The late phase (``late_after``, ``late``): one run hands its suggestions over to other settings once the
history is long enough; the settings are checked like any others and enter a run's identity only when used."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genhpo.suggest.config import SuggestConfig


@pytest.mark.parametrize("changes, message", [
    ({"late": {"gp": 100.0}}, "late and late_after go together"),
    ({"late_after": 10}, "late and late_after go together"),
    ({"late_after": 10, "late": {"gp_weight": 1.0}}, r"late: unknown suggestion settings \['gp_weight'\]"),
    ({"late_after": 10, "late": {"late_after": 3}}, r"late: unknown suggestion settings \['late_after'\]"),
    ({"late_after": 10, "late": {"exploration": 2.0}}, r"late: exploration must be in \[0, 1\]"),
    ({"late": {"exploration": 2.0}}, r"late: exploration must be in \[0, 1\]"),  # reported before the pairing
    ({"late": {"nope": 1}}, r"late: unknown suggestion settings \['nope'\]"),
    ({"late_after": 10, "late": {"gp_refit": 0}}, r"late: gp_refit must be an int >= 1"),
    ({"late_after": 10, "late": ["gp", 1.0]}, "late must be a mapping"),
    ({"late_after": -1, "late": {"gp": 1.0}}, "late_after must be an int >= 0"),
])
def test_bad_late_settings_name_the_problem(changes, message):
    with pytest.raises(ValueError, match=message):
        SuggestConfig().replace(**changes)


def test_late_settings_round_trip_and_identity():
    plain = SuggestConfig()
    assert "late" not in plain.identity_dict() and "late_after" not in plain.identity_dict()
    assert plain.late_config() is None
    config = plain.replace(gp=10.0, late_after=40, late={"gp": 100.0, "gp_ard": True})
    again = SuggestConfig.from_dict(json.loads(json.dumps(config.to_dict())))  # as a card stores it
    assert again == config and again.identity_dict()["late"] == {"gp": 100.0, "gp_ard": True}
    assert type(plain.replace(late_after=5, late={"gp_refit": np.int64(5)}).late["gp_refit"]) is int  # JSON-ready
    late = config.late_config()
    assert (late.gp, late.gp_ard, late.late_after, late.late) == (100.0, True, 0, {})
    assert late.replace(gp=10.0, gp_ard=False) == SuggestConfig(gp=10.0)


def test_the_run_hands_over_at_late_after(monkeypatch):
    """Until ``late_after`` results the asks are the card's own (same seed, same configurations); from then
    on the late settings rule: here a late initial design of 1000 makes every suggestion a uniformly random
    pick, so the ranking is never consulted again, and the run's identity names the late phase."""
    from ConfigSpace import ConfigurationSpace, Float

    from genhpo import presets
    from genhpo.protocol import Result
    from genhpo.suggest.ranking import Ranking

    space = ConfigurationSpace(seed=0)
    space.add([Float(f"x{i}", (0.0, 1.0)) for i in range(2)])
    scored = []
    original = Ranking.scorer
    monkeypatch.setattr(Ranking, "scorer", lambda self, c, X, y: scored.append(len(y)) or original(self, c, X, y))

    def run(**settings):
        optimizer, asked = presets.for_space(space, seed=4, **settings), []
        for _ in range(12):
            config = optimizer.ask()
            asked.append(dict(config))
            optimizer.tell(config, Result(score=-(config["x0"] - 0.3) ** 2 - config["x1"]))
        return optimizer, asked

    _, plain = run()
    scored.clear()
    optimizer, handed = run(late_after=8, late={"init_random": 1000})
    assert handed[:8] == plain[:8] and handed[8] != plain[8]  # ask 9 (index 8) is the first with 8 results
    assert scored and max(scored) < 8
    assert optimizer.settings()["late_after"] == 8 and optimizer.settings()["late"] == {"init_random": 1000}
