"""Commands: theory list | show | refine | history, export theory (the diagram) and export
refinement (the refinement trail)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from realistcoder.cli.cmoc import ids
from realistcoder.cli.filters import document_filter, document_options
from realistcoder.cli.groups import SubGroup, cli, echo, export_group, pass_app
from realistcoder.errors import NotFoundError
from realistcoder.export import registry
from realistcoder.review import cmoc as rc
from realistcoder.review import refinement as rf
from realistcoder.store import cmoc as cm
from realistcoder.store import review as rv
from realistcoder.store import theory as th


def _known(store, theory: str) -> dict[str, str]:
    """The theories of the store; a one-line error when ``theory`` is not one of them."""
    known = rf.known_theories(store)
    if theory not in known:
        raise NotFoundError(f"no theory '{theory}'", subject="THEORY",
                            fix=f"use one of: {', '.join(known) or 'none loaded yet'}")
    return known


def _fill(text: str, indent: int = 4) -> str:
    return textwrap.fill(text, 79, initial_indent=" " * indent, subsequent_indent=" " * indent)


@cli.group("theory", cls=SubGroup)
def theory_group() -> None:
    """Programme theories: their current statement, how they were refined, and why.

    Example: realistcoder theory refine workforce --statement "..." --reason "..." -r alice
    """


@theory_group.command("list")
@pass_app
def list_cmd(app):
    """List the theories with their number of versions, CMOCs and chains.

    Example: realistcoder theory list
    """
    store = app.store(create=False)
    versions = {}
    for v in th.theory_versions(store):
        versions[v["theory"]] = v["version"]
    cmocs = cm.list_cmocs(store)
    chains = th.active_chains(store)
    theory_of = {c["id"]: c["theory"] for c in cmocs}
    for theory, label in rf.known_theories(store).items():
        n = sum(1 for c in cmocs if c["theory"] == theory)
        k = sum(1 for ch in chains if theory_of.get(ch["to_cmoc"]) == theory)
        v = versions.get(theory)
        echo(f"{theory:<20} {label}")
        echo(f"{'':<20} {f'{v} version(s)' if v else 'initial theory (codebook)'}, "
             f"{n} CMOC(s), {k} chain(s)")


@theory_group.command("show")
@click.argument("theory")
@pass_app
def show_cmd(app, theory):
    """Show a theory's current statement and its CMOCs with the evidence for and against each.

    Example: realistcoder theory show workforce
    """
    store = app.store(create=False)
    known = _known(store, theory)
    versions = th.theory_versions(store, theory)
    echo(f"{theory}: {known[theory]}")
    if versions:
        latest = versions[-1]
        echo(f"  version {latest['version']} by {latest['reviewer']}, "
             f"{latest['created_at'][:10]}:")
        echo(_fill(latest["statement"]))
    else:
        initial = rf.initial_theory(store, theory)
        echo(f"  initial theory ({initial[1]}):" if initial else "  no statement yet")
        if initial:
            echo(_fill(initial[0]))
    for c in cm.list_cmocs(store, theory=theory):
        detail = rc.cmoc_detail(store, c["id"])
        echo(f"  CMOC {c['id']}: {c['title'] or '(untitled)'}, version {detail['versions']}")
        echo(_fill(detail["statement"], 6))
        echo(f"      evidence: {detail['weight']['summary']} ({detail['weight']['balance']})")
        for ch in detail["chains"]:
            if ch["from_cmoc"] == c["id"]:
                echo(f"      its outcome is the {ch['part']} of CMOC {ch['to_cmoc']}")


@theory_group.command("refine")
@click.argument("theory")
@click.option("--statement", required=True, help="The refined programme theory, in words.")
@click.option("--reason", help="Why it changed.")
@click.option("--evidence", metavar="IDS", help="Codings (ids) that prompted it.")
@click.option("--cmoc", "cmocs", metavar="IDS", help="CMOCs (ids) that prompted it.")
@click.option("--reviewer", "-r", metavar="NAME", help="Who refines it (required).")
@pass_app
def refine_cmd(app, theory, statement, reason, evidence, cmocs, reviewer):
    """Record a refined statement of a programme theory. The first time, the codebook's
    description of the theory is kept as version 1 (the initial theory).

    Example: realistcoder theory refine workforce --statement "Where GPs trust ..." --reason
    "access improved only where practices had worked together" --cmoc 2 -r alice
    """
    reviewer = rv.check_reviewer(reviewer)
    added = rf.refine_theory(app.store(), theory, statement, reviewer, reason=reason,
                             evidence=ids(evidence, "evidence"), cmocs=ids(cmocs, "cmoc"))
    versions = th.theory_versions(app.store(), theory)
    if len(added) > 1:
        echo(f"{theory}: the initial theory kept as version 1")
    echo(f"{theory}: version {versions[-1]['version']} recorded by {reviewer}")


@theory_group.command("history")
@click.argument("theory")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_app
def history_cmd(app, theory, fmt):
    """Show every version of a programme theory, with who, when, why and the evidence.

    Example: realistcoder theory history workforce
    """
    store = app.store(create=False)
    _known(store, theory)
    versions = rf.theory_history(store, theory)
    if fmt == "json":
        echo(json.dumps(versions, ensure_ascii=False, indent=2, default=str))
        return
    if not versions:
        echo(f"{theory}: not refined yet (record a refinement with `realistcoder theory "
             "refine`)")
        return
    for v in versions:
        echo(f"v{v['version']}  {v['created_at'][:16].replace('T', ' ')}  {v['reviewer']}")
        echo(_fill(v["statement"]))
        if v["reason"]:
            echo(_fill(f"why: {v['reason']}"))
        for c in v["cmocs"]:
            echo(f"    prompted by CMOC {c['id']}: {c['title']}")
        for e in v["evidence"]:
            echo(f"    prompted by coding {e['coding_id']} ({e.get('document', '?')} "
                 f"p. {e.get('page', '?')})")
            echo(_fill(f'"{e["text"]}"', 8))


@export_group.command("theory")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="File to write: .svg, .png or .dot (Graphviz).")
@click.option("--format", "fmt", metavar="FORMAT", help="svg, png or dot [default: from -o].")
@click.option("--theory", multiple=True, help="Only this theory (repeatable).")
@document_options
@pass_app
def export_theory(app, output, fmt, theory, **doc_options):
    """Draw the programme theory: each CMOC as context -> mechanism -> outcome, the chains
    between them, and the weight of evidence for and against on each configuration.

    Example: realistcoder export theory --theory workforce -o theory.svg
    """
    from realistcoder.export.theory_graph import theory_diagram

    store = app.store(create=False)
    diagram = theory_diagram(store, theories=set(theory),
                             doc_filter=document_filter(doc_options))
    writer = registry.write_table(diagram, output, fmt)
    echo(f"wrote {len(diagram.clusters)} configurations, "
         f"{sum(1 for e in diagram.edges if e.ink == 'chain')} chains to {output} "
         f"({writer.name})")


@export_group.command("refinement")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="File to write; its extension picks the format (md, docx, html, xlsx, ...).")
@click.option("--format", "fmt", metavar="FORMAT", help="[default: from the -o extension]")
@click.option("--theory", multiple=True, help="Only this theory (repeatable).")
@pass_app
def export_refinement(app, output, fmt, theory):
    """Write the refinement trail: initial theory to refined theory, every CMOC version and
    chain in order, with who, when, why and the evidence behind each change.

    Example: realistcoder export refinement -o refinement.docx
    """
    from realistcoder.export.refinement_table import refinement_table

    table = refinement_table(app.store(create=False), theories=set(theory))
    writer = registry.write_table(table, output, fmt)
    echo(f"wrote {len(table.rows)} refinement steps to {output} ({writer.name})")
