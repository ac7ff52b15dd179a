"""The RAMESES checklist, filled with what the store can evidence for each item (search and
selection counts, appraisal and its agreement, codebook versions, coding agreement, CMOCs and
their evidence, refinements, knowledge gaps), and what the team still has to write.

Each item's status: ``from the store`` (the store holds what the item asks for), ``partly``
(facts to quote, a narrative to write) or ``to write``.
"""

from __future__ import annotations

from collections import Counter

from realistcoder.audit.appraisal import appraisal_agreement
from realistcoder.errors import RealistCoderError
from realistcoder.export.filters import kept_documents
from realistcoder.export.flow import compute_flow
from realistcoder.export.rameses_items import STANDARDS
from realistcoder.export.table import Column, Section, Table
from realistcoder.review import cmoc as rc
from realistcoder.review.appraisal import settled_appraisals
from realistcoder.review.refinement import initial_theory, known_theories
from realistcoder.store import cmoc as cm
from realistcoder.store import export as q
from realistcoder.store import gaps as gq
from realistcoder.store import theory as th
from realistcoder.store.db import Store

COMPLETE = {"flow"}  # items the store can answer in full
COLUMNS = [
    Column("item", "Item", 5, numeric=True),
    Column("section", "Section", 12),
    Column("name", "Standard", 22, wrap=True),
    Column("asks", "What to report", 30, wrap=True),
    Column("evidence", "From the store", 50, wrap=True),
    Column("status", "Status", 10),
    Column("to_write", "Still to write", 26, wrap=True),
]


def _coding_agreement(store: Store) -> str:
    from realistcoder.audit.summary import summarize
    from realistcoder.audit.units import select

    try:
        result = summarize(select(store), n_boot=0)
    except RealistCoderError as err:
        return f"coding agreement not computed ({err.message})"
    overall = result["overall"]
    alpha, kappa = overall.get("krippendorff_alpha"), overall.get("cohen_kappa")
    if not isinstance(alpha, float):
        return f"coding agreement: {'; '.join(overall['notes']) or 'not computed'}"
    figures = f"Krippendorff's alpha {alpha:.2f}" + (f", Cohen's kappa {kappa:.2f}"
                                                     if isinstance(kappa, float) else "")
    return (f"inter-coder agreement between {', '.join(result['reviewers'])} on "
            f"{result['included']['n_documents']} document(s), {overall['n_units']} sentences: "
            f"{figures} (`realistcoder audit`)")


def _count(items, noun: str) -> str:
    n = len(items) if not isinstance(items, int) else items
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


