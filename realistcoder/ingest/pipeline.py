"""Ingest: files -> clean text -> sentences with offsets, pages and boxes -> the review store.

:func:`extract` is pure (a path in, a :class:`DocumentRecord` out) so that worker processes can
run it; :func:`ingest` hashes files, skips those already stored, extracts (in parallel with
``jobs`` > 1) and writes each document in its own transaction from the calling process.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from realistcoder.errors import InputError, RealistCoderError, StoreError
from realistcoder.ingest import integrity, sources, worker
from realistcoder.ingest import sections as S
from realistcoder.ingest.carry import CarryReport, carry_codings
from realistcoder.ingest.contents import mark_contents
from realistcoder.ingest.layout import Block, body_style, page_blocks, remove_running_heads
from realistcoder.ingest.long_runs import MAX_SENTENCE_CHARS, cap_length
from realistcoder.ingest.pdf import read_pdf
from realistcoder.ingest.segment import split_sentences
from realistcoder.ingest.structure import classify
from realistcoder.ingest.text import (
    Piece,
    block_text,
    load_word_list,
    merge_continuations,
    normalise_lines,
    vocabulary,
)
from realistcoder.ingest.textfile import text_blocks
from realistcoder.ingest.worker import Limits
from realistcoder.safe_text import path_text
from realistcoder.store import Store, utcnow
from realistcoder.store import documents as docs
from realistcoder.store.documents import DocumentRecord, PageRow, SentenceRow

WHOLE_BLOCK_KINDS = (S.HEADING, S.TABLE, S.CONTENTS)
DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)\]])")


@dataclass
class FileResult:
    """What happened to one file: ``new``, ``version``, ``unchanged``, ``retried``,
    ``restored`` or ``failed`` (with ``error``; ``skipped`` when it failed on a resource limit
    before and was not tried again). ``path`` is printable (see :func:`path_text`)."""

    path: str
    outcome: str
    document_id: int | None = None
    error: str | None = None
    n_pages: int = 0
    n_sentences: int = 0
    trace: str = ""  # the traceback of an unexpected failure (shown with --debug)
    skipped: bool = False
    carried: CarryReport | None = None  # a new version: which codings moved to it, which not


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
        path=path_text(path.resolve()), file_name=path_text(path.name),
        sha256=sources.sha256(data), kind=kind, text="", pages=[], sentences=[],
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
        record.pages[0].issues = integrity.page_issues(record.text.count("\ufffd"), 0)
        record.warnings += integrity.warnings(record.pages, record.sentences, _ranges)
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
    for row, page in zip(record.pages, content.pages, strict=True):
        row.issues = integrity.page_issues(page.n_replacement, page.n_unmapped)
    record.warnings += integrity.warnings(record.pages, record.sentences, _ranges)
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
    n_cut = 0
    cut_pages: set[int] = set()
    for paragraph, (offset, text, kind, pieces) in enumerate(spans):
        ends = [p.doc_end for p in pieces]  # in order: the boxes of a sentence are a bisection
        if kind in WHOLE_BLOCK_KINDS:
            lead = len(text) - len(text.lstrip())
            cuts = [(lead, len(text.rstrip()))]
        else:
            cuts = split_sentences(text)
        for s, e, cut in cap_length(text, cuts):
            start, end = offset + s, offset + e
            page_no = record.pages[bisect.bisect_right(starts, start) - 1].page_no
            record.sentences.append(SentenceRow(
                seq=seq, page_no=page_no, start=start, end=end, text=record.text[start:end],
                section=kind, paragraph=paragraph, bbox=_boxes(pieces, ends, start, end),
                cut_at_length=cut,
                flags=integrity.sentence_flags(record.text, pieces, start, end),
            ))
            seq += 1
            if cut:
                n_cut += 1
                cut_pages.add(page_no)
    if n_cut:
        where = f" on page(s) {_ranges(sorted(cut_pages))}" if record.kind == "pdf" else ""
        record.warnings.append(
            f"{n_cut} sentences are pieces of text with no sentence end{where}, cut at "
            f"{MAX_SENTENCE_CHARS:,} characters each (check that this is the right file)")


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


def _boxes(pieces: list[Piece], ends: list[int], start: int, end: int) -> list[list[float]]:
    boxes = []
    for k in range(bisect.bisect_right(ends, start), len(pieces)):
        p = pieces[k]
        if p.doc_start >= end:
            break
        if p.doc_end <= start:
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


def _work(args: tuple[str, list[str] | None]) -> DocumentRecord:
    """Extract one file (in a worker process); unexpected failures become one line."""
    path_name, password = args
    path = Path(path_name)
    try:
        return extract(path, password)
    except RealistCoderError:
        raise
    except Exception as err:  # a bug or a PDF pdfium chokes on: report, keep going
        message = (f"{path_text(path)}: could not extract text ({type(err).__name__}: {err}) "
                   "(please report this file; run with --debug for details)")
        raise _Unexpected(" ".join(message.split())) from err


class _Unexpected(Exception):
    """An extraction failure that is not the file's fault as far as we know (with a trace)."""


@dataclass
class _Pending:
    path: Path
    print_name: str
    sha256: str
    kind: str
    size: int


