"""REFI-QDA exchange that never misplaces a coding: offsets counted another way (CRLF as one,
UTF-16 units, a BOM) are corrected when the selections' names say so and refused otherwise;
parts of sentences are reported as widened; theories survive a tool that drops sets; a
project's own codebook loads."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_export import build_review_store, run
from test_refi import T, build_store_without_codings, coding_keys

from realistcoder.codebook import load_codebook
from realistcoder.codebook.qdc import write_qdc
from realistcoder.export.refi_offsets import choose, name_fits
from realistcoder.export.safe import xml_text

NS = {"q": "urn:QDA-XML:project:1.0"}
CODEBOOKS = Path(__file__).resolve().parents[1] / "codebooks"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    """(store, exported .qdpx of everyone's codings)."""
    folder = tmp_path_factory.mktemp("exchange")
    db = build_review_store(folder / "store")
    run(db, "export", "qdpx", "--unblind", "-o", folder / "review.qdpx")
    return db, folder / "review.qdpx"


def rewrite(src: Path, dst: Path, *, text=None, selection=None) -> None:
    """Copy a .qdpx, changing each source's text (``text(old) -> new``) and each
    ``PlainTextSelection`` (``selection(element, old text, new text)``)."""
    with zipfile.ZipFile(src) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(members["project.qde"])
    for holder in root.iter(T("TextSource"), T("Representation")):
        member = "sources/" + holder.get("plainTextPath").removeprefix("internal://")
        old = members[member].decode("utf-8")
        new = text(old) if text else old
        members[member] = new.encode("utf-8") if isinstance(new, str) else new
        for sel in holder.findall("q:PlainTextSelection", NS):
            if selection:
                selection(sel, old, new)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(dst, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def full_names(sel, old: str, new) -> None:
    """Name each selection with its whole text, as QualCoder does."""
    sel.set("name", xml_text(old[int(sel.get("startPosition")):int(sel.get("endPosition"))]))


def test_qualcoder_maxqda_line_endings_are_detected_and_corrected(project, tmp_path):
    """QualCoder's "MAXQDA line endings" export: CRLF text with a BOM, offsets counting each
    line break as one character. Read as code points, most codings land on other sentences."""
    db, out = project
    crlf = tmp_path / "crlf.qdpx"
    rewrite(out, crlf, text=lambda t: ("\ufeff" + t.replace("\n", "\r\n")).encode("utf-8"),
            selection=full_names)
    other = build_store_without_codings(tmp_path)
    result = run(other, "import", "qdpx", crlf)
    assert "offsets read as code points with CRLF as one character" in result.output
    assert coding_keys(other) == coding_keys(db)  # every coding on its own sentence


def test_utf16_offsets_after_an_emoji_are_corrected(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    text = ("Staff said the huddles 😀 helped a lot.\n\nTrust between professionals grew "
            "once GPs and nurses met every morning 👍.\n\nPatients were seen sooner.\n")
    (docs / "notes.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "review.db"
    run(db, "ingest", docs)
    run(db, "codebook", "load", CODEBOOKS / "mcp-realist.yaml")
    quote = "Patients were seen sooner."
    start = len(text[: text.index(quote)].encode("utf-16-le")) // 2  # NVivo counts units
    path = foreign_project(tmp_path / "nvivo.qdpx", text, [(start, start + len(quote), quote,
                                                             "Improved accessibility of care")])
    result = run(db, "import", "qdpx", path)
    assert "offsets read as UTF-16 code units:" in result.output
    keys = coding_keys(db)
    assert [(k[3], k[4]) for k in keys] == [(quote, "t1_access")]


def test_a_selection_whose_name_does_not_fit_is_refused_never_placed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    text = "Trust between professionals grew.\n\nPatients were seen sooner than before.\n"
    (docs / "notes.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "review.db"
    run(db, "ingest", docs)
    run(db, "codebook", "load", CODEBOOKS / "mcp-realist.yaml")
    good = text.index("Patients")
    selections = [(good, good + 26, "Patients were seen sooner", "Improved accessibility of care"),
                  (0, 33, "A sentence from another document", "Trust between professionals")]
    path = foreign_project(tmp_path / "odd.qdpx", text, selections)
    refused = run(db, "import", "qdpx", path, ok=False)
    assert refused.exit_code == 1 and "nothing imported" in refused.stderr
    assert "named 'A sentence from another document' but the text at its offsets reads " \
           "'Trust between professionals grew.'" in refused.stderr
    assert coding_keys(db) == []
    partial = run(db, "import", "qdpx", path, "--partial")
    assert "imported 1 codings" in partial.output
    assert "selections cover part of a sentence and were widened" in partial.output
    assert [k[3] for k in coding_keys(db)] == ["Patients were seen sooner than before."]


def foreign_project(path: Path, text: str, selections: list[tuple]) -> Path:
    """A project made elsewhere: one text source, codes named by label only."""
    codes = sorted({s[3] for s in selections})
    code_xml = "".join(f'<Code guid="aaaaaaaa-0000-0000-0000-{i:012d}" name="{name}" '
                       'isCodable="true"/>' for i, name in enumerate(codes))
    sel_xml = "".join(
        f'<PlainTextSelection guid="bbbbbbbb-0000-0000-0000-{k:012d}" name="{name}" '
        f'startPosition="{start}" endPosition="{end}">'
        f'<Description>memo {k}</Description>'
        f'<Coding guid="cccccccc-0000-0000-0000-{k:012d}" '
        'creatingUser="11111111-2222-3333-4444-555555555555">'
        f'<CodeRef targetGUID="aaaaaaaa-0000-0000-0000-{codes.index(code):012d}"/></Coding>'
        '</PlainTextSelection>' for k, (start, end, name, code) in enumerate(selections))
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="elsewhere">
<Users><User guid="11111111-2222-3333-4444-555555555555" name="dana"/></Users>
<CodeBook><Codes>{code_xml}</Codes></CodeBook>
<Sources><TextSource guid="dddddddd-2222-3333-4444-555555555555" name="notes.txt"
 plainTextPath="internal://eeeeeeee-2222-3333-4444-555555555555.txt">{sel_xml}</TextSource>
</Sources></Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/eeeeeeee-2222-3333-4444-555555555555.txt", text)
    return path


def test_offset_conventions_need_names_to_be_corrected():
    text = "Intro line\r\nTrust between professionals grew.\r\nNext.\r\n"
    start = text.index("Trust")
    # offsets counting "\r\n" as one: one unit fewer than code points
    named = choose(text, False, [(start - 1, start - 1 + 33, "Trust between professionals")])
    assert named.convention.name == "code points with CRLF as one character"
    assert not named.misfits
    standard = choose(text, False, [(start, start + 33, "Trust between professionals grew.")])
    assert standard.convention.name == "code points"
    wrong = choose(text, False, [(3, 9, "Patients were seen")])
    assert wrong.misfits == [0]
    assert name_fits("Trust between profes…", "Trust between professionals grew.")
    assert not name_fits("Trust between", "rust between professionals")
    assert name_fits("", "anything") is None


def test_theories_survive_a_tool_that_drops_sets(tmp_path):
    """QualCoder keeps codes and categories (non-codable codes) with their descriptions, drops
    <Sets> and writes new GUIDs: the codebook still loads, with its theories."""
    original = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    root = etree.fromstring(write_qdc(original))
    qdc_ns = "urn:QDA-XML:codebook:1.0"
    groups = [c for c in root.iter(f"{{{qdc_ns}}}Code") if c.get("isCodable") == "false"]
    assert {g.get("name") for g in groups} >= {"Context (workforce)",
                                               "Mechanism: reasoning (design)"}
    names = [c.get("name").lower() for c in root.iter(f"{{{qdc_ns}}}Code")]
    assert len(names) == len(set(names))  # QualCoder refuses a second code of the same name
    root.remove(root.find(f"{{{qdc_ns}}}Sets"))
    for i, code in enumerate(root.iter(f"{{{qdc_ns}}}Code")):
        code.set("guid", f"0000aaaa-0000-0000-0000-{i:012d}")
        if code.get("isCodable") == "true":
            code.set("color", "#EB7333")
    path = tmp_path / "through-qualcoder.qdc"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    back = load_codebook(path)
    assert [t.id for t in back.theories] == [t.id for t in original.theories
                                             if any(c.theory == t.id for c in original.codes)]
    assert [(c.id, c.role, c.theory, c.mechanism_type) for c in back.codes] == [
        (c.id, c.role, c.theory, c.mechanism_type) for c in original.codes]
    assert (back.name, back.version) == (original.name, original.version)


def test_foreign_codebook_ids_are_transliterated_and_colours_kept(tmp_path):
    path = tmp_path / "foreign.qdc"
    path.write_text("""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="10000000-0000-0000-0000-000000000001" name="Contexte" isCodable="false">
 <Code guid="10000000-0000-0000-0000-000000000002" name="Barrières à l'accès"
       isCodable="true" color="#ff0000"/>
</Code>
<Code guid="10000000-0000-0000-0000-000000000003" name="医生信任" isCodable="true"/>
</Codes></CodeBook>""", encoding="utf-8")
    book = load_codebook(path)
    by_label = {c.label: c for c in book.codes}
    assert by_label["Barrières à l'accès"].id == "barrieres_a_l_acces"
    assert by_label["Barrières à l'accès"].color == "#FF0000"
    assert by_label["医生信任"].id == "yishengxinren"
    again = load_codebook(Path(tmp_path / "again.qdc").write_bytes(write_qdc(book)) and
                          tmp_path / "again.qdc")
    assert again.code("barrieres_a_l_acces").color == "#FF0000"


def test_codebook_load_and_import_use_a_projects_own_codebook(project, tmp_path):
    db, out = project
    other = build_store_without_codings(tmp_path)
    result = run(other, "codebook", "load", out)
    assert "stored codebook" in result.output or "unchanged" in result.output
    foreign = tmp_path / "foreign.qdpx"
    text = "Barrier talk.\n\nLes barrières à l'accès étaient nombreuses.\n"
    path = foreign_project(foreign, text, [(15, 58, "Les barrières à l'accès étaient "
                                            "nombreuses.", "Barrières à l'accès")])
    (tmp_path / "docs" / "notes.txt").write_text(text, encoding="utf-8")
    run(other, "ingest", tmp_path / "docs" / "notes.txt")
    refused = run(other, "import", "qdpx", path, ok=False)
    assert "is not in any loaded codebook" in refused.stderr
    result = run(other, "import", "qdpx", path, "--codebook")
    assert "stored codebook" in result.output and "imported 1 codings (1 by dana)" in result.output
    keys = coding_keys(other)
    assert [(k[3], k[4], k[7]) for k in keys if k[6] == "dana"] == [
        ("Les barrières à l'accès étaient nombreuses.", "barrieres_a_l_acces", "memo 0")]


@pytest.mark.parametrize("name", ["atlasti-8.4_standard-project.qde",
                                  "hand_authored/project.qde"])
def test_codebook_of_a_real_atlas_ti_project_validates(shared, name, tmp_path):
    path = shared / "refi-qda" / "examples" / name
    result = run(tmp_path / "x.db", "codebook", "validate", path)
    assert ": ok (" in result.output
