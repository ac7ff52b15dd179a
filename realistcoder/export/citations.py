"""Citations: BibTeX / RIS metadata matched to documents (the short in-table citations and
reference-list entries themselves are in :mod:`realistcoder.export.cite`).

References come from Zotero, EndNote, Mendeley or JabRef exports, parsed by ``bibtexparser``
(v2) and ``rispy``. An entry matches a document by attached file name, then DOI, then title
(fuzzy, with rapidfuzz, against the stored title or the first page of text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from realistcoder.errors import InputError
from realistcoder.export.cite import (  # noqa: F401  (part of this module's API)
    citation_labels,
    display_authors,
    format_authors,
    full_reference,
    is_body,
    normalise_doi,
    older_version_label,
    parse_authors,
    reference_list,
    same_doi,
    short_citation,
    short_title,
    surname,
)
from realistcoder.store import export as q
from realistcoder.store.db import Store

TITLE_MIN_SCORE = 90.0
TITLE_NEAR_SCORE = 75.0  # accepted when the year and the first author agree too
DOC_TYPES = {
    # BibTeX entry types
    "article": "journal article", "book": "book", "inbook": "book chapter",
    "incollection": "book chapter", "inproceedings": "conference paper",
    "conference": "conference paper", "techreport": "report", "report": "report",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "online": "web page",
    "misc": "other", "unpublished": "unpublished", "manual": "report",
    # RIS TY codes
    "JOUR": "journal article", "JFULL": "journal article", "EJOUR": "journal article",
    "BOOK": "book", "CHAP": "book chapter", "CONF": "conference paper",
    "CPAPER": "conference paper", "RPRT": "report", "GOVDOC": "government document",
    "THES": "thesis", "ELEC": "web page", "WEB": "web page", "GEN": "other",
    "UNPB": "unpublished", "NEWS": "news article", "MGZN": "magazine article",
}


# ---------------------------------------------------------------- reading reference files


@dataclass
class Reference:
    """One bibliography entry, normalised."""

    key: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    doi: str = ""
    doc_type: str = ""
    files: list[str] = field(default_factory=list)

    def metadata(self) -> dict:
        data = {
            "title": self.title or None,
            "authors": format_authors(self.authors) or None,
            "year": self.year,
            "doi": self.doi or None,
            "doc_type": self.doc_type or None,
        }
        return {k: v for k, v in data.items() if v not in (None, "")}


def _year(value: object) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(value or ""))
    return int(match.group(1)) if match else None


def _debrace(text: str) -> str:
    """LaTeX accents decoded (``M{\\"u}ller`` → ``Müller``), braces dropped."""
    if "\\" in text:
        from pylatexenc.latex2text import LatexNodes2Text  # installed with bibtexparser

        text = LatexNodes2Text().latex_to_text(text)
    return " ".join(text.replace("{", "").replace("}", "").split())


class References(list):
    """Entries read from a file, with ``skipped``: where blocks could not be read."""

    skipped: list[str]

    def __init__(self, items=(), skipped: list[str] | None = None):
        super().__init__(items)
        self.skipped = list(skipped or [])


def read_bibtex(path: Path) -> list[Reference]:
    import bibtexparser
    from bibtexparser import middlewares as mw

    text = path.read_text(encoding="utf-8-sig", errors="replace")
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            mw.SeparateCoAuthors(),
            mw.SplitNameParts(),
            mw.LatexDecodingMiddleware(),
        ],
    )
    refs = []
    for entry in library.entries:
        fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
        authors = []
        for name in fields.get("author") or fields.get("editor") or []:
            if not hasattr(name, "last"):
                authors.append(_debrace(str(name)))
                continue
            raw_last = " ".join([*name.von, *name.last])
            last = _debrace(raw_last)
            first = _debrace(" ".join(name.first + ([", " + " ".join(name.jr)] if name.jr else [])))
            if first:
                authors.append(f"{last}, {first}")
            else:  # "{NHS England}": a body, kept whole
                authors.append(f"{{{last}}}" if " " in last else last)
        files = [
            part
            for chunk in str(fields.get("file", "")).split(";")
            for part in chunk.split(":")
            if re.search(r"\.\w{2,5}$", part.strip())
        ]
        refs.append(
            Reference(
                key=entry.key,
                title=_debrace(str(fields.get("title", ""))),
                authors=authors,
                year=_year(fields.get("year") or fields.get("date")),
                doi=normalise_doi(str(fields.get("doi", ""))),
                doc_type=DOC_TYPES.get(entry.entry_type.lower(), entry.entry_type.lower()),
                files=[f.strip() for f in files],
            )
        )
    if not refs:
        what = ("no BibTeX entry could be read" if library.failed_blocks
                else "no BibTeX entry (@article{...}, @book{...}, ...) in the file")
        raise InputError(what, subject=path,
                         fix="export the references again from the reference manager as BibTeX")
    return References(refs, [f"line {b.start_line + 1}" for b in library.failed_blocks])


