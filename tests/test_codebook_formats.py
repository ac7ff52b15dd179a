"""Codebooks: the shipped ones load; broken ones fail with the right lines; every format
round-trips (YAML, CSV, XLSX, REFI-QDA .qdc, which must also validate against Codebook.xsd)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from realistcoder.codebook import (
    Code,
    Codebook,
    Theory,
    default_codebook_path,
    load_codebook,
    shipped_codebooks,
    write_codebook,
)
from realistcoder.codebook.qdc import code_guid, structure_problems, write_qdc
from realistcoder.errors import CodebookError

ROOT = Path(__file__).resolve().parents[1]
CODEBOOKS = ROOT / "codebooks"
SHARED = ROOT.parent / "shared"

DATA = Path(__file__).parent / "data" / "codebooks"
SHIPPED = ["mcp-realist.yaml", "mcp-components.yaml", "logic-model.yaml"]
MCP_AREAS = {"design", "delivery", "management", "people_communities", "workforce",
             "technology", "leadership", "knowledge"}
TEN_COMPONENTS = {"collaborative_leadership", "engine_room", "transparent_governance",
                  "population_needs", "logic_model", "value_proposition", "care_redesign",
                  "implementation_planning", "learn_and_adapt", "commissioning_contracting"}


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    return err.value.problems


def at(problems: list[str], line: int, text: str) -> bool:
    return any(re.search(rf":{line}: .*{re.escape(text)}", p) for p in problems)


# ------------------------------------------------------------------ shipped codebooks


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_codebook_loads_and_is_rich(name):
    codebook = load_codebook(CODEBOOKS / name)
    assert codebook.codes and codebook.version
    for code in codebook.codes:
        if code.is_cmo and not codebook.children(code.id):
            assert len(code.terms) >= 10, f"{code.id} has only {len(code.terms)} terms"


def test_mcp_realist_has_the_three_theories_and_every_area():
    codebook = load_codebook(default_codebook_path())
    assert default_codebook_path().name == "mcp-realist.yaml"
    assert {t.id for t in codebook.theories} == MCP_AREAS
    for theory in ("workforce", "design", "people_communities"):
        roles = {(c.role, c.mechanism_type) for c in codebook.codes if c.theory == theory}
        assert {("context", None), ("mechanism", "reasoning"), ("outcome", None)} <= roles
    core = [c for c in codebook.codes if c.id.startswith(("t1_", "t2_", "t3_"))]
    assert all(15 <= len(c.terms) <= 45 for c in core), [(c.id, len(c.terms)) for c in core]
    risks = [c for c in codebook.codes if c.id.startswith("risk_")]
    assert {c.theory for c in risks} == MCP_AREAS  # unintended consequences for every area
    assert all(codebook.code(c.parent).role == "other" for c in risks)
    assert {c.role for c in risks} == {"context", "mechanism", "outcome"}
    # the phrasings evaluation reports use, and UK/US spellings side by side
    terms = {t.lower() for c in codebook.codes for t in c.terms}
    assert {"staff felt more confident", "reduction in a&e attendances",
            "lack of protected time", "reduced emergency admissions"} <= terms
    assert {"organisational culture", "organizational culture"} <= terms


def test_mcp_components_has_the_ten_components_good_practice_and_barriers():
    codebook = load_codebook(CODEBOOKS / "mcp-components.yaml")
    ids = {c.id for c in codebook.codes}
    assert TEN_COMPONENTS <= ids
    assert {"sharing_learning", "information_systems", "patient_centred", "time",
            "misaligned_incentives", "reluctance_to_learn"} <= ids
    assert {c.id for c in codebook.children("patient_centred")} == {
        "personalisation", "co_production", "single_point_of_access"}


def test_logic_model_has_its_dimensions():
    codebook = load_codebook(CODEBOOKS / "logic-model.yaml")
    assert {"inputs", "activities", "outputs", "outcomes", "impacts"} <= {
        c.id for c in codebook.codes}
    children = codebook.children("outcomes")
    assert [c.label for c in children] == ["Knowledge", "Skills", "Attitudes", "Behaviour"]
    assert all(c.role == "outcome" and c.theory == "logic_model" for c in children)


def test_shipped_codebooks_are_found_as_package_data():
    assert {p.name for p in shipped_codebooks()} >= set(SHIPPED)


# ------------------------------------------------------------------ validation with lines


def test_broken_yaml_reports_every_problem_with_its_line():
    problems = problems_of(DATA / "broken.yaml")
    expected = [
        (10, "unknown role 'contxt' (did you mean 'context'?)"),
        (13, "duplicate code id 'trust' (first at line 8)"),
        (18, "mechanism 'training' needs mechanism_type"),
        (26, "role 'outcome' but gives mechanism_type"),
        (32, "unknown theory 'workfroce' (did you mean 'workforce'?)"),
        (37, "unknown parent 'nowhere'"),
        (47, "pattern 2 of code 'tools' is not a valid spaCy Matcher pattern"),
        (48, "code 'empty' (context) has no terms and no patterns"),
        (56, "unknown key 'term' in code 'typo' (did you mean 'terms'?)"),
        (57, "'terms' of code 'typo' must be a list"),
        (62, "reads as true/false"),
    ]
    for line, text in expected:
        assert at(problems, line, text), f"missing line {line}: {text}\n" + "\n".join(problems)
    assert all(p.startswith(f"{DATA / 'broken.yaml'}:") for p in problems)
    # the valid pattern on line 46 is not reported
    assert not at(problems, 46, "pattern")


def test_error_message_is_one_line_and_points_to_validate():
    with pytest.raises(CodebookError) as err:
        load_codebook(DATA / "broken.yaml")
    text = str(err.value)
    assert "\n" not in text and "codebook validate" in text and "line 10" in text


def test_yaml_syntax_error_names_its_line(tmp_path):
    problems = problems_of(DATA / "syntax.yaml")
    assert at(problems, 6, "YAML syntax error") and "in quotes" in problems[0]


def test_duplicate_yaml_keys_are_reported(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: d\nversion: '1'\ncodes:\n  - id: a\n    label: A\n    role: other\n"
                    "    label: B\n")
    assert at(problems_of(path), 7, "key 'label' is given twice")


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="unknown codebook format"):
        load_codebook(tmp_path / "book.json")
    with pytest.raises(CodebookError, match="no such file"):
        load_codebook(tmp_path / "absent.yaml")


def test_children_inherit_role_theory_and_mechanism_type(tmp_path):
    path = tmp_path / "nest.yaml"
    path.write_text("""name: nest
