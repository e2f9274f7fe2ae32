"""Random search: the protocol's reference optimizer.

Samples uniformly from the space with its own seeded ConfigSpace sampler; in a finite space it never
repeats a configuration (it resamples, and once the space is exhausted it raises).
"""

from __future__ import annotations

from ConfigSpace import Configuration, ConfigurationSpace

from genhpo.protocol import Optimizer, Result
from genhpo.spaces import SpaceEncoder


class RandomSearch(Optimizer):
    """Uniform random configurations; never the same one twice in a finite space."""

    name = "rs"
    max_resamples = 10_000

    def __init__(self, config_space: ConfigurationSpace, seed: int) -> None:
        super().__init__(config_space, seed)
        # A private copy of the space so that sampling never touches the caller's RNG state.
        self._space = ConfigurationSpace.from_serialized_dict(config_space.to_serialized_dict())
        self._space.seed(seed)
        self._finite = SpaceEncoder(config_space).is_finite
        self._seen: set[tuple] = set()

    def ask(self) -> Configuration:
        for _ in range(self.max_resamples):
            sampled = self._space.sample_configuration()
            key = tuple(sorted(dict(sampled).items()))
            if not self._finite or key not in self._seen:
                self._seen.add(key)
                return Configuration(self.config_space, values=dict(sampled))
        raise RuntimeError(
            f"random search found no unseen configuration in {self.max_resamples} draws after "
            f"{len(self._seen)} distinct ones: the finite space looks exhausted"
        )

    def _tell(self, config: Configuration, result: Result) -> None:
        self._seen.add(tuple(sorted(dict(config).items())))
