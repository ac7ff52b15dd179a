"""Commands: ingest, documents (list), sentences, search, export sentences."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from realistcoder.cli.groups import cli, documents_group, echo, export_group, pass_app
from realistcoder.cli.output import (
    LISTING_FORMATS,
    RECORD_FORMATS,
    emit,
    format_option,
    output_option,
    pick_format,
)
from realistcoder.cli.screen import progress_bar
from realistcoder.ingest.sections import SECTION_KINDS
from realistcoder.ingest.worker import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, Limits
from realistcoder.store import documents as docs

EXPORT_FIELDS = ["sentence_id", "document", "document_id", "page", "start", "end", "text",
                 "section", "flags"]
DOCUMENT_FIELDS = ["id", "file_name", "status", "version", "n_pages", "n_sentences", "title",
                   "authors", "year", "doi", "doc_type", "evidence_type", "study_design",
                   "setting", "country", "found_via", "screening", "exclusion_reason", "kind",
                   "path", "sha256", "error", "warnings", "supersedes", "ingested_at"]


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for extraction.")
@click.option("--password", "passwords", multiple=True,
              help="Password for encrypted PDFs (repeat to try several).")
@click.option("--max-memory", "max_memory", type=click.IntRange(64, 1_000_000),
              default=DEFAULT_MEMORY_MB, show_default=True, metavar="MB",
              help="Memory one file's extraction may use; a file that needs more (a "
              "decompression bomb) fails alone.")
@click.option("--timeout", type=click.FloatRange(1, 86_400), default=DEFAULT_TIMEOUT_S,
              show_default=True, metavar="SECONDS",
              help="Time one file's extraction may take; a file that takes longer fails alone.")
@pass_app
def ingest_command(app, paths: tuple[str, ...], jobs: int, passwords: tuple[str, ...],
                   max_memory: int, timeout: float) -> None:
    """Read PDFs, .txt and .md files (files, folders, globs) into sentences in the store.

    Unchanged files are skipped; a changed file becomes a new version. Each file is read in a
    worker process of its own, within --max-memory and --timeout; each bad file gets one line
    on stderr naming the problem and the fix, and the others are still ingested. A file that
    failed on a limit is not tried again until that limit is raised.

    Example: realistcoder ingest corpus/ papers/*.pdf --jobs 2
    """
    from realistcoder.ingest.pipeline import ingest

    store = app.store(create=True)
    bar_state: dict = {}
    messages: list[str] = []

    def on_total(total: int) -> None:
        if not sys.stderr.isatty():
            return  # no bar in logs and pipes: just the error lines and the summary
        bar_state["bar"] = progress_bar(total, "ingesting", items=True).__enter__()

    def progress(result) -> None:
        bar = bar_state.get("bar")
        if result.outcome == "failed" and result.skipped:
            messages.append(f"error: {result.error} [failed on this limit before: not tried "
                            "again until it is raised]")
        elif result.outcome == "failed":
            messages.append(f"error: {result.error}")
            if app.debug and result.trace:
                messages.append(result.trace.rstrip())
        if bar is not None:
            bar.update(1, Path(result.path).name)

    try:
        report = ingest(store, list(paths), jobs=jobs, password=list(passwords),
                        limits=Limits(max_memory, timeout), progress=progress,
                        on_total=on_total)
    finally:
        bar = bar_state.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)
    for message in messages:
        click.echo(message, err=True)
    for result in report.results:
        if result.outcome != "failed" and result.document_id is not None:
            row = docs.get_document(store, result.document_id)
            if row.get("warnings") and result.outcome != "unchanged":
                for warning in json.loads(row["warnings"]):
                    click.echo(f"warning: {result.path}: {warning}", err=True)
            if result.carried is not None:
                for line in _carry_lines(result, row["version"]):
                    click.echo(line, err=True)
    added = report.count("new", "retried")
    parts = [f"{added} ingested"]
    for outcome, label in (("version", "new versions"), ("restored", "restored"),
                           ("unchanged", "unchanged")):
        if report.count(outcome):
            parts.append(f"{report.count(outcome)} {label}")
    parts.append(f"{len(report.failed)} failed")
    n_sent = sum(r.n_sentences for r in report.results)
    n_pages = sum(r.n_pages for r in report.results)
    echo(f"{', '.join(parts)} ({n_pages} pages, {n_sent} sentences) -> {store.path}")
    if report.failed:
        raise click.exceptions.Exit(1)


@documents_group.command("list")
@click.option("--all", "all_versions", is_flag=True, help="Include superseded versions.")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def documents_list(app, all_versions: bool, fmt: str | None, output: Path | None) -> None:
    """List ingested documents with status, pages, sentences and errors.

    Example: realistcoder documents list --all -o documents.csv
    """
    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    rows = docs.list_documents(app.store(create=False), all_versions=all_versions)
    if fmt != "table":
        rows = [{**r, "warnings": json.loads(r["warnings"] or "[]")} for r in rows]
    emit(rows, DOCUMENT_FIELDS, fmt, output, what="documents", table=_documents_table,
         title="Documents", empty="no documents yet: run `realistcoder ingest PATH...`")


def _documents_table(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = [f"{'id':>4}  {'status':<10} {'ver':>3} {'pages':>5} {'sents':>6}  "
             "file / title / error"]
    for r in rows:
        lines.append(f"{r['id']:>4}  {r['status']:<10} {r['version']:>3} {r['n_pages']:>5} "
                     f"{r['n_sentences']:>6}  {r['file_name']}")
        if r["title"]:
            lines.append(f"{'':>35}{_clip(r['title'], 70)}")
        traits = [r.get(k) for k in ("evidence_type", "study_design", "setting", "country")]
        screened = r.get("screening") and (r["screening"] if r["screening"] == "included" else
                                           f"excluded: {r.get('exclusion_reason') or '-'}")
        if any(traits) or screened:
            lines.append(f"{'':>35}{_clip(' · '.join(t for t in [*traits, screened] if t), 70)}")
        if r["error"]:
            lines.append(f"{'':>35}{r['error']}")
        for warning in json.loads(r["warnings"] or "[]"):
            lines.append(f"{'':>35}warning: {warning}")
    return lines


@cli.command("sentences")
@click.argument("doc")
@click.option("--section", "sections", multiple=True, type=click.Choice(SECTION_KINDS),
              help="Only these section kinds (repeatable).")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def sentences_command(app, doc: str, sections: tuple[str, ...], fmt: str | None,
                      output: Path | None) -> None:
    """Show the sentences of one document (by id or file name).

    Example: realistcoder sentences 3 --section body --format jsonl
    """
    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    store = app.store(create=False)
    row = docs.get_document(store, doc)
    rows = [_public(s) for s in docs.document_sentences(store, row["id"], sections or None)]
    emit(rows, EXPORT_FIELDS, fmt, output, what="sentences", title=row["file_name"],
         table=lambda rs: [f"{s['sentence_id']:>7}  p{s['page']:<3} {s['section']:<12} "
                           f"{s['text']}" + (" [!: " + ", ".join(s["flags"]) + "]"
                                             if s.get("flags") else "") for s in rs])


@cli.command("search")
@click.argument("query")
@click.option("--limit", "-n", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="Show at most this many sentences, best matches first.")
@click.option("--doc", "--document", "doc", default=None,
              help="Only this document (id or file name).")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def search_command(app, query: str, limit: int, doc: str | None, fmt: str | None,
                   output: Path | None) -> None:
    """Full-text search over sentences (SQLite FTS5: words, "phrases", OR, NOT, prefix*).

    Example: realistcoder search '"shared decision" OR trust'
    """
    if not query.strip():
        from realistcoder.errors import InputError

        raise InputError("the query is empty", subject="search",
                         fix="give words to look for, e.g. realistcoder search 'trust'")
    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    store = app.store(create=False)
    doc_id = docs.get_document(store, doc)["id"] if doc else None
    rows = [{**_public(r), "snippet": r["snippet"]}
            for r in docs.search_sentences(store, query, limit=limit, document_id=doc_id)]
    emit(rows, [*EXPORT_FIELDS, "snippet"], fmt, output, what="matches",
         title=f"Search: {query}", empty="no matches",
         table=lambda rs: [f"{r['document']}  p{r['page']}  #{r['sentence_id']}  "
                           f"{r['snippet']}" for r in rs])


@export_group.command("sentences")
@format_option(RECORD_FORMATS, "jsonl")
@output_option()
@click.option("--doc", "--document", "doc_refs", multiple=True,
              help="Only these documents (id or file name).")
@pass_app
def export_sentences(app, fmt: str | None, output: Path | None,
                     doc_refs: tuple[str, ...]) -> None:
    """Write every sentence of the current documents with its provenance.

    Fields: sentence_id, document, document_id, page, start, end, text, section. In CSV a text
    that a spreadsheet would run as a formula (starting with = + - @) gets a leading '.

    Example: realistcoder export sentences -o sentences.csv
    """
    fmt = pick_format(output, fmt, RECORD_FORMATS, "jsonl")
    store = app.store(create=False)
    ids = [docs.get_document(store, ref)["id"] for ref in doc_refs] or None
    emit(docs.export_sentences(store, ids), EXPORT_FIELDS, fmt, output, what="sentences",
         title="Sentences")


def _carry_lines(result, version: int) -> list[str]:
    """What happened to the codings of a changed file's older versions."""
    carried = result.carried
    lines = []
    if carried.carried:
        lines.append(f"note: {result.path}: {carried.carried} codings carried to version "
                     f"{version} ({carried.exact} exact, {carried.near} near-exact match)")
    if carried.left:
        versions = sorted({c["version"] for c in carried.left})
        lines.append(
            f"warning: {result.path}: {len(carried.left)} codings could not be carried to "
            f"version {version} (their sentences changed); they stay on version "
            f"{', '.join(map(str, versions))}, labelled as such in audit and exports (list them "
            "with `realistcoder export codings --unblind --older-versions`, then uncode them "
            "or code the new text)")
    return lines


def _public(s: dict) -> dict:
    return {"sentence_id": s["id"], "document": s["document"], "document_id": s["document_id"],
            "page": s["page"], "start": s["start"], "end": s["end"], "text": s["text"],
            "section": s["section"], "flags": json.loads(s["flags"]) if s.get("flags") else []}


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

