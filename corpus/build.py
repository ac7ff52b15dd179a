"""Build the sample corpus PDFs from their sources in corpus/src/*.yaml (deterministic).

Usage: ``python corpus/build.py [--out DIR] [--check]``

Each source is a small YAML layout: metadata (title, authors, year, subject, keywords), a
``layout`` (``journal``: two columns with a full-width title block; ``report``: one column),
running header and footer texts, and a list of blocks (``h1``, ``h2``, ``p`` with an optional
run-in ``label``, ``ol``/``ul`` lists, ``caption``, ``table``, ``references``, ``abstract``).
The PDFs are written with reportlab's ``invariant=1`` so that the same sources give the same
bytes; the PDF Creator field records a hash of the source and of this script, which the tests
use to check that the shipped PDFs are up to date.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
import yaml
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
CREATOR = "realistcoder corpus/build.py; reportlab {version}; source sha256 {digest}"

# Line-end hyphenation points (reportlab calls ``hyphenate`` only for a word that does not fit
# at the end of a line). A fixed table keeps the layout deterministic without pyphen.
_BREAKS = """
ac-count-able ac-count-abil-ity ac-cess-ibil-ity ad-min-is-tra-tive
at-ten-dances ca-pit-ated ca-pi-ta-tion clin-i-cians col-lab-or-a-tion col-lab-or-ative
com-mis-sion-ers com-mis-sion-ing com-mu-ni-ties com-mu-nity con-sul-ta-tions con-tin-u-ity
co-or-di-na-tion co-or-din-ator co-or-din-ators de-vel-op-ment dis-cus-sions el-der-ly
em-ploy-ment en-gage-ment en-vi-ron-ment eval-u-a-tion ex-pec-ta-tions ex-pe-ri-ences
fol-low-ing gen-er-al in-cen-tives in-for-ma-tion in-fra-struc-ture in-te-grated
in-ter-ven-tion in-ter-views im-ple-men-ta-tion im-ple-mented man-age-ment mul-ti-dis-ci-pli-nary
mul-ti-spe-cial-ty neigh-bour-hood or-gan-i-sa-tion or-gan-i-sa-tions or-gan-i-sa-tional
out-comes par-tic-i-pa-tion par-tic-i-pants part-ner-ship part-ner-ships phar-ma-cists
phys-io-ther-a-pists pop-u-la-tion prac-ti-tion-ers pre-ven-tion pro-fes-sion-als
pro-fes-sional re-spon-si-bil-i-ties sec-ond-ary sig-nif-i-cant sig-nif-i-cantly
sat-is-fac-tion sus-tain-abil-ity tech-nol-o-gy tra-di-tional vol-un-teers vol-un-teer-ing
ap-point-ments as-sess-ment as-sess-ments ar-range-ments char-ac-ter-is-tics
par-tic-u-larly ad-mis-sions en-vis-aged gov-er-nance es-tab-lished re-fer-rals
""".split()
HYPHENATION = {w.replace("-", ""): w.split("-") for w in _BREAKS}


def hyphenate(word: str) -> list[tuple[str, str]]:
    """(head, tail) splits of ``word``, longest head first, from the fixed table."""
    parts = HYPHENATION.get(word.lower())
    if not parts:
        return []
    pairs = []
    for i in range(len(parts) - 1, 0, -1):
        n = len("".join(parts[:i]))
        if n >= 3 and len(word) - n >= 3:
            pairs.append((word[:n], word[n:]))
    return pairs


# ---------------------------------------------------------------------------------------------
# sources


def load(path: Path) -> dict:
    """Read one YAML source and check its shape."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("title", "authors", "year", "layout", "blocks", "header", "footer"):
        if key not in doc:
            raise SystemExit(f"{path}: missing key {key!r}")
    if doc["layout"] not in ("journal", "report"):
        raise SystemExit(f"{path}: layout must be journal or report")
    doc["name"] = path.stem
    for kind, text in block_texts(doc):
        if not isinstance(text, str) or not text.strip():
            raise SystemExit(f"{path}: a {kind} text is not a plain string: {text!r} (quote it)")
    for block in doc["blocks"]:
        rows = block.get("table") or []
        if any(len(row) != len(rows[0]) for row in rows):
            raise SystemExit(f"{path}: table rows differ in length (quote cells with commas)")
    return doc


