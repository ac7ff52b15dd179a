"""Codings from quotes exported by other tools (Taguette highlights, QualCoder coded text, a
generic document/code/quote CSV), matched to sentences by their text; all rows or none.

The layouts follow the tools' own export code: Taguette's ``highlights_csv`` writes
``id,document,tag,content`` (csv module defaults, CRLF); QualCoder's coded text report
(``report_codes.py``, ``export_csv_file``) writes UTF-8 with a BOM, every cell quoted,
``File,Coder,Coded,Id,Codename,Coded_Memo,Category``."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from test_export import CORPUS, MD_DOC, PDF_DOC, run
from test_refi import coding_keys

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "mcp-realist.yaml"
TRUST = ("Where GPs and the new practitioners had worked together before the hub opened, "
         "responsibilities were handed over quickly and with little dispute.")
WAIT = "the median wait for a routine appointment fell from 9.5 days to 4 days"


@pytest.fixture
def db(tmp_path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (PDF_DOC, MD_DOC):
        shutil.copy(CORPUS / name, docs / name)
    db = tmp_path / "review.db"
    run(db, "ingest", docs)
    run(db, "codebook", "load", CODEBOOK)
    return db


def write_csv(path: Path, rows: list[list[str]], **kw) -> Path:
    with open(path, "w", encoding=kw.pop("encoding", "utf-8"), newline="") as handle:
        csv.writer(handle, **kw).writerows(rows)
    return path


def test_taguette_highlights_csv_and_xlsx(db, tmp_path):
    rows = [["id", "document", "tag", "content"],
            ["7", "hub-roles-evaluation", "workforce.Trust between professionals", TRUST],
            ["9", "hub-roles-evaluation", "outcome", WAIT]]
    path = write_csv(tmp_path / "highlights.csv", rows)
    refused = run(db, "import", "quotes", path, ok=False)
    assert refused.exit_code == 1 and "pass --reviewer NAME" in refused.stderr
    dry = run(db, "import", "quotes", path, "--reviewer", "carol", "--dry-run")
    assert "(taguette, 2 rows): would add 2 codings (2 by carol)" in dry.output
    assert coding_keys(db) == []
    result = run(db, "import", "quotes", path, "--reviewer", "carol")
    assert "added 2 codings" in result.output
    assert "1 quotes cover part of a sentence and were widened" in result.output
    keys = coding_keys(db)
    assert [(k[4], k[5], k[6]) for k in keys] == [
        ("", "outcome", "carol"), ("t1_trust_between_professionals", "context", "carol")]
    assert TRUST in [k[3] for k in keys]
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "highlights.xlsx")
    again = run(db, "import", "quotes", tmp_path / "highlights.xlsx", "--reviewer", "carol")
    assert "added 0 codings" in again.output and "2 already present" in again.output


def test_qualcoder_coded_text_export(db, tmp_path):
    rows = [["File", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category"],
            [PDF_DOC, "dana", TRUST, "ctid:1", "Trust between professionals", "key quote",
             "Context (workforce)"]]
    path = write_csv(tmp_path / "qualcoder.csv", rows, encoding="utf-8-sig",
                     quoting=csv.QUOTE_ALL)
    result = run(db, "import", "quotes", path)
    assert "(qualcoder, 1 rows): added 1 codings (1 by dana)" in result.output
    (key,) = coding_keys(db)
    assert (key[3], key[4], key[6], key[7]) == (TRUST, "t1_trust_between_professionals", "dana",
                                                "key quote")


def test_generic_csv_all_rows_or_none(db, tmp_path):
    rows = [["document", "code", "quote"],
            [PDF_DOC, "t1_trust_between_professionals", TRUST],
            ["missing.pdf", "t1_access", WAIT],
            [PDF_DOC, "no_such_code", TRUST],
            [PDF_DOC, "t1_access", "A sentence that no document holds at all."]]
    path = write_csv(tmp_path / "quotes.csv", rows)
    refused = run(db, "import", "quotes", path, "--reviewer", "erin", ok=False)
    assert refused.exit_code == 1 and "3 of 4 rows cannot be placed" in refused.stderr
    assert "row 3: no ingested document is called 'missing.pdf'" in refused.stderr
    assert "row 4: code 'no_such_code' is not in any loaded codebook" in refused.stderr
    assert "row 5: the quote is not in hub-roles-evaluation.pdf" in refused.stderr
    assert coding_keys(db) == []
    write_csv(path, rows[:2] + [[PDF_DOC.upper(), "Improved accessibility of care", WAIT]])
    result = run(db, "import", "quotes", path, "--reviewer", "erin")
    assert "(csv, 2 rows): added 2 codings (2 by erin)" in result.output
    assert sorted(k[4] for k in coding_keys(db)) == ["t1_access", "t1_trust_between_professionals"]


def test_an_unknown_layout_names_the_columns_expected(db, tmp_path):
    path = write_csv(tmp_path / "odd.csv", [["a", "b"], ["1", "2"]])
    result = run(db, "import", "quotes", path, "--reviewer", "x", ok=False)
    assert result.exit_code == 1 and "id,document,tag,content" in result.stderr
