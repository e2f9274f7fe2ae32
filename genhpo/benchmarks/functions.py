"""``make("functions", name)``: standard synthetic test functions of the BO literature, from BoTorch.

Spaces a user would write for them, never seen by any checkpoint: one ``x<i>`` float per input
dimension over the function's usual domain, except ``ackley-mixed10`` (7 binary categoricals
``x0..x6`` with choices 0 and 1, then 3 floats ``x7..x9`` in [0, 1]). Score = -f(x), so
scores are maximised as everywhere in genhpo; optimum = -f*; regret = f(x) - f*. Evaluations are
noise-free and cost nothing (``cost = 0``), so wall-clock curves show optimizer overhead alone.

=================  ===  ===========================  ==========  ====================================
name               d    domain                       f*          BoTorch class
=================  ===  ===========================  ==========  ====================================
``branin``         2    [-5, 10] x [0, 15]           0.397887    ``Branin``
``hartmann3``      3    [0, 1]^3                     -3.86278    ``Hartmann(dim=3)``
``ackley5``        5    [-32.768, 32.768]^5          0           ``Ackley(dim=5)``
``rosenbrock4``    4    [-5, 10]^4                   0           ``Rosenbrock(dim=4)``
``levy10``         10   [-10, 10]^10                 0           ``Levy(dim=10)``
``ackley-mixed10`` 10   {0, 1}^7 x [0, 1]^3          0           ``AckleyMixed(dim=10)``
=================  ===  ===========================  ==========  ====================================

The formulas and optima are BoTorch's (``botorch.test_functions.synthetic``, after Surjanovic &
Bingham's Virtual Library of Simulation Experiments); the optimum is -f at BoTorch's listed optimizers
(the tabulated f* is rounded). ``ackley-mixed10``'s optimum is moved from the
origin to a point drawn once with torch's generator seeded 0 (BoTorch's ``randomize_optimum``), so
that a method which tries the corner of the box first gains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from ConfigSpace import Categorical, ConfigurationSpace, Float

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Result

#: name -> (BoTorch class name, keyword arguments)
FUNCTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "branin": ("Branin", {}),
    "hartmann3": ("Hartmann", {"dim": 3}),
    "ackley5": ("Ackley", {"dim": 5}),
    "rosenbrock4": ("Rosenbrock", {"dim": 4}),
    "levy10": ("Levy", {"dim": 10}),
    "ackley-mixed10": ("AckleyMixed", {"dim": 10, "randomize_optimum": True}),
}


def _function(cls: str, kwargs: dict[str, Any]):
    import torch
    from botorch.test_functions import synthetic

    with torch.random.fork_rng():  # randomize_optimum draws from torch's global generator
        torch.manual_seed(0)
        return getattr(synthetic, cls)(**kwargs)


class FunctionBenchmark(Benchmark):
    """One BoTorch test function (see the module doc); ValueError for an unknown name."""

    name = "functions"
    score_unit = "units of f(x) (score = -f(x))"
    #: the functions this benchmark offers (a subclass may offer others, e.g. for selecting settings)
    functions: dict[str, tuple[str, dict[str, Any]]] = FUNCTIONS

    def __init__(self, dataset: str) -> None:
        super().__init__()
        if dataset not in self.functions:
            raise ValueError(f"unknown test function {dataset!r}; accepted: {', '.join(self.functions)}")
        self.dataset = dataset
        self._f = _function(*self.functions[dataset])
        self._discrete = set(getattr(self._f, "discrete_inds", ()))
        space = ConfigurationSpace(name=f"{self.name}-{dataset}", seed=0)
        for i, (lower, upper) in enumerate(self._f.bounds.T.tolist()):
            if i in self._discrete:
                space.add(Categorical(f"x{i}", [0, 1]))
            else:
                space.add(Float(f"x{i}", (lower, upper)))
        self._space = space
        # -f at BoTorch's listed optimizers (the best of them): the tabulated f* is rounded (Branin's
        # 0.397887 lies 3.6e-7 above f at its optimizers), and regret must reach exactly 0 there
        self._optimum = max(self.evaluate_point(point) for point in self._f._optimizers)

    @classmethod
    def available_datasets(cls) -> list[str]:
        return list(cls.functions)

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        """-f* as -f at BoTorch's listed optimizers (see ``__init__``)."""
        return self._optimum

    def evaluate_point(self, point: Any) -> float:
        """The score at a point given as a sequence of d numbers (the function's own input order): -f for
        a function to minimise (all of :data:`FUNCTIONS`), f for one BoTorch maximises (e.g. Cosine8)."""
        import torch

        x = torch.tensor([list(map(float, point))], dtype=torch.double)
        value = float(self._f.evaluate_true(x).item())
        return -value if getattr(self._f, "_is_minimization_by_default", True) else value

    @property
    def optimizer_location(self) -> dict[str, Any]:
        """A configuration where the optimum is reached (BoTorch's first listed optimizer)."""
        point = self._f._optimizers[0]
        return {f"x{i}": (round(v) if i in self._discrete else float(v)) for i, v in enumerate(point)}

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        return Result(score=self.evaluate_point([config[f"x{i}"] for i in range(self._f.dim)]), cost=0.0)