def sources() -> list[Path]:
    return sorted(SRC.glob("*.yaml"))


def source_hash(path: Path) -> str:
    """sha256 over this script and the source: any change to either makes the PDF stale."""
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(path.read_bytes())
    return h.hexdigest()


def block_texts(doc: dict) -> list[tuple[str, str]]:
    """(kind, text) of every piece of text in a source, in reading order (for the tests)."""
    out: list[tuple[str, str]] = []
    for key in ("title", "subtitle", "affiliations", "keywords_line"):
        if doc.get(key):
            out.append(("front_matter", str(doc[key])))
    for block in doc["blocks"]:
        kind, value = _kind(block)
        if kind in ("ol", "ul", "references"):
            out.extend((kind, item) for item in value)
        elif kind == "table":
            out.extend((kind, cell) for row in value for cell in row)
        elif kind == "abstract":
            out.extend((kind, part["text"]) for part in value)
        else:
            out.append((kind, value))
    return out


def _kind(block: dict) -> tuple[str, object]:
    for kind in ("h1", "h2", "p", "ol", "ul", "caption", "table", "references", "abstract"):
        if kind in block:
            return kind, block[kind]
    raise SystemExit(f"unknown block {block!r}")


# ---------------------------------------------------------------------------------------------
# styles


@dataclass(frozen=True)
class Look:
    body_font: str
    bold_font: str
    italic_font: str
    size: float
    leading: float
    columns: int


LOOKS = {
    "journal": Look("Times-Roman", "Times-Bold", "Times-Italic", 9.5, 11.6, 2),
    "report": Look("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10, 13.5, 1),
}


def styles(look: Look) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=look.body_font, fontSize=look.size, leading=look.leading,
        alignment=TA_JUSTIFY, spaceAfter=look.leading * 0.45, hyphenationLang=hyphenate,
        embeddedHyphenation=1,
    )
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=look.bold_font,
                                fontSize=17, leading=21, alignment=TA_LEFT, spaceAfter=8,
                                hyphenationLang=""),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontName=look.italic_font,
                                   fontSize=12, leading=15, alignment=TA_LEFT, spaceAfter=8),
        "authors": ParagraphStyle("authors", parent=body, fontSize=10.5, leading=13,
                                  alignment=TA_LEFT, spaceAfter=3),
        "affil": ParagraphStyle("affil", parent=body, fontName=look.italic_font, fontSize=8,
                                leading=10, alignment=TA_LEFT, spaceAfter=8),
        "abstract": ParagraphStyle("abstract", parent=body, fontSize=look.size - 0.5,
                                   leading=look.leading - 0.6, leftIndent=8, rightIndent=8),
        "keywords": ParagraphStyle("keywords", parent=body, fontSize=8.5, leading=10.5,
                                   leftIndent=8, spaceAfter=10, alignment=TA_LEFT),
        "h1": ParagraphStyle("h1", parent=body, fontName=look.bold_font,
                             fontSize=look.size + 2, leading=look.leading + 3, spaceBefore=8,
                             spaceAfter=4, alignment=TA_LEFT,
                             hyphenationLang=""),
        "h2": ParagraphStyle("h2", parent=body, fontName=look.italic_font if look.columns == 2
                             else look.bold_font, fontSize=look.size + 0.5,
                             leading=look.leading + 1, spaceBefore=5, spaceAfter=3,
                             alignment=TA_LEFT, hyphenationLang=""),
        "item": ParagraphStyle("item", parent=body, leftIndent=16, bulletIndent=3,
                               bulletFontName="Symbol",
                               spaceAfter=2, alignment=TA_LEFT),
        "caption": ParagraphStyle("caption", parent=body, fontName=look.italic_font,
                                  fontSize=look.size - 1, leading=look.leading - 1.5,
                                  alignment=TA_LEFT, spaceBefore=4, keepWithNext=1),
        "cell": ParagraphStyle("cell", parent=body, fontSize=look.size - 1.5,
                               leading=look.leading - 2.5, alignment=TA_LEFT, spaceAfter=0,
                               hyphenationLang=""),
        "ref": ParagraphStyle("ref", parent=body, fontSize=look.size - 1.5,
                              leading=look.leading - 2.2, leftIndent=12, firstLineIndent=-12,
                              alignment=TA_LEFT, spaceAfter=2),
        "header": ParagraphStyle("header", fontName="Helvetica", fontSize=7.5, leading=9),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
    }


