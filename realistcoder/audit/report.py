"""Render audit results (plain data from summary / quality / coverage / disagreements) as text
tables, CSV rows and a standalone HTML page. Rendering only: no statistics here."""

from __future__ import annotations

import csv
import html
import io
import json

COLUMNS = [("n_units", "n"), ("percent_agreement", "%agree"), ("positive_agreement", "pos.agr"),
           ("cohen_kappa", "kappa"), ("fleiss_kappa", "fleiss"), ("krippendorff_alpha", "alpha"),
           ("krippendorff_alpha_ci", "alpha 95% CI"), ("gwet_ac1", "AC1")]


def fmt(value, digits: int = 3) -> str:
    """A figure for a table: 3 decimals, ``-`` when undefined."""
    if value is None:
        return "-"
    if isinstance(value, dict) and "low" in value:
        return f"{value['low']:.2f}..{value['high']:.2f}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def pct(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def text_table(headers: list[str], rows: list[list], right: set[int] | None = None) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    right = right if right is not None else set(range(1, len(headers)))

    def line(row):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _count_cells(entry: dict) -> list[str]:
    c = entry.get("counts")
    if not c:  # nothing compared (no document both reviewed): keep the row as wide as the table
        return ["0", "0", "0", "0"]
    return [str(c["both"]), str(c["only_a"]), str(c["only_b"]), str(c["neither"])]


def agreement_columns(summary: dict) -> list[tuple[str, str]]:
    """Two reviewers: Cohen's kappa (Fleiss' kappa, Scott's pi here, stays in the JSON);
    more: Fleiss' kappa (pairwise Cohen's kappas follow the table)."""
    two = len(summary["reviewers"]) == 2
    return [c for c in COLUMNS if c[0] != ("fleiss_kappa" if two else "cohen_kappa")]


def agreement_rows(summary: dict) -> tuple[list[str], list[list]]:
    """Header and rows: one per code, then overall (micro) and macro."""
    two = len(summary["reviewers"]) == 2
    columns = agreement_columns(summary)
    headers = ["code", "role"]
    if two:
        a, b = summary["reviewers"]
        headers += ["both", f"only {a}", f"only {b}", "neither"]
    headers += [label for _, label in columns]
    rows = []
    for code, e in summary["codes"].items():
        rows.append([code, e.get("role") or ""] + (_count_cells(e) if two else [])
                    + [fmt(e.get(k)) for k, _ in columns])
    o = summary["overall"]
    rows.append(["OVERALL (micro)", ""] + (_count_cells(o) if two else [])
                + [fmt(o.get(k)) if k != "n_units" else str(o.get("n_items", 0))
                   for k, _ in columns])
    m = o["macro"]
    rows.append(["overall (macro)", ""] + (["", "", "", ""] if two else [])
                + [str(m["n_codes"]) + " codes" if k == "n_units" else fmt(m.get(k))
                   for k, _ in columns])
    for role, e in summary.get("roles", {}).items():
        rows.append([f"ROLE {role}", role] + (_count_cells(e) if two else [])
                    + [fmt(e.get(k)) for k, _ in columns])
    return headers, rows


def agreement_text(summary: dict) -> str:
    inc = summary["included"]
    lines = [
        f"Agreement between {', '.join(summary['reviewers']) or 'nobody'} "
        f"(unit: sentence; {inc['n_units']} units in {inc['n_documents']} document(s))",
    ]
    for d in inc["documents"]:
        lines.append(f"  included: {d['document']}")
    for d in summary["excluded"]["documents"]:
        lines.append(f"  excluded: {d['document']}: {d['reason']}")
    for r in summary["excluded"]["reviewers"]:
        lines.append(f"  not compared: {r['reviewer']}: {r['reason']}")
    lines.append("")
    headers, rows = agreement_rows(summary)
    lines.append(text_table(headers, rows))
    shown = {k for k, _ in agreement_columns(summary)}

    def keep(note: str) -> bool:  # notes about a column the table leaves out add nothing
        return note.split(":", 1)[0] in shown or ":" not in note or note.startswith("all ")

    notes = list(summary["notes"])
    notes += [f"overall: {n}" for n in summary["overall"]["notes"] if keep(n)]
    notes += [f"macro: {n}" for n in summary["overall"]["macro"]["notes"] if keep(n)]
    by_note: dict[str, list[str]] = {}
    for code, e in summary["codes"].items():
        for n in filter(keep, e["notes"]):
            by_note.setdefault(n, []).append(code)
    for n, codes in by_note.items():
        names = ", ".join(codes[:4]) + (f" and {len(codes) - 4} more" if len(codes) > 4 else "")
        notes.append(f"{names}: {n}")
    for p in summary["overall"].get("pairwise", []):
        notes.append(f"pair {p['a']}/{p['b']}: kappa {fmt(p['cohen_kappa'])}, positive "
                     f"agreement {fmt(p['positive_agreement'])} over {p['n_items']} items")
    if notes:
        lines += ["", "Notes (- = undefined):"] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def disagreements_text(rows: list[dict], reviewers: list[str]) -> str:
    if not rows:
        return "No disagreements: the compared reviewers coded every sentence alike."
    out = [f"{len(rows)} sentence(s) where reviewers differ "
           f"({sum(r['status'] == 'resolved' for r in rows)} resolved):"]
    for r in rows:
        text = r["text"] if len(r["text"]) <= 160 else r["text"][:157] + "..."
        out.append(f"\n[{r['sentence_id']}] {r['document']} p.{r['page']}  ({r['status']})")
        out.append(f"  {text}")
        for name in reviewers:
            if name in r["codes"]:
                out.append(f"  {name}: {', '.join(r['codes'][name]) or '(no code)'}")
        if r["consensus"] is not None:
            out.append(f"  consensus: {', '.join(r['consensus']) or '(no code)'}")
    return "\n".join(out)


