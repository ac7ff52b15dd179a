"""A reviewer codes the bundled corpus end to end: in the terminal, by commands and by
spreadsheet; then the team unblinds, suggests CMOCs and checks every quote is exact."""

from __future__ import annotations

import random

import pytest
from conftest import CORPUS
from openpyxl import load_workbook


def test_bundled_corpus_end_to_end(rc, tmp_path):
    if not any(CORPUS.glob("*.pdf")):
        pytest.skip("the bundled corpus has no PDFs yet")
    rc("ingest", CORPUS)
    rc("propose")
    proposals = rc.jsonl("export", "proposals", "--format", "jsonl")
    sentences = {s["sentence_id"]: s for s in rc.jsonl("export", "sentences", "--format", "jsonl")}
    assert len(proposals) > 20

    # terminal: alice accepts, rejects, extends, recodes by search, undoes, quits; resumes
    out = rc("review", "--reviewer", "alice", input="a\nr\nn\na\nc\ntrust\n1\nu\nq\n",
             env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in out.splitlines()) <= 80  # a plain 80-column terminal
    out = rc("review", "--reviewer", "alice", input="a\n" * 10 + "q\n").stdout
    assert f"{len(proposals) - 3} proposals in this queue" in out

    # commands: a decision and a hand coding of what no proposal found
    unproposed = next(i for i, s in sentences.items() if s["section"] == "body"
                      and i not in {p["sentence_id"] for p in proposals})
    rc("decide", proposals[-1]["proposal_id"], "--reject", "--reviewer", "alice")
    code = next(p["code"] for p in proposals if p["code"])
    rc("code", unproposed, code, "--reviewer", "alice")

    # spreadsheet: bob decides everything on a train
    sheet = tmp_path / "bob.xlsx"
    rc("export", "worksheet", "--reviewer", "bob", "-o", sheet)
    wb = load_workbook(sheet)
    ws = wb["worksheet"]
    rng = random.Random(3)
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 13).value = rng.choice(["accept", "accept", "reject"])
    wb.save(sheet)
    assert f"{len(proposals)} decisions imported" in rc("import", "decisions", sheet,
                                                        "--reviewer", "bob").stdout
    status = rc("status", "--unblind").stdout
    bob = next(line for line in status.splitlines() if line.startswith("bob "))
    assert bob.split()[1] == str(len(proposals)) and bob.split()[-1] == "0"

    # every exported quote is the stored text, with the sentence's page
    codings = rc.jsonl("export", "codings", "--unblind")
    assert {c["reviewer"] for c in codings} == {"alice", "bob"}
    for c in codings:
        first = sentences[c["sentence_id"]]
        assert c["page"] == first["page"] and c["text"].startswith(first["text"])
        if c["end_sentence_id"] == c["sentence_id"]:
            assert c["text"] == first["text"]
        else:
            assert c["text"].endswith(sentences[c["end_sentence_id"]]["text"])
    assert any(c["proposal_id"] is None for c in codings)

    out = rc("cmoc", "suggest", "--reviewer", "bob", "--list").stdout
    assert "candidate 1/" in out or "no candidate" in out
