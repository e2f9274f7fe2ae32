"""The HPO-B protocol on hand-made official-format files (values worked out in conftest's docstring)."""

from __future__ import annotations

import numpy as np
import pytest

from genhpo.benchmarks.hpob import files
from genhpo.benchmarks.hpob.handler import MODES, HPOBHandler
from genhpo.benchmarks.hpob.surrogate import Surrogate


def test_always_first_pending_gives_the_hand_computed_curve(hpob_root, constant_method):
    handler = HPOBHandler(hpob_root)
    method = constant_method(0)
    # test0 observes rows 0-4 (best .4); index 0 of the pending rows picks rows 5 (.8), 6 (.6), 7 (1).
    assert handler.evaluate(method, "s1", "d1", "test0", 3) == pytest.approx([0.4, 0.8, 0.8, 1.0])
    X_obs, y_obs, X_pen = method.calls[0]
    assert X_obs.shape == (5, 2) and y_obs.shape == (5, 1)
    assert y_obs.ravel() == pytest.approx([0.0, 0.2, 0.1, 0.4, 0.3])  # normalised over the whole task
    np.testing.assert_allclose(X_pen, [[0.5, 0.5], [0.6, 0.4], [0.7, 0.3]])  # ascending row order
    assert method.calls[2][0].shape == (7, 2) and method.calls[2][2].shape == (1, 2)


def test_index_is_mapped_through_the_pending_list(hpob_root, constant_method):
    handler = HPOBHandler(hpob_root)
    # test2 observes 2 0 4 6 1 (best .6); pending 3 5 7 -> index 1 is row 5 (.8), then pending 3 7 -> row 7.
    assert handler.evaluate(constant_method(1), "s1", "d1", "test2", 2) == pytest.approx([0.6, 0.8, 1.0])
    assert handler.evaluate(constant_method(0), "s1", "d1", "test1", 3) == pytest.approx([1.0] * 4)
    assert handler.evaluate(constant_method(2), "s1", "d1", "test0", 1, include_initial=False) == [1.0]


def test_pool_mode_stops_calling_once_the_optimum_is_observed_as_the_official_loop(hpob_root, constant_method):
    handler = HPOBHandler(hpob_root)
    # test1's initial rows already hold the best row (y 1.0): the official loop calls the method once,
    # then fills; test0 with index 0 reaches row 7 (1.0) at the third call, of five trials.
    once = constant_method(0)
    assert handler.evaluate(once, "s1", "d1", "test1", 3) == [1.0, 1.0, 1.0, 1.0]
    assert len(once.calls) == 1
    three = constant_method(0)
    assert handler.evaluate(three, "s1", "d1", "test0", 3) == pytest.approx([0.4, 0.8, 0.8, 1.0])
    assert len(three.calls) == 3
    always = constant_method(0)
    assert handler.evaluate(always, "s1", "d1", "test1", 3, stop_at_optimum=False) == [1.0, 1.0, 1.0, 1.0]
    assert len(always.calls) == 3


def test_methods_are_called_with_the_official_keywords_in_pool_mode_and_by_position_in_continuous(hpob_root):
    class KeywordsOnly:  # would fail if the arrays came by position
        def observe_and_suggest(self, *, X_obs, y_obs, X_pen=None):
            self.shapes = (X_obs.shape, y_obs.shape, X_pen.shape)
            return 0

    class Reordered:  # declares another order: keywords still put each array in its place
        def observe_and_suggest(self, X_pen=None, y_obs=None, X_obs=None):
            assert X_obs.shape == (5, 2) and y_obs.shape == (5, 1) and X_pen.shape == (3, 2)
            return 0

    handler = HPOBHandler(hpob_root)
    method = KeywordsOnly()
    handler.evaluate(method, "s1", "d1", "test0", 1)
    assert method.shapes == ((5, 2), (5, 1), (3, 2))
    assert handler.evaluate(Reordered(), "s1", "d1", "test0", 1) == pytest.approx([0.4, 0.8])


