"""REFI-QDA project import (``.qdpx``): codings made in NVivo, ATLAS.ti, MAXQDA or QualCoder
(or exported by realistcoder) become hand codings of their users, ready for the audit.

* users → reviewers (or everyone → one ``--reviewer``);
* codes → stored codes: by the ``[realistcoder]`` block of the description, by the code GUID
  of a stored codebook, then by name (code id or label, case-insensitive);
* sources → stored documents: the same text, else the same PDF (sha256) or file name, else
  the document whose text reads like the source's (score >= 80); a selection is placed by its
  offsets when the text is the same, else by finding its text in that document only (a PDF
  region of an unknown source: text found in exactly one document);
* a selection → the sentences it overlaps (first to last).

Nothing is written unless every coding can be placed (or ``partial`` is set); the decisions
carry the codings' GUIDs, so importing the same project twice adds nothing.

The project is not trusted: a selection's positions must be whole numbers inside its source
text (else the whole import is refused, with every bad selection listed, ``partial`` or not);
the XML and source texts may unpack to at most ``max_unpacked`` bytes (a zip bomb is refused
before it is inflated); and a source kept outside the project (``absolute://``,
``relative://``, ``file://`` paths) is read only when the user named it (``read_paths``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from rapidfuzz import fuzz

from realistcoder.codebook import qdc
from realistcoder.errors import InputError
from realistcoder.export.refi import code_ref, parse_utc
from realistcoder.export.rows import code_label
from realistcoder.safe_text import path_text
from realistcoder.store import export as q
from realistcoder.store import review
from realistcoder.store.db import Store
from realistcoder.store.review import EVIDENCE_ROLES

ROLE_PREFIX = "role:"

NS = "urn:QDA-XML:project:1.0"
MAX_UNPACKED = 1024 * 2**20  # bytes the XML and source texts of a project may unpack to
CONSENSUS = "consensus"
FUZZY_MIN_CHARS = 25
FUZZY_MIN_SCORE = 90.0
SOURCE_SAMPLE = 4000  # characters of a source compared to tell which document it is
SOURCE_MIN_SCORE = 80.0


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


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    fuzzy: int = 0
    by_reviewer: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # outside sources not named by the user


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


def _decode(data: bytes) -> str:
    """Source text as REFI counts it: UTF-8, a BOM not counted."""
    return data.decode("utf-8-sig", errors="replace")


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
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            root = etree.fromstring(files.read(names[0]), parser)
        except etree.XMLSyntaxError as err:
            raise InputError(f"project.qde is not well-formed XML: {err}", subject=path,
                             fix="export the project again") from None
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
            for coding in sel.findall(_q("Coding")):
                ref = coding.find(_q("CodeRef"))
                note_ref = coding.find(_q("NoteRef"))
                selections.append(Selection(
                    source=key, start=start, end=end, snippet=snippet,
                    code_guid=_norm(ref.get("targetGUID") if ref is not None else ""),
                    user_guid=_norm(coding.get("creatingUser") or sel.get("creatingUser")
                                    or root.get("creatingUserGUID")),
                    coding_guid=_norm(coding.get("guid")),
                    created_at=coding.get("creationDateTime") or sel.get("creationDateTime"),
                    note=notes.get(_norm(note_ref.get("targetGUID")))
                    if note_ref is not None else None,
                ))

        owners = root.findall(f"{_q('Sources')}/{_q('TextSource')}") + root.findall(
            f"{_q('Sources')}/{_q('PDFSource')}")
        for owner in owners:
            key = _norm(owner.get("guid"))
            is_pdf = owner.tag == _q("PDFSource")
            holder = owner.find(_q("Representation")) if is_pdf else owner
            text = None
            n_unread = len(files.unread)
            if holder is not None:
                content = holder.find(_q("PlainTextContent"))
                data = files.member(holder.get("plainTextPath"))
                text = _decode(data) if data is not None else (
                    content.text if content is not None else None)
            pdf = files.member(owner.get("path"), digest=True) if is_pdf else None
            name = owner.get("name") or key
            sources[key] = {"name": owner.get("name") or "", "text": text,
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
    if text is not None and end > len(text):
        return None, None, (f"positions {start}-{end} run past the end of the source text "
                            f"({len(text)} characters)")
    return start, end, None


def _store_time(value: str | None) -> str | None:
    """An xsd:dateTime as the store writes times (UTC ISO 8601, microseconds)."""
    moment = parse_utc(value)
    return moment.isoformat(timespec="microseconds") if moment else None


def _reviewer_name(name: str | None) -> str:
    """A REFI user name as a reviewer name (no commas, tabs or line breaks)."""
    return " ".join((name or "").replace(",", " ").split()) or "unknown"


def _norm(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _code_index(store: Store) -> dict[str, str]:
    """Lookup keys (code GUID, id, label; lower case) → stored code id, or ``role:ROLE`` for
    the per-role codes that carry role-only codings ("Context (role only)")."""
    index: dict[str, str] = {}
    for role in EVIDENCE_ROLES:
        coding = {"code": None, "role": role}
        book, code_id = code_ref(coding)
        for key in (code_label(coding).lower(), code_id, qdc.code_guid(book, code_id)):
            index[key] = f"{ROLE_PREFIX}{role}"
    for row in reversed(q.codes(store)):  # newest codebook last, so it wins
        index[row["label"].lower()] = row["code"]
        index[row["code"].lower()] = row["code"]
        index[qdc.code_guid(row["codebook"], row["code"])] = row["code"]
    return index


def _code_or_role(key: str) -> dict:
    """``record_decision`` arguments for a code id or a ``role:ROLE`` key."""
    if key.startswith(ROLE_PREFIX):
        return {"code": None, "role": key[len(ROLE_PREFIX):]}
    return {"code": key}


def _squash(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs as one space, and each kept character's original index."""
    out, where, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


