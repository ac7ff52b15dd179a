"""Evidence for and against CMO configurations (judgements on links, per source, with each
source's appraisal), suggested judgements, and appraisal in use: consensus, agreement in the
audit, appraisal columns and minimum filters on the exports."""

from __future__ import annotations

import json

import pytest
from synthesis_support import build, read_csv

from realistcoder.review.judgement_cues import propose_judgement


@pytest.fixture
def review(rc, tmp_path):
    return build(rc, tmp_path / "docs")


def add_workforce_cmoc(rc, c) -> None:
    rc("cmoc", "add", "--theory", "workforce", "--title", "Trust and mentoring",
       "--context", f"{c[('hubs.txt', 0)]},{c[('clinics.txt', 0)]}",
       "--resource", c[("hubs.txt", 1, "wf_training")],
       "--reasoning", c[("hubs.txt", 1, "wf_confidence")],
       "--outcome", f"{c[('hubs.txt', 2)]},{c[('hubs.txt', 3)]},{c[('clinics.txt', 1)]}",
       "--refutes", c[("hubs.txt", 3)], "--refines", c[("clinics.txt", 0)],
       "--if", "GPs trust the new practitioners", "--then", "patients are seen sooner",
       "--because", "mentored nurses feel able to prescribe", "--reviewer", "alice")


def test_show_lists_evidence_for_and_against_per_source_with_appraisal(rc, review):
    c = review["c"]
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "moderate", "-r", "alice")
    add_workforce_cmoc(rc, c)
    detail = json.loads(rc("cmoc", "show", "1", "--format", "json").stdout)
    judged = {x["coding_id"]: x["judgement"] for x in detail["links"]}
    assert judged[c[("hubs.txt", 3)]] == "refutes"
    assert judged[c[("clinics.txt", 0)]] == "refines"
    assert judged[c[("hubs.txt", 2)]] == "supports"
    assert detail["weight"]["balance"] == "contested"
    assert detail["weight"]["summary"].startswith("for 2 sources")
    by_doc = {s["document"]: s for s in detail["sources"]}
    assert by_doc["hubs.txt"]["judgements"] == ["supports", "refutes"]
    assert by_doc["hubs.txt"]["appraisal"] == "relevance high, rigour moderate"
    assert by_doc["clinics.txt"]["appraisal"] == "not appraised"
    text = rc("cmoc", "show", "1").stdout
    assert "evidence: for 2 sources (4 fragments), against 1 (1 fragment), refines 1" in text
    assert "hubs.txt (relevance high, rigour moderate)" in text
    assert text.index("hubs.txt (") < text.index("refutes") < text.index("clinics.txt (")


def test_export_cmoc_has_for_against_columns_and_marks_quotes(rc, review, tmp_path):
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "moderate", "-r", "alice")
    add_workforce_cmoc(rc, review["c"])
    out = tmp_path / "cmoc.csv"
    rc("export", "cmoc", "-o", out)
    (row,) = read_csv(out)
    assert row["Against"].startswith("hubs.txt") or "rigour moderate" in row["Against"]
    assert "rigour moderate" in row["Against"] and "1 fragment" in row["Against"]
    assert "not appraised" in row["Refines"]
    assert "[refutes] \u201cThere was no reduction" in row["Outcome"]
    assert row["Evidence"] == "for 2 sources (4 fragments), against 1 (1 fragment), refines " \
                              "1 (1 fragment)"
    md = tmp_path / "cmoc.md"
    rc("export", "cmoc", "-o", md)
    assert "| Against |" in md.read_text(encoding="utf-8")


def test_min_rigour_leaves_weak_and_unappraised_sources_out_of_the_cmoc_table(
        rc, review, tmp_path):
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "high", "-r", "alice")
    rc("appraise", "clinics.txt", "--relevance", "high", "--rigour", "low", "-r", "alice")
    add_workforce_cmoc(rc, review["c"])
    out = tmp_path / "cmoc.csv"
    rc("export", "cmoc", "--min-rigour", "moderate", "-o", out)
    (row,) = read_csv(out)
    assert "clinics.txt" not in row["Sources"] and "hubs.txt" in row["Sources"]
    assert row["Refines"] == ""
    md = tmp_path / "cmoc.md"
    rc("export", "cmoc", "--min-rigour", "moderate", "-o", md)
    assert "Left out linked evidence from 1 document(s)" in md.read_text(encoding="utf-8")


