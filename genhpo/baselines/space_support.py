"""What a baseline needs from a ConfigSpace: a private seeded copy, a support check, a hashable key.

Each baseline works on its own copy of the caller's space, so that seeding or sampling (SMAC and
DEHB reseed the space they are given) never touches the benchmark's space or another optimizer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ConfigSpace import (
    CategoricalHyperparameter,
    Configuration,
    ConfigurationSpace,
    Constant,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

#: The hyperparameter types every baseline handles (ConfigSpace class names).
BASIC_TYPES: tuple[type, ...] = (
    CategoricalHyperparameter,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
    Constant,
)


def private_copy(config_space: ConfigurationSpace, seed: int | None = None) -> ConfigurationSpace:
    """An independent copy of ``config_space`` (its own sampler, seeded with ``seed``)."""
    space = ConfigurationSpace.from_serialized_dict(config_space.to_serialized_dict())
    if seed is not None:
        space.seed(int(seed))
    return space


def check_space(
    config_space: ConfigurationSpace,
    who: str,
    *,
    conditions: bool = False,
    forbiddens: bool = False,
    types: Iterable[type] = BASIC_TYPES,
) -> None:
    """Raise ValueError naming what ``who`` cannot handle in ``config_space`` (checked at construction)."""
    types = tuple(types)
    if len(config_space) == 0:
        raise ValueError(f"{who} needs a configuration space with at least one hyperparameter, got an empty one")
    if not conditions and config_space.conditions:
        raise ValueError(
            f"{who} does not support conditional hyperparameters ({len(config_space.conditions)} condition(s) in "
            f"the space); accepted: spaces without conditions"
        )
    if not forbiddens and config_space.forbidden_clauses:
        raise ValueError(
            f"{who} does not support forbidden clauses ({len(config_space.forbidden_clauses)} in the space); "
            f"accepted: spaces without forbidden clauses"
        )
    for hp in config_space.values():
        if not isinstance(hp, types):
            accepted = ", ".join(t.__name__ for t in types)
            raise ValueError(  # noqa: TRY004 - a space we cannot search is a bad value, like conditions
                f"{who} does not support hyperparameter {hp.name!r} of type {type(hp).__name__}; accepted: {accepted}"
            )


def config_key(config: Configuration | Mapping[str, Any]) -> tuple:
    """A hashable identity of a configuration (its active values sorted by name)."""
    return tuple(sorted(dict(config).items()))


def rebind(config: Configuration | Mapping[str, Any], config_space: ConfigurationSpace) -> Configuration:
    """The same values as a Configuration of ``config_space`` (the caller's space, not a private copy)."""
    return Configuration(config_space, values=dict(config))
