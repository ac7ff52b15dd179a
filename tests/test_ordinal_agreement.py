"""Agreement on ordered levels (appraisal) checked against independent implementations:
krippendorff's ordinal alpha and scikit-learn's linearly weighted kappa."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from realistcoder.audit.agreement import Undefined
from realistcoder.audit.ordinal import ordinal_alpha, weighted_kappa

SCALE = ("low", "moderate", "high")
cell = st.one_of(st.none(), st.sampled_from(SCALE))


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 4).flatmap(lambda r: st.lists(st.lists(cell, min_size=r, max_size=r),
                                                    min_size=2, max_size=25)))
def test_ordinal_alpha_matches_krippendorff(units):
    ours = ordinal_alpha(units, SCALE)
    data = np.array([[np.nan if v is None else SCALE.index(v) for v in u] for u in units],
                    dtype=float).T
    if isinstance(ours, Undefined):
        return
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal",
                                value_domain=[0, 1, 2])
    assert ours == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SCALE), st.sampled_from(SCALE)), min_size=2,
                max_size=30))
def test_weighted_kappa_matches_sklearn(pairs):
    ours = weighted_kappa([list(p) for p in pairs], SCALE)
    a = [SCALE.index(x) for x, _ in pairs]
    b = [SCALE.index(y) for _, y in pairs]
    if isinstance(ours, Undefined):
        assert len(set(a)) == 1 and len(set(b)) == 1
        return
    assert ours == pytest.approx(cohen_kappa_score(a, b, weights="linear", labels=[0, 1, 2]),
                                 abs=1e-9)


def test_degenerate_cases_say_why():
    assert "exactly two" in str(weighted_kappa([["low", "low", "high"]] * 3, SCALE))
    assert "no unit" in str(ordinal_alpha([["low", None], [None, "high"]], SCALE))
    assert "only one level" in str(ordinal_alpha([["low", "low"], ["low", "low"]], SCALE))
