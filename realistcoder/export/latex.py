"""LaTeX: a standalone landscape document with a ``longtable`` per section, every cell escaped.

Compiles with pdflatex, xelatex or lualatex; copy the ``longtable`` blocks into a report's
appendix as they are (they need the longtable, array, booktabs and pdflscape packages).
"""

from __future__ import annotations

from pathlib import Path

from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Column, Table, text_of

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "\u201c": "``",
    "\u201d": "''",
}

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage[a4paper,margin=15mm]{geometry}
\usepackage{pdflscape}
\usepackage{longtable}
\usepackage{array}
\usepackage{booktabs}
\usepackage{textcomp}
\renewcommand{\arraystretch}{1.15}
"""

TEXT_WIDTH_CM = 24.0  # landscape A4 minus margins


def tex_escape(value: object) -> str:
    """A cell as LaTeX text: specials escaped, control characters dropped, breaks as \\newline."""
    text = xml_text(text_of(value)).replace("\t", " ")
    out = "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)
    return r"\newline ".join(part.strip() for part in out.replace("\r", "\n").split("\n"))


def column_spec(columns: list[Column]) -> str:
    total = sum(c.width for c in columns) or 1
    usable = TEXT_WIDTH_CM - 0.4 * len(columns)
    specs = []
    for c in columns:
        width = max(usable * c.width / total, 0.9)
        align = r"\raggedleft" if c.numeric else r"\raggedright"
        specs.append(rf">{{{align}\arraybackslash}}p{{{width:.2f}cm}}")
    return "".join(specs)


def longtable(table: Table, rows: list[dict]) -> list[str]:
    header = " & ".join(rf"\textbf{{{tex_escape(c.header)}}}" for c in table.columns) + r" \\"
    lines = [
        rf"\begin{{longtable}}{{{column_spec(table.columns)}}}",
        r"\toprule",
        header,
        r"\midrule",
        r"\endfirsthead",
        r"\toprule",
        header,
        r"\midrule",
        r"\endhead",
        r"\bottomrule",
        r"\endfoot",
    ]
    for row in rows:
        lines.append(" & ".join(tex_escape(table.cell(row, c)) for c in table.columns) + r" \\")
    lines.append(r"\end{longtable}")
    return lines


@register("tex", extensions=(".tex",), description="LaTeX longtable document")
def write_latex(table: Table, path: Path) -> None:
    table = table.report_view()
    lines = [PREAMBLE, r"\begin{document}", r"\begin{landscape}", r"\footnotesize",
             rf"\section*{{{tex_escape(table.title)}}}"]
    for note in table.notes:
        lines += [tex_escape(note), ""]
    for section in table.sections:
        if len(table.sections) > 1 or section.title != table.title:
            lines.append(rf"\subsection*{{{tex_escape(section.title)}}}")
        lines += longtable(table, section.rows)
    lines += [r"\end{landscape}", r"\end{document}", ""]
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
