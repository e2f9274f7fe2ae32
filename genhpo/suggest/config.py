"""SuggestConfig: every setting of a suggestion, one documented field each, checked on construction.

A checkpoint's card carries the settings it was chosen with (its ``optimizer`` entry);
:meth:`SuggestConfig.from_card` reads them, refusing unknown keys. Runtime choices (torch threads,
paths) are not settings: they never change which configuration is proposed.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genhpo.model.records import SettingsRecord

#: settings whose default turns them off and that a run's identity leaves out while they are off
OFF_WHEN_DEFAULT = ("gp_ard", "polish", "gp_prior", "gp_refit", "late_after", "late")


@dataclass(frozen=True)
class SuggestConfig(SettingsRecord):
    """How candidates are generated, ranked and chosen.

    Attributes:
        temperature: scale of the Gumbel noise added to the ranking scores (0: the top candidate;
            > 0: a draw from softmax(score / temperature), by the Gumbel-max trick).
        exploration: probability of a uniformly random candidate instead of the top one; with
            ``local`` > 0 it is the probability of ranking every candidate instead of the neighbourhood.
        n_samples: continuous spaces: draws from p(x | I=1, c) per suggestion; as many uniform random
            vectors and (once results are in) as many perturbations of the 5 best rows join them.
        local: k > 0 ranks only the one-hyperparameter neighbours of the k best results (a mutation
            neighbourhood, as BANANAS optimises its acquisition; White et al., AAAI 2021), in a finite
            space or a pending pool, once ``local_after`` results are in and when any such neighbour is free.
        local_after: results needed before ``local`` applies.
        init_random: the first ``init_random`` suggestions are a uniformly random pick among the
            candidates (an initial design): a uniformly random configuration in a finite space or a
            pool; in a continuous space one of the candidates (model draws, which are clipped to the
            box and may sit on a bound, uniform draws, perturbations), so not uniform over the box.
        ridge: weight w of the ridge correction: the ranking is the density ratio plus w times a ridge
            regression of the history's standardised scores on its encoded rows (:mod:`genhpo.suggest.ridge`).
        ridge_l2: the ridge penalty (prior precision of the coefficients).
        local_scales: continuous spaces: the perturbations of the best rows take numeric steps of sd
            0.1 (1), or of one of k scales 0.1, 0.05, ..., 0.1 / 2^(k-1) (k > 1; :func:`perturb`).
        gp: weight of the Gaussian-process correction (standardised log expected improvement of a GP
            fitted on the history; :class:`genhpo.suggest.ranking.GPCorrection`); 0 = off.
        refine: spaces with numeric hyperparameters and no pool: rounds of acquisition optimisation, a
            local search on the ranking's score from the chosen candidate (:meth:`genhpo.suggest.core.Suggester.climb`),
            once ``refine_after`` results are in; 0 = off (the chosen candidate is suggested as drawn).
        refine_after: results needed before ``refine`` applies; at least 5, the GP correction's minimum.
        gp_ard: the GP correction's kernel has one length scale per encoded entry (automatic relevance
            determination) instead of one for all.
        gp_prior: the GP correction's hyperparameters are a MAP fit under Optuna ``GPSampler``'s priors
            (length scales near the unit box, small noise; :func:`genhpo.suggest.ranking.log_prior`)
            instead of maximum likelihood.
        polish: after ``refine``'s local search, at most this many L-BFGS-B iterations on the GP
            correction's log expected improvement over the numeric entries, categoricals held
            (:meth:`genhpo.suggest.core.Suggester.polish`); 0 = off. Applies where ``refine`` does and
            needs ``gp`` > 0.
        gp_refit: the GP correction's hyperparameters are fitted at every suggestion (1), or at most every
            k results: a suggestion whose history extends the last fitted one by fewer than k results
            conditions the GP on its whole history with the last fit's hyperparameters (no optimisation).
            A resumed run replays its asks, so it refits where the original run did.
        late_after: from this many results on (0: never), each suggestion follows the settings ``late``
            over these: a hand-over within one run (same model, same generators), e.g. from the card's
            early lead to a GP-led ranking's precision (decision 025).
        late: the late phase's setting overrides (any setting but ``late`` and ``late_after``); given
            exactly when ``late_after`` > 0.

    Raises ValueError naming the field for a value of the wrong type or out of range.
    """

    what = "suggestion settings"

    temperature: float = 0.1
    exploration: float = 0.0
    n_samples: int = 256
    local: int = 0
    local_after: int = 10
    init_random: int = 0
    ridge: float = 0.0
    ridge_l2: float = 3.0
    local_scales: int = 1
    gp: float = 0.0
    refine: int = 0
    refine_after: int = 5
    gp_ard: bool = False
    polish: int = 0
    gp_prior: bool = False
    gp_refit: int = 1
    late_after: int = 0
    late: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, low, zero_ok in (("temperature", 0.0, True), ("ridge", 0.0, True), ("ridge_l2", 0.0, False),
                                   ("gp", 0.0, True)):
            value = getattr(self, name)
            if (not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value)
                    or value < low or (value == low and not zero_ok)):
                raise ValueError(f"{name} must be a finite number {'>=' if zero_ok else '>'} 0, got {value!r}")
            object.__setattr__(self, name, float(value))
        for name in ("gp_ard", "gp_prior"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")  # noqa: TRY004 (settings errors are ValueError)
        value = self.exploration
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
            raise ValueError(f"exploration must be in [0, 1], got {value!r}")
        object.__setattr__(self, "exploration", float(value))
        for name, low, why in (("n_samples", 1, ""), ("local", 0, ""), ("local_after", 0, ""), ("init_random", 0, ""),
                               ("local_scales", 1, ""), ("refine", 0, ""), ("polish", 0, ""), ("gp_refit", 1, ""),
                               ("late_after", 0, ""),
                               ("refine_after", 5, " (the GP correction's minimum of results)")):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an int >= {low}{why}, got {value!r}")
            object.__setattr__(self, name, int(value))  # a numpy integer is stored as an int
        self._check_late()

    def _check_late(self) -> None:
        """ValueError (prefixed ``late:`` for what is inside it) unless ``late`` is a mapping of known settings
        (not ``late``, ``late_after``) with valid values, given exactly when ``late_after`` > 0; stores it as a
        plain dict of values normalised as any settings are (a numpy integer as an int)."""
        if not isinstance(self.late, Mapping):
            raise ValueError(f"late must be a mapping of settings, got {self.late!r}")  # noqa: TRY004
        late = dict(self.late)
        allowed = [f.name for f in dataclasses.fields(self) if f.name not in ("late", "late_after")]
        unknown = sorted(set(late) - set(allowed))
        if unknown:
            raise ValueError(f"late: unknown {self.what} {unknown}; accepted: {', '.join(allowed)}")
        if late:
            try:
                phase = dataclasses.replace(self, late_after=0, late={}, **late)
            except ValueError as exc:
                raise ValueError(f"late: {exc}") from None
            late = {k: getattr(phase, k) for k in late}
        object.__setattr__(self, "late", late)
        if bool(late) != bool(self.late_after):
            raise ValueError(f"late and late_after go together: late_after {self.late_after} with "
                             f"late {late!r} (late_after > 0 needs the late settings, and they need it; "
                             "to turn a card's late phase off, give late_after=0 and late={})")

    def late_config(self) -> SuggestConfig | None:
        """The settings from ``late_after`` results on (None without a late phase)."""
        return dataclasses.replace(self, late_after=0, late={}, **self.late) if self.late_after else None

    @classmethod
    def from_card(cls, card: Mapping[str, Any] | None) -> SuggestConfig:
        """The settings of a model card's ``optimizer`` entry (defaults for the rest; unknown keys refused)."""
        entry = (card or {}).get("optimizer") or {}
        if not isinstance(entry, Mapping):
            raise ValueError(f"a card's optimizer entry must be a JSON object, got {entry!r}")  # noqa: TRY004
        return cls.from_dict(entry)

    def identity_dict(self) -> dict[str, Any]:
        """The settings that identify a run: :meth:`to_dict` without the ``OFF_WHEN_DEFAULT`` settings that
        are at their default, which leaves a run's identity (and a stored run's resumption) unchanged by
        a setting added later that it does not use."""
        defaults = {f.name: f.default_factory() if f.default is dataclasses.MISSING else f.default
                    for f in dataclasses.fields(self)}
        return {k: v for k, v in self.to_dict().items() if k not in OFF_WHEN_DEFAULT or v != defaults[k]}

    def replace(self, **changes: Any) -> SuggestConfig:
        """A copy with ``changes`` applied; ValueError naming unknown keys and the accepted ones."""
        accepted = [f.name for f in dataclasses.fields(self)]
        unknown = set(changes) - set(accepted)
        if unknown:
            raise ValueError(f"unknown {self.what} {sorted(unknown)}; accepted: {', '.join(accepted)}")
        return dataclasses.replace(self, **changes)
