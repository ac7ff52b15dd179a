"""Commands: cmoc judge | history | chain | unchain (evidence judgements, refinement history,
CMO chains). Attached to the ``cmoc`` group defined in ``cli.cmoc``."""

from __future__ import annotations

import json
import textwrap

import click

from realistcoder.cli.cmoc import cmoc_group
from realistcoder.cli.groups import echo, pass_app
from realistcoder.cli.prompts import ask_key
from realistcoder.errors import InputError
from realistcoder.review import cmoc as rc
from realistcoder.review.refinement import cmoc_history
from realistcoder.store import cmoc as cm
from realistcoder.store import review as rv
from realistcoder.store import theory as th

WORDS = {"if_text": "if", "then_text": "then", "because_text": "because"}


def _quote(text: str, indent: int = 8) -> str:
    text = text if len(text) <= 300 else text[:297] + "..."
    return textwrap.fill(f'"{text}"', 79, initial_indent=" " * indent,
                         subsequent_indent=" " * indent)


@cmoc_group.command("judge")
@click.argument("cmoc_id", type=int)
@click.argument("coding_id", type=int, required=False)
@click.option("--supports", "judgement", flag_value="supports",
              help="The coding supports the configuration.")
@click.option("--refutes", "judgement", flag_value="refutes",
              help="It refutes it (the outcome did not follow, the mechanism did not fire).")
@click.option("--refines", "judgement", flag_value="refines",
              help="It refines it (it holds only in some contexts, or in another form).")
@click.option("--note", help="Why (kept with the link).")
@click.option("--suggest", is_flag=True,
              help="Go through the links whose wording suggests another judgement; confirm "
              "(y), keep (n) or stop (q) for each.")
@click.option("--reviewer", "-r", metavar="NAME", help="Who judges (required).")
@pass_app
def judge_cmd(app, cmoc_id, coding_id, judgement, note, suggest, reviewer):
    """Judge what a linked coding says about a configuration: supports, refutes or refines it.

    Example: realistcoder cmoc judge 2 31 --refutes --note "admissions rose" --reviewer alice
    """
    reviewer = rv.check_reviewer(reviewer)
    store = app.store()
    if suggest:
        _suggest(store, cmoc_id, reviewer)
        return
    if coding_id is None or judgement is None:
        raise InputError("say which coding and how it bears on the CMOC", subject="cmoc judge",
                         fix="pass CODING_ID and --supports, --refutes or --refines (or "
                         "--suggest)")
    cm.edit_cmoc(store, cmoc_id, reviewer, judgements={coding_id: (judgement, note)},
                 reason=note, evidence=[coding_id])
    echo(f"CMOC {cmoc_id}: coding {coding_id} {judgement} it")


def _suggest(store, cmoc_id: int, reviewer: str) -> None:
    found = rc.judgement_suggestions(store, cmoc_id)
    if not found:
        echo(f"CMOC {cmoc_id}: no link reads otherwise than it is judged")
        return
    changed = 0
    for n, (link, proposal) in enumerate(found, 1):
        echo(f"\n{n}/{len(found)}: coding {link['coding_id']} ({link['part']}, "
             f"{link['document']} p. {link['page']}) is judged {link['judgement']}")
        echo(_quote(link["text"], 2))
        echo(f"  reads as {proposal.judgement} ('{proposal.cue}')")
        answer = ask_key(f"  judge it {proposal.judgement}? [y]es, [n]o, [q]uit", "n")
        if answer == "q":
            break
        if answer == "y":
            cm.edit_cmoc(store, cmoc_id, reviewer,
                         judgements={link["coding_id"]: (proposal.judgement,
                                                         f"cue: {proposal.cue}")},
                         reason=f"confirmed the suggested judgement (cue '{proposal.cue}')",
                         evidence=[link["coding_id"]])
            changed += 1
            echo(f"  coding {link['coding_id']} now {proposal.judgement} it")
    echo(f"\n{changed} judgement(s) changed.")


