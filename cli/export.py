"""Commands: export evidence|cmoc|map|documents|qdpx, import qdpx, documents import-metadata|edit.

Thin wrappers: options are parsed here, tables are built by ``realistcoder.export.rows`` and
written by the writer registered for the format (``realistcoder.export.registry``).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from realistcoder.cli.filters import document_filter, document_options
from realistcoder.cli.groups import documents_group, echo, export_group, import_group, pass_app
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
    click.option("--reviewer", help="Show this reviewer's codings only (blinded review)."),
]


def _blinding(func):
    for option in reversed(BLINDING):
        func = option(func)
    return func


def _done(table, path: Path, writer, what: str) -> None:
    echo(f"wrote {len(table.rows)} {what} to {path} ({writer.name})")


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
    writer = registry.write_table(table, output, fmt)
    _done(table, output, writer, "fragments")


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
    writer = registry.write_table(table, output, fmt)
    _done(table, output, writer, "configurations")


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
@document_options
@_blinding
@pass_app
def export_map(app, output, fmt, by, rows_by, framework, theory, role, unblind, reviewer,
               **doc_options):
    """Write the evidence map: documents (or evidence types, designs, ...) by codes, areas,
    levels or framework components, with counts; .png/.svg draw it.

    Example: realistcoder export map --by theory --rows evidence-type --unblind -o map.png
    """
    store = app.store(create=False)
    _check_known(store, theory, ())
    filters = rows.EvidenceFilter(theories=set(theory), roles={r.lower() for r in role},
                                  document_filter=document_filter(doc_options))
    table = map_table(store, by=by, rows_by=rows_by, framework=framework, filters=filters,
                      unblind=unblind, reviewer=reviewer)
    writer = registry.write_table(table, output, fmt)
    _done(table, output, writer, "documents" if rows_by == "document" else "rows")


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
    writer = registry.write_table(table, output, fmt)
    _done(table, output, writer, "documents")


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
    writer = registry.write_table(table, output, fmt)
    _done(table, output, writer, "codes" if matrix else "pairs")


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
    counts = refi.write_qdpx(store, codings, output, name=name, attach_pdfs=not no_pdf)
    echo(f"wrote {output}: {counts['sources']} sources ({counts['pdfs']} with PDF), "
         f"{counts['codings']} codings by {counts['users']} reviewers")
    if counts["left_out"]:
        echo(f"left out {counts['left_out']} codings of superseded document versions", err=True)


@import_group.command("qdpx")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", help="Attribute every coding to this reviewer [default: the "
              "project's user who made it].")
@click.option("--partial", is_flag=True,
              help="Import the codings that can be placed and report the rest.")
@pass_app
def import_qdpx(app, file, reviewer, partial):
    """Bring codings from a REFI-QDA project (.qdpx) into the review as hand codings.

    Codes are matched by GUID or name to the loaded codebook, sources to ingested documents by
    text, PDF or file name. Importing the same project twice adds nothing.

    Example: realistcoder import qdpx from-nvivo.qdpx
    """
    from realistcoder.export.refi_import import import_qdpx as run

    if not file.is_file():
        raise InputError("no such file", subject=file, fix="check the path")
    report = run(app.store(create=False), file, reviewer=reviewer, partial=partial)
    who = ", ".join(f"{n} by {r}" for r, n in sorted(report.by_reviewer.items())) or "none"
    echo(f"imported {report.added} codings ({who}); {report.already} already present")
    if report.fuzzy:
        echo(f"{report.fuzzy} selections were placed by a close (not exact) text match: "
             "check them with `realistcoder export evidence`")
    for line in _grouped_problems(report.problems):
        echo(f"skipped: {line}", err=True)


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
@click.option("--evidence-type", type=click.Choice(("theoretical", "empirical", "practice", ""),
              case_sensitive=False), help="What kind of evidence it holds ('' clears it).")
@click.option("--design", "study_design", help="Study design, e.g. 'mixed-methods evaluation'.")
@click.option("--setting", help="Setting, e.g. 'primary care', 'community'.")
@click.option("--country", help="Country, e.g. 'England'.")
@click.option("--found-via", help="How it was identified, e.g. 'database search', 'citation "
              "tracking', 'stakeholder' (the sources of the flow diagram).")
@pass_app
def edit_document(app, document, title, authors, year, doi, doc_type, evidence_type,
                  study_design, setting, country, found_via):
    """Fix one document's citation details and characteristics by hand (id or file name).

    Example: realistcoder documents edit 3 --authors "Smith, Jane; Jones, K." --year 2017
    --evidence-type empirical --design "mixed-methods evaluation" --country England
    """
    from realistcoder.export.citations import normalise_doi, short_citation
    from realistcoder.store.characteristics import set_characteristics

    store = app.store(create=False)
    doc = get_document(store, document)
    fields = {"title": title, "authors": authors, "year": year,
              "doi": normalise_doi(doi) if doi else None, "doc_type": doc_type}
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()
              if v is not None}
    traits = {k: v for k, v in (("evidence_type", evidence_type), ("study_design", study_design),
                                ("setting", setting), ("country", country),
                                ("found_via", found_via)) if v is not None}
    if not fields and not traits:
        raise InputError("nothing to change", subject=document,
                         fix="pass --title, --authors, --year, --doi, --type, --evidence-type, "
                         "--design, --setting, --country or --found-via")
    if fields:
        q.set_document_metadata(store, doc["id"], fields)
    changed = set_characteristics(store, doc["id"], traits) if traits else {}
    said = ", ".join(f"{k.replace('_', ' ')} {v or '(cleared)'}" for k, v in changed.items())
    echo(f"{doc['file_name']}: now cited as {short_citation({**doc, **fields})}"
         + (f"; {said}" if said else ""))
