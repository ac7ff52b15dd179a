"""One output convention for every listing and export.

* ``-o FILE`` picks the format from its extension (``.csv``, ``.jsonl``, ``.json``, ``.xlsx``,
  ``.md``, ``.html``, ``.txt`` for the readable table, and ``.docx`` / ``.tex`` / ``.png`` /
  ``.svg`` for report tables); ``--format`` overrides the extension (with a note when they
  disagree). Without ``-o`` (or with ``-o -``) the output goes to standard output.
* A format name means the same in every command (see :mod:`realistcoder.export.records`):
  ``table`` the readable listing, ``jsonl`` a JSON object a line, ``json`` one JSON document,
  ``csv``, ``xlsx``, ``md``, ``html``.
* Writing a file replaces it all or nothing, and the notice on stderr says when an earlier
  file was replaced. Files a person may have edited (worksheets, disagreement sheets) are never
  overwritten without ``--force``; those commands check that themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import click

from realistcoder.errors import InputError

FORMAT_OF_EXTENSION = {
    ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".xlsx": "xlsx",
    ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".txt": "table",
    ".docx": "docx", ".tex": "tex", ".png": "png", ".svg": "svg", ".yaml": "yaml",
    ".yml": "yaml", ".qdc": "qdc",
}
LISTING_FORMATS = ("table", "jsonl", "json", "csv", "xlsx", "md", "html")
RECORD_FORMATS = ("jsonl", "json", "csv", "xlsx", "md", "html")


def to_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def output_option(help_text: str = "Write to FILE instead of standard output ('-': standard "
                  "output); its extension picks the format.", required: bool = False):
    return click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False,
                                                          allow_dash=True),
                        required=required, default=None, metavar="FILE", help=help_text)


def format_option(choices: Sequence[str], default: str | None):
    where = f"from -o's extension, else {default}" if default else "from -o's extension"
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=None,
                        help=f"One of {', '.join(choices)} [default: {where}].")


def pick_format(output: Path | None, fmt: str | None, choices: Sequence[str],
                default: str | None) -> str:
    """``--format`` when given, else the format ``-o``'s extension names, else ``default``."""
    implied = None
    if not to_stdout(output):
        implied = FORMAT_OF_EXTENSION.get(Path(output).suffix.lower())
    if fmt:
        if implied and implied != fmt:
            click.echo(f"note: {output}: writing {fmt} as --format says (the extension "
                       f".{Path(output).suffix.lstrip('.').lower()} usually means {implied})",
                       err=True)
        return fmt
    if implied in choices:
        return implied
    if to_stdout(output) and default:
        return default
    suffix = Path(output).suffix.lower() if output else ""
    if not suffix and default:
        return default
    raise InputError(
        f"cannot tell the format from the extension {suffix or '(none)'!r}"
        + (f" (this command writes {', '.join(choices)})" if implied else ""),
        subject=output, fix=f"name the file .{choices[0]} (or another of: "
        f"{', '.join(c for c in choices if c != 'table')}), or pass --format")


def written(output: Path, existed: bool, summary: str, fmt: str | None = None) -> None:
    """The notice after writing a file: what, where, in which format, and whether an earlier
    file was replaced: ``wrote 44 fragments to evidence.md (md; replaced the earlier file)``."""
    notes = [n for n in (fmt, "replaced the earlier file" if existed else None) if n]
    click.echo(f"wrote {summary} to {output}" + (f" ({'; '.join(notes)})" if notes else ""),
               err=True)


def existed(output: Path | None) -> bool:
    return not to_stdout(output) and Path(output).exists()


def emit(records: Iterable[dict], fields: Sequence[str], fmt: str, output: Path | None, *,
         what: str, table: Callable[[list[dict]], Iterable[str]] | None = None,
         title: str = "realistcoder", empty: str | None = None) -> int:
    """Write a listing: ``table`` renders the readable form (lines), the other formats go
    through :func:`realistcoder.export.records.write_records`. Returns the number of records."""
    from realistcoder.export.records import write_records

    was_there = existed(output)
    if fmt == "table":
        records = list(records)
        lines = list(table(records)) if table is not None else []
        if to_stdout(output):
            if not records and empty:
                click.echo(empty, err=True)
            for line in lines:
                click.echo(line)
            return len(records)
        from realistcoder.files import atomic_output

        with atomic_output(Path(output)) as tmp:
            tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        written(Path(output), was_there, f"{len(records)} {what}")
        return len(records)
    if to_stdout(output):
        stream = click.get_text_stream("stdout")
        return write_records(records, fields, fmt, stream=stream, title=title)
    n = write_records(records, fields, fmt, path=Path(output), title=title)
    written(Path(output), was_there, f"{n} {what}", fmt)
    return n
