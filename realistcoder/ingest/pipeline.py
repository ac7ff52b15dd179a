"""Ingest: files -> clean text -> sentences with offsets, pages and boxes -> the review store.

:func:`extract` is pure (a path in, a :class:`DocumentRecord` out) so that worker processes can
run it; :func:`ingest` hashes files, skips those already stored, extracts (in parallel with
``jobs`` > 1) and writes each document in its own transaction from the calling process.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from realistcoder.errors import InputError, RealistCoderError
from realistcoder.ingest import sections as S
from realistcoder.ingest import sources
from realistcoder.ingest.contents import mark_contents
from realistcoder.ingest.layout import Block, body_style, page_blocks, remove_running_heads
from realistcoder.ingest.pdf import read_pdf
from realistcoder.ingest.segment import split_sentences
from realistcoder.ingest.structure import classify
from realistcoder.ingest.text import (
    Piece,
    block_text,
    merge_continuations,
    normalise_lines,
    vocabulary,
)
from realistcoder.ingest.textfile import text_blocks
from realistcoder.store import Store, utcnow
from realistcoder.store import documents as docs
from realistcoder.store.documents import DocumentRecord, PageRow, SentenceRow

WHOLE_BLOCK_KINDS = (S.HEADING, S.TABLE, S.CONTENTS)
DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)\]])")


@dataclass
class FileResult:
    """What happened to one file: ``new``, ``version``, ``unchanged``, ``retried``,
    ``restored`` or ``failed`` (with ``error``)."""

    path: str
    outcome: str
    document_id: int | None = None
    error: str | None = None
    n_pages: int = 0
    n_sentences: int = 0
    trace: str = ""  # the traceback of an unexpected failure (shown with --debug)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.outcome == "failed"]

    def count(self, *outcomes: str) -> int:
        return sum(r.outcome in outcomes for r in self.results)


# --- extraction (runs in worker processes) ---------------------------------------------------


def extract(path: Path, password: str | list[str] | None = None,
            data: bytes | None = None) -> DocumentRecord:
    """Read one file into a :class:`DocumentRecord` (raises InputError for bad input)."""
    data = sources.read_bytes(path) if data is None else data
    kind = sources.detect_kind(path, data)
    record = DocumentRecord(
        path=str(path.resolve()), file_name=path.name, sha256=sources.sha256(data), kind=kind,
        text="", pages=[], sentences=[],
    )
    if kind == "text":
        text = sources.decode_text(path, data)
        blocks = text_blocks(text)
        _assemble(record, [(b, k) for b, k in blocks], [(1, None, None, len(text))])
        if not record.sentences:
            raise InputError("the file contains no text", subject=path,
                             fix="check that this is the right file")
        record.title = _text_title(text)
        record.year = _printed_year(text[:3000])
        return record
    content = read_pdf(path, password)
    remove_running_heads(content.pages)
    style = body_style(content.pages)
    blocks: list[Block] = []
    for page in content.pages:
        blocks.extend(page_blocks(page, style))
    normalise_lines(blocks)
    classify(blocks, style, {p.number: p.height for p in content.pages})
    blocks = merge_continuations(mark_contents(blocks))
    vocab = vocabulary(blocks)
    page_info = [(p.number, p.width, p.height, p.n_chars) for p in content.pages]
    _assemble(record, [(b, vocab) for b in blocks], page_info)
    empty = [p.page_no for p in record.pages if not p.has_text]
    if empty:
        record.warnings.append(
            f"no text layer on page(s) {_ranges(empty)}: scanned? run OCR (e.g. `ocrmypdf "
            "in.pdf out.pdf`) to include them")
    _metadata(record, content.metadata, blocks)
    return record


def _assemble(record: DocumentRecord, items: list, page_info: list[tuple]) -> None:
    """Build the document text, pages and sentences from blocks (PDF) or (text, kind) pairs."""
    parts: list[str] = []
    pos = 0
    spans: list[tuple[int, str, str, list[Piece]]] = []  # (start, text, kind, pieces)
    marks: list[tuple[int, int, str]] = []  # reference marks left out: (offset, page, mark)
    for block, extra in items:
        dropped: list[tuple[int, int, str]] = []
        if isinstance(block, Block):
            text, pieces = block_text(block, extra, pos, dropped)
            kind = block.kind
        else:
            text, kind, pieces = block, extra, []
        if not text.strip():
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
            pieces = [Piece(p.doc_start + 2, p.line, p.index, p.length) for p in pieces]
            dropped = [(offset + 2, page, mark) for offset, page, mark in dropped]
        parts.append(text)
        spans.append((pos, text, kind, pieces))
        marks += [(min(offset, pos + len(text)), page, mark) for offset, page, mark in dropped]
        pos += len(text)
    record.text = "".join(parts)
    _pages(record, spans, page_info)
    _printed_pages(record, marks)
    starts = [p.start for p in record.pages]
    seq = 0
    for paragraph, (offset, text, kind, pieces) in enumerate(spans):
        if kind in WHOLE_BLOCK_KINDS:
            lead = len(text) - len(text.lstrip())
            cuts = [(lead, len(text.rstrip()))]
        else:
            cuts = split_sentences(text)
        for s, e in cuts:
            start, end = offset + s, offset + e
            page_no = record.pages[bisect.bisect_right(starts, start) - 1].page_no
            record.sentences.append(SentenceRow(
                seq=seq, page_no=page_no, start=start, end=end, text=record.text[start:end],
                section=kind, paragraph=paragraph, bbox=_boxes(pieces, start, end),
            ))
            seq += 1


def _pages(record: DocumentRecord, spans: list, page_info: list[tuple]) -> None:
    """Page ranges: page N runs from its first character to the next page's first."""
    first: dict[int, int] = {}
    for _, _, _, pieces in spans:
        for p in pieces:
            first.setdefault(p.line.page, p.doc_start)
            first[p.line.page] = min(first[p.line.page], p.doc_start)
    # a page without text gets an empty range where the next page starts
    starts: list[int] = []
    following = len(record.text)
    for number, *_ in reversed(page_info):
        following = min(first.get(number, following), following)
        starts.append(following)
    starts.reverse()
    starts[0] = 0
    rows = []
    for k, (number, width, height, n_chars) in enumerate(page_info):
        end = starts[k + 1] if k + 1 < len(starts) else len(record.text)
        rows.append(PageRow(number, starts[k], end, width, height, n_chars or 0,
                            has_text=bool(n_chars)))
    record.pages = rows