def test_suggest_proposes_refutes_from_negation_and_accepting_keeps_it(rc, review):
    out = rc("cmoc", "suggest", "-r", "alice", "--theory", "workforce", input="a\nq\n").stdout
    assert "refutes? ('there was no')" in out
    assert "judged as proposed: coding" in out
    detail = json.loads(rc("cmoc", "show", "1", "--format", "json").stdout)
    judged = {x["coding_id"]: x["judgement"] for x in detail["links"]}
    assert judged[review["c"][("hubs.txt", 3)]] == "refutes"
    assert judged[review["c"][("hubs.txt", 2)]] == "supports"


def test_judge_suggest_confirms_one_and_keeps_another(rc, review):
    c = review["c"]
    rc("cmoc", "add", "--theory", "workforce", "--context", c[("clinics.txt", 0)],
       "--outcome", f"{c[('hubs.txt', 2)]},{c[('hubs.txt', 3)]}", "-r", "alice")
    out = rc("cmoc", "judge", "1", "--suggest", "-r", "bob", input="y\nn\n").stdout
    assert "reads as refines ('in contrast')" in out and "1 judgement(s) changed" in out
    detail = json.loads(rc("cmoc", "show", "1", "--format", "json").stdout)
    judged = {x["coding_id"]: x for x in detail["links"]}
    first = c[("clinics.txt", 0)]
    assert judged[first]["judgement"] == "refines"
    assert judged[first]["judgement_note"] == "cue: in contrast"
    assert judged[c[("hubs.txt", 3)]]["judgement"] == "supports"  # bob kept it


@pytest.mark.parametrize("args,needle", [
    (["cmoc", "judge", "1", "5", "--refutes", "-r", "a"], "not linked"),
    (["cmoc", "judge", "1", "99", "--refutes", "-r", "a"], "no coding with id 99"),
    (["cmoc", "judge", "1", "-r", "a"], "--supports, --refutes or --refines"),
    (["cmoc", "add", "--theory", "workforce", "--outcome", "1", "--refutes", "2", "-r", "a"],
     "judged but not linked"),
])
def test_judgement_errors_are_one_line(rc, review, args, needle):
    rc("cmoc", "add", "--theory", "workforce", "--outcome", review["c"][("hubs.txt", 2)],
       "-r", "alice")
    result = rc(*args, ok=False)
    assert result.exit_code == 1 and needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text,judgement", [
    ("Emergency admissions did not change over the period.", "refutes"),
    ("Staff failed to use the new referral form.", "refutes"),
    ("In contrast, in sites without shared clinics, handover stalled.", "refines"),
    ("Trust grew only where the practices had worked together before.", "refines"),
    ("Waiting times fell by a third.", "supports"),
    ("Not only did waits fall, but staff were happier.", "supports"),
    ("Patients no longer waited a week for a routine appointment.", "supports"),
])
def test_judgement_cues(text, judgement):
    assert propose_judgement(text).judgement == judgement


def test_negated_proposal_flag_suggests_refutes():
    assert propose_judgement("Admissions stayed flat.", negated=True).judgement == "refutes"


# --------------------------------------------------------------------------- appraisal