def test_numpy_integer_answers_are_accepted(hpob_root, constant_method):
    handler = HPOBHandler(hpob_root)
    assert handler.evaluate(constant_method(np.int64(0)), "s1", "d1", "test0", 1) == pytest.approx([0.4, 0.8])
    assert handler.evaluate(constant_method(np.array([0])), "s1", "d1", "test0", 1) == pytest.approx([0.4, 0.8])


@pytest.mark.parametrize("answer", [-1, 3, 1.5, "0", None, True, np.array([0, 1])])
def test_bad_index_is_a_value_error(hpob_root, constant_method, answer):
    with pytest.raises(ValueError, match="observe_and_suggest"):
        HPOBHandler(hpob_root).evaluate(constant_method(answer), "s1", "d1", "test0", 1)


def test_bad_task_seed_and_trials(hpob_root, constant_method):
    handler = HPOBHandler(hpob_root)
    m = constant_method(0)
    with pytest.raises(ValueError, match="unknown search space.*accepted: s1"):
        handler.evaluate(m, "s2", "d1", "test0", 1)
    with pytest.raises(ValueError, match="unknown dataset.*accepted: d1"):
        handler.evaluate(m, "s1", "t1", "test0", 1)  # a meta-train dataset is not in v3-test
    with pytest.raises(ValueError, match="unknown HPO-B seed 'test5'.*test0"):
        handler.evaluate(m, "s1", "d1", "test5", 1)
    with pytest.raises(ValueError, match="n_trials"):
        handler.evaluate(m, "s1", "d1", "test0", 0)
    with pytest.raises(ValueError, match="exceeds the 3 pending rows"):
        handler.evaluate(m, "s1", "d1", "test0", 4)
    with pytest.raises(TypeError, match="observe_and_suggest"):
        handler.evaluate(object(), "s1", "d1", "test0", 1)
    with pytest.raises(ValueError, match="unknown HPO-B mode 'v4'.*v3-test"):
        HPOBHandler(hpob_root, mode="v4")


def test_modes_follow_the_official_loading(hpob_root):
    assert HPOBHandler(hpob_root, "v3-test").meta_train_data is None
    v3 = HPOBHandler(hpob_root, "v3")
    assert sorted(v3.meta_train_data["s1"]) == ["t1", "t2"] and list(v3.meta_validation_data["s1"]) == ["v1"]
    assert v3.get_search_spaces() == ["s1"] and v3.get_datasets("s1") == ["d1"]
    assert "s9" in HPOBHandler(hpob_root, "v3-train-augmented").meta_train_data
    v2 = HPOBHandler(hpob_root, "v2")
    assert v2.meta_train_data is None and v2.get_datasets("s1") == ["t1", "t2", "d1", "v1"]
    v1 = HPOBHandler(hpob_root, "v1")
    assert v1.get_search_spaces() == ["s1", "s9"] and v1.get_datasets("s9") == ["a1"]
    assert v1.get_search_space_dim("s1") == 2 and v1.get_seeds() == list(files.SEEDS)
    assert set(MODES) == {"v1", "v2", "v3", "v3-test", "v3-train-augmented"}


def test_broken_initialisation_is_refused(hpob_root, constant_method):
    with pytest.raises(ValueError, match="5 distinct indices"):
        HPOBHandler(hpob_root, "v2").evaluate(constant_method(0), "s1", "t1", "test0", 1)


