"""REFI-QDA project export (``.qdpx``): users, codebook, sources as text (+ PDF), codings.

Layout of the ZIP: ``project.qde`` (QDA-XML project 1.0, valid against the REFI Project.xsd)
and ``sources/<GUID>.txt`` (the document's extracted text, UTF-8 without BOM, LF line ends),
plus ``sources/<GUID>.pdf`` when the original PDF is still at its path: it becomes a
``PDFSource`` whose ``Representation`` is the text; otherwise a ``TextSource``.

Each coding is one ``PlainTextSelection`` with one ``Coding``; offsets count Unicode code
points, end exclusive, in the exported text; the selection's name is its text (cut at 60
characters), which lets an importer check the offsets. A coding's note is a ``Note`` (NVivo,
ATLAS.ti) and the selection's ``Description`` (QualCoder's coding memo). Document metadata are
source variables, on a ``PDFSource`` and on its ``Representation`` (where QualCoder reads them).
Theories and roles are non-codable parent codes as well as sets
(:mod:`realistcoder.codebook.qdc`). Code GUIDs are those of the ``.qdc`` codebook
export (``realistcoder.codebook.qdc``), coding GUIDs are the codings' own uuids, and the rest
are uuid5 of stable keys, so exporting twice gives the same project.
"""

from __future__ import annotations

import bisect
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from realistcoder import __version__
from realistcoder.codebook import qdc
from realistcoder.export.rows import code_label
from realistcoder.export.safe import unicode_text, xml_text
from realistcoder.files import atomic_output
from realistcoder.store import export as q
from realistcoder.store.codebooks import stored_codebooks
from realistcoder.store.db import Store

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
GUID_NAMESPACE = uuid.UUID("0f7e1c52-3a9b-5d4e-8f21-6c0b9a7d3e15")
SELECTION_NAME_CHARS = 60


def guid(*parts: object) -> str:
    """A stable GUID for a thing named by ``parts``."""
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join(map(str, parts))))


def E(tag: str, parent=None, **attrs) -> etree._Element:  # noqa: N802  (element factory)
    attrs = {k: xml_text(str(v)) for k, v in attrs.items() if v is not None}
    if parent is None:
        return etree.Element(f"{{{NS}}}{tag}", attrs, nsmap={None: NS, "xsi": XSI})
    return etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)


