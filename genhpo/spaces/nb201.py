"""The NAS-Bench-201 cell <-> ConfigSpace <-> NATS arch string <-> NASLib op indices.

A cell is a DAG on 4 nodes; each of its 6 edges (j -> i, j < i) carries one of 5 operations.
The NATS/NB201 string lists, for nodes 1..3, the operation into that node from each earlier node:
``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``. Its edge order, (1<-0), (2<-0), (2<-1), (3<-0), (3<-1),
(3<-2), is the order of :data:`EDGES` and of the configuration space's hyperparameters.

NASLib (``naslib/search_spaces/nasbench201/conversions.py``) orders edges by 1-based node pairs
(1,2),(1,3),(1,4),(2,3),(2,4),(3,4) and ops as skip_connect, none, nor_conv_3x3, nor_conv_1x1,
avg_pool_3x3; its index for edge (u, v) is the op of node v-1 from node u-1 in the arch string.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ConfigSpace import CategoricalHyperparameter, Configuration, ConfigurationSpace

#: The five operations, in NATS-Bench order (also the order of the choices of each hyperparameter).
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")

#: The six edges as (to_node, from_node), in arch-string order.
EDGES: tuple[tuple[int, int], ...] = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))

#: NASLib's op order for op indices, and its 1-based (from, to) edge order.
NASLIB_OPS: tuple[str, ...] = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NASLIB_EDGES: tuple[tuple[int, int], ...] = ((1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4))

N_CELLS = len(OPS) ** len(EDGES)  # 15,625

_ARCH_RE = re.compile(r"^\|([^|~+]+)~0\|\+\|([^|~+]+)~0\|([^|~+]+)~1\|\+\|([^|~+]+)~0\|([^|~+]+)~1\|([^|~+]+)~2\|$")


def edge_name(to_node: int, from_node: int) -> str:
    """Hyperparameter name of an edge, e.g. ``edge_2<-1`` (the op into node 2 from node 1)."""
    return f"edge_{to_node}<-{from_node}"


#: Hyperparameter names, in arch-string edge order.
HP_NAMES: tuple[str, ...] = tuple(edge_name(i, j) for i, j in EDGES)


def config_space(seed: int | None = None) -> ConfigurationSpace:
    """The NB201 cell as a ConfigurationSpace: one categorical per edge, five operations each."""
    space = ConfigurationSpace(name="nas-bench-201", seed=seed)
    space.add([CategoricalHyperparameter(name, list(OPS)) for name in HP_NAMES])
    return space


def _check_ops(ops: Sequence[str]) -> tuple[str, ...]:
    if len(ops) != len(EDGES):
        raise ValueError(f"a NB201 cell has {len(EDGES)} edges, got {len(ops)} operations")
    for op in ops:
        if op not in OPS:
            raise ValueError(f"unknown NB201 operation {op!r}; accepted: {', '.join(OPS)}")
    return tuple(ops)


def config_to_ops(config: Configuration | Mapping[str, Any]) -> tuple[str, ...]:
    """The six operations of a configuration, in arch-string edge order."""
    missing = [name for name in HP_NAMES if name not in config]
    if missing:
        raise ValueError(f"configuration lacks NB201 edges {missing}; expected names: {', '.join(HP_NAMES)}")
    return _check_ops([config[name] for name in HP_NAMES])


def ops_to_arch_str(ops: Sequence[str]) -> str:
    """``|a~0|+|b~0|c~1|+|d~0|e~1|f~2|`` from six operations in arch-string edge order."""
    a, b, c, d, e, f = _check_ops(ops)
    return f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"


def arch_str_to_ops(arch_str: str) -> tuple[str, ...]:
    """Inverse of :func:`ops_to_arch_str`; ValueError for a malformed string or an unknown op."""
    if not isinstance(arch_str, str):
        raise ValueError(f"arch string must be a str, got {type(arch_str).__name__}")  # noqa: TRY004 (documented)
    match = _ARCH_RE.match(arch_str.strip())
    if match is None:
        raise ValueError(
            f"malformed NB201 arch string {arch_str!r}; expected the form |op~0|+|op~0|op~1|+|op~0|op~1|op~2| "
            f"with op in {', '.join(OPS)}"
        )
    return _check_ops(match.groups())


def config_to_arch_str(config: Configuration | Mapping[str, Any]) -> str:
    return ops_to_arch_str(config_to_ops(config))


def arch_str_to_config(arch_str: str, space: ConfigurationSpace | None = None) -> Configuration:
    space = space if space is not None else config_space()
    return Configuration(space, values=dict(zip(HP_NAMES, arch_str_to_ops(arch_str))))


def arch_str_to_naslib_op_indices(arch_str: str) -> tuple[int, ...]:
    """NASLib's op indices: for each edge in NASLIB_EDGES, the index of its op in NASLIB_OPS."""
    by_edge = dict(zip(EDGES, arch_str_to_ops(arch_str)))
    return tuple(NASLIB_OPS.index(by_edge[(v - 1, u - 1)]) for u, v in NASLIB_EDGES)


def naslib_op_indices_to_arch_str(op_indices: Sequence[int]) -> str:
    """Inverse of :func:`arch_str_to_naslib_op_indices`."""
    indices = list(op_indices)
    if len(indices) != len(NASLIB_EDGES):
        raise ValueError(f"NASLib op indices have {len(NASLIB_EDGES)} entries, got {len(indices)}")
    by_edge = {}
    for (u, v), index in zip(NASLIB_EDGES, indices):
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(NASLIB_OPS):
            raise ValueError(f"NASLib op index must be an int in 0..{len(NASLIB_OPS) - 1}, got {index!r}")
        by_edge[(v - 1, u - 1)] = NASLIB_OPS[index]
    return ops_to_arch_str([by_edge[edge] for edge in EDGES])


def all_ops() -> list[tuple[str, ...]]:
    """All 15,625 cells as op tuples, in lexicographic order of OPS indices."""
    return list(itertools.product(OPS, repeat=len(EDGES)))


def all_configs(space: ConfigurationSpace | None = None) -> list[Configuration]:
    """All 15,625 cells as configurations of ``space`` (default: a fresh :func:`config_space`)."""
    space = space if space is not None else config_space()
    return [Configuration(space, values=dict(zip(HP_NAMES, ops))) for ops in all_ops()]
