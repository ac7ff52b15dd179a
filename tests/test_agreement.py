"""The agreement statistics: published worked examples, independent implementations on random
codings (to 1e-9), and degenerate data (an explicit Undefined, never NaN or a crash)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from realistcoder.audit import agreement as ag

N = None
# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", nominal example with missing
# values: 4 coders (rows) x 12 units (columns); alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# Fleiss' kappa worked example (10 subjects, 14 raters, 5 categories; n_ij counts): 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def units_of(rows_by_rater):
    return [list(u) for u in zip(*rows_by_rater, strict=True)]


def expand(table):
    """Counts per category -> one rater column per rating (Fleiss needs no rater identity)."""
    return [[k for k, n in enumerate(row) for _ in range(n)] for row in table]


# --------------------------------------------------------------------------- published examples


def test_krippendorff_2011_nominal_example_with_missing_values():
    alpha = ag.krippendorff_alpha(units_of(KRIPPENDORFF_2011))
    assert round(alpha, 3) == 0.743
    # exact: 1 - (n - 1) * D_o / D_e = 1 - 39 * 10 / 1520 with n = 40 pairable values
    assert alpha == pytest.approx(1 - 39 * 10 / 1520, abs=1e-12)


def test_gwet_ac1_on_the_same_four_rater_data():
    """Gwet (2014) Handbook, 4 raters x 12 units: p_a = 0.818, p_e = 0.190, AC1 = 0.775."""
    units = units_of(KRIPPENDORFF_2011)
    assert round(ag.percent_agreement(units), 3) == 0.818
    assert round(ag.gwet_ac1(units), 3) == 0.775


def test_fleiss_worked_example():
    kappa = ag.fleiss_kappa_counts(np.array(FLEISS_TABLE))
    assert round(kappa, 3) == 0.210
    assert ag.fleiss_kappa(expand(FLEISS_TABLE)) == pytest.approx(kappa, abs=1e-12)


def test_cohen_worked_example():
    """50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = .7, p_e = .5, kappa = .4."""
    units = [[1, 1]] * 20 + [[1, 0]] * 5 + [[0, 1]] * 10 + [[0, 0]] * 15
    assert ag.cohen_kappa(units) == pytest.approx(0.4, abs=1e-12)
    assert ag.percent_agreement(units) == pytest.approx(0.7, abs=1e-12)
    assert ag.pair_counts(units) == {"both": 20, "only_a": 5, "only_b": 10, "neither": 15}
    assert ag.positive_agreement(units) == pytest.approx(40 / 55, abs=1e-12)


def test_kappa_paradox_ac1_stays_high_for_a_rare_code():
    """Two reviewers agree on 98 of 100 sentences, a rare code: kappa low, AC1 high."""
    units = [[1, 0], [0, 1]] + [[0, 0]] * 98
    assert ag.cohen_kappa(units) == pytest.approx(-0.0101, abs=1e-3)
    assert ag.gwet_ac1(units, categories=(0, 1)) > 0.97
    assert ag.positive_agreement(units) == 0.0


# --------------------------------------------------------------------------- independent packages


def random_units(rng: random.Random, n_raters: int, n_units: int, n_cats: int, p_missing: float,
                 p_agree: float):
    units = []
    for _ in range(n_units):
        truth = rng.randrange(n_cats)
        row = []
        for _ in range(n_raters):
            if rng.random() < p_missing:
                row.append(None)
            else:
                row.append(truth if rng.random() < p_agree else rng.randrange(n_cats))
        units.append(row)
    return units


def is_undefined(x) -> bool:
    return isinstance(x, ag.Undefined)


@pytest.mark.parametrize("seed", range(100))
def test_alpha_matches_krippendorff_package(seed):
    krippendorff = pytest.importorskip("krippendorff")
    rng = random.Random(seed)
    units = random_units(rng, rng.randint(2, 6), rng.randint(2, 60), rng.randint(2, 5),
                         rng.choice([0, 0.1, 0.4]), rng.random())
    ours = ag.krippendorff_alpha(units)
    data = np.array([[np.nan if v is None else v for v in u] for u in units], dtype=float).T
    pairable = sum(sum(v is not None for v in u) >= 2 for u in units)
    values = {v for u in units if sum(x is not None for x in u) >= 2 for v in u if v is not None}
    if pairable < 2 or len(values) < 2:
        assert is_undefined(ours), ours
        return
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(100))
def test_fleiss_matches_statsmodels(seed):
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = random.Random(seed)
    units = random_units(rng, rng.randint(2, 7), rng.randint(2, 60), rng.randint(2, 5), 0,
                         rng.random())
    ours = ag.fleiss_kappa(units)
    table, _ = inter_rater.aggregate_raters(np.array(units))
    if table.shape[1] < 2:
        assert is_undefined(ours)
        return
    theirs = inter_rater.fleiss_kappa(table, method="fleiss")
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(100))
def test_cohen_matches_scikit_learn(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(seed)
    units = random_units(rng, 2, rng.randint(2, 80), rng.randint(2, 4), rng.choice([0, 0.2]),
                         rng.random())
    ours = ag.cohen_kappa(units)
    pairs = [u for u in units if None not in u]
    if len(pairs) < 2 or len({v for u in pairs for v in u}) < 2:
        assert is_undefined(ours)
        return
    a, b = zip(*pairs, strict=True)
    assert ours == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-9)


def gwet_reference(units, categories):
    """Gwet (2014) AC1 with missing ratings, written out from the handbook's formulas."""
    q = len(categories)
    rated = [[v for v in u if v is not None] for u in units]
    rated = [r for r in rated if r]
    pairable = [r for r in rated if len(r) >= 2]
    pa = sum(
        sum(r.count(k) * (r.count(k) - 1) for k in categories) / (len(r) * (len(r) - 1))
        for r in pairable) / len(pairable)
    pi = [sum(r.count(k) / len(r) for r in rated) / len(rated) for k in categories]
    pe = sum(p * (1 - p) for p in pi) / (q - 1)
    return (pa - pe) / (1 - pe)