def read_ris(path: Path) -> list[Reference]:
    import rispy

    text = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        entries = rispy.loads(text)
    except Exception as err:  # rispy raises IOError/ValueError variants on broken files
        raise InputError(f"cannot read RIS: {err}", subject=path,
                         fix="export the references again as RIS") from err
    if not entries:
        fix = ("each record must end with an 'ER  -' line" if re.search(r"(?m)^TY  - ", text)
               else "export the references again from the reference manager as RIS")
        raise InputError("no RIS record (TY  - ... ER  -) in the file", subject=path, fix=fix)
    starts = len(re.findall(r"(?m)^TY  - ", text))
    if starts > len(entries):
        raise InputError(f"{starts - len(entries)} of {starts} RIS records could not be read",
                         subject=path, fix="each record must end with an 'ER  -' line; export "
                         "the references again as RIS")
    refs = []
    for i, entry in enumerate(entries, start=1):
        files = []
        for key in ("file_attachments1", "file_attachments2", "urls", "url"):
            values = entry.get(key) or []
            files += values if isinstance(values, list) else [values]
        authors = entry.get("authors") or entry.get("first_authors") or []
        title = entry.get("title") or entry.get("primary_title") or ""
        refs.append(
            Reference(
                key=entry.get("id") or f"entry {i}",
                title=" ".join(str(title).split()),
                authors=[ris_author(a) for a in authors],
                year=_year(entry.get("year") or entry.get("publication_year") or entry.get("date")),
                doi=normalise_doi(entry.get("doi")),
                doc_type=DOC_TYPES.get(entry.get("type_of_reference", ""), "other"),
                files=[str(f) for f in files],
            )
        )
    return refs


def ris_author(name: str) -> str:
    """An RIS author as stored: ``Last, First``; an organisation (no comma, words such as
    "NHS", "Department") in braces; ``Smith J`` (PubMed style) as ``Smith, J``."""
    name = " ".join(str(name).split())
    if "," in name or not name:
        return name
    if is_body(name):
        return f"{{{name}}}"
    words = name.split()
    if len(words) > 1 and re.fullmatch(r"(?:[A-Z]\.?){1,3}", words[-1]):
        return f"{' '.join(words[:-1])}, {words[-1]}"
    return name


def read_references(path: Path) -> list[Reference]:
    """Entries of a ``.bib`` or ``.ris`` file."""
    if not path.is_file():
        raise InputError("no such file", subject=path, fix="check the path")
    suffix = path.suffix.lower()
    if suffix in (".bib", ".bibtex"):
        return read_bibtex(path)
    if suffix in (".ris", ".txt", ".enw"):
        return read_ris(path)
    raise InputError("unknown reference file type", subject=path,
                     fix="export the references as BibTeX (.bib) or RIS (.ris)")


# ---------------------------------------------------------------- matching


@dataclass
class Match:
    reference: Reference
    document: dict
    by: str  # "file", "doi" or "title"
    score: float


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _file_stem(name: str) -> str:
    name = re.sub(r"^file://", "", name.strip())
    return _fold(PurePath(name.replace("\\", "/")).stem)


def _main_title(title: str) -> str:
    """The title before its subtitle ("Main: subtitle", "Main - subtitle"), folded."""
    return _fold(re.split(r"\s*[:?!]\s+|\s+[-–—]\s+", title, maxsplit=1)[0])


