import pytest
from ConfigSpace import CategoricalHyperparameter

from genhpo.spaces import SpaceEncoder, nb201


def test_space_has_one_categorical_per_edge_with_five_ops():
    space = nb201.config_space()
    assert list(space.keys()) == list(nb201.HP_NAMES)
    for hp in space.values():
        assert isinstance(hp, CategoricalHyperparameter)
        assert tuple(hp.choices) == nb201.OPS
    assert nb201.HP_NAMES[2] == "edge_2<-1"


def test_known_arch_string_maps_to_expected_edges_and_naslib_indices():
    arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    config = nb201.arch_str_to_config(arch)
    assert config["edge_1<-0"] == "nor_conv_3x3"
    assert config["edge_2<-0"] == "nor_conv_1x1"
    assert config["edge_2<-1"] == "avg_pool_3x3"
    assert config["edge_3<-0"] == "skip_connect"
    assert config["edge_3<-1"] == "none"
    assert config["edge_3<-2"] == "nor_conv_3x3"
    # NASLib: edges (1,2),(1,3),(1,4),(2,3),(2,4),(3,4) = 1<-0, 2<-0, 3<-0, 2<-1, 3<-1, 3<-2;
    # ops skip_connect=0, none=1, nor_conv_3x3=2, nor_conv_1x1=3, avg_pool_3x3=4.
    assert nb201.arch_str_to_naslib_op_indices(arch) == (2, 3, 0, 4, 1, 2)


def test_all_round_trips_are_exact_for_all_15625_cells():
    space = nb201.config_space()
    encoder = SpaceEncoder(space)
    cells = nb201.all_ops()
    assert len(set(cells)) == nb201.N_CELLS == 15_625
    seen_arch, seen_naslib, seen_vec = set(), set(), set()
    for ops in cells:
        arch = nb201.ops_to_arch_str(ops)
        config = nb201.arch_str_to_config(arch, space)
        assert nb201.config_to_ops(config) == ops
        assert nb201.config_to_arch_str(config) == arch
        naslib = nb201.arch_str_to_naslib_op_indices(arch)
        assert nb201.naslib_op_indices_to_arch_str(naslib) == arch
        vector = encoder.encode(config)
        assert vector.sum() == 6 and set(vector.tolist()) <= {0.0, 1.0}
        assert encoder.decode(vector) == config
        seen_arch.add(arch)
        seen_naslib.add(naslib)
        seen_vec.add(vector.tobytes())
    # the maps are injective: 15,625 distinct images each
    assert len(seen_arch) == len(seen_naslib) == len(seen_vec) == nb201.N_CELLS


@pytest.mark.parametrize(
    "arch, message",
    [
        ("|nor_conv_3x3~0|+|nor_conv_1x1~0|", "malformed"),
        ("|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown NB201 operation 'conv_5x5'"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "malformed"),
        (42, "must be a str"),
    ],
)
def test_bad_arch_strings_are_refused_by_name(arch, message):
    with pytest.raises(ValueError, match=message):
        nb201.arch_str_to_ops(arch)


def test_bad_naslib_indices_and_configs_are_refused():
    with pytest.raises(ValueError, match="6 entries"):
        nb201.naslib_op_indices_to_arch_str([0, 1, 2])
    with pytest.raises(ValueError, match="int in 0..4"):
        nb201.naslib_op_indices_to_arch_str([0, 1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="lacks NB201 edges"):
        nb201.config_to_ops({"edge_1<-0": "none"})
    with pytest.raises(ValueError, match="accepted: none, skip_connect"):
        nb201.ops_to_arch_str(["conv"] * 6)