QUALITY_COLUMNS = ["proposals", "decided", "accepted", "rejected", "recoded", "acceptance_rate",
                   "precision", "recall"]


def quality_rows(quality: dict) -> tuple[list[str], list[list]]:
    headers = ["code"] + QUALITY_COLUMNS
    rows = [[code] + [_q(e, k) for k in QUALITY_COLUMNS] for code, e in quality["codes"].items()]
    rows += [[f"role: {role}"] + [_q(e, k) for k in QUALITY_COLUMNS]
             for role, e in quality["roles"].items()]
    rows.append(["OVERALL"] + [_q(quality["overall"], k) for k in QUALITY_COLUMNS])
    return headers, rows


def _q(entry: dict, key: str) -> str:
    v = entry.get(key)
    return pct(v) if key in ("acceptance_rate", "precision", "recall") else str(v)


def quality_text(quality: dict) -> str:
    headers, rows = quality_rows(quality)
    out = ["Proposal quality (proposer vs confirmed codings):", text_table(headers, rows), "",
           "Score threshold vs precision / recall:",
           text_table(["threshold", "proposals", "precision", "recall"],
                      [[f"{t['threshold']:.1f}", t["proposals"], pct(t["precision"]),
                        pct(t["recall"])] for t in quality["thresholds"]])]
    if quality["most_rejected"]:
        out += ["", "Codes with the most rejections (candidates for codebook fixes):",
                text_table(["code", "rejected", "decided", "rate"],
                           [[r["code"], r["rejected"], r["decided"], pct(r["rejection_rate"])]
                            for r in quality["most_rejected"]])]
    if quality["proposer_as_coder"]:
        out += ["", "The proposer as one more coder:",
                text_table(["reviewer", "items", "%agree", "pos.agr", "kappa", "alpha"],
                           [[e["reviewer"], e["n_items"], fmt(e["percent_agreement"]),
                             fmt(e["positive_agreement"]), fmt(e["cohen_kappa"]),
                             fmt(e["krippendorff_alpha"])]
                            for e in quality["proposer_as_coder"]])]
    return "\n".join(out)


def coverage_rows(cov: dict) -> tuple[list[str], list[list]]:
    headers = ["document", "reviewer", "proposals", "decided", "pending", "share", "codings"]
    rows = []
    for d in cov["documents"]:
        for r, e in d["reviewers"].items():
            rows.append([d["document"], r, d["proposals"], e["decided"], e["pending"],
                         pct(e["share_decided"]), e["codings"]])
    return headers, rows


def coverage_text(cov: dict) -> str:
    headers, rows = coverage_rows(cov)
    out = ["Coverage per document and reviewer:", text_table(headers, rows, right={2, 3, 4, 5, 6})]
    out += ["", f"Acceptance rate over time (by {cov['by']}):"]
    drift_rows = [[r, p["period"], p["decided"], p["accepted"], p["rejected"], p["recoded"],
                   pct(p["acceptance_rate"])]
                  for r, periods in cov["acceptance_over_time"].items() for p in periods]
    out.append(text_table(["reviewer", cov["by"], "decided", "accepted", "rejected", "recoded",
                           "rate"], drift_rows, right={2, 3, 4, 5, 6})
               if drift_rows else "  (no decisions yet)")
    return "\n".join(out)