class _Doc:
    def __init__(self, store: Store, row: dict):
        self.row = row
        self.text = q.document_text(store, row["id"])
        self.sentences = q.sentences(store, row["id"])
        self.ends = [s["end"] for s in self.sentences]
        self._squashed: tuple[str, list[int]] | None = None
        self.fuzzy = 0

    def find(self, snippet: str) -> tuple[int, int] | None:
        """Offsets of ``snippet`` in this text (exact, else ignoring whitespace differences)."""
        if snippet and snippet in self.text:
            start = self.text.index(snippet)
            return start, start + len(snippet)
        if self._squashed is None:
            self._squashed = _squash(self.text)
        flat, where = self._squashed
        needle = " ".join(snippet.split())
        at = flat.find(needle) if needle else -1
        if at >= 0:
            return where[at], where[at + len(needle) - 1] + 1
        if len(needle) < FUZZY_MIN_CHARS:
            return None
        # another tool's text extraction (ligatures, hyphens, running headers): best window
        hit = fuzz.partial_ratio_alignment(needle, flat, score_cutoff=FUZZY_MIN_SCORE)
        if hit is None or hit.dest_end <= hit.dest_start:
            return None
        self.fuzzy += 1
        return where[hit.dest_start], where[hit.dest_end - 1] + 1

    def find_exact(self, snippet: str) -> tuple[int, int] | None:
        """Offsets of ``snippet`` in this text, ignoring only whitespace differences."""
        if self._squashed is None:
            self._squashed = _squash(self.text)
        flat, where = self._squashed
        needle = " ".join(snippet.split())
        at = flat.find(needle) if needle else -1
        return (where[at], where[at + len(needle) - 1] + 1) if at >= 0 else None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """First and last sentence ids overlapping [start, end)."""
        i = bisect.bisect_right(self.ends, start)
        hits = []
        while i < len(self.sentences) and self.sentences[i]["start"] < end:
            hits.append(self.sentences[i]["id"])
            i += 1
        return (hits[0], hits[-1]) if hits else None


def _source_document(src: dict, docs: list[_Doc], by_sha: dict, by_name: dict) -> _Doc | None:
    """The ingested document a project source stands for: the same PDF (sha256) or file name,
    else the document whose text reads like the source's text (another tool's extraction of
    the same PDF). Never a document that merely shares a sentence with it: a coding placed in
    the wrong paper would corrupt the audit and the evidence table."""
    named = by_sha.get(src.get("sha256")) or by_name.get((src.get("name") or "").lower())
    if named is not None:
        return named
    text = " ".join((src.get("text") or "").split())[:SOURCE_SAMPLE]
    if len(text) < FUZZY_MIN_CHARS or not docs:
        return None
    def score(doc: _Doc) -> float:
        other = " ".join(doc.text.split())[:SOURCE_SAMPLE]
        similar = fuzz.ratio(text, other)
        if min(len(text), len(other)) >= 0.5 * max(len(text), len(other)):  # one extends the other
            similar = max(similar, fuzz.partial_ratio(text, other))
        return similar

    scored = [(score(d), d) for d in docs]
    score, best = max(scored, key=lambda pair: pair[0])
    return best if score >= SOURCE_MIN_SCORE else None