def _printed_pages(record: DocumentRecord, marks: list[tuple[int, int, str]]) -> None:
    """A page's text as printed: its range of the document text with the reference marks put
    back where they stood (quotes leave them out; ``pages.text`` keeps them findable)."""
    by_page: dict[int, list[tuple[int, str]]] = {}
    for offset, page, mark in marks:
        by_page.setdefault(page, []).append((offset, mark))
    for row in record.pages:
        found = by_page.get(row.page_no)
        if not found:
            continue
        text, cur, out = record.text, row.start, []
        for offset, mark in sorted(found):
            offset = min(max(offset, row.start), row.end)
            out += [text[cur:offset], mark]
            cur = offset
        out.append(text[cur:row.end])
        row.printed = "".join(out)


def _boxes(pieces: list[Piece], start: int, end: int) -> list[list[float]]:
    boxes = []
    for p in pieces:
        if p.doc_end <= start or p.doc_start >= end:
            continue
        a = p.index + max(start - p.doc_start, 0)
        b = p.index + min(end, p.doc_end) - p.doc_start - 1
        line = p.line
        boxes.append([line.page, round(min(line.x0s[a:b + 1]), 1), round(line.top, 1),
                      round(max(line.x1s[a:b + 1]), 1), round(line.bottom, 1)])
    return boxes


def _ranges(numbers: list[int]) -> str:
    out, run = [], [numbers[0], numbers[0]]
    for n in numbers[1:]:
        if n == run[1] + 1:
            run[1] = n
        else:
            out.append(run)
            run = [n, n]
    out.append(run)
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in out)


def _metadata(record: DocumentRecord, meta: dict[str, str], blocks: list[Block]) -> None:
    title = " ".join(meta.get("Title", "").split())
    if _plausible_title(title):
        record.title = title
    else:
        heads = [b for b in blocks if b.page == blocks[0].page and
                 b.kind in (S.FRONT_MATTER, S.HEADING)] if blocks else []
        for best in sorted(heads, key=lambda b: -max(line.size for line in b.lines)):
            text = " ".join(best.text.split())
            if 10 <= len(text) <= 300 and _plausible_title(text):
                record.title = text
                break
    author = " ".join(meta.get("Author", "").split())
    if author and re.search(r"[A-Za-z]{2}", author) and not re.search(r"\.(docx?|tex)$", author):
        record.authors = author
    # the year: printed in the first page's front matter, else the PDF's creation date
    record.year = _printed_year(" \n".join(
        s.text for s in record.sentences if s.page_no == 1 and s.section == S.FRONT_MATTER))
    for key in ("CreationDate", "ModDate"):
        if record.year is not None:
            break
        value = meta.get(key, "")
        year = re.match(r"^(?:D:)?((?:19|20)\d\d)", value)
        if year and not value.startswith("D:20000101000000"):  # reportlab's "invariant" date
            record.year = int(year.group(1))
    if record.year is None and record.pages:
        record.year = _printed_year(record.text[record.pages[0].start:record.pages[0].end])
    head = record.text[:20000]
    found = DOI.search(head)
    if found:
        record.doi = found.group(1)


PRINTED_YEAR = re.compile(
    r"(?i)(?:©|\(c\)|copyright)\s*((?:19|20)\d\d)\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+"
    r"(?:\d{1,2},?\s+)?((?:19|20)\d\d)\b"
    r"|\b((?:19|20)\d\d)\s*;\s*\d+\s*[(:]"
    r"|\b(?:published|accepted|received|citation)\b[^0-9\n]{0,30}((?:19|20)\d\d)\b"
)


