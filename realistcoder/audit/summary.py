"""Agreement per code and overall (micro and macro) for a :class:`Selection`, as plain data.

Figures are floats or ``None``; every ``None`` has a ``notes`` entry saying why. The result is
what ``realistcoder audit --format json`` prints.
"""

from __future__ import annotations

from itertools import combinations

from realistcoder.audit import agreement as ag
from realistcoder.audit.units import Selection

FIGURES = ("percent_agreement", "positive_agreement", "cohen_kappa", "fleiss_kappa",
           "krippendorff_alpha", "gwet_ac1")
NAMES = {
    "percent_agreement": "percent agreement",
    "positive_agreement": "positive specific agreement",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "krippendorff_alpha_ci": "alpha 95% CI",
    "gwet_ac1": "Gwet's AC1",
}
DEFINITIONS = {
    "unit": "a sentence; a coding spanning sentences counts for each sentence it covers; "
            "units are the running-text and list sentences of the compared documents plus any "
            "other sentence a compared reviewer coded",
    "reviewed": "a reviewer reviewed a document when they decided at least one proposal in it "
                "or coded something in it (undone decisions do not count); with --complete, "
                "only when they decided every proposal in it. Documents are compared when every "
                "compared reviewer reviewed them (with --allow-missing: at least two did)",
    "fleiss_kappa": "Fleiss (1971); with two reviewers it equals Scott's pi",
    "gwet_ac1": "Gwet (2008): chance agreement from the average prevalence; stays stable for "
                "rare codes where kappa and alpha collapse",
    "per_code": "each code is present / absent per unit per reviewer; a role-only coding "
                "counts as the code role:ROLE",
    "per_role": "a role (context, mechanism, outcome) is present for a reviewer in a unit when "
                "they applied any code of that role, or the role alone",
    "micro": "all codes pooled: every (sentence, code) pair is one binary item",
    "macro": "the mean of the per-code figures over the codes where the figure is defined",
    "percent_agreement": "share of agreeing reviewer pairs per unit, averaged over units",
    "positive_agreement": "agreement on the units where anyone applied the code "
                          "(2 x both / (2 x both + only one)); uncoded text cannot inflate it",
    "krippendorff_alpha_ci": "percentile bootstrap over sentences (resampled with replacement; "
                             "a sentence keeps all its codes together), seeded",
}


def _figures(stats: dict, notes: list[str], *, ci: bool = True) -> dict:
    out: dict[str, object] = {}
    for key in FIGURES:
        value = stats[key]
        if isinstance(value, ag.Undefined):
            out[key] = None
            notes.append(f"{key}: {value.reason}")
        else:
            out[key] = value
    if ci:
        interval = stats["krippendorff_alpha_ci"]
        if isinstance(interval, ag.Interval):
            out["krippendorff_alpha_ci"] = {
                "low": interval.low, "high": interval.high, "level": interval.level,
                "n_boot": interval.n_boot, "n_dropped": interval.n_dropped,
                "seed": interval.seed, "method": "percentile bootstrap over sentences"}
            if interval.n_dropped:
                notes.append(f"krippendorff_alpha_ci: alpha was undefined in "
                             f"{interval.n_dropped} of {interval.n_boot} resamples (the code "
                             "was not drawn); the interval uses the others and is rough")
        else:
            out["krippendorff_alpha_ci"] = None
            if not isinstance(stats["krippendorff_alpha"], ag.Undefined) \
                    and interval is not ag.BOOTSTRAP_OFF:
                notes.append(f"krippendorff_alpha_ci: {interval.reason}")
    return out


def _counts(stats: dict, reviewers: list[str]) -> dict:
    out = {}
    if "counts" in stats:
        c = stats["counts"]
        out["counts"] = {"a": reviewers[0], "b": reviewers[1], **c}
    if "by_number_coding" in stats:
        out["by_number_coding"] = stats["by_number_coding"]
    return out