def ingest(
    store: Store,
    args: list[str],
    *,
    jobs: int = 1,
    password: str | list[str] | None = None,
    limits: Limits | None = None,
    progress: Callable[[FileResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest every file named by ``args``; one transaction per document.

    Each file is read in a worker process of its own under ``limits`` (memory, time), ``jobs``
    at a time, so that a hostile file fails alone. Unchanged files (same SHA-256 as a stored
    document) are skipped before extraction, so re-running after an interruption only does the
    remaining work; so are files that failed on a limit before, unless that limit was raised.
    """
    limits = limits or Limits()
    report = IngestReport()
    files, problems = sources.expand(args)
    if on_total:
        on_total(len(files) + len(problems))
    for problem in problems:
        _done(report, progress, FileResult(path_text(problem.path), "failed",
                                           error=str(problem.error)))
    todo: dict[str, _Pending] = {}
    for path in files:
        name = path_text(path)
        try:
            print_ = sources.fingerprint(path)
        except InputError as err:
            _done(report, progress, FileResult(name, "failed", error=str(err)))
            continue
        known = docs.find_by_sha256(store, print_.sha256)
        if known is not None and known["status"] == "ok":
            _done(report, progress, FileResult(name, "unchanged", known["id"]))
            continue
        if known is not None and not _limits_raised(known.get("failed_limit"), limits):
            _done(report, progress, FileResult(name, "failed", known["id"],
                                               error=known["error"], skipped=True))
            continue
        todo[str(path)] = _Pending(path, name, print_.sha256,
                                   _guess_kind(path, print_.head), print_.size)
    order = list(todo)
    jobs = max(1, min(jobs, os.cpu_count() or 1))  # each worker may use up to the memory cap
    if jobs > 1:  # biggest files first, so that no worker is left with a long tail
        tasks = sorted(order, key=lambda key: -todo[key].size)
    else:
        tasks = order
    # results are stored in the order the files were named (stable document ids)
    finished: dict[str, worker.Outcome] = {}
    stored = 0
    if tasks:
        load_word_list()  # shared by the workers, not loaded by each
    runs = worker.run(_work, [(key, (key, password)) for key in tasks], jobs=jobs,
                      limits=limits, describe=lambda key: todo[key].print_name)
    with contextlib.closing(runs):  # an error here stops the workers at once
        for key, outcome in runs:
            finished[key] = outcome
            while stored < len(order) and order[stored] in finished:
                name = order[stored]
                try:
                    _store_one(store, report, progress, todo[name], finished.pop(name), limits)
                except StoreError as err:  # a full disk: say what this run did store
                    raise _stopped(err, todo[name].print_name, report) from err
                stored += 1
    return report


def _stopped(err: StoreError, name: str, report: IngestReport) -> StoreError:
    saved = report.count("new", "version", "retried", "restored")
    return StoreError(
        f"{err.message} while storing {name}; {saved} document(s) of this run were stored "
        "before it", subject=err.subject,
        fix="free some space or fix the store, then run the same command again: stored files "
        "are skipped, the rest are ingested")


def _limits_raised(failed_limit: str | None, limits: Limits) -> bool:
    """Whether a file that failed before deserves another try: it did not fail on a limit, or
    that limit is higher (or gone) now."""
    if not failed_limit:
        return True
    kind, _, value = failed_limit.partition(" ")
    now = limits.memory_mb if kind == "memory" else limits.timeout_s
    try:
        return now is None or float(now) > float(value)
    except ValueError:
        return True


def _guess_kind(path: Path, head: bytes) -> str:
    return "pdf" if b"%PDF-" in head[:1024] else (path.suffix.lower().lstrip(".") or "file")


def _store_one(store: Store, report: IngestReport, progress, item: _Pending,
               outcome: worker.Outcome, limits: Limits) -> None:
    record = outcome.value
    error = outcome.error
    if isinstance(record, DocumentRecord):
        if not record.sentences:
            error = str(InputError("no sentences could be extracted", subject=item.print_name,
                                   fix="check the file; if it is scanned, run OCR first"))
        else:
            with store.transaction():  # the new version and its carried codings together
                doc_id, what = docs.write_document(store, record)
                carried = carry_codings(store, doc_id) if what in ("version", "restored") \
                    else None
            _done(report, progress, FileResult(item.print_name, what, doc_id,
                                               n_pages=len(record.pages),
                                               n_sentences=len(record.sentences),
                                               carried=carried))
            return
    failed_limit = None
    if outcome.limit == "memory":
        failed_limit = f"memory {limits.memory_mb}"
    elif outcome.limit == "time":
        failed_limit = f"time {limits.timeout_s:g}"
    doc_id = docs.write_failure(store, path=path_text(item.path.resolve()),
                                file_name=path_text(item.path.name), sha256=item.sha256,
                                kind=item.kind, error=error or "failed",
                                failed_limit=failed_limit)
    _done(report, progress, FileResult(item.print_name, "failed", doc_id, error=error,
                                       trace=outcome.trace))


def _done(report: IngestReport, progress, result: FileResult) -> None:
    report.results.append(result)
    if progress:
        progress(result)
