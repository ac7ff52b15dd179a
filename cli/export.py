"""Commands: export evidence|cmoc|map|documents|qdpx, import qdpx, documents import-metadata|edit.

Thin wrappers: options are parsed here, tables are built by ``realistcoder.export.rows`` and
written by the writer registered for the format (``realistcoder.export.registry``).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from realistcoder.cli.groups import (
    documents_group,
    echo,
    echo_problems,
    export_group,
    import_group,
    pass_app,
    viewer,
)
from realistcoder.errors import InputError
from realistcoder.export import registry, rows
from realistcoder.store import export as q
from realistcoder.store.documents import get_document

OUTPUT = click.option("-o", "--output", "output", required=True,
                      type=click.Path(path_type=Path, dir_okay=False),
                      help="File to write; its extension picks the format.")


TABLE_FORMATS = "csv, xlsx, md, html, docx, tex"


def _format_option(kind: str):
    names = TABLE_FORMATS + (", png, svg" if kind == "map" else "")
    return click.option("--format", "fmt", metavar="FORMAT",
                        help=f"One of {names} [default: from the -o extension].")


BLINDING = [
    click.option("--unblind", is_flag=True,
                 help="Show every reviewer's codings (once independent coding is over)."),
    click.option("--reviewer", metavar="NAME",
                 help="Show this reviewer's codings only (blinded review) [default: "
                 "$REALISTCODER_REVIEWER, unless --unblind]."),
]


def _blinding(func):
    """--unblind and --reviewer; the command gets --reviewer, else $REALISTCODER_REVIEWER
    (not with --unblind)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        kwargs["reviewer"] = viewer(kwargs.get("reviewer"), kwargs.get("unblind", False))
        return func(*args, **kwargs)

    for option in reversed(BLINDING):
        wrapper = option(wrapper)
    return wrapper


def _write(table, path: Path, fmt: str | None, what: str) -> None:
    """Write a report table (the format from --format, else the extension), replacing an
    earlier file all or nothing, and say what was written."""
    from realistcoder.cli.output import existed, written

    implied = registry.extension_format(path)
    if fmt and implied and implied != fmt.lower():
        echo(f"note: {path}: writing {fmt.lower()} as --format says (the extension usually "
             f"means {implied})", err=True)
    was_there = existed(path)
    writer = registry.write_table(table, path, fmt)
    written(path, was_there, f"{len(table.rows)} {what}", writer.name)


def _check_known(store, theory, code) -> None:
    """Refuse a --theory or --code that no loaded codebook has (a typo would export nothing)."""
    known = q.codes(store)
    for option, asked, have in (("--theory", theory, {c["theory"] for c in known}),
                                ("--code", code, {c["code"] for c in known})):
        unknown = sorted(set(asked) - have)
        if unknown:
            raise InputError(f"not in any loaded codebook: {', '.join(unknown)}", subject=option,
                             fix=f"use one of: {', '.join(sorted(h for h in have if h))}")


def _filters(store, theory, role, code, document, status) -> rows.EvidenceFilter:
    _check_known(store, theory, code)
    statuses = set(status) if status else set(rows.CODED_STATUSES)
    return rows.EvidenceFilter(
        theories=set(theory), roles={r.lower() for r in role}, codes=set(code),
        documents={get_document(store, d)["id"] for d in document}, statuses=statuses)


@export_group.command("evidence")
@OUTPUT
@_format_option("evidence")
@click.option("--theory", multiple=True, help="Only this theory or area id (repeatable).")
@click.option("--role", multiple=True, type=click.Choice(["context", "mechanism", "outcome",
              "other"], case_sensitive=False), help="Only this role (repeatable).")
@click.option("--code", multiple=True, help="Only this code id (repeatable).")
@click.option("--document", multiple=True, help="Only this document: id or file name.")
@click.option("--status", multiple=True, type=click.Choice(rows.STATUSES),
              help="Only this status (repeatable) [default: all coded; add 'proposed' to "
              "include undecided proposals].")
@click.option("--group-by", type=click.Choice(rows.GROUPS), default="theory", show_default=True,
              help="One sheet / heading / table per group.")
@_blinding
@pass_app
def export_evidence(app, output, fmt, theory, role, code, document, status, group_by, unblind,
                    reviewer):
    """Write the evidence table: one row per coded fragment with source, page and quote.

    Formats: CSV, XLSX (a sheet per theory), Markdown, HTML (searchable, sortable), DOCX
    (landscape tables for an appendix) and LaTeX (longtable).

    Example: realistcoder export evidence --unblind -o evidence.xlsx
    """
    store = app.store(create=False)
    filters = _filters(store, theory, role, code, document, status)
    table = rows.evidence_table(store, filters=filters, group_by=group_by, unblind=unblind,
                                reviewer=reviewer)
    _write(table, output, fmt, "fragments")