def _printed_year(text: str) -> int | None:
    """The publication year printed on the first page: the latest dated mention ("© 2016",
    "Published: 6 January 2010", "2018; 10(1)", "November 2017"), not any four digits."""
    this_year = int(utcnow()[:4])
    years = [int(y) for m in PRINTED_YEAR.finditer(text) for y in m.groups() if y]
    years = [y for y in years if 1900 <= y <= this_year + 1]
    return max(years) if years else None


def _text_title(text: str) -> str | None:
    """A text file's title: its first line when that is a Markdown heading or a short line
    without a full stop (a plain first sentence is not a title)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    heading = first.startswith("#")
    first = first.lstrip("#").strip()
    if (heading or (len(first) <= 150 and not first.endswith("."))) and _plausible_title(first):
        return first
    return None


def _plausible_title(title: str) -> bool:
    """Not empty, not a file name ("paper.dvi", "Microsoft Word - draft3.docx"), not a code."""
    if len(title) < 8 or len(re.findall(r"[A-Za-z]{3,}", title)) < 2:
        return False
    return not re.search(
        r"(?i)^(microsoft (word|powerpoint)|untitled)|^\S+\.[a-z0-9]{2,4}$|"
        r"^(research|original|review|brief|short) (article|research|paper|report|communication)$|"
        r"\.(docx?|pdf|tex|dvi|ps|indd|qxd|txt|rtf|odt|pptx?|html?|md)$",
        title,
    )


# --- ingest (the parent process writes the store) ---------------------------------------------


def _work(args: tuple[str, list[str]]) -> tuple[str, DocumentRecord | None, str | None, str]:
    """Worker: extract one file; never raises (errors come back as one-line strings)."""
    path_text, password = args
    path = Path(path_text)
    try:
        return path_text, extract(path, password), None, ""
    except RealistCoderError as err:
        return path_text, None, str(err), ""
    except Exception as err:  # a bug or a PDF pdfium chokes on: report, keep going
        import traceback

        message = (f"{path}: could not extract text ({type(err).__name__}: {err}) "
                   "(please report this file; run with --debug for details)")
        return path_text, None, " ".join(message.split()), traceback.format_exc()


def ingest(
    store: Store,
    args: list[str],
    *,
    jobs: int = 1,
    password: str | list[str] | None = None,
    progress: Callable[[FileResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest every file named by ``args``; one transaction per document.

    Unchanged files (same SHA-256 as a stored document) are skipped before extraction, so
    re-running after an interruption only does the remaining work.
    """
    report = IngestReport()
    files, problems = sources.expand(args)
    if on_total:
        on_total(len(files) + len(problems))
    for problem in problems:
        _done(report, progress, FileResult(problem.path, "failed", error=str(problem.error)))
    todo: list[Path] = []
    hashes: dict[str, tuple[str, str]] = {}
    sizes: dict[str, int] = {}
    for path in files:
        try:
            data = sources.read_bytes(path)
        except InputError as err:
            _done(report, progress, FileResult(str(path), "failed", error=str(err)))
            continue
        digest = sources.sha256(data)
        known = docs.find_by_sha256(store, digest)
        if known is not None and known["status"] == "ok":
            _done(report, progress, FileResult(str(path), "unchanged", known["id"]))
            continue
        hashes[str(path)] = (digest, _guess_kind(path, data))
        sizes[str(path)] = len(data)
        todo.append(path)
    tasks = [(str(p), password) for p in todo]
    if jobs > 1 and len(tasks) > 1:
        workers = min(jobs, len(tasks), os.cpu_count() or 1) or 1
        try:
            context = get_context("fork")  # cheap start, shares the loaded modules
        except ValueError:  # not on this platform (Windows)
            context = get_context()
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            # biggest files first so that no worker is left with a long tail; results are
            # still stored in the order the files were named (stable document ids)
            futures = {}
            for task in sorted(tasks, key=lambda t: -sizes[t[0]]):
                futures[task[0]] = pool.submit(_work, task)
            for path_text, _ in tasks:
                _store_one(store, report, progress, futures.pop(path_text).result(), hashes)
    else:
        for task in tasks:
            _store_one(store, report, progress, _work(task), hashes)
    return report


def _guess_kind(path: Path, data: bytes) -> str:
    return "pdf" if b"%PDF-" in data[:1024] else (path.suffix.lower().lstrip(".") or "file")


def _store_one(store, report, progress, outcome, hashes) -> None:
    path_text, record, error, trace = outcome
    if record is not None:
        if not record.sentences:
            error = str(InputError("no sentences could be extracted", subject=path_text,
                                   fix="check the file; if it is scanned, run OCR first"))
        else:
            doc_id, what = docs.write_document(store, record)
            _done(report, progress, FileResult(path_text, what, doc_id,
                                               n_pages=len(record.pages),
                                               n_sentences=len(record.sentences)))
            return
    digest, kind = hashes[path_text]
    path = Path(path_text)
    doc_id = docs.write_failure(store, path=str(path.resolve()), file_name=path.name,
                                sha256=digest, kind=kind, error=error or "failed")
    _done(report, progress, FileResult(path_text, "failed", doc_id, error=error, trace=trace))


def _done(report: IngestReport, progress, result: FileResult) -> None:
    report.results.append(result)
    if progress:
        progress(result)
