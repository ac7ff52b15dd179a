"""REFI-QDA project exchange: the .qdpx validates against Project.xsd, its selections point at
the exact coded text, and importing it (into another store, or twice) round-trips."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_export import MD_DOC, PDF_DOC, build_review_store, run

from realistcoder.export.refi import plain_text
from realistcoder.store import open_store, review

NS = {"q": "urn:QDA-XML:project:1.0"}


def T(name: str) -> str:  # noqa: N802  (a Clark-notation tag)
    return f"{{{NS['q']}}}{name}"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    """(store, exported .qdpx of everyone's codings)."""
    folder = tmp_path_factory.mktemp("refi")
    db = build_review_store(folder / "store")
    out = folder / "review.qdpx"
    run(db, "export", "qdpx", "--unblind", "-o", out)
    return db, out


def qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def coding_keys(db: Path) -> list[tuple]:
    with open_store(db) as store:
        rows = review.current_codings(store, unblinded=True)
    # REFI times are whole seconds (what NVivo, ATLAS.ti and QualCoder write and read)
    return sorted((r["document"], r["page"], r["end_page"], r["text"], r["code"] or "",
                   r["role"], r["reviewer"], r["note"] or "", r["created_at"][:19])
                  for r in rows)


def test_project_validates_against_the_refi_schema(project, shared):
    import xmlschema

    schema = xmlschema.XMLSchema(str(shared / "refi-qda" / "Project.xsd"))
    with zipfile.ZipFile(project[1]) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))