def parse_utc(value: str | None) -> datetime | None:
    """An ISO 8601 / xsd:dateTime text as an aware UTC datetime (naive means UTC), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def xml_datetime(value: str | None) -> str | None:
    """An ISO timestamp as xsd:dateTime (UTC, ``Z``), or None when it cannot be read."""
    moment = parse_utc(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@dataclass
class PlainText:
    """Exported text and the map from stored offsets to exported offsets."""

    text: str
    _cuts: list[int]  # stored offsets where one character was dropped (BOM, the CR of CRLF)

    def offset(self, stored: int) -> int:
        return stored - bisect.bisect_left(self._cuts, stored)


def plain_text(text: str) -> PlainText:
    """``text`` as REFI wants it: no BOM, LF line ends (offsets remapped to match), and
    encodable as UTF-8."""
    cuts = []
    out = []
    for i, ch in enumerate(text):
        if (ch == "\ufeff" and i == 0) or (ch == "\r" and text[i + 1 : i + 2] == "\n"):
            cuts.append(i)
            continue
        out.append("\n" if ch == "\r" else ch)
    return PlainText(unicode_text("".join(out)), cuts)


def selection_name(text: str) -> str:
    text = " ".join(xml_text(text).split())
    return text if len(text) <= SELECTION_NAME_CHARS else text[: SELECTION_NAME_CHARS - 1] + "…"


ROLE_CODEBOOK = "realistcoder roles"  # the codes that stand for role-only codings
ROLE_ONLY_DESCRIPTION = ("Coded with this realist role only (no code of the codebook yet), "
                         "by realistcoder.")


def code_ref(coding: dict) -> tuple[str, str]:
    """(codebook, code id) a coding points at; role-only codings point at a per-role code
    ("Context (role only)") so that other QDA tools show them."""
    if coding["code"]:
        return coding["codebook"], coding["code"]
    return ROLE_CODEBOOK, f"role-{coding['role']}"


def _codebook_element(project, codebooks, used_codes: dict[tuple[str, str], dict]) -> list:
    """``<CodeBook>`` built from the ``.qdc`` writer's codes (re-namespaced: theories and roles
    as non-codable parent codes), and the theory sets. Code names are unique across it."""
    book_el = E("CodeBook", project)
    codes_el = E("Codes", book_el)
    sets: list = []
    present: set[str] = set()
    taken: set[str] = set()
    for codebook in codebooks:
        source = etree.fromstring(qdc.write_qdc(codebook, origin=f"realistcoder {__version__}",
                                                taken=taken))
        for el in source.iter():
            if isinstance(el.tag, str):
                el.tag = f"{{{NS}}}{etree.QName(el).localname}"
                if etree.QName(el).localname == "MemberCode":
                    el.set("targetGUID", el.attrib.pop("guid"))
        etree.cleanup_namespaces(source, top_nsmap={None: NS})
        for code_el in source.find(f"{{{NS}}}Codes"):
            codes_el.append(code_el)
        sets += list(source.find(f"{{{NS}}}Sets") if source.find(f"{{{NS}}}Sets") is not None
                     else [])
        present |= {el.get("guid") for el in codes_el.iter(f"{{{NS}}}Code")}
    for (book, code_id), code in used_codes.items():  # codes of older codebook versions
        code_guid = qdc.code_guid(book, code_id)
        if code_guid not in present:
            el = E("Code", codes_el, guid=code_guid,
                   name=qdc.unique_name(code["label"] or code_id, taken, code_id),
                   isCodable="true")
            E("Description", el).text = xml_text(code.get("description") or "")
            present.add(code_guid)
    if not len(codes_el):
        project.remove(book_el)
    return sets


VARIABLES = (  # document metadata as REFI source variables (NVivo: classification attributes)
    ("citation", "Citation", "Text"),
    ("authors", "Authors", "Text"),
    ("year", "Year", "Integer"),
    ("doc_type", "Document type", "Text"),
    ("doi", "DOI", "Text"),
)


def _variables(project, docs: list[dict]) -> dict[str, tuple[str, str]]:
    """``<Variables>`` for the metadata some document has: key → (GUID, type)."""
    from realistcoder.export.citations import citation_labels, display_authors

    labels = citation_labels(docs)
    for doc in docs:
        doc["citation"] = labels[doc["id"]]
        doc["authors"] = display_authors(doc.get("authors"))
    used = [v for v in VARIABLES if any(d.get(v[0]) not in (None, "") for d in docs)]
    if not used:
        return {}
    holder = E("Variables", project)
    out = {}
    for key, name, kind in used:
        out[key] = (guid("variable", key), kind)
        E("Variable", holder, guid=out[key][0], name=name, typeOfVariable=kind)
    return out


def _variable_values(source_el, doc: dict, variables: dict[str, tuple[str, str]]) -> None:
    for key, (variable_guid, kind) in variables.items():
        value = doc.get(key)
        if value in (None, ""):
            continue
        holder = E("VariableValue", source_el)
        E("VariableRef", holder, targetGUID=variable_guid)
        E(f"{kind}Value", holder).text = xml_text(str(value))


def build_project(store: Store, codings: list[dict], *, name: str, attach_pdfs: bool = True
                  ) -> tuple[bytes, dict[str, bytes | Path]]:
    """(project.qde bytes, {zip member name: bytes or a file to copy})."""
    from realistcoder.export.citations import older_version_label

    files: dict[str, bytes | Path] = {}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    project = E("Project", None, name=name, origin=f"realistcoder {__version__}",
                creationDateTime=now, modifiedDateTime=now)
    project.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)

    users = sorted({c["reviewer"] for c in codings})
    user_guid = {u: guid("user", u) for u in users}
    if users:
        users_el = E("Users", project)
        for u in users:
            E("User", users_el, guid=user_guid[u], name=u, id=u)

    books = [book for _, book in stored_codebooks(store, latest_only=True)]
    used = {code_ref(c): {"label": c.get("code_label") if c["code"] else code_label(c),
                          "description": c.get("code_description") if c["code"] else
                          ROLE_ONLY_DESCRIPTION}
            for c in codings}
    sets = _codebook_element(project, books, used)

    docs = q.documents(store, with_text=True)
    variables = _variables(project, docs)
    notes: list = []
    by_doc: dict[int, list[dict]] = defaultdict(list)
    for coding in codings:
        by_doc[coding["document_id"]].append(coding)
    if docs:
        sources_el = E("Sources", project)
    for doc in docs:
        text = plain_text(doc["text"] or "")
        txt_guid = guid("text", doc["sha256"])
        files[f"sources/{txt_guid}.txt"] = text.text.encode("utf-8")
        older = doc.get("status") == "superseded"  # its file on disk is the newer version
        if older:
            doc["file_name"] = f"{doc['file_name']} ({older_version_label(doc)})"
        pdf = Path(doc["path"]) if doc.get("path") and not older else None
        title = xml_text(doc.get("title") or "")
        if attach_pdfs and doc["kind"] == "pdf" and pdf is not None and pdf.is_file():
            pdf_guid = guid("pdf", doc["sha256"])
            files[f"sources/{pdf_guid}.pdf"] = pdf
            source_el = E("PDFSource", sources_el, guid=guid("source", doc["sha256"]),
                          name=doc["file_name"], path=f"internal://{pdf_guid}.pdf",
                          creationDateTime=xml_datetime(doc.get("ingested_at")))
            if title:
                E("Description", source_el).text = title
            holder = E("Representation", source_el, guid=guid("representation", doc["sha256"]),
                       name=doc["file_name"], plainTextPath=f"internal://{txt_guid}.txt")
        else:
            holder = E("TextSource", sources_el, guid=guid("source", doc["sha256"]),
                       name=doc["file_name"], plainTextPath=f"internal://{txt_guid}.txt",
                       creationDateTime=xml_datetime(doc.get("ingested_at")))
            if title:
                E("Description", holder).text = title
        for coding in by_doc.get(doc["id"], []):
            start, end = text.offset(coding["start"]), text.offset(coding["end"])
            when = xml_datetime(coding["created_at"])
            sel = E("PlainTextSelection", holder, guid=guid("selection", coding["uuid"]),
                    name=selection_name(text.text[start:end]), startPosition=start,
                    endPosition=end, creatingUser=user_guid[coding["reviewer"]],
                    creationDateTime=when)
            if coding.get("note"):  # QualCoder reads a coding's memo here (NVivo: the Note)
                E("Description", sel).text = xml_text(coding["note"])
            coding_el = E("Coding", sel, guid=coding["uuid"],
                          creatingUser=user_guid[coding["reviewer"]], creationDateTime=when)
            E("CodeRef", coding_el, targetGUID=qdc.code_guid(*code_ref(coding)))
            if coding.get("note"):
                note_guid = guid("note", coding["uuid"])
                E("NoteRef", coding_el, targetGUID=note_guid)
                notes.append((note_guid, coding))
        _variable_values(holder, doc, variables)
        if holder.tag != f"{{{NS}}}TextSource":  # QualCoder reads them on the Representation
            _variable_values(holder.getparent(), doc, variables)
    if notes:
        notes_el = E("Notes", project)
        for note_guid, coding in notes:
            note_el = E("Note", notes_el, guid=note_guid, name=f"note by {coding['reviewer']}",
                        creatingUser=user_guid[coding["reviewer"]],
                        creationDateTime=xml_datetime(coding["created_at"]))
            E("PlainTextContent", note_el).text = xml_text(coding["note"])
    if sets:
        sets_el = E("Sets", project)
        for set_el in sets:
            sets_el.append(set_el)
    etree.indent(project, space="  ")
    xml = etree.tostring(project, xml_declaration=True, encoding="utf-8", pretty_print=True,
                         standalone=True)
    return xml, files


def write_qdpx(store: Store, codings: list[dict], path: Path, *, name: str | None = None,
               attach_pdfs: bool = True) -> dict:
    """Write the project to ``path``; returns counts (sources, pdfs, codings, users, and the
    codings ``left_out`` because their document was superseded by a newer version)."""
    current = {d["id"] for d in q.documents(store)}
    left_out = sum(1 for c in codings if c["document_id"] not in current)
    codings = [c for c in codings if c["document_id"] in current]
    xml, files = build_project(store, codings, name=name or path.stem, attach_pdfs=attach_pdfs)
    with atomic_output(path) as tmp:  # never leave a half-written project behind
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for member, content in files.items():
                if isinstance(content, Path):
                    archive.write(content, member)
                else:
                    archive.writestr(member, content)
    return {
        "sources": sum(1 for m in files if m.endswith(".txt")),
        "pdfs": sum(1 for m in files if m.endswith(".pdf")),
        "codings": len(codings),
        "left_out": left_out,  # codings of superseded documents
        "users": len({c["reviewer"] for c in codings}),
    }