@pytest.mark.parametrize("seed", range(100))
def test_ac1_and_percent_agreement_match_reference_formulas(seed):
    rng = random.Random(seed)
    n_cats = rng.randint(2, 4)
    units = random_units(rng, rng.randint(2, 5), rng.randint(2, 40), n_cats,
                         rng.choice([0, 0.3]), rng.random())
    cats = tuple(range(n_cats))
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    ours = ag.gwet_ac1(units, categories=cats)
    if len(pairable) < 2:
        assert is_undefined(ours)
        return
    assert ours == pytest.approx(gwet_reference(units, cats), abs=1e-9)
    # two raters, complete data: percent agreement is the plain share of agreeing units
    two = [u[:2] for u in units if None not in u[:2]]
    if two:
        share = sum(a == b for a, b in two) / len(two)
        assert ag.percent_agreement(two) == pytest.approx(share, abs=1e-12)


@pytest.mark.parametrize("seed", range(60))
def test_positive_agreement_two_raters_is_2a_over_2a_b_c(seed):
    rng = random.Random(seed)
    units = random_units(rng, 2, rng.randint(2, 50), 2, 0, rng.random())
    c = ag.pair_counts(units)
    ours = ag.positive_agreement(units)
    denominator = 2 * c["both"] + c["only_a"] + c["only_b"]
    if denominator == 0:
        assert is_undefined(ours)
    else:
        assert ours == pytest.approx(2 * c["both"] / denominator, abs=1e-12)


def test_fleiss_with_two_raters_is_scotts_pi():
    rng = random.Random(7)
    units = random_units(rng, 2, 40, 3, 0, 0.6)
    n = len(units)
    po = sum(a == b for a, b in units) / n
    pe = sum(((sum(a == k for a, _ in units) + sum(b == k for _, b in units)) / (2 * n)) ** 2
             for k in range(3))
    assert ag.fleiss_kappa(units) == pytest.approx((po - pe) / (1 - pe), abs=1e-12)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_interval_is_seeded_and_brackets_alpha():
    units = units_of(KRIPPENDORFF_2011)
    first = ag.alpha_bootstrap(units, n_boot=500, seed=3)
    again = ag.alpha_bootstrap(units, n_boot=500, seed=3)
    assert first == again
    assert first.low <= ag.krippendorff_alpha(units) <= first.high <= 1.0
    assert ag.alpha_bootstrap(units, n_boot=500, seed=4) != first