@export_group.command("cmoc")
@OUTPUT
@_format_option("cmoc")
@click.option("--theory", multiple=True, help="Only this theory id (repeatable).")
@pass_app
def export_cmoc(app, output, fmt, theory):
    """Write the CMO configuration table: if-then-because, with C, M and O evidence quoted.

    Example: realistcoder export cmoc -o cmocs.docx
    """
    store = app.store(create=False)
    _check_known(store, theory, ())
    table = rows.cmoc_table(store, theories=set(theory))
    _write(table, output, fmt, "configurations")


@export_group.command("map")
@OUTPUT
@_format_option("map")
@click.option("--by", type=click.Choice(["code", "theory"]), default="code", show_default=True,
              help="Columns: codes, or theories / areas.")
@click.option("--theory", multiple=True, help="Only this theory or area id (repeatable).")
@click.option("--role", multiple=True, type=click.Choice(["context", "mechanism", "outcome",
              "other"], case_sensitive=False), help="Only this role (repeatable).")
@click.option("--document", multiple=True, help="Only this document: id or file name.")
@click.option("--quotes", is_flag=True,
              help="A narrative map: the quotes themselves in the cells (codes or areas down, "
              "documents across), for .xlsx, .docx, .html, .md, .tex or .csv.")
@_blinding
@pass_app
def export_map(app, output, fmt, by, theory, role, document, quotes, unblind, reviewer):
    """Write the evidence map: documents by codes (or areas) with counts; .png/.svg draw it.

    With --quotes, a narrative map: each cell holds the quotes a document gives for a code,
    with their pages, grouped by theory.

    Example: realistcoder export map --by theory --unblind -o map.png
    """
    from realistcoder.export.narrative import narrative_map

    store = app.store(create=False)
    _check_known(store, theory, ())
    filters = rows.EvidenceFilter(theories=set(theory), roles={r.lower() for r in role},
                                  documents={get_document(store, d)["id"] for d in document})
    if quotes:
        if output.suffix.lower() in (".png", ".svg") or (fmt or "").lower() in ("png", "svg"):
            raise InputError("a narrative map holds quotes: it is a table, not a picture",
                             subject=output, fix="write it as .xlsx, .docx, .html, .md or .tex")
        table = narrative_map(store, by=by, filters=filters, unblind=unblind,
                              reviewer=reviewer)
        _write(table, output, fmt, "rows")
        return
    table = rows.map_table(store, by=by, filters=filters, unblind=unblind, reviewer=reviewer)
    _write(table, output, fmt, "documents")


@export_group.command("documents")
@OUTPUT
@_format_option("documents")
@_blinding
@pass_app
def export_documents(app, output, fmt, unblind, reviewer):
    """Write document characteristics: citation, year, type, pages, appraisal, codings per role.

    Example: realistcoder export documents --unblind -o documents.docx
    """
    store = app.store(create=False)
    table = rows.documents_table(store, unblind=unblind, reviewer=reviewer)
    _write(table, output, fmt, "documents")


@export_group.command("qdpx")
@OUTPUT
@click.option("--name", help="Project name [default: the file name].")
@click.option("--no-pdf", is_flag=True, help="Do not attach the PDFs (text sources only).")
@_blinding
@pass_app
def export_qdpx(app, output, name, no_pdf, unblind, reviewer):
    """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Reviewers become users; each document its extracted text (with the PDF attached when it is
    still at its path); each coding a text selection with its code.

    Example: realistcoder export qdpx --unblind -o review.qdpx
    """
    from realistcoder.export import refi

    if output.suffix.lower() != ".qdpx":
        raise InputError("a REFI-QDA project file must end in .qdpx", subject=output,
                         fix="pass -o NAME.qdpx")
    store = app.store(create=False)
    codings = rows.visible_codings(store, unblind=unblind, reviewer=reviewer)
    from realistcoder.cli.output import existed, written

    was_there = existed(output)
    counts = refi.write_qdpx(store, codings, output, name=name, attach_pdfs=not no_pdf)
    written(output, was_there, f"{counts['sources']} sources ({counts['pdfs']} with PDF) and "
            f"{counts['codings']} codings by {counts['users']} reviewers")
    if counts["left_out"]:
        echo(f"left out {counts['left_out']} codings of superseded document versions", err=True)


@import_group.command("qdpx")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", help="Attribute every coding to this reviewer [default: the "
              "project's user who made it].")
