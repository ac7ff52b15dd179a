"""Commands: export worksheet, export codings, import decisions, import codings."""

from __future__ import annotations

from pathlib import Path

import click

from realistcoder.cli.groups import (
    REVIEWER_HELP,
    echo,
    export_group,
    import_group,
    pass_app,
    viewer,
    who,
)
from realistcoder.cli.output import RECORD_FORMATS, emit, format_option, output_option, pick_format
from realistcoder.errors import InputError
from realistcoder.review.session import Filters
from realistcoder.store import review as rv
from realistcoder.store.documents import get_document, older_version_ids


def _reviewer(name: str | None) -> str:
    return who(name)


def _rows_error(err) -> None:
    for line in getattr(err, "problems", []):
        click.echo(f"  {line}", err=True)


@export_group.command("worksheet")
@click.option("--reviewer", "-r", metavar="NAME",
              help=f"Whose pending proposals {REVIEWER_HELP}.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="FILE.xlsx (with drop-down lists) or FILE.csv.")
@click.option("--code", help="Only proposals of this code id.")
@click.option("--role", type=click.Choice(["context", "mechanism", "outcome", "other"]))
@click.option("--theory", help="Only proposals for this theory / area id.")
@click.option("--document", metavar="DOC", help="Only this document (id or name).")
@click.option("--min-score", type=click.FloatRange(0, 1))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_app
def export_worksheet(app, reviewer, output, code, role, theory, document, min_score, force):
    """Write your pending proposals to a spreadsheet to decide offline.

    Fill the decision column (accept / reject / recode), new_code for a recode and a note,
    then bring it back with `realistcoder import decisions`.

    Example: realistcoder export worksheet --reviewer alice -o alice.xlsx
    """
    from realistcoder.review.worksheet import write_worksheet

    reviewer = _reviewer(reviewer)
    if output.exists() and not force:
        raise InputError("already exists and may hold decisions not yet imported",
                         subject=output, fix="import it first, or pass --force to overwrite it")
    store = app.store()
    doc_id = get_document(store, document)["id"] if document else None
    code = rv.find_code(store, code)["code"] if code else None
    n = write_worksheet(store, reviewer, output, Filters(code=code, role=role, theory=theory,
                                                         document_id=doc_id,
                                                         min_score=min_score))
    echo(f"{output}: {n} pending proposals for {reviewer}")


@export_group.command("codings")
@format_option(RECORD_FORMATS, "jsonl")
@output_option()
@click.option("--reviewer", "-r", metavar="NAME",
              help=f"Only your codings (blinded view) {REVIEWER_HELP}.")
@click.option("--reviewers", metavar="A,B", help="With --unblind: only these reviewers.")
@click.option("--unblind", is_flag=True, help="Everyone's codings (ends blinding for you).")
@click.option("--code", help="Only this code id.")
@click.option("--theory", help="Only this theory / area.")
@click.option("--role", type=click.Choice(["context", "mechanism", "outcome", "other"]))
@click.option("--document", metavar="DOC", help="Only this document (id or name).")
@click.option("--older-versions", is_flag=True,
              help="Only codings left on an older version of a changed document (not carried "
              "to the new version: uncode them, or code the new text).")
@pass_app
def export_codings(app, fmt, output, reviewer, reviewers, unblind, code, theory, role,
                   document, older_versions):
    """Write the current codings, one record each, with text and page.

    Without --reviewer or --unblind this works only while a single reviewer has coded.

    Example: realistcoder export codings --reviewer alice -o alice.csv
    """
    from realistcoder.review.codings_io import FIELDS, coding_records

    fmt = pick_format(output, fmt, RECORD_FORMATS, "jsonl")
    store = app.store()
    names = [n.strip() for n in reviewers.split(",") if n.strip()] if reviewers else None
    reviewer = viewer(reviewer, unblind)
    if reviewer and not unblind:
        seen_by, names = reviewer, None
    else:
        seen_by = None
        if reviewer:
            names = [*(names or []), reviewer]
    doc_id = get_document(store, document)["id"] if document else None
    records = coding_records(store, viewer=seen_by, unblinded=unblind, reviewers=names,
                             code=code, theory=theory, role=role, document_id=doc_id)
    if older_versions:
        older = set(older_version_ids(store))
        records = [r for r in records if r["document_id"] in older]
    emit(records, FIELDS, fmt, output, what="codings", title="Codings")


def file_sha256(path: Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # the import itself reports the unreadable file


def batch_lines(rec, dry_run: bool, verb: str) -> list[str]:
    """How to find and reverse what an import did (or, in a dry run, that nothing was saved)."""
    if dry_run:
        return ["dry run: nothing was saved; run again without --dry-run to import"]
    lines = []
    for reviewer, row in sorted(rec.batches.items()):
        lines.append(f"batch {row['id']}: {row['decisions']} {verb} by {reviewer}; reverse it "
                     f"with `realistcoder undo --batch {row['id']} --reviewer {reviewer}`")
    return lines


@import_group.command("decisions")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", "-r", metavar="NAME",
              help="Whose decisions these are [default: $REALISTCODER_REVIEWER].")
@click.option("--dry-run", is_flag=True, help="Show what would change; save nothing.")
@pass_app
def import_decisions_cmd(app, file, reviewer, dry_run):
    """Bring decisions filled in on a worksheet into the store (all rows or none; again: no-op).

    The import is one batch: `realistcoder undo --batch ID` reverses it as a whole.

    Example: realistcoder import decisions alice.xlsx --reviewer alice --dry-run
    """
    from realistcoder.review.worksheet import RowsError, import_decisions
    from realistcoder.store.batches import recording

    reviewer = _reviewer(reviewer)
    store = app.store()
    try:
        with recording(store, "import decisions", source=file.name,
                       sha256=file_sha256(file),
                       dry_run=dry_run) as rec:
            report = import_decisions(store, file, reviewer)
    except RowsError as err:
        _rows_error(err)
        raise
    verb = "would be imported" if dry_run else "imported"
    for d in report.decisions if dry_run else []:
        code = f" {d['code']}" if d["code"] else ""
        note = f" (note: {d['note']})" if d["note"] else ""
        echo(f"  proposal {d['proposal_id']}: {d['action']}{code}{note}")
    echo(f"{file}: {report.imported} decisions {verb}, {report.unchanged} already in the "
         f"store, {report.blank} rows left undecided")
    for line in batch_lines(rec, dry_run, "decisions"):
        echo(line)


@import_group.command("codings")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", "-r", metavar="NAME",
              help="Whose codings these are [default: $REALISTCODER_REVIEWER].")
