from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace

from genhpo.baselines.random_search import RandomSearch
from genhpo.protocol import Result


def test_same_seed_same_sequence_and_caller_space_untouched(nb201_cifar10):
    space = nb201_cifar10.config_space
    before = space.sample_configuration()
    space.seed(123)
    expected_next = space.sample_configuration()
    space.seed(123)
    a = RandomSearch(space, 5)
    b = RandomSearch(space, 5)
    seq_a = [dict(a.ask()) for _ in range(20)]
    seq_b = [dict(b.ask()) for _ in range(20)]
    assert seq_a == seq_b
    assert seq_a != [dict(RandomSearch(space, 6).ask()) for _ in range(20)]
    assert space.sample_configuration() == expected_next  # the optimizer used its own sampler
    assert before is not None


def test_never_repeats_in_a_finite_space_until_exhausted():
    space = ConfigurationSpace()
    space.add([CategoricalHyperparameter("a", list("xyz")), CategoricalHyperparameter("b", list("uv"))])
    rs = RandomSearch(space, 0)
    rs.max_resamples = 500
    seen = []
    for _ in range(6):
        config = rs.ask()
        rs.tell(config, Result(score=0.0))
        seen.append(tuple(sorted(dict(config).items())))
    assert len(set(seen)) == 6
    try:
        rs.ask()
    except RuntimeError as exc:
        assert "exhausted" in str(exc)
    else:
        raise AssertionError("a seventh configuration cannot exist")
