"""Regenerate docs/examples/: the bundled corpus coded by two simulated reviewers, exported.

    python docs/make_examples.py

Runs the real CLI in a temporary store: ingest corpus/, propose, then two reviewers decide every
proposal through the spreadsheet round trip (export worksheet -> fill -> import decisions).
"alice" decides as the gold labels in tests/gold/corpus_gold.yaml say: she accepts a code
proposal when the sentence is gold evidence for the proposal's role and theory, gives a role
proposal the gold code of its role that no code proposal of the sentence offers (and rejects it
when there is none), then codes by hand (import codings) the gold codes that no proposal
offered. "bob" does the same except that he reverses his decision on every sixth proposal.
Then the synthesis (as in docs/synthesis-walkthrough.md): screening,
characteristics and flow counts, appraisals and consensus, CMOCs with evidence for and against,
a refinement, a chain, gaps; an audit and every report export.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "examples"


def run(db: Path, *args: str) -> str:
    cmd = [sys.executable, "-m", "realistcoder", "--db", str(db), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def norm(text: str) -> str:
    return " ".join(text.split())


def gold_of(labels: list[dict], document: str, text: str) -> list[dict]:
    """The gold labels of a sentence: its document's labels whose quote it is or contains (a list
    bullet, a run-in label such as "Results:" or quotation marks may surround the quote)."""
    text = norm(text)
    return [g for g in labels if g["document"] == document and norm(g["quote"]) in text]


def decide_worksheet(sheet: Path, labels: list[dict], flip_every: int) -> set[tuple[int, str]]:
    """Fill the worksheet as the gold labels say; return the (sentence id, code) pairs that a
    proposal offered, decided either way (the rest of the gold is coded by hand)."""
    with sheet.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    offered: set[tuple[int, str]] = set()
    for row in rows:  # code proposals first: a role proposal gets a code no code proposal offers
        if row["code"]:
            gold = gold_of(labels, row["document"], row["text"])
            accept = any(g["role"] == row["role"] and g["theory"] == row["theory"] for g in gold)
            row["decision"] = "accept" if accept else "reject"
            offered.add((int(row["sentence_id"]), row["code"]))
    for row in rows:
        if not row["code"]:
            sentence = int(row["sentence_id"])
            wanted = [c for g in gold_of(labels, row["document"], row["text"])
                      if g["role"] == row["role"] for c in g["codes"]
                      if (sentence, c) not in offered]
            row["decision"], row["new_code"] = ("recode", wanted[0]) if wanted else ("reject", "")
            if wanted:
                offered.add((sentence, wanted[0]))
    for row in rows:
        if flip_every and int(row["proposal_id"]) % flip_every == 0:
            row["decision"], row["new_code"] = ("reject", "") if row["decision"] != "reject" \
                else ("accept", "")
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return offered


def hand_codings(sheet: Path, sentences: list[dict], labels: list[dict],
                 offered: set[tuple[int, str]]) -> None:
    """What a reviewer codes by hand: the gold codes no proposal offered."""
    rows = []
    for s in sentences:
        for g in gold_of(labels, s["document"], s["text"]):
            for code in g["codes"]:
                if (s["sentence_id"], code) not in offered:
                    offered.add((s["sentence_id"], code))
                    rows.append({"sentence_id": s["sentence_id"], "code": code})
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["sentence_id", "code"])
        writer.writeheader()
        writer.writerows(rows)


def synthesis(db: Path) -> None:
    """Appraise, screen, build and refine CMOCs, chain them: the examples of the synthesis."""
    docs = ("capitated-contract-study.pdf", "community-coproduction-report.pdf",
            "hub-roles-evaluation.pdf", "shared-records-study.pdf",
            "mdt-huddles-practice-note.md")
    run(db, "documents", "screen", *docs, "--include", "-r", "alice")
    for doc, kind, design, found in (
            (docs[0], "empirical", "qualitative case study", "database search"),
            (docs[1], "practice", "programme report", "stakeholder"),
            (docs[2], "empirical", "mixed-methods evaluation", "database search"),
            (docs[3], "empirical", "mixed-methods evaluation", "database search"),
            (docs[4], "practice", "practice note", "stakeholder")):
        run(db, "documents", "edit", doc, "--evidence-type", kind, "--design", design,
            "--country", "England", "--found-via", found)
    for stage, n, label in (("identified", "318", "database search"),
                            ("identified", "12", "stakeholder"), ("duplicates", "41", ""),
                            ("excluded-title-abstract", "261",
                             "not primary-care-led integrated care"),
                            ("excluded-title-abstract", "17",
                             "no account of how the model worked"),
                            ("excluded-full-text", "6", "no outcome data")):
        run(db, "flow", "record", stage, n, "--label", label, "-r", "alice")
    for doc, alice, bob, agreed in (
            (docs[2], ("high", "moderate"), ("high", "high"), ("high", "moderate")),
            (docs[0], ("high", "high"), ("high", "high"), None),
            (docs[1], ("high", "moderate"), ("moderate", "moderate"), ("high", "moderate")),
            (docs[3], ("moderate", "low"), ("moderate", "low"), None)):
        for who, (relevance, rigour) in (("alice", alice), ("bob", bob)):
            run(db, "appraise", doc, "--relevance", relevance, "--rigour", rigour, "-r", who)
        if agreed:
            run(db, "appraise", doc, "--relevance", agreed[0], "--rigour", agreed[1],
                "--consensus", "-r", "alice")
    codings = [json.loads(line) for line in run(
        db, "export", "codings", "--format", "jsonl", "--reviewer", "alice").splitlines()]

    def pick(code: str, start: str) -> str:
        return next(str(c["coding_id"]) for c in codings
                    if c["code"] == code and c["text"].startswith(start))

    trust, late = pick("t1_trust_between_professionals", "Where GPs"), \
        pick("t1_trust_between_professionals", "In contrast")
    null = pick("t1_fewer_referrals", "There was no reduction in emergency admissions over")
    run(db, "cmoc", "add", "--theory", "workforce", "--reviewer", "alice",
        "--title", "Trust and training open up new roles",
        "--context", f"{trust},{pick('t1_training', 'A shared competency')},{late}",
        "--reasoning", pick("t1_willingness", "Staff who had completed"),
        "--outcome", f"{pick('t1_access', 'Patients could usually')},{null}",
        "--refutes", null, "--refines", late,
        "--if", "practitioners in new roles are trained and trusted by GPs",
        "--then", "patients are seen sooner and fewer are referred on",
        "--because", "professionals become willing to share work")
    mentoring = pick("t1_willingness", "Nurse practitioners described")
    run(db, "cmoc", "edit", "1", "--then", "patients are seen sooner",
        "--because", "practitioners come to trust their own judgement",
        "--add-reasoning", mentoring, "--prompted-by", f"{null},{mentoring}",
        "--reason", "admissions did not fall; mentoring, not GP trust alone, explains the "
        "handover", "-r", "alice")
    run(db, "cmoc", "add", "--theory", "people_communities", "--reviewer", "alice",
        "--title", "Being heard builds confidence",
        "--context", pick("t3_reciprocal_engagement", "Residents were paid"),
        "--reasoning", pick("t3_confidence_to_contribute", "Residents who sat"),
        "--outcome", pick("t3_preventive_priorities", "The design group"),
        "--if", "residents are paid for their time and chair meetings as equals",
        "--then", "they change the priorities for preventive care",
        "--because", "they feel listened to and confident to challenge professionals")
    run(db, "cmoc", "add", "--theory", "people_communities", "--reviewer", "alice",
        "--title", "Ownership turns into healthier habits",
        "--context", f"{pick('t3_ongoing_support', 'All volunteers')},"
        f"{pick('t3_ongoing_support', 'Volunteers were given')}",
        "--reasoning", pick("t3_ownership", "Residents on the design group"),
        "--outcome", f"{pick('t3_health_behaviours', 'Of 218')},"
        f"{pick('t3_social_participation', 'Volunteer-led')}",
        "--if", "volunteers are trained, supported and hear what their work achieved",
        "--then", "residents become more active and less isolated",
        "--because", "they come to see the programme as their own")
    run(db, "cmoc", "chain", "2", "3", "--as", "context", "-r", "alice",
        "--note", "the priorities residents set are the setting in which ownership grows")
    run(db, "theory", "refine", "people_communities", "--cmoc", "2,3", "-r", "alice",
        "--statement", "Paying and listening to residents as equals gives them the "
        "confidence to reshape priorities; priorities they shaped become theirs, and that "
        "ownership, sustained by training and feedback, shows in more activity and less "
        "isolation.", "--reason", "two chained configurations from the co-production report")
    run(db, "gaps", "add", "--kind", "uncertainty", "--theory", "workforce", "-r", "alice",
        "--title", "Do the new roles reduce emergency admissions over a longer period?")
    run(db, "gaps", "link", "1", "--cmoc", "1", "--coding", null, "-r", "alice")


def main() -> None:
    labels = yaml.safe_load((ROOT / "tests/gold/corpus_gold.yaml").read_text())["labels"]
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "demo.db"
        run(db, "ingest", "corpus/")
        run(db, "propose")
        sentences = [json.loads(line) for doc in sorted({g["document"] for g in labels})
                     for line in run(db, "sentences", doc, "--format", "jsonl").splitlines()]
        for reviewer, flip in (("alice", 0), ("bob", 6)):
            sheet = tmp / f"{reviewer}.csv"
            run(db, "export", "worksheet", "--reviewer", reviewer, "-o", str(sheet))
            offered = decide_worksheet(sheet, labels, flip)
            run(db, "import", "decisions", str(sheet), "--reviewer", reviewer)
            hand = tmp / f"{reviewer}-hand.csv"
            hand_codings(hand, sentences, labels, offered)
            run(db, "import", "codings", str(hand), "--reviewer", reviewer)
        synthesis(db)
        (OUT / "audit.txt").write_text(run(db, "audit"), encoding="utf-8")
        run(db, "export", "evidence", "--unblind", "-o", str(OUT / "evidence.md"))
        run(db, "export", "evidence", "--unblind", "-o", str(OUT / "evidence.html"))
        run(db, "export", "cmoc", "-o", str(OUT / "cmoc.md"))
        run(db, "export", "map", "--unblind", "--by", "theory", "-o", str(OUT / "map.md"))
        run(db, "export", "map", "--unblind", "--by", "theory", "-o", str(OUT / "map.png"))
        run(db, "export", "map", "--unblind", "-o", str(OUT / "map-by-code.png"))
        run(db, "export", "map", "--unblind", "--quotes", "--theory", "workforce", "-o",
            str(OUT / "map-narrative.md"))
        run(db, "export", "documents", "--unblind", "-o", str(OUT / "documents.md"))
        (OUT / "cmoc-show.txt").write_text(run(db, "cmoc", "show", "1"), encoding="utf-8")
        (OUT / "cmoc-history.txt").write_text(run(db, "cmoc", "history", "1"),
                                              encoding="utf-8")
        (OUT / "flow.txt").write_text(run(db, "flow"), encoding="utf-8")
        run(db, "flow", "-o", str(OUT / "flow.png"))
        run(db, "export", "theory", "-o", str(OUT / "theory.png"))
        run(db, "export", "theory", "-o", str(OUT / "theory.dot"))
        run(db, "export", "refinement", "-o", str(OUT / "refinement.md"))
        run(db, "export", "gaps", "-o", str(OUT / "gaps.md"))
        run(db, "report", "rameses", "-o", str(OUT / "rameses.md"))
        run(db, "export", "qdpx", "--unblind", "--no-pdf", "-o", str(tmp / "review.qdpx"))
        shutil.unpack_archive(tmp / "review.qdpx", tmp / "qdpx", format="zip")
        qde = (tmp / "qdpx" / "project.qde").read_text(encoding="utf-8")
        (OUT / "project-excerpt.qde").write_text("\n".join(qde.splitlines()[:40]) + "\n",
                                                 encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