@click.option("--codebook", "with_codebook", is_flag=True,
              help="Load the project's own codebook first (as `codebook load FILE` does), and "
              "match its codes by GUID.")
@click.option("--partial", is_flag=True,
              help="Import the codings that can be placed and report the rest.")
@click.option("--read-source", "read_sources", multiple=True, metavar="PATH",
              type=click.Path(path_type=Path),
              help="Read this file (or the files in this folder) when the project names a "
              "source kept outside it (absolute://, relative://); repeatable. Without it such "
              "sources are not read.")
@click.option("--max-unpacked", type=click.IntRange(1, 1_000_000), default=None, metavar="MB",
              help="What the project's XML and texts may unpack to; a zip bomb is refused "
              "[default: 1024].")
@click.option("--dry-run", is_flag=True, help="Show what would change; save nothing.")
@pass_app
def import_qdpx(app, file, reviewer, with_codebook, partial, read_sources, max_unpacked,
                dry_run):
    """Bring codings from a REFI-QDA project (.qdpx) into the review as hand codings.

    Codes are matched by GUID or name to the loaded codebook (or, with --codebook, the
    project's own), sources to ingested documents by text, PDF or file name. Every selection
    is checked against the text at its offsets (its name says what it selected): offsets
    counted another way (UTF-16 units, CRLF as one character, a BOM) are corrected when only
    that reading fits, and a selection that still does not fit is refused, never misplaced; a
    position outside its source text refuses the whole import, with every one listed.
    Importing the same project twice adds nothing. Each reviewer's codings form one batch that
    `realistcoder undo --batch ID` reverses.

    Example: realistcoder import qdpx from-nvivo.qdpx --codebook
    """
    from realistcoder.cli.review_io import batch_lines, file_sha256
    from realistcoder.export.refi_import import MAX_UNPACKED, ProjectError
    from realistcoder.export.refi_import import import_qdpx as run
    from realistcoder.store.batches import recording

    if not file.is_file():
        raise InputError("no such file", subject=file, fix="check the path")
    code_ids = None
    if with_codebook and not dry_run:
        from realistcoder.cli.codebook import store_codebook_file
        from realistcoder.codebook.qdc import project_code_ids

        store_codebook_file(app, file)
        code_ids = project_code_ids(file)
    store = app.store(create=False)
    try:
        with recording(store, "import qdpx", source=file.name, sha256=file_sha256(file),
                       dry_run=dry_run) as rec:
            report = run(store, file, reviewer=reviewer, partial=partial, code_ids=code_ids,
                         max_unpacked=max_unpacked * 2**20 if max_unpacked else MAX_UNPACKED,
                         read_paths=list(read_sources))
    except ProjectError as err:
        echo_problems(err.problems)
        raise
    who = ", ".join(f"{n} by {r}" for r, n in sorted(report.by_reviewer.items())) or "none"
    verb = "would import" if dry_run else "imported"
    echo(f"{verb} {report.added} codings ({who}); {report.already} already present")
    for line in batch_lines(rec, dry_run, "codings"):
        echo(line)
    for line in report.unread:
        click.echo(f"note: a source outside the project was not read: {line}", err=True)
    if report.checked:
        echo(f"checked {report.checked} selection names against the text at their offsets")
    for source, convention in sorted(report.conventions.items()):
        echo(f"{source}: offsets read as {convention}: the only reading under which every "
             "selection's name fits its text")
    _placement_notes("selections", report.fuzzy, report.widened)
    for line in _grouped_problems(report.problems):
        echo(f"skipped: {line}", err=True)


@import_group.command("quotes")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", help="Whose codings these are [default: the file's coder column; "
              "required for Taguette, which has none].")
@click.option("--format", "fmt", type=click.Choice(["taguette", "qualcoder", "csv"]),
              help="The layout [default: told from the header row].")
@click.option("--dry-run", is_flag=True, help="Check every row and report what would be "
              "imported; change nothing.")
@pass_app
def import_quotes_cmd(app, file, reviewer, fmt, dry_run):
    """Code quotes exported by other tools: Taguette highlights, QualCoder coded text, or any
    CSV / XLSX with document, code and quote columns (all rows or none).

    Each quote is found in its document (by file name or title) and coded on the sentences it
    covers; codes match by id, label or the last part of a tag path.

    Example: realistcoder import quotes taguette-highlights.csv --reviewer carol
    """
    from realistcoder.export.quote_import import import_quotes
    from realistcoder.review.worksheet import RowsError

    try:
        report = import_quotes(app.store(create=False), file, reviewer=reviewer, fmt=fmt,
                               dry_run=dry_run)
    except RowsError as err:
        for line in err.problems[:20]:
            click.echo(f"  {line}", err=True)
        if len(err.problems) > 20:
            click.echo(f"  ... and {len(err.problems) - 20} more", err=True)
        raise
    who = ", ".join(f"{n} by {r}" for r, n in sorted(report.by_reviewer.items())) or "none"
    verb = "would add" if dry_run else "added"
    echo(f"{file} ({report.format}, {report.rows} rows): {verb} {report.imported} codings "
         f"({who}); {report.unchanged} already present")
    _placement_notes("quotes", report.fuzzy, report.widened)


