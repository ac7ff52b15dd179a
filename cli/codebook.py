"""Commands: codebook validate | show | load | export | list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from realistcoder.cli.groups import SubGroup, cli, complete_codebook, echo, pass_app
from realistcoder.cli.output import (
    LISTING_FORMATS,
    emit,
    existed,
    format_option,
    output_option,
    pick_format,
    written,
)
from realistcoder.codebook.model import Codebook
from realistcoder.errors import CodebookError
from realistcoder.store import codebooks as stored

EXPORT_FORMATS = ("yaml", "csv", "md", "qdc", "xlsx")
ROLE_ORDER = ("context", "mechanism", "outcome", "other")


@cli.group("codebook", cls=SubGroup)
def codebook_group() -> None:
    """Check, inspect, store and convert codebooks (YAML, CSV, XLSX, REFI-QDA .qdc).

    Shipped codebooks, named by id wherever a FILE is asked for: mcp-realist (the default
    for `propose`), mcp-components, logic-model. Format: docs/codebook-format.md.

    Example: realistcoder codebook show mcp-components
    """


def _n(count: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {noun if count == 1 else plural}"


def _load(path: Path) -> Codebook:
    """Load and validate; on failure print every problem first, then the one-line error."""
    from realistcoder.codebook.io import load_codebook

    warnings: list[str] = []
    try:
        codebook = load_codebook(path, warnings=warnings)
    except CodebookError as err:
        for line in err.problems:
            click.echo(line, err=True)
        raise
    for line in warnings:
        click.echo(line, err=True)
    return codebook


@codebook_group.command("validate")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False),
                shell_complete=complete_codebook)
@click.option("--strict", is_flag=True, help="Fail on warnings too (duplicate or generic terms).")
def validate_command(files: tuple[Path, ...], strict: bool) -> None:
    """Check codebook FILES; list every problem as FILE:LINE: message and exit 1 if any.

    Warnings (a term listed twice, a term so generic it matches everything) are shown but only
    fail with --strict. Problems in CSV/XLSX files name the spreadsheet row.

    Example: realistcoder codebook validate codebooks/mcp-realist.yaml team-draft.xlsx
    """
    from realistcoder.codebook.io import check_codebook

    failed: list[str] = []
    for path in files:
        codebook, problems = check_codebook(path)
        for problem in problems:
            echo(problem.format(str(path)), err=True)
        errors = [p for p in problems if not p.warning or strict]
        if codebook is None or errors:
            failed.append(str(path))
            continue
        n_warn = len(problems)
        echo(f"{path}: ok ({codebook.name} {codebook.version}: "
             f"{_n(len(codebook.codes), 'code')}, {_n(len(codebook.theories), 'theory')}"
             + (f", {_n(n_warn, 'warning')}" if n_warn else "") + ")")
    if failed:
        raise CodebookError(
            f"{len(failed)} of {len(files)} codebook{'s' * (len(files) != 1)} failed "
            "validation", subject=", ".join(failed[:3]) + (", ..." if len(failed) > 3 else ""),
            fix="fix the problems listed above, each with its file and line")


def _show(codebook: Codebook, header: str) -> None:
    echo(header)
    if codebook.description:
        echo(f"  {codebook.description}")
    groups = [(t.id, t.label) for t in codebook.theories]
    known = {t.id for t in codebook.theories}
    if any(c.theory not in known for c in codebook.codes):
        groups.append((None, "(no theory)"))
    for theory_id, label in groups:
        codes = [c for c in codebook.codes
                 if (c.theory == theory_id if theory_id else c.theory not in known)]
        if not codes:
            continue
        echo("")
        echo(f"{theory_id or '-'}  {label if label != theory_id else ''}".rstrip())
        for role in ROLE_ORDER:
            in_role = [c for c in codes if c.role == role]
            if not in_role:
                continue
            echo(f"  {role}")
            shown = {c.id for c in in_role}
            for code in in_role:
                indent = "  " * (2 + _depth_within(codebook, code, shown))
                counts = _n(len(code.terms), "term")
                if code.patterns:
                    counts += f", {_n(len(code.patterns), 'pattern')}"
                if code.exclude:
                    counts += f", {len(code.exclude)} excluded"
                kind = f" [{code.mechanism_type}]" if code.mechanism_type else ""
                echo(f"{indent}{code.id}{kind}  {code.label}  ({counts})")


def _depth_within(codebook: Codebook, code, shown: set[str]) -> int:
    """How many of ``code``'s ancestors are listed in the same group (for indentation)."""
    by_id = {c.id: c for c in codebook.codes}
    depth, seen = 0, {code.id}
    while code.parent in by_id and code.parent not in seen:
        code = by_id[code.parent]
        seen.add(code.id)
        depth += code.id in shown
    return depth


