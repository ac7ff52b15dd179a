"""The spreadsheet round trip: export worksheet (XLSX with drop-downs, or CSV), fill it in,
import decisions: every row validated, bad rows reported by number, all or nothing, idempotent."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from test_review_support import DOCS, seed

from realistcoder.store import open_store
from realistcoder.store import review as rv


@pytest.fixture
def ids(db_path):
    return seed(db_path)


def fill(path, decisions: dict[int, tuple]):
    """Set (decision, new_code, note) on the rows of the given proposal ids."""
    wb = load_workbook(path)
    ws = wb["worksheet"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(2, ws.max_row + 1):
        pid = ws.cell(row, col["proposal_id"]).value
        if pid in decisions:
            for name, value in zip(("decision", "new_code", "note"), decisions[pid],
                                   strict=False):
                ws.cell(row, col[name]).value = value
    wb.save(path)


def statuses(db_path, reviewer="alice"):
    with open_store(db_path) as s:
        return rv.proposal_status(s, reviewer)


def test_xlsx_worksheet_has_drop_downs_and_round_trips(rc, ids, db_path, tmp_path):
    p = ids["proposals"]
    rc("decide", p[0], "--accept", "--reviewer", "alice")  # decided: not on the worksheet
    sheet = tmp_path / "alice.xlsx"
    assert "7 pending proposals" in rc("export", "worksheet", "--reviewer", "alice", "-o",
                                       sheet).stdout
    wb = load_workbook(sheet)
    ws = wb["worksheet"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["proposal_id", "sentence_id"] and {"decision", "new_code", "note",
                                                               "text"} <= set(header)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == p[1:]
    assert rows[0][header.index("text")] == DOCS["alpha.pdf"][2][2]
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    decision_col = "M"
    dv = validations[f"{decision_col}2:{decision_col}8"]
    assert dv.type == "list" and dv.formula1 == '"accept,reject,recode"'
    assert any("codes!" in (v.formula1 or "") for v in validations.values())
    assert wb["about"]["B1"].value == "alice"
    about = {r[0]: r[1] for r in wb["about"].iter_rows(values_only=True)}
    assert "empty code is a role proposal" in about["role proposals"]
    assert "accept codes the role alone" in about["role proposals"]
    assert "code id in new_code" in about["role proposals"]

    fill(sheet, {p[1]: ("accept",), p[2]: ("recode", "wf_trust", "better as context"),
                 p[3]: ("reject", None, "not an outcome: see p. 3")})
    out = rc("import", "decisions", sheet, "--reviewer", "alice").stdout
    assert "3 decisions imported, 0 already in the store, 4 rows left undecided" in out
    st = statuses(db_path)
    assert (st[p[1]], st[p[2]], st[p[3]], st[p[4]]) == ("accepted", "recoded", "rejected",
                                                         "pending")
    # importing the same file again adds nothing, even after a later change in the terminal
    rc("decide", p[1], "--reject", "--reviewer", "alice")
    out = rc("import", "decisions", sheet, "--reviewer", "alice").stdout
    assert "0 decisions imported, 3 already in the store" in out
    assert statuses(db_path)[p[1]] == "rejected"
    with open_store(db_path) as s:
        log = rv.decision_log(s, viewer="alice")
        assert [d["origin"] for d in log].count("worksheet") == 3
        assert any(d["note"] == "not an outcome: see p. 3" for d in log)


def test_bad_rows_are_reported_by_number_and_nothing_is_imported(rc, ids, db_path, tmp_path):
    p = ids["proposals"]
    sheet = tmp_path / "alice.xlsx"
    rc("export", "worksheet", "--reviewer", "alice", "-o", sheet)
    fill(sheet, {p[0]: ("accept",), p[1]: ("maybe",), p[2]: ("recode",),
                 p[3]: ("recode", "no_such_code"), p[4]: ("reject", "wf_trust")})
    wb = load_workbook(sheet)
    wb["worksheet"].cell(8, 1).value = 9999  # a proposal that does not exist
    wb["worksheet"].cell(8, 13).value = "accept"
    wb.save(sheet)
    result = rc("import", "decisions", sheet, "--reviewer", "alice", ok=False)
    assert result.exit_code == 1
    for row in (3, 4, 5, 6, 8):
        assert f"row {row}:" in result.stderr
    assert "row 2:" not in result.stderr and "row 7:" not in result.stderr
    assert "5 bad row(s); nothing was imported" in result.stderr
    assert set(statuses(db_path).values()) == {"pending"}
    # somebody else's worksheet is refused
    result = rc("import", "decisions", sheet, "--reviewer", "bob", ok=False)
    assert "exported for alice" in result.stderr


def test_csv_worksheet_round_trip(rc, ids, db_path, tmp_path):
    p = ids["proposals"]
    sheet = tmp_path / "alice.csv"
    rc("export", "worksheet", "--reviewer", "alice", "-o", sheet, "--theory", "workforce")
    with open(sheet, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["proposal_id"]) for r in rows] == p[:5]
    rows[0]["decision"], rows[1]["decision"] = "reject", "ACCEPT"
    rows[2].update(decision="accept", new_code="wf_training")  # accept + other code = recode
    with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert "3 decisions imported" in rc("import", "decisions", sheet, "--reviewer",
                                        "alice").stdout
    st = statuses(db_path)
    assert (st[p[0]], st[p[1]], st[p[2]]) == ("rejected", "accepted", "recoded")
    assert "0 decisions imported" in rc("import", "decisions", sheet, "--reviewer",
                                        "alice").stdout


def test_worksheet_file_type_errors(rc, ids, tmp_path):
    result = rc("export", "worksheet", "--reviewer", "alice", "-o", tmp_path / "w.txt", ok=False)
    assert "name the file .xlsx or .csv" in result.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    result = rc("import", "decisions", broken, "--reviewer", "alice", ok=False)
    assert "cannot read the workbook" in result.stderr
