"""Code co-occurrence as a report table: pairs of codes (or theories) that meet in the same
sentences or paragraphs, with counts, overlap and example passages; or the matrix (for a
heatmap) with each code's own units on the diagonal."""

from __future__ import annotations

from realistcoder.audit.cooccurrence import cooccurrence
from realistcoder.export.citations import citation_labels
from realistcoder.export.filters import filter_note
from realistcoder.export.rows import EvidenceFilter, blinding_note, select_evidence
from realistcoder.export.table import Column, Section, Table
from realistcoder.store import export as q
from realistcoder.store.db import Store

PAIR_COLUMNS = [
    Column("a_label", "Code A", 22, wrap=True),
    Column("b_label", "Code B", 22, wrap=True),
    Column("n_both", "Together", 8, numeric=True),
    Column("n_a", "A", 5, numeric=True),
    Column("n_b", "B", 5, numeric=True),
    Column("overlap", "Overlap", 7, numeric=True),
    Column("n_documents", "Documents", 9, numeric=True),
    Column("examples", "Where they meet", 50, wrap=True),
    Column("a", "A id", 12, detail=True),
    Column("b", "B id", 12, detail=True),
]


def cooccurrence_table(store: Store, *, unit: str = "sentence", by: str = "code",
                       matrix: bool = False, min_count: int = 1, examples: int = 2,
                       filters: EvidenceFilter | None = None, unblind: bool = False,
                       reviewer: str | None = None) -> Table:
    rows, dropped = select_evidence(store, filters=filters, unblind=unblind, reviewer=reviewer)
    positions = q.sentence_positions(store, [i for r in rows for i in (r["sentence_id"],
                                                                         r["end_sentence_id"])])
    key = (lambda r: r["code_key"]) if by == "code" else (lambda r: str(r["theory"]))
    labels = {key(r): (r["code_label"] if by == "code" else r["theory_label"]) for r in rows}
    per_key, pairs = cooccurrence(rows, positions, unit=unit, key=key)
    pairs = [p for p in pairs if len(p.units) >= min_count]
    unit_word = f"{unit}s"
    notes = [f"Codes that meet in the same {unit}: {len(pairs)} pairs over {len(rows)} coded "
             f"fragments. Together: {unit_word} coded with both; A, B: {unit_word} coded with "
             "each; overlap: together / either (Jaccard)."]
    notes += [n for n in [blinding_note(unblind, reviewer), filter_note(
        filters.document_filter if filters else None, dropped, "fragments")] if n]
    if matrix:
        return _matrix(per_key, pairs, labels, notes, unit)
    citations = citation_labels(q.documents(store))
    texts = q.unit_texts(store, unit, [u for p in pairs for u in p.units[:examples]])
    out = []
    for p in pairs:
        shown = [f"\u201c{texts[u][0]}\u201d ({citations.get(u[0], u[0])}, p. {texts[u][1]})"
                 for u in p.units[:examples] if u in texts]
        out.append({"a": p.a, "b": p.b, "a_label": labels[p.a], "b_label": labels[p.b],
                    "n_both": len(p.units), "n_a": p.n_a, "n_b": p.n_b,
                    "overlap": round(p.overlap, 2), "n_documents": len(p.documents),
                    "examples": shown})
    title = f"Code co-occurrence ({unit}s)"
    return Table("cooccurrence", title, list(PAIR_COLUMNS), [Section(title, out)], notes)


def _matrix(per_key: dict[str, set], pairs, labels: dict[str, str], notes: list[str],
            unit: str) -> Table:
    keys = sorted(per_key, key=lambda k: labels[k].lower())
    both = {(p.a, p.b): len(p.units) for p in pairs}
    both.update({(b, a): n for (a, b), n in list(both.items())})
    columns = [Column("label", "Code", 24)] + [
        Column(f"n:{k}", labels[k], max(6, min(len(labels[k]), 14)), numeric=True)
        for k in keys]
    out = []
    for a in keys:
        line = {"label": labels[a]}
        line.update({f"n:{b}": len(per_key[a]) if a == b else both.get((a, b), 0)
                     for b in keys})
        out.append(line)
    title = f"Code co-occurrence matrix ({unit}s)"
    notes = notes + [f"The diagonal holds each code's own {unit}s."]
    return Table("cooccurrence", title, columns, [Section(title, out)], notes,
                 extra={"row_key": "label", "value_keys": [f"n:{k}" for k in keys]})