def import_qdpx(store: Store, path: Path, *, reviewer: str | None = None,
                partial: bool = False, max_unpacked: int = MAX_UNPACKED,
                read_paths: list[Path] | None = None) -> ImportReport:
    """Add the project's codings as hand codings; see the module docstring."""
    users, codes, sources, selections, invalid, unread = read_project(
        path, max_unpacked=max_unpacked, read_paths=read_paths)
    if invalid:
        raise ProjectError(
            f"{len(invalid)} selections have positions that cannot be right; nothing imported",
            subject=path, fix="the project file is damaged or was edited: export it again from "
            "the program that made it", problems=invalid)
    report = ImportReport(unread=unread)
    code_index = _code_index(store)
    docs = [_Doc(store, row) for row in q.documents(store, older_coded=False)]
    by_text = {d.text: d for d in docs}
    by_sha = {d.row["sha256"]: d for d in docs}
    by_name = {d.row["file_name"].lower(): d for d in docs}
    source_docs: dict[str, _Doc | None] = {}
    planned = []
    for sel in selections:
        src = sources.get(sel.source, {})
        code_meta = codes.get(sel.code_guid, {})
        code = next((code_index[k] for k in (str(code_meta.get("id") or "").lower(),
                                              sel.code_guid, code_meta.get("name", "").lower())
                     if k and k in code_index), None)
        where = f"{src.get('name') or sel.source} " + (
            f"[{sel.start}:{sel.end}]" if sel.start is not None else "(PDF region)")
        if code is None:
            report.problems.append(f"{where}: code {code_meta.get('name') or sel.code_guid!r} "
                                   "is not in any loaded codebook")
            continue
        text = src.get("text")
        doc, offsets = None, None
        if sel.start is not None and text is not None and text in by_text:
            doc, offsets = by_text[text], (sel.start, sel.end)
        else:
            snippet = sel.snippet if sel.start is None else (
                text[sel.start:sel.end] if text is not None else None)
            if sel.source not in source_docs:
                source_docs[sel.source] = _source_document(src, docs, by_sha, by_name)
            source_doc = source_docs[sel.source]
            if source_doc is not None and snippet:
                doc, offsets = source_doc, source_doc.find(snippet)
            elif snippet and text is None:  # a PDF region of an unknown PDF: unique exact text
                found = [(d, d.find_exact(snippet)) for d in docs]
                found = [(d, o) for d, o in found if o]
                if len(found) == 1:
                    doc, offsets = found[0]
        span = doc.span(*offsets) if doc and offsets else None
        if span is None:
            report.problems.append(
                f"{where}: its source file is outside the project and was not read"
                if src.get("unread") and text is None else
                f"{where}: the selected text is in no ingested document")
            continue
        name = reviewer or users.get(sel.user_guid) or "unknown"
        planned.append((sel, span, code, name))
    report.fuzzy = sum(d.fuzzy for d in docs)
    if report.problems and not partial:
        fix = ("load the codebook and ingest the documents first, or pass --partial to import "
               "the codings that can be placed")
        if unread:
            fix = (f"the project keeps {len(unread)} source(s) outside itself, not read: "
                   f"{unread[0]}; or {fix}")
        raise InputError(
            f"{len(report.problems)} codings cannot be placed, nothing imported; first: "
            f"{report.problems[0]}", subject=path, fix=fix)
    with store.transaction():
        for sel, (first, last), code, name in planned:
            what = _code_or_role(code)
            if review.active_coding(store, name, first, last, what["code"],
                                    role=what.get("role")):
                report.already += 1
                continue
            common = dict(sentence_id=first, end_sentence_id=last, **what, note=sel.note,
                          origin="qdpx", uuid=sel.coding_guid or None,
                          created_at=_store_time(sel.created_at))
            if name == CONSENSUS:
                result = review.record_decision(store, reviewer=CONSENSUS, action="resolve",
                                                resolved_by=reviewer or "qdpx-import", **common)
            else:
                result = review.record_decision(store, reviewer=name, action="code", **common)
            if result.get("duplicate"):
                report.already += 1
                continue
            report.added += 1
            report.by_reviewer[name] = report.by_reviewer.get(name, 0) + 1
    return report