def _text(s: object) -> str:
    return escape(" ".join(str(s).split()))


# ---------------------------------------------------------------------------------------------
# flowables


def title_block(doc: dict, st: dict[str, ParagraphStyle]) -> list:
    out = [Paragraph(_text(doc["title"]), st["title"])]
    if doc.get("subtitle"):
        out.append(Paragraph(_text(doc["subtitle"]), st["subtitle"]))
    out.append(Paragraph(_text(", ".join(doc["authors"])), st["authors"]))
    if doc.get("affiliations"):
        out.append(Paragraph(_text(doc["affiliations"]), st["affil"]))
    return out


def abstract_block(parts: list[dict], st: dict[str, ParagraphStyle], doc: dict) -> list:
    out = [Paragraph("<b>Abstract</b>", st["abstract"])]
    for part in parts:
        label = f"<b>{_text(part['label'])}</b> " if part.get("label") else ""
        out.append(Paragraph(label + _text(part["text"]), st["abstract"]))
    if doc.get("keywords_line"):
        out.append(Paragraph(_text(doc["keywords_line"]), st["keywords"]))
    box = Table([[out]], colWidths=["100%"])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, -1), colors.Color(0.95, 0.95, 0.95)),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return [box, Spacer(1, 8)]


def body_flowables(doc: dict, st: dict[str, ParagraphStyle], width: float) -> list:
    out: list = []
    for block in doc["blocks"]:
        kind, value = _kind(block)
        if kind == "abstract":
            continue  # laid out in the title block
        if kind in ("h1", "h2"):
            out.append(CondPageBreak(72 if kind == "h1" else 48))
            out.append(Paragraph(_text(value), st[kind]))
        elif kind == "p":
            label = block.get("label")
            run_in = f"<b>{_text(label)}</b> " if label else ""
            out.append(Paragraph(run_in + _text(value), st["body"]))
        elif kind in ("ol", "ul"):
            for i, item in enumerate(value, 1):
                bullet = f"{i}." if kind == "ol" else "\u2022"
                out.append(Paragraph(_text(item), st["item"], bulletText=bullet))
            out.append(Spacer(1, 4))
        elif kind == "caption":
            out.append(Paragraph(_text(value), st["caption"]))
        elif kind == "table":
            rows = [[Paragraph(_text(c), st["cell"]) for c in row] for row in value]
            ncol = len(value[0])
            first = width * (0.34 if ncol > 2 else 0.5)
            widths = [first] + [(width - first) / (ncol - 1)] * (ncol - 1)
            table = Table(rows, colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]))
            out.append(KeepTogether([table, Spacer(1, 8)]))
        elif kind == "references":
            out.append(CondPageBreak(72))
            out.append(Paragraph("References", st["h1"]))
            for ref in value:
                out.append(Paragraph(_text(ref), st["ref"]))
    return out


# ---------------------------------------------------------------------------------------------
# pages


PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM, GAP = 54, 64, 60, 18


