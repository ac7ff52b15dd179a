"""Markdown: a ``##`` heading and a pipe table per section (GitHub-flavoured), escaped, and
the reference list of the documents cited."""

from __future__ import annotations

import re
from pathlib import Path

from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(value: object) -> str:
    """A cell for a pipe table: Markdown punctuation backslash-escaped, line breaks as <br>."""
    text = _MD_SPECIAL.sub(r"\\\1", xml_text(text_of(value)))
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def md_table(table: Table, rows: list[dict]) -> list[str]:
    lines = [
        "| " + " | ".join(md_escape(c.header) for c in table.columns) + " |",
        "|" + "|".join("---:" if c.numeric else "---" for c in table.columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(md_escape(table.cell(row, c)) for c in table.columns) + " |")
    return lines


@register("md", extensions=(".md", ".markdown"), description="Markdown pipe tables")
def write_markdown(table: Table, path: Path) -> None:
    table = table.report_view()
    lines = [f"# {md_escape(table.title)}", ""]
    for note in table.notes:
        lines += [md_escape(note), ""]
    for section in table.sections:
        if len(table.sections) > 1 or section.title != table.title:
            lines += [f"## {md_escape(section.title)}", ""]
        for block, rows in table.blocks(section):
            lines += md_table(block, rows)
            lines.append("")
    if table.references:
        lines += ["## References", ""]
        lines += [f"- **{md_escape(label)}**: {md_escape(entry)}"
                  for label, entry in table.references]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
