"""QA: hostile input gives one clear error line, a non-zero exit and no half-written output."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CORPUS

NOTE = CORPUS / "mdt-huddles-practice-note.md"


def _one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def ingested(rc):
    rc("ingest", NOTE)
    return rc


@pytest.mark.parametrize("args", [
    ("export", "sentences", "-o", "{missing}/s.jsonl"),
    ("export", "proposals", "-o", "{missing}/p.jsonl"),
    ("audit", "-o", "{missing}/a.html"),
])
def test_output_in_missing_folder_is_one_clear_error(ingested, tmp_path, args):
    missing = tmp_path / "no-such-folder"
    result = ingested(*[a.format(missing=missing) for a in args], ok=False)
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "unexpected error" not in line
    assert "no-such-folder" in line
    assert not missing.exists()


def test_qdpx_in_missing_folder_is_one_clear_error(ingested, tmp_path):
    result = ingested("export", "qdpx", "--unblind", "-o", tmp_path / "nope" / "r.qdpx", ok=False)
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "unexpected error" not in line and "nope" in line


def test_file_name_too_long_for_db_is_a_store_error(rc, tmp_path):
    from realistcoder.cli.main import cli

    long_db = tmp_path / ("x" * 300 + ".db")
    result = rc.runner.invoke(cli, ["--db", str(long_db), "documents"])
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "unexpected error" not in line


def test_foreign_sqlite_database_is_refused_and_left_alone(rc, tmp_path):
    from realistcoder.cli.main import cli

    other = tmp_path / "zotero.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT)")
    conn.commit()
    conn.close()
    result = rc.runner.invoke(cli, ["--db", str(other), "ingest", str(NOTE)])
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "zotero.sqlite" in line and "realistcoder store" in line
    conn = sqlite3.connect(other)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"items"}


def test_documents_list_does_not_create_a_store(rc, tmp_path):
    from realistcoder.cli.main import cli

    typo = tmp_path / "reveiw.db"
    result = rc.runner.invoke(cli, ["--db", str(typo), "documents"])
    assert result.exit_code == 1
    assert "no review store" in _one_error_line(result)
    assert not typo.exists()


@pytest.mark.parametrize("name,content", [
    ("empty.bib", b""),
    ("garbage.bib", b"\x00\x01 this is not bibtex at all \xff\xfe"),
    ("garbage.ris", b"just some words\nand more\n"),
    ("empty.ris", b""),
])
def test_reference_file_without_entries_is_an_error(ingested, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = ingested("documents", "import-metadata", path, ok=False)
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert name in line


def test_broken_bibtex_prints_one_line(ingested, tmp_path):
    path = tmp_path / "broken.bib"
    path.write_text("@article{x,\n title = {unclosed\n", encoding="utf-8")
    result = ingested("documents", "import-metadata", path, ok=False)
    assert result.exit_code == 1
    assert "broken.bib" in _one_error_line(result)


def test_map_role_is_checked(ingested, tmp_path):
    result = ingested("export", "map", "--role", "contxt", "-o", tmp_path / "m.csv", ok=False)
    assert result.exit_code == 2
    assert not (tmp_path / "m.csv").exists()


def test_disagreements_worksheet_is_not_overwritten(ingested, tmp_path):
    sheet = tmp_path / "meeting.csv"
    sheet.write_text("sentence_id,consensus\n5,t2_trust\n", encoding="utf-8")
    before = sheet.read_bytes()
    result = ingested("audit", "--disagreements", "-o", sheet, ok=False)
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "meeting.csv" in line and "--force" in line
    assert sheet.read_bytes() == before


def test_unknown_reviewer_in_export_is_an_error(formula_store, tmp_path):
    out = tmp_path / "e.csv"
    result = formula_store("export", "evidence", "--reviewer", "nobody", "-o", out, ok=False)
    assert result.exit_code == 1
    assert "nobody" in _one_error_line(result)
    assert not out.exists()


def test_old_user_version_with_newer_tables_says_damaged(rc, db_path: Path):
    rc("ingest", NOTE)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    result = rc("documents", ok=False)
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "version" in line and "backup" in line


FORMULA_MD = (
    '=HYPERLINK("http://evil.example","click") was what staff typed into the shared record.\n\n'
    "-2+3 of the nurses said the hub improved trust between professionals.\n"
)


@pytest.fixture
def formula_store(rc, tmp_path):
    doc = tmp_path / "formula.md"
    doc.write_text(FORMULA_MD, encoding="utf-8")
    rc("ingest", doc)
    rc("codebook", "load", CORPUS.parent / "codebooks" / "mcp-realist.yaml")
    rc("code", "1", "t1_trust_between_professionals", "-r", "alice")
    rc("code", "2", "t1_trust_between_professionals", "-r", "bob")
    return rc


def test_disagreements_xlsx_never_holds_a_formula(formula_store, tmp_path):
    import openpyxl

    out = tmp_path / "meeting.xlsx"
    formula_store("audit", "--disagreements", "--bootstrap", "0", "-o", out)
    ws = openpyxl.load_workbook(out)["disagreements"]
    texts = [row[3] for row in ws.iter_rows(min_row=2)]
    assert [c.data_type for c in texts] == ["s", "s"]
    assert texts[0].value.startswith("=HYPERLINK")  # exact text, typed as text
    assert not list(tmp_path.glob(".*.part"))


def test_disagreements_and_sentences_csv_are_inert(formula_store, tmp_path):
    import csv

    out = tmp_path / "meeting.csv"
    formula_store("audit", "--disagreements", "--bootstrap", "0", "-o", out)
    texts = [r["text"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))]
    assert texts[0].startswith("'=HYPERLINK") and texts[1].startswith("'-2+3")
    printed = formula_store("audit", "--disagreements", "--bootstrap", "0", "--format", "csv")
    assert "\n1,formula.md,1,\"'=HYPERLINK" in printed.stdout
    sentences = formula_store("export", "sentences", "--format", "csv").stdout
    assert ",\"'=HYPERLINK" in sentences and ",'-2+3" in sentences


def test_ingest_folder_without_documents_fails(rc, tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    result = rc("ingest", folder, ok=False)
    assert result.exit_code == 1
    assert "papers" in result.stderr and "no PDF" in result.stderr


def test_codebook_export_of_a_stored_name_points_to_stored(rc, tmp_path):
    result = rc("codebook", "export", "team-draft", "-o", tmp_path / "x.yaml", ok=False)
    assert result.exit_code == 1
    assert "--stored team-draft" in _one_error_line(result)
    assert "mcp-components" in _one_error_line(result)  # the shipped ids are listed


def test_ingest_refuses_a_pipe_instead_of_hanging(rc, tmp_path):
    import os

    fifo = tmp_path / "paper.pdf"
    os.mkfifo(fifo)
    result = rc("ingest", tmp_path, ok=False)
    assert result.exit_code == 1
    assert "not a regular file" in result.stderr


def test_audit_when_reviewers_coded_different_documents(rc, tmp_path):
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(f"Staff in {name} trusted one another after joint clinics.\n",
                                     encoding="utf-8")
        rc("ingest", tmp_path / name)
    rc("codebook", "load", CORPUS.parent / "codebooks" / "mcp-realist.yaml")
    rc("code", "1", "t1_trust_between_professionals", "-r", "alice")
    rc("code", "2", "t1_trust_between_professionals", "-r", "bob")
    for fmt in ("table", "csv", "json", "html"):
        result = rc("audit", "--bootstrap", "0", "--format", fmt)
        assert result.exit_code == 0
    assert "no document was reviewed by all" in rc("audit", "--bootstrap", "0").stdout


def test_bib_with_one_broken_entry_warns_and_matches_title_to_file_name(rc, tmp_path):
    doc = tmp_path / "community-coproduction-report.md"
    doc.write_text("Working with our communities\n\nResidents helped plan the hub.\n",
                   encoding="utf-8")
    rc("ingest", doc)
    bib = tmp_path / "refs.bib"
    bib.write_text("@techreport{comm,\n  author = {Doe, Jane},\n"
                   "  title = {Community co-production report},\n  year = 2019\n}\n"
                   "@article{x,\n title = {unclosed\n", encoding="utf-8")
    result = rc("documents", "import-metadata", bib)
    assert "matched  comm -> community-coproduction-report.md" in result.stdout
    assert "skipped 1 unreadable entry" in result.stderr


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write to: chmod for a normal user, a read-only bind mount for root."""
    import os
    import subprocess

    src = tmp_path / "archive"
    src.mkdir()
    if os.geteuid() != 0:
        yield src, lambda: src.chmod(0o555)
        src.chmod(0o755)
        return
    mnt = tmp_path / "ro"
    mnt.mkdir()

    mounted = []

    def lock():
        for cmd in (["mount", "--bind", str(src), str(mnt)],
                    ["mount", "-o", "remount,ro,bind", str(mnt)]):
            if subprocess.run(cmd, capture_output=True).returncode != 0:
                pytest.skip("cannot make a read-only folder here (no bind mounts)")
            mounted.append(cmd)

    yield src, lock, mnt
    if mounted and subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
        raise AssertionError("the store was left open: the read-only mount is still busy")