@click.option("--dry-run", is_flag=True, help="Show what would change; save nothing.")
@pass_app
def import_codings_cmd(app, file, reviewer, dry_run):
    """Add hand codings from a CSV (all rows or none).

    \b
    Columns: sentence_id, then code or role (or both), and an optional note.
      code   a code id of a loaded codebook
      role   context, mechanism or outcome (a role-only coding), or none
             (read, carries no role: `propose --learn` learns from it)
    A sentence_id may be a range (12-14) to code a run of sentences as one fragment. The
    import is one batch: `realistcoder undo --batch ID` reverses it as a whole.

    Example: realistcoder import codings hand.csv --reviewer alice
    """
    from realistcoder.review.codings_io import import_codings
    from realistcoder.review.worksheet import RowsError
    from realistcoder.store.batches import recording

    reviewer = _reviewer(reviewer)
    store = app.store()
    try:
        with recording(store, "import codings", source=file.name,
                       sha256=file_sha256(file),
                       dry_run=dry_run) as rec:
            report = import_codings(store, file, reviewer)
    except RowsError as err:
        _rows_error(err)
        raise
    verb = "would be added" if dry_run else "added"
    for d in report.decisions if dry_run else []:
        span = (f"sentence {d['sentence_id']}" if d["sentence_id"] == d["end_sentence_id"]
                else f"sentences {d['sentence_id']}-{d['end_sentence_id']}")
        echo(f"  {span}: {d['code']}")
    echo(f"{file}: {report.imported} codings {verb}, {report.unchanged} already present")
    for line in batch_lines(rec, dry_run, "codings"):
        echo(line)