def test_sources_are_utf8_lf_text_and_the_pdf_is_attached(project):
    db, out = project
    root = qde(out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        pdf_sources = root.findall(".//q:PDFSource", NS)
        assert [s.get("name") for s in pdf_sources] == [PDF_DOC]
        pdf_member = "sources/" + pdf_sources[0].get("path").removeprefix("internal://")
        assert archive.read(pdf_member) == (Path(__file__).parents[1] / "corpus" /
                                            PDF_DOC).read_bytes()
        text_sources = {s.get("name") for s in root.findall(".//q:Sources/q:TextSource", NS)}
        assert MD_DOC in text_sources  # not a PDF: text only
        for member in names:
            if member.endswith(".txt"):
                data = archive.read(member)
                assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
                data.decode("utf-8")
        assert len([n for n in names if n.endswith(".txt")]) == 3


def test_every_selection_covers_exactly_the_coded_text(project):
    db, out = project
    root = qde(out)
    with zipfile.ZipFile(out) as archive:
        texts = {}
        for holder in root.iter(T("TextSource"), T("Representation")):
            member = "sources/" + holder.get("plainTextPath").removeprefix("internal://")
            texts[holder] = archive.read(member).decode("utf-8")
    users = {u.get("guid"): u.get("name") for u in root.iter(T("User"))}
    codes = {c.get("guid"): c for c in root.iter(T("Code"))}
    with open_store(db) as store:
        stored = {r["uuid"]: r for r in review.current_codings(store, unblinded=True)}
    seen = 0
    for holder, text in texts.items():
        for sel in holder.findall("q:PlainTextSelection", NS):
            coding = sel.find("q:Coding", NS)
            row = stored[coding.get("guid")]
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert text[start:end] == row["text"]
            assert users[coding.get("creatingUser")] == row["reviewer"]
            assert coding.find("q:CodeRef", NS).get("targetGUID") in codes
            seen += 1
    assert seen == len(stored)


def test_round_trip_into_another_store_and_idempotent(project, tmp_path):
    db, out = project
    other = build_store_without_codings(tmp_path)
    result = run(other, "import", "qdpx", out)
    assert "imported" in result.output
    assert coding_keys(other) == coding_keys(db)
    again = run(other, "import", "qdpx", out)
    assert "imported 0 codings" in again.output
    assert coding_keys(other) == coding_keys(db)


def build_store_without_codings(folder: Path) -> Path:
    db = folder / "other.db"
    docs = folder / "docs"
    docs.mkdir()
    corpus = Path(__file__).parents[1] / "corpus"
    for name in (PDF_DOC, MD_DOC):
        shutil.copy(corpus / name, docs / name)
    from test_export import TRICKY_TEXT

    (docs / "tricky.txt").write_text(TRICKY_TEXT, encoding="utf-8")
    run(db, "ingest", docs)
    run(db, "codebook", "load", Path(__file__).parents[1] / "codebooks" / "mcp-realist.yaml")
    return db


def test_import_of_unknown_codes_changes_nothing(project, tmp_path):
    db, out = project
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "project.qde":
                root = etree.fromstring(data)
                for code in root.iter(T("Code")):
                    code.set("name", "Something else " + code.get("guid")[:6])
                    for desc in code.findall("q:Description", NS):
                        code.remove(desc)
                    code.set("guid", code.get("guid")[:-4] + "ffff")
                for ref in root.iter(T("CodeRef")):
                    ref.set("targetGUID", ref.get("targetGUID")[:-4] + "ffff")
                data = etree.tostring(root)
            dst.writestr(item, data)
    other = build_store_without_codings(tmp_path)
    result = run(other, "import", "qdpx", broken, ok=False)
    assert result.exit_code == 1 and "nothing imported" in result.stderr
    assert coding_keys(other) == []


def test_import_by_code_name_and_found_text_from_another_tool(project, tmp_path):
    """A tool that extracted the text differently (CRLF, extra spaces) and names codes only."""
    db, out = project
    root = qde(out)
    code_el = next(c for c in root.iter(T("Code"))
                   if "t1_trust_between_professionals" in (c.findtext("q:Description", "", NS)))
    tricky = next(s for s in root.iter(T("TextSource")) if s.get("name") ==
                  "tricky.txt")
    other_text = ("Notes  from   another tool\r\n+44 staff joined the hub in its first year,"
                  "\r\nand trust between professionals grew.\r\n")
    start = other_text.index("+44")
    end = other_text.index("grew.") + len("grew.")
    project_xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="elsewhere">
  <Users><User guid="11111111-2222-3333-4444-555555555555" name="carol"/></Users>
  <CodeBook><Codes>
    <Code guid="aaaaaaaa-2222-3333-4444-555555555555" name="{code_el.get('name')}"
          isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="bbbbbbbb-2222-3333-4444-555555555555" name="{tricky.get('name')}"
                plainTextPath="internal://cccccccc-2222-3333-4444-555555555555.txt">
      <PlainTextSelection guid="dddddddd-2222-3333-4444-555555555555" startPosition="{start}"
                          endPosition="{end}">
        <Coding guid="eeeeeeee-2222-3333-4444-555555555555"
                creatingUser="11111111-2222-3333-4444-555555555555">
          <CodeRef targetGUID="aaaaaaaa-2222-3333-4444-555555555555"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""
    path = tmp_path / "elsewhere.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project_xml)
        archive.writestr("sources/cccccccc-2222-3333-4444-555555555555.txt",
                         "\ufeff" + other_text)
    other = build_store_without_codings(tmp_path)
    run(other, "import", "qdpx", path)
    keys = coding_keys(other)
    assert len(keys) == 1
    document, page, _, text, code, _, reviewer, _, _ = keys[0]
    assert (document, code, reviewer) == ("tricky.txt", "t1_trust_between_professionals", "carol")
    assert text.startswith("+44 staff joined the hub")


def test_plain_text_drops_bom_and_cr_and_remaps_offsets():
    text = "\ufeffab\r\ncd\ref😀g"
    plain = plain_text(text)
    assert plain.text == "ab\ncd\nef😀g"
    for stored, char in ((1, "a"), (5, "c"), (8, "e"), (10, "😀"), (11, "g")):
        assert text[stored] == char == plain.text[plain.offset(stored)]
    assert plain.offset(len(text)) == len(plain.text)


def test_export_refuses_other_extensions_and_blinded_codings(project, tmp_path):
    db, _ = project
    result = run(db, "export", "qdpx", "-o", tmp_path / "x.zip", ok=False)
    assert result.exit_code == 1 and ".qdpx" in result.stderr
    result = run(db, "export", "qdpx", "-o", tmp_path / "x.qdpx", ok=False)
    assert result.exit_code == 1 and "blinded" in result.stderr
    run(db, "export", "qdpx", "--reviewer", "bob", "--no-pdf", "-o", tmp_path / "bob.qdpx")
    root = qde(tmp_path / "bob.qdpx")
    assert [u.get("name") for u in root.iter(T("User"))] == ["bob"]
    assert not root.findall(".//q:PDFSource", NS)


DEMO_CODEBOOK = """\
name: demo
version: "1"
theories:
  - id: wellbeing
    label: Wellbeing
codes:
  - id: health
    label: Health
    role: outcome
    theory: wellbeing
    terms: [health]
  - id: diet
    label: Diet
    role: context
    theory: wellbeing
    terms: [diet]
"""


def test_import_of_a_hand_authored_refi_project(shared, tmp_path):
    """The REFI example project (text and PDF-region selections, nested codes, other users)."""
    example = shared / "refi-qda" / "examples" / "hand_authored"
    path = tmp_path / "example.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(example / "project.qde", "project.qde")
        for source in (example / "sources").iterdir():
            archive.write(source, f"sources/{source.name}")
    text = (example / "sources" / "11111111-1111-1111-1111-111111111111.txt").read_text()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "interview-1.txt").write_text(text + "\n\nA second, unrelated paragraph follows.\n")
    (tmp_path / "demo.yaml").write_text(DEMO_CODEBOOK)
    db = tmp_path / "review.db"
    run(db, "ingest", docs)
    run(db, "codebook", "load", tmp_path / "demo.yaml")
    refused = run(db, "import", "qdpx", path, ok=False)
    assert refused.exit_code == 1 and "PDF region" in refused.stderr  # doc.pdf is not ingested
    assert coding_keys(db) == []
    result = run(db, "import", "qdpx", path, "--partial")
    assert "imported 2 codings (2 by Researcher A)" in result.output
    keys = coding_keys(db)
    assert [(k[0], k[3], k[4], k[6]) for k in keys] == [
        ("interview-1.txt", text, "diet", "Researcher A"),
        ("interview-1.txt", text, "health", "Researcher A"),
    ]
