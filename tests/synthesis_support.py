"""A small coded review for the synthesis tests: three text documents, a two-theory codebook,
and hand codings by alice (and a few by bob), all made through the CLI.

``build(rc, tmp_path)`` returns ``{"docs": {name: id}, "s": {(name, i): sentence id},
"c": {(name, i): alice's coding id}, "b": {(name, i): bob's coding id}}``.
"""

from __future__ import annotations

import csv
from pathlib import Path

CODEBOOK = """\
name: synthesis-test
version: "1"
theories:
  - id: workforce
    label: "T1 workforce"
    description: Trusted, trained practitioners take on new work and patients are seen sooner.
  - id: people
    label: "T3 people"
    description: Confident residents shape local priorities and their own health.
codes:
  - {id: wf_trust, label: Trust between professionals, role: context, theory: workforce,
     level: organisational, terms: [trusted]}
  - {id: wf_time, label: Protected time, role: context, theory: workforce, level: system,
     terms: [protected time]}
  - {id: wf_training, label: Training and mentoring, role: mechanism,
     mechanism_type: resource, theory: workforce, level: individual, terms: [mentoring]}
  - {id: wf_confidence, label: Confidence to take on new work, role: mechanism,
     mechanism_type: reasoning, theory: workforce, level: individual,
     terms: [confidence to prescribe]}
  - {id: wf_access, label: Quicker access, role: outcome, theory: workforce,
     terms: [seen sooner]}
  - {id: wf_admissions, label: Fewer admissions, role: outcome, theory: workforce,
     terms: [emergency admissions]}
  - {id: pc_confidence, label: Residents' confidence to contribute, role: mechanism,
     mechanism_type: reasoning, theory: people, level: individual,
     terms: [confidence to speak]}
  - {id: pc_priorities, label: Priorities for preventive care, role: outcome, theory: people,
     terms: [priorities]}
  - {id: pc_ownership, label: Shared ownership, role: mechanism, mechanism_type: reasoning,
     theory: people, terms: [sense of ownership]}
  - {id: pc_activity, label: More physical activity, role: outcome, theory: people,
     terms: [physical activity]}
"""

DOCS = {
    "hubs.txt": [
        "Where GPs already trusted the new practitioners, work was handed over within weeks.",
        "Mentoring sessions gave the nurses the confidence to prescribe on their own.",
        "Waiting times for routine appointments fell by a third in the first year.",
        "There was no reduction in emergency admissions over the same year.",
        "Lack of protected time was a barrier to supervision in two practices.",
    ],
    "clinics.txt": [
        "In contrast, in a practice without joint clinics, the GPs kept every new problem.",
        "Patients were seen sooner once the pharmacists ran the medication reviews.",
        "Shared clinics helped the two professions to work out who did what.",
    ],
    "garden.txt": [
        "Volunteers gained the confidence to speak up at the board of the hub.",
        "Their views shaped the priorities for preventive care in the next plan.",
        "Residents described a shared sense of ownership of the garden project.",
        "The walking groups led to more physical activity among older residents.",
    ],
}

# (document, sentence index, code) coded by alice; bob codes BOB
ALICE = [
    ("hubs.txt", 0, "wf_trust"), ("hubs.txt", 1, "wf_training"),
    ("hubs.txt", 1, "wf_confidence"), ("hubs.txt", 2, "wf_access"),
    ("hubs.txt", 3, "wf_admissions"), ("hubs.txt", 4, "wf_time"),
    ("clinics.txt", 0, "wf_trust"), ("clinics.txt", 1, "wf_access"),
    ("clinics.txt", 2, "wf_trust"),
    ("garden.txt", 0, "pc_confidence"), ("garden.txt", 1, "pc_priorities"),
    ("garden.txt", 2, "pc_ownership"), ("garden.txt", 3, "pc_activity"),
]
BOB = [("hubs.txt", 0, "wf_trust"), ("hubs.txt", 2, "wf_access"),
       ("garden.txt", 1, "pc_priorities")]


def build(rc, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "synthesis-test.yaml"
    book.write_text(CODEBOOK, encoding="utf-8")
    for name, sentences in DOCS.items():
        (folder / name).write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    rc("ingest", *[folder / name for name in DOCS])
    rc("codebook", "load", book)
    out: dict = {"docs": {}, "s": {}, "c": {}, "b": {}}
    for row in rc.jsonl("documents", "--format", "jsonl"):
        out["docs"][row["file_name"]] = row["id"]
    for name in DOCS:
        for i, row in enumerate(rc.jsonl("sentences", name, "--format", "jsonl")):
            out["s"][(name, i)] = row["sentence_id"]
        assert len([k for k in out["s"] if k[0] == name]) == len(DOCS[name]), name
    for key, who in (("c", ALICE), ("b", BOB)):
        reviewer = "alice" if key == "c" else "bob"
        for name, i, code in who:
            text = rc("code", out["s"][(name, i)], code, "--reviewer", reviewer).stdout
            coding = int(text.split(":", 1)[0].split()[-1])
            out[key].setdefault((name, i), coding)
            out[key][(name, i, code)] = coding
    return out


def read_csv(path: Path) -> list[dict]:
    """Rows of a CSV export (UTF-8 with BOM, as realistcoder writes them)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
