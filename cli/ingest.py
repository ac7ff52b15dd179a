"""Commands: ingest, documents (list), sentences, search, export sentences."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from realistcoder.cli.groups import (
    cli,
    documents_group,
    echo,
    export_group,
    output_stream,
    pass_app,
)
from realistcoder.ingest.sections import SECTION_KINDS
from realistcoder.store import documents as docs

EXPORT_FIELDS = ["sentence_id", "document", "document_id", "page", "start", "end", "text",
                 "section"]


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for extraction.")
@click.option("--password", "passwords", multiple=True,
              help="Password for encrypted PDFs (repeat to try several).")
@pass_app
def ingest_command(app, paths: tuple[str, ...], jobs: int, passwords: tuple[str, ...]) -> None:
    """Read PDFs, .txt and .md files (files, folders, globs) into sentences in the store.

    Unchanged files are skipped; a changed file becomes a new version. Each bad file gets one
    line on stderr naming the problem and the fix; the others are still ingested.

    Example: realistcoder ingest corpus/ papers/*.pdf --jobs 2
    """
    from realistcoder.ingest.pipeline import ingest

    store = app.store(create=True)
    bar_state: dict = {}
    messages: list[str] = []

    def on_total(total: int) -> None:
        if not sys.stderr.isatty():
            return  # no bar in logs and pipes: just the error lines and the summary
        bar_state["bar"] = click.progressbar(
            length=total, label="ingesting", file=sys.stderr, show_pos=True,
            item_show_func=lambda name: name,
        ).__enter__()

    def progress(result) -> None:
        bar = bar_state.get("bar")
        if result.outcome == "failed":
            messages.append(f"error: {result.error}")
            if app.debug and result.trace:
                messages.append(result.trace.rstrip())
        if bar is not None:
            bar.update(1, Path(result.path).name[:40])

    try:
        report = ingest(store, list(paths), jobs=jobs, password=list(passwords), progress=progress,
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
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="table for reading, jsonl (one JSON object a line) for "
              "scripts.")
@pass_app
def documents_list(app, all_versions: bool, fmt: str) -> None:
    """List ingested documents with status, pages, sentences and errors.

    Example: realistcoder documents list --all
    """
    rows = docs.list_documents(app.store(create=False), all_versions=all_versions)
    if fmt == "jsonl":
        for row in rows:
            echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        echo("no documents yet: run `realistcoder ingest PATH...`")
        return
    echo(f"{'id':>4}  {'status':<10} {'ver':>3} {'pages':>5} {'sents':>6}  file / title / error")
    for r in rows:
        echo(f"{r['id']:>4}  {r['status']:<10} {r['version']:>3} {r['n_pages']:>5} "
             f"{r['n_sentences']:>6}  {r['file_name']}")
        if r["title"]:
            echo(f"{'':>35}{_clip(r['title'], 70)}")
        traits = [r.get(k) for k in ("evidence_type", "study_design", "setting", "country")]
        screened = r.get("screening") and (r["screening"] if r["screening"] == "included" else
                                           f"excluded: {r.get('exclusion_reason') or '-'}")
        if any(traits) or screened:
            echo(f"{'':>35}{_clip(' · '.join(t for t in [*traits, screened] if t), 70)}")
        if r["error"]:
            echo(f"{'':>35}{r['error']}")
        for warning in json.loads(r["warnings"] or "[]"):
            echo(f"{'':>35}warning: {warning}")


@cli.command("sentences")
@click.argument("doc")
@click.option("--section", "sections", multiple=True, type=click.Choice(SECTION_KINDS),
              help="Only these section kinds (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="table for reading, jsonl (one JSON object a line) for "
              "scripts.")
@pass_app
def sentences_command(app, doc: str, sections: tuple[str, ...], fmt: str) -> None:
    """Show the sentences of one document (by id or file name).

    Example: realistcoder sentences 3 --section body --format jsonl
    """
    store = app.store(create=False)
    row = docs.get_document(store, doc)
    for s in docs.document_sentences(store, row["id"], sections or None):
        if fmt == "jsonl":
            echo(json.dumps(_public(s), ensure_ascii=False))
        else:
            echo(f"{s['id']:>7}  p{s['page']:<3} {s['section']:<12} {s['text']}")


@cli.command("search")
@click.argument("query")
@click.option("--limit", "-n", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="Show at most this many sentences, best matches first.")
@click.option("--doc", "--document", "doc", default=None,
              help="Only this document (id or file name).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="table for reading, jsonl (one JSON object a line) for "
              "scripts.")
@pass_app
def search_command(app, query: str, limit: int, doc: str | None, fmt: str) -> None:
    """Full-text search over sentences (SQLite FTS5: words, "phrases", OR, NOT, prefix*).

    Example: realistcoder search '"shared decision" OR trust'
    """
    if not query.strip():
        from realistcoder.errors import InputError

        raise InputError("the query is empty", subject="search",
                         fix="give words to look for, e.g. realistcoder search 'trust'")
    store = app.store(create=False)
    doc_id = docs.get_document(store, doc)["id"] if doc else None
    rows = docs.search_sentences(store, query, limit=limit, document_id=doc_id)
    if fmt == "jsonl":
        for r in rows:
            echo(json.dumps({**_public(r), "snippet": r["snippet"]}, ensure_ascii=False))
        return
    if not rows:
        click.echo("no matches", err=True)
    for r in rows:
        echo(f"{r['document']}  p{r['page']}  #{r['id']}  {r['snippet']}")


@export_group.command("sentences")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="jsonl (one JSON object a line) or csv.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of stdout ('-': stdout).")
@click.option("--doc", "--document", "doc_refs", multiple=True,
              help="Only these documents (id or file name).")
@pass_app
def export_sentences(app, fmt: str, output: Path | None, doc_refs: tuple[str, ...]) -> None:
    """Write every sentence of the current documents with its provenance (JSONL or CSV).

    Fields: sentence_id, document, document_id, page, start, end, text, section. In CSV a text
    that a spreadsheet would run as a formula (starting with = + - @) gets a leading '.

    Example: realistcoder export sentences --format csv -o sentences.csv
    """
    from realistcoder.export.safe import spreadsheet_text

    store = app.store(create=False)
    ids = [docs.get_document(store, ref)["id"] for ref in doc_refs] or None
    rows = docs.export_sentences(store, ids)
    with output_stream(output) as stream:  # '-' is standard output, as for other Unix tools
        if fmt == "csv":
            writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
            writer.writeheader()
            for r in rows:
                writer.writerow({**r, "text": spreadsheet_text(r["text"])})
        else:
            for r in rows:
                stream.write(json.dumps({k: r[k] for k in EXPORT_FIELDS}, ensure_ascii=False))
                stream.write("\n")
    if output and str(output) != "-":
        click.echo(f"wrote {output}", err=True)


def _public(s: dict) -> dict:
    return {"sentence_id": s["id"], "document": s["document"], "document_id": s["document_id"],
            "page": s["page"], "start": s["start"], "end": s["end"], "text": s["text"],
            "section": s["section"]}


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