@codebook_group.command("show")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False),
                shell_complete=complete_codebook)
@click.option("--stored", "stored_name", is_flag=False, flag_value="*", default=None,
              metavar="[NAME]", help="Show codebooks stored in --db (all, or the one named).")
@pass_app
def show_command(app, file: Path | None, stored_name: str | None) -> None:
    """Show a codebook as a tree: theory, role, codes with their term counts.

    With no FILE and no --stored, list the shipped codebooks.

    Example: realistcoder codebook show codebooks/mcp-realist.yaml
    """
    if file is not None and stored_name is not None:
        raise click.UsageError("give FILE or --stored, not both")
    if file is not None:
        codebook = _load(file)
        _show(codebook, f"{codebook.name} {codebook.version}  ({_n(len(codebook.codes), 'code')}, "
                        f"{_n(len(codebook.theories), 'theory')}; {file})")
        return
    if stored_name is None:
        from realistcoder.codebook.io import shipped_codebooks

        echo("Shipped codebooks (show one with `realistcoder codebook show ID`):")
        for path in shipped_codebooks():
            echo(f"  {path.stem:<16} {path}")
        return
    if stored_name == "*" and not app.db_path.exists():
        echo(f"No codebooks stored yet (no store at {app.db_path}).")
        return
    store = app.store(create=False)
    if stored_name == "*":
        found = stored.stored_codebooks(store)
        if not found:
            echo("No codebooks stored yet: `realistcoder codebook load FILE` stores one.")
    else:
        found = [stored.codebook_by_name(store, stored_name)]
    for i, (codebook_id, codebook) in enumerate(found):
        if i:
            echo("")
        source = codebook.source or "?"
        _show(codebook, f"#{codebook_id} {codebook.name} {codebook.version}  "
                        f"({_n(len(codebook.codes), 'code')}; stored from {source})")


@codebook_group.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False),
                shell_complete=complete_codebook)
@pass_app
def load_command(app, files: tuple[Path, ...]) -> None:
    """Store codebook FILES (YAML, CSV, XLSX, .qdc, or the codebook of a REFI-QDA project:
    .qdpx / .qde) in --db as new versions.

    Loading unchanged content again does nothing; changed content becomes a new version, and
    proposals and codings keep pointing at the version they were made with.

    Example: realistcoder --db review.db codebook load codebooks/mcp-realist.yaml
    """
    codebooks = [(path, _load(path)) for path in files]  # all valid before storing any
    _store_loaded(app, codebooks)


def store_codebook_file(app, path: Path) -> None:
    """Validate and store one codebook file, reporting as `codebook load` does."""
    _store_loaded(app, [(path, _load(path))])


def _store_loaded(app, codebooks: list[tuple[Path, Codebook]]) -> None:
    store = app.store(create=True)
    for path, codebook in codebooks:
        before = {s.name: s for s in stored.list_codebooks(store) if s.latest}
        codebook_id, created = stored.store_codebook(store, codebook,
                                                     source=codebook.source or str(path))
        if not created:
            echo(f"unchanged: {codebook.name} {codebook.version} is already stored as codebook "
                 f"#{codebook_id}")
            continue
        previous = before.get(codebook.name)
        echo(f"stored codebook #{codebook_id}: {codebook.name} version {codebook.version} "
             f"({len(codebook.codes)} codes)"
             + (f", replacing #{previous.id} as the latest" if previous else ""))
        if previous is not None:
            from realistcoder.codebook.diff import diff_codebooks

            changes = diff_codebooks(stored.get_codebook(store, previous.id), codebook)
            echo(f"  changes since #{previous.id}: {changes.summary()}")
        if previous is not None and previous.version == codebook.version:
            echo(f"note: the content changed but the declared version is still "
                 f"{codebook.version!r}; consider raising `version:` in {path}", err=True)