class _Evidence:
    """What the store holds, gathered once, phrased per item."""

    def __init__(self, store: Store):
        self.store = store
        self.docs = q.documents(store)
        self.appraisals = settled_appraisals(store, unblinded=True)
        self.kept, _ = kept_documents(self.docs, self.appraisals, None)
        self.counts = compute_flow(store)
        self.labels = known_theories(store)
        order = {t: i for i, t in enumerate(self.labels)}
        self.cmocs = sorted(cm.list_cmocs(store), key=lambda c: (order.get(c["theory"], 0),
                                                                 c["id"]))

    def theories(self) -> list[str]:
        """Each theory with its initial statement (the codebook's description)."""
        out = []
        for t, label in list(self.labels.items())[:12]:
            initial = initial_theory(self.store, t)
            out.append(f"{label}: {initial[0]}" if initial else label)
        return out

    def changes(self) -> list[str]:
        books = q.codebooks(self.store)
        names = Counter(b["name"] for b in books)
        versions = sum(len(cm.cmoc_versions(self.store, c["id"])) - 1 for c in
                       cm.list_cmocs(self.store, include_retired=True))
        refined = [v for v in th.theory_versions(self.store) if v["version"] > 1]
        return ["codebooks: " + ", ".join(f"{n} ({k} version{'s' * (k > 1)})"
                                           for n, k in names.items()),
                f"{_count(versions, 'recorded change')} to CMO configurations and "
                f"{_count(refined, 'refinement')} of programme theories "
                "(`realistcoder export refinement`)"] if books else []

    def scoping(self) -> list[str]:
        found = Counter(d["found_via"] for d in self.docs if d.get("found_via"))
        return [f"documents found via {k}: {n}" for k, n in found.items()
                if "scop" in k.lower()]

    def search(self) -> list[str]:
        f = self.counts
        if not f.identified_recorded and not any(d.get("found_via") for d in self.docs):
            return []
        return [f"records identified: {f.identified} (" + ", ".join(
            f"{label} {n}" for label, n in f.sources) + f"); duplicates removed: {f.duplicates}"]

    def selection(self) -> list[str]:
        f, out = self.counts, []
        if any(d.get("screening") for d in self.docs):
            out.append(f"screened on title and abstract: {f.screened}, excluded "
                       f"{f.excluded_title_abstract}; full texts assessed {f.assessed}, "
                       f"excluded {f.excluded_full_text} (" + "; ".join(
                           f"{r} {n}" for r, n in f.full_text_reasons) + f"); included "
                       f"{f.included}")
        if self.appraisals:
            consensus = sum(1 for a in self.appraisals.values() if a.consensus)
            double = sum(1 for a in self.appraisals.values() if len(a.reviewers) > 1)
            rigour = Counter(a.value("rigour") for a in self.appraisals.values())
            out.append(f"{_count(self.appraisals, 'document')} appraised for relevance and "
                       f"rigour ({double} by two or more reviewers, {consensus} with a "
                       "consensus); rigour: " + ", ".join(f"{k} {rigour[k]}" for k in
                                                         ("high", "moderate", "low")
                                                         if rigour[k]))
            agreement = appraisal_agreement(self.store)
            alpha = agreement["dimensions"]["rigour"]["alpha_ordinal"]
            if isinstance(alpha, float):
                out.append(f"agreement on rigour: ordinal Krippendorff's alpha {alpha:.2f} "
                           f"over {agreement['n_compared']} documents (`realistcoder audit "
                           "--appraisal`)")
        return out

    def extraction(self) -> list[str]:
        books = q.codebooks(self.store)
        if not books:
            return []
        codes = q.codes(self.store)
        latest = {b["name"]: b for b in books}
        people = [r["reviewer"] for r in self.store.query(
            "SELECT DISTINCT reviewer FROM codings WHERE active = 1 AND reviewer != "
            "'consensus' ORDER BY reviewer")]
        n_codings = self.store.query("SELECT count(*) AS n FROM codings WHERE active = 1 AND "
                                     "role != 'none'")[0]["n"]
        n_codes = Counter(c["codebook"] for c in codes if c["codebook_id"] in
                          {b["id"] for b in latest.values()})
        return [", ".join(f"codebook {n} {b['version']} ({n_codes[n]} codes)"
                          for n, b in latest.items()),
                f"{_count(n_codings, 'coded fragment')} by {', '.join(people) or 'nobody yet'}"
                "; codes proposed by realistcoder from codebook terms, confirmed or rejected "
                "by each reviewer independently (blinded)", _coding_agreement(self.store)]

    def analysis(self) -> list[str]:
        if not self.cmocs:
            return []
        judged = Counter()
        for c in self.cmocs:
            for j in ("supports", "refutes", "refines"):
                judged[j] += c[f"n_{j}"]
        chains = th.active_chains(self.store)
        return [f"{_count(self.cmocs, 'CMO configuration')} across "
                f"{_count({c['theory'] for c in self.cmocs}, 'theory')}; linked evidence: "
                f"{judged['supports']} supporting, {judged['refutes']} refuting, "
                f"{judged['refines']} refining", f"{_count(chains, 'chain')} between "
                "configurations (`realistcoder export theory`)"]

    def flow(self) -> list[str]:
        f = self.counts
        return [f"identified {f.identified}, duplicates {f.duplicates}, screened "
                f"{f.screened}, excluded on title and abstract {f.excluded_title_abstract}, "
                f"full texts {f.assessed}, excluded at full text {f.excluded_full_text}, "
                f"included {f.included} (`realistcoder flow -o flow.svg` draws it)"] + [
            f"note: {w}" for w in f.warnings]

    def characteristics(self) -> list[str]:
        docs = [d for d in self.docs if d["id"] in self.kept]
        out = []
        for column, noun in (("evidence_type", "evidence type"), ("study_design", "design"),
                             ("country", "country"), ("setting", "setting")):
            counts = Counter(d[column] for d in docs if d.get(column))
            if counts:
                out.append(f"{noun}: " + ", ".join(f"{k} {n}" for k, n in counts.most_common()))
        years = sorted(d["year"] for d in docs if d.get("year"))
        if years:
            out.append(f"{len(docs)} documents, published {years[0]}\u2013{years[-1]} "
                       "(`realistcoder export documents`)")
        return out

    def findings(self) -> list[str]:
        out = []
        for c in self.cmocs[:15]:
            detail = rc.cmoc_detail(self.store, c["id"])
            out.append(f"CMOC {c['id']} ({c['theory']}): {detail['statement']} Evidence: "
                       f"{detail['weight']['summary']} ({detail['weight']['balance']})")
        if len(self.cmocs) > 15:
            out.append(f"and {len(self.cmocs) - 15} more (`realistcoder export cmoc`)")
        return out

    def summary(self) -> list[str]:
        latest: dict[str, dict] = {}
        for v in th.theory_versions(self.store):
            latest[v["theory"]] = v
        return [f"refined {self.labels.get(t, t)} (version {v['version']}): {v['statement']}"
                for t, v in latest.items() if v["version"] > 1]

    def gaps(self) -> list[str]:
        gaps = gq.list_gaps(self.store, status="open")
        return [f"{_count(gaps, 'open knowledge gap')}: " + "; ".join(
            f"{g['title']} ({g['kind']}{', ' + g['theory'] if g['theory'] else ''})"
            for g in gaps[:8])] if gaps else []

    def get(self, key: str | None) -> list[str]:
        if key is None:
            return []
        return [line for line in getattr(self, key)() if line]


def rameses_table(store: Store, standard: str = "synthesis") -> Table:
    """The checklist for ``standard`` (synthesis or evaluation) as a report table."""
    title, items = STANDARDS[standard]
    evidence = _Evidence(store)
    rows = []
    for number, section, name, asks, key, to_write in items:
        found = evidence.get(key)
        status = ("from the store" if found and key in COMPLETE and not to_write
                  else "partly" if found else "to write")
        rows.append({"item": number, "section": section, "name": name, "asks": asks,
                     "evidence": found, "status": status, "to_write": to_write})
    counts = Counter(r["status"] for r in rows)
    notes = [f"{title}: {len(rows)} items; {counts['from the store']} answered from the "
             f"store, {counts['partly']} partly, {counts['to write']} still to write. Item "
             "wording is summarised; consult the published standard for its full guidance."]
    return Table("rameses", f"RAMESES checklist: {title}", list(COLUMNS),
                 [Section("Checklist", rows)], notes)
