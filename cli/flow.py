"""Commands: flow (show | record), documents screen, documents import-characteristics."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from click_default_group import DefaultGroup

from realistcoder.cli.groups import GuardedCommand, cli, documents_group, echo, pass_app
from realistcoder.errors import InputError
from realistcoder.export import registry
from realistcoder.export.flow import compute_flow, flow_diagram, flow_lines
from realistcoder.review.characteristics import apply_import, plan_import
from realistcoder.store import flow as fq
from realistcoder.store import review as rv
from realistcoder.store.characteristics import screen_document
from realistcoder.store.documents import get_document

STAGE_WORDS = {"title_abstract": "title and abstract", "full_text": "full text"}


@cli.group("flow", cls=DefaultGroup, default="show", default_if_no_args=True)
def flow_group() -> None:
    """The document flow (PRISMA-style): counts, and the diagram with -o.

    Example: realistcoder flow -o flow.svg
    """


flow_group.command_class = GuardedCommand


@flow_group.command("show")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Draw the flow diagram: .svg, .png or .dot (Graphviz).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "svg", "png", "dot"]),
              help="text or json on the terminal; svg, png or dot with -o [default: from -o].")
@pass_app
def show_cmd(app, output, fmt):
    """Print the counts of the document flow: identified, duplicates, screened, excluded with
    reasons, full texts assessed, included, coded; -o draws the flow diagram.

    Example: realistcoder flow -o flow.svg
    """
    f = compute_flow(app.store(create=False))
    if output is not None:
        writer = registry.write_table(flow_diagram(f), output,
                                      fmt if fmt not in (None, "text", "json") else None)
        echo(f"wrote the flow diagram to {output} ({writer.name})")
    elif fmt == "json":
        echo(json.dumps(asdict(f), ensure_ascii=False, indent=2))
        return
    elif fmt in ("svg", "png", "dot"):
        raise InputError(f"a {fmt} diagram needs a file", subject="--format",
                         fix=f"pass -o flow.{fmt}")
    if output is None:
        echo("Document flow")
        lines = flow_lines(f)
        width = max(len(label) + 2 * indent for indent, label, _ in lines) + 2
        for indent, label, n in lines:
            echo(f"{'  ' * (indent + 1)}{label:<{width - 2 * indent}}{n:>6}")
    for warning in f.warnings:
        echo(f"note: {warning}", err=True)


@flow_group.command("record")
@click.argument("stage", type=click.Choice([s.replace("_", "-") for s in fq.STAGES]))
@click.argument("n", type=click.IntRange(0))
@click.option("--label", default="", help="identified: the source searched; exclusions: the "
              "reason.")
@click.option("--note", help="A note (search date, database, ...).")
@click.option("--reviewer", "-r", metavar="NAME", help="Who records it (required).")
@pass_app
def record_cmd(app, stage, n, label, note, reviewer):
    """Record how many records a stage held that never reached the store: search results by
    source, duplicates, title-and-abstract exclusions by reason, full texts excluded without
    being ingested. Recording a (stage, label) again replaces its count; 0 removes it.

    Example: realistcoder flow record identified 412 --label "MEDLINE and HMIC" -r alice
    """
    reviewer = rv.check_reviewer(reviewer)
    row = fq.record_count(app.store(create=False), stage, n, reviewer, label=label, note=note)
    words = {"excluded_title_abstract": "excluded on title and abstract",
             "excluded_full_text": "excluded at full text"}.get(row["stage"], row["stage"])
    echo(f"{words}{' (' + row['label'] + ')' if row['label'] else ''}: {row['n']}")


@documents_group.command("screen")
@click.argument("documents", nargs=-1, required=True)
@click.option("--include", "decision", flag_value="included", help="Include in the synthesis.")
@click.option("--exclude", "decision", flag_value="excluded", help="Exclude (give --reason).")
@click.option("--clear", "decision", flag_value="clear", help="Forget the screening decision.")
@click.option("--stage", type=click.Choice(["title-abstract", "full-text"]),
              help="Where it was excluded [default: full-text].")
@click.option("--reason", help="Why it was excluded (required at full text).")
@click.option("--reviewer", "-r", metavar="NAME", help="Who decides (required).")
@pass_app
def screen_cmd(app, documents, decision, stage, reason, reviewer):
    """Record the screening decision on documents (ids or file names). Excluded documents are
    left out of the reports and counted, with their reason, in the flow.

    Example: realistcoder documents screen 4 --exclude --reason "no primary data" -r alice
    """
    reviewer = rv.check_reviewer(reviewer)
    if decision is None:
        raise InputError("no decision", subject="documents screen",
                         fix="pass --include, --exclude (with --reason) or --clear")
    store = app.store(create=False)
    docs = [get_document(store, d) for d in documents]
    for doc in docs:
        state = screen_document(store, doc["id"], reviewer,
                                None if decision == "clear" else decision, stage=stage,
                                reason=reason)
        said = state["screening"] or "not screened"
        if state["screening"] == "excluded":
            said += f" at {STAGE_WORDS[state['screening_stage']]}"
            said += f": {state['exclusion_reason']}" if state["exclusion_reason"] else ""
        echo(f"{doc['file_name']}: {said}")


@documents_group.command("import-characteristics")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check the sheet and say what would change.")
@click.option("--reviewer", "-r", metavar="NAME",
              help="Who made the screening decisions in the sheet (needed when it has any).")
@pass_app
def import_characteristics(app, file, dry_run, reviewer):
    """Set evidence type, study design, setting, country, how each document was found, and
    screening decisions from a CSV or XLSX sheet: a 'document' column (file name or id) and
    any of evidence_type, study_design, setting, country, found_via, screening,
    screening_stage, exclusion_reason. Every row is checked before anything is written.

    Example: realistcoder documents import-characteristics documents.csv -r alice
    """
    store = app.store(create=False)
    plan = plan_import(store, file)
    if dry_run:
        for doc_id, name in plan.names.items():
            what = {**plan.traits.get(doc_id, {})}
            if doc_id in plan.screening:
                what["screening"] = plan.screening[doc_id][0]
            echo(f"{name}: " + (", ".join(f"{k} {v}" for k, v in what.items()) or "nothing"))
        echo(f"would update {len(plan.names)} documents (nothing written: --dry-run)")
        return
    counts = apply_import(store, plan, rv.check_reviewer(reviewer) if reviewer else None)
    echo(f"{file}: {counts['documents']} documents, {counts['changed']} with new "
         f"characteristics, {counts['screened']} screening decisions recorded")
