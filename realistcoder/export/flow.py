"""The document flow of a review (PRISMA-style): records identified, duplicates removed,
screened on title and abstract, full texts assessed, excluded with reasons, included, coded,
and feeding CMO configurations.

Two kinds of count meet here. Records the store never held (the search results, duplicates,
title-and-abstract exclusions, full texts excluded without being ingested) are *recorded*
counts (``realistcoder flow record``). Every ingested document is counted from its screening
state. Ingested documents are full texts: each one not excluded on title and abstract counts
as a full text assessed. When no identification counts were recorded, the number identified is
derived so that the boxes add up; when they were, a gap between the boxes is reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from realistcoder.export.diagram import Diagram, Edge, Node
from realistcoder.store import flow as fq
from realistcoder.store.db import Store

NOT_RECORDED = "(source not recorded)"
NO_REASON = "(reason not recorded)"


@dataclass
class Flow:
    identified: int = 0
    sources: list[tuple[str, int]] = field(default_factory=list)
    identified_recorded: bool = False
    duplicates: int = 0
    screened: int = 0
    excluded_title_abstract: int = 0
    title_abstract_reasons: list[tuple[str, int]] = field(default_factory=list)
    assessed: int = 0
    excluded_full_text: int = 0
    full_text_reasons: list[tuple[str, int]] = field(default_factory=list)
    awaiting: int = 0
    included: int = 0
    coded: int = 0
    in_cmocs: int = 0
    warnings: list[str] = field(default_factory=list)


def _merge(*counters: Counter) -> list[tuple[str, int]]:
    total: Counter = Counter()
    for c in counters:
        total.update(c)
    return sorted(((k, n) for k, n in total.items() if n), key=lambda kv: (-kv[1], kv[0]))


def compute_flow(store: Store) -> Flow:
    """The flow's counts from the recorded counts and the documents' screening state."""
    recorded: dict[str, Counter] = {s: Counter() for s in fq.STAGES}
    for row in fq.current_counts(store):
        unlabelled = NOT_RECORDED if row["stage"] == "identified" else NO_REASON
        recorded[row["stage"]][row["label"] or unlabelled] += row["n"]
    docs = fq.document_states(store)
    excluded = {stage: Counter((d["exclusion_reason"] or NO_REASON) for d in docs
                               if d["screening"] == "excluded" and d["screening_stage"] == stage)
                for stage in ("title_abstract", "full_text")}
    f = Flow()
    f.duplicates = sum(recorded["duplicates"].values())
    f.title_abstract_reasons = _merge(recorded["excluded_title_abstract"],
                                      excluded["title_abstract"])
    f.excluded_title_abstract = sum(n for _, n in f.title_abstract_reasons)
    f.full_text_reasons = _merge(recorded["excluded_full_text"], excluded["full_text"])
    f.excluded_full_text = sum(n for _, n in f.full_text_reasons)
    ingested_assessed = len(docs) - sum(excluded["title_abstract"].values())
    f.assessed = ingested_assessed + sum(recorded["excluded_full_text"].values())
    f.awaiting = sum(1 for d in docs if d["screening"] is None)
    included = [d for d in docs if d["screening"] == "included"]
    f.included = len(included)
    f.coded = sum(1 for d in included if d["coded"])
    f.in_cmocs = sum(1 for d in included if d["in_cmocs"])
    by_source = Counter(d["found_via"] or NOT_RECORDED for d in docs)
    if recorded["identified"]:
        f.identified_recorded = True
        extra = Counter({k: n for k, n in by_source.items()
                         if k != NOT_RECORDED and k not in recorded["identified"]})
        f.sources = _merge(recorded["identified"], extra)
        f.identified = sum(n for _, n in f.sources)
    else:
        f.identified = f.assessed + f.excluded_title_abstract + f.duplicates
        f.sources = _merge(by_source, Counter({"(records not ingested)":
                                               f.identified - len(docs)}))
    f.screened = f.identified - f.duplicates
    gap = f.screened - f.excluded_title_abstract - f.assessed
    if gap:
        f.warnings.append(
            f"the counts do not add up: {f.screened} screened - {f.excluded_title_abstract} "
            f"excluded on title and abstract = {f.screened - f.excluded_title_abstract}, but "
            f"{f.assessed} full texts were assessed ({abs(gap)} "
            f"{'unaccounted for' if gap > 0 else 'too many'}): record the missing exclusions "
            "with `realistcoder flow record`, or correct the identified count")
    if f.awaiting:
        f.warnings.append(f"{f.awaiting} ingested document(s) have no screening decision yet: "
                          "`realistcoder documents screen DOC --include` (or --exclude)")
    uncoded = f.included - f.coded
    if uncoded:
        f.warnings.append(f"{uncoded} included document(s) have no codings yet")
    return f


def flow_lines(f: Flow) -> list[tuple[int, str, int]]:
    """(indent, label, count) lines for printing the flow."""
    lines = [(0, "Records identified" + ("" if f.identified_recorded else " (derived)"),
              f.identified)]
    lines += [(1, label, n) for label, n in f.sources]
    lines += [(0, "Duplicates removed", f.duplicates),
              (0, "Records screened on title and abstract", f.screened),
              (0, "Excluded on title and abstract", f.excluded_title_abstract)]
    lines += [(1, label, n) for label, n in f.title_abstract_reasons]
    lines += [(0, "Full texts assessed", f.assessed),
              (0, "Excluded at full text", f.excluded_full_text)]
    lines += [(1, label, n) for label, n in f.full_text_reasons]
    if f.awaiting:
        lines.append((0, "Awaiting a screening decision", f.awaiting))
    lines += [(0, "Included in the synthesis", f.included), (1, "coded", f.coded),
              (1, "with evidence in CMO configurations", f.in_cmocs)]
    return lines


def _listing(rows: list[tuple[str, int]], limit: int = 6) -> str:
    shown = [f"\u2013 {label}: {n}" for label, n in rows[:limit]]
    if len(rows) > limit:
        shown.append(f"\u2013 {len(rows) - limit} more: {sum(n for _, n in rows[limit:])}")
    return "\n".join(shown)


def flow_diagram(f: Flow, title: str = "Document flow") -> Diagram:
    """The flow as a PRISMA-style diagram: the main boxes down the left, exclusions right."""
    d = Diagram("flow", title, direction="TB")
    sources = _listing(f.sources)
    main = [
        ("identified", f"Records identified: {f.identified}" + (f"\n{sources}" if sources
                                                                 else ""), "flow"),
        ("screened", f"Records screened on title and abstract: {f.screened}", "flow"),
        ("assessed", f"Full texts assessed for eligibility: {f.assessed}", "flow"),
        ("included", f"Documents included in the synthesis: {f.included}\n"
                     f"coded: {f.coded}\nwith evidence in CMO configurations: {f.in_cmocs}",
         "included"),
    ]
    side = {
        "identified": ("duplicates", f"Duplicates removed: {f.duplicates}"),
        "screened": ("excluded_ta", f"Excluded on title and abstract: "
                                    f"{f.excluded_title_abstract}"
                     + (f"\n{_listing(f.title_abstract_reasons)}"
                        if f.title_abstract_reasons else "")),
        "assessed": ("excluded_ft", f"Full texts excluded, with reasons: {f.excluded_full_text}"
                     + (f"\n{_listing(f.full_text_reasons)}" if f.full_text_reasons else "")),
    }
    if f.awaiting:
        side["included"] = ("awaiting", f"Awaiting a screening decision: {f.awaiting}")
    for row, (name, text, style) in enumerate(main):
        d.nodes.append(Node(name, text, 0, row, style, width=1.3))
        if row:
            d.edges.append(Edge(main[row - 1][0], name))
        if name in side:
            side_name, side_text = side[name]
            d.nodes.append(Node(side_name, side_text, 1.3, row, "exclusion", width=1.3))
            d.edges.append(Edge(name, side_name))
    d.notes = [w[0].upper() + w[1:] + "." for w in f.warnings]
    return d
