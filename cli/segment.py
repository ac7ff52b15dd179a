"""Command: segment (split plain text into sentences with character offsets)."""

from __future__ import annotations

import json
import os
import sys

import click

from realistcoder.cli.groups import cli
from realistcoder.errors import InputError


def _objects(text: str) -> list[dict]:
    # imported here, not at module import: every realistcoder command imports this module
    from realistcoder.ingest.long_runs import cap_length
    from realistcoder.ingest.segment import split_sentences

    # as at ingest: a run with no sentence end is cut into flagged pieces of bounded length
    return [{"start": s, "end": e, "text": text[s:e], **({"cut_at_length": True} if cut else {})}
            for s, e, cut in cap_length(text, split_sentences(text))]


def _dump(obj) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape: keep it escaped
        text = json.dumps(obj)
    return text


@cli.command("segment")
@click.argument("source", default="-", type=click.File("rb"))
@click.option(
    "--batch",
    is_flag=True,
    help='Read JSON Lines: each line an object with a "text" field; write one '
    '{"sentences": [...]} line per input line, in the same order.',
)
def segment_command(source, batch: bool) -> None:
    """Split plain text (FILE, or standard input with - or no argument) into sentences.

    Writes one JSON object per sentence and line: {"start", "end", "text"}, where start and
    end are character offsets into the input decoded as UTF-8 (line ends kept as they are, a
    leading byte-order mark dropped), so text == input[start:end]. With --batch, offsets are
    into each line's "text"; a blank input line gives {"sentences": []}. A run of over 5,000
    characters with no sentence end is cut into pieces marked "cut_at_length": true.

    Example: echo "Rates fell (Smith et al., 2019). See Fig. 2." | realistcoder segment
    """
    name = getattr(source, "name", "-")
    write = sys.stdout.write
    try:
        if not batch:
            for obj in _objects(source.read().decode("utf-8-sig")):
                write(_dump(obj) + "\n")
            return
        for number, raw in enumerate(source, start=1):
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            text = _batch_text(line, number, name) if line.strip() else ""
            write(_dump({"sentences": _objects(text)}) + "\n")
    except BrokenPipeError:  # "realistcoder segment big.txt | head": the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except UnicodeDecodeError as err:
        is_pdf = err.object[:5] == b"%PDF-"
        raise InputError(
            "this is a PDF, not plain text" if is_pdf
            else f"not UTF-8 text ({err.reason} at byte {err.start})",
            subject=name,
            fix="ingest PDFs with `realistcoder ingest FILE.pdf`" if is_pdf
            else "convert the file to UTF-8, e.g. with iconv",
        ) from None


def _batch_text(line: str, number: int, name: str) -> str:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(
            f"line {number}: not valid JSON ({err.msg} at column {err.colno})",
            subject=name,
            fix='each line must be a JSON object like {"text": "..."}',
        ) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise InputError(
            f'line {number}: expected a JSON object with a string "text" field',
            subject=name,
            fix='each line must be a JSON object like {"text": "..."}',
        )
    return obj["text"]
