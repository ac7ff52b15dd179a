"""`realistcoder audit` and `resolve` on the bundled corpus, coded by simulated reviewers.

The corpus is ingested and proposed once per module; simulated reviewers then make seeded random
decisions through the review library. The audit's figures are checked against independent
implementations (scikit-learn, statsmodels, krippendorff) applied to a matrix the test builds
itself from `export codings` / `export sentences`.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import CORPUS

from realistcoder.cli.main import cli
from realistcoder.store import open_store
from realistcoder.store import review as rv

CODED_SECTIONS = {"body", "list"}


@pytest.fixture(scope="module")
def proposed_store(tmp_path_factory) -> Path:
    """The bundled corpus, ingested and proposed (built once per module)."""
    if not any(CORPUS.glob("*.pdf")):
        pytest.skip("corpus/ has no PDFs yet")
    path = tmp_path_factory.mktemp("corpus") / "base.db"
    runner = CliRunner()
    for args in (["ingest", str(CORPUS)], ["propose"]):
        result = runner.invoke(cli, ["--db", str(path), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def coded_stores(proposed_store, tmp_path_factory):
    """Simulated codings, made once per module for each set of reviewers and copied per test."""
    made: dict[tuple, Path] = {}

    def get(names: tuple[str, ...], skip: tuple = ()) -> Path:
        key = (names, skip)
        if key not in made:
            path = tmp_path_factory.mktemp("coded") / "coded.db"
            shutil.copy(proposed_store, path)
            simulate(path, list(names), skip_documents={r: set(d) for r, d in skip})
            made[key] = path
        return made[key]

    return get


@pytest.fixture
def coded(coded_stores, db_path):
    """``coded("alice", "bob")``: this test's store, coded by those simulated reviewers."""

    def make(*names: str, skip: tuple = ()) -> Path:
        shutil.copy(coded_stores(names, skip), db_path)
        return db_path

    return make


def simulate(db_path: Path, names: list[str], *, seed: int = 1, follow: float = 0.85,
             skip_documents: dict[str, set[str]] | None = None) -> None:
    """Seeded reviewers: each follows a shared 'truth' with probability ``follow``, sometimes
    recodes, and codes a few sentences by hand (some spanning two sentences); a reviewer skips
    the documents (file names) listed for them in ``skip_documents``."""
    with open_store(db_path) as store:
        props = store.query("SELECT p.id, s.document_id FROM proposals p "
                            "JOIN sentences s ON s.id = p.sentence_id ORDER BY p.id")
        codes = [r["code"] for r in rv.latest_codes(store)]
        body = store.query("SELECT id, document_id, seq FROM sentences WHERE section = 'body' "
                           "ORDER BY id")
        by_name = {r["file_name"]: r["id"] for r in store.query(
            "SELECT id, file_name FROM documents")}
        skip_ids = {r: {by_name[n] for n in docs}
                    for r, docs in (skip_documents or {}).items()}
        rng = random.Random(seed)
        truth = {p["id"]: rng.random() < 0.6 for p in props}
        for i, name in enumerate(names):
            r = random.Random(seed * 100 + i)
            skip = skip_ids.get(name, set())
            for p in props:
                if p["document_id"] in skip:
                    continue
                ok = truth[p["id"]] if r.random() < follow else not truth[p["id"]]
                if ok and r.random() < 0.1:
                    rv.recode(store, p["id"], name, r.choice(codes))
                elif ok:
                    rv.accept(store, p["id"], name)
                else:
                    rv.reject(store, p["id"], name)
            for s in r.sample([b for b in body if b["document_id"] not in skip], 6):
                nxt = [b for b in body if b["document_id"] == s["document_id"]
                       and b["seq"] == s["seq"] + 1]
                end = nxt[0]["id"] if nxt and r.random() < 0.5 else None
                try:
                    rv.code_by_hand(store, s["id"], r.choice(codes), name, end_sentence_id=end)
                except Exception:  # already coded the same: fine for a simulation
                    pass


