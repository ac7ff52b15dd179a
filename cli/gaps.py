"""Commands: gaps add | list | edit | link, export gaps (the knowledge-gap register)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from realistcoder.cli.cmoc import ids
from realistcoder.cli.groups import SubGroup, cli, echo, export_group, pass_app
from realistcoder.export import registry
from realistcoder.store import gaps as gq
from realistcoder.store import review as rv
from realistcoder.store.documents import get_document


@cli.group("gaps", cls=SubGroup)
def gaps_group() -> None:
    """The register of knowledge gaps (nothing found) and uncertainties (thin or conflicting
    evidence), linked to theories, CMOCs, codings and documents.

    Example: realistcoder gaps add --kind gap --theory design --title "No data on..." -r alice
    """


@gaps_group.command("add")
@click.option("--kind", type=click.Choice(gq.KINDS), default="gap", show_default=True)
@click.option("--title", required=True, help="What is not known, in a line.")
@click.option("--description", help="More detail: what was looked for, why it matters.")
@click.option("--theory", help="The theory or area it concerns.")
@click.option("--reviewer", "-r", metavar="NAME", help="Who raises it (required).")
@pass_app
def add_cmd(app, kind, title, description, theory, reviewer):
    """Add a knowledge gap or uncertainty to the register.

    Example: realistcoder gaps add --kind uncertainty --theory workforce --title "Do savings
    last beyond two years?" -r alice
    """
    reviewer = rv.check_reviewer(reviewer)
    gap_id = gq.add_gap(app.store(create=False), kind=kind, title=title, reviewer=reviewer,
                        theory=theory, description=description)
    echo(f"{kind} {gap_id} added")


@gaps_group.command("link")
@click.argument("gap_id", type=int)
@click.option("--cmoc", "cmocs", metavar="IDS", help="CMOC ids (comma separated).")
@click.option("--coding", "codings", metavar="IDS", help="Coding ids that show the gap.")
@click.option("--document", "documents", multiple=True, help="A document (id or file name).")
@click.option("--reviewer", "-r", metavar="NAME", help="Who links it (required).")
@pass_app
def link_cmd(app, gap_id, cmocs, codings, documents, reviewer):
    """Link a gap to the CMOCs, codings and documents that show it.

    Example: realistcoder gaps link 1 --cmoc 2 --coding 31,40 -r alice
    """
    reviewer = rv.check_reviewer(reviewer)
    store = app.store(create=False)
    docs = [get_document(store, d)["id"] for d in documents]
    n = gq.link_gap(store, gap_id, reviewer, cmocs=ids(cmocs, "cmoc"),
                    codings=ids(codings, "coding"), documents=docs)
    echo(f"gap {gap_id}: {n} link(s) added")


@gaps_group.command("edit")
@click.argument("gap_id", type=int)
@click.option("--title")
@click.option("--description")
@click.option("--theory")
@click.option("--kind", type=click.Choice(gq.KINDS))
@click.option("--status", type=click.Choice(gq.STATUSES))
@click.option("--note", help="e.g. how it was addressed.")
@click.option("--reviewer", "-r", metavar="NAME", help="Who edits it (required).")
@pass_app
def edit_cmd(app, gap_id, title, description, theory, kind, status, note, reviewer):
    """Change a gap, or mark it addressed.

    Example: realistcoder gaps edit 1 --status addressed --note "the 2019 follow-up" -r alice
    """
    reviewer = rv.check_reviewer(reviewer)
    gap = gq.edit_gap(app.store(create=False), gap_id, reviewer,
                      fields={"title": title, "description": description, "theory": theory,
                              "kind": kind, "status": status, "note": note})
    echo(f"gap {gap_id}: {gap['status']}")


@gaps_group.command("list")
@click.option("--theory", help="Only this theory.")
@click.option("--status", type=click.Choice(gq.STATUSES), help="Only open or addressed ones.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_app
def list_cmd(app, theory, status, fmt):
    """List the knowledge gaps and uncertainties with what they are linked to.

    Example: realistcoder gaps list --status open
    """
    gaps = gq.list_gaps(app.store(create=False), theory=theory, status=status)
    if fmt == "json":
        for g in gaps:
            echo(json.dumps(g, ensure_ascii=False))
        return
    if not gaps:
        echo("no gaps recorded (add one with `realistcoder gaps add`)")
    for g in gaps:
        echo(f"{g['id']:>3}  {g['kind']:<11} {g['status']:<9} {g['theory'] or '-'}")
        echo(textwrap.fill(g["title"], 79, initial_indent="     ", subsequent_indent="     "))
        links = [f"CMOC {x['cmoc_id']}" if x["cmoc_id"] else f"coding {x['coding_id']}"
                 if x["coding_id"] else x["document"] for x in g["links"]]
        if links:
            echo(f"     linked: {', '.join(links)}")


@export_group.command("gaps")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="File to write; its extension picks the format.")
@click.option("--format", "fmt", metavar="FORMAT", help="[default: from the -o extension]")
@click.option("--theory", multiple=True, help="Only this theory (repeatable).")
@click.option("--status", type=click.Choice(gq.STATUSES), help="Only open or addressed ones.")
@pass_app
def export_gaps(app, output, fmt, theory, status):
    """Write the knowledge-gap register with its linked evidence quoted and cited.

    Example: realistcoder export gaps -o gaps.docx
    """
    from realistcoder.export.gaps_table import gaps_table

    table = gaps_table(app.store(create=False), theories=set(theory), status=status)
    writer = registry.write_table(table, output, fmt)
    echo(f"wrote {len(table.rows)} gaps to {output} ({writer.name})")
