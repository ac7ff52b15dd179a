"""Commands: export evidence|cmoc|map|documents|qdpx, import qdpx.

Thin wrappers: options are parsed here, tables are built by ``realistcoder.export.rows`` and
written by the writer registered for the format (``realistcoder.export.registry``).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from realistcoder.cli.filters import document_filter, document_options
from realistcoder.cli.groups import (
    echo,
    echo_problems,
    export_group,
    import_group,
    pass_app,
    viewer,
)
from realistcoder.errors import InputError
from realistcoder.export import registry, rows
from realistcoder.export.cmoc_table import cmoc_table
from realistcoder.export.documents_table import documents_table
from realistcoder.export.map_table import COLUMN_CHOICES, ROW_CHOICES, map_table
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


def _filters(store, theory, role, code, document, status, doc_filter=None
             ) -> rows.EvidenceFilter:
    _check_known(store, theory, code)
    statuses = set(status) if status else set(rows.CODED_STATUSES)
    return rows.EvidenceFilter(
        theories=set(theory), roles={r.lower() for r in role}, codes=set(code),
        documents={get_document(store, d)["id"] for d in document}, statuses=statuses,
        document_filter=doc_filter)


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
@document_options
@_blinding
@pass_app
def export_evidence(app, output, fmt, theory, role, code, document, status, group_by, unblind,
                    reviewer, **doc_options):
    """Write the evidence table: one row per coded fragment with source, page and quote.

    Formats: CSV, XLSX (a sheet per theory), Markdown, HTML (searchable, sortable), DOCX
    (landscape tables for an appendix) and LaTeX (longtable).

    Example: realistcoder export evidence --unblind -o evidence.xlsx
    """
    store = app.store(create=False)
    filters = _filters(store, theory, role, code, document, status,
                       document_filter(doc_options))
    table = rows.evidence_table(store, filters=filters, group_by=group_by, unblind=unblind,
                                reviewer=reviewer)
    _write(table, output, fmt, "fragments")


@export_group.command("cmoc")
@OUTPUT
@_format_option("cmoc")
@click.option("--theory", multiple=True, help="Only this theory id (repeatable).")
@document_options
@pass_app
def export_cmoc(app, output, fmt, theory, **doc_options):
    """Write the CMO configuration table: if-then-because, with C, M and O evidence quoted,
    and the evidence for and against each configuration by source, with its appraisal.

    Example: realistcoder export cmoc --min-rigour moderate -o cmocs.docx
    """
    store = app.store(create=False)
    _check_known(store, theory, ())
    doc_filter = document_filter(doc_options)
    table = cmoc_table(store, theories=set(theory), doc_filter=doc_filter)
    _write(table, output, fmt, "configurations")


@export_group.command("map")
@OUTPUT
@_format_option("map")
@click.option("--by", type=click.Choice(COLUMN_CHOICES), default="code", show_default=True,
              help="Columns: codes, theories / areas, levels (individual, organisational, "
              "system) or framework components (see --framework).")
@click.option("--rows", "rows_by", type=click.Choice(list(ROW_CHOICES)), default="document",
              show_default=True, help="Rows: documents, or a document characteristic.")
@click.option("--framework", default="com-b", show_default=True, metavar="CODEBOOK",
              help="With --by framework: the framework codebook the codes are mapped onto.")
@click.option("--theory", multiple=True, help="Only this theory or area id (repeatable).")
@click.option("--role", multiple=True, type=click.Choice(["context", "mechanism", "outcome",
              "other"], case_sensitive=False), help="Only this role (repeatable).")
@click.option("--document", multiple=True, help="Only this document: id or file name.")
@click.option("--quotes", is_flag=True,
              help="A narrative map: the quotes themselves in the cells (codes or areas down, "
              "documents across), for .xlsx, .docx, .html, .md, .tex or .csv.")
@document_options
@_blinding
@pass_app
def export_map(app, output, fmt, by, rows_by, framework, theory, role, document, quotes,
               unblind, reviewer, **doc_options):
    """Write the evidence map: documents (or evidence types, designs, ...) by codes, areas,
    levels or framework components, with counts; .png/.svg draw it.

    With --quotes, a narrative map: each cell holds the quotes a document gives for a code (or
    an area), with their pages, grouped by theory.

    Example: realistcoder export map --by theory --rows evidence-type --unblind -o map.png
    """
    from realistcoder.export.narrative import narrative_map

    store = app.store(create=False)
    _check_known(store, theory, ())
    filters = rows.EvidenceFilter(theories=set(theory), roles={r.lower() for r in role},
                                  documents={get_document(store, d)["id"] for d in document},
                                  document_filter=document_filter(doc_options))
    if quotes:
        if output.suffix.lower() in (".png", ".svg") or (fmt or "").lower() in ("png", "svg"):
            raise InputError("a narrative map holds quotes: it is a table, not a picture",
                             subject=output, fix="write it as .xlsx, .docx, .html, .md or .tex")
        if by not in ("code", "theory") or rows_by != "document":
            raise InputError("a narrative map is codes or areas by documents", subject="--quotes",
                             fix="use --by code or --by theory, with documents as rows")
        table = narrative_map(store, by=by, filters=filters, unblind=unblind,
                              reviewer=reviewer)
        _write(table, output, fmt, "rows")
        return
    table = map_table(store, by=by, rows_by=rows_by, framework=framework, filters=filters,
                      unblind=unblind, reviewer=reviewer)
    _write(table, output, fmt, "documents" if rows_by == "document" else "rows")


@export_group.command("documents")
@OUTPUT
@_format_option("documents")
@document_options
@_blinding
@pass_app
def export_documents(app, output, fmt, unblind, reviewer, **doc_options):
    """Write document characteristics: citation, year, type, evidence type, design, setting,
    country, pages, appraisal, codings per role.

    Example: realistcoder export documents --unblind -o documents.docx
    """
    store = app.store(create=False)
    filters = rows.EvidenceFilter(document_filter=document_filter(doc_options))
    table = documents_table(store, unblind=unblind, reviewer=reviewer, filters=filters)
    _write(table, output, fmt, "documents")


@export_group.command("cooccurrence")
@OUTPUT
@click.option("--format", "fmt", metavar="FORMAT",
              help=f"One of {TABLE_FORMATS}, png, svg (with --matrix) [default: from -o].")
@click.option("--unit", type=click.Choice(["sentence", "paragraph"]), default="sentence",
              show_default=True, help="Codes meet when they cover the same sentence, or touch "
              "the same paragraph.")
@click.option("--by", type=click.Choice(["code", "theory"]), default="code", show_default=True)
@click.option("--matrix", is_flag=True, help="A codes x codes matrix (a heatmap as .png/.svg) "
              "instead of the list of pairs.")
@click.option("--min", "min_count", type=click.IntRange(1), default=1, show_default=True,
              help="Only pairs meeting in at least this many units.")
@click.option("--theory", multiple=True, help="Only this theory or area id (repeatable).")
@document_options
@_blinding
@pass_app
def export_cooccurrence(app, output, fmt, unit, by, matrix, min_count, theory, unblind,
                        reviewer, **doc_options):
    """Write where codes meet: pairs of codes coded in the same sentences (or paragraphs),
    with counts, overlap and the passages where they meet; --matrix for a heatmap.

    Example: realistcoder export cooccurrence --unblind --min 2 -o cooccurrence.md
    """
    from realistcoder.export.cooccurrence_table import cooccurrence_table

    store = app.store(create=False)
    _check_known(store, theory, ())
    filters = rows.EvidenceFilter(theories=set(theory),
                                  document_filter=document_filter(doc_options))
    if output.suffix.lower() in (".png", ".svg"):
        matrix = True
    table = cooccurrence_table(store, unit=unit, by=by, matrix=matrix, min_count=min_count,
                               filters=filters, unblind=unblind, reviewer=reviewer)
    _write(table, output, fmt, "codes" if matrix else "pairs")


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
