"""Listings as data: the same records as JSON Lines, JSON, CSV, XLSX, Markdown or HTML.

Every listing and record export (documents, sentences, search, proposals, log, cmoc list,
codebook list, export sentences | proposals | codings) writes through :func:`write_records`, so
that a format name means the same thing in every command:

* ``jsonl``: one JSON object a line (streams; ``jq`` and pandas read it);
* ``json``: one JSON array of the same objects;
* ``csv``: a header row of field names, then a row per record; nested values (lists, objects)
  as JSON text; text a spreadsheet would run as a formula made inert; UTF-8 with a BOM in a
  file (Excel detects the encoding), without one on standard output;
* ``xlsx``, ``md``, ``html``: the same rows as a table, written by the registered table
  writers (:mod:`realistcoder.export.registry`).
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from realistcoder.errors import InputError
from realistcoder.files import atomic_output

RECORD_FORMATS = ("jsonl", "json", "csv", "xlsx", "md", "html")
BINARY_FORMATS = ("xlsx",)


def _plain(value: object) -> object:
    """A cell value: numbers and text as they are, lists and objects as JSON text."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _json_lines(records: Iterable[dict], fields: Sequence[str], out: TextIO) -> int:
    n = 0
    for record in records:
        out.write(json.dumps({f: record.get(f) for f in fields}, ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv(records: Iterable[dict], fields: Sequence[str], out: TextIO) -> int:
    from realistcoder.export.csv_writer import csv_cell

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    n = 0
    for record in records:
        writer.writerow(["" if (v := _plain(record.get(f))) is None else csv_cell(v)
                         for f in fields])
        n += 1
    return n


def _table(records: list[dict], fields: Sequence[str], title: str):
    from realistcoder.export.table import Column, Section, Table

    columns = [Column(f, f, width=max(8, min(60, len(f) + 2)),
                      wrap=f in ("text", "snippet", "note", "statement", "title", "error"))
               for f in fields]
    rows = [{f: _plain(r.get(f)) for f in fields} for r in records]
    return Table("listing", title, columns, [Section(title, rows)])


def write_records(records: Iterable[dict], fields: Sequence[str], fmt: str, *,
                  path: Path | None = None, stream: TextIO | None = None,
                  title: str = "realistcoder") -> int:
    """Write ``records`` (only ``fields``, in that order) as ``fmt`` to ``path`` (all or
    nothing) or to ``stream``; returns how many were written."""
    if fmt not in RECORD_FORMATS:
        raise InputError(f"unknown format {fmt!r}", subject="--format",
                         fix=f"use one of: {', '.join(RECORD_FORMATS)}")
    if path is None and fmt in BINARY_FORMATS:
        raise InputError(f"{fmt} cannot go to standard output", subject="--format",
                         fix=f"pass -o FILE.{fmt}")
    if fmt in ("jsonl", "csv"):
        if path is None:
            return (_json_lines if fmt == "jsonl" else _csv)(records, fields, stream)
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        with atomic_output(path) as tmp, tmp.open("w", encoding=encoding, newline="") as out:
            return (_json_lines if fmt == "jsonl" else _csv)(records, fields, out)
    records = list(records)
    if fmt == "json":
        text = json.dumps([{f: r.get(f) for f in fields} for r in records], ensure_ascii=False,
                          indent=2) + "\n"
        if path is None:
            stream.write(text)
        else:
            with atomic_output(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        return len(records)
    from realistcoder.export import registry

    table = _table(records, fields, title)
    writer = registry.get(fmt)
    if path is not None:
        with atomic_output(path) as tmp:
            writer.write(table, tmp)
        return len(records)
    with tempfile.TemporaryDirectory() as folder:  # md / html to standard output
        tmp = Path(folder) / f"listing.{fmt}"
        writer.write(table, tmp)
        stream.write(tmp.read_text(encoding="utf-8"))
    return len(records)
