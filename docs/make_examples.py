"""Regenerate docs/examples/: the bundled corpus coded by two simulated reviewers, exported.

    python docs/make_examples.py

Runs the real CLI in a temporary store: ingest corpus/, propose, then two reviewers decide every
proposal through the spreadsheet round trip (export worksheet -> fill -> import decisions).
"alice" decides as the gold labels in tests/gold/corpus_gold.yaml say (accept when the sentence
is gold evidence for the proposal's role and theory); "bob" agrees with her except on every
sixth proposal. Then an appraisal, a CMOC, an audit and every report export.
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


def decide_worksheet(sheet: Path, gold: set[tuple[str, str, str, str]], flip_every: int) -> None:
    with sheet.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    for row in rows:
        key = (row["document"], norm(row["text"]), row["role"], row["theory"])
        accept = key in gold
        if flip_every and int(row["proposal_id"]) % flip_every == 0:
            accept = not accept
        row["decision"] = "accept" if accept else "reject"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    labels = yaml.safe_load((ROOT / "tests/gold/corpus_gold.yaml").read_text())["labels"]
    gold = {(g["document"], norm(g["quote"]), g["role"], g["theory"]) for g in labels}
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "demo.db"
        run(db, "ingest", "corpus/")
        run(db, "propose")
        for reviewer, flip in (("alice", 0), ("bob", 6)):
            sheet = tmp / f"{reviewer}.csv"
            run(db, "export", "worksheet", "--reviewer", reviewer, "-o", str(sheet))
            decide_worksheet(sheet, gold, flip)
            run(db, "import", "decisions", str(sheet), "--reviewer", reviewer)
        run(db, "appraise", "hub-roles-evaluation.pdf", "--relevance", "high", "--rigour",
            "moderate", "--reviewer", "alice")
        codings = [json.loads(line) for line in run(
            db, "export", "codings", "--format", "jsonl", "--reviewer", "alice").splitlines()]
        # a T1 configuration: trust and training (C) -> willingness (M) -> access (O)
        wanted = {"context": ("t1_trust_between_professionals", "t1_training"),
                  "mechanism": ("t1_willingness",), "outcome": ("t1_access",)}
        pick = {role: [str(c["coding_id"]) for c in codings if c["code"] in codes][:2]
                for role, codes in wanted.items()}
        if all(pick.values()):
            run(db, "cmoc", "add", "--theory", "workforce", "--reviewer", "alice",
                "--title", "Trust and training open up new roles",
                "--context", ",".join(pick["context"]),
                "--reasoning", ",".join(pick["mechanism"]),
                "--outcome", ",".join(pick["outcome"]),
                "--if", "practitioners in new roles are trained and trusted by GPs",
                "--then", "patients are seen sooner and fewer are referred on",
                "--because", "professionals become willing to share work")
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
        run(db, "export", "qdpx", "--unblind", "--no-pdf", "-o", str(tmp / "review.qdpx"))
        shutil.unpack_archive(tmp / "review.qdpx", tmp / "qdpx", format="zip")
        qde = (tmp / "qdpx" / "project.qde").read_text(encoding="utf-8")
        (OUT / "project-excerpt.qde").write_text("\n".join(qde.splitlines()[:40]) + "\n",
                                                 encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
