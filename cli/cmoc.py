"""Commands: cmoc add | list | show | edit | suggest (CMO configurations).

Judging evidence, history and chains (cmoc judge | history | chain | unchain) are in
``cmoc_refine``, which attaches them to the same group.
"""

from __future__ import annotations

import json
import textwrap

import click

from realistcoder.cli.groups import REVIEWER_HELP, SubGroup, cli, echo, pass_app, who
from realistcoder.cli.output import LISTING_FORMATS, emit, format_option, output_option, pick_format
from realistcoder.cli.prompts import ask_key
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


JUDGE_OPTIONS = [
    click.option("--refutes", metavar="IDS", help="Of the linked codings, these refute the "
                 "configuration (coding ids; the others support it)."),
    click.option("--refines", metavar="IDS", help="Of the linked codings, these refine it "
                 "(it holds only in some contexts, or in another form)."),
    click.option("--reason", metavar="TEXT", help="Why: kept with this version in the CMOC's "
                 "history."),
    click.option("--prompted-by", metavar="IDS", help="The codings (ids) that prompted this "
                 "version: kept in its history."),
]


def judge_options(fn):
    for option in reversed(JUDGE_OPTIONS):
        fn = option(fn)
    return fn


def judged(refutes: str | None, refines: str | None) -> dict[int, str]:
    out = {i: "refutes" for i in ids(refutes, "refutes")}
    for i in ids(refines, "refines"):
        if i in out:
            raise InputError(f"coding {i} cannot both refute and refine", subject="--refines",
                             fix="name it in one of --refutes / --refines")
        out[i] = "refines"
    return out


def hint_judgements(store, cmoc_id: int) -> None:
    """Say which linked codings read as refuting or refining, for the reviewer to confirm."""
    for link, proposal in rc.judgement_suggestions(store, cmoc_id):
        echo(f"  coding {link['coding_id']} reads as {proposal.judgement} ('{proposal.cue}'): "
             f"confirm with `realistcoder cmoc judge {cmoc_id} {link['coding_id']} "
             f"--{proposal.judgement}`")


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
@judge_options
@click.option("--reviewer", "-r", metavar="NAME", help=f"Who builds it {REVIEWER_HELP}.")
@pass_app
def add_cmd(app, theory, reviewer, title, if_text, then_text, because_text, note, refutes,
            refines, reason, prompted_by, **parts):
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
    store = app.store()
    cmoc_id = cm.add_cmoc(store, theory=theory, reviewer=reviewer, links=links,
                          title=title or "", if_text=if_text or "", then_text=then_text or "",
                          because_text=because_text or "", note=note,
                          judgements=judged(refutes, refines), reason=reason,
                          evidence=ids(prompted_by, "prompted-by"))
    echo(f"CMOC {cmoc_id} added ({len(links)} codings, theory {theory})")
    hint_judgements(store, cmoc_id)


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
               "n_context", "n_mechanism", "n_outcome", "n_documents", "n_supports", "n_refutes",
               "n_refines", "reviewer", "status",
               "note", "created_at", "updated_at", "uuid"]