def independent_matrix(rc, reviewers: list[str], missing: dict[str, set[int]] | None = None):
    """Units x reviewers per code, built from the export commands (not from the audit code);
    ``missing`` marks the documents a reviewer did not review (NaN)."""
    sentences = rc.jsonl("export", "sentences", "--format", "jsonl")
    codings = rc.jsonl("export", "codings", "--format", "jsonl", "--unblind")
    assert any(c["end_sentence_id"] != c["sentence_id"] for c in codings)  # spans are tested
    order = {s["sentence_id"]: (s["document_id"], i) for i, s in enumerate(sentences)}
    by_doc_seq = defaultdict(list)
    for s in sentences:
        by_doc_seq[s["document_id"]].append(s["sentence_id"])
    coded = defaultdict(set)
    for c in codings:
        if c["reviewer"] not in reviewers:
            continue
        start, end = c["sentence_id"], c.get("end_sentence_id") or c["sentence_id"]
        doc_ids = by_doc_seq[order[start][0]]
        for sid in doc_ids[doc_ids.index(start): doc_ids.index(end) + 1]:
            coded[sid].add((c["reviewer"], c["code"] or f"role:{c['role']}"))
    units = [s["sentence_id"] for s in sentences
             if s["section"] in CODED_SECTIONS or any(k[0] in reviewers for k in coded[
                 s["sentence_id"]])]
    codes = sorted({code for v in coded.values() for _, code in v})
    gone = {(r, d) for r, docs in (missing or {}).items() for d in docs}

    def value(u, r, code):
        return float("nan") if (r, order[u][0]) in gone else int((r, code) in coded[u])

    return units, codes, {code: [[value(u, r, code) for r in reviewers] for u in units]
                          for code in codes}


def check_against_packages(figures: dict, matrix: list[list[int]]) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    data = np.array(matrix)
    assert figures["n_units"] == len(matrix)
    if len({*data.ravel()}) < 2:
        assert figures["krippendorff_alpha"] is None and figures["notes"]
        return
    alpha = krippendorff.alpha(reliability_data=data.T.astype(float),
                               level_of_measurement="nominal")
    assert figures["krippendorff_alpha"] == pytest.approx(alpha, abs=1e-9)
    table, _ = aggregate_raters(data)
    assert figures["fleiss_kappa"] == pytest.approx(fleiss_kappa(table, method="fleiss"),
                                                    abs=1e-9)
    if data.shape[1] == 2:
        kappa = cohen_kappa_score(data[:, 0], data[:, 1])
        assert figures["cohen_kappa"] == pytest.approx(kappa, abs=1e-9)
        a, b = data[:, 0], data[:, 1]
        both, only = int((a & b).sum()), int((a ^ b).sum())
        assert figures["positive_agreement"] == pytest.approx(2 * both / (2 * both + only))
        assert figures["percent_agreement"] == pytest.approx(float((a == b).mean()), abs=1e-12)
    else:
        assert figures["cohen_kappa"] is None
        assert any(n.startswith("cohen_kappa:") for n in figures["notes"])


@pytest.mark.parametrize("names", [["alice", "bob"], ["alice", "bob", "carol"]])
def test_audit_matches_independent_implementations(rc, coded, names):
    coded(*names)
    result = json.loads(rc("audit", "--format", "json", "--bootstrap", "200").stdout)
    assert result["reviewers"] == names
    assert result["excluded"]["documents"] == [] and result["included"]["n_documents"] >= 4
    units, codes, matrices = independent_matrix(rc, names)
    assert sorted(result["codes"]) == codes
    for code in codes:
        check_against_packages(result["codes"][code], matrices[code])
    pooled = [row for code in codes for row in matrices[code]]
    overall = result["overall"]
    assert overall["n_units"] == len(units) and overall["n_items"] == len(pooled)
    check_against_packages({**overall, "n_units": len(pooled)}, pooled)
    ci = overall["krippendorff_alpha_ci"]
    assert ci["low"] <= overall["krippendorff_alpha"] <= ci["high"]
    defined = [e["gwet_ac1"] for e in result["codes"].values() if e["gwet_ac1"] is not None]
    assert overall["macro"]["gwet_ac1"] == pytest.approx(sum(defined) / len(defined))
    if len(names) == 2:
        counts = overall["counts"]
        assert sum(counts[k] for k in ("both", "only_a", "only_b", "neither")) == len(pooled)
    else:
        assert len(overall["pairwise"]) == 3
    table = rc("audit").stdout
    assert "OVERALL (micro)" in table and "AC1" in table


def test_documents_not_reviewed_by_everyone_are_excluded_with_a_reason(rc, coded):
    names = ["alice", "bob", "carol"]
    skipped = "capitated-contract-study.pdf"
    coded(*names, skip=(("carol", (skipped,)),))
    result = json.loads(rc("audit", "--format", "json", "--bootstrap", "0").stdout)
    excluded = result["excluded"]["documents"]
    assert [d["document"] for d in excluded] == [skipped]
    assert "carol" in excluded[0]["reason"]
    assert skipped not in [d["document"] for d in result["included"]["documents"]]
    # --allow-missing compares that document too, carol missing there: alpha takes missing
    # data, Fleiss' kappa does not
    loose = json.loads(rc("audit", "--format", "json", "--bootstrap", "0",
                          "--allow-missing").stdout)
    assert loose["excluded"]["documents"] == []
    doc_id = next(d["id"] for d in loose["included"]["documents"] if d["document"] == skipped)
    krippendorff = pytest.importorskip("krippendorff")
    units, codes, matrices = independent_matrix(rc, names, missing={"carol": {doc_id}})
    for code in codes:
        e = loose["codes"][code]
        assert e["fleiss_kappa"] is None and any("complete" in n for n in e["notes"])
        data = np.array(matrices[code], dtype=float).T
        if len({v for v in data.ravel() if v == v}) < 2:
            continue
        alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert e["krippendorff_alpha"] == pytest.approx(alpha, abs=1e-9)


