"""Citation metadata: BibTeX / RIS entries matched to documents (file, DOI, title), hand edits,
and the short citations the tables print."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from test_export import run

from realistcoder.export.citations import (
    citation_labels,
    match_references,
    read_references,
    short_citation,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

BIB = r"""
@article{hub2017,
  author = {Marsh, Helen and Nowak, Tomasz and Raman, Priya},
  title = {Expanding practice roles},
  year = {2017},
  journal = {Primary Care Studies},
  file = {Full Text:/home/u/Zotero/storage/AB12/hub-roles-evaluation.pdf:application/pdf}
}
@techreport{records,
  author = {Achterberg, Daniel and M{\"u}ller, Fiona},
  title = {Shared care records and the co-ordination of care in a multispecialty community
           provider: a mixed-methods evaluation},
  year = 2018,
  institution = {Somewhere}
}
@misc{nhs2016,
  author = {{NHS England}},
  title = {The multispecialty community provider emerging care model and contract framework},
  year = {2016},
  doi = {10.9999/MCP.2016}
}
"""

RIS = """TY  - RPRT
AU  - England, NHS
TI  - Unrelated guidance on something else entirely
PY  - 2016///
DO  - https://doi.org/10.9999/mcp.2016
ER  -
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("hub-roles-evaluation.pdf", "shared-records-study.pdf"):
        shutil.copy(CORPUS / name, docs / name)
    (docs / "mcp-framework.txt").write_text(
        "A short note about the care model.\n\nIt has two sentences.\n", encoding="utf-8")
    db = tmp_path / "review.db"
    run(db, "ingest", docs)
    return db


def documents_csv(db: Path) -> dict[str, dict]:
    out = db.parent / "documents.csv"
    run(db, "export", "documents", "-o", out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        return {row["File"]: row for row in csv.DictReader(handle)}


def test_bibtex_parsed_with_accents_bodies_and_files(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    refs = {r.key: r for r in read_references(path)}
    assert refs["records"].authors == ["Achterberg, Daniel", "Müller, Fiona"]
    assert refs["records"].doc_type == "report" and refs["records"].year == 2018
    assert refs["nhs2016"].authors == ["{NHS England}"]
    assert refs["nhs2016"].doi == "10.9999/MCP.2016"  # as written: DOIs are shown as given
    assert refs["hub2017"].files == ["/home/u/Zotero/storage/AB12/hub-roles-evaluation.pdf"]
    assert short_citation({"authors": "; ".join(refs["nhs2016"].authors), "year": 2016}) == (
        "NHS England 2016")


def test_matching_by_file_then_doi_then_title(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    ris = tmp_path / "refs.ris"
    ris.write_text(RIS, encoding="utf-8")
    docs = [
        {"id": 1, "file_name": "hub-roles-evaluation.pdf", "doi": None, "title": "x", "head": ""},
        {"id": 2, "file_name": "achterberg-final.pdf", "doi": None,
         "title": "Shared care records and the co-ordination of care in a multispecialty "
                  "community provider: a mixed-methods evaluation", "head": ""},
        {"id": 3, "file_name": "guide.pdf", "doi": "https://doi.org/10.9999/MCP.2016",
         "title": None, "head": ""},
    ]
    matches, unmatched = match_references(read_references(bib), docs)
    assert {(m.reference.key, m.document["id"], m.by) for m in matches} == {
        ("hub2017", 1, "file"), ("records", 2, "title"), ("nhs2016", 3, "doi")}
    assert unmatched == []
    ris_matches, _ = match_references(read_references(ris), docs)
    assert [(m.document["id"], m.by) for m in ris_matches] == [(3, "doi")]


def test_import_metadata_fills_the_tables_citations(db, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    dry = run(db, "documents", "import-metadata", bib, "--dry-run")
    assert "would update 2 documents" in dry.output
    assert documents_csv(db)["hub-roles-evaluation.pdf"]["Year"] != "2017"
    result = run(db, "documents", "import-metadata", bib)
    assert "matched  hub2017 -> hub-roles-evaluation.pdf (by file)" in result.output
    assert "(by title)" in result.output  # records: from the title on page one
    assert "unmatched entry nhs2016" in result.output
    assert "no entry for mcp-framework.txt" in result.output
    rows = documents_csv(db)
    assert rows["hub-roles-evaluation.pdf"]["Source"] == "Marsh et al. 2017"
    assert rows["hub-roles-evaluation.pdf"]["Type"] == "journal article"
    assert rows["shared-records-study.pdf"]["Source"] == "Achterberg & Müller 2018"
    assert rows["shared-records-study.pdf"]["Authors"] == "Achterberg, Daniel; Müller, Fiona"


def test_documents_edit_and_its_errors(db):
    run(db, "documents", "edit", "mcp-framework.txt", "--authors", "{NHS England}",
        "--year", "2016", "--title", "The MCP framework", "--type", "guidance",
        "--doi", "https://doi.org/10.9999/MCP.2016")
    row = documents_csv(db)["mcp-framework.txt"]
    assert (row["Source"], row["Year"], row["Type"], row["DOI"]) == (
        "NHS England 2016", "2016", "guidance", "10.9999/MCP.2016")
    result = run(db, "documents", "edit", "mcp-framework.txt", ok=False)
    assert result.exit_code == 1 and "nothing to change" in result.stderr
    result = run(db, "documents", "edit", "nope.pdf", "--year", "2001", ok=False)
    assert result.exit_code == 1 and "no such document" in result.stderr
    result = run(db, "documents", "import-metadata", db.parent / "refs.xml", ok=False)
    assert result.exit_code == 1 and "error:" in result.stderr


def test_short_citations_and_disambiguation():
    docs = [
        {"id": 1, "authors": "Helen Marsh; Tomasz Nowak", "year": 2017},
        {"id": 2, "authors": "Marsh, H.; Nowak, T.", "year": 2017},
        {"id": 3, "authors": "Smith, J.", "year": None},
        {"id": 4, "authors": None, "title": "A very long report title " * 4, "year": 2015},
        {"id": 5, "authors": None, "title": None, "file_name": "notes.txt"},
    ]
    labels = citation_labels(docs)
    assert labels[1] == "Marsh & Nowak 2017a" and labels[2] == "Marsh & Nowak 2017b"
    assert labels[3] == "Smith n.d."
    assert labels[4].endswith("… (2015)") and len(labels[4]) < 70
    assert ("A very long report title " * 4).startswith(  # whole words only
        labels[4].removesuffix("… (2015)") + " ")
    assert labels[5] == "notes.txt"


def test_source_labels_never_cut_inside_a_word():
    long_title = ("Understanding the barriers to setting up a healthcare quality improvement "
                  "process in resource-limited settings")
    label = short_citation({"title": long_title, "year": 2014})
    assert label == "Understanding the barriers to setting up a healthcare… (2014)"
    subtitled = short_citation({"title": "Working with our communities: a realist evaluation "
                                "of co-production in three community hubs", "year": 2017})
    assert subtitled == "Working with our communities (2017)"


def test_corporate_authors_particles_and_pubmed_names(tmp_path):
    ris = tmp_path / "refs.ris"
    ris.write_text("TY  - RPRT\nAU  - NHS England\nTI  - Next steps\nPY  - 2017\nER  - \n"
                   "TY  - JOUR\nAU  - van der Berg, Anna\nAU  - Smith J\nTI  - Hubs\n"
                   "PY  - 2019\nER  - \n", encoding="utf-8")
    nhs, berg = read_references(ris)
    assert nhs.authors == ["{NHS England}"] and berg.authors == ["van der Berg, Anna", "Smith, J"]
    cite = {"year": 2017}
    assert short_citation({**cite, "authors": "; ".join(nhs.authors)}) == "NHS England 2017"
    assert short_citation({**cite, "authors": "NHS England"}) == "NHS England 2017"
    assert short_citation({**cite, "authors": "The Health Foundation"}) == (
        "The Health Foundation 2017")
    assert short_citation({**cite, "authors": "; ".join(berg.authors)}) == (
        "van der Berg & Smith 2017")
    assert short_citation({**cite, "authors": "Anna van der Berg; Ludwig von Mises"}) == (
        "van der Berg & von Mises 2017")
    # PDF metadata lists whole names with commas; "Kim, Lois" is one name, surname first
    assert short_citation({**cite, "authors": "Lois G. Kim, Michael J. Sweeting, Jo Smith"}) == (
        "Kim et al. 2017")
    assert short_citation({**cite, "authors": "Kim, Lois G."}) == "Kim 2017"


def test_subtitles_and_near_titles_match_with_author_and_year(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(r"""
@article{kim2021,
  author = {Kim, Lois and Sweeting, Michael},
  title = {Screening services in England during the pandemic: a modelling study},
  year = {2021}, doi = {10.1371/journal.PONE.0000001}
}
@article{other2021,
  author = {Jones, Amy},
  title = {Screening service in England during a pandemic year},
  year = {2021}
}
""", encoding="utf-8")
    refs = read_references(bib)
    assert refs[0].doi == "10.1371/journal.PONE.0000001"
    docs = [
        {"id": 1, "file_name": "a.pdf", "doi": None, "year": 2021, "authors": None,
         "title": "Screening services in England during the pandemic", "head": ""},
        {"id": 2, "file_name": "b.pdf", "doi": None, "year": 2021, "authors": "Amy Jones",
         "title": "Screening services in England in a pandemic year", "head": ""},
        {"id": 3, "file_name": "c.pdf", "doi": None, "year": 2019, "authors": "Ben Other",
         "title": "Screening service uptake in England after a pandemic year", "head": ""},
    ]
    matches, unmatched = match_references(refs, docs)
    assert {(m.reference.key, m.document["id"], m.by) for m in matches} == {
        ("kim2021", 1, "title"), ("other2021", 2, "title, author and year")}
    # a near title without the author and the year is not enough
    matches, _ = match_references(refs[1:], [docs[2]])
    assert matches == []
