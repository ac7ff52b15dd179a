"""Commands: documents import-metadata, documents edit (citation details and characteristics)."""

from __future__ import annotations

from pathlib import Path

import click

from realistcoder.cli.groups import documents_group, echo, pass_app
from realistcoder.errors import InputError
from realistcoder.store import export as q
from realistcoder.store.documents import get_document


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