def test_bootstrap_over_clusters_keeps_clusters_together():
    rng = random.Random(11)
    units = random_units(rng, 2, 200, 2, 0, 0.7)
    clusters = [i // 4 for i in range(200)]
    ci = ag.alpha_bootstrap(units, clusters, n_boot=300, seed=0)
    assert isinstance(ci, ag.Interval) and ci.low < ci.high
    # one cluster holding every unit: every resample is the data itself
    same = ag.alpha_bootstrap(units + units, [0] * 200 + [1] * 200, n_boot=50)
    assert same.low == pytest.approx(same.high)


# --------------------------------------------------------------------------- degenerate data


@pytest.mark.parametrize("fn", [ag.cohen_kappa, ag.fleiss_kappa, ag.krippendorff_alpha])
def test_one_category_only_is_undefined(fn):
    result = fn([[0, 0]] * 10)
    assert is_undefined(result)
    assert "categor" in result.reason


def test_ac1_of_one_observed_category_on_a_binary_scale_is_one():
    assert ag.gwet_ac1([[0, 0]] * 10, categories=(0, 1)) == 1.0
    assert is_undefined(ag.gwet_ac1([[0, 0]] * 10))  # scale of one category
    assert is_undefined(ag.positive_agreement([[0, 0]] * 10))
    assert ag.percent_agreement([[0, 0]] * 10) == 1.0


@pytest.mark.parametrize("fn", [ag.cohen_kappa, ag.fleiss_kappa, ag.krippendorff_alpha,
                                ag.gwet_ac1])
def test_a_single_unit_is_undefined(fn):
    result = fn([[0, 1]])
    assert is_undefined(result) and "one unit" in result.reason


@pytest.mark.parametrize("fn", [ag.percent_agreement, ag.positive_agreement, ag.cohen_kappa,
                                ag.krippendorff_alpha, ag.gwet_ac1])
def test_no_overlap_is_undefined(fn):
    result = fn([[1, None], [None, 0], [0, None]])
    assert is_undefined(result) and "overlap" in result.reason


def test_no_units_and_missing_data():
    for fn in (ag.percent_agreement, ag.cohen_kappa, ag.fleiss_kappa, ag.krippendorff_alpha,
               ag.gwet_ac1):
        assert is_undefined(fn([]))
    assert "complete" in ag.fleiss_kappa([[1, 0], [1, None], [0, 0]]).reason
    assert "two reviewers" in ag.cohen_kappa([[1, 0, 1], [0, 0, 1]]).reason
    assert is_undefined(ag.alpha_bootstrap([[0, 0]] * 5))


def test_all_statistics_never_returns_nan():
    rng = random.Random(5)
    for _ in range(200):
        units = random_units(rng, rng.randint(1, 4), rng.randint(0, 6), 2, rng.random(),
                             rng.random())
        stats = ag.all_statistics(units, n_boot=20)
        for key, value in stats.items():
            if isinstance(value, float):
                assert math.isfinite(value), (key, units)


@pytest.mark.parametrize("seed", range(40))
def test_positive_agreement_many_raters_pools_every_pair(seed):
    """With m raters, positive agreement equals 2 x both / (2 x both + only one) summed over
    every pair of raters (complete data)."""
    rng = random.Random(seed)
    n_raters = rng.randint(3, 5)
    units = random_units(rng, n_raters, rng.randint(2, 40), 2, 0, rng.random())
    both = only = 0
    for i in range(n_raters):
        for j in range(i + 1, n_raters):
            c = ag.pair_counts([[u[i], u[j]] for u in units])
            both += c["both"]
            only += c["only_a"] + c["only_b"]
    ours = ag.positive_agreement(units)
    if both + only == 0:
        assert is_undefined(ours)
    else:
        assert ours == pytest.approx(2 * both / (2 * both + only), abs=1e-12)