def _page_decorator(doc: dict, st: dict[str, ParagraphStyle]):
    header = doc["header"]
    footer = doc["footer"]
    first_page = int(doc.get("first_page", 1))

    def draw(canvas, tpl) -> None:
        n = tpl.page
        number = first_page + n - 1
        fill = {"page": number}
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        if n == 1 and "first" in header:
            left, right = header["first"]
        elif n % 2 == 0 and "even" in header:
            left, right = header["even"]
        else:
            left, right = header.get("odd", header.get("all"))
        top = PAGE_H - MARGIN_TOP + 22
        canvas.drawString(MARGIN_X, top, left.format(**fill))
        canvas.drawRightString(PAGE_W - MARGIN_X, top, right.format(**fill))
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, top - 4, PAGE_W - MARGIN_X, top - 4)
        left, right = footer
        bottom = MARGIN_BOTTOM - 26
        canvas.line(MARGIN_X, bottom + 10, PAGE_W - MARGIN_X, bottom + 10)
        canvas.drawString(MARGIN_X, bottom, left.format(**fill))
        canvas.drawRightString(PAGE_W - MARGIN_X, bottom, right.format(**fill))
        canvas.restoreState()

    return draw


def build_pdf(src: Path, out: Path) -> Path:
    """Lay out one source as a PDF at ``out``; returns ``out``."""
    doc = load(src)
    look = LOOKS[doc["layout"]]
    st = styles(look)
    width = PAGE_W - 2 * MARGIN_X
    height = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    head = title_block(doc, st)
    abstract = [b["abstract"] for b in doc["blocks"] if "abstract" in b]
    if abstract:
        head += abstract_block(abstract[0], st, doc)
    head_h = sum(f.wrap(width, height)[1] + f.getSpaceAfter() + f.getSpaceBefore()
                 for f in head) + 6
    decorate = _page_decorator(doc, st)
    template = BaseDocTemplate(
        str(out), pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1,
        title=" ".join(str(doc["title"]).split()), author="; ".join(doc["authors"]),
        subject=doc.get("subject", ""), keywords=doc.get("keywords", ""),
        creator=CREATOR.format(version=reportlab.Version, digest=source_hash(src)),
        producer="ReportLab (invariant)",
    )
    col_w = (width - GAP * (look.columns - 1)) / look.columns
    body_h = height - head_h

    def columns(top_h: float, ident: str) -> list[Frame]:
        return [Frame(MARGIN_X + i * (col_w + GAP), MARGIN_BOTTOM, col_w, top_h,
                      id=f"{ident}{i}", leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0) for i in range(look.columns)]

    title_frame = Frame(MARGIN_X, MARGIN_BOTTOM + body_h, width, head_h, id="title",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([
        PageTemplate("first", [title_frame, *columns(body_h, "c")], onPage=decorate),
        PageTemplate("later", columns(height, "l"), onPage=decorate),
    ])
    story = [*head, NextPageTemplate("later"), FrameBreak(),
             *body_flowables(doc, st, col_w)]
    template.build(story)
    return out


def build_all(out_dir: Path = HERE) -> list[Path]:
    """Build every source into ``out_dir``; returns the PDF paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [build_pdf(src, out_dir / f"{src.stem}.pdf") for src in sources()]


def stale(out_dir: Path = HERE) -> list[str]:
    """Names of sources whose PDF is missing or was built from another source or script."""
    names = []
    for src in sources():
        pdf = out_dir / f"{src.stem}.pdf"
        stamp = f"source sha256 {source_hash(src)}".encode()
        if not pdf.exists() or stamp not in pdf.read_bytes():
            names.append(src.stem)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default corpus/)")
    parser.add_argument("--check", action="store_true", help="only report stale PDFs")
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.out)
        for name in names:
            print(f"stale: {name}.pdf (run python corpus/build.py)")
        return 1 if names else 0
    for pdf in build_all(args.out):
        print(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