def to_csv(headers: list[str], rows: list[list]) -> str:
    """CSV text; a text cell that a spreadsheet would run as a formula gets a leading '."""
    from realistcoder.export.safe import spreadsheet_text

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    w.writerows([spreadsheet_text(c) if isinstance(c, str) else c for c in row] for row in rows)
    return buf.getvalue()


def agreement_csv_rows(summary: dict) -> tuple[list[str], list[list]]:
    """Machine-readable CSV: full precision, empty cells for undefined figures."""
    keys = ["n_units", "percent_agreement", "positive_agreement", "cohen_kappa", "fleiss_kappa",
            "krippendorff_alpha", "gwet_ac1"]
    headers = ["code", "label", "role", "theory"] + keys + [
        "alpha_ci_low", "alpha_ci_high", "both", "only_a", "only_b", "neither", "notes"]

    def row(name, e, label="", role="", theory=""):
        ci = e.get("krippendorff_alpha_ci") or {}
        c = e.get("counts") or {}
        return ([name, label or "", role or "", theory or ""]
                + ["" if e.get(k) is None else e.get(k) for k in keys]
                + [ci.get("low", ""), ci.get("high", "")]
                + [c.get(k, "") for k in ("both", "only_a", "only_b", "neither")]
                + ["; ".join(e.get("notes", []))])

    rows = [row(code, e, e.get("label"), e.get("role"), e.get("theory"))
            for code, e in summary["codes"].items()]
    rows.append(row("_overall_micro", summary["overall"]))
    rows.append(row("_overall_macro", {**summary["overall"]["macro"],
                                       "n_units": summary["overall"]["macro"]["n_codes"]}))
    return headers, rows


def to_html(result: dict) -> str:
    """A standalone page with every section present in ``result``."""
    parts = ["<!doctype html><html><head><meta charset='utf-8'>",
             "<title>realistcoder audit</title><style>",
             "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:.25em .6em;font-size:.9em}"
             "td.n{text-align:right;font-variant-numeric:tabular-nums}"
             "th{background:#f3f3f3}caption{text-align:left;font-weight:bold}"
             ".note{color:#555;font-size:.85em}", "</style></head><body>",
             "<h1>Inter-coder agreement audit</h1>"]
    s = result
    inc = s["included"]
    parts.append(f"<p>Reviewers: {_e(', '.join(s['reviewers']))}. Unit: sentence; "
                 f"{inc['n_units']} units in {inc['n_documents']} document(s).</p><ul>")
    parts += [f"<li>included: {_e(d['document'])}</li>" for d in inc["documents"]]
    parts += [f"<li>excluded: {_e(d['document'])}: {_e(d['reason'])}</li>"
              for d in s["excluded"]["documents"]]
    parts += [f"<li>not compared: {_e(r['reviewer'])}: {_e(r['reason'])}</li>"
              for r in s["excluded"]["reviewers"]]
    parts.append("</ul>")
    parts.append(_html_table("Agreement per code (- = undefined, see notes)",
                             *agreement_rows(s)))
    notes = s["notes"] + s["overall"]["notes"] + [
        f"{code}: {n}" for code, e in s["codes"].items() for n in e["notes"]]
    if notes:
        parts.append("<ul class='note'>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    parts.append("<dl class='note'>" + "".join(
        f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in s["definitions"].items()) + "</dl>")
    if "disagreements" in s:
        rows = [[d["sentence_id"], d["document"], d["page"], d["text"]]
                + ["; ".join(d["codes"].get(r, [])) for r in s["reviewers"]]
                + [d["status"], "; ".join(d["consensus"] or [])] for d in s["disagreements"]]
        parts.append(_html_table("Disagreements", ["sentence", "document", "page", "text"]
                                 + s["reviewers"] + ["status", "consensus"], rows))
    if "quality" in s:
        parts.append(_html_table("Proposal quality", *quality_rows(s["quality"])))
        parts.append(_html_table("Score threshold", ["threshold", "proposals", "precision",
                                                     "recall"],
                                 [[t["threshold"], t["proposals"], pct(t["precision"]),
                                   pct(t["recall"])] for t in s["quality"]["thresholds"]]))
    if "coverage" in s:
        parts.append(_html_table("Coverage", *coverage_rows(s["coverage"])))
    parts.append("</body></html>")
    return "\n".join(parts)


def _e(text) -> str:
    return html.escape(str(text))


def _html_table(caption: str, headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td class='{'n' if _numeric(c) else ''}'>{_e(c)}</td>" for c in row)
        + "</tr>" for row in rows)
    return f"<table><caption>{_e(caption)}</caption><tr>{head}</tr>{body}</table>"


def _numeric(cell) -> bool:
    text = str(cell).rstrip("%")
    try:
        float(text)
        return True
    except ValueError:
        return text == "-"


def to_json(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False)