def title_score(ref: Reference, doc: dict) -> float:
    """How well an entry's title matches a document (0..100): against the stored title, with
    or without a subtitle on either side, the file name, or the first page's text."""
    from rapidfuzz import fuzz  # imported here: `documents` and other commands start fast

    title = _fold(ref.title)
    stored = doc.get("title") or ""
    head = _fold(doc.get("head") or "")[:1500]
    stem = _file_stem(doc["file_name"])
    scores = [fuzz.token_sort_ratio(title, _fold(stored))]
    main, stored_main = _main_title(ref.title), _main_title(stored)
    if len(main) >= 12 and main != title:  # the PDF's title often lacks the subtitle
        scores.append(fuzz.token_sort_ratio(main, _fold(stored)))
    if len(stored_main) >= 12 and stored_main != _fold(stored):
        scores.append(fuzz.token_sort_ratio(title, stored_main))
    if len(stem) >= 12:  # a PDF saved under its title ("community-coproduction-report.pdf")
        scores.append(fuzz.token_sort_ratio(title, stem))
    if len(title) >= 25:
        scores.append(fuzz.partial_ratio(title, head))
    if len(main) >= 25 and main != title:
        scores.append(fuzz.partial_ratio(main, head))
    return max(scores)


def same_author_and_year(ref: Reference, doc: dict) -> bool:
    """The entry's year and first author's surname are the document's (stored, or printed on
    its first page): what makes a near title match safe."""
    if not ref.year or not ref.authors:
        return False
    head = _fold(doc.get("head") or "")[:3000]
    year_ok = ref.year == doc.get("year") or str(ref.year) in head
    who = _fold(surname(ref.authors[0]))
    known = _fold(" ".join(surname(a) for a in parse_authors(doc.get("authors"))))
    return year_ok and len(who) >= 2 and (who in known.split() or f" {who} " in f" {head} ")


def match_references(
    refs: list[Reference], docs: list[dict]
) -> tuple[list[Match], list[Reference]]:
    """Pair references with documents (each at most once): file name, then DOI, then title
    (a near title only when the first author and the year agree too).

    ``docs`` need ``id``, ``file_name``, ``doi``, ``title`` and ``head`` (opening text).
    """

    candidates: list[tuple[float, int, int, str]] = []
    for i, ref in enumerate(refs):
        stems = {_file_stem(f) for f in ref.files} | {_fold(ref.key)}
        title = _fold(ref.title)
        for j, doc in enumerate(docs):
            if _file_stem(doc["file_name"]) in stems:
                candidates.append((300.0, i, j, "file"))
                continue
            if same_doi(ref.doi, doc.get("doi")):
                candidates.append((200.0, i, j, "doi"))
                continue
            if len(title) < 12:
                continue
            score = title_score(ref, doc)
            if score >= TITLE_MIN_SCORE:
                candidates.append((score, i, j, "title"))
            elif score >= TITLE_NEAR_SCORE and same_author_and_year(ref, doc):
                candidates.append((score, i, j, "title, author and year"))
    candidates.sort(key=lambda c: -c[0])
    used_refs: set[int] = set()
    used_docs: set[int] = set()
    matches = []
    for score, i, j, by in candidates:
        if i in used_refs or j in used_docs:
            continue
        used_refs.add(i)
        used_docs.add(j)
        matches.append(Match(refs[i], docs[j], by, min(score, 100.0)))
    unmatched = [r for i, r in enumerate(refs) if i not in used_refs]
    return matches, unmatched


# ---------------------------------------------------------------- applying


@dataclass
class MetadataReport:
    matches: list[Match]
    unmatched: list[Reference]
    documents_without: list[dict]
    skipped: list[str] = field(default_factory=list)  # unreadable blocks, by line


def import_metadata(store: Store, path: Path, *, keep_existing: bool = False,
                    dry_run: bool = False) -> MetadataReport:
    """Fill documents' title, authors, year, DOI and type from a ``.bib`` / ``.ris`` file.

    ``keep_existing`` only fills empty fields; ``dry_run`` matches without writing.
    """
    refs = read_references(path)
    docs = q.documents_with_head(store)
    matches, unmatched = match_references(refs, docs)
    if not dry_run:
        with store.transaction():
            for match in matches:
                fields = match.reference.metadata()
                if keep_existing:
                    fields = {k: v for k, v in fields.items() if not match.document.get(k)}
                q.set_document_metadata(store, match.document["id"], fields)
    matched_ids = {m.document["id"] for m in matches}
    return MetadataReport(matches, unmatched, [d for d in docs if d["id"] not in matched_ids],
                          list(getattr(refs, "skipped", [])))
