"""Inter-coder agreement statistics for nominal codes (pure functions: no SQL, no I/O).

Input is *reliability data*: a sequence of units (sentences), each a sequence with one value per
reviewer, ``None`` where that reviewer did not code the unit. Values are any hashable categories;
for a single code they are ``1`` (code applied) and ``0`` (not applied). Callers with large data
pass a :class:`Table` (an integer matrix, -1 for missing) to skip the encoding.

Every statistic returns a ``float`` or an :class:`Undefined` carrying the reason (one category
only, a single unit, no overlap between reviewers, ...): never NaN, never an exception for
degenerate data.

Definitions (``n_uk`` = reviewers who gave category k to unit u, ``m_u`` = reviewers who coded u;
only units with ``m_u >= 2`` are *pairable*):

- percent agreement: mean over pairable units of the share of agreeing reviewer pairs
  ``sum_k n_uk (n_uk - 1) / (m_u (m_u - 1))``; with two reviewers, the share of units on which
  they agree.
- positive specific agreement (binary): ``sum_u n_u+ (n_u+ - 1) / sum_u n_u+ (m_u - 1)``
  (Uebersax 1982); with two reviewers ``2 both / (2 both + only A + only B)``.
- Cohen's kappa (Cohen 1960): two reviewers, units both coded; ``(p_o - p_e) / (1 - p_e)`` with
  ``p_e`` from each reviewer's own marginals.
- Fleiss' kappa (Fleiss 1971): any number of reviewers, every reviewer codes every unit (with two
  reviewers it equals Scott's pi).
- Krippendorff's alpha, nominal (Krippendorff 2011): coincidence matrix over pairable units,
  ``1 - (n - 1) D_o / D_e``; any number of reviewers, missing values allowed.
- Gwet's AC1 (Gwet 2008, 2014, with missing data): ``p_a`` as percent agreement,
  ``p_e = sum_k pi_k (1 - pi_k) / (K - 1)``, ``pi_k`` the mean over units coded by anyone of
  ``n_uk / m_u``; ``K`` is the number of categories on the scale (2 for present / absent).

The 95% interval for alpha is a nonparametric bootstrap over units (or over clusters of units,
e.g. all codes of one sentence): resample units with replacement, recompute alpha, take the
2.5th and 97.5th percentiles; resamples in which alpha is undefined are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

Units = Sequence[Sequence[Hashable | None]]


@dataclass(frozen=True)
class Undefined:
    """A statistic that cannot be computed on these data, and why."""

    reason: str

    def __str__(self) -> str:
        return f"undefined: {self.reason}"


Value = float | Undefined


class Table:
    """Reliability data encoded once: ``values[u, r]`` is the index of rater r's category for
    unit u in ``categories``, or -1 where r did not code u."""

    def __init__(self, values: np.ndarray, categories: Sequence[Hashable]):
        v = np.asarray(values, dtype=np.int64)
        self.values = v if v.ndim == 2 else v.reshape(len(v), -1)
        self.categories = tuple(categories)
        k = len(self.categories)
        v = self.values
        # counts[u, c] = n_uc: raters who gave unit u category c
        self.counts = np.stack([(v == c).sum(axis=1) for c in range(k)], axis=1) if k else \
            np.zeros((v.shape[0], 0), dtype=np.int64)
        self.n_raters = v.shape[1]
        self.complete = bool(v.size) and bool((v >= 0).all())

    @property
    def coded(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    @property
    def pairable(self) -> np.ndarray:
        return self.coded >= 2

    def positive_index(self, positive: Hashable) -> int | None:
        return self.categories.index(positive) if positive in self.categories else None


def tabulate(units: Units, categories: Sequence[Hashable] | None = None) -> Table:
    """Encode rows of values (``None`` = not coded) as a :class:`Table`.

    ``categories`` fixes the scale (e.g. ``(0, 1)`` for a binary code, so that a category nobody
    used still counts for Gwet's AC1); by default it is the sorted set of values observed.
    """
    if isinstance(units, Table):
        return units
    rows = [list(u) for u in units]
    n_raters = max((len(r) for r in rows), default=0)
    observed = {v for r in rows for v in r if v is not None}
    if categories is None:
        cats = tuple(sorted(observed, key=lambda v: (str(type(v)), v)))
    else:
        cats = tuple(categories)
        unknown = observed - set(cats)
        if unknown:
            raise ValueError(f"values outside the categories: {sorted(map(str, unknown))}")
    index = {c: i for i, c in enumerate(cats)}
    values = np.full((len(rows), n_raters), -1, dtype=np.int64)
    for u, row in enumerate(rows):
        for r, v in enumerate(row):
            if v is not None:
                values[u, r] = index[v]
    return Table(values, cats)


def _table(data: Units | Table, categories=None) -> Table:
    return tabulate(data, categories)


BOOTSTRAP_OFF = Undefined("the bootstrap was switched off")
NO_OVERLAP = "no unit was coded by two or more reviewers (no overlap)"
ONE_UNIT = "only one unit was coded by two or more reviewers: chance correction needs two or more"


def _pairable_or_reason(t: Table, chance_corrected: bool) -> str | None:
    n = int(t.pairable.sum())
    if n == 0:
        return NO_OVERLAP
    if chance_corrected and n == 1:
        return ONE_UNIT
    return None


def _observed_agreement(t: Table) -> float:
    c = t.counts[t.pairable].astype(float)
    m = c.sum(axis=1)
    per_unit = (c * (c - 1)).sum(axis=1) / (m * (m - 1))
    return float(per_unit.mean())


def percent_agreement(data: Units | Table) -> Value:
    """Share of agreeing reviewer pairs, averaged over units coded by two or more reviewers."""
    t = _table(data)
    reason = _pairable_or_reason(t, chance_corrected=False)
    return Undefined(reason) if reason else _observed_agreement(t)


def positive_agreement(data: Units | Table, positive: Hashable = 1) -> Value:
    """Positive specific agreement: agreement on the units where anyone applied ``positive``."""
    t = _table(data)
    reason = _pairable_or_reason(t, chance_corrected=False)
    if reason:
        return Undefined(reason)
    k = t.positive_index(positive)
    c = t.counts[t.pairable]
    pos = c[:, k] if k is not None else np.zeros(len(c), dtype=np.int64)
    denominator = int((pos * (c.sum(axis=1) - 1)).sum())
    if denominator == 0:
        return Undefined("no reviewer applied the code, so positive agreement is 0/0")
    return float((pos * (pos - 1)).sum() / denominator)


def pair_counts(data: Units | Table, positive: Hashable = 1) -> dict[str, int]:
    """Two reviewers, binary: units coded by both, only the first, only the second, neither."""
    t = _table(data)
    out = {"both": 0, "only_a": 0, "only_b": 0, "neither": 0}
    if t.n_raters < 2:
        return out
    k = t.positive_index(positive)
    v = t.values[:, :2]
    v = v[(v >= 0).all(axis=1)]
    a, b = (v[:, 0] == k), (v[:, 1] == k)
    out.update(both=int((a & b).sum()), only_a=int((a & ~b).sum()),
               only_b=int((~a & b).sum()), neither=int((~a & ~b).sum()))
    return out


def both_coded(t: Table, statistic: str, instead: str) -> np.ndarray | Undefined:
    """The (n, 2) category indices of the units both of exactly two reviewers coded, or why
    ``statistic`` (a two-reviewer one; ``instead`` names the alternatives) is undefined."""
    if t.n_raters != 2:
        return Undefined(f"{statistic} is for exactly two reviewers ({t.n_raters} here); "
                         f"see {instead}")
    v = t.values[(t.values >= 0).all(axis=1)]
    if len(v) == 0:
        return Undefined(NO_OVERLAP)
    if len(v) == 1:
        return Undefined(ONE_UNIT)
    return v


def cohen_kappa(data: Units | Table) -> Value:
    """Cohen's kappa for exactly two reviewers, on the units both coded."""
    t = _table(data)
    v = both_coded(t, "Cohen's kappa", "Fleiss' kappa or Krippendorff's alpha")
    if isinstance(v, Undefined):
        return v
    used = np.unique(v)
    if len(used) == 1:
        return Undefined(f"both reviewers gave every unit the same single category "
                         f"({t.categories[used[0]]!r}): expected agreement is 1 and kappa is 0/0")
    k = len(t.categories)
    m = np.bincount(v[:, 0] * k + v[:, 1], minlength=k * k).reshape(k, k)
    n = len(v)
    po = np.trace(m) / n
    pe = float((m.sum(axis=1) * m.sum(axis=0)).sum()) / n**2  # < 1: two categories occur
    return float((po - pe) / (1 - pe))


def fleiss_kappa_counts(counts: np.ndarray) -> Value:
    """Fleiss' kappa from a units x categories table of counts (same number of raters per unit)."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2 or counts.shape[0] == 0:
        return Undefined(NO_OVERLAP)
    m = counts.sum(axis=1)
    if m.min() != m.max():
        return Undefined("Fleiss' kappa needs every unit coded by the same number of reviewers; "
                         "see Krippendorff's alpha for missing data")
    r = int(m[0])
    if r < 2:
        return Undefined(NO_OVERLAP)
    n_units = counts.shape[0]
    if n_units == 1:
        return Undefined(ONE_UNIT)
    totals = counts.sum(axis=0)
    if np.count_nonzero(totals) < 2:
        return Undefined("only one category occurs: expected agreement is 1 and kappa is 0/0")
    p_bar = float(((counts * (counts - 1)).sum(axis=1) / (r * (r - 1))).mean())
    p_j = totals / (n_units * r)
    pe = float((p_j**2).sum())
    return (p_bar - pe) / (1 - pe)


def fleiss_kappa(data: Units | Table) -> Value:
    """Fleiss' kappa: every reviewer codes every unit (complete data)."""
    t = _table(data)
    if t.counts.shape[0] == 0:
        return Undefined(NO_OVERLAP)
    if not t.complete:
        missing = int((t.values < 0).any(axis=1).sum())
        return Undefined(f"Fleiss' kappa needs complete data ({missing} unit(s) not coded by "
                         "every reviewer); see Krippendorff's alpha")
    return fleiss_kappa_counts(t.counts)


def _alpha_from_sums(n_c: np.ndarray, agree: np.ndarray) -> np.ndarray:
    """Alpha from pairable category totals ``n_c`` (..., K) and coincidence diagonals sum."""
    n = n_c.sum(axis=-1)
    expected = n * n - (n_c * n_c).sum(axis=-1)  # sum_{c != k} n_c n_k
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - (n - 1) * (n - agree) / expected


def _alpha_parts(t: Table) -> tuple[np.ndarray, np.ndarray]:
    """Per pairable unit: category counts and ``sum_c n_uc (n_uc - 1) / (m_u - 1)``."""
    c = t.counts[t.pairable].astype(float)
    m = c.sum(axis=1)
    return c, (c * (c - 1)).sum(axis=1) / (m - 1)


def krippendorff_alpha(data: Units | Table) -> Value:
    """Krippendorff's alpha for nominal data; reviewers may leave units uncoded."""
    t = _table(data)
    reason = _pairable_or_reason(t, chance_corrected=True)
    if reason:
        return Undefined(reason)
    c, agree = _alpha_parts(t)
    n_c = c.sum(axis=0)
    if np.count_nonzero(n_c) < 2:
        return Undefined("only one category occurs: expected disagreement is zero")
    return float(_alpha_from_sums(n_c, agree.sum()))


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    level: float
    n_boot: int
    n_dropped: int  # resamples in which alpha was undefined
    seed: int


def alpha_bootstrap(
    data: Units | Table,
    clusters: Sequence[Hashable] | None = None,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval | Undefined:
    """Percentile bootstrap interval for nominal alpha, resampling units (or clusters of units).

    ``clusters`` gives each unit's cluster (e.g. the sentence of a sentence x code unit), so that
    a resample keeps a cluster's units together. Seeded: the same data give the same interval.
    """
    t = _table(data)
    point = krippendorff_alpha(t)
    if isinstance(point, Undefined):
        return point
    keep = t.pairable
    c, agree = _alpha_parts(t)
    if clusters is not None:
        labels = np.asarray(clusters)[keep]
        _, idx = np.unique(labels, return_inverse=True)
        n_clusters = int(idx.max()) + 1 if len(idx) else 0
        cc = np.zeros((n_clusters, c.shape[1]))
        np.add.at(cc, idx, c)
        c, agree = cc, np.bincount(idx, weights=agree, minlength=n_clusters)
    n_units = c.shape[0]
    if n_units < 2:
        return Undefined(ONE_UNIT)
    # Units with identical contributions are interchangeable, so drawing n units with
    # replacement is drawing multinomial counts over the distinct kinds of unit (same
    # distribution, far fewer numbers: a binary code has only a handful of kinds).
    kinds, counts = np.unique(np.column_stack([c, agree]), axis=0, return_counts=True)
    rng = np.random.default_rng(seed)
    values: list[np.ndarray] = []
    chunk = max(1, min(n_boot, 4_000_000 // len(kinds)))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        w = rng.multinomial(n_units, counts / n_units, size=b).astype(float)
        values.append(_alpha_from_sums(w @ kinds[:, :-1], w @ kinds[:, -1]))
        done += b
    alphas = np.concatenate(values)
    ok = np.isfinite(alphas)
    n_dropped = int((~ok).sum())
    if ok.sum() < n_boot / 2:
        return Undefined(f"alpha was undefined in {n_dropped} of {n_boot} bootstrap resamples "
                         "(too few units where the code was applied)")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(alphas[ok], [tail, 100 - tail])
    return Interval(float(low), float(high), level, n_boot, n_dropped, seed)


def gwet_ac1(data: Units | Table, categories: Sequence[Hashable] | None = None) -> Value:
    """Gwet's AC1; pass ``categories`` to fix the scale (``(0, 1)`` for a binary code)."""
    t = data if isinstance(data, Table) else tabulate(data, categories)
    reason = _pairable_or_reason(t, chance_corrected=True)
    if reason:
        return Undefined(reason)
    k = len(t.categories)
    if k < 2:
        return Undefined("the scale has a single category: AC1 needs two or more")
    pa = _observed_agreement(t)
    rated = t.counts[t.coded >= 1].astype(float)
    pi = (rated / rated.sum(axis=1, keepdims=True)).mean(axis=0)
    pe = float((pi * (1 - pi)).sum() / (k - 1))
    return (pa - pe) / (1 - pe)


def all_statistics(
    units: Units | Table,
    categories: Sequence[Hashable] = (0, 1),
    *,
    positive: Hashable = 1,
    clusters: Sequence[Hashable] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, object]:
    """Every statistic on one set of reliability data, as values or :class:`Undefined`."""
    t = tabulate(units, categories)
    out: dict[str, object] = {
        "n_units": int(t.pairable.sum()),
        "percent_agreement": percent_agreement(t),
        "positive_agreement": positive_agreement(t, positive),
        "cohen_kappa": cohen_kappa(t),
        "fleiss_kappa": fleiss_kappa(t),
        "krippendorff_alpha": krippendorff_alpha(t),
        "krippendorff_alpha_ci": (
            alpha_bootstrap(t, clusters, n_boot=n_boot, seed=seed) if n_boot > 0
            else BOOTSTRAP_OFF
        ),
        "gwet_ac1": gwet_ac1(t),
    }
    if t.n_raters == 2:
        out["counts"] = pair_counts(t, positive)
    k = t.positive_index(positive)
    if k is not None:
        pos = t.counts[t.pairable][:, k]
        out["by_number_coding"] = {
            str(i): int((pos == i).sum()) for i in range(t.n_raters + 1)
        }
    return out
