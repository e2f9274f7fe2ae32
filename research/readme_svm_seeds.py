"""The README's plain ask/tell example (an SVM on scikit-learn's digits, 12 evaluations) over several
seeds: how often the cold-start optimizer's card gets a good SVM. Prints figures.

    python research/readme_svm_seeds.py --seeds 10 [--settings '{"refine": 0}']

Per seed: the best 3-fold cross-validated accuracy of the 12 evaluations; then the median and the
number of seeds below 0.9.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_accuracy(seed: int, settings: dict, evaluations: int = 12) -> float:
    from ConfigSpace import Categorical, ConfigurationSpace, Float
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.svm import SVC

    from genhpo import presets
    from genhpo.protocol import Result

    X, y = load_digits(return_X_y=True)
    space = ConfigurationSpace(seed=0)
    space.add([Float("C", (1e-2, 1e3), log=True), Float("gamma", (1e-5, 1e-1), log=True),
               Categorical("kernel", ["rbf", "sigmoid"])])
    optimizer = presets.for_space(space, seed=seed, **settings)
    accuracies = []
    for _ in range(evaluations):
        config = optimizer.ask()
        accuracies.append(cross_val_score(SVC(**dict(config)), X, y, cv=3).mean())
        optimizer.tell(config, Result(score=accuracies[-1]))
    return max(accuracies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--settings", default="{}", help="JSON suggestion settings over the card's")
    args = parser.parse_args(argv)
    best = np.array([best_accuracy(s, json.loads(args.settings)) for s in range(args.seeds)])
    print("best accuracy per seed:", " ".join(f"{b:.3f}" for b in best))
    print(f"median {np.median(best):.3f}; seeds below 0.9: {int((best < 0.9).sum())} of {len(best)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