def test_one_reviewer_gives_nulls_with_notes_not_a_crash(rc, coded):
    coded("alice")
    result = json.loads(rc("audit", "--format", "json").stdout)
    assert result["overall"]["krippendorff_alpha"] is None
    assert any("two or more reviewers" in n for n in result["notes"])
    for e in result["codes"].values():
        assert e["cohen_kappa"] is None and e["notes"]
    cells = [c for row in csv.reader(rc("audit", "--format", "csv").stdout.splitlines())
             for c in row]
    assert cells and not {"nan", "NaN", "inf"} & set(cells)


def test_unknown_reviewer_is_one_line_error(rc, coded):
    coded("alice", "bob")
    result = rc("audit", "--reviewers", "alice,zed", ok=False)
    assert result.exit_code == 1 and "zed" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_disagreement_worksheet_round_trips_through_resolve(rc, coded, tmp_path, suffix):
    coded("alice", "bob")
    listed = json.loads(rc("audit", "--disagreements", "--format", "json",
                           "--bootstrap", "0").stdout)["disagreements"]
    assert listed and all(r["status"] == "open" for r in listed)
    for r in listed:
        assert r["codes"]["alice"] != r["codes"]["bob"] and r["text"] and r["page"]
    sheet = tmp_path / f"meeting{suffix}"
    rc("audit", "--disagreements", "-o", sheet)
    header, rows = read_sheet(sheet)
    assert header[-2:] == ["consensus", "note"] and len(rows) == len(listed)
    # the meeting agrees with alice on every row (none where she had no code)
    for row in rows:
        row[header.index("consensus")] = row[header.index("alice")] or "none"
    write_sheet(sheet, header, rows)
    out = rc("resolve", sheet, "--reviewer", "carol").stdout
    assert f"{len(rows)} sentence(s) resolved" in out
    after = json.loads(rc("audit", "--disagreements", "--format", "json",
                          "--bootstrap", "0").stdout)
    assert all(r["status"] == "resolved" for r in after["disagreements"])
    assert {r["sentence_id"]: r["consensus"] for r in after["disagreements"]} == {
        r["sentence_id"]: r["codes"]["alice"] for r in listed}
    assert "consensus" not in after["reviewers"]
    again = rc("resolve", sheet, "--reviewer", "carol").stdout
    assert f"0 sentence(s) resolved, {len(rows)} already agreed" in again
    # the consensus is attributed: resolved_by carol
    codings = rc.jsonl("export", "codings", "--format", "jsonl", "--unblind")
    agreed = [c for c in codings if c["reviewer"] == "consensus"]
    assert agreed and all(c.get("resolved_by") in (None, "carol") for c in agreed)
    vs = json.loads(rc("audit", "--reviewers", "alice,consensus", "--format", "json",
                       "--bootstrap", "0").stdout)
    assert vs["reviewers"] == ["alice", "consensus"]


def test_bad_worksheet_rows_are_reported_and_nothing_is_recorded(rc, coded, tmp_path):
    coded("alice", "bob")
    sheet = tmp_path / "meeting.csv"
    rc("audit", "--disagreements", "-o", sheet)
    header, rows = read_sheet(sheet)
    rows[0][header.index("consensus")] = "t1_training"
    rows[1][header.index("consensus")] = "no_such_code"
    write_sheet(sheet, header, rows)
    result = rc("resolve", sheet, "--reviewer", "carol", ok=False)
    assert result.exit_code == 1 and "row 3" in result.stderr and "no_such_code" in result.stderr
    after = json.loads(rc("audit", "--disagreements", "--format", "json",
                          "--bootstrap", "0").stdout)
    assert all(r["status"] == "open" for r in after["disagreements"])


def test_resolve_one_sentence_by_id(rc, coded):
    coded("alice", "bob")
    first = json.loads(rc("audit", "--disagreements", "--format", "json",
                          "--bootstrap", "0").stdout)["disagreements"][0]
    rc("resolve", str(first["sentence_id"]), "--none", "--reviewer", "dana")
    after = json.loads(rc("audit", "--disagreements", "--format", "json",
                          "--bootstrap", "0").stdout)["disagreements"]
    row = next(r for r in after if r["sentence_id"] == first["sentence_id"])
    assert row["status"] == "resolved" and row["consensus"] == []
    assert rc("resolve", str(first["sentence_id"]), "--reviewer", "dana", ok=False).exit_code == 1