def test_consensus_appraisal_settles_a_disagreement(rc, review, tmp_path):
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "moderate", "-r", "alice")
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "high", "-r", "bob")
    out = tmp_path / "docs.csv"
    rc("export", "documents", "--unblind", "-o", out)
    hub = next(r for r in read_csv(out) if r["File"] == "hubs.txt")
    assert (hub["Relevance"], hub["Rigour"]) == ("high", "moderate (alice); high (bob)")
    said = rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "moderate",
              "--consensus", "--note", "costs left out", "-r", "alice").stdout
    assert "consensus, recorded by alice" in said
    rc("export", "documents", "--unblind", "-o", out)
    hub = next(r for r in read_csv(out) if r["File"] == "hubs.txt")
    assert hub["Rigour"] == "moderate (consensus)"
    assert "consensus: costs left out" in hub["Appraisal notes"]
    result = rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "low",
                "-r", "consensus", ok=False)
    assert result.exit_code == 1 and "reserved" in result.stderr


def test_audit_appraisal_agreement_and_disagreements(rc, review):
    for doc, a, b in (("hubs.txt", ("high", "moderate"), ("high", "high")),
                      ("clinics.txt", ("moderate", "low"), ("moderate", "low")),
                      ("garden.txt", ("low", "high"), ("moderate", "high"))):
        rc("appraise", doc, "--relevance", a[0], "--rigour", a[1], "-r", "alice")
        rc("appraise", doc, "--relevance", b[0], "--rigour", b[1], "-r", "bob")
    result = json.loads(rc("audit", "--appraisal", "--format", "json").stdout)
    assert result["n_compared"] == 3
    assert result["dimensions"]["rigour"]["percent"] == pytest.approx(2 / 3, abs=1e-3)
    # two reviewers, rigour: (moderate, high) (low, low) (high, high): kappa by hand
    po, pe = 2 / 3, (0 * 1 + 1 * 1 + 1 * 2 + 1 * 0) / 9  # a: m, l, h; b: h, l, h
    assert result["dimensions"]["rigour"]["kappa"] == pytest.approx((po - pe) / (1 - pe),
                                                                     abs=1e-3)
    assert {d["document"] for d in result["disagreements"]} == {"hubs.txt", "garden.txt"}
    text = rc("audit", "--appraisal").stdout
    assert "Appraisal agreement between alice, bob" in text
    assert "hubs.txt: alice high/moderate, bob high/high; no consensus yet" in text


def test_evidence_table_appraisal_columns_and_min_filters(rc, review, tmp_path):
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "moderate", "-r", "alice")
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "high", "-r", "bob")
    rc("appraise", "clinics.txt", "--relevance", "moderate", "--rigour", "high", "-r", "alice")
    out = tmp_path / "e.csv"
    rc("export", "evidence", "--unblind", "-o", out)
    rows = read_csv(out)
    hub = next(r for r in rows if r["File"] == "hubs.txt")
    assert hub["Rigour"] == "moderate (alice); high (bob)" and hub["Relevance"] == "high"
    assert {r["Rigour"] for r in rows if r["File"] == "garden.txt"} == {""}
    # disputed: the lower judgement (moderate) counts; garden.txt is not appraised
    rc("export", "evidence", "--unblind", "--min-rigour", "high", "-o", out)
    assert {r["File"] for r in read_csv(out)} == {"clinics.txt"}
    rc("export", "evidence", "--unblind", "--min-rigour", "moderate", "-o", out)
    assert {r["File"] for r in read_csv(out)} == {"clinics.txt", "hubs.txt"}
    rc("export", "evidence", "--unblind", "--min-relevance", "high", "-o", out)
    assert {r["File"] for r in read_csv(out)} == {"hubs.txt"}
    md = tmp_path / "e.md"
    rc("export", "evidence", "--unblind", "--min-rigour", "high", "-o", md)
    assert "Left out fragments from 2 document(s)" in md.read_text(encoding="utf-8")


def test_blinded_reviewer_sees_own_appraisal_and_the_consensus_only(rc, review, tmp_path):
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "moderate", "-r", "alice")
    rc("appraise", "hubs.txt", "--relevance", "low", "--rigour", "low", "-r", "bob")
    out = tmp_path / "e.csv"
    rc("export", "evidence", "--reviewer", "alice", "-o", out)
    assert {r["Rigour"] for r in read_csv(out) if r["File"] == "hubs.txt"} == {"moderate"}
