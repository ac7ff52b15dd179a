"""REFI-QDA project import (``.qdpx``): codings made in NVivo, ATLAS.ti, MAXQDA or QualCoder
(or exported by realistcoder) become hand codings of their users, ready for the audit.

* users → reviewers (or everyone → one ``--reviewer``);
* codes → stored codes: by the ``[realistcoder]`` block of the description, by the code GUID
  of a stored codebook, then by name (code id or label, case-insensitive);
* sources → stored documents: the same text, else the same PDF (sha256) or file name, else
  the document whose text reads like the source's (score >= 80); a selection is placed by its
  offsets when the text is the same, else by finding its text in that document only (a PDF
  region of an unknown source: text found in exactly one document);
* offsets are checked before anything is placed: each source's selections are read under
  every offset convention its text makes different (code points, UTF-16 units, CRLF counted
  as one, a counted BOM; :mod:`realistcoder.export.refi_offsets`) and their names say which
  is right; a convention other than the standard one is used only when it alone fits, and a
  selection whose name does not fit the text at its offsets is refused, never placed;
* a selection → the sentences it overlaps (first to last); one that covers only part of a
  sentence is widened to the whole sentence, and reported.

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
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from realistcoder.codebook import qdc
from realistcoder.errors import InputError
from realistcoder.export.refi import code_ref, parse_utc
from realistcoder.export.refi_offsets import STANDARD, choose
from realistcoder.export.refi_project import (  # noqa: F401  (MAX_UNPACKED: part of the API)
    MAX_UNPACKED,
    ProjectError,
    Selection,
    read_project,
)
from realistcoder.export.rows import code_label
from realistcoder.store import export as q
from realistcoder.store import review
from realistcoder.store.db import Store
from realistcoder.store.review import EVIDENCE_ROLES

ROLE_PREFIX = "role:"

CONSENSUS = "consensus"
FUZZY_MIN_CHARS = 25
FUZZY_MIN_SCORE = 90.0
SOURCE_SAMPLE = 4000  # characters of a source compared to tell which document it is
SOURCE_MIN_SCORE = 80.0


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    fuzzy: int = 0
    by_reviewer: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # outside sources not named by the user
    # source name -> the offset convention its selections were read with (when not standard)
    conventions: dict[str, str] = field(default_factory=dict)
    checked: int = 0  # selections whose name was checked against the text at their offsets
    widened: list[str] = field(default_factory=list)  # parts of sentences, widened to them


def _store_time(value: str | None) -> str | None:
    """An xsd:dateTime as the store writes times (UTC ISO 8601, microseconds)."""
    moment = parse_utc(value)
    return moment.isoformat(timespec="microseconds") if moment else None


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
        self._position: dict[int, int] | None = None  # sentence id -> index, built on use
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

    def partial(self, start: int, end: int, span: tuple[int, int]) -> bool:
        """True when [start, end) leaves out words of its first or last sentence."""
        if self._position is None:
            self._position = {s["id"]: k for k, s in enumerate(self.sentences)}
        first = self.sentences[self._position[span[0]]]
        last = self.sentences[self._position[span[1]]]
        before = self.text[first["start"]:max(start, first["start"])]
        after = self.text[min(end, last["end"]):last["end"]]
        return bool(re.search(r"\w", before) or re.search(r"\w", after))

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


def _check_offsets(sources: dict, selections: list[Selection], report: ImportReport
                   ) -> dict[int, tuple[int, int]]:
    """Code point offsets (in each source's text) of every selection whose offsets check out,
    by index into ``selections``; the others become problems (see refi_offsets)."""
    by_source: dict[str, list[int]] = {}
    for k, sel in enumerate(selections):
        if sel.start is not None and sources.get(sel.source, {}).get("text") is not None:
            by_source.setdefault(sel.source, []).append(k)
    placed: dict[int, tuple[int, int]] = {}
    for key, indexes in by_source.items():
        src = sources[key]
        text = src["text"]
        # one selection coded with several codes is one selection: check it once
        spans = sorted({(selections[k].start, selections[k].end, selections[k].name)
                        for k in indexes}, key=lambda x: (x[0], x[1], x[2] or ""))
        choice = choose(text, src.get("bom", False), spans)
        report.checked += choice.checked
        label = src.get("name") or key
        if choice.convention is not None and choice.convention.name != STANDARD:
            report.conventions[label] = choice.convention.name
        bad = {spans[m] for m in choice.misfits}
        for k in indexes:
            sel = selections[k]
            where = f"{label} [{sel.start}:{sel.end}]"
            if choice.convention is None:
                report.problems.append(
                    f"{where}: the offsets could be counted as {' or as '.join(choice.ambiguous)}"
                    ", which select different text, and no selection name says which")
            elif (sel.start, sel.end, sel.name) in bad:
                span = choice.convention.span(sel.start, sel.end, len(text))
                found = " ".join(text[span[0]:span[1]].split()) if span else "(past the end)"
                report.problems.append(
                    f"{where}: the selection is named {_clip(sel.name)!r} but the text at its "
                    f"offsets reads {_clip(found)!r}")
            else:
                placed[k] = choice.convention.span(sel.start, sel.end, len(text))
    return placed


def _clip(text: str | None, width: int = 50) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def import_qdpx(store: Store, path: Path, *, reviewer: str | None = None,
                partial: bool = False, code_ids: dict[str, str] | None = None,
                max_unpacked: int = MAX_UNPACKED,
                read_paths: list[Path] | None = None) -> ImportReport:
    """Add the project's codings as hand codings; see the module docstring.

    ``code_ids`` maps code GUIDs to code ids (:func:`realistcoder.codebook.qdc.project_code_ids`
    after the project's own codebook was loaded)."""
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
    checked = _check_offsets(sources, selections, report)
    planned = []
    for k, sel in enumerate(selections):
        src = sources.get(sel.source, {})
        code_meta = codes.get(sel.code_guid, {})
        code_id = code_meta.get("id") or (code_ids or {}).get(sel.code_guid)
        code = next((code_index[key] for key in (str(code_id or "").lower(), sel.code_guid,
                                                 code_meta.get("name", "").lower())
                     if key and key in code_index), None)
        where = f"{src.get('name') or sel.source} " + (
            f"[{sel.start}:{sel.end}]" if sel.start is not None else "(PDF region)")
        if code is None:
            report.problems.append(f"{where}: code {code_meta.get('name') or sel.code_guid!r} "
                                   "is not in any loaded codebook")
            continue
        text = src.get("text")
        if sel.start is not None and text is not None and k not in checked:
            continue  # its offsets do not fit its name: reported by _check_offsets
        doc, offsets = None, None
        if sel.start is not None and text is not None and text in by_text:
            doc, offsets = by_text[text], checked[k]
        else:
            snippet = sel.snippet if sel.start is None else (
                text[checked[k][0]:checked[k][1]] if text is not None else None)
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
        if doc.partial(*offsets, span):
            report.widened.append(f"{where}: {_clip(doc.text[offsets[0]:offsets[1]])!r}")
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
