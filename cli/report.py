"""Commands: report rameses (the RAMESES checklist with what the store evidences)."""

from __future__ import annotations

from pathlib import Path

import click

from realistcoder.cli.groups import SubGroup, cli, echo, pass_app
from realistcoder.export import registry


@cli.group("report", cls=SubGroup)
def report_group() -> None:
    """Reporting checklists, filled with what the review store can evidence.

    Example: realistcoder report rameses -o rameses.docx
    """


@report_group.command("rameses")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="File to write; its extension picks the format (md, docx, html, xlsx, csv, "
              "tex).")
@click.option("--format", "fmt", metavar="FORMAT", help="[default: from the -o extension]")
@click.option("--standard", type=click.Choice(["synthesis", "evaluation"]), default="synthesis",
              show_default=True, help="synthesis: RAMESES publication standards for realist "
              "syntheses (19 items); evaluation: RAMESES II for realist evaluations (20 items).")
@pass_app
def rameses_cmd(app, output, fmt, standard):
    """Write the RAMESES checklist: for each item, what the store can evidence (search and
    selection counts, appraisal, codebook versions, agreement, CMOCs and their evidence,
    refinements, gaps) and what the team still has to write.

    Example: realistcoder report rameses -o rameses.md
    """
    from realistcoder.export.rameses import rameses_table

    table = rameses_table(app.store(create=False), standard)
    writer = registry.write_table(table, output, fmt)
    rows = table.rows
    echo(f"wrote {len(rows)} items to {output} ({writer.name}): "
         f"{sum(r['status'] == 'from the store' for r in rows)} from the store, "
         f"{sum(r['status'] == 'partly' for r in rows)} partly, "
         f"{sum(r['status'] == 'to write' for r in rows)} to write")
    for r in rows:
        if r["to_write"]:
            echo(f"  {r['item']:>2}. {r['name']}: write {r['to_write']}")