@cmoc_group.command("history")
@click.argument("cmoc_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_app
def history_cmd(app, cmoc_id, fmt):
    """Show every version of a configuration: what changed (the old and the new statement),
    who changed it and when, why, and the evidence that prompted it.

    Example: realistcoder cmoc history 2
    """
    history = cmoc_history(app.store(), cmoc_id)
    if fmt == "json":
        echo(json.dumps(history, ensure_ascii=False, indent=2, default=str))
        return
    cmoc, versions = history["cmoc"], history["versions"]
    echo(f"CMOC {cmoc['id']}: {cmoc['title'] or '(untitled)'} ({len(versions)} version(s))")
    for v in versions:
        echo(f"\nv{v['version']}  {v['created_at'][:16].replace('T', ' ')}  {v['reviewer']}  "
             f"{v['change']}")
        if v["version"] == 1 or v["changed"]:
            echo(textwrap.fill(rc.statement(v), 79, initial_indent="    ",
                               subsequent_indent="    "))
        for field, (old, _) in v["changed"].items():
            if field in WORDS:
                echo(textwrap.fill(f"was: {WORDS[field]} {old or '...'}", 79,
                                   initial_indent="    ", subsequent_indent="         "))
        if v["version"] == 1:
            parts = ", ".join(f"{p} {c}" + ("" if j == "supports" else f" ({j})")
                              for c, p, j in v["added"])
            if parts:
                echo(textwrap.fill(f"evidence: {parts}", 79, initial_indent="    ",
                                   subsequent_indent="              "))
        if v["reason"]:
            echo(textwrap.fill(f"why: {v['reason']}", 79, initial_indent="    ",
                               subsequent_indent="         "))
        for e in v["evidence"]:
            where = f" ({e['document']} p. {e['page']})" if e.get("document") else ""
            echo(f"    prompted by coding {e['coding_id']}{where}")
            echo(_quote(e["text"]))


@cmoc_group.command("chain")
@click.argument("from_cmoc", type=int)
@click.argument("to_cmoc", type=int)
@click.option("--as", "part", type=click.Choice(th.CHAIN_PARTS), default="context",
              show_default=True, help="What FROM_CMOC's outcome is in TO_CMOC.")
@click.option("--note", help="Why the one leads to the other.")
@click.option("--reviewer", "-r", metavar="NAME", help="Who links them (required).")
@pass_app
def chain_cmd(app, from_cmoc, to_cmoc, part, note, reviewer):
    """Chain two configurations: the outcome of FROM_CMOC is the context (or mechanism) of
    TO_CMOC, as in a CMO chain; `export theory` draws the chains.

    Example: realistcoder cmoc chain 1 2 --as mechanism --reviewer alice
    """
    reviewer = rv.check_reviewer(reviewer)
    th.add_chain(app.store(), from_cmoc, to_cmoc, part, reviewer, note=note)
    echo(f"CMOC {from_cmoc}'s outcome is now the {part} of CMOC {to_cmoc}")


@cmoc_group.command("unchain")
@click.argument("from_cmoc", type=int)
@click.argument("to_cmoc", type=int)
@click.option("--as", "part", type=click.Choice(th.CHAIN_PARTS),
              help="Only the chain that makes it this part [default: every chain between them].")
@click.option("--reviewer", "-r", metavar="NAME", help="Who ends the chain (required).")
@pass_app
def unchain_cmd(app, from_cmoc, to_cmoc, part, reviewer):
    """End a chain between two configurations (it stays in the refinement trail).

    Example: realistcoder cmoc unchain 1 2 --reviewer alice
    """
    reviewer = rv.check_reviewer(reviewer)
    th.remove_chain(app.store(), from_cmoc, to_cmoc, reviewer, part)
    echo(f"CMOC {from_cmoc} no longer feeds CMOC {to_cmoc}")