def _placement_notes(what: str, fuzzy: int, widened: list[str]) -> None:
    """What an import placed less than exactly: close text matches, widened selections."""
    if fuzzy:
        echo(f"{fuzzy} {what} were placed by a close (not exact) text match: check them with "
             "`realistcoder export evidence`")
    if widened:
        echo(f"{len(widened)} {what} cover part of a sentence and were widened to whole "
             "sentences (codings are sentences); first:")
        for line in widened[:3]:
            echo(f"  {line}")


def _grouped_problems(problems: list[str], limit: int = 12) -> list[str]:
    """One line per source and reason ("a.pdf: 80 codings: the text is in no document"), not
    one per coding: a project from another review can hold thousands."""
    groups: dict[tuple[str, str], int] = {}
    for problem in problems:
        m = re.match(r"^(.*?) \[\d+:\d+\]: (.*)$", problem)
        key = (m.group(1), m.group(2)) if m else ("", problem)
        groups[key] = groups.get(key, 0) + 1
    lines = [f"{source + ': ' if source else ''}"
             f"{n} coding{'s' if n != 1 else ''}: {reason}" if source or n > 1 else reason
             for (source, reason), n in groups.items()]
    if len(lines) > limit:
        rest = sum(list(groups.values())[limit:])
        lines = lines[:limit] + [f"{rest} more codings (run without --partial to see the first)"]
    return lines


@documents_group.command("import-metadata")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--keep-existing", is_flag=True, help="Only fill fields that are empty.")
@click.option("--dry-run", is_flag=True, help="Show the matches; change nothing.")
@pass_app
def import_metadata(app, file, keep_existing, dry_run):
    """Fill authors, year, title, DOI and type from a BibTeX (.bib) or RIS (.ris) file.

    Entries match documents by attached file name, DOI or title (fuzzy).

    Example: realistcoder documents import-metadata zotero-export.bib
    """
    from realistcoder.export.citations import import_metadata as run

    report = run(app.store(create=False), file, keep_existing=keep_existing, dry_run=dry_run)
    for m in report.matches:
        echo(f"matched  {m.reference.key} -> {m.document['file_name']} (by {m.by})")
    for ref in report.unmatched:
        echo(f"unmatched entry {ref.key}: {ref.title[:70]}")
    for doc in report.documents_without:
        echo(f"no entry for {doc['file_name']}")
    if report.skipped:
        echo(f"warning: {file}: skipped {len(report.skipped)} unreadable entr"
             f"{'y' if len(report.skipped) == 1 else 'ies'} (at {', '.join(report.skipped[:5])}); "
             "fix them in the reference manager and export again", err=True)
    verb = "would update" if dry_run else "updated"
    echo(f"{verb} {len(report.matches)} documents; {len(report.unmatched)} entries unmatched, "
         f"{len(report.documents_without)} documents without an entry")


@documents_group.command("edit")
@click.argument("document")
@click.option("--title", help="The document's title.")
@click.option("--authors", help="'Last, First; Last, First'.")
@click.option("--year", type=click.IntRange(1000, 2999), help="Year of publication.")
@click.option("--doi", help="DOI, e.g. 10.1186/s12913-014-0001-1 (a doi.org link is fine).")
@click.option("--type", "doc_type", help="e.g. 'journal article', 'report', 'evaluation'.")
@pass_app
def edit_document(app, document, title, authors, year, doi, doc_type):
    """Fix one document's citation details by hand (id or file name).

    Example: realistcoder documents edit 3 --authors "Smith, Jane; Jones, K." --year 2017
    """
    from realistcoder.export.citations import normalise_doi, short_citation

    store = app.store(create=False)
    doc = get_document(store, document)
    fields = {"title": title, "authors": authors, "year": year,
              "doi": normalise_doi(doi) if doi else None, "doc_type": doc_type}
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()
              if v is not None}
    if not fields:
        raise InputError("nothing to change", subject=document,
                         fix="pass --title, --authors, --year, --doi or --type")
    q.set_document_metadata(store, doc["id"], fields)
    echo(f"{doc['file_name']}: now cited as {short_citation({**doc, **fields})}")