def test_store_in_read_only_folder_reads_and_refuses_writes(rc, read_only_folder, tmp_path):
    import shutil

    from realistcoder.cli.main import cli

    src, lock, *mnt = read_only_folder
    rc("ingest", NOTE)
    shutil.copy(rc.db_path, src / "review.db")
    lock()
    db = (mnt[0] if mnt else src) / "review.db"
    run = rc.runner.invoke
    listed = run(cli, ["--db", str(db), "documents"])
    assert listed.exit_code == 0 and "mdt-huddles-practice-note.md" in listed.stdout
    exported = run(cli, ["--db", str(db), "export", "sentences", "-o", str(tmp_path / "s.jsonl")])
    assert exported.exit_code == 0
    coded = run(cli, ["--db", str(db), "codebook", "load", str(CORPUS.parent / "codebooks" /
                                                                "mcp-realist.yaml")])
    assert coded.exit_code == 1
    assert "cannot write the review store" in _one_error_line(coded)


@pytest.mark.parametrize("args", [
    ("codebook", "export", str(CORPUS.parent / "codebooks" / "mcp-realist.yaml"), "-o",
     "{out}/cb.xlsx"),
    ("export", "evidence", "--status", "proposed", "-o", "{out}/ev.html"),
    ("export", "sentences", "-o", "{out}/s.jsonl"),
])
def test_full_disk_names_the_file_and_leaves_nothing(ingested, tmp_path, monkeypatch, args):
    import errno

    out = tmp_path / "out"
    out.mkdir()

    def full(self, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "replace", full)
    result = ingested(*[a.format(out=out) for a in args], ok=False)
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert str(out) in line and "space" in line
    assert list(out.iterdir()) == []


