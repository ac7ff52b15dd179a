"""Role-only codings and no-role marks through the public surface: import codings with role and
none columns (all rows or none), decide/code --role, accepting role proposals, and a store of
schema 2 upgraded with its codings keeping their roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from old_store import schema2_store

from realistcoder.store import open_store
from realistcoder.store.migrations import MIGRATIONS

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def store_rc(rc):
    rc("ingest", CORPUS / "hub-roles-evaluation.pdf")
    rc("propose")
    body = [s for s in rc.jsonl("export", "sentences", "--format", "jsonl")
            if s["section"] == "body"]
    return rc, body


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def test_import_codings_takes_role_and_none_columns(store_rc, tmp_path):
    rc, body = store_rc
    a, b, c, d = (s["sentence_id"] for s in body[:4])
    f = write_csv(tmp_path / "roles.csv", ["sentence_id", "role"],
                  [[a, "context"], [a, "outcome"], [b, "none"], [f"{c}-{d}", "mechanism"]])
    out = rc("import", "codings", f, "--reviewer", "alice").stdout
    assert "4 codings added" in out
    codings = rc.jsonl("export", "codings", "--reviewer", "alice", "--format", "jsonl")
    got = sorted((r["sentence_id"], r["end_sentence_id"], r["code"], r["role"]) for r in codings)
    assert got == sorted([(a, a, None, "context"), (a, a, None, "outcome"),
                          (c, d, None, "mechanism")])  # the none mark is not a coding
    again = rc("import", "codings", f, "--reviewer", "alice").stdout
    assert "0 codings added, 4 already present" in again


def test_import_codings_takes_code_and_role_together(store_rc, tmp_path):
    rc, body = store_rc
    code = next(r for r in rc.jsonl("export", "proposals", "--format", "jsonl") if r["code"])
    a, b = body[0]["sentence_id"], body[1]["sentence_id"]
    f = write_csv(tmp_path / "both.csv", ["sentence_id", "code", "role"],
                  [[a, code["code"], code["role"]], [b, "", "mechanism"]])
    rc("import", "codings", f, "--reviewer", "alice")
    rows = {r["sentence_id"]: r for r in rc.jsonl("export", "codings", "--reviewer", "alice",
                                                    "--format", "jsonl")}
    assert (rows[a]["code"], rows[a]["role"]) == (code["code"], code["role"])
    assert (rows[b]["code"], rows[b]["role"]) == (None, "mechanism")


@pytest.mark.parametrize(("rows", "message"), [
    ([["{a}", "feelings"]], "is not context, mechanism, outcome or none"),
    ([["{a}", ""]], "neither a code nor a role"),
    ([["{a}", "none"], ["{a}", "context"]], "marks sentence {a} as carrying no role"),
])
def test_bad_role_rows_import_nothing_and_name_the_row(store_rc, tmp_path, rows, message):
    rc, body = store_rc
    a = body[0]["sentence_id"]
    ok = write_csv(tmp_path / "ok.csv", ["sentence_id", "role"], [[body[5]["sentence_id"],
                                                                    "context"]])
    bad = write_csv(tmp_path / "bad.csv", ["sentence_id", "role"],
                    [[body[5]["sentence_id"], "outcome"]]
                    + [[x.format(a=a) for x in row] for row in rows])
    result = rc("import", "codings", bad, "--reviewer", "alice", ok=False)
    assert result.exit_code == 1 and message.format(a=a) in result.output
    assert "Traceback" not in result.output
    assert rc.jsonl("export", "codings", "--reviewer", "alice", "--format", "jsonl") == []
    rc("import", "codings", ok, "--reviewer", "alice")  # a good file still imports


def test_none_refused_where_the_reviewer_has_coded_and_coding_ends_a_mark(store_rc):
    rc, body = store_rc
    a, b = body[0]["sentence_id"], body[1]["sentence_id"]
    rc("code", a, "--role", "context", "--reviewer", "alice")
    refused = rc("code", a, "--role", "none", "--reviewer", "alice", ok=False)
    assert refused.exit_code == 1 and "uncode them first" in refused.output
    pending = [p for p in rc.jsonl("export", "proposals", "--reviewer", "alice", "--format",
                                   "jsonl") if p["sentence_id"] == b and p["status"] == "pending"]
    out = rc("code", b, "--role", "none", "--reviewer", "alice").stdout
    assert "marked as carrying no role" in out
    if pending:  # like x in review: the sentence's proposals leave the queue, rejected
        assert f"{len(pending)} of your proposals on it rejected" in out
    status = {p["proposal_id"]: p["status"] for p in rc.jsonl(
        "export", "proposals", "--reviewer", "alice", "--format", "jsonl")}
    assert all(status[p["proposal_id"]] == "decided" for p in pending)
    rc("code", b, "--role", "outcome", "--reviewer", "alice")  # reading it again: a role
    roles = {(r["sentence_id"], r["role"]) for r in rc.jsonl(
        "export", "codings", "--reviewer", "alice", "--format", "jsonl")}
    assert roles == {(a, "context"), (b, "outcome")}
    rc("undo", "--reviewer", "alice")  # undo the outcome: the mark comes back
    from realistcoder.store import review as rv

    with open_store(rc.db_path) as store:
        marks = rv.current_codings(store, viewer="alice", role="none")
    assert [m["sentence_id"] for m in marks] == [b]


def test_accepting_a_role_proposal_codes_the_role_or_a_chosen_code(store_rc):
    rc, _ = store_rc
    props = rc.jsonl("export", "proposals", "--format", "jsonl")
    role_props = [p for p in props if p["code"] is None]
    assert role_props, "propose makes role proposals on the bundled corpus"
    first = role_props[0]
    out = rc("decide", first["proposal_id"], "--accept", "--reviewer", "alice").stdout
    assert f"accepted as {first['role']} (role only)" in out
    code = next(p for p in props if p["code"] and p["role"] == role_props[1]["role"])
    out = rc("decide", role_props[1]["proposal_id"], "--code", code["code"], "--reviewer",
             "alice").stdout
    assert f"accepted as {code['code']}" in out  # a code of the proposed role: an accept
    rows = {r["proposal_id"]: r for r in rc.jsonl("export", "codings", "--reviewer", "alice",
                                                   "--format", "jsonl")}
    assert rows[first["proposal_id"]]["code"] is None
    assert rows[role_props[1]["proposal_id"]]["code"] == code["code"]


def test_role_only_codings_reach_the_evidence_table_grouped_not_lost(store_rc, tmp_path):
    rc, body = store_rc
    rc("code", body[2]["sentence_id"], "--role", "mechanism", "--reviewer", "alice")
    out = tmp_path / "evidence.csv"
    rc("export", "evidence", "--reviewer", "alice", "-o", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "Mechanism (role only)" in text and body[2]["text"][:40] in text


def test_a_schema_2_store_upgrades_and_its_codings_keep_their_roles(tmp_path):
    path = schema2_store(tmp_path / "old.db")
    with open_store(path) as store:
        assert store.schema_version() == MIGRATIONS[-1][0]
        rows = store.query("SELECT id, code, role FROM codings ORDER BY id")
        assert rows == [{"id": 1, "code": "trust", "role": "mechanism"},
                        {"id": 2, "code": "misc", "role": "other"}]
        assert store.query("PRAGMA foreign_key_check") == []
        from realistcoder.store import review as rv

        rv.undo(store, "ann")  # the replay still works on upgraded rows
        assert [c["code"] for c in rv.current_codings(store, viewer="ann")] == ["trust"]
