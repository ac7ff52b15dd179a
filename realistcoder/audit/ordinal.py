"""Agreement on an ordered scale (appraisal levels low < moderate < high): pure functions.

Input is reliability data as in :mod:`realistcoder.audit.agreement` (units x reviewers,
``None`` where a reviewer gave no value), with ``scale`` the categories in order.

- Linearly weighted kappa (Cohen 1968), two reviewers, units both rated: disagreement weight
  ``|i - j| / (k - 1)``; ``1 - sum(w * observed) / sum(w * expected)``.
- Krippendorff's alpha, ordinal metric (Krippendorff 2011): coincidence matrix ``o_ck`` over
  pairable units, ``n_c`` its margins, distance ``d_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2``;
  ``alpha = 1 - (n - 1) * sum o_ck d_ck / sum n_c n_k d_ck``.

Both return a float or :class:`~realistcoder.audit.agreement.Undefined` with the reason.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from realistcoder.audit.agreement import (
    NO_OVERLAP,
    ONE_UNIT,
    Undefined,
    Units,
    Value,
    both_coded,
    tabulate,
)


def weighted_kappa(data: Units, scale: Sequence[Hashable]) -> Value:
    """Cohen's kappa with linear weights, for exactly two reviewers."""
    t = tabulate(data, scale)
    v = both_coded(t, "weighted kappa", "Krippendorff's alpha")
    if isinstance(v, Undefined):
        return v
    k = len(t.categories)
    observed = np.bincount(v[:, 0] * k + v[:, 1], minlength=k * k).reshape(k, k) / len(v)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    w = np.abs(i - j) / (k - 1)
    denominator = float((w * expected).sum())
    if denominator == 0:
        return Undefined("each reviewer gave every unit one and the same level: expected "
                         "disagreement is zero")
    return 1.0 - float((w * observed).sum()) / denominator


def ordinal_alpha(data: Units, scale: Sequence[Hashable]) -> Value:
    """Krippendorff's alpha with the ordinal distance; reviewers may leave units unrated."""
    t = tabulate(data, scale)
    pairable = t.counts[t.pairable].astype(float)
    if len(pairable) == 0:
        return Undefined(NO_OVERLAP)
    if len(pairable) == 1:
        return Undefined(ONE_UNIT)
    k = len(t.categories)
    m = pairable.sum(axis=1)
    # coincidences: o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)
    o = np.einsum("uc,uk->ck", pairable, pairable / (m - 1)[:, None])
    o -= np.diag((pairable / (m - 1)[:, None]).sum(axis=0))
    n_c = o.sum(axis=1)
    if np.count_nonzero(n_c) < 2:
        return Undefined("only one level occurs: expected disagreement is zero")
    cum = np.concatenate([[0.0], np.cumsum(n_c)])
    lo, hi = np.minimum.outer(np.arange(k), np.arange(k)), np.maximum.outer(np.arange(k),
                                                                           np.arange(k))
    d = (cum[hi + 1] - cum[lo] - (n_c[:, None] + n_c[None, :]) / 2) ** 2
    n = n_c.sum()
    expected = float((np.outer(n_c, n_c) * d).sum())
    return 1.0 - (n - 1) * float((o * d).sum()) / expected