def test_quality_and_coverage(rc, coded):
    store_copy = coded("alice", "bob")
    with open_store(store_copy) as store:  # a reviewer who accepts everything, in every doc
        for p in store.query("SELECT id FROM proposals"):
            rv.accept(store, p["id"], "eve")
    result = json.loads(rc("audit", "--reviewers", "eve,alice", "--quality", "--coverage",
                           "--format", "json", "--bootstrap", "0").stdout)
    q = result["quality"]
    n_props = len(rc.jsonl("export", "proposals", "--format", "jsonl"))
    assert q["overall"]["decided"] == 2 * n_props
    assert q["overall"]["accepted"] + q["overall"]["rejected"] + q["overall"]["recoded"] \
        == 2 * n_props
    code = next(iter(q["codes"]))
    assert 0 <= (q["codes"][code]["acceptance_rate"] or 0) <= 1
    assert q["thresholds"][0]["threshold"] == 0.0
    recalls = [t["recall"] for t in q["thresholds"]]
    assert recalls == sorted(recalls, reverse=True)  # a higher threshold never finds more
    assert {e["reviewer"] for e in q["proposer_as_coder"]} == {"eve", "alice"}
    eve = next(e for e in q["proposer_as_coder"] if e["reviewer"] == "eve")
    assert eve["cohen_kappa"] == pytest.approx(1.0)  # eve coded exactly what was proposed
    cov = result["coverage"]
    assert all(d["reviewers"]["eve"]["pending"] == 0 for d in cov["documents"])
    assert cov["acceptance_over_time"]["eve"][0]["acceptance_rate"] == 1.0
    text = rc("audit", "--quality", "--coverage", "--bootstrap", "0").stdout
    assert "precision" in text and "Coverage" in text
    page = rc("audit", "--quality", "--format", "html", "--bootstrap", "0").stdout
    assert page.startswith("<!doctype html>") and "Proposal quality" in page


def read_sheet(path: Path) -> tuple[list[str], list[list[str]]]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
    else:
        from openpyxl import load_workbook

        table = [["" if v is None else str(v) for v in row]
                 for row in load_workbook(path).active.iter_rows(values_only=True)]
    return table[0], table[1:]


def write_sheet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows([header, *rows])
    else:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        ws = wb.active
        for i, row in enumerate(rows, start=2):
            ws.cell(row=i, column=header.index("consensus") + 1,
                    value=row[header.index("consensus")])
        wb.save(path)


def test_code_theory_and_document_filters(rc, coded):
    coded("alice", "bob")
    base = ["--format", "json", "--bootstrap", "0"]
    full = json.loads(rc("audit", *base).stdout)
    code, entry = next((c, e) for c, e in full["codes"].items() if e["theory"])
    one = json.loads(rc("audit", "--code", code, *base).stdout)
    assert list(one["codes"]) == [code]
    assert one["codes"][code]["krippendorff_alpha"] == entry["krippendorff_alpha"]
    assert one["overall"]["cohen_kappa"] == entry["cohen_kappa"]  # micro over one code
    role_only = json.loads(rc("audit", "--code", "role:mechanism", *base).stdout)
    assert list(role_only["codes"]) == ["role:mechanism"]  # role-only codings are audited too
    assert full["roles"]["mechanism"]["n_units"] == full["included"]["n_units"]
    theory = entry["theory"]
    by_theory = json.loads(rc("audit", "--theory", theory, *base).stdout)
    assert by_theory["codes"] and {e["theory"] for e in by_theory["codes"].values()} == {theory}
    doc = full["included"]["documents"][0]["document"]
    by_doc = json.loads(rc("audit", "--document", doc, *base).stdout)
    assert [d["document"] for d in by_doc["included"]["documents"]] == [doc]
    assert rc("audit", "--code", "no_such_code", ok=False).exit_code == 1
    assert rc("audit", "--document", "missing.pdf", ok=False).exit_code == 1


def test_undecided_proposals_are_noted_and_complete_leaves_the_document_out(rc, coded):
    path = coded("alice", "bob")
    with open_store(path) as store:
        for _ in range(10):  # bob's hand codings, then some proposal decisions, undone
            rv.undo(store, "bob")
    result = json.loads(rc("audit", "--format", "json", "--bootstrap", "0").stdout)
    pending = [n for n in result["notes"] if n.startswith("bob has")]
    assert pending and "undecided" in pending[0]
    strict = json.loads(rc("audit", "--complete", "--format", "json", "--bootstrap", "0").stdout)
    reasons = [d["reason"] for d in strict["excluded"]["documents"]]
    assert reasons and all("not finished by bob" in r for r in reasons)
    assert strict["included"]["n_documents"] == result["included"]["n_documents"] - len(reasons)