def _cmoc_table(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        retired = " [retired]" if r["status"] == "retired" else ""
        lines.append(f"{r['id']:>4}  {r['theory']}  {r['title']}{retired}")
        lines.append(f"      C {r['n_context']}  M {r['n_mechanism']}  O {r['n_outcome']}  "
                     f"from {r['n_documents']} document(s), by {r['reviewer']}; links for "
                     f"{r['n_supports']}, against {r['n_refutes']}, refines {r['n_refines']}")
        lines.append(f"      {r['statement']}")
    return lines


@cmoc_group.command("show")
@click.argument("cmoc_id", type=int)
@format_option(("table", "json"), "table")
@pass_app
def show_cmd(app, cmoc_id, fmt):
    """Show one configuration: statement, the evidence for and against it source by source
    (with each source's appraisal, quotes and pages), chains, and its history in brief.

    Example: realistcoder cmoc show 2
    """
    cmoc = rc.cmoc_detail(app.store(), cmoc_id)
    if fmt == "json":
        echo(json.dumps(cmoc, ensure_ascii=False, indent=2))
        return
    title = f" {cmoc['title']}" if cmoc["title"] else ""
    echo(f"CMOC {cmoc['id']}:{title} (theory {cmoc['theory']}, {cmoc['status']}, "
         f"by {cmoc['reviewer']}, version {cmoc['versions']})")
    echo(textwrap.fill(cmoc["statement"], 79))
    if cmoc["note"]:
        echo(textwrap.fill(f"note: {cmoc['note']}", 79, subsequent_indent="      "))
    echo(f"evidence: {cmoc['weight']['summary']} ({cmoc['weight']['balance']})")
    for source in cmoc["sources"]:
        echo(f"  {source['document']} ({source['appraisal']})")
        for link in source["links"]:
            gone = " (coding removed since)" if not link["active"] else ""
            echo(f"    {link['judgement']:<9} {link['part']:<10} coding {link['coding_id']} "
                 f"{link['code'] or link['role'] + ' (role only)'} "
                 f"[p. {link['page']}, {link['reviewer']}]{gone}")
            echo(textwrap.fill(f'"{link["text"]}"', 79, initial_indent=" " * 14,
                               subsequent_indent=" " * 14))
            if link["judgement_note"]:
                echo(textwrap.fill(f"why: {link['judgement_note']}", 79,
                                   initial_indent=" " * 14, subsequent_indent=" " * 19))
    for chain in cmoc["chains"]:
        if chain["from_cmoc"] == cmoc["id"]:
            echo(f"  its outcome is the {chain['part']} of CMOC {chain['to_cmoc']} "
                 f"({chain['to_title'] or 'untitled'})")
        else:
            source = chain["from_title"] or "untitled"
            echo(f"  the outcome of CMOC {chain['from_cmoc']} ({source}) is its "
                 f"{chain['part']}")
    echo(f"history: {cmoc['versions']} version(s), last {cmoc['updated_at'][:19]} "
         f"(`realistcoder cmoc history {cmoc['id']}`)")


@cmoc_group.command("edit")
@click.argument("cmoc_id", type=int)
@with_text_options
@click.option("--theory", help="Move it to another theory.")
@part_options("add-")
@judge_options
@click.option("--remove", metavar="IDS", help="Unlink these coding ids.")
@click.option("--retire", "status", flag_value="retired", help="Retire it (kept, hidden).")
@click.option("--restore", "status", flag_value="active", help="Bring a retired one back.")
@click.option("--reviewer", "-r", metavar="NAME", help=f"Who edits it {REVIEWER_HELP}.")
@pass_app
def edit_cmd(app, cmoc_id, title, if_text, then_text, because_text, note, theory, remove,
             status, reviewer, refutes, refines, reason, prompted_by, **parts):
    """Change a configuration's statement, evidence links, judgements or status. The previous
    version is kept, with who changed it, when, --reason and the --prompted-by evidence.

    Example: realistcoder cmoc edit 2 --because "staff feel trusted" --add-outcome 14
    --refutes 14 --reason "admissions did not fall" --prompted-by 14 -r alice
    """
    reviewer = who(reviewer)
    fields = {"title": title, "if_text": if_text, "then_text": then_text,
              "because_text": because_text, "note": note, "theory": theory}
    store = app.store()
    before = len(cm.cmoc_versions(store, cmoc_id))
    cm.edit_cmoc(store, cmoc_id, reviewer, fields=fields, add=collect(parts, "add-"),
                 remove=ids(remove, "remove"), status=status,
                 judgements=judged(refutes, refines), reason=reason,
                 evidence=ids(prompted_by, "prompted-by"))
    after = len(cm.cmoc_versions(store, cmoc_id))
    echo(f"CMOC {cmoc_id} updated (version {after})" if after > before else
         f"CMOC {cmoc_id}: nothing changed")


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
            proposal = s.judgements.get(c["coding_id"])
            judged_as = (f"; {proposal.judgement}? ('{proposal.cue}')"
                         if proposal and proposal.judgement != "supports" else "")
            echo(f"  {rc.part_of(c):<10} coding {c['coding_id']} {c['code']} (p. {c['page']}, "
                 f"{c['reviewer']}{judged_as})")
            quote = c["text"] if len(c["text"]) <= 300 else c["text"][:297] + "..."
            echo(textwrap.fill(f'"{quote}"', 79, initial_indent=" " * 13,
                               subsequent_indent=" " * 13))
        echo(textwrap.fill(f"draft: {rc.statement(s.draft())}", 79, initial_indent="  ",
                           subsequent_indent="         "))
        if only_list:
            continue
        answer = ask_key("  [a]ccept, [d]iscard, [s]kip, [q]uit", "s")
        if answer == "q":
            break
        if answer == "a":
            cmoc_id = rc.accept_suggestion(store, s, reviewer)
            made += 1
            echo(f"  CMOC {cmoc_id} added; edit its statement with `realistcoder cmoc edit "
                 f"{cmoc_id} --if ... --then ... --because ...`")
            flagged = [f"coding {cid} {p.judgement}" for cid, p in s.judgements.items()
                       if p.judgement != "supports"]
            if flagged:
                echo(f"  judged as proposed: {', '.join(flagged)} (change with `realistcoder "
                     f"cmoc judge {cmoc_id} CODING --supports`)")
        elif answer == "d":
            rc.discard_suggestion(store, s, reviewer)
            echo("  discarded (not suggested again)")
    if not only_list:
        echo(f"\n{made} CMOC(s) added.")