def test_document_named_in_nfc_finds_a_file_stored_in_nfd(rc, tmp_path):
    import unicodedata

    folder = tmp_path / "mac"
    folder.mkdir()
    (folder / unicodedata.normalize("NFD", "évaluation.md")).write_text(
        "Huddles helped staff share concerns early.\n", encoding="utf-8")
    rc("ingest", folder)
    typed = unicodedata.normalize("NFC", "évaluation.md")
    assert "Huddles helped staff" in rc("sentences", typed).stdout
    assert rc("export", "evidence", "--status", "proposed", "--document", typed,
              "-o", tmp_path / "e.csv").exit_code == 0
    rc("codebook", "load", CORPUS.parent / "codebooks" / "mcp-realist.yaml")
    assert rc("audit", "--document", typed, "--bootstrap", "0").exit_code == 0


def test_partial_qdpx_import_never_places_codings_in_another_paper(rc, tmp_path):
    """b.md is not ingested: its codings are skipped (summarised), not moved into a.md, which
    happens to share one sentence with it."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("Staff in the north trusted one another after joint clinics. "
                                "The authors declare no competing interests.\n", encoding="utf-8")
    (other / "b.md").write_text("Patients valued the new evening appointments at the hub. "
                                "The authors declare no competing interests.\n", encoding="utf-8")
    rc("ingest", other)
    rc("codebook", "load", CORPUS.parent / "codebooks" / "mcp-realist.yaml")
    for sid in ("1", "2", "3", "4"):
        rc("code", sid, "t1_trust_between_professionals", "-r", "alice")
    rc("export", "qdpx", "--unblind", "-o", tmp_path / "p.qdpx")
    (other / "b.md").unlink()
    rc.db_path = tmp_path / "fresh.db"
    rc("ingest", other)
    rc("codebook", "load", CORPUS.parent / "codebooks" / "mcp-realist.yaml")
    result = rc("import", "qdpx", tmp_path / "p.qdpx", "--partial")
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert skipped == ["skipped: b.md: 2 codings: the selected text is in no ingested document"]


@pytest.mark.parametrize("args", [
    ("export", "sentences", "-o", "{db}"),
    ("export", "proposals", "-o", "{db}"),
    ("export", "codings", "--unblind", "-o", "{db}"),
    ("audit", "--bootstrap", "0", "--format", "json", "-o", "{db}"),
    ("export", "sentences", "-o", "{pdf}"),
])
def test_output_never_overwrites_the_store_or_a_pdf(ingested, db_path, tmp_path, args):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a paper someone needs\n")
    before = db_path.read_bytes(), pdf.read_bytes()
    result = ingested(*[a.format(db=db_path, pdf=pdf) for a in args], ok=False)
    assert result.exit_code == 1
    assert "would destroy it" in _one_error_line(result)
    assert (db_path.read_bytes(), pdf.read_bytes()) == before
    assert ingested("documents").exit_code == 0


def test_sentences_dash_means_stdout(ingested, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = ingested("export", "sentences", "-o", "-")
    assert result.stdout.startswith('{"sentence_id": 1')
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("args, magic", [
    (("export", "evidence", "--status", "proposed", "--format", "xlsx", "-o", "{out}/e.csv"),
     b"PK"),
    (("audit", "--bootstrap", "0", "--format", "html", "-o", "{out}/a.json"), b"<!doctype"),
])
def test_format_overrides_the_extension_and_says_so(ingested, tmp_path, args, magic):
    result = ingested(*[a.format(out=tmp_path) for a in args])
    (written,) = list(tmp_path.glob("[ea].*"))
    assert written.read_bytes().startswith(magic)
    assert "as --format says" in result.stderr


def test_empty_search_is_an_error(ingested):
    result = ingested("search", "  ", ok=False)
    assert result.exit_code == 1
    assert "empty" in _one_error_line(result)


@pytest.mark.parametrize("args", [("search",), ("sentences",), ("export", "sentences"),
                                  ("documents", "edit"), ("documents", "list")])
def test_every_option_of_my_commands_is_explained(rc, args):
    import click

    from realistcoder.cli.main import cli

    command = cli
    for name in args:
        command = command.get_command(click.Context(command), name)
    bare = [p.opts for p in command.params
            if isinstance(p, click.Option) and not p.help and p.name != "help"]
    assert bare == []
