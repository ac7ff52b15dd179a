"""Commands: cmoc add | list | show | edit | suggest (CMO configurations)."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from realistcoder.cli.groups import REVIEWER_HELP, SubGroup, cli, echo, pass_app, who
from realistcoder.cli.output import LISTING_FORMATS, emit, format_option, output_option, pick_format
from realistcoder.errors import InputError
from realistcoder.review import cmoc as rc
from realistcoder.store import cmoc as cm

PART_OPTIONS = [("context", "Context codings"), ("resource", "Mechanism (resource) codings"),
                ("reasoning", "Mechanism (reasoning) codings"),
                ("mechanism", "Mechanism codings of unspecified type"),
                ("outcome", "Outcome codings")]


def ids(text: str | None, option: str) -> list[int]:
    if not text:
        return []
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise InputError(f"'{text}' is not a list of coding ids", subject=f"--{option}",
                         fix="give coding ids separated by commas, e.g. 3,7,12")
    return [int(p) for p in parts]


def part_options(prefix: str = ""):
    def wrap(fn):
        for part, text in reversed(PART_OPTIONS):
            fn = click.option(f"--{prefix}{part}", f"{prefix.replace('-', '_')}{part}",
                              metavar="IDS", help=f"{text} (coding ids, comma separated).")(fn)
        return fn
    return wrap


def collect(values: dict, prefix: str = "") -> list[tuple[int, str]]:
    key = prefix.replace("-", "_")
    return [(i, part) for part, _ in PART_OPTIONS
            for i in ids(values.get(f"{key}{part}"), f"{prefix}{part}")]


text_options = [
    click.option("--title", help="A short name for the configuration."),
    click.option("--if", "if_text", metavar="TEXT", help="If ... (context and resource)."),
    click.option("--then", "then_text", metavar="TEXT", help="then ... (outcome)."),
    click.option("--because", "because_text", metavar="TEXT", help="because ... (reasoning)."),
    click.option("--note", help="A note on the configuration."),
]


def with_text_options(fn):
    for option in reversed(text_options):
        fn = option(fn)
    return fn


@cli.group("cmoc", cls=SubGroup)
def cmoc_group() -> None:
    """Build, list, show, edit and suggest CMO configurations (context-mechanism-outcome).

    Example: realistcoder cmoc suggest --reviewer alice --theory workforce
    """


@cmoc_group.command("add")
@click.option("--theory", required=True, help="The programme theory / area id.")
@part_options()
@with_text_options
@click.option("--reviewer", "-r", metavar="NAME", help=f"Who builds it {REVIEWER_HELP}.")
@pass_app
def add_cmd(app, theory, reviewer, title, if_text, then_text, because_text, note, **parts):
    """Link codings into a configuration with an if-then-because statement.

    Example: realistcoder cmoc add --theory workforce --context 3 --reasoning 5 --outcome 9
    --if "staff trust each other" --then "access improves" --because "they adopt new roles"
    --reviewer alice
    """
    reviewer = who(reviewer)
    links = collect(parts)
    if not links:
        raise InputError("no codings to link", subject="cmoc add",
                         fix="pass --context/--resource/--reasoning/--outcome with coding ids")
    cmoc_id = cm.add_cmoc(app.store(), theory=theory, reviewer=reviewer, links=links,
                          title=title or "", if_text=if_text or "", then_text=then_text or "",
                          because_text=because_text or "", note=note)
    echo(f"CMOC {cmoc_id} added ({len(links)} codings, theory {theory})")


@cmoc_group.command("list")
@click.option("--theory", help="Only this theory.")
@click.option("--reviewer", "-r", metavar="NAME", help="Only those built by this reviewer.")
@click.option("--all", "include_retired", is_flag=True, help="Include retired ones.")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def list_cmd(app, theory, reviewer, include_retired, fmt, output):
    """List configurations with their statement and evidence counts.

    Example: realistcoder cmoc list --theory workforce
    """
    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    rows = [{**r, "statement": rc.statement(r)}
            for r in cm.list_cmocs(app.store(), theory=theory, reviewer=reviewer,
                                   include_retired=include_retired)]
    emit(rows, CMOC_FIELDS, fmt, output, what="CMOCs", title="CMO configurations",
         table=_cmoc_table,
         empty="no CMOCs yet (build one with `realistcoder cmoc add` or `cmoc suggest`)")


CMOC_FIELDS = ["id", "theory", "title", "statement", "if_text", "then_text", "because_text",
               "n_context", "n_mechanism", "n_outcome", "n_documents", "reviewer", "status",
               "note", "created_at", "updated_at", "uuid"]


def _cmoc_table(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        retired = " [retired]" if r["status"] == "retired" else ""
        lines.append(f"{r['id']:>4}  {r['theory']}  {r['title']}{retired}")
        lines.append(f"      C {r['n_context']}  M {r['n_mechanism']}  O {r['n_outcome']}  "
                     f"from {r['n_documents']} document(s), by {r['reviewer']}")
        lines.append(f"      {r['statement']}")
    return lines


@cmoc_group.command("show")
@click.argument("cmoc_id", type=int)
@format_option(("table", "json"), "table")
@pass_app
def show_cmd(app, cmoc_id, fmt):
    """Show one configuration: statement, linked evidence with quotes and pages, history.

    Example: realistcoder cmoc show 2
    """
    cmoc = rc.cmoc_detail(app.store(), cmoc_id)
    if fmt == "json":
        echo(json.dumps(cmoc, ensure_ascii=False, indent=2))
        return
    title = f" {cmoc['title']}" if cmoc["title"] else ""
    echo(f"CMOC {cmoc['id']}:{title} (theory {cmoc['theory']}, {cmoc['status']}, "
         f"by {cmoc['reviewer']})")
    echo(textwrap.fill(cmoc["statement"], 79))
    if cmoc["note"]:
        echo(textwrap.fill(f"note: {cmoc['note']}", 79, subsequent_indent="      "))
    for link in cmoc["links"]:
        gone = " (coding removed since)" if not link["active"] else ""
        echo(f"  {link['part']:<10} coding {link['coding_id']} {link['code']} "
             f"[{link['document']}, p. {link['page']}, {link['reviewer']}]{gone}")
        echo(textwrap.fill(f'"{link["text"]}"', 79, initial_indent=" " * 13,
                           subsequent_indent=" " * 13))
    echo(f"history: {len(cmoc['history'])} change(s), last {cmoc['updated_at'][:19]}")


@cmoc_group.command("edit")
@click.argument("cmoc_id", type=int)
@with_text_options
@click.option("--theory", help="Move it to another theory.")
@part_options("add-")
@click.option("--remove", metavar="IDS", help="Unlink these coding ids.")
@click.option("--retire", "status", flag_value="retired", help="Retire it (kept, hidden).")
@click.option("--restore", "status", flag_value="active", help="Bring a retired one back.")
@click.option("--reviewer", "-r", metavar="NAME", help=f"Who edits it {REVIEWER_HELP}.")
@pass_app
def edit_cmd(app, cmoc_id, title, if_text, then_text, because_text, note, theory, remove,
             status, reviewer, **parts):
    """Change a configuration's statement, evidence links or status (history is kept).

    Example: realistcoder cmoc edit 2 --because "staff feel trusted" --add-outcome 14 -r alice
    """
    reviewer = who(reviewer)
    fields = {"title": title, "if_text": if_text, "then_text": then_text,
              "because_text": because_text, "note": note, "theory": theory}
    cm.edit_cmoc(app.store(), cmoc_id, reviewer, fields=fields, add=collect(parts, "add-"),
                 remove=ids(remove, "remove"), status=status)
    echo(f"CMOC {cmoc_id} updated")


@cmoc_group.command("suggest")
@click.option("--reviewer", "-r", metavar="NAME",
              help=f"Whose codings, and who decides {REVIEWER_HELP}.")
@click.option("--theory", help="Only this theory.")
@click.option("--window", type=click.IntRange(0, 50), default=3, show_default=True,
              help="Codings at most this many sentences apart count as co-occurring.")
@click.option("--unblind", is_flag=True, help="Use every reviewer's codings.")
@click.option("--list", "only_list", is_flag=True, help="Only list the candidates.")
@pass_app
def suggest_cmd(app, reviewer, theory, window, unblind, only_list):
    """Suggest configurations from C, M and O codings that occur close together; accept,
    discard or skip each.

    Example: realistcoder cmoc suggest --reviewer alice --theory workforce
    """
    reviewer = who(reviewer)
    store = app.store()
    found = rc.suggest(store, reviewer, unblinded=unblind, theory=theory, window=window)
    if not found:
        echo("no candidate configurations (code more C, M and O evidence, or widen --window)")
        return
    made = 0
    for n, s in enumerate(found, 1):
        missing = [x for x in ("context", "mechanism", "outcome")
                   if x not in {c["role"] for c in s.codings}]
        echo(f"\ncandidate {n}/{len(found)}: theory {s.theory}, {s.document}"
             + (f" (no {' or '.join(missing)})" if missing else ""))
        for c in s.codings:
            echo(f"  {rc.part_of(c):<10} coding {c['coding_id']} {c['code']} (p. {c['page']}, "
                 f"{c['reviewer']})")
            quote = c["text"] if len(c["text"]) <= 300 else c["text"][:297] + "..."
            echo(textwrap.fill(f'"{quote}"', 79, initial_indent=" " * 13,
                               subsequent_indent=" " * 13))
        echo(textwrap.fill(f"draft: {rc.statement(s.draft())}", 79, initial_indent="  ",
                           subsequent_indent="         "))
        if only_list:
            continue
        try:
            answer = click.prompt("  [a]ccept, [d]iscard, [s]kip, [q]uit", default="s",
                                  show_default=False).strip().lower()[:1]
        except click.Abort:  # end of input
            break
        if not sys.stdin.isatty():  # scripted: show the answer so the transcript reads well
            echo(answer)
        if answer == "q":
            break
        if answer == "a":
            cmoc_id = rc.accept_suggestion(store, s, reviewer)
            made += 1
            echo(f"  CMOC {cmoc_id} added; edit its statement with `realistcoder cmoc edit "
                 f"{cmoc_id} --if ... --then ... --because ...`")
        elif answer == "d":
            rc.discard_suggestion(store, s, reviewer)
            echo("  discarded (not suggested again)")
    if not only_list:
        echo(f"\n{made} CMOC(s) added.")
