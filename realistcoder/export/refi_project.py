"""Reading a REFI-QDA project file (``.qdpx``) without trusting it: the ZIP within a budget of
unpacked bytes, the XML without entities or network, sources outside the project only when the
user named them, and every selection's positions checked. :mod:`.refi_import` places what it
reads."""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from realistcoder.codebook import qdc
from realistcoder.errors import InputError
from realistcoder.export.refi_offsets import BOM
from realistcoder.export.safe import xml_text
from realistcoder.safe_text import path_text

NS = "urn:QDA-XML:project:1.0"
MAX_UNPACKED = 1024 * 2**20  # bytes the XML and source texts of a project may unpack to


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass
class Selection:
    """One coding of a selection: by offsets into its source text, or by its own text."""

    source: str
    start: int | None
    end: int | None
    snippet: str | None
    code_guid: str
    user_guid: str | None
    coding_guid: str
    created_at: str | None
    note: str | None
    name: str | None = None  # the selection's name: most tools write the selected text


class ProjectError(InputError):
    """A project refused as a whole; ``problems`` lists every reason (one line each)."""


class _Archive:
    """The project's ZIP file, read within a budget of unpacked bytes, and the files outside
    it that the user allowed."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, max_unpacked: int,
                 read_paths: list[Path]):
        self.zip = archive
        self.path = path
        self.left = max_unpacked
        self.max_unpacked = max_unpacked
        self.allowed = [p.expanduser().resolve() for p in read_paths]
        self.unread: list[str] = []

    def read(self, name: str, *, digest: bool = False) -> bytes:
        """A member's bytes (or, with ``digest``, the SHA-256 of a PDF, read in chunks); the
        declared size is checked before anything is inflated (and zipfile never inflates past
        it): texts and XML share the budget, a PDF may use all of it."""
        info = self.zip.getinfo(name)
        if info.file_size > (self.max_unpacked if digest else self.left):
            raise InputError(
                f"{name} unpacks to {info.file_size / 2**20:,.0f} MB, more than the limit of "
                f"{self.max_unpacked / 2**20:,.0f} MB for a project (it may be a zip bomb)",
                subject=self.path, fix="if the project is genuine, raise the limit with "
                f"--max-unpacked {2 * self.max_unpacked // 2**20}")
        try:
            if not digest:
                self.left -= info.file_size
                return self.zip.read(info)
            sha = hashlib.sha256()
            with self.zip.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
            return sha.hexdigest().encode()
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError,
                NotImplementedError) as err:  # a lying size, a bad CRC, encryption
            raise InputError(f"the project file is damaged: {name}: {err}", subject=self.path,
                             fix="export the project again") from None

    def member(self, path: str | None, *, digest: bool = False) -> bytes | None:
        """A source file (or its SHA-256): inside the project (``internal://``), or outside
        it (``absolute://``, ``relative://``, ``file://``) only if the user named it."""
        if not path:
            return None
        name = re.sub(r"^internal://", "", path)
        if name != path:
            for candidate in (f"sources/{name}", f"Sources/{name}", name):
                try:
                    return self.read(candidate, digest=digest)
                except KeyError:
                    continue
            return None
        outside = re.sub(r"^(absolute|file):/*", "/", path)
        local = Path(outside) if outside != path else \
            self.path.parent / re.sub(r"^relative:/*", "", path)
        local = local.resolve()
        if not any(local == a or local.is_relative_to(a) for a in self.allowed):
            self.unread.append(f"{path_text(local)} (pass --read-source {path_text(local)} "
                               "to read it)")
            return None
        if not local.is_file():
            return None
        data = local.read_bytes()
        return hashlib.sha256(data).hexdigest().encode() if digest else data


def _decode(data: bytes) -> tuple[str, bool]:
    """Source text as REFI counts it (UTF-8, a BOM not counted), and whether it had a BOM."""
    return data.decode("utf-8-sig", errors="replace"), data.startswith(BOM.encode("utf-8"))


def _parse_qde(data: bytes, path: Path):
    """The project XML. Some exporters (QualCoder) copy control characters of the text into
    selection names, which XML forbids: such characters are dropped and the file read again
    (the source texts, which the offsets count, are separate files and keep them)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        first = err
    text = data.decode("utf-8", errors="replace")
    cleaned = xml_text(text)
    if cleaned != text:
        try:
            return etree.fromstring(cleaned.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            pass
    raise InputError(f"project.qde is not well-formed XML: {first}", subject=path,
                     fix="export the project again") from None


def read_project(path: Path, *, max_unpacked: int = MAX_UNPACKED,
                 read_paths: list[Path] | None = None):
    """(users, codes, sources, selections, invalid, unread) of a ``.qdpx`` file: ``invalid``
    lists the selections whose positions are not whole numbers inside their source text,
    ``unread`` the outside sources not read (not in ``read_paths``)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        raise InputError(f"not a REFI-QDA project (.qdpx is a ZIP file): {err}", subject=path,
                         fix="export the project again as REFI-QDA / QDPX") from None
    with archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
        if not names:
            raise InputError("no project.qde inside", subject=path,
                             fix="export the project again as REFI-QDA / QDPX")
        files = _Archive(archive, path, max_unpacked, list(read_paths or []))
        root = _parse_qde(files.read(names[0]), path)
        if root.tag != _q("Project"):
            raise InputError(f"the root element is {root.tag}, not a QDA-XML Project",
                             subject=path, fix="pass a REFI-QDA project (.qdpx) file")
        users = {_norm(u.get("guid")): _reviewer_name(u.get("name") or u.get("id"))
                 for u in root.iter(_q("User"))}
        codes = {}
        for el in root.iter(_q("Code")):
            desc = el.find(_q("Description"))
            _, meta, _ = qdc._split_description(desc.text if desc is not None else "")
            codes[_norm(el.get("guid"))] = {"name": el.get("name") or "",
                                            "id": (meta or {}).get("id")}
        notes = {}
        for note in root.iter(_q("Note")):
            content = note.find(_q("PlainTextContent"))
            notes[_norm(note.get("guid"))] = content.text if content is not None else None
        sources, selections, invalid = {}, [], []

        def add(key: str, sel, start: int | None, end: int | None, snippet: str | None) -> None:
            memo = sel.findtext(_q("Description"))  # QualCoder keeps a coding's memo here
            for coding in sel.findall(_q("Coding")):
                ref = coding.find(_q("CodeRef"))
                note_ref = coding.find(_q("NoteRef"))
                note = notes.get(_norm(note_ref.get("targetGUID"))) if note_ref is not None \
                    else None
                selections.append(Selection(
                    source=key, start=start, end=end, snippet=snippet,
                    code_guid=_norm(ref.get("targetGUID") if ref is not None else ""),
                    user_guid=_norm(coding.get("creatingUser") or sel.get("creatingUser")
                                    or root.get("creatingUserGUID")),
                    coding_guid=_norm(coding.get("guid")),
                    created_at=coding.get("creationDateTime") or sel.get("creationDateTime"),
                    note=note or (memo.strip() if memo and memo.strip() else None),
                    name=sel.get("name"),
                ))

        owners = root.findall(f"{_q('Sources')}/{_q('TextSource')}") + root.findall(
            f"{_q('Sources')}/{_q('PDFSource')}")
        for owner in owners:
            key = _norm(owner.get("guid"))
            is_pdf = owner.tag == _q("PDFSource")
            holder = owner.find(_q("Representation")) if is_pdf else owner
            text, had_bom = None, False
            n_unread = len(files.unread)
            if holder is not None:
                content = holder.find(_q("PlainTextContent"))
                data = files.member(holder.get("plainTextPath"))
                if data is not None:
                    text, had_bom = _decode(data)
                elif content is not None:
                    text = content.text
            pdf = files.member(owner.get("path"), digest=True) if is_pdf else None
            name = owner.get("name") or key
            sources[key] = {"name": owner.get("name") or "", "text": text, "bom": had_bom,
                            "sha256": pdf.decode() if pdf else None,
                            "unread": len(files.unread) > n_unread}
            for sel in holder.findall(_q("PlainTextSelection")) if holder is not None else []:
                start, end, problem = _positions(sel, text)
                if problem:
                    invalid.append(f"{name}: selection {sel.get('guid') or '?'}: {problem}")
                    continue
                add(key, sel, start, end, None)
            for sel in owner.findall(_q("PDFSelection")):  # ATLAS.ti: a region and its text
                content = sel.find(f"{_q('Representation')}/{_q('PlainTextContent')}")
                add(key, sel, None, None, content.text if content is not None else None)
    return users, codes, sources, selections, invalid, files.unread


def _positions(sel, text: str | None) -> tuple[int | None, int | None, str | None]:
    """A selection's (start, end), or the reason they cannot be trusted: missing, not whole
    numbers, or not a non-empty range inside the source text (when the text is known)."""
    raw = [sel.get("startPosition"), sel.get("endPosition")]
    if any(v is None or not v.strip() for v in raw):
        return None, None, "startPosition or endPosition is missing"
    try:
        start, end = (int(v.strip()) for v in raw)
    except ValueError:
        return None, None, f"positions {raw[0]!r}-{raw[1]!r} are not whole numbers"
    if start < 0 or end <= start:
        return None, None, f"positions {start}-{end} are not a range of characters"
    if text is not None and end > _longest_reading(text):
        return None, None, (f"positions {start}-{end} run past the end of the source text "
                            f"({len(text)} characters)")
    return start, end, None


def _longest_reading(text: str) -> int:
    """The text's length under the offset convention that counts most: UTF-16 units (an
    astral character counts two) and a counted BOM. Which convention a project really used is
    settled later, by the selections' names (:mod:`.refi_offsets`)."""
    return max(len(text), len(text.encode("utf-16-le")) // 2) + 1


def _reviewer_name(name: str | None) -> str:
    """A REFI user name as a reviewer name (no commas, tabs or line breaks)."""
    return " ".join((name or "").replace(",", " ").split()) or "unknown"


def _norm(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()
