"""Commands: export worksheet, export codings, import decisions, import codings."""

from __future__ import annotations

from pathlib import Path

import click

from realistcoder.cli.groups import echo, export_group, import_group, pass_app
from realistcoder.cli.output import RECORD_FORMATS, emit, format_option, output_option, pick_format
from realistcoder.errors import InputError
from realistcoder.review.session import Filters
from realistcoder.store import review as rv
from realistcoder.store.documents import get_document


def _reviewer(name: str | None) -> str:
    return rv.check_reviewer(name)


def _rows_error(err) -> None:
    for line in getattr(err, "problems", []):
        click.echo(f"  {line}", err=True)


@export_group.command("worksheet")
@click.option("--reviewer", "-r", metavar="NAME", help="Whose pending proposals (required).")
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
@click.option("--reviewer", "-r", metavar="NAME", help="Only your codings (blinded view).")
@click.option("--reviewers", metavar="A,B", help="With --unblind: only these reviewers.")
@click.option("--unblind", is_flag=True, help="Everyone's codings (ends blinding for you).")
@click.option("--code", help="Only this code id.")
@click.option("--theory", help="Only this theory / area.")
@click.option("--role", type=click.Choice(["context", "mechanism", "outcome", "other"]))
@click.option("--document", metavar="DOC", help="Only this document (id or name).")
@pass_app
def export_codings(app, fmt, output, reviewer, reviewers, unblind, code, theory, role,
                   document):
    """Write the current codings, one record each, with text and page.

    Without --reviewer or --unblind this works only while a single reviewer has coded.

    Example: realistcoder export codings --reviewer alice -o alice.csv
    """
    from realistcoder.review.codings_io import FIELDS, coding_records

    fmt = pick_format(output, fmt, RECORD_FORMATS, "jsonl")
    store = app.store()
    names = [n.strip() for n in reviewers.split(",") if n.strip()] if reviewers else None
    if reviewer and not unblind:
        viewer, names = _reviewer(reviewer), None
    else:
        viewer = None
        if reviewer:
            names = [*(names or []), reviewer]
    doc_id = get_document(store, document)["id"] if document else None
    records = coding_records(store, viewer=viewer, unblinded=unblind, reviewers=names,
                             code=code, theory=theory, role=role, document_id=doc_id)
    emit(records, FIELDS, fmt, output, what="codings", title="Codings")


@import_group.command("decisions")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", "-r", metavar="NAME", help="Whose decisions these are (required).")
@pass_app
def import_decisions_cmd(app, file, reviewer):
    """Bring decisions filled in on a worksheet into the store (all rows or none; again: no-op).

    Example: realistcoder import decisions alice.xlsx --reviewer alice
    """
    from realistcoder.review.worksheet import RowsError, import_decisions

    reviewer = _reviewer(reviewer)
    try:
        report = import_decisions(app.store(), file, reviewer)
    except RowsError as err:
        _rows_error(err)
        raise
    echo(f"{file}: {report.imported} decisions imported, {report.unchanged} already in the "
         f"store, {report.blank} rows left undecided")


@import_group.command("codings")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", "-r", metavar="NAME", help="Whose codings these are (required).")
@pass_app
def import_codings_cmd(app, file, reviewer):
    """Add hand codings from a CSV with columns sentence_id,code[,note] (all rows or none).

    A sentence_id may be a range (12-14) to code a run of sentences as one fragment.

    Example: realistcoder import codings hand.csv --reviewer alice
    """
    from realistcoder.review.codings_io import import_codings
    from realistcoder.review.worksheet import RowsError

    reviewer = _reviewer(reviewer)
    try:
        report = import_codings(app.store(), file, reviewer)
    except RowsError as err:
        _rows_error(err)
        raise
    echo(f"{file}: {report.imported} codings added, {report.unchanged} already present")
