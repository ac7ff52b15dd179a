"""Commands: polarity set | suggest (enabling / blocking codings), codebook map | mappings
(levels and framework components such as COM-B mapped onto codes)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from realistcoder.cli.codebook import codebook_group
from realistcoder.cli.groups import SubGroup, cli, echo, pass_app
from realistcoder.cli.prompts import ask_key
from realistcoder.errors import InputError
from realistcoder.review import mappings as mp
from realistcoder.review.polarity import polarity_suggestions
from realistcoder.store import attributes as at
from realistcoder.store import review as rv


@cli.group("polarity", cls=SubGroup)
def polarity_group() -> None:
    """Mark codings as enabling or blocking (facilitators and barriers).

    Example: realistcoder polarity suggest --reviewer alice
    """


@polarity_group.command("set")
@click.argument("coding_ids", nargs=-1, type=int, required=True)
@click.option("--enabling", "polarity", flag_value="enabling", help="It enables what follows.")
@click.option("--blocking", "polarity", flag_value="blocking", help="It blocks what follows.")
@click.option("--clear", "polarity", flag_value="clear", help="Remove the mark.")
@click.option("--note", help="Why.")
@click.option("--reviewer", "-r", metavar="NAME", help="Whose codings (required).")
@pass_app
def set_cmd(app, coding_ids, polarity, note, reviewer):
    """Mark your codings (or consensus codings) as enabling or blocking.

    Example: realistcoder polarity set 12 15 --blocking --reviewer alice
    """
    reviewer = rv.check_reviewer(reviewer)
    if polarity is None:
        raise InputError("no polarity given", subject="polarity set",
                         fix="pass --enabling, --blocking or --clear")
    store = app.store(create=False)
    for coding_id in coding_ids:
        at.set_polarity(store, coding_id, None if polarity == "clear" else polarity, reviewer,
                        note=note)
    echo(f"{len(coding_ids)} coding(s): {'mark removed' if polarity == 'clear' else polarity}")


@polarity_group.command("suggest")
@click.option("--role", "roles", multiple=True, type=click.Choice(["context", "mechanism",
              "outcome"]), help="Only codings of this role [default: context and mechanism].")
@click.option("--all", "include_decided", is_flag=True,
              help="Also codings already marked (or cleared).")
@click.option("--list", "only_list", is_flag=True, help="Only list the proposals.")
@click.option("--reviewer", "-r", metavar="NAME", help="Whose codings, who confirms.")
@pass_app
def suggest_cmd(app, roles, include_decided, only_list, reviewer):
    """Go through your codings whose wording reads as a barrier or a facilitator: accept the
    proposed polarity (a), choose enabling (e) or blocking (b), skip (s) or quit (q).

    Example: realistcoder polarity suggest --reviewer alice
    """
    reviewer = rv.check_reviewer(reviewer)
    store = app.store(create=False)
    found = polarity_suggestions(store, reviewer, roles=tuple(roles) or ("context",
                                                                          "mechanism"),
                                 include_decided=include_decided)
    if not found:
        echo("no coding reads as a barrier or a facilitator (or all are marked already)")
        return
    marked = 0
    for n, (coding, proposal) in enumerate(found, 1):
        echo(f"\n{n}/{len(found)}: coding {coding['coding_id']} {coding['code'] or coding['role']}"
             f" ({coding['document']} p. {coding['page']})")
        echo(textwrap.fill(f'"{coding["text"]}"', 79, initial_indent="  ",
                           subsequent_indent="  "))
        echo(f"  reads as {proposal.polarity} ({', '.join(repr(c) for c in proposal.cues)})")
        if only_list:
            continue
        key = ask_key("  [a]ccept, [e]nabling, [b]locking, [s]kip, [q]uit", "s")
        if key == "q":
            break
        chosen = {"a": proposal.polarity, "e": "enabling", "b": "blocking"}.get(key)
        if chosen:
            at.set_polarity(store, coding["coding_id"], chosen, reviewer,
                            origin="suggestion" if chosen == proposal.polarity else "command",
                            cue=", ".join(proposal.cues))
            marked += 1
            echo(f"  marked {chosen}")
    if not only_list:
        echo(f"\n{marked} coding(s) marked.")


@codebook_group.command("map")
@click.argument("target", metavar="FILE|CODEBOOK:CODE")
@click.option("--level", type=click.Choice(at.LEVELS), help="The code's level.")
@click.option("--to", "components", multiple=True, metavar="FRAMEWORK:COMPONENT",
              help="A framework component the code expresses, e.g. com-b:motivation_reflective "
              "(repeatable).")
@click.option("--clear", "clear", metavar="SCHEME", help="Remove the code's mappings in "
              "SCHEME ('level' or a framework name).")
@click.option("--reviewer", "-r", metavar="NAME", help="Who maps it (recorded).")
@pass_app
def map_cmd(app, target, level, components, clear, reviewer):
    """Map codes onto levels (individual / organisational / system) and framework components
    (such as COM-B's), from a mapping file (or a shipped one by name: mcp-realist) or one code
    at a time.

    Example: realistcoder codebook map mcp-realist
    """
    store = app.store(create=False)
    path = Path(target)
    shipped = mp.shipped_mapping(target) if ":" not in target and not path.exists() else None
    path = shipped or path  # `codebook map mcp-realist`: the mapping shipped for it
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        if level or components or clear:
            raise InputError("--level, --to and --clear go with CODEBOOK:CODE", subject=target,
                             fix="put them in the mapping file instead")
        if not path.is_file():
            raise InputError("no such file", subject=path, fix="check the path")
        rows = mp.read_mapping_file(path)
        new = mp.apply_mappings(store, rows, reviewer=reviewer, source=str(path))
        name = f"{target} (shipped mapping)" if shipped else path
        echo(f"{name}: {len(rows)} mappings, {new} new")
        return
    book, _, code = target.partition(":")
    if not code:
        raise InputError("name the code as CODEBOOK:CODE", subject=target,
                         fix="e.g. mcp-realist:t1_training, or pass a mapping file")
    if clear:
        n = at.remove_mappings(store, book, code, clear)
        echo(f"{target}: {n} {clear} mapping(s) removed")
    rows = [(book, code, at.LEVEL, level)] if level else []
    for item in components:
        framework, _, component = item.partition(":")
        if not component:
            raise InputError(f"'{item}' is not FRAMEWORK:COMPONENT", subject="--to",
                             fix="e.g. --to com-b:opportunity_social")
        rows.append((book, code, framework, component))
    if not rows and not clear:
        raise InputError("nothing to map", subject=target,
                         fix="pass --level, --to FRAMEWORK:COMPONENT or --clear SCHEME")
    if rows:
        mp.apply_mappings(store, rows, reviewer=reviewer, source="command")
        echo(f"{target}: " + ", ".join(f"{s} {v}" for _, _, s, v in rows))


@codebook_group.command("mappings")
@click.option("--scheme", help="Only 'level' or one framework (e.g. com-b).")
@pass_app
def mappings_cmd(app, scheme):
    """List the levels and framework components mapped onto codes.

    Example: realistcoder codebook mappings --scheme com-b
    """
    rows = at.mappings(app.store(create=False), scheme)
    if not rows:
        echo("no mappings (load some with `realistcoder codebook map FILE`)")
    for r in rows:
        echo(f"{r['codebook']}:{r['code']:<34} {r['scheme']:<8} {r['value']}")