def test_missing_files_say_what_to_download(tmp_path, hpob_root, script_method):
    with pytest.raises(FileNotFoundError, match="hpob-data.zip"):
        HPOBHandler(tmp_path / "nowhere")
    no_surrogates = HPOBHandler(hpob_root, surrogates_dir=tmp_path / "none")
    with pytest.raises(FileNotFoundError, match="saved-surrogates.zip"):
        no_surrogates.evaluate_continuous(script_method([[0.1, 0.1]]), "s1", "d1", "test0", 1)
    (hpob_root / "meta-test-dataset.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"hpob-data.zip.*meta-test-dataset.json lies directly in"):
        HPOBHandler(hpob_root).get_search_spaces()


def test_files_are_parsed_once(hpob_root):
    a = HPOBHandler(hpob_root).meta_test_data
    b = HPOBHandler(hpob_root, "v3").meta_test_data
    assert a is b
    files.clear_cache()
    assert HPOBHandler(hpob_root).meta_test_data is not a


def test_continuous_keeps_the_stale_last_incumbent_by_default(hpob_root, script_method):
    handler = HPOBHandler(hpob_root)
    answers = [np.array([0.1, 0.1]), [[0.2, 0.2]], np.array([0.9, 0.9])]  # surrogate: 0, 0, 10
    method = script_method(answers)
    # initial raw y 1 3 2 5 4 -> (y - 0) / 10 -> best .5; the last trial reaches 10 -> 1.0
    assert handler.evaluate_continuous(method, "s1", "d1", "test0", 3) == pytest.approx([0.5, 0.5, 0.5, 0.5])
    X_obs, y_obs, X_pen = method.calls[2]
    assert X_pen is None and X_obs.shape == (7, 2)
    assert y_obs.ravel() == pytest.approx([0.1, 0.3, 0.2, 0.5, 0.4, 0.0, 0.0])
    fixed = handler.evaluate_continuous(script_method(answers), "s1", "d1", "test0", 3, fix_last_incumbent=True)
    assert fixed == pytest.approx([0.5, 0.5, 0.5, 1.0])


def test_continuous_stops_at_y_max_as_the_official_loop(hpob_root, script_method):
    """The issue's fixture: answers [.9,.9] (surrogate 10 = y_max), [.1,.1], [.1,.1]; 3 trials from an
    initial best of .5. Official: stop after the first call, append the stale .5, fill with 1."""
    answers = [[0.9, 0.9], [0.1, 0.1], [0.1, 0.1]]
    official = script_method(answers)
    assert HPOBHandler(hpob_root).evaluate_continuous(official, "s1", "d1", "test0", 3) == [0.5, 0.5, 1.0, 1.0]
    assert len(official.calls) == 1
    fixed = script_method(answers)
    curve = HPOBHandler(hpob_root).evaluate_continuous(fixed, "s1", "d1", "test0", 3, fix_last_incumbent=True)
    assert curve == [0.5, 1.0, 1.0, 1.0] and len(fixed.calls) == 1


def test_continuous_clips_to_the_summary_range(hpob_root, script_method):
    # test1 starts from raw 11 9 7 5 4: 11 normalises to 1.1 and is clipped to 1.
    method = script_method([[0.9, 0.9]])
    assert HPOBHandler(hpob_root).evaluate_continuous(method, "s1", "d1", "test1", 1) == [1.0, 1.0]
    assert method.calls[0][1].max() == 1.0


@pytest.mark.parametrize("answer", [[0.1], [0.1, 0.2, 0.3], [[0.1, 0.1], [0.2, 0.2]], [0.5, float("nan")], [1.5, 0.2], "x"])
def test_bad_vector_is_a_value_error(hpob_root, script_method, answer):
    with pytest.raises(ValueError, match="observe_and_suggest"):
        HPOBHandler(hpob_root).evaluate_continuous(script_method([answer]), "s1", "d1", "test0", 1)


def test_nan_surrogate_output_is_a_value_error():
    class NanBooster:
        def num_features(self):
            return 2

        def predict(self, data):
            return np.array([np.nan], dtype=np.float32)

    with pytest.raises(ValueError, match="non-finite prediction"):
        Surrogate("surrogate-s-d", NanBooster(), 0.0, 1.0).predict(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="y_min < y_max"):
        Surrogate("surrogate-s-d", NanBooster(), 1.0, 1.0)
