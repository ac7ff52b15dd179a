"""realistcoder simulate: replays a labelled coding, prints and plots the learning curve,
deterministically, and never changes the store."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from test_learn import truth, write_documents


@pytest.fixture
def labelled(rc, tmp_path):
    rc("ingest", *write_documents(tmp_path))
    rc("propose")
    path = tmp_path / "labels.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sentence_id", "role"])
        for s in rc.jsonl("export", "sentences", "--format", "jsonl"):
            if s["section"] == "body":
                for role in sorted(truth(s["text"])) or ["none"]:
                    out.writerow([s["sentence_id"], role])
    return path


def test_simulate_prints_and_plots_a_learning_curve(rc, labelled, tmp_path, db_path):
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    png, svg = tmp_path / "curve.png", tmp_path / "curve.svg"
    out = rc("simulate", "--labels", labelled, "--batch", "20", "-o", png).stdout
    lines = [cols for cols in map(str.split, out.splitlines()) if len(cols) == 8]
    assert len(lines) >= 3 and lines[0][0] == "0"  # the cold point, then one per batch
    assert lines[0][5] == lines[0][7]  # before any decision the proposals are the cold ones
    last = lines[-1]
    # learning the reviewer's concept raises F1 on the documents not yet reviewed, against the
    # same documents' proposals without learning
    assert float(last[5]) > float(last[7])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rc("simulate", "--labels", labelled, "--batch", "20", "-o", svg)
    assert "<text" in svg.read_text(encoding="utf-8")  # labels stay text
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before  # ran on a copy


def test_the_same_seed_gives_the_same_curve(rc, labelled):
    args = ("simulate", "--labels", labelled, "--batch", "25", "--shuffle", "--seed", "4",
            "--format", "json")
    first, second = json.loads(rc(*args).stdout), json.loads(rc(*args).stdout)
    assert first == second and first["points"] and first["retrains"] >= 1
    assert {"precision", "recall", "f1", "wss95", "cold_f1"} <= set(first["points"][0])


def test_simulate_replays_a_reviewers_codings_from_the_store(rc, labelled):
    rc("import", "codings", labelled, "--reviewer", "alice")
    data = json.loads(rc("simulate", "--reviewer", "alice", "--batch", "30", "--format",
                         "json").stdout)
    assert data["labelled"] > 50 and len(data["documents"]) == 4


@pytest.mark.parametrize(("args", "message"), [
    ((), "pass --reviewer NAME or --labels FILE"),
    (("--labels", "missing.csv"), "no such file"),
    (("--labels", "{bad}"), "bad row"),
])
def test_simulate_mistakes_are_one_line_errors(rc, labelled, tmp_path, args, message):
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence_id,role\nabc,context\n", encoding="utf-8")
    result = rc("simulate", *[a.format(bad=bad) for a in args], ok=False)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