version: "1"
theories: [{id: t, label: T}]
codes:
  - id: m
    label: M
    role: mechanism
    mechanism_type: reasoning
    theory: t
    terms: [confidence]
    codes:
      - id: m1
        label: M1
        terms: [felt more confident]
      - id: o1
        label: O1
        role: outcome
        terms: [waiting times]
""")
    codebook = load_codebook(path)
    m1, o1 = codebook.code("m1"), codebook.code("o1")
    assert (m1.role, m1.mechanism_type, m1.theory, m1.parent) == (
        "mechanism", "reasoning", "t", "m")
    assert (o1.role, o1.mechanism_type, o1.theory) == ("outcome", None, "t")


# ------------------------------------------------------------------ spreadsheets


def test_csv_import():
    codebook = load_codebook(DATA / "good.csv")
    assert codebook.name == "good" and [t.id for t in codebook.theories] == ["workforce"]
    trust = codebook.code("trust")
    assert trust.terms == ["mutual trust", "trusting relationship", "respect"]
    assert trust.exclude == ["NHS trust"]
    assert trust.examples == ["Long-standing relationships helped.", "GPs trusted the nurses."]
    child = codebook.code("access_evening")
    assert (child.role, child.theory, child.parent) == ("outcome", "workforce", "access")
    assert codebook.code("training").mechanism_type == "resource"


def test_broken_csv_names_rows():
    problems = problems_of(DATA / "broken.csv")
    assert at(problems, 1, "unknown column 'colour'")
    assert at(problems, 3, "unknown role 'mechanisms' (did you mean 'mechanism'?)")
    assert at(problems, 4, "mechanism 'willingness' needs mechanism_type")
    assert at(problems, 5, "code 'access' (outcome) has no terms")


def test_csv_with_missing_columns(tmp_path):
    path = tmp_path / "thin.csv"
    path.write_text("id,label\na,A\n")
    assert at(problems_of(path), 1, "lacks column(s) role, theory, terms")


def test_xlsx_import_names_rows(tmp_path):
    import openpyxl

    path = tmp_path / "draft.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Label", "Role", "Mechanism type", "Theory", "Terms"])
    sheet.append(["trust", "Trust", "context", None, "workforce", "mutual trust; respect"])
    sheet.append(["tools", "Tools", "mechanism", "resourse", "workforce", "protocol"])
    book.save(path)
    problems = problems_of(path)
    assert at(problems, 3, "unknown mechanism_type 'resourse' (did you mean 'resource'?)")
    sheet["D3"] = "resource"
    book.save(path)
    codebook = load_codebook(path)
    assert codebook.code("trust").terms == ["mutual trust", "respect"]


# ------------------------------------------------------------------ round trips


def _same_codes(a: Codebook, b: Codebook) -> None:
    assert [c.id for c in a.codes] == [c.id for c in b.codes]
    for x, y in zip(a.codes, b.codes, strict=True):
        assert (x.role, x.mechanism_type, x.theory, x.parent, x.terms, x.exclude, x.patterns) == (
            y.role, y.mechanism_type, y.theory, y.parent, y.terms, y.exclude, y.patterns), x.id
    assert a == b  # every field, theories and metadata included


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx", ".qdc"])
@pytest.mark.parametrize("name", SHIPPED)
def test_round_trip_keeps_everything(tmp_path, name, suffix):
    original = load_codebook(CODEBOOKS / name)
    out = write_codebook(original, tmp_path / f"copy{suffix}")
    again = load_codebook(out)
    _same_codes(original, again)
    assert again.sha256() == original.sha256()


def test_csv_round_trip_keeps_codes(tmp_path):
    original = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    again = load_codebook(write_codebook(original, tmp_path / "mcp-realist.csv"))
    assert again.codes == original.codes  # theory labels and description are not in a CSV


def test_patterns_round_trip(tmp_path):
    codebook = Codebook("p", "1", theories=[Theory("t", "T")], codes=[
        Code("gp", "GP", "context", theory="t", terms=["general practice"],
             patterns=[[{"LOWER": "gp"}, {"LEMMA": {"IN": ["practice", "surgery"]}}]])])
    for suffix in (".yaml", ".csv", ".qdc", ".xlsx"):
        assert load_codebook(write_codebook(codebook, tmp_path / f"p{suffix}")).codes == (
            codebook.codes), suffix


def test_qdc_structure_guids_and_nesting():
    codebook = load_codebook(CODEBOOKS / "mcp-components.yaml")
    data = write_qdc(codebook)
    assert structure_problems(data) == []
    assert write_qdc(codebook) == data  # stable: same codebook, same bytes
    text = data.decode()
    guid = code_guid("mcp-components", "personalisation")
    assert f'guid="{guid}"' in text
    assert guid == code_guid("mcp-components", "personalisation")
    assert guid != code_guid("other-book", "personalisation")
    # nested codes are nested <Code> elements
    from lxml import etree

    root = etree.fromstring(data)
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    parent = root.xpath("//q:Code[@name='Patient-centred care']", namespaces=ns)[0]
    assert [c.get("name") for c in parent.findall("q:Code", ns)] == [
        "Personalisation", "Co-production with patients and communities",
        "Single point of access"]


def test_structure_check_catches_what_the_schema_refuses():
    bad = (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="nope" name="a">'
           b'<Code guid="nope" name="b" isCodable="true"/><Description>x</Description></Code>'
           b"</Codes><Sets/></CodeBook>")
    problems = " ".join(structure_problems(bad))
    for text in ("without isCodable", "bad GUID", "one optional Description first",
                 "duplicate GUID", "<Sets> without a <Set>"):
        assert text in problems


@pytest.mark.parametrize("name", SHIPPED)
def test_qdc_export_is_valid_against_the_refi_schema(tmp_path, name):
    xsd = SHARED / "refi-qda" / "Codebook.xsd"
    if not xsd.is_file():
        pytest.skip("../shared/refi-qda/Codebook.xsd is absent (the copy-free structure check "
                    "in test_qdc_structure_guids_and_nesting still runs)")
    xmlschema = pytest.importorskip("xmlschema")
    out = write_codebook(load_codebook(CODEBOOKS / name), tmp_path / "book.qdc")
    xmlschema.XMLSchema(str(xsd)).validate(str(out))


def test_foreign_qdc_import():
    codebook = load_codebook(DATA / "foreign.qdc")
    trust = codebook.code("trust_between_gps")
    assert (trust.role, trust.theory, trust.parent, trust.terms) == (
        "context", "workforce", "context", ["Trust between GPs"])
    assert trust.description == "Relationships between practices."
    will = codebook.code("willingness")
    assert (will.role, will.mechanism_type) == ("mechanism", "reasoning")
    assert codebook.code("memo_ideas").role == "other"


def test_atlasti_example_imports(shared):
    codebook = load_codebook(shared / "refi-qda" / "examples" / "atlasti-23.4_codebook.qdc")
    assert [c.label for c in codebook.codes] == ["code1"]
    assert codebook.codes[0].theory == "code_group_1"


def test_markdown_export(tmp_path):
    codebook = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    text = write_codebook(codebook, tmp_path / "appendix.md").read_text()
    assert text.startswith("# Codebook: mcp-realist (version 1.0)")
    assert "## T1 workforce: new and expanded professional roles (`workforce`)" in text
    row = next(line for line in text.splitlines() if line.startswith("| `t1_willingness`"))
    assert "mechanism (reasoning)" in row and "staff felt more confident" in row
    assert text.count("| Code | Label |") == len(MCP_AREAS)


def test_tabs_get_a_hint(tmp_path):
    path = tmp_path / "tabs.yaml"
    path.write_text('name: x\nversion: "1"\ncodes:\n\t- id: a\n')
    assert at(problems_of(path), 4, "indent with spaces, not tabs")


def test_the_documented_example_is_a_valid_codebook(tmp_path):
    doc = (ROOT / "docs" / "codebook-format.md").read_text()
    example = doc.split("## YAML\n\n```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example)
    codebook = load_codebook(path)
    risk = codebook.code("risk_wf_recruitment_retention")
    assert (risk.role, risk.theory, risk.parent) == ("context", "workforce", "workforce_risks")
    assert codebook.code("t1_willingness").patterns[0][0] == {"LEMMA": "feel"}


def test_code_added_in_another_tool_inherits_from_its_parent(tmp_path):
    from lxml import etree

    original = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    root = etree.fromstring(write_qdc(original))
    ns = "urn:QDA-XML:codebook:1.0"
    parent = root.xpath("//q:Code[@name='Professional willingness to adopt new ways of working']",
                        namespaces={"q": ns})[0]
    etree.SubElement(parent, f"{{{ns}}}Code", guid="0b5c8b2e-1111-4c0d-9d3e-123456789abc",
                     name="Fear of deskilling", isCodable="true")
    path = tmp_path / "edited.qdc"
    path.write_bytes(etree.tostring(root))
    edited = load_codebook(path)
    new = edited.code("fear_of_deskilling")
    assert (new.role, new.mechanism_type, new.theory, new.parent, new.terms) == (
        "mechanism", "reasoning", "workforce", "t1_willingness", ["Fear of deskilling"])
    assert len(edited.codes) == len(original.codes) + 1


def test_xlsx_rows_are_counted_from_the_top_of_the_sheet(tmp_path):
    import openpyxl

    path = tmp_path / "late.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for col, name in zip("ABCDE", ["id", "label", "role", "theory", "terms"], strict=True):
        sheet[f"{col}3"] = name
    sheet.append(["a", "A", "contxt", "t", "x"])
    book.save(path)
    assert at(problems_of(path), 4, "unknown role 'contxt'")
