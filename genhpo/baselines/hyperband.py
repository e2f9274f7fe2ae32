"""Hyperband (Li et al., JMLR 2018) around any ask/tell optimizer: it proposes, Hyperband schedules.

Synchronous brackets with reduction factor ``eta`` over the benchmark's fidelity range [r_min, R]:
s_max = floor(log_eta(R / r_min)); bracket s (s_max down to 0, then again) starts
n = ceil((s_max + 1) / (s + 1) * eta^s) configurations at budget R * eta^-s and runs successive
halving: after each rung the best floor(n_i / eta) are evaluated again at eta times the budget. On
``mlp-epochs`` (1-27 epochs, eta 3) the brackets are 27 at 1 epoch, 12 at 3, 6 at 9, 4 at 27.

The inner optimizer proposes a bracket's rung-0 configurations as one batch when it offers batch
suggestions (``ask(n)``: the generative optimizer counts each pending configuration as a poor result
so the next one of the batch goes elsewhere, as it does for parallel workers), otherwise one ``ask``
at a time; without that, n asks with no result in between would all follow the same history and
crowd one region. It is told each configuration once,
when its fate is known (eliminated, or evaluated at its bracket's last rung), with its result at the
highest budget it reached: the rule of Syne Tune's ``LastValueMultiFidelitySearcher``, which its
model-based ASHA variants use (and :mod:`genhpo.integrations.syne_tune` follows). With random search
inside, this is Hyperband itself (``hyperband``); with the generative optimizer, ``genhpo-hb``.

A failed evaluation ranks below every success in its rung. The loop counts only full-budget
evaluations towards a run's budget; lower-budget ones are recorded with their fidelity and cost.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from ConfigSpace import Configuration

from genhpo.benchmarks.base import Fidelity
from genhpo.protocol import Optimizer, Result

#: the reduction factor Hyperband uses unless told otherwise
ETA = 3


class Hyperband(Optimizer):
    """Hyperband scheduling the configurations ``inner`` proposes (see the module doc).

    Args:
        inner: the optimizer that proposes configurations (its space and seed are Hyperband's).
        fidelity: the benchmark's fidelity range (ValueError if None: Hyperband needs one).
        eta: reduction factor (an int >= 2).
        name: the name runs record (``hyperband``, ``genhpo-hb``).
    """

    name = "hyperband"

    def __init__(self, inner: Optimizer, fidelity: Fidelity | None, eta: int = ETA, name: str = "hyperband") -> None:
        super().__init__(inner.config_space, inner.seed)
        self.name = name
        if fidelity is None:
            raise ValueError("Hyperband needs a benchmark with a fidelity (e.g. mlp-epochs); this one has none")
        if not isinstance(eta, int) or isinstance(eta, bool) or eta < 2:
            raise ValueError(f"eta must be an int >= 2, got {eta!r}")
        self.inner, self.fidelity_range, self.eta = inner, fidelity, eta
        self.batch = offers_batch(inner)
        self.s_max = math.floor(math.log(fidelity.upper / fidelity.lower, eta) + 1e-9)
        self._next_bracket = self.s_max
        self._queue: list[tuple[Configuration, float]] = []  # (configuration, budget) still to ask
        self._rung: list[tuple[Configuration, Result | None]] = []  # the current rung, results as they come
        self._rung_budget = 0.0
        self._rungs_left = 0  # rungs after the current one in this bracket
        self._asked_budget: float | None = None

    def _budget(self, value: float) -> float:
        return self.fidelity_range.snap(value)

    def _start_bracket(self) -> None:
        s = self._next_bracket
        self._next_bracket = self.s_max if s == 0 else s - 1
        n = math.ceil((self.s_max + 1) / (s + 1) * self.eta**s)
        budget = self._budget(self.fidelity_range.upper * self.eta ** (-s))
        configs = list(self.inner.ask(n)) if self.batch else [self.inner.ask() for _ in range(n)]
        self._queue = [(c, budget) for c in configs]
        self._rung, self._rung_budget, self._rungs_left = [], budget, s

    def _finish_rung(self) -> None:
        """Tell the inner optimizer the eliminated configurations; queue the promoted ones."""
        ranked = sorted(self._rung, key=lambda p: p[1].score if p[1].ok else -math.inf, reverse=True)
        keep = len(ranked) // self.eta if self._rungs_left > 0 else 0
        for config, result in ranked[keep:]:
            self.inner.tell(config, result)
        if keep:
            budget = self._budget(self._rung_budget * self.eta)
            self._queue = [(config, budget) for config, _ in ranked[:keep]]
            self._rung, self._rung_budget, self._rungs_left = [], budget, self._rungs_left - 1
        else:
            self._rung = []

    def ask(self) -> Configuration:
        if not self._queue:
            if any(result is None for _, result in self._rung):
                raise RuntimeError("Hyperband is synchronous: tell the results of its rung before asking again")
            if self._rung:
                self._finish_rung()
            if not self._queue:
                self._start_bracket()
        config, budget = self._queue.pop(0)
        self._rung.append((config, None))
        self._asked_budget = budget
        return config

    def fidelity(self, config: Configuration) -> float | None:
        """The budget of the configuration just asked."""
        return self._asked_budget

    def _tell(self, config: Configuration, result: Result) -> None:
        for i, (asked, told) in enumerate(self._rung):
            if told is None and dict(asked) == dict(config):
                self._rung[i] = (asked, result)
                break
        else:
            raise ValueError(f"tell() for a configuration Hyperband did not ask in this rung: {dict(config)}")
        if all(told is not None for _, told in self._rung) and not self._queue:
            self._finish_rung()

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "eta": self.eta, "min_budget": self.fidelity_range.lower,
                "max_budget": self.fidelity_range.upper, **({"batch": True} if self.batch else {}),
                "inner": self.inner.settings()}


def offers_batch(optimizer: Optimizer) -> bool:
    """Whether ``optimizer.ask`` takes ``n`` (a batch of n distinct configurations)."""
    return "n" in inspect.signature(optimizer.ask).parameters
