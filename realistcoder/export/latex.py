"""LaTeX: a standalone landscape document with a ``longtable`` per section, every cell escaped,
and the reference list of the documents cited.

It compiles with pdflatex, xelatex or lualatex whatever the quotes hold: characters that the
standard fonts of pdflatex cannot set (U+FFFD replacement characters left by a PDF's broken
font, emoji, Greek, CJK, most symbols) are written as ``\\unichar{1F600}``, a small boxed code
point, and a note under the title says how many there are (the CSV / XLSX keep the exact
text). Column widths come from the content (:mod:`realistcoder.export.layout`). Copy the
``longtable`` blocks into a report's appendix as they are (they need the longtable, array,
booktabs and pdflscape packages, and the ``\\unichar`` command from the preamble).
"""

from __future__ import annotations

from pathlib import Path

from realistcoder.export.layout import column_widths
from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

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
}

# What pdflatex sets with T1 + textcomp + utf8 inputenc: ASCII, Latin-1, Latin Extended-A and
# common punctuation. Symbols it lacks that reviewers meet often are spelled out in math mode.
_SAFE_RANGES = ((0x20, 0x7E), (0xA0, 0x17F))
_SAFE_EXTRA = set("\u2013\u2014\u2018\u2019\u201a\u201e\u2020\u2021\u2022\u2026\u2030"
                  "\u2039\u203a\u20ac\u2122")
_SYMBOLS = {
    "\u2264": r"$\leq$", "\u2265": r"$\geq$", "\u2260": r"$\neq$", "\u2248": r"$\approx$",
    "\u2192": r"$\rightarrow$", "\u2190": r"$\leftarrow$", "\u2194": r"$\leftrightarrow$",
    "\u221e": r"$\infty$", "\u2212": r"$-$", "\u2217": r"$\ast$", "\u22c5": r"$\cdot$",
    "\u2206": r"$\Delta$", "\u03b1": r"$\alpha$", "\u03b2": r"$\beta$", "\u03b3": r"$\gamma$",
    "\u03b4": r"$\delta$", "\u03bc": r"$\mu$", "\u03c7": r"$\chi$", "\u03ba": r"$\kappa$",
    "\u03c3": r"$\sigma$", "\u2009": " ", "\u200b": "", "\u2010": "-", "\u2011": "-",
    "\u2012": "-", "\u2015": "--", "\u26a0": r"\textbf{(!)}", "\u201c": "``", "\u201d": "''",
    "\u2032": "'",
}

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage{iftex}
\ifPDFTeX
  \usepackage[T1]{fontenc}
  \usepackage[utf8]{inputenc}
  \usepackage{textcomp}
\else
  \usepackage{fontspec}
\fi
\usepackage[a4paper,margin=15mm]{geometry}
\usepackage{pdflscape}
\usepackage{longtable}
\usepackage{array}
\usepackage{booktabs}
\renewcommand{\arraystretch}{1.15}
% a character the fonts cannot set, shown as its code point: \unichar{FFFD}
\newcommand{\unichar}[1]{\fbox{\tiny U+#1}}
"""

TEXT_WIDTH_CM = 26.7  # landscape A4 minus 15 mm margins
EM_CM = 8 * 2.54 / 72.27  # \footnotesize is 8pt
COLUMN_GAP_CM = 0.42  # \tabcolsep on both sides
WIDE_CHUNK = 4  # a narrative map shows at most this many documents side by side on a page


def _char(ch: str) -> str:
    escaped = _TEX_ESCAPES.get(ch)
    if escaped is not None:
        return escaped
    code = ord(ch)
    if any(a <= code <= b for a, b in _SAFE_RANGES) or ch in _SAFE_EXTRA:
        return ch
    symbol = _SYMBOLS.get(ch)
    return symbol if symbol is not None else rf"\unichar{{{code:04X}}}"


def unsettable(text: str) -> int:
    """How many characters of ``text`` the LaTeX export shows as ``\\unichar`` boxes."""
    return sum(1 for ch in text if _char(ch).startswith(r"\unichar"))


def tex_escape(value: object) -> str:
    """A cell as LaTeX text: specials escaped, characters the fonts lack boxed, control
    characters dropped, line breaks as \\newline."""
    text = xml_text(text_of(value)).replace("\t", " ")
    out = "".join(_char(ch) for ch in text)
    return r"\newline ".join(part.strip() for part in out.replace("\r", "\n").split("\n"))


def column_spec(table: Table) -> str:
    columns = table.columns
    usable = TEXT_WIDTH_CM - COLUMN_GAP_CM * len(columns)
    widths = column_widths(table, table.rows, usable / EM_CM)
    specs = []
    for c, ems in zip(columns, widths, strict=True):
        align = r"\raggedleft" if c.numeric else r"\raggedright"
        specs.append(rf">{{{align}\arraybackslash}}p{{{ems * EM_CM:.2f}cm}}")
    return "".join(specs)


def longtable(table: Table, rows: list[dict]) -> list[str]:
    header = " & ".join(rf"\textbf{{{tex_escape(c.header)}}}" for c in table.columns) + r" \\"
    lines = [
        rf"\begin{{longtable}}{{{column_spec(table)}}}",
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
    boxed = sum(unsettable(text_of(table.cell(row, c))) for row in table.rows
                for c in table.columns)
    lines = [PREAMBLE, r"\begin{document}", r"\begin{landscape}", r"\footnotesize",
             rf"\section*{{{tex_escape(table.title)}}}"]
    notes = list(table.notes)
    if boxed:
        notes.append(f"{boxed} characters that LaTeX's standard fonts cannot show (such as "
                     "U+FFFD, left where a PDF's font could not be decoded, or emoji) are shown "
                     "as boxed code points; the CSV and XLSX exports hold the exact text.")
    for note in notes:
        lines += [tex_escape(note), ""]
    for section in table.sections:
        if len(table.sections) > 1 or section.title != table.title:
            lines.append(rf"\subsection*{{{tex_escape(section.title)}}}")
        for block, rows in table.blocks(section, chunk=WIDE_CHUNK):
            lines += longtable(block, rows)
    if table.references:
        lines += [r"\subsection*{References}", r"\begin{description}"]
        lines += [rf"\item[{tex_escape(label)}] {tex_escape(entry)}"
                  for label, entry in table.references]
        lines.append(r"\end{description}")
    lines += [r"\end{landscape}", r"\end{document}", ""]
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
