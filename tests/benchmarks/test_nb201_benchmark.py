import numpy as np
import pytest

from genhpo.benchmarks import datasets, make
from genhpo.benchmarks.nb201 import NB201Benchmark
from genhpo.spaces import nb201

# Best mean validation accuracy reported in the NB201 paper (Dong & Yang, 2020, Table 5).
PAPER_OPTIMA = {"cifar10": 91.61, "cifar100": 73.49, "ImageNet16-120": 46.73}


@pytest.mark.parametrize("dataset", list(PAPER_OPTIMA))
def test_optimum_matches_the_nb201_paper(dataset):
    bench = NB201Benchmark(dataset)
    assert bench.optimum == pytest.approx(PAPER_OPTIMA[dataset], abs=0.01)
    configs, scores = bench.table()
    assert len(configs) == len(scores) == 15_625
    best = configs[int(np.argmax(scores))]
    assert bench.evaluate(best).score == pytest.approx(bench.optimum)


def test_table_keys_follow_arch_string_edge_order(nb201_cifar10):
    # A cell with no path from input to output trains to chance level (about 10% on cifar10),
    # whichever ops the other edges carry; this pins which table digit is which edge.
    configs, scores = nb201_cifar10.table()
    no_path_in = [s for c, s in zip(configs, scores) if all(c[f"edge_3<-{j}"] == "none" for j in range(3))]
    no_path_out = [s for c, s in zip(configs, scores) if all(c[f"edge_{i}<-0"] == "none" for i in range(1, 4))]
    assert len(no_path_in) == 125 and max(no_path_in) < 10.5
    assert len(no_path_out) == 125 and max(no_path_out) < 10.5
    assert np.median(scores) > 60


def test_evaluate_returns_score_cost_and_extra_metrics(nb201_cifar10):
    arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
    result = nb201_cifar10.evaluate(nb201.arch_str_to_config(arch, nb201_cifar10.config_space))
    assert result.ok and result.score == pytest.approx(91.6067, abs=1e-3)
    assert result.cost > 0
    assert set(result.metrics) == {"latency", "model_size"}
    assert result.metrics["model_size"] > 0


def test_noisy_evaluation_draws_one_seed_with_the_callers_rng(nb201_cifar10):
    config = dict(zip(nb201.HP_NAMES, ["nor_conv_3x3"] * 6))
    mean = nb201_cifar10.evaluate(config).score
    draws = [nb201_cifar10.evaluate(config, rng=np.random.default_rng(s)).score for s in range(30)]
    assert len(set(draws)) > 1  # the seeds differ
    assert min(draws) <= mean <= max(draws)
    again = [nb201_cifar10.evaluate(config, rng=np.random.default_rng(s)).score for s in range(30)]
    assert draws == again


def test_registry_and_bad_input(nb201_cifar10):
    assert datasets("nb201") == ["cifar10", "cifar100", "ImageNet16-120"]
    assert isinstance(make("nb201", "cifar100"), NB201Benchmark)
    with pytest.raises(ValueError, match="accepted: cifar10, cifar100, ImageNet16-120"):
        NB201Benchmark("imagenet")
    with pytest.raises(ValueError, match="unknown benchmark 'nb101'; accepted: "):
        make("nb101", "cifar10")
    with pytest.raises(ValueError, match="invalid configuration"):
        nb201_cifar10.evaluate({"edge_1<-0": "conv7x7"})
    with pytest.raises(ValueError, match="has no fidelity"):
        nb201_cifar10.evaluate(dict(zip(nb201.HP_NAMES, ["none"] * 6)), fidelity=12)


def test_related_tasks_are_the_other_two_datasets(nb201_cifar10):
    assert sorted(b.dataset for b in nb201_cifar10.related()) == ["ImageNet16-120", "cifar100"]