def summarize(sel: Selection, *, n_boot: int = 1000, seed: int = 0) -> dict:
    """The whole agreement report for a selection."""
    reviewers = sel.reviewers
    codes: dict[str, dict] = {}
    for code in sel.codes:
        info = sel.code_info.get(code, {})
        stats = ag.all_statistics(sel.matrix(code), n_boot=n_boot, seed=seed)
        notes: list[str] = []
        codes[code] = {
            "label": info.get("label"), "role": info.get("role"), "theory": info.get("theory"),
            "n_units": stats["n_units"], **_figures(stats, notes), **_counts(stats, reviewers),
            "notes": notes,
        }
    roles: dict[str, dict] = {}
    for role in sel.roles():
        stats = ag.all_statistics(sel.role_matrix(role), n_boot=n_boot, seed=seed)
        notes = []
        roles[role] = {"n_units": stats["n_units"], **_figures(stats, notes),
                       **_counts(stats, reviewers), "notes": notes}
    notes = []
    pooled, clusters = sel.pooled()
    if sel.codes and sel.units:
        stats = ag.all_statistics(pooled, clusters=clusters, n_boot=n_boot, seed=seed)
        overall = {"n_units": sel.n_pairable_units,
                   "n_items": stats["n_units"], "n_codes": len(sel.codes),
                   **_figures(stats, notes), **_counts(stats, reviewers)}
    else:
        if len(reviewers) < 2:
            reason = "agreement needs two or more reviewers"
        elif not sel.units:
            reason = "no document was reviewed by all the compared reviewers"
        else:
            reason = "no code was used by the compared reviewers"
        overall = {"n_units": len(sel.units), "n_items": 0, "n_codes": 0,
                   **{k: None for k in FIGURES}, "krippendorff_alpha_ci": None}
        notes.append(f"all figures: {reason}")
    overall["method"] = "micro"
    overall["notes"] = notes
    overall["macro"] = _macro(codes)
    if len(reviewers) > 2 and sel.codes and sel.units:
        overall["pairwise"] = _pairwise(pooled, reviewers)
    return {
        "unit": "sentence",
        "reviewers": reviewers,
        "included": {
            "reviewers": reviewers,
            "documents": [{"id": d["id"], "document": d["document"]} for d in sel.documents],
            "n_documents": len(sel.documents),
            "n_units": len(sel.units),
        },
        "excluded": {"reviewers": sel.excluded_reviewers, "documents": sel.excluded_documents},
        "overall": overall,
        "codes": codes,
        "roles": roles,
        "notes": sel.notes,
        "definitions": DEFINITIONS,
    }


def _macro(codes: dict[str, dict]) -> dict:
    out: dict[str, object] = {"n_codes": len(codes)}
    notes: list[str] = []
    if not codes:
        out.update({k: None for k in FIGURES}, notes=["no code to average"])
        return out
    for key in FIGURES:
        vals = [c[key] for c in codes.values() if c[key] is not None]
        out[key] = sum(vals) / len(vals) if vals else None
        left = len(codes) - len(vals)
        if not vals:
            notes.append(f"{key}: undefined for every code")
        elif left:
            notes.append(f"{key}: mean of {len(vals)} of {len(codes)} codes "
                         f"({left} undefined)")
    out["notes"] = notes
    return out


def _pairwise(pooled: ag.Table, reviewers: list[str]) -> list[dict]:
    """Micro figures for each pair of reviewers (Cohen's kappa per pair; their mean is Light's
    kappa)."""
    out = []
    for i, j in combinations(range(len(reviewers)), 2):
        v = pooled.values[:, [i, j]]
        pair = ag.Table(v[(v >= 0).all(axis=1)], pooled.categories)
        entry = {"a": reviewers[i], "b": reviewers[j], "n_items": len(pair.values)}
        notes: list[str] = []
        for key, fn in (("percent_agreement", ag.percent_agreement),
                        ("positive_agreement", ag.positive_agreement),
                        ("cohen_kappa", ag.cohen_kappa)):
            value = fn(pair)
            entry[key] = None if isinstance(value, ag.Undefined) else value
            if isinstance(value, ag.Undefined):
                notes.append(f"{key}: {value.reason}")
        entry["counts"] = ag.pair_counts(pair)
        entry["notes"] = notes
        out.append(entry)
    return out