@codebook_group.command("export")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False),
                shell_complete=complete_codebook)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              required=True, help="Output file; the format comes from its extension "
              "(.qdc .yaml .csv .md .xlsx). '-' writes to stdout (with --format).")
@click.option("--stored", "stored_name", metavar="NAME",
              help="Export the latest stored version of codebook NAME (or #ID) instead of FILE.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              help="Format, when the extension does not say.")
@pass_app
def export_command(app, file: Path | None, output: Path, stored_name: str | None,
                   fmt: str | None) -> None:
    """Convert a codebook to REFI-QDA .qdc, YAML, CSV, XLSX or a Markdown table.

    The .qdc file validates against the REFI-QDA Codebook.xsd and imports into NVivo,
    ATLAS.ti and QualCoder; role, theory and terms travel in each code's description, so
    importing it back gives the same codebook.

    Example: realistcoder codebook export codebooks/mcp-realist.yaml -o mcp-realist.qdc
    """
    from realistcoder.codebook.io import WRITE_FORMATS, codebook_to_text, write_codebook

    if (file is None) == (stored_name is None):
        raise click.UsageError("give FILE or --stored NAME (one of them)")
    if file is not None:
        codebook = _load(file)
    else:
        codebook = stored.codebook_by_name(app.store(create=False), stored_name)[1]
    if str(output) == "-":
        if fmt not in ("yaml", "csv", "md"):
            raise click.UsageError("writing to stdout needs --format yaml, csv or md")
        sys.stdout.write(codebook_to_text(codebook, fmt))
        return
    if file is not None and output.exists() and output.resolve() == file.resolve():
        raise click.UsageError(f"-o {output} would overwrite the codebook being exported "
                               "(and its comments): choose another output file")
    implied = WRITE_FORMATS.get(output.suffix.lower())
    if fmt and implied and fmt != implied:
        echo(f"note: {output}: writing {fmt} as --format says (the extension usually means "
             f"{implied})", err=True)
    fmt = fmt or implied
    if fmt is None:
        raise click.UsageError(f"cannot tell the format from {output.name!r}: use an extension "
                               f"({', '.join(sorted(WRITE_FORMATS))}) or --format")
    was_there = existed(output)
    write_codebook(codebook, output, fmt)
    written(output, was_there, f"{len(codebook.codes)} codes", fmt)


@codebook_group.command("list")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def list_command(app, fmt: str | None, output: Path | None) -> None:
    """List the codebook versions stored in --db (latest versions marked with *).

    Example: realistcoder --db review.db codebook list
    """
    from dataclasses import asdict

    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    rows = stored.list_codebooks(app.store(create=False)) if app.db_path.exists() else []
    emit([asdict(row) for row in rows], LIST_FIELDS, fmt, output, what="codebook versions",
         title="Stored codebooks", table=_list_table,
         empty="No codebooks stored yet: `realistcoder codebook load FILE` stores one.")


LIST_FIELDS = ["id", "name", "version", "ordinal", "n_codes", "latest", "loaded_at", "source"]


def _list_table(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = [f"{'id':>4}  {'name':<20} {'version':<9} {'v#':>3} {'codes':>5}  "
             f"{'loaded (UTC)':<19}  source"]
    for row in rows:
        mark = "*" if row["latest"] else " "
        lines.append(f"{row['id']:>4}{mark} {row['name']:<20} {row['version']:<9} "
                     f"{row['ordinal']:>3} {row['n_codes']:>5}  "
                     f"{row['loaded_at'][:19].replace('T', ' '):<19}  {row['source'] or ''}")
    return lines
